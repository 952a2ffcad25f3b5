"""The article-page reader on the seed page and on small pages that exercise its edge cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import ReaderError
from kg.readers import article_page, open_input
from kg.records import Article, Author, Citation, Identifier, Journal, Pages, PartialDate, Scheme, Skipped

PAGE_PMID = Identifier(Scheme.PMID, "21933757")


def _write(tmp_path: Path, text: str, *, crlf: bool = False, bom: bool = False) -> Path:
    data = text.replace("\n", "\r\n") if crlf else text
    path = tmp_path / "page.txt"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data.encode("utf-8"))
    return path


# ------------------------------------------------------------------------------------------- the seed


@pytest.fixture(scope="module")
def seed_records(seed_page: Path, read) -> list:
    return read(seed_page, article_page)


def test_seed_is_sniffed_as_a_page(seed_page: Path) -> None:
    _, head = open_input(seed_page)
    assert article_page.sniff(head) is True


def test_seed_yields_page_then_article_citation_pairs(seed_records: list) -> None:
    kinds = [type(r).__name__ for r in seed_records]
    assert kinds == ["Article"] + ["Article", "Citation"] * 5


def test_seed_page_article(seed_records: list) -> None:
    page = seed_records[0]
    assert page.identifiers == (PAGE_PMID,)
    assert page.title == "Magnesium and Cancer: a Dangerous Liason"
    assert page.journal == Journal(nlm_abbreviation="Magnes Res")
    assert page.date == PartialDate(2011, 9, 22)
    assert page.declared_citation_count == 53
    assert page.authors == ()
    assert page.complete is False
    assert page.record_id == "page PMID 21933757"
    assert (page.volume, page.issue, page.pages) == (None, None, None)


def test_seed_abstract_is_one_whole_paragraph(seed_records: list) -> None:
    abstract = seed_records[0].abstract
    assert abstract.startswith("A complex relationship links magnesium and cancer. The aim of this review")
    assert abstract.endswith("might be helpful in the prevention and treatment of cancer.")
    assert "\n" not in abstract
    assert "Soon will be listed here" not in abstract
    assert "Citing Articles" not in abstract


def _ids(pmid: str, pmcid: str | None, doi: str) -> tuple[Identifier, ...]:
    ids = [Identifier(Scheme.PMID, pmid)]
    if pmcid:
        ids.append(Identifier(Scheme.PMCID, pmcid))
    ids.append(Identifier(Scheme.DOI, doi))
    return tuple(ids)


def _authors(*names: tuple[str, str]) -> tuple[Author, ...]:
    return tuple(Author(family=family, initials=initials) for family, initials in names)


SEED_CITING = [
    Article(
        identifiers=_ids("40003994", "PMC11855589", "10.3390/ijms26041528"),
        title="The PACT Network: PRL, ARL, CNNM, and TRPM Proteins in Magnesium Transport and Disease.",
        date=PartialDate(2025), journal=Journal(nlm_abbreviation="Int J Mol Sci"), volume="26", issue="4",
        authors=_authors(("Jolly", "J"), ("Blackburn", "J")),
        complete=False, record_id="citing entry 1 (PMID 40003994)"),
    Article(
        identifiers=_ids("39922926", "PMC11807168", "10.1038/s41598-025-89506-y"),
        title="Association between magnesium depletion score and prostate cancer.",
        date=PartialDate(2025), journal=Journal(nlm_abbreviation="Sci Rep"), volume="15", issue="1",
        pages=Pages("4801"), authors=_authors(("Gong", "H"), ("Lin", "X"), ("Huang", "S")),
        complete=False, record_id="citing entry 2 (PMID 39922926)"),
    Article(
        identifiers=_ids("39917195", "PMC11798518", "10.1107/s1600576724011750"),
        title="Microcalcifications in breast cancer tissue studied by X-ray absorption, emission, scattering "
              "and diffraction.",
        date=PartialDate(2025), journal=Journal(nlm_abbreviation="J Appl Crystallogr"), volume="58",
        issue="Pt 1", pages=Pages("233", "250"),
        authors=_authors(("Huthwelker", "T"), ("Borca", "C"), ("Altamura", "D"), ("De Caro", "L"),
                         ("Vanna", "R"), ("Corsi", "F")),
        complete=False, record_id="citing entry 3 (PMID 39917195)"),
    Article(
        identifiers=_ids("39911389", "PMC11794523", "10.3389/fimmu.2025.1519841"),
        title="Tumor cells escape immunosurveillance by hampering LFA-1.",
        date=PartialDate(2025), journal=Journal(nlm_abbreviation="Front Immunol"), volume="16",
        pages=Pages("1519841"), authors=_authors(("Upadhyay", "S"), ("Murugu", "L"), ("Svensson", "L")),
        complete=False, record_id="citing entry 4 (PMID 39911389)"),
    Article(
        identifiers=_ids("39820949", None, "10.1007/s10534-024-00660-8"),
        title="Zinc, copper, copper-to-zinc ratio, and other biometals in blood serum and tumor tissue of "
              "patients with colorectal cancer.",
        date=PartialDate(2025), journal=Journal(nlm_abbreviation="Biometals"),
        authors=_authors(("Skalny", "A"), ("Kushlinskii", "N"), ("Korobeinikova", "T"), ("Alferov", "A"),
                         ("Kuzmin", "Y"), ("Kochkina", "S")),
        complete=False, record_id="citing entry 5 (PMID 39820949)"),
]


@pytest.mark.parametrize("index", range(5))
def test_seed_citing_article(seed_records: list, index: int) -> None:
    assert seed_records[1 + 2 * index] == SEED_CITING[index]


def test_seed_citing_pmids_in_page_order(seed_records: list) -> None:
    citing = [r for r in seed_records[1:] if isinstance(r, Article)]
    assert [a.identifier(Scheme.PMID) for a in citing] == ["40003994", "39922926", "39917195", "39911389",
                                                           "39820949"]
    assert citing[-1].identifier(Scheme.PMCID) is None


@pytest.mark.parametrize("index", range(5))
def test_seed_citation(seed_records: list, index: int) -> None:
    citation = seed_records[2 + 2 * index]
    assert isinstance(citation, Citation)
    assert citation.citing == SEED_CITING[index].identifiers
    assert citation.cited == (PAGE_PMID,)
    assert citation.citing_date == PartialDate(2025)
    assert citation.cited_date == PartialDate(2011, 9, 22)
    assert citation.record_id.startswith(f"citing entry {index + 1} (PMID ")


# ------------------------------------------------------------------------------------------ small pages

HEADER = """\
» Articles » PMID: 12345678

