"""Same answers everywhere: the same real data (the seed page, the PubMed record of one of its citing articles and
its Crossref record, a PubMed update sample with reference lists and DeleteCitation, a Crossref dump and the
OpenCitations citations that overlap it) loaded into the embedded store and into Virtuoso; every canned query run
with the same parameters on both gives equal rows (as lists where the query orders them), before and after one
source is unloaded on both; and the materialised counts and dates agree, and equal counts from scratch.

The queries are written portably (README, "Writing queries that Virtuoso answers the same"); none is special-cased
per store."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"




def _files(shared: Path, seed_page: Path) -> list[Path]:
    data = shared / "data"
    return [seed_page, DATA / "pubmed_39917195.xml", DATA / "crossref_39917195.json",
            data / "pubmed_xml" / "pmparser__pubmed26n1335.xml.gz", data / "crossref_json" / "oc_index__crossref_dump.json",
            data / "opencitations_csv" / "oc_index__crossref_citations.csv"]


def _cases() -> list[tuple[str, dict[str, str]]]:
    cases = []
    for article in ("pmid:21933757", "pmid:39917195", "doi:10.1108/jd-12-2013-0166"):
        cases += [(name, {"article": article}) for name in (
            "resolve-identifier", "article-metadata", "article-authors", "citing-articles", "cited-articles",
            "related-articles", "citations-per-year")]
        cases.append(("citation-neighbourhood", {"article": article, "depth": "2"}))
    cases.append(("citation-counts", {"articles": "pmid:21933757 pmid:39917195 doi:10.1108/jd-12-2013-0166"}))
    for author in ("Corsi F", "Peroni S", "orcid:0000-0003-0530-4305"):
        cases += [(name, {"author": author}) for name in (
            "author-publications", "coauthors", "author-publications-per-year", "author-most-cited-works",
            "author-metrics", "citing-authors", "author-journals", "citations-per-year")]
        cases.append(("author-metrics", {"author": author, "self_citations": "exclude"}))
    for journal in ("Int J Mol Sci", "J Doc", "J Appl Crystallogr"):
        cases += [(name, {"journal": journal}) for name in (
            "journal-articles", "journal-most-cited-articles", "journal-citation-distribution",
            "journal-citation-flows", "citations-per-year")]
        cases.append(("journal-impact-window", {"journal": journal, "year": "2025", "window": "3"}))
    cases.append(("citation-path", {"start": "pmid:39917195", "end": "pmid:21933757"}))
    cases += [(name, {}) for name in ("dataset-summary", "identifier-coverage", "dangling-citations",
                                      "source-disagreements", "identifier-problems", "citation-count-gaps",
                                      "citation-date-anomalies", "unresolved-authors")]
    return cases


CASES = [pytest.param(name, params, id=f"{name}-{'-'.join(params.values())}") for name, params in _cases()]


@pytest.fixture(scope="module", params=["loaded", "one unloaded"])
def stores(request, virtuoso, shared, seed_page, tmp_path_factory, open_remote_graph):
    from kg import KnowledgeGraph

    virtuoso.wipe()
    files = _files(shared, seed_page)
    with KnowledgeGraph(tmp_path_factory.mktemp("parity") / "store") as embedded, open_remote_graph(virtuoso) as remote:
        for kg in (embedded, remote):
            report = kg.load(files)
            assert not report.failed, report.render()
            if request.param == "one unloaded":
                kg.unload("oc_index__crossref_dump.json")
        yield embedded, remote


def test_every_canned_query_is_covered():
    from kg.queries import catalogue

    assert {name for name, _ in _cases()} == set(catalogue())


@pytest.mark.parametrize(("name", "params"), CASES)
def test_the_same_rows_on_both_stores(stores, name, params):
    embedded, remote = stores
    ours, theirs = embedded.query(name, **params), remote.query(name, **params)
    assert ours.columns == theirs.columns
    if "ORDER BY" in embedded.queries[name].text:
        assert ours.rows == theirs.rows
    else:
        assert sorted(ours.rows, key=repr) == sorted(theirs.rows, key=repr)


def test_the_same_counts_and_dates_on_both_stores(stores, counts_are_fresh):
    embedded, remote = stores
    derived = "SELECT ?s ?p ?o WHERE {{ GRAPH <{}graph/derived> {{ ?s ?p ?o }} }}"
    assert set(embedded.sparql(derived.format(embedded.minter.base)).rows) == \
        set(remote.sparql(derived.format(remote.minter.base)).rows)
    counts_are_fresh(remote)
