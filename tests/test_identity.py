"""One node per real thing: overlapping sources merge into the same nodes whatever the order they come in, and
unloading a source splits what only it held together.

The three sources overlap on PMID 39917195: the seed page lists it among the citing articles (PMID, PMCID and
DOI), its PubMed record (tests/data) gives PMID, PMCID and DOI, and a Crossref record (tests/data, written for these
tests) gives only the DOI, another title, a month-precision date, the journal's two ISSNs and an ORCID.
"""

from itertools import permutations
from pathlib import Path

import pytest

from kg import KnowledgeGraph

DATA = Path(__file__).resolve().parent / "data"
PROV_TIME = "http://www.w3.org/ns/prov#generatedAtTime"
DOI = "10.1107/s1600576724011750"


@pytest.fixture(scope="module")
def sources(seed_page: Path) -> dict[str, Path]:
    return {"page": seed_page, "pubmed": DATA / "pubmed_39917195.xml", "crossref": DATA / "crossref_39917195.json"}


def quads(kg: KnowledgeGraph) -> set[tuple]:
    """Every quad but the load times: what must not depend on the order of loading."""
    return {tuple(map(str, row)) for row in kg.sparql(
        f"SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?p != <{PROV_TIME}>) }}").rows}


def nodes_with(kg: KnowledgeGraph, predicate: str, value: str) -> list[str]:
    return [str(n) for (n,) in kg.sparql(f"SELECT DISTINCT ?n WHERE {{ ?n <{predicate}> '{value}' }}").rows]


def test_any_order_gives_the_same_graph(tmp_path, sources, load_in_order):
    graphs = {}
    for order in permutations(sources):
        with load_in_order(tmp_path / "-".join(order), sources, order) as kg:
            graphs[order] = quads(kg)
            assert nodes_with(kg, "http://prismstandard.org/namespaces/basic/2.0/doi", DOI) == \
                ["https://kg.example.org/br/pmid/39917195"]
    first = next(iter(graphs.values()))
    assert len(first) > 300
    for order, found in graphs.items():
        assert found == first, (order, sorted(found ^ first)[:6])


@pytest.fixture(scope="module")
def merged(tmp_path_factory, sources):
    kg = KnowledgeGraph(tmp_path_factory.mktemp("merged") / "store")
    for path in sources.values():
        kg.load(path)
    yield kg
    kg.close()


def test_the_article_is_one_node_with_every_identifier(merged):
    [row] = merged.query("article-metadata", article=f"doi:{DOI}").dicts()
    assert (row["pmid"], row["doi"]) == ("39917195", DOI)
    assert row["article"] == merged.query("article-metadata", article="pmcid:PMC11798518").dicts()[0]["article"]
    rows = merged.query("citing-articles", article="pmid:21933757", limit=100).dicts()
    assert [r["pmid"] for r in rows].count("39917195") == 1


def test_the_journal_is_one_node_with_both_issns(merged):
    journals = merged.sparql("SELECT DISTINCT ?j WHERE { ?j a <http://purl.org/spar/fabio/Journal> ; "
                             "<http://purl.org/spar/datacite/hasIdentifier> ?i }").rows
    assert [str(j) for (j,) in journals] == ["https://kg.example.org/br/journal/issn/0021-8898"]
    issns = merged.sparql("SELECT DISTINCT ?v WHERE { <https://kg.example.org/br/journal/issn/0021-8898> "
                          "<http://purl.org/spar/datacite/hasIdentifier>/"
                          "<http://www.essepuntato.it/2010/06/literalreification/hasLiteralValue> ?v }").column("v")
    assert sorted(map(str, issns)) == ["0021-8898", "1600-5767"]
    volumes = merged.sparql("SELECT DISTINCT ?v WHERE { ?v a <http://purl.org/spar/fabio/JournalVolume> ; "
                            "<http://purl.org/vocab/frbr/core#partOf> ?j FILTER(CONTAINS(STR(?j), '0021-8898')) }").rows
    assert [str(v) for (v,) in volumes] == ["https://kg.example.org/br/journal/issn/0021-8898/volume/58"]