A small page

Overview
Journal BMC Cancer
Date 2019 Mar
PMID 12345678
Citations 2
Authors
Affiliations
Soon will be listed here.
Abstract

First paragraph.
"""

ENTRY = """
Citing Articles

A citing article.

Smith J, Van der Berg AB Nature. 2020 Jan 5; 577(7788):1-2.

PMID: 11111111 PMC: PMC222. DOI: 10.1000/ABC.
"""


def test_crlf_and_bom(tmp_path: Path, read) -> None:
    path = _write(tmp_path, HEADER + ENTRY, crlf=True, bom=True)
    _, head = open_input(path)
    assert article_page.sniff(head) is True
    page, citing, citation = read(path, article_page)
    assert page.identifiers == (Identifier(Scheme.PMID, "12345678"),)
    assert page.title == "A small page"
    assert page.date == PartialDate(2019, 3)
    assert page.declared_citation_count == 2
    assert page.abstract == "First paragraph."
    assert citing.title == "A citing article."
    assert citing.identifiers == (Identifier(Scheme.PMID, "11111111"), Identifier(Scheme.PMCID, "PMC222"),
                                  Identifier(Scheme.DOI, "10.1000/abc"))
    assert citing.authors == (Author(family="Smith", initials="J"), Author(family="Van der Berg", initials="AB"))
    assert citing.journal == Journal(nlm_abbreviation="Nature")
    assert (citing.date, citing.volume, citing.issue, citing.pages) == (
        PartialDate(2020, 1, 5), "577", "7788", Pages("1", "2"))
    assert citation.cited_date == PartialDate(2019, 3)
    assert citation.citing_date == PartialDate(2020, 1, 5)


def test_page_without_citing_articles(tmp_path: Path, read) -> None:
    records = read(_write(tmp_path, HEADER), article_page)
    assert len(records) == 1
    assert records[0].abstract == "First paragraph."
    records = read(_write(tmp_path, HEADER + "\nCiting Articles\n\n"), article_page)
    assert [type(r) for r in records] == [Article]


def test_overview_identifiers_year_only_date_and_paragraphs(tmp_path: Path, read) -> None:
    text = HEADER.replace("PMID 12345678\n", "PMID 12345678\nPMC 765\nDOI 10.5555/XYZ.\n").replace(
        "Date 2019 Mar", "Date 2019") + "\nSecond\nparagraph, wrapped.\n\nNot available\n"
    (page,) = read(_write(tmp_path, text), article_page)
    assert page.identifiers == (Identifier(Scheme.PMID, "12345678"), Identifier(Scheme.PMCID, "PMC765"),
                                Identifier(Scheme.DOI, "10.5555/xyz"))
    assert page.date == PartialDate(2019)
    assert page.abstract == "First paragraph.\n\nSecond paragraph, wrapped."


def test_entry_without_identifiers_is_skipped(tmp_path: Path, read) -> None:
    text = HEADER + "\nCiting Articles\n\nNo ids here.\n\nDoe J Lancet. 2021; 1:2.\n\n\n" + ENTRY.split(
        "Citing Articles\n")[1]
    records = read(_write(tmp_path, text), article_page)
    assert [type(r) for r in records] == [Article, Skipped, Article, Citation]
    skipped = records[1]
    assert skipped.record_id == "citing entry 1"
    assert skipped.line == text.splitlines().index("No ids here.") + 1
    assert "PMID" in skipped.reason
    assert records[2].record_id == "citing entry 2 (PMID 11111111)"


def test_invalid_identifier_alone_is_skipped_with_reason(tmp_path: Path, read) -> None:
    text = HEADER + "\nCiting Articles\n\nBad ids.\n\nPMID: 0123 DOI: nope.\n"
    records = read(_write(tmp_path, text), article_page)
    assert isinstance(records[1], Skipped)
    assert "0123" in records[1].reason


def test_unparseable_source_line_keeps_ids_and_title_only(tmp_path: Path, read) -> None:
    text = HEADER + "\nCiting Articles\n\nOdd entry.\n\nsomething without a date\n\nPMID: 22222222\n"
    _, citing, citation = read(_write(tmp_path, text), article_page)
    assert citing == Article(identifiers=(Identifier(Scheme.PMID, "22222222"),), title="Odd entry.",
                             complete=False, record_id="citing entry 1 (PMID 22222222)")
    assert citation.citing_date is None
    assert citation.cited == (Identifier(Scheme.PMID, "12345678"),)


def test_entries_separated_by_single_blank_lines(tmp_path: Path, read) -> None:
    text = HEADER + ("\nCiting Articles\n\nFirst.\n\nA B Cell. 2020; 1.\n\nPMID: 1\n\nSecond.\n\nPMID: 2\n\n"
                     "Third.\n\nC D Gut. 2021; .\n\nPMID: 3\n")
    records = read(_write(tmp_path, text), article_page)
    citing = [r for r in records[1:] if isinstance(r, Article)]
    assert [(a.title, a.identifier(Scheme.PMID)) for a in citing] == [("First.", "1"), ("Second.", "2"),
                                                                      ("Third.", "3")]
    assert citing[1].journal is None and citing[1].authors == ()
    assert citing[2].authors == (Author(family="C", initials="D"),)
    assert citing[2].journal == Journal(nlm_abbreviation="Gut")


def test_author_list_one_per_line(tmp_path: Path, read) -> None:
    text = HEADER.replace("Authors\nAffiliations\n", "Authors\nWolf FI\nDe Caro L\nAffiliations\n")
    (page,) = read(_write(tmp_path, text), article_page)
    assert page.authors == (Author(family="Wolf", initials="FI"), Author(family="De Caro", initials="L"))


def test_author_list_with_numbered_affiliations(tmp_path: Path, read) -> None:
    text = HEADER.replace("Authors\nAffiliations\nSoon will be listed here.\n",
                          "Authors\nWolf FI 1, 2, Maier JA 2, Cancer Genome Consortium\nAffiliations\n"
                          "1 Institute of General Pathology, Rome, Italy.\n2 University of Milan, Italy.\n")
    (page,) = read(_write(tmp_path, text), article_page)
    assert page.authors == (
        Author(family="Wolf", initials="FI",
               affiliations=("Institute of General Pathology, Rome, Italy.", "University of Milan, Italy.")),
        Author(family="Maier", initials="JA", affiliations=("University of Milan, Italy.",)),
        Author(name="Cancer Genome Consortium"),
    )


def test_placeholder_is_never_an_author_or_affiliation(tmp_path: Path, read) -> None:
    text = HEADER.replace("Authors\nAffiliations\n", "Authors\nSoon will be listed here.\nSmith J\n"
                                                     "Affiliations\n")
    (page,) = read(_write(tmp_path, text), article_page)
    assert page.authors == (Author(family="Smith", initials="J"),)  # sole author: no affiliation attached
    text = HEADER.replace("Abstract\n\nFirst paragraph.\n", "Abstract\n\nSoon will be listed here.\n")
    (page,) = read(_write(tmp_path, text), article_page)
    assert page.authors == () and page.abstract is None


def test_page_without_valid_pmid_or_doi_is_an_error(tmp_path: Path, read) -> None:
    text = HEADER.replace("» Articles » PMID: 12345678", "» Articles » PMID: x").replace("PMID 12345678", "PMID 0")
    path = _write(tmp_path, text)
    with pytest.raises(ReaderError) as info:
        read(path, article_page)
    assert info.value.source == str(path)


def test_page_with_doi_only_is_read(tmp_path: Path, read) -> None:
    text = HEADER.replace("» Articles » PMID: 12345678\n", "").replace("PMID 12345678", "DOI 10.1000/Q")
    (page,) = read(_write(tmp_path, text), article_page)
    assert page.identifiers == (Identifier(Scheme.DOI, "10.1000/q"),)
    assert page.record_id == "page DOI 10.1000/q"


def test_sniff_rejects_pubmed_xml_and_medline() -> None:
    xml = (b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet>\n<PubmedArticleSet><PubmedArticle>'
           b"<MedlineCitation><PMID Version=\"1\">123</PMID></MedlineCitation></PubmedArticle>")
    assert article_page.sniff(xml) is False
    assert article_page.sniff(b"PMID- 123\nOWN - NLM\nSTAT- MEDLINE\n") is False
    assert article_page.sniff(b"Overview\nPMID- 123\nCiting Articles\n") is False
    assert article_page.sniff("\ufeff  » Articles » PMID: 1\n".encode()) is True
    assert article_page.sniff(b"A title\n\nOverview\nPMID 5\nAbstract\n\nText.\n\nCiting Articles\n") is True
    assert article_page.sniff(b"A title\n\nOverview\nPMID 5\n") is False


def test_undated_source_line_in_first_entry_of_a_double_spaced_page(tmp_path: Path, read) -> None:
    text = HEADER + ("\nCiting Articles\n\nOdd entry.\n\nno date here\n\nPMID: 22222222\n\n\n"
                     "Next entry.\n\nLee K Gut. 2022; 3(1):e1.\n\nPMID: 33333333\n")
    records = read(_write(tmp_path, text), article_page)
    assert [(type(r).__name__, getattr(r, "title", None)) for r in records[1:]] == [
        ("Article", "Odd entry."), ("Citation", None), ("Article", "Next entry."), ("Citation", None)]
    assert records[1].authors == () and records[1].journal is None and records[1].date is None
    assert (records[3].volume, records[3].issue, records[3].pages) == ("3", "1", Pages("e1"))


def test_block_after_citing_articles_is_not_read_as_citations(tmp_path: Path, read) -> None:
    text = HEADER + ENTRY + "\n\nSimilar Articles\n\nSome other paper.\n\nRoe P Cell. 2001; 2.\n\nPMID: 44444444\n"
    records = read(_write(tmp_path, text), article_page)
    assert [type(r) for r in records] == [Article, Article, Citation]


def test_breadcrumb_and_overview_disagreeing_is_an_error(tmp_path: Path, read) -> None:
    text = HEADER.replace("PMID 12345678", "PMID 87654321")
    with pytest.raises(ReaderError, match="87654321"):
        read(_write(tmp_path, text), article_page)


def test_non_utf8_page_is_an_error_with_its_line(tmp_path: Path, read) -> None:
    path = tmp_path / "latin1.txt"
    text = HEADER.replace("» Articles » PMID", ">> Articles >> PMID").replace("A small page", "Caf\u00e9")
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(ReaderError) as info:
        read(path, article_page)
    assert info.value.line == 3
