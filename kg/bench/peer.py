"""The closest peer: the same PubMed articles built with oc_ocdm's GraphSet and serialised to N-Quads."""

from __future__ import annotations

import argparse
import gc
import json
import resource
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from importlib import metadata
from itertools import count, islice
from pathlib import Path

from kg.mapping.iris import article_key, journal_key
from kg.readers import open_input, pubmed_xml
from kg.records import Article, Author, Identifier, Journal, Pages, Reference, Scheme

PEER_PIN = "oc-ocdm==11.0.22"
BASE_IRI = "https://w3id.org/oc/meta/"
RESP_AGENT = "https://kg.example.org/agent/kg-bench-peer"
EXIT_NO_PEER = 3
_CREATE = {Scheme.PMID: "create_pmid", Scheme.PMCID: "create_pmcid", Scheme.DOI: "create_doi",
           Scheme.ISSN: "create_issn", Scheme.ORCID: "create_orcid"}
_WORK_SCHEMES = (Scheme.PMID, Scheme.PMCID, Scheme.DOI)


class _Run:
    """What lives for the whole run: one IRI counter (so batches never mint the same IRI) and the venues."""

    def __init__(self) -> None:
        from oc_ocdm.counter_handler.in_memory_counter_handler import InMemoryCounterHandler

        self.counter = InMemoryCounterHandler()
        self.venues: dict[tuple[str, ...], str] = {}  # journal / volume / issue key -> IRI minted earlier


class _Batch:
    """One GraphSet holding up to a batch of articles, with lookups that keep entities unique within it."""

    def __init__(self, run: _Run) -> None:
        from oc_ocdm.graph.graph_set import GraphSet

        self.run = run
        self.gs = GraphSet(BASE_IRI, wanted_label=False, custom_counter_handler=run.counter)
        self.ids: dict[tuple[Scheme, str], object] = {}
        self.works: dict[str, object] = {}
        self.venues: dict[tuple[str, ...], object] = {}
        self.agents: dict[str, object] = {}

    def identifier(self, ident: Identifier):
        """One datacite identifier entity per scheme and value."""
        key = (ident.scheme, ident.value)
        if key not in self.ids:
            entity = self.gs.add_id(RESP_AGENT)
            getattr(entity, _CREATE[ident.scheme])(ident.value)
            self.ids[key] = entity
        return self.ids[key]

    def work(self, identifiers: tuple[Identifier, ...]):
        """The br for these identifiers (PMID, else PMCID, else DOI decides), or None when there are none."""
        key = article_key(identifiers)
        if key is None:
            return None
        if key not in self.works:
            br = self.gs.add_br(RESP_AGENT)
            for ident in identifiers:
                if ident.scheme in _WORK_SCHEMES:
                    br.has_identifier(self.identifier(ident))
            self.works[key] = br
        return self.works[key]

    def article(self, a: Article) -> bool:
        """Builds one article with everything kg builds that OCDM models; False when it has no identity."""
        br = self.work(a.identifiers)
        if br is None:
            return False
        if a.journal is not None:
            br.create_journal_article()
        if a.title:
            br.has_title(a.title)
        if a.date:
            br.has_pub_date(a.date.isoformat())
        self.venue(br, a)
        if a.pages is not None:
            self.pages(br, a.pages)
        self.authors(br, a.authors)
        for ref in a.references:
            self.reference(br, a, ref)
        return True

    def venue(self, br, a: Article) -> None:
        parent = self.journal(a.journal) if a.journal else None
        if parent is not None and a.volume:
            parent = self.part(parent, "volume", a.volume)
        if parent is not None and a.issue:
            parent = self.part(parent, "issue", a.issue)
        if parent is not None:
            br.is_part_of(parent)

    def journal(self, j: Journal):
        """One journal br per kg journal key in the run: built in full once, then referred to by its IRI."""
        key = journal_key(j)
        if key is None:
            return None
        return self._venue((key,), lambda br: self._fill_journal(br, j))

    def _fill_journal(self, br, j: Journal) -> None:
        br.create_journal()
        if j.title:
            br.has_title(j.title)
        for issn in dict.fromkeys((j.issn_linking, j.issn_print, j.issn_electronic)):
            if issn:
                br.has_identifier(self.identifier(Identifier(Scheme.ISSN, issn)))

    def part(self, parent, kind: str, number: str):
        """A volume or issue br with its sequence identifier, part of ``parent``; one per run."""

        def fill(br) -> None:
            if kind == "volume":
                br.create_volume()
            else:
                br.create_issue()
            br.has_number(number)
            br.is_part_of(parent)

        return self._venue((parent.res, kind, number), fill)

    def _venue(self, key: tuple[str, ...], fill):
        if key in self.venues:
            return self.venues[key]
        known = self.run.venues.get(key)
        br = self.gs.add_br(RESP_AGENT, res=known)  # an earlier batch's IRI: a handle, not rebuilt
        if known is None:
            fill(br)
            self.run.venues[key] = br.res
        self.venues[key] = br
        return br

    def pages(self, br, pages: Pages) -> None:
        if not (pages.first or pages.last):
            return
        embodiment = self.gs.add_re(RESP_AGENT)
        if pages.first:
            embodiment.has_starting_page(pages.first)
        if pages.last:
            embodiment.has_ending_page(pages.last)
        br.has_format(embodiment)

    def authors(self, br, authors: tuple[Author, ...]) -> None:
        previous = None
        for author in authors:
            role = self.gs.add_ar(RESP_AGENT)
            role.create_author()
            role.is_held_by(self.agent(author))
            br.has_contributor(role)
            if previous is not None:
                previous.has_next(role)
            previous = role

    def agent(self, author: Author):
        """An ra with given/family name (a name for a collective), shared by ORCID within the batch."""
        if author.orcid and author.orcid in self.agents:
            return self.agents[author.orcid]
        ra = self.gs.add_ra(RESP_AGENT)
        if author.family:
            ra.has_family_name(author.family)
            if author.given or author.initials:
                ra.has_given_name(author.given or author.initials)
        elif author.display_name:
            ra.has_name(author.display_name)
        if author.orcid:
            ra.has_identifier(self.identifier(Identifier(Scheme.ORCID, author.orcid)))
            self.agents[author.orcid] = ra
        return ra

    def reference(self, br, a: Article, ref: Reference) -> None:
        """A reference entry (be) and, when it names a PMID/PMCID/DOI, the cited br stub and a citation (ci)."""
        entry = self.gs.add_be(RESP_AGENT)
        if ref.text:
            entry.has_content(ref.text)
        br.contains_in_reference_list(entry)
        cited = self.work(ref.identifiers)
        if cited is None or cited is br:
            return
        entry.references_br(cited)
        br.has_citation(cited)
        citation = self.gs.add_ci(RESP_AGENT)
        citation.has_citing_entity(br)
        citation.has_cited_entity(cited)
        if a.date:
            citation.has_citation_creation_date(a.date.isoformat())

    def store(self, path: Path) -> int:
        """Serialises the GraphSet to N-Quads with oc_ocdm's Storer; returns the number of quads written."""
        from oc_ocdm.storer import Storer
        from oc_ocdm.support.reporter import Reporter

        storer = Storer(self.gs, repok=Reporter(print_sentences=False), output_format="nquads")
        storer.store_graphs_in_file(str(path))
        with open(path, "rb") as f:
            return sum(1 for line in f if line.strip())