def test_each_author_appears_once(merged):
    authors = merged.query("article-authors", article="pmid:39917195").dicts()
    assert [a["position"] for a in authors] == list(range(1, 8))
    roles = merged.sparql("SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { <https://kg.example.org/br/pmid/39917195> "
                          "<http://purl.org/spar/pro/isDocumentContextFor> ?r }").rows
    assert int(roles[0][0]) == 7


def test_unloading_the_linking_sources_splits_the_article(tmp_path, sources, counts_are_fresh, load_in_order):
    with load_in_order(tmp_path / "all", sources, tuple(sources)) as kg:
        kg.unload(sources["pubmed"])  # the page still links the DOI to the PMID: still one node
        counts_are_fresh(kg)
        with load_in_order(tmp_path / "two", sources, ("page", "crossref")) as fresh:
            assert quads(kg) == quads(fresh)
        kg.unload(sources["page"])  # no source left says the DOI is PMID 39917195's
        counts_are_fresh(kg)
        assert nodes_with(kg, "http://prismstandard.org/namespaces/basic/2.0/doi", DOI) == \
            [f"https://kg.example.org/br/doi/{DOI.replace('/', '%2F')}"]
        with load_in_order(tmp_path / "one", sources, ("crossref",)) as fresh:
            assert quads(kg) == quads(fresh)


def test_unloading_and_loading_again_gives_the_merged_graph(tmp_path, merged, sources, counts_are_fresh, load_in_order):
    with load_in_order(tmp_path / "again", sources, ("crossref", "pubmed", "page")) as kg:
        kg.unload(sources["crossref"])
        kg.unload(sources["pubmed"])
        counts_are_fresh(kg)
        kg.load(sources["pubmed"])
        kg.load(sources["crossref"])
        counts_are_fresh(kg)
        assert quads(kg) == quads(merged)


# -- one value per field, and the disagreements ------------------------------------------------------------------

RANKING = ["pubmed-xml", "jats-xml", "medline", "crossref-json", "opencitations-csv", "ris", "bibtex", "article-page"]


def _records_of(path: Path, pmid: str, doi: str) -> list:
    """The records a source gives of the article (full or stub), read with kg's readers, no graph involved."""
    from kg.readers import detect, open_input
    from kg.records import Article

    with open(path, "rb") as raw:
        stream, head = open_input(str(path), raw)
        reader = detect(head, str(path))
        found = [r for r in reader.read(stream, str(path)) if isinstance(r, Article)
                 and {str(i) for i in r.identifiers} & {f"pmid:{pmid}", f"doi:{doi}"}]
    return [(reader.NAME, r) for r in found]


def test_one_value_per_field_by_the_documented_rule_and_the_disagreements_listed(merged, sources):
    values: dict[str, dict[str, set[str]]] = {}  # field -> value -> file names
    for path in sources.values():
        for name, record in _records_of(path, "39917195", DOI):
            fields = {"title": record.title, "pub_date": record.date and record.date.isoformat(),
                      "volume": record.volume, "issue": record.issue,
                      "start_page": record.pages and record.pages.first, "end_page": record.pages and record.pages.last}
            for field, value in fields.items():
                if value:
                    values.setdefault(field, {}).setdefault(value, set()).add((name, path.name))
    expected = {(field, value, "; ".join(sorted(p for _, p in found)))
                for field, by_value in values.items() if len(by_value) > 1 for value, found in by_value.items()}
    rows = merged.query("source-disagreements").dicts()
    got = {(r["field"], r["value"], "; ".join(sorted(r["sources"].split("; ")))) for r in rows
           if r["article"].endswith("/pmid/39917195")}
    assert got == expected and {f for f, _, _ in got} >= {"title", "pub_date", "issue"}

    def preferred(field: str) -> str:
        def key(item):
            value, found = item
            precision = -len(value) if field == "pub_date" else 0
            return precision, min(RANKING.index(name) for name, _ in found), value
        return min(values[field].items(), key=key)[0]

    [row] = merged.query("article-metadata", article="pmid:39917195").dicts()
    for field, column in (("title", "title"), ("issue", "issue"), ("volume", "volume"), ("start_page", "start_page")):
        assert row[column] == preferred(field), field
    assert str(row["pub_date"]) == preferred("pub_date") == "2025-02-01"
