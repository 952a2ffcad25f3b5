"""Readers → mapping → store, in batches, one named graph per source; and the load report."""

from __future__ import annotations

import hashlib
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlparse
from urllib.request import url2pathname

from tqdm import tqdm

from kg.errors import KgError, MappingError, ReaderError
from kg.identifiers import dropped
from kg.consolidate import counts, dates
from kg.consolidate.identity import Identity
from kg.consolidate.updates import Updates, sequence
from kg.mapping.iris import Minter
from kg.mapping.mapper import Mapper
from kg.mapping.terms import Triple
from kg.readers import detect, open_input, reader_for, sniffable
from kg.records import Identifier, Scheme, Skipped
from kg import faults
from kg.sources import Plan, Registry
from kg.store import Store

BATCH = 20_000  # triples per write to the store
BULK_BYTES = 1 << 20  # sources from this size on go through the bulk loader


@dataclass(slots=True)
class SourceReport:
    """What loading one source did."""

    source: str
    format: str = ""
    status: str = "loaded"  # loaded | unchanged | failed | ignored (a file of unknown format inside a folder)
    records: int = 0
    articles: int = 0
    citations: int = 0
    triples: int = 0
    merged: int = 0
    skipped: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0


@dataclass(slots=True)
class LoadReport:
    """The report of one ``load``: one entry per source."""

    sources: list[SourceReport] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(s.status == "failed" for s in self.sources)

    def total(self, attribute: str) -> int:
        return sum(len(v) if isinstance(v := getattr(s, attribute), list) else v for s in self.sources)

    def render(self) -> str:
        lines = []
        for s in self.sources:
            if s.status in ("unchanged", "ignored"):
                what = "unchanged since its last load" if s.status == "unchanged" else "not a format kg reads"
                lines.append(f"{s.source}: {what}, nothing to do")
                continue
            lines.append(f"{s.source}: {s.format or '?'}, {s.records} records read, {s.articles} articles, "
                         f"{s.citations} citations, {s.triples} triples in its graph, {len(s.skipped)} skipped, "
                         f"{s.merged} nodes merged with other records, {s.seconds:.1f} s")
            lines += [f"  skipped {reason}" for reason in s.skipped]
            lines += [f"  note: {problem}" for problem in s.problems]
            if s.error:
                lines.append(f"  failed: {s.error}")
        if len(self.sources) > 1:
            lines.append(f"total: {self.total('records')} records, {self.total('articles')} articles, "
                         f"{self.total('citations')} citations, {self.total('skipped')} skipped")
        return "\n".join(lines)


def expand(paths: Iterable[str | Path]) -> Iterator[tuple[Path | str, bool]]:
    """Each input and whether it was named: files and ``-`` as given (True), folders as their files,
    recursively, sorted, hidden ones left out (False)."""
    for path in paths:
        if str(path) == "-":
            yield "-", True
            continue
        p = Path(path)
        if p.is_dir():
            yield from ((f, False) for f in sorted(f for f in p.rglob("*") if f.is_file()
                        and not any(part.startswith(".") for part in f.relative_to(p).parts)))
        else:
            yield p, True


