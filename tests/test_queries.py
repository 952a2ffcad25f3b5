"""The canned-query catalogue: every .rq file parses, declares what it uses, answers on a small graph, and
hostile parameter values cannot change a query's shape."""

import re

import pyoxigraph
import pytest
from rdflib import URIRef
from rdflib.plugins.sparql import prepareQuery

from kg.errors import QueryError
from kg.queries import bind, catalogue

CATALOGUE = catalogue()
REQUIRED = {"resolve-identifier", "article-metadata", "article-authors", "citing-articles", "cited-articles",
            "citation-counts", "author-publications", "coauthors", "journal-articles", "dataset-summary",
            "author-publications-per-year", "author-most-cited-works", "author-metrics", "citing-authors",
            "author-journals", "journal-most-cited-articles", "journal-citation-distribution",
            "journal-citation-flows", "journal-impact-window"}


def test_catalogue_has_the_core_queries():
    assert REQUIRED <= CATALOGUE.keys()


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_query_file_is_plain_sparql_with_a_true_header(name):
    query = CATALOGUE[name]
    # As written (parameters unbound, empty VALUES) it parses in two independent SPARQL parsers ...
    pyoxigraph.Store().query(query.text)
    parsed = prepareQuery(query.text)
    # ... its projection is exactly the declared columns, in order ...
    assert [str(v) for v in parsed.algebra["PV"]] == list(query.columns)
    # ... and the parameters it uses are exactly the declared ones.
    used = set(re.findall(r"VALUES\s+\?(\w+)\s*\{\s*\}", query.text))
    declared = {p.name for p in query.params} - {"limit", "offset"}
    assert used == declared
    assert query.title and query.description
    if "limit" in {p.name for p in query.params}:
        assert "ORDER BY" in query.text  # list queries order their rows deterministically


def test_bound_query_text_parses_and_pages():
    query = CATALOGUE["citing-articles"]
    text = bind(query, {"article": "pmid:1", "limit": "5", "offset": "10"},
                lambda kind, value: [URIRef("https://kg.example.org/br/pmid/1")])
    prepareQuery(text)
    assert text.rstrip().endswith("LIMIT 5\nOFFSET 10")


# Each core query on the seed graph (the page plus the PubMed record of one citing article), with the rows
# it must give; expected values are read off the seed page and the test record.
EXPECTED = [
    ("resolve-identifier", {"article": "doi:10.1107/S1600576724011750"}, "value",
     ["10.1107/s1600576724011750", "PMC11798518", "39917195"]),
    ("article-metadata", {"article": "pmcid:PMC11855589"}, "pmid", ["40003994"]),
    ("article-authors", {"article": "pmid:39922926"}, "name", ["Gong H", "Lin X", "Huang S"]),
    ("citing-articles", {"article": "pmid:21933757", "limit": "2"}, "citation_count", [0, 0]),
    ("cited-articles", {"article": "pmid:39917195"}, "pmid", ["21933757"]),
    ("citation-counts", {"articles": "pmid:21933757, doi:10.3390/ijms26041528 pmid:1"}, "citations", [5, 0]),
    ("author-publications", {"author": "De Caro L"}, "position", [4]),
    ("author-publications", {"author": "Nobody X"}, "position", []),
    ("coauthors", {"author": "Jolly J"}, "name", ["Blackburn J"]),
    ("journal-articles", {"journal": "issn:0021-8898"}, "pmid", ["39917195"]),
    ("journal-articles", {"journal": "Sci Rep"}, "start_page", ["4801"]),
]


@pytest.mark.parametrize(("name", "params", "column", "expected"), EXPECTED,
                         ids=[f"{e[0]}-{i}" for i, e in enumerate(EXPECTED)])
def test_query_answers(seed_graph, name, params, column, expected):
    assert seed_graph.query(name, **params).column(column) == expected


def test_dataset_summary_counts(seed_graph):
    summary = {r["metric"]: r["value"] for r in seed_graph.query("dataset-summary").dicts()}
    # The test record's reference to 21933757 is the page's citation from 39917195 again: still 5 citations.
    assert (summary["articles"], summary["citations"], summary["stub_articles"]) == (6, 5, 0)
    assert summary["identifiers:pmid"] == 6 and summary["identifiers:doi"] == 5 and summary["articles_in:2025"] == 5


