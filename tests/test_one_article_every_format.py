"""One article, every format: real PubMed records, and the same records rendered as MEDLINE, JATS, Crossref JSON
and article pages (tests/formats.py), loaded together, give one node per article with one title, one date, one
author list in order with the same names, the same identifiers and one journal; source-disagreements lists
nothing for them. A deliberate difference (a page dated to the month only) is listed, never merged away."""

import re
from dataclasses import replace
from pathlib import Path

import pytest

import formats
from kg import KnowledgeGraph
from kg.readers import open_input, pubmed_xml
from kg.records import Article, PartialDate, Scheme

SOURCE = "pmparser__pubmed26n1334.xml.gz"
# Two real records: a review with eight authors (accented names, ORCIDs, affiliations) and an article with seven.
PMIDS = ("41583864", "41585660")
FABIO = "http://purl.org/spar/fabio/"


@pytest.fixture(scope="module")
def records(pubmed_dir: Path) -> dict[str, Article]:
    stream, _ = open_input(pubmed_dir / SOURCE)
    found = {r.identifier(Scheme.PMID): r for r in pubmed_xml.read(stream, SOURCE) if isinstance(r, Article)}
    return {pmid: found[pmid] for pmid in PMIDS}


@pytest.fixture(scope="module")
def every_format(tmp_path_factory, pubmed_dir: Path, records):
    folder = tmp_path_factory.mktemp("formats")
    text = open_input(pubmed_dir / SOURCE)[0].read().decode("utf-8")
    chosen = []
    for pmid in PMIDS:  # each record's bytes as the file gives them
        at = re.search(rf"<PMID[^>]*>{pmid}</PMID>", text).start()
        chosen.append(text[text.rindex("<PubmedArticle>", 0, at):text.index("</PubmedArticle>", at)] + "</PubmedArticle>")
    files = {"pubmed.xml": f"<PubmedArticleSet>\n{''.join(chosen)}\n</PubmedArticleSet>\n",
             "export.nbib": formats.medline(list(records.values())),
             "articles.nxml": formats.jats(list(records.values())),
             "works.json": formats.crossref(list(records.values()))}
    files |= {f"page-{pmid}.txt": formats.page(record) for pmid, record in records.items()}
    for name, content in files.items():
        (folder / name).write_text(content, encoding="utf-8")
    with KnowledgeGraph(folder / "store") as kg:
        report = kg.load(sorted(folder.glob("*.*")))
        assert not report.failed and not report.total("skipped"), report.render()
        assert {s.format for s in report.sources} == {"pubmed-xml", "medline", "jats-xml", "crossref-json",
                                                      "article-page"}
        yield kg, folder


def _values(kg: KnowledgeGraph, node: str, predicate: str) -> set[str]:
    return {str(v) for (v,) in kg.sparql(f"SELECT DISTINCT ?v WHERE {{ <{node}> <{predicate}> ?v }}").rows}


def test_one_node_one_title_one_date_the_same_identifiers(every_format, records):
    kg, _ = every_format
    for pmid, record in records.items():
        ids = {str(i) for i in record.identifiers if i.scheme in (Scheme.PMID, Scheme.PMCID, Scheme.DOI)}
        holders = {str(n) for i in ids for (n,) in kg.sparql(
            f"SELECT DISTINCT ?n WHERE {{ ?n ?p '{i.split(':', 1)[1]}' VALUES ?p {{ <{FABIO}hasPubMedId> "
            f"<{FABIO}hasPubMedCentralId> <http://prismstandard.org/namespaces/basic/2.0/doi> }} }}").rows}
        assert holders == {f"https://kg.example.org/br/pmid/{pmid}"}
        node = holders.pop()
        assert _values(kg, node, "http://purl.org/dc/terms/title") == {record.title}
        assert _values(kg, node, "http://prismstandard.org/namespaces/basic/2.0/publicationDate") == \
            {record.date.isoformat()}
        [row] = kg.query("article-metadata", article=f"pmid:{pmid}").dicts()
        assert (row["pmid"], row.get("pmcid"), row["doi"]) == (pmid, record.identifier(Scheme.PMCID),
                                                               record.identifier(Scheme.DOI))
        assert (row["volume"], row["issue"], row["start_page"]) == (record.volume, record.issue, record.pages.first)
        assert row["type"] == ("ReviewArticle" if "Review" in record.publication_types else "JournalArticle")


def test_one_author_list_in_order_with_the_same_names(every_format, records):
    kg, _ = every_format
    for pmid, record in records.items():
        rows = kg.query("article-authors", article=f"pmid:{pmid}").dicts()
        expected = [" ".join(p for p in (a.family, a.initials, a.suffix) if p) for a in record.authors]
        assert [r["position"] for r in rows] == list(range(1, len(record.authors) + 1))
        assert [r["name"] for r in rows] == expected
        assert [r.get("orcid") for r in rows] == [a.orcid for a in record.authors]
        for row, author in zip(rows, record.authors):  # the same texts from every source: one organisation each
            assert set(row.get("affiliation", "").split("; ")) - {""} == set(author.affiliations)
        names = kg.sparql(f"SELECT ?position (COUNT(DISTINCT ?name) AS ?n) WHERE {{ <https://kg.example.org/br/pmid/"
                          f"{pmid}> <http://purl.org/spar/pro/isDocumentContextFor> ?r . ?r <https://w3id.org/"
                          "kg-loader/ns#authorPosition> ?position ; <http://purl.org/spar/pro/isHeldBy>/"
                          "<http://xmlns.com/foaf/0.1/name> ?name } GROUP BY ?position").rows
        assert {int(n) for _, n in names} == {1}  # every source names every author alike


def test_one_journal_and_no_disagreement(every_format, records):
    kg, _ = every_format
    for pmid in records:
        journals = kg.sparql(f"SELECT DISTINCT ?j WHERE {{ <https://kg.example.org/br/pmid/{pmid}> "
                             "<http://purl.org/dc/terms/isPartOf> ?j }").rows
        assert len(journals) == 1
    rows = kg.query("source-disagreements", limit=1000).dicts()
    assert not [r for r in rows if any(r["article"].endswith(f"/pmid/{p}") for p in records)]


def test_a_difference_that_remains_is_listed(tmp_path, every_format, records):
    """A page that dates the first article to the month only: the graph keeps both dates, article-metadata shows
    the most precise, and source-disagreements lists the two values with their sources."""
    kg, folder = every_format
    pmid, record = next(iter(records.items()))
    monthly = replace(record, date=PartialDate(record.date.year, record.date.month))
    page = tmp_path / f"page-{pmid}-monthly.txt"
    page.write_text(formats.page(monthly), encoding="utf-8")
    try:
        assert not kg.load(page).failed
        [row] = kg.query("article-metadata", article=f"pmid:{pmid}").dicts()
        assert str(row["pub_date"]) == record.date.isoformat()
        rows = [r for r in kg.query("source-disagreements", limit=1000).dicts() if r["article"].endswith(pmid)]
        assert {r["value"] for r in rows if r["field"] == "pub_date"} == {record.date.isoformat(),
                                                                     monthly.date.isoformat()}
    finally:
        kg.unload(page)
