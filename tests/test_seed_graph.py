"""The seed article page, end to end: what the graph holds after `load`, read back through queries and SPARQL."""

from pathlib import Path

import pytest

from kg.mapping.terms import XSD_DATE

CITED = "pmid:21933757"
# Read off the seed page by eye: PMID, PMCID, DOI, title, journal, year, volume, issue, pages, authors in order.
CITING = [
    ("40003994", "PMC11855589", "10.3390/ijms26041528",
     "The PACT Network: PRL, ARL, CNNM, and TRPM Proteins in Magnesium Transport and Disease.",
     "Int J Mol Sci", "26", "4", None, None, ["Jolly J", "Blackburn J"]),
    ("39922926", "PMC11807168", "10.1038/s41598-025-89506-y",
     "Association between magnesium depletion score and prostate cancer.",
     "Sci Rep", "15", "1", "4801", None, ["Gong H", "Lin X", "Huang S"]),
    ("39917195", "PMC11798518", "10.1107/s1600576724011750",
     "Microcalcifications in breast cancer tissue studied by X-ray absorption, emission, scattering and diffraction.",
     "J Appl Crystallogr", "58", "Pt 1", "233", "250",
     ["Huthwelker T", "Borca C", "Altamura D", "De Caro L", "Vanna R", "Corsi F"]),
    ("39911389", "PMC11794523", "10.3389/fimmu.2025.1519841",
     "Tumor cells escape immunosurveillance by hampering LFA-1.",
     "Front Immunol", "16", None, "1519841", None, ["Upadhyay S", "Murugu L", "Svensson L"]),
    ("39820949", None, "10.1007/s10534-024-00660-8",
     "Zinc, copper, copper-to-zinc ratio, and other biometals in blood serum and tumor tissue of patients with "
     "colorectal cancer.", "Biometals", None, None, None, None,
     ["Skalny A", "Kushlinskii N", "Korobeinikova T", "Alferov A", "Kuzmin Y", "Kochkina S"]),
]


@pytest.fixture(scope="module")
def page_graph(tmp_path_factory, seed_page: Path):
    from kg import KnowledgeGraph

    with KnowledgeGraph(tmp_path_factory.mktemp("page") / "store") as kg:
        report = kg.load(seed_page)
        assert report.sources[0].format == "article-page"
        yield kg


def _abstract_from_page(seed_page: Path) -> str:
    lines = seed_page.read_text(encoding="utf-8").splitlines()
    start, end = lines.index("Abstract"), lines.index("Citing Articles")
    return " ".join(line.strip() for line in lines[start + 1:end] if line.strip())


def test_page_article(page_graph, seed_page):
    [row] = page_graph.query("article-metadata", article=CITED).dicts()
    assert row["title"] == "Magnesium and Cancer: a Dangerous Liason"
    assert row["journal_abbreviation"] == "Magnes Res"
    assert row["pmid"] == "21933757"
    assert row["declared_citation_count"] == 53
    assert row["citation_count"] == 5
    [[pub_date]] = page_graph.sparql(
        "SELECT ?d WHERE { ?a <http://purl.org/spar/fabio/hasPubMedId> '21933757' ; "
        "<http://prismstandard.org/namespaces/basic/2.0/publicationDate> ?d }").rows
    assert str(pub_date) == "2011-09-22" and str(pub_date.datatype) == XSD_DATE
    [[abstract]] = page_graph.sparql(
        "SELECT ?x WHERE { ?a <http://purl.org/spar/fabio/hasPubMedId> '21933757' ; "
        "<http://purl.org/dc/terms/abstract> ?x }").rows
    assert str(abstract) == _abstract_from_page(seed_page)
    assert page_graph.query("article-authors", article=CITED).rows == []


def test_declared_count_is_a_c4o_count_not_links(page_graph):
    [[value, count_type]] = page_graph.sparql(
        "PREFIX c4o: <http://purl.org/spar/c4o/> SELECT ?v ?t WHERE { ?a c4o:hasGlobalCitationFrequency ?c . "
        "?c a ?t ; c4o:hasGlobalCountValue ?v ; c4o:hasGlobalCountSource ?src }").rows
    assert int(value) == 53 and str(count_type) == "http://purl.org/spar/c4o/GlobalCitationCount"
    [[links]] = page_graph.sparql("SELECT (COUNT(*) AS ?n) WHERE { ?x <http://purl.org/spar/cito/cites> ?y }").rows
    assert int(links) == 5