HOSTILE = ['"', "'", '"} ; DROP ALL', "} ; DROP ALL ; SELECT * WHERE {", "x\n} DROP ALL", "http://a b",
           "<http://evil.example/> }", 'Corsi F" } UNION { ?s ?p ?o', "pmid:1\nDROP ALL", "doi:10.1000/a\"}b",
           "\\u0022", "x" * 10_000, ""]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize(("name", "param"), [("article-authors", "article"), ("author-publications", "author"),
                                             ("journal-articles", "journal"), ("citation-counts", "articles"),
                                             ("citing-articles", "limit"), ("author-metrics", "author"),
                                             ("author-metrics", "self_citations"), ("journal-impact-window", "journal"),
                                             ("journal-impact-window", "year")])
def test_hostile_values_fail_validation_or_match_nothing(seed_graph, name, param, value):
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    before = seed_graph.sparql(count).rows
    base = {"citing-articles": {"article": "pmid:21933757"}, "author-metrics": {"author": "Corsi F"},
            "journal-impact-window": {"journal": "Magnes Res", "year": "2025"}}.get(name, {})
    base = {k: v for k, v in base.items() if k != param}
    try:
        result = seed_graph.query(name, **base, **{param: value})
    except QueryError as exc:
        assert param in str(exc)
    else:
        assert result.rows == []
    assert seed_graph.sparql(count).rows == before


def test_unknown_query_and_parameter_are_clear_errors(seed_graph):
    with pytest.raises(QueryError, match="no canned query 'nope'"):
        seed_graph.query("nope")
    with pytest.raises(QueryError, match="has no parameter 'pmid'.*article"):
        seed_graph.query("article-metadata", pmid="1")
    with pytest.raises(QueryError, match="needs parameter 'end'"):  # unbound, it would match every article
        seed_graph.query("citation-path", start="pmid:39917195")


@pytest.fixture(scope="module")
def orcid_graph(tmp_path_factory, pubmed_dir):
    from kg import KnowledgeGraph

    with KnowledgeGraph(tmp_path_factory.mktemp("orcid") / "store") as kg:
        kg.load(pubmed_dir / "pmparser__pubmed26n1334.xml.gz")
        yield kg


def _orcid_authors(pubmed_dir) -> dict[str, list[tuple[str, list[str]]]]:
    """ORCID → [(PMID, the article's author names in order)], read with ElementTree."""
    import gzip
    import xml.etree.ElementTree as ET

    root = ET.fromstring(gzip.decompress((pubmed_dir / "pmparser__pubmed26n1334.xml.gz").read_bytes()))
    found: dict[str, list[tuple[str, list[str]]]] = {}
    for article in root.iter("PubmedArticle"):
        authors = [a for a in article.iter("Author") if a.get("ValidYN") != "N"]
        names = [" ".join(filter(None, (a.findtext("LastName"), a.findtext("Initials"))))
                 or a.findtext("CollectiveName") for a in authors]
        for author in authors:
            for ident in author.iter("Identifier"):
                if ident.get("Source") == "ORCID":
                    orcid = ident.text.strip().rsplit("/", 1)[-1]
                    found.setdefault(orcid, []).append((article.findtext("MedlineCitation/PMID"), names))
    return found


def test_author_queries_by_orcid(orcid_graph, pubmed_dir):
    expected = _orcid_authors(pubmed_dir)
    assert len(expected) > 50
    for orcid, works in sorted(expected.items())[:25]:
        rows = orcid_graph.query("author-publications", author=f"orcid:{orcid}").dicts()
        assert sorted(r["pmid"] for r in rows) == sorted({pmid for pmid, _ in works}), orcid
        assert all(r["author_count"] == len(names) for r, (_, names) in zip(
            sorted(rows, key=lambda r: r["pmid"]), sorted(works)))
        coauthors = orcid_graph.query("coauthors", author=f"https://orcid.org/{orcid}", limit=1000)
        own = {n for _, names in works for n in names} - set(coauthors.column("name"))
        assert len(own) >= 1  # the author's own name is not among the co-authors ...
        assert set(coauthors.column("name")) <= {n for _, names in works for n in names}  # ... the others are