class Loader:
    """Loads sources into a store, each into its own named graph described in the provenance graph."""

    def __init__(self, store: Store, minter: Minter, *, progress: bool = False, strict: bool = False) -> None:
        self.store, self.minter, self.progress, self.strict = store, minter, progress, strict
        self.registry = Registry(store, minter)
        self.identity = Identity(store, minter)
        self.updates = Updates(store, minter)
        self.notes: list[str] = []  # what an unload could not undo

    def load(self, paths: Iterable[str | Path], *, format: str | None = None) -> LoadReport:
        """Loads each source in turn; with ``strict``, the first bad record fails its source and ends the load."""
        report = LoadReport()
        for path, named in expand(paths):
            report.sources.append(self._load_one(path, format, named))
            if self.strict and report.failed:
                break
        self.store.flush()
        return report

    def _load_one(self, path: Path | str, format: str | None, named: bool, *, again: bool = False) -> SourceReport:
        started = time.perf_counter()
        report = SourceReport(str(path))
        spooled = None
        try:
            if path == "-":
                path = spooled = _spool_stdin()
            checksum = _sha256(path)
            identity = "stdin:" + checksum if spooled else Path(path).resolve().as_uri()
            graph = self.registry.graph_of(identity)
            status = self.registry.status(graph)
            if status == "complete" and self.registry.checksum_of(graph) == checksum and not again:
                report.status = "unchanged"
                return report
            # Written down before anything changes: what the earlier version of the source touched, and what a
            # killed load or unload of it left to do; a rerun after a kill finishes from it.
            plan = self._plan(graph) | self.registry.plan_of(graph)
            self._describe(graph, identity, checksum, report, complete=False)
            self.registry.mark(graph, "incomplete", plan)
            faults.point("load:marked")
            self._withdraw(graph, plan)  # a changed or incomplete source replaces what it stated before
            faults.point("load:withdrawn")
            try:
                self._read_into(Path(path), report, graph, format, named)
            finally:  # what was written, even by a failed load, is counted and settled
                faults.point("load:read")
                self._count_in(graph)
                withdrawn = self._apply_updates(graph, report, plan)
                seeds = plan_seeds(plan) | self.identity.seeds(graph) | withdrawn
                settled = self.identity.settle(seeds, loaded=graph, reload=not again)
                faults.point("load:settled")
                report.merged = settled.renamed
                self._load_again(sorted(settled.reload - {graph}))
                if status in ("incomplete", "unloading"):  # a killed command may have left figures half done
                    counts.repair(self.store, self.minter)
                report.citations, report.triples = self.registry.citations(graph), self.registry.count(graph)
            if report.records == 0 and report.status == "loaded":
                report.problems.append("the file holds no record (nothing to load)")
            if report.status == "loaded":
                self._describe(graph, identity, checksum, report, complete=True)
            elif report.status == "ignored":
                self.registry.forget(graph)
        except KgError as exc:
            report.status, report.error = "failed", str(exc)
        finally:
            if spooled:
                spooled.unlink()
            report.seconds = time.perf_counter() - started
        return report

    def _plan(self, graph: str) -> Plan:
        """What removing or replacing ``graph`` must bring up to date (nothing for a source loaded the first time)."""
        articles, citations = dates.touched_by(self.store, graph)
        return Plan({str(i) for i in self.identity.held_together_by(graph)}, articles, citations)

    def _withdraw(self, graph: str, plan: Plan) -> None:
        """Takes what ``graph`` alone contributed out of the counts (once: a rerun finds it done), removes it, and
        works the dates of what it touched out again."""
        counts.count_out(self.store, self.minter.base, graph)
        faults.point("withdraw:counted-out")
        self.store.remove_graph(graph)
        faults.point("withdraw:removed")
        dates.refresh(self.store, self.minter, plan.articles, plan.citations)

    def _apply_updates(self, graph: str, report: SourceReport, plan: Plan) -> set[Identifier]:
        """PubMed's update semantics between NLM files: the records to withdraw are written into the plan first."""
        files = self.updates.nlm_files(self.registry.sources())
        if report.format == "pubmed-xml" and (place := sequence(Path(report.source).name)):
            files[graph] = place
        withdrawals, notes = self.updates.plan(graph, files)
        if withdrawals:
            held = self.updates.identifiers_of(withdrawals)
            self.registry.mark(graph, "incomplete", plan | Plan(seeds={str(i) for i in held}))
            faults.point("load:updates-planned")
            plan.seeds |= {str(i) for i in held}
        report.problems.extend(notes)
        return self.updates.execute(withdrawals)

    def _count_in(self, graph: str) -> None:
        """Brings the materialised counts, statistics and dates up to date after ``graph`` was written."""
        alone = not any(g != graph for g in self.registry.graphs())
        counts.count_in(self.store, self.minter.base, graph, alone=alone)
        dates.refresh(self.store, self.minter, *dates.touched_by(self.store, graph), alone=alone, stated_in=graph)

    def _read_into(self, path: Path, report: SourceReport, graph: str, format: str | None, named: bool) -> None:
        size = path.stat().st_size
        with open(path, "rb") as raw, _progress(raw, size, str(path), self.progress) as counted:
            stream, head = open_input(report.source, counted)
            if not (format or named or sniffable(head)):
                report.status = "ignored"
                return
            reader = reader_for(format) if format else detect(head, report.source)
            report.format = reader.NAME
            mapper = Mapper(self.minter, graph)
            batch: list[Triple] = []
            with self._writer(size) as write, dropped() as lost:
                try:
                    for record in reader.read(stream, report.source):
                        report.records += 1
                        self._map(mapper, record, batch, report)
                        if lost:  # identifiers dropped while making this record (a skip says why itself)
                            if not isinstance(record, Skipped):
                                name = getattr(record, "record_id", "") or "a record"
                                report.problems.extend(f"{name}: {problem}" for problem in lost)
                            lost.clear()
                        if len(batch) >= BATCH:
                            write(batch, graph)
                            batch = []
                finally:  # what was read before a broken part of the file is kept
                    if batch:
                        write(batch, graph)

    def _writer(self, size: int) -> AbstractContextManager[Callable[[list[Triple], str], None]]:
        """The bulk loader, on another core, for a big file: it fills the source's own new named graph, which
        nothing else writes, so a populated store loses nothing if it is killed (the source stays incomplete, and
        loading it again replaces the graph whole). A small file: one transaction per batch."""
        if size >= BULK_BYTES:
            return self.store.bulk_writer()
        return nullcontext(self.store.add)

    def _map(self, mapper: Mapper, record, batch: list[Triple], report: SourceReport) -> None:
        if isinstance(record, Skipped):
            where = f" (line {record.line})" if record.line and f"line {record.line}" not in record.record_id else ""
            self._skip(report, f"{record.record_id}{where}: {record.reason}", record.line)
            return
        try:
            mapped = mapper.map(record)
        except MappingError as exc:
            self._skip(report, f"{record.record_id or 'a record'}: {exc.message}", None)
            return
        batch.extend(mapped.triples)
        report.articles += mapped.articles
        report.citations += mapped.citations
        report.problems.extend(mapped.problems)

    def _skip(self, report: SourceReport, reason: str, line: int | None) -> None:
        report.skipped.append(reason)
        if self.strict:
            raise ReaderError(f"{reason} (--strict stops at the first bad record)", source=report.source)

    def unload(self, graph: str) -> int:
        """Removes what one source stated, and its description, and parts the nodes that only it held together;
        returns how many triples went. The source is marked ``unloading`` (with the plan of what to bring up to
        date) before anything changes, and forgotten last: a killed unload shows, and running it again finishes it
        (or loading the file restores it)."""
        count = self.registry.count(graph)
        status = self.registry.status(graph)
        plan = self._plan(graph) | self.registry.plan_of(graph)
        files = self.updates.nlm_files(self.registry.sources())
        self.registry.mark(graph, "unloading", plan)
        faults.point("unload:marked")
        self._withdraw(graph, plan)
        faults.point("unload:withdrawn")
        self._load_again(sorted(self.identity.settle(plan_seeds(plan)).reload))
        faults.point("unload:settled")
        if graph in files:  # the records it replaced or deleted in earlier PubMed files come back
            self._load_again([g for g, place in files.items() if place < files[graph]])
        if status in ("incomplete", "unloading"):
            counts.repair(self.store, self.minter)
        self.registry.forget(graph)
        self.store.flush()
        return count

    def _describe(self, graph: str, identity: str, checksum: str, report: SourceReport, *, complete: bool) -> None:
        self.registry.describe(graph, identity, checksum, label=Path(report.source).name if report.source != "-"
                               else "stdin", format=report.format, triples=report.triples,
                               status="complete" if complete else "incomplete")

    def _load_again(self, graphs: list[str]) -> None:
        """Loads sources again from their files (which parts the statements of records that one node held), when
        the files are still there unchanged; a note otherwise."""
        for graph in graphs:
            source = next((s for s in self.registry.sources() if s["graph"] == graph), {})
            file = str(source.get("file", ""))
            path = Path(url2pathname(urlparse(file).path)) if file.startswith("file:") else None
            if path is None or not path.is_file() or _sha256(path) != str(source.get("sha256")):
                self.notes.append(f"{source.get('label', graph)}: its file is gone or changed, so what it stated "
                                  f"stays as it was (load the file again to settle it)")
                continue
            self._load_one(path, str(source.get("format") or "") or None, True, again=True)



def plan_seeds(plan: Plan) -> set[Identifier]:
    """The plan's seeds as identifiers (written as ``scheme:value``)."""
    return {Identifier(Scheme(text.split(":", 1)[0]), text.split(":", 1)[1]) for text in plan.seeds}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise ReaderError(f"cannot read: {exc.strerror}", source=str(path)) from exc
    return digest.hexdigest()


def _spool_stdin() -> Path:
    with tempfile.NamedTemporaryFile(prefix="kg-stdin-", delete=False) as f:
        shutil.copyfileobj(sys.stdin.buffer, f)
    return Path(f.name)


def _progress(raw: BinaryIO, size: int, name: str, enabled: bool):
    """``raw`` wrapped so that reading it advances a progress bar, shown on a terminal for files over 1 MiB."""
    show = enabled and size > 1 << 20 and sys.stderr.isatty()
    return tqdm.wrapattr(raw, "read", total=size, desc=Path(name).name[:32], leave=False, disable=not show)
