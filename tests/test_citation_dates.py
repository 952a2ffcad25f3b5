"""A citation's creation date and time span, as OpenCitations computes them, from whatever sources date its two
articles: they come when the second date does and go when it goes, in the derived graph."""

from pathlib import Path

from kg import KnowledgeGraph

CITO = "http://purl.org/spar/cito/"
# In the 2020 baseline file, 415894 (1978 Feb 15) cites 407653 (1977 May): two records, two files here.
CITING, CITED = "415894", "407653"


def _dates(kg: KnowledgeGraph) -> set[tuple[str, str]]:
    rows = kg.sparql(f"SELECT ?p ?o WHERE {{ ?c <{CITO}hasCitingEntity> ?a ; <{CITO}hasCitedEntity> ?b ; ?p ?o . "
                     f"?a <http://purl.org/spar/fabio/hasPubMedId> '{CITING}' . ?b <http://purl.org/spar/fabio/"
                     f"hasPubMedId> '{CITED}' VALUES ?p {{ <{CITO}hasCitationCreationDate> <{CITO}hasCitationTimeSpan> }} }}")
    return {(str(p).rsplit("/", 1)[1], str(o)) for p, o in rows.rows}


def test_the_dates_follow_the_sources_that_date_the_articles(tmp_path: Path, baseline_records, counts_are_fresh):
    citing = baseline_records(tmp_path / "citing.xml", CITING)
    cited = baseline_records(tmp_path / "cited.xml", CITED)
    with KnowledgeGraph(tmp_path / "store") as kg:
        kg.load(citing)
        assert _dates(kg) == set()  # the cited article is a stub without a date
        counts_are_fresh(kg)
        kg.load(cited)
        [[citing_date]] = kg.sparql(f"SELECT ?d WHERE {{ ?a <http://purl.org/spar/fabio/hasPubMedId> '{CITING}' ; "
                                    "<http://prismstandard.org/namespaces/basic/2.0/publicationDate> ?d }").rows
        assert _dates(kg) == {("hasCitationCreationDate", str(citing_date)), ("hasCitationTimeSpan", "P9M")}  # at the month, which both dates give
        counts_are_fresh(kg)
        kg.unload(cited)
        assert _dates(kg) == set()
        counts_are_fresh(kg)


def test_the_load_report_counts_distinct_citations_and_says_when_a_file_is_empty(tmp_path: Path, baseline_records):
    """A reference list that names one article twice is one citation; an empty PubmedArticleSet is named."""
    record = (Path(__file__).parent / "data" / "pubmed_39917195.xml").read_text(encoding="utf-8")
    twice = record.replace("<Reference><Citation>A reference known only by its text.</Citation></Reference>",
                           "<Reference><Citation>The same, again.</Citation><ArticleIdList><ArticleId IdType=\"pubmed\">"
                           "21933757</ArticleId></ArticleIdList></Reference>")
    assert twice != record
    (tmp_path / "twice.xml").write_text(twice, encoding="utf-8")
    empty = baseline_records(tmp_path / "empty.xml")
    with KnowledgeGraph(tmp_path / "store") as kg:
        report = kg.load([tmp_path / "twice.xml", empty])
        twice_report, empty_report = report.sources
        assert (twice_report.records, twice_report.citations) == (1, 1)
        assert (empty_report.status, empty_report.records) == ("loaded", 0)
        assert empty_report.problems == ["the file holds no record (nothing to load)"]
        assert "empty.xml: pubmed-xml, 0 records read" in report.render()
