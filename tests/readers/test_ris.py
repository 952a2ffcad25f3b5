"""kg.readers.ris against the real RIS exports in ../shared/data/bibtex_ris, and small made-up entries.

Expected counts come from regexes over the raw text (no RIS parser involved) and from the folder's README;
field values are quoted literally from the files (the line they come from is named in a comment).
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from kg.errors import ReaderError
from kg.readers import bibtex, open_input, ris
from kg.records import Article, Author, Identifier, Journal, Pages, PartialDate, Scheme, Skipped

FOLDER = "bibtex_ris"  # the real files: the folder fixture (conftest.py) is shared/data/FOLDER
ASP = "synthesisr__ASP_ris_example.ris"
OVID = "synthesisr__Ovid_ris_example.ris"
SCOPUS_EXAMPLE = "synthesisr__Scopus_ris_example.ris"
DIMENSIONS = "synthesisr__citesource_issue_24.ris"
SCIELO = "synthesisr__scielo.ris"
SCOPUS = "synthesisr__scopus.ris"
# entries (README "RIS_records(TY)") and entries without DOI, PMID or PMCID (counted by eye: README's DO count,
# plus EBSCO's DOIs in L3 lines)
EXPECTED = {ASP: (4, 2), OVID: (4, 1), SCOPUS_EXAMPLE: (3, 0), DIMENSIONS: (17, 0), SCIELO: (38, 9),
            SCOPUS: (92, 10)}


@pytest.fixture(scope="module")
def records(folder: Path, read) -> dict[str, list]:
    return {name: read(folder / name, ris) for name in EXPECTED}


def _entries_by_regex(text: str) -> list[tuple[int, str]]:
    """(line of TY, text up to ER) per entry, by regex alone."""
    found = []
    for match in re.finditer(r"^\ufeff?TY  - .*?^ER  -", text, re.MULTILINE | re.DOTALL):
        found.append((text.count("\n", 0, match.start()) + 1, match.group(0)))
    return found


def _has_identifier(entry: str) -> bool:
    """A DOI in a DO or L3 line or a doi.org link, or a PubMed/PMC link, or a labelled PMID."""
    return bool(re.search(r"^(?:DO|L3)  - \S*10\.\d{4,9}/", entry, re.MULTILINE)
                or re.search(r"doi\.org/10\.\d{4,9}", entry)
                or re.search(r"pubmed\.ncbi\.nlm\.nih\.gov/\d|/pmc/articles/PMC\d|PMID:? ?\d", entry))


# --- sniffing ---------------------------------------------------------------------------------------------------

def test_sniff_claims_every_ris_file_and_nothing_else(shared: Path) -> None:
    files = sorted(p for p in (shared / "data").rglob("*") if p.is_file() and p.name != "README.md")
    assert len(files) > 50
    claimed = set()
    for path in files:
        _, head = open_input(path)
        if ris.sniff(head):
            claimed.add(path.name)
    assert claimed == set(EXPECTED)


def test_sniff_rejects_bibtex_medline_and_blank_input() -> None:
    assert not ris.sniff(b"@article{key,\n  title={TY  - JOUR}\n}\n")
    assert not ris.sniff(b"PMID- 12345678\nOWN - NLM\nTI  - A title\n")
    assert not ris.sniff(b"")
    assert not ris.sniff(b"\n\nAU  - Smith, J.\nTY  - JOUR\n")  # the TY line must come first
    assert ris.sniff(b"\xef\xbb\xbfTY  - JOUR\r\nER  - \r\n")
    assert ris.sniff(b"\n3.\nTY  - BOOK\n")


def test_bibtex_does_not_claim_ris_files(folder: Path) -> None:
    for name in EXPECTED:
        _, head = open_input(folder / name)
        assert not bibtex.sniff(head), name


# --- every real file --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_entry_is_an_article_or_an_explained_skip(folder: Path, records: dict, name: str) -> None:
    text = (folder / name).read_text(encoding="utf-8").replace("\r\n", "\n")
    entries = _entries_by_regex(text)
    total, skipped = EXPECTED[name]
    assert len(entries) == total == len(re.findall(r"^\ufeff?TY  - ", text, re.MULTILINE))
    got = records[name]
    assert len(got) == total
    assert all(isinstance(r, (Article, Skipped)) for r in got)
    lacking = {line for line, entry in entries if not _has_identifier(entry)}
    assert len(lacking) == skipped
    assert {r.line for r in got if isinstance(r, Skipped)} == lacking
    assert all(r.reason == "no PMID, PMCID or DOI" for r in got if isinstance(r, Skipped))
    assert [r.record_id for r in got] == [f"entry {n} (line {line})" for n, (line, _) in enumerate(entries, 1)]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_article_has_its_title_authors_and_year(folder: Path, records: dict, name: str) -> None:
    text = (folder / name).read_text(encoding="utf-8").replace("\r\n", "\n")
    by_line = dict(_entries_by_regex(text))
    for article in (r for r in records[name] if isinstance(r, Article)):
        entry = by_line[int(re.search(r"line (\d+)", article.record_id).group(1))]
        title = re.search(r"^(?:TI|T1)  - (.*)$", entry, re.MULTILINE).group(1)
        assert article.title == " ".join(title.split())
        names = re.findall(r"^(?:AU|A1)  - (.+)$", entry, re.MULTILINE)
        assert len(article.authors) == len(names)
        assert [a.family or a.name for a in article.authors] == [n.split(",")[0].strip() for n in names]
        year = re.search(r"^(?:PY|Y1)  - (\d{4})", entry, re.MULTILINE).group(1)
        assert article.date is not None and article.date.year == int(year)


# --- field by field (values quoted from the files) --------------------------------------------------------------

def test_ovid_first_entry(records: dict) -> None:
    first = records[OVID][0]
    assert first.record_id == "entry 1 (line 2)"  # line 1 is Ovid's "1."
    # DO  - http://dx.doi.org/10.4236/ojf.2020.101008
    assert first.identifiers == (Identifier(Scheme.DOI, "10.4236/ojf.2020.101008"),)
    assert first.title == "Detection of retention trees on clearcuts, a 50-year perspective."
    assert first.date == PartialDate(2020)  # Y1  - 2020//
    # JF/JA  - Open Journal of Forestry (JA repeats the title: no abbreviation); SN  - 2163-0429
    assert first.journal == Journal(title="Open Journal of Forestry", issn_print="2163-0429")
    assert (first.volume, first.issue, first.pages) == ("10", "1", Pages("110", "123"))
    assert first.authors[0] == Author(family="Holmstrom", given="E.", initials="E")
    assert [a.family for a in first.authors] == ["Holmstrom", "Nordstrom", "Lariviere", "Wallin"]
    assert first.abstract.startswith("Changes in clearcut management over time were evaluated")
    assert first.publication_types == ("Journal Article",)
    # M1 (the affiliation) and AD (the publisher's town, "Irvine") are not attached to one of four authors
    assert all(a.affiliations == () for a in first.authors)
    bailes = records[OVID][1].authors[0]  # A1  - Bailes, E. J.
    assert (bailes.family, bailes.given, bailes.initials) == ("Bailes", "E. J.", "EJ")
    assert records[OVID][3] == Skipped("entry 4 (line 104)", "no PMID, PMCID or DOI", 104)


def test_ebsco_doi_in_l3_and_month_precision(records: dict) -> None:
    first = records[ASP][0]
    assert first.identifiers == (Identifier(Scheme.DOI, "10.1016/j.agee.2016.06.041"),)  # L3  - 10.1016/...
    assert first.date == PartialDate(2016, 9)  # Y1  - 2016/09//
    assert first.journal == Journal(title="Agriculture, Ecosystems & Environment", issn_print="0167-8809")
    assert first.authors[0] == Author(family="Rodríguez-Pastor", given="Ruth")
    assert first.authors[1] == Author(family="Luque-Larena", given="Juan José")
    assert first.title.startswith("\u201cLiving on the edge\u201d: The role of field margins")
    assert first.publication_types == ("Journal Article", "Article")  # M3  - Article
    assert first.pages == Pages("206", "217")
    # the fourth entry's T2 is its English title, not the journal (JF is)
    fourth = records[ASP][3]
    assert fourth.journal.title == "Transactions of the Chinese Society of Agricultural Engineering"
    assert fourth.authors[0] == Author(name="朱德泉")  # AU  - 朱德泉: no comma, kept whole
    assert records[ASP][1].record_id == "entry 2 (line 35)" and isinstance(records[ASP][1], Skipped)


def test_scopus_example_first_entry(records: dict) -> None:
    first = records[SCOPUS_EXAMPLE][0]
    assert first.identifier(Scheme.DOI) == "10.1080/20964129.2020.1722034"
    # T2  - Ecosystem Health and Sustainability / J2  - Ecosyst. Health Sustain. / SN  - 20964129 (ISSN)
    assert first.journal == Journal(title="Ecosystem Health and Sustainability",
                                    iso_abbreviation="Ecosyst. Health Sustain.", issn_print="2096-4129")
    assert first.pages == Pages("1722034")  # no SP: C7  - 1722034, the article number
    assert first.date == PartialDate(2020)
    assert first.languages == ("English",)
    assert [(a.family, a.given) for a in first.authors[:2]] == [("Li", "W."), ("Dou", "Z.")]
    assert len(first.authors) == 10
    assert all(a.affiliations == () for a in first.authors)  # three AD lines, ten authors: whose is whose?
    assert first.declared_citation_count is None  # no "Cited By" note in this export


def test_scopus_single_author_gets_the_affiliation_and_the_citation_count(records: dict) -> None:
    hutto = next(r for r in records[SCOPUS] if r.record_id.endswith("(line 1952)"))
    assert hutto.identifiers == (Identifier(Scheme.DOI, "10.1890/08-0895.1"),)
    assert hutto.title == "The ecological importance of severe wildfires: Some like it hot"
    assert hutto.authors == (Author(family="Hutto", given="R.L.", initials="RL", affiliations=(
        "Avian Science Center, Division of Biological Sciences, University of Montana, Missoula, MT 59812, "
        "United States",)),)
    assert hutto.declared_citation_count == 124  # N1  - Cited By :124
    assert (hutto.volume, hutto.issue, hutto.pages) == ("18", "8", Pages("1827", "1834"))
    assert hutto.journal == Journal(title="Ecological Applications")


def test_scopus_chapter_has_no_journal(records: dict) -> None:
    chapter = next(r for r in records[SCOPUS] if r.record_id.endswith("(line 875)"))  # TY  - CHAP
    assert chapter.identifier(Scheme.DOI) == "10.1016/b978-0-12-802749-3.00003-7"
    assert chapter.journal is None  # its T2 is the book
    assert chapter.publication_types == ("CHAP", "Book Chapter")
    assert chapter.declared_citation_count == 8


def test_dimensions_pubmed_and_pmc_links(records: dict) -> None:
    last = records[DIMENSIONS][16]
    assert last.record_id == "entry 17 (line 383)"
    # UR  - https://www.ncbi.nlm.nih.gov/pmc/articles/PMC7756398 / https://pubmed.ncbi.nlm.nih.gov/33245809/
    assert last.identifiers == (Identifier(Scheme.PMID, "33245809"), Identifier(Scheme.PMCID, "PMC7756398"),
                                Identifier(Scheme.DOI, "10.1111/cobi.13623"))
    assert last.date == PartialDate(2020, 11, 27)  # DA  - 2020/11/27
    # SN  - 15231739 and a continuation line 08888892
    assert (last.journal.issn_print, last.journal.issn_electronic) == ("1523-1739", "0888-8892")
    assert last.pages == Pages("1339", "1352")
    assert [a.family for a in last.authors] == ["Wallen", "Landon"]


def test_dimensions_bom_first_entry_and_wos_dates(records: dict) -> None:
    first = records[DIMENSIONS][0]  # the file starts with a BOM
    assert first.record_id == "entry 1 (line 1)"
    assert first.identifier(Scheme.DOI) == "10.1186/s13750-021-00246-8"
    assert first.pages == Pages("37")
    assert first.authors[1] == Author(family="Fernández-Juricic", given="Esteban")
    wos = records[DIMENSIONS][4]  # PY  - 2016, DA  - DEC, SP  - 359-368, SN  - 0956-053X / 1879-2456
    assert wos.date == PartialDate(2016, 12)
    assert wos.pages == Pages("359", "368")
    assert (wos.journal.issn_print, wos.journal.issn_electronic) == ("0956-053X", "1879-2456")
    degrowth = records[DIMENSIONS][5]  # PY  - 2022, DA  - SEP 10, C7  - 132764
    assert degrowth.date == PartialDate(2022, 9, 10)
    assert degrowth.pages == Pages("132764")
    jats = records[DIMENSIONS][15]  # AB  - <jats:title>Abstract</jats:title><jats:sec> ...
    assert "<jats:" not in jats.abstract and jats.abstract.startswith("Abstract Background Several challenges")


def test_scielo_first_entry(records: dict) -> None:
    first = records[SCIELO][0]
    assert first.identifier(Scheme.DOI) == "10.1590/1678-4766e2018021"
    assert first.date == PartialDate(2018, 6, 21)  # DA  - 2018-06-21, PY  - 2018
    assert first.journal == Journal(title="Iheringia. Série Zoologia", iso_abbreviation="Iheringia, Sér. Zool.",
                                    issn_print="0073-4721")
    assert (first.issue, first.pages) == (None, None)  # "IS  - ", "SP  - ", "EP  - " are empty
    assert first.languages == ("en",)
    assert first.authors[2] == Author(family="Efe", given="Márcio A.")


# --- made-up entries --------------------------------------------------------------------------------------------

def _entry(*lines: str, kind: str = "JOUR") -> str:
    return "\n".join((f"TY  - {kind}", *lines, "ER  - ", ""))


def test_dates_at_the_precision_given(read) -> None:
    texts = {"Y1  - 2020///": PartialDate(2020), "PY  - 2020/05/01/": PartialDate(2020, 5, 1),
             "PY  - 2020/02/30": PartialDate(2020, 2), "DA  - 2020 Jun": PartialDate(2020, 6),
             "PY  - 2020\nDA  - 2019-12-01": PartialDate(2020), "PY  - 2021\nDA  - Spring": PartialDate(2021, 4),
             "PY  - forthcoming": None}
    found = read("".join(_entry("DO  - 10.1000/x", line) for line in texts), ris)
    assert [a.date for a in found] == list(texts.values())


def test_identifiers_from_links_notes_and_invalid_ones(read) -> None:
    found = read(_entry("UR  - https://doi.org/10.1002%2Fabc.1", "AN  - 117372971")  # EBSCO accession: no PMID
                 + _entry("DO  - 10.1000/own", "UR  - https://doi.org/10.1000/other")
                 + _entry("N1  - PMID: 31452104; PMCID: PMC6712345")
                 + _entry("DO  - not a doi", "TI  - Nothing valid"), ris)
    assert found[0].identifiers == (Identifier(Scheme.DOI, "10.1002/abc.1"),)
    assert found[1].identifiers == (Identifier(Scheme.DOI, "10.1000/own"),)  # the link is not a second DOI
    assert found[2].identifiers == (Identifier(Scheme.PMID, "31452104"), Identifier(Scheme.PMCID, "PMC6712345"))
    assert found[3] == Skipped("entry 4 (line 12)", "no PMID, PMCID or DOI (DO 'not a doi' is not a DOI)", 12)


def test_authors_suffixes_groups_and_affiliations(read) -> None:
    found = read(_entry("DO  - 10.1000/a", "AU  - Smith, John, Jr.", "AU  - WHO Working Group", "AD  - Somewhere")
                 + _entry("DO  - 10.1000/b", "A1  - Doe, J.", "AD  - Dept A", "AD  - Dept B"), ris)
    assert found[0].authors == (Author(family="Smith", given="John", suffix="Jr."), Author(name="WHO Working Group"))
    assert found[1].authors == (Author(family="Doe", given="J.", initials="J", affiliations=("Dept A", "Dept B")),)


def test_multiline_values_and_types(read) -> None:
    found = read(_entry("DO  - 10.1000/a", "AB  - First half", "second half.", "T2  - Proceedings of X",
                        "SN  - 9781234567897 (ISBN)", kind="CPAPER"), ris)
    assert found[0].abstract == "First half second half."
    assert found[0].journal is None and found[0].publication_types == ("CPAPER",)


def test_entry_without_er_is_skipped_and_the_rest_loads(read) -> None:
    text = _entry("DO  - 10.1000/a") + "TY  - JOUR\nDO  - 10.1000/b\n" + _entry("DO  - 10.1000/c") + "TY  - JOUR\n"
    found = read(text, ris)
    assert [type(r).__name__ for r in found] == ["Article", "Skipped", "Article", "Skipped"]
    assert found[1].record_id == "entry 2 (line 4)" and "no ER line" in found[1].reason
    assert found[2].identifier(Scheme.DOI) == "10.1000/c"
    assert found[3].line == 9


def test_crlf_bom_and_gzip(tmp_path: Path) -> None:
    data = ("\ufeff" + _entry("DO  - 10.1000/a", "TI  - A title ") + _entry("DO  - 10.1000/b")).replace("\n", "\r\n")
    path = tmp_path / "export.ris.gz"
    path.write_bytes(gzip.compress(data.encode("utf-8")))
    stream, head = open_input(path)
    assert ris.sniff(head)
    found = list(ris.read(stream, str(path)))
    assert [a.identifier(Scheme.DOI) for a in found] == ["10.1000/a", "10.1000/b"]
    assert found[0].title == "A title" and found[1].record_id == "entry 2 (line 5)"


def test_unreadable_files_raise(read) -> None:
    with pytest.raises(ReaderError, match="no RIS entry"):
        read("AU  - Smith, J.\nTI  - no type line\n", ris)
    with pytest.raises(ReaderError, match="no RIS entry"):
        read("", ris)
    with pytest.raises(ReaderError, match="not UTF-8") as caught:
        read(b"TY  - JOUR\nDO  - 10.1000/a\nTI  - caf\xe9\nER  - \n", ris)
    assert caught.value.line == 3 and caught.value.source == "test.ris"