@pytest.mark.parametrize("expected", CITING, ids=[c[0] for c in CITING])
def test_citing_article(page_graph, expected):
    pmid, pmcid, doi, title, journal, volume, issue, first, last, authors = expected
    [row] = page_graph.query("article-metadata", article=f"pmid:{pmid}").dicts()
    assert (row["pmid"], row.get("pmcid"), row["doi"], row["title"]) == (pmid, pmcid, doi, title)
    assert row["journal_abbreviation"] == journal
    assert str(row["pub_date"]) == "2025"
    assert (row.get("volume"), row.get("issue"), row.get("start_page"), row.get("end_page")) == \
        (volume, issue, first, last)
    assert row["reference_count"] == 1
    names = page_graph.query("article-authors", article=f"pmid:{pmid}").column("name")
    assert names == authors
    assert "Soon will be listed here." not in names


def test_five_citations_to_the_page_article(page_graph):
    citing = page_graph.query("citing-articles", article=CITED).column("pmid")
    assert sorted(citing) == sorted(c[0] for c in CITING)
    rows = page_graph.sparql(
        "PREFIX cito: <http://purl.org/spar/cito/> SELECT ?ci ?date ?span WHERE { ?ci a cito:Citation ; "
        "cito:hasCitingEntity ?a ; cito:hasCitedEntity ?b ; cito:hasCitationCreationDate ?date ; "
        "cito:hasCitationTimeSpan ?span }").rows
    assert len(rows) == 5
    assert {(str(d), str(s)) for _, d, s in rows} == {("2025", "P14Y")}


def test_placeholder_is_never_data(page_graph):
    [[n]] = page_graph.sparql("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(isLiteral(?o) && "
                              "CONTAINS(LCASE(STR(?o)), 'soon will be listed')) }").rows
    assert int(n) == 0


def test_loading_twice_changes_nothing(graph, seed_page):
    graph.load(seed_page)
    before = set(graph.sparql("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }").rows)
    report = graph.load(seed_page)
    assert report.sources[0].status == "unchanged"
    after = set(graph.sparql("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }").rows)
    assert before == after and len(before) > 300


def test_changed_source_replaces_its_statements(graph, seed_page, tmp_path):
    page = tmp_path / "page.txt"
    text = seed_page.read_text(encoding="utf-8")
    page.write_text(text, encoding="utf-8")
    graph.load(page)
    cut = text.index("Zinc, copper")
    page.write_text(text[:cut], encoding="utf-8")  # the last citing entry is gone
    report = graph.load(page)
    assert report.sources[0].status == "loaded"
    assert len(graph.query("citing-articles", article=CITED)) == 4
    assert graph.query("resolve-identifier", article="pmid:39820949").rows == []


def test_page_then_pubmed_record_fill_one_node(seed_graph):
    nodes = {r["article"] for r in seed_graph.query("resolve-identifier", article="pmid:39917195").dicts()}
    by_doi = {r["article"] for r in seed_graph.query("resolve-identifier", article="doi:10.1107/S1600576724011750")
              .dicts()}
    assert len(nodes) == 1 and nodes == by_doi
    [row] = seed_graph.query("article-metadata", article="pmid:39917195").dicts()
    assert row["journal"] == "Journal of applied crystallography"
    assert row["issn"] == "0021-8898" and row["type"] == "JournalArticle"
    summary = {r["metric"]: r["value"] for r in seed_graph.query("dataset-summary").dicts()}
    assert summary["articles"] == 6 and summary["journals"] == 6 and summary["sources"] == 2
    names = seed_graph.query("article-authors", article="pmid:39917195").column("name")
    assert names[:6] == CITING[2][-1] and len(names) == 7


def test_reference_without_identifier_is_kept_as_text_only(seed_graph):
    rows = seed_graph.sparql(
        "PREFIX biro: <http://purl.org/spar/biro/> PREFIX c4o: <http://purl.org/spar/c4o/> "
        "SELECT ?text ?cited WHERE { ?be a biro:BibliographicReference ; c4o:hasContent ?text "
        "OPTIONAL { ?be biro:references ?cited } } ORDER BY ?text").rows
    assert [(str(t), c is not None) for t, c in rows] == [
        ("A reference known only by its text.", False),
        ("Magnesium and cancer: a dangerous liason. Magnes Res. 2011.", True)]