def test_limit_applies_inside_a_ranking_subquery():
    query = CATALOGUE["journal-articles"]
    text = bind(query, {"journal": "issn:0021-8898", "limit": "5", "offset": "10"},
                lambda kind, value: [URIRef("https://kg.example.org/br/journal/issn/0021-8898")])
    prepareQuery(text)
    assert "LIMIT 5 OFFSET 10" in text and text.count("LIMIT") == 1 and not text.rstrip().endswith("OFFSET 10")


def test_a_string_parameter_can_take_one_of_a_few_words():
    from kg.queries import parse_header

    text = ("# name: q\n# title: Q\n# param: mode  string  default include  one of include|exclude  (what to count)\n"
            "# columns: n\nSELECT ?n WHERE { VALUES ?mode {} }\n")
    query = parse_header(text, source="q.rq")
    assert query.params[0].choices == ("include", "exclude") and query.params[0].doc == "what to count"
    assert '"exclude"' in bind(query, {"mode": "exclude"}, lambda kind, value: [])
    assert '"include"' in bind(query, {}, lambda kind, value: [])
    with pytest.raises(QueryError, match="'mode' takes one of include, exclude"):
        bind(query, {"mode": "Exclude"}, lambda kind, value: [])
    with pytest.raises(QueryError, match="one of"):
        parse_header(text.replace("default include", "default both"), source="q.rq")


def test_an_integer_parameter_can_take_one_of_a_few_numbers():
    from kg.queries import parse_header

    text = ("# name: q\n# title: Q\n# param: depth  integer  default 1  one of 1|2  (how far)\n"
            "# columns: n\nSELECT ?n WHERE { VALUES ?depth {} }\n")
    query = parse_header(text, source="q.rq")
    assert query.params[0].choices == ("1", "2")
    number = '"{}"^^<http://www.w3.org/2001/XMLSchema#integer>'
    assert f"VALUES ?depth {{ {number.format(2)} }}" in bind(query, {"depth": "2"}, lambda kind, value: [])
    assert f"VALUES ?depth {{ {number.format(1)} }}" in bind(query, {}, lambda kind, value: [])
    for bad in ("3", "0", "-1", "two"):
        with pytest.raises(QueryError, match="'depth'"):
            bind(query, {"depth": bad}, lambda kind, value: [])
    with pytest.raises(QueryError, match="one of"):
        parse_header(text.replace("one of 1|2", "one of 1|two"), source="q.rq")


def test_alternatives_take_exactly_one_and_the_others_match_nothing():
    from kg.queries import parse_header

    text = ("# name: q\n# title: Q\n# param: article  identifier  alternative  (an article)\n"
            "# param: author  author  alternative\n# columns: x\n"
            "SELECT ?x WHERE { { VALUES ?article {} BIND(?article AS ?x) } UNION { VALUES ?author {} BIND(?author AS ?x) } }\n")
    query = parse_header(text, source="q.rq")
    assert [p.alternative for p in query.params] == [True, True] and query.params[0].doc == "an article"
    node = URIRef("https://kg.example.org/ra/orcid/0000-0002-6207-094X")
    bound = bind(query, {"author": "orcid:0000-0002-6207-094X"}, lambda kind, value: [node])
    assert "VALUES ?author { <https://kg.example.org/ra/orcid/0000-0002-6207-094X> }" in bound
    assert [str(r[0]) for r in pyoxigraph.Store().query(bound)] == [f"<{node}>"]  # the article branch: no rows
    with pytest.raises(QueryError, match="takes exactly one of article, author, got none"):
        bind(query, {}, lambda kind, value: [node])
    with pytest.raises(QueryError, match="takes exactly one of article, author, got article, author"):
        bind(query, {"article": "pmid:1", "author": "Corsi F"}, lambda kind, value: [node])
    with pytest.raises(QueryError, match="alternative, it takes no default"):
        parse_header(text.replace("author  author  alternative", "author  author  alternative  default x"),
                     source="q.rq")