@dataclass
class Result:
    """What one peer run measured."""

    peer: str
    corpus: str
    time_limit: float
    batch_size: int
    articles: int = 0
    skipped: int = 0
    failed: int = 0
    batches: int = 0
    triples: int = 0
    seconds: float = 0.0
    records_per_s: float = 0.0
    triples_per_article: float = 0.0
    peak_rss_mib: float = 0.0
    finished: bool = False
    hit_time_limit: bool = False

    def summary(self) -> str:
        end = "finished the corpus" if self.finished else f"stopped at the {self.time_limit:g} s limit"
        return (f"{self.peer}: {self.articles} articles in {self.seconds:.1f} s = {self.records_per_s:.1f} records/s, "
                f"{self.triples} triples ({self.triples_per_article:.1f}/article), "
                f"peak RSS {self.peak_rss_mib:.0f} MiB, {end}")


def _build_batch(run: _Run, records: list, path: Path, result: Result) -> None:
    batch = _Batch(run)
    for record in records:
        if not isinstance(record, Article):
            result.skipped += 1
            continue
        try:
            built = batch.article(record)
        except (ValueError, TypeError) as exc:
            print(f"peer: {record.record_id}: {exc}", file=sys.stderr)
            result.failed += 1
            continue
        result.articles += built
        result.skipped += not built
    result.triples += batch.store(path)
    result.batches += 1


def _records(corpus: Path) -> Iterator:
    stream, _head = open_input(corpus)
    with stream:
        yield from pubmed_xml.read(stream, str(corpus))


def run(corpus: Path, outdir: Path, time_limit: float = 600.0, batch_size: int = 1000) -> Result:
    """Reads, builds and serialises ``corpus`` in batches until it ends or ``time_limit`` seconds pass."""
    result = Result(peer=f"oc_ocdm {metadata.version('oc-ocdm')}", corpus=str(corpus), time_limit=time_limit,
                    batch_size=batch_size)
    outdir.mkdir(parents=True, exist_ok=True)
    peer_run, start = _Run(), time.perf_counter()
    records = _records(corpus)
    for number in count(1):
        chunk = list(islice(records, batch_size))
        if not chunk:
            result.finished = True
            break
        _build_batch(peer_run, chunk, outdir / f"batch-{number:05d}.nq", result)
        gc.collect()  # the dropped GraphSet is a web of cycles: free it before the next batch
        if time.perf_counter() - start >= time_limit:
            result.hit_time_limit = True
            result.finished = next(records, None) is None
            break
    records.close()
    _finish(result, time.perf_counter() - start)
    return result


def _finish(result: Result, seconds: float) -> None:
    result.seconds = round(seconds, 3)
    result.records_per_s = round(result.articles / seconds, 2) if seconds else 0.0
    result.triples_per_article = round(result.triples / result.articles, 2) if result.articles else 0.0
    result.peak_rss_mib = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m kg.bench.peer", description=__doc__)
    parser.add_argument("corpus", type=Path, help="PubMed XML file (.xml or .xml.gz)")
    parser.add_argument("outdir", type=Path, help="folder for the N-Quads files, one per batch")
    parser.add_argument("--time-limit", type=float, default=600.0, help="stop after this many seconds (default 600)")
    parser.add_argument("--batch-size", type=int, default=1000, help="articles per GraphSet (default 1000)")
    parser.add_argument("--json", type=Path, help="write the measurements here as JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        import oc_ocdm  # noqa: F401
    except ImportError:
        print(f"peer: oc_ocdm is not installed in this interpreter ({sys.executable}); "
              f"run: pip install {PEER_PIN}", file=sys.stderr)
        return EXIT_NO_PEER
    result = run(args.corpus, args.outdir, args.time_limit, args.batch_size)
    if args.json:
        args.json.write_text(json.dumps(asdict(result), indent=2) + "\n", encoding="utf-8")
    print(result.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
