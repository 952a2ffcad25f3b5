"""kg.readers.medline against the real MEDLINE/.nbib files in ../shared/data/medline_nbib.

Expected values come from an independent regex parse of each file's whole text (``_Block`` below: a multiline
regex per tag, not the reader's line-by-line state machine), from the data README's counts, or are read literally
from the file (quoted in comments).
"""

from __future__ import annotations

import gzip
import io
import re
from pathlib import Path

import pytest

from kg.errors import ReaderError
from kg.readers import medline, open_input
from kg.records import Article, Author, Identifier, Journal, Pages, PartialDate, Scheme, Skipped

# records(PMID-) per file, from ../shared/data/README.md section 2
README_COUNTS = {
    "biopython__pubmed_result1.txt": 1,
    "biopython__pubmed_result2.txt": 4,
    "biopython__pubmed_result3.txt": 1,
    "metaknowledge__medline_test.medline": 175,
    "nbib__pmc_medlars.txt": 5,
    "nbib__single.nbib": 1,
    "synthesisr__PubMed_example.txt": 3,
}
FOLDER = "medline_nbib"  # the real files: the folder fixture (conftest.py) is shared/data/FOLDER
METAKNOWLEDGE = "metaknowledge__medline_test.medline"


# --- helpers --------------------------------------------------------------------------------------------------------

def _article(read, path: Path, pmid: str) -> Article:
    return next(r for r in read(path, medline) if isinstance(r, Article) and r.identifier(Scheme.PMID) == pmid)


class _Block:
    """One record of the file, parsed by regex over its text: ``TAG - value`` plus 6-space continuation lines."""

    def __init__(self, text: str) -> None:
        self.text = text

    def all(self, tag: str) -> list[str]:
        pattern = rf"^{re.escape(tag.ljust(4))}- ?(.*(?:\n {{6}}.*)*)"
        return [" ".join(v.split()) for v in re.findall(pattern, self.text, re.MULTILINE)]

    def one(self, tag: str) -> str | None:
        values = self.all(tag)
        return values[0] if values else None


def _blocks(path: Path) -> list[_Block]:
    text = path.read_text(encoding="utf-8")
    return [_Block(b) for b in re.split(r"\n[ \t]*\n", text.strip("\n")) if b.strip()]


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file())


# --- sniffing ---------------------------------------------------------------------------------------------------

def test_sniff_claims_every_medline_file_and_no_other(shared: Path) -> None:
    mine, others = [], []
    for path in sorted(p for p in (shared / "data").rglob("*") if p.is_file()):
        _, head = open_input(path)
        (mine if path.parent.name == "medline_nbib" else others).append((path.name, medline.sniff(head)))
    assert len(mine) == 7 and all(claimed for _, claimed in mine), mine
    assert len(others) > 50
    assert [name for name, claimed in others if claimed] == []


@pytest.mark.parametrize("head, expected", [
    (b"PMID- 21933757\nOWN - NLM\n", True),
    (b"\xef\xbb\xbf\r\n\r\nPMC - PMC6055010\r\nPMID- 30042925\r\n", True),  # BOM, CRLF, PMC export
    (b"Search results\nItems: 1\n\nPMID- 12230038\nOWN - NLM\nSTAT- MEDLINE\n", True),  # a preamble line
    (b"Results\n\nPMID- 12230038\nTI  - A title\n", True),
    (b"TY  - JOUR\nAU  - Smith, J\nER  - \n", False),  # RIS has the same "XX  - " shape
    (b"Notes\nPMID- 12230038 was cited\n", False),
    (b"<?xml version='1.0'?><PubmedArticleSet>", False),
    (b"", False),
])
def test_sniff_small_heads(head: bytes, expected: bool) -> None:
    assert medline.sniff(head) is expected


# --- every real file: counts and an independent parse of every record --------------------------------------------

def test_readme_counts_match_the_folder(folder: Path) -> None:
    assert sorted(p.name for p in _files(folder)) == sorted(README_COUNTS)
    for path in _files(folder):
        assert len(re.findall(r"^PMID- ", path.read_text(encoding="utf-8"), re.MULTILINE)) == README_COUNTS[path.name]


@pytest.mark.parametrize("name", sorted(README_COUNTS))
def test_every_record_loads_and_matches_an_independent_parse(folder: Path, name: str, read) -> None:
    path = folder / name
    records = read(path, medline)
    blocks = _blocks(path)
    assert len(records) == len(blocks) == README_COUNTS[name]
    assert [r for r in records if isinstance(r, Skipped)] == []  # no record of these files lacks an identifier
    for article, block in zip(records, blocks):
        assert article.identifier(Scheme.PMID) == block.one("PMID")
        assert article.identifier(Scheme.PMCID) == block.one("PMC")
        dois = {m.lower() for m in re.findall(r"^(?:AID|LID) - (\S+) \[doi\]$", block.text, re.MULTILINE)}
        assert {i.value for i in article.identifiers if i.scheme is Scheme.DOI} == dois
        assert article.title == block.one("TI")
        assert article.date is not None and article.date.year == int(block.one("DP")[:4])
        assert article.publication_types == tuple(block.all("PT"))
        assert article.volume == block.one("VI") and article.issue == block.one("IP")
        assert article.journal.title == block.one("JT") and article.journal.nlm_abbreviation == block.one("TA")
        expected_authors = [(tag, value) for tag, value in re.findall(r"^(FAU|CN) +- (.*)$", block.text, re.MULTILINE)]
        # "FAU - Shaffer, Arthur L 3rd": the suffix is part of the name, not of the given name
        assert [("CN", a.name) if a.name else ("FAU", f"{a.family}, {a.given}" + (f" {a.suffix}" if a.suffix else ""))
                for a in article.authors] == expected_authors
        # "AU  - Shaffer AL 3rd", "AU  - Rider SD Jr": the initials come before a suffix
        au = [re.fullmatch(r".* ([A-Z]+)(?: (Jr|Sr|\d+(?:st|nd|rd|th)))?", v).groups() for v in block.all("AU")]
        assert [(a.initials, a.suffix) for a in article.authors if not a.name] == au
        assert sum(len(a.affiliations) for a in article.authors) == len(block.all("AD"))
        orcids = re.findall(r"^AUID- ORCID: (?:http://orcid\.org/)?(\S+)$", block.text, re.MULTILINE)
        assert [a.orcid for a in article.authors if a.orcid] == orcids


def test_totals_match_the_readme(folder: Path, read) -> None:
    """README: metaknowledge has AU=1275, AUID_ORCID=1, PMC-=18, doi_AID/LID=302 (lines, not distinct DOIs)."""
    articles = read(folder / METAKNOWLEDGE, medline)
    assert sum(1 for a in articles for au in a.authors if not au.name) == 1275
    assert sum(1 for a in articles for au in a.authors if au.orcid) == 1
    assert sum(1 for a in articles if a.identifier(Scheme.PMCID)) == 18
    assert sum(1 for a in articles for au in a.authors if au.name) == 10  # ten CN lines


# --- field by field, values read from the files -------------------------------------------------------------------

def test_single_nbib_field_by_field(folder: Path, read) -> None:
    article = _article(read, folder / "nbib__single.nbib", "28754806")
    assert article.identifiers == (Identifier(Scheme.PMID, "28754806"),
                                   Identifier(Scheme.PII, "neurintsurg-2017-013179"),  # AID - ... [pii]
                                   Identifier(Scheme.DOI, "10.1136/neurintsurg-2017-013179"))
    assert article.title == ("Impact of balloon guide catheter on technical and clinical outcomes: a systematic "
                             "review and meta-analysis.")
    assert article.abstract == ("BACKGROUND AND PURPOSE: Flow arrest with balloon guide catheters (BGCs) is becoming "
                                "increasingly recognized as critical to optimizing patient outcomes for mechanical "
                                "thrombectomy. And I could go on...")
    assert article.date == PartialDate(2018, 4)  # DP  - 2018 Apr
    assert article.journal == Journal(title="Journal of neurointerventional surgery",
                                      nlm_abbreviation="J Neurointerv Surg", issn_electronic="1759-8486",
                                      issn_linking="1759-8478", nlm_id="101517079")
    assert (article.volume, article.issue, article.pages) == ("10", "4", Pages("335", "339"))
    assert article.publication_types == ("Journal Article", "Meta-Analysis", "Review", "Systematic Review")
    assert article.languages == ("eng",)
    assert article.record_id == "PMID 28754806" and article.complete
    toronto = "Department of Neuroradiology, Toronto Western Hospital, University of Toronto, Toronto, Ontario, Canada."
    assert article.authors == (
        Author(family="Brinjikji", given="Waleed", initials="W", affiliations=(
            "Department of Radiology, Mayo Clinic, Rochester, Minnesota, USA.",
            "Department of Neurosurgery, Mayo Clinic, Rochester, Minnesota, USA.",
            toronto)),
        Author(family="Pereira", given="Vitor M", initials="VM", affiliations=(toronto,)),
        Author(family="Kallmes", given="David F", initials="DF", affiliations=(
            "Department of Radiology, Mayo Clinic, Rochester, Minnesota, USA.",
            "Department of Neurosurgery, Mayo Clinic, Rochester, Minnesota, USA.")),
    )


def test_old_format_affiliation_before_the_authors_goes_to_the_first(folder: Path, read) -> None:
    # biopython result2: "AD  - Bioinformatics, Institute of ... j.a.casbon@qmul.ac.uk" comes before "FAU - Casbon"
    article = _article(read, folder / "biopython__pubmed_result2.txt", "16403221")
    assert article.identifier(Scheme.PMCID) == "PMC1373603"  # "PMC - PMC1373603" late in the record
    assert article.date == PartialDate(2006)  # DP  - 2006
    assert article.pages == Pages("10")  # PG  - 10
    assert article.journal.issn_electronic == "1471-2105" and article.journal.issn_print is None
    first, second, third = article.authors
    assert first.affiliations == ("Bioinformatics, Institute of Cell and Molecular Science, School of Medicine and "
                                  "Dentistry, Queen Mary, University of London, London EC1 6BQ, UK. "
                                  "j.a.casbon@qmul.ac.uk",)
    assert second.affiliations == () and third.affiliations == ()
    assert (third.family, third.given, third.initials) == ("Saqi", "Mansoor A S", "MA")  # AU  - Saqi MA


def test_full_date_and_expanded_pages(folder: Path, read) -> None:
    article = _article(read, folder / "biopython__pubmed_result2.txt", "16377612")
    assert article.date == PartialDate(2006, 3, 1)  # DP  - 2006 Mar 1
    assert article.pages == Pages("616", "617")  # PG  - 616-7
    assert article.journal.issn_print == "1367-4803"
    assert _article(read, folder / "biopython__pubmed_result2.txt", "14630660").pages == Pages("2308", "2310")
    assert _article(read, folder / "biopython__pubmed_result3.txt", "23039619").pages == Pages("5795", "5813")


def test_pmc_export(folder: Path, read) -> None:
    path = folder / "nbib__pmc_medlars.txt"
    methods = _article(read, path, "30042925")
    assert methods.identifier(Scheme.PMCID) == "PMC6055010"
    assert methods.abstract is None  # "AB  - " is empty; "OAB - Publisher: Abstract available..." is not taken
    assert methods.pages == Pages("283", "298")
    assert methods.authors[0].affiliations == (
        "Department of Physiology I (Neurophysiology), Tokyo Women\u2019s Medical University, Tokyo, Japan",)
    eating = _article(read, path, "30123504")
    assert eating.pages == Pages("18")  # no PG; "LID - 18" is the article number
    assert eating.identifier(Scheme.DOI) == "10.1186/s40337-018-0207-1"
    assert eating.identifier(Scheme.PII) == "207"
    assert eating.authors[0].orcid == "0000-0001-6664-9126"  # AUID- ORCID: 0000-0001-6664-9126
    assert [a.orcid for a in eating.authors[1:]] == [None, None]
    editorial = _article(read, path, "20230352")
    assert editorial.date == PartialDate(2010, 3, 15)  # DP  - 2010 Mar 15 (DEP - 201003 not needed)
    assert editorial.identifiers == (Identifier(Scheme.PMID, "20230352"), Identifier(Scheme.PMCID, "PMC3935517"))
    assert (editorial.journal.issn_print, editorial.journal.issn_electronic) == ("0025-729X", "1326-5377")
    assert editorial.publication_types == ("Journal Article", "Comment")


def test_synthesisr_records(folder: Path, read) -> None:
    path = folder / "synthesisr__PubMed_example.txt"
    peerj = _article(read, path, "29967742")
    assert peerj.pages == Pages("e5082")  # PG  - e5082
    assert peerj.identifier(Scheme.PMCID) == "PMC6022731"
    assert peerj.journal.issn_print == peerj.journal.issn_electronic == peerj.journal.issn_linking == "2167-8359"
    assert peerj.date == PartialDate(2018)
    wildflower = _article(read, path, "30868313")
    assert wildflower.authors[0].orcid == "0000-0002-5930-8785"
    assert wildflower.authors[4].family == "Uyttenbroeck" and len(wildflower.authors[4].affiliations) == 2
    assert wildflower.authors[5].given == "Grégory"
    riparian = _article(read, path, "28441597")
    assert riparian.date == PartialDate(2017, 11, 15)
    assert riparian.identifiers == (Identifier(Scheme.PMID, "28441597"),
                                    Identifier(Scheme.PII, "S0048-9697(17)30912-9"),
                                    Identifier(Scheme.DOI, "10.1016/j.scitotenv.2017.04.075"))


def test_metaknowledge_special_records(folder: Path, read) -> None:
    articles = {a.identifier(Scheme.PMID): a for a in read(folder / METAKNOWLEDGE, medline)}
    urinary = articles["26516810"]  # "FAU - Nolen, Tracy L", "AU  - Nolen TL", "CN  - Pelvic Floor Disorders Network"
    assert urinary.authors[-2].family == "Nolen"
    assert urinary.authors[-1] == Author(name="Pelvic Floor Disorders Network")
    assert urinary.date == PartialDate(2016, 1)  # DP  - 2016 Jan-Feb
    fibrosis = articles["26400998"]  # ten authors, a CN, then 23 IR/FIR investigators who are not authors
    assert len(fibrosis.authors) == 11 and fibrosis.authors[-1].name == "Canadian Co-infection Cohort Study"
    assert "Wong" not in {a.family for a in fibrosis.authors}
    lecture = articles["26433648"]  # AUID- ORCID: http://orcid.org/0000-0001-9778-1920
    assert lecture.authors[0].orcid == "0000-0001-9778-1920"
    copd = articles["26788838"]  # LA  - ENG, PT  - JOURNAL ARTICLE
    assert copd.languages == ("eng",) and copd.publication_types == ("JOURNAL ARTICLE",)
    assert copd.authors[5] == Author(family="In 't Veen", given="Johannes C C M", initials="JC", affiliations=(
        "e Department of Pulmonology , Sint Franciscus Gasthuis , Rotterdam , The Netherlands.",))
    assert copd.pages == Pages("1", "8") and copd.date == PartialDate(2016, 1, 20)
    aging = articles["26014477"]  # TI in brackets (a translation), TT the German original; LA  - ger
    assert aging.title == ("[Aging Brain Care Program from Indianapolis : Transferability to the German healthcare "
                           "system].")
    assert aging.languages == ("ger",)
    blood = articles["26747248"]  # no PG; "LID - blood-2015-07-655647 [pii]" is an identifier, not a page
    assert blood.pages is None and blood.identifier(Scheme.PII) == "blood-2015-07-655647"
    assert articles["26789514"].pages == Pages("suppl 13", "suppl 18")  # PG  - suppl 13-8


def test_the_last_metaknowledge_record_is_cut_off_in_the_source(folder: Path, read) -> None:
    """The file ends mid-title ("...in the\\n      endometriu\\n"): the record loads with what it has."""
    path = folder / METAKNOWLEDGE
    assert path.read_bytes().endswith(b"expression of this gene in the\n      endometriu\n")
    last = read(path, medline)[-1]
    assert last.identifier(Scheme.PMID) == "26153366"
    assert last.title.endswith("with the expression of this gene in the endometriu")
    assert last.date == PartialDate(2016, 1) and last.authors == () and last.languages == ()


def test_dotted_page_range(folder: Path, read) -> None:
    article = _article(read, folder / METAKNOWLEDGE, "26742654")  # PG  - 1.29.1-1.29.14
    assert article.pages == Pages("1.29.1", "1.29.14")


# --- small inputs: skips, errors, edge cases ------------------------------------------------------------------------

RECORD = "PMID- {pmid}\nOWN - NLM\nTI  - Title {pmid}.\nDP  - 2011\n"


def test_record_without_identifiers_is_skipped_and_the_rest_loads(read) -> None:
    nothing = "OWN - NLM\nTI  - No identifier at all.\nAID - 1234 [pii2]\n"
    text = RECORD.format(pmid=1) + "\n" + nothing + "\n" + RECORD.format(pmid=3)
    first, skipped, third = read(text, medline)
    assert first.identifier(Scheme.PMID) == "1" and third.identifier(Scheme.PMID) == "3"
    assert skipped == Skipped("record 2 at line 6", "no PMID, PMCID or DOI", 6)


def test_a_second_pmid_starts_a_record_when_the_blank_line_is_missing(read) -> None:
    first, second = read("PMID- 1\nTI  - One.\nPMC - PMC5\nPMID- 2\nTI  - Two.\n", medline)
    assert first.identifiers == (Identifier(Scheme.PMID, "1"), Identifier(Scheme.PMCID, "PMC5"))
    assert first.title == "One."
    assert (second.identifiers, second.title, second.record_id) == ((Identifier(Scheme.PMID, "2"),), "Two.", "PMID 2")


def test_invalid_pmid_is_dropped_not_fatal(read) -> None:
    with_doi, without = read("PMID- 0123\nAID - 10.1000/X1 [doi]\n\nPMID- abc\nTI  - Nothing else.\n", medline)
    assert with_doi.identifiers == (Identifier(Scheme.DOI, "10.1000/x1"),) and with_doi.record_id == "PMID 0123"
    assert without == Skipped("PMID abc", "PMID 'abc' is invalid and there is no PMCID or DOI", 4)


def test_a_pmcid_or_doi_alone_is_enough(read) -> None:
    pmc, doi = read("PMC - PMC42\nTI  - A.\n\nLID - 10.1000/y [doi]\nTI  - B.\n", medline)
    assert pmc.identifiers == (Identifier(Scheme.PMCID, "PMC42"),) and pmc.record_id == "record 1 at line 1"
    assert doi.identifiers == (Identifier(Scheme.DOI, "10.1000/y"),) and doi.record_id == "record 2 at line 4"


def test_malformed_line_skips_its_record_only(read) -> None:
    text = RECORD.format(pmid=1) + "this line has no tag\n\n" + RECORD.format(pmid=2)
    skipped, second = read(text, medline)
    assert skipped.record_id == "PMID 1" and skipped.line == 5
    assert "malformed line 5" in skipped.reason and "'this line has no tag'" in skipped.reason
    assert second.identifier(Scheme.PMID) == "2"


def test_continuation_without_a_field_is_malformed(read) -> None:
    first, skipped = read(RECORD.format(pmid=1) + "\n      stray continuation\nPMID- 2\n", medline)
    assert first.identifier(Scheme.PMID) == "1"
    assert skipped.record_id == "PMID 2" and skipped.line == 6 and "malformed line 6" in skipped.reason


@pytest.mark.parametrize("text, line", [
    ('{"message": {"DOI": "10.1/x"}}\n', 1),
    ("\n\nThis is a letter, not an export.\nPMID- 1\n", 3),
    ("      indented first line\n", 1),
])
def test_a_file_that_is_not_medline_raises_with_source_and_line(text: str, line: int, read) -> None:
    with pytest.raises(ReaderError) as caught:
        read(text, medline, name="notes.txt")
    assert caught.value.source == "notes.txt" and caught.value.line == line
    assert "not MEDLINE text" in str(caught.value)


def test_truncated_gzip_raises_after_the_records_before_the_break(tmp_path: Path) -> None:
    text = "\n".join(RECORD.format(pmid=n) + "AB  - " + "words " * 200 + "\n" for n in range(1, 400))
    data = gzip.compress(text.encode("utf-8"))
    path = tmp_path / "cut.nbib.gz"
    path.write_bytes(data[: len(data) // 2])
    stream, head = open_input(path)
    assert medline.sniff(head)
    got = []
    with pytest.raises(ReaderError) as caught:
        for record in medline.read(stream, str(path)):
            got.append(record)
    assert caught.value.source == str(path)
    assert len(got) > 10 and all(isinstance(r, Article) for r in got)
    assert [r.identifier(Scheme.PMID) for r in got] == [str(n) for n in range(1, len(got) + 1)]


def test_gzip_crlf_bom_and_latin1(tmp_path: Path) -> None:
    text = "\ufeffPMID- 7\r\nTI  - Caf\u00e9 study\r\nFAU - M\u00fcller, J\u00fcrgen\r\nAU  - M\u00fcller J\r\n\r\n"
    latin = "PMID- 8\nTI  - Caf\u00e9 latin\nFAU - M\u00fcller, J\u00fcrgen\n".encode("latin-1")
    path = tmp_path / "mixed.txt.gz"
    path.write_bytes(gzip.compress(text.encode("utf-8") + latin))
    stream, head = open_input(path)
    assert medline.sniff(head)
    first, second = medline.read(stream, str(path))
    assert first.identifier(Scheme.PMID) == "7" and first.title == "Caf\u00e9 study"
    assert first.authors == (Author(family="M\u00fcller", given="J\u00fcrgen", initials="J"),)
    assert second.title == "Caf\u00e9 latin" and second.authors[0].given == "J\u00fcrgen"


def test_authors_in_order_with_collectives_orcids_and_affiliations(read) -> None:
    text = """PMID- 99
AD  - Old-style affiliation of the first author.
FAU - De Caro, Liberato
AU  - De Caro L
AUID- ORCID: 0000-0002-1825-0097
AD  - Bari, Italy.
AU  - Nolan J
AUID- ORCID: 0000-0002-1825-0098
AD  - Dublin,
      Ireland.
CN  - The Consortium
AD  - Consortium office.
FAU - Aristotle
AU  - Aristotle
AUID- ISNI: 0000 0001 2103 2683
AU  - Moore WE Jr
IR  - Smith J
FIR - Smith, John
AD  - An investigator's affiliation.
FED - Editor, Ed
AD  - An editor's affiliation.
"""
    (article,) = read(text, medline)
    assert article.authors == (
        Author(family="De Caro", given="Liberato", initials="L", orcid="0000-0002-1825-0097",
               affiliations=("Old-style affiliation of the first author.", "Bari, Italy.")),
        Author(family="Nolan", initials="J", affiliations=("Dublin, Ireland.",)),  # invalid ORCID check digit dropped
        Author(name="The Consortium", affiliations=("Consortium office.",)),
        Author(family="Aristotle"),  # FAU without a comma; the AUID is not an ORCID
        Author(family="Moore", initials="WE", suffix="Jr"),
    )


def test_au_right_after_a_fau_gives_only_initials(read) -> None:
    (article,) = read("PMID- 5\nFAU - Aristotle\nAU  - Aristotle\nFAU - Casbon, James A\nAU  - Casbon JA\n", medline)
    assert article.authors == (Author(family="Aristotle"), Author(family="Casbon", given="James A", initials="JA"))


@pytest.mark.parametrize("dp, dep, expected", [
    ("2011 Sep 22", None, PartialDate(2011, 9, 22)),
    ("2011 Sep", None, PartialDate(2011, 9)),
    ("2011", None, PartialDate(2011)),
    ("1998 Dec-1999 Jan", None, PartialDate(1998, 12)),
    ("2011 Spring", None, PartialDate(2011, 4)),  # a season: the first month of its quarter
    ("2011 Winter", "20110105", PartialDate(2011, 1)),  # DP wins over the electronic date, at its own precision
    ("2016 Jan-Feb", None, PartialDate(2016, 1)),
    ("2011 Sep 22-28", None, PartialDate(2011, 9, 22)),
    ("2011 Feb 30", None, PartialDate(2011, 2)),  # no such day: the month is still right
    (None, "20170728", PartialDate(2017, 7, 28)),
    (None, "201003", PartialDate(2010, 3)),
    ("unknown", None, None),
    (None, None, None),
])
def test_dates_at_the_given_precision(dp: str | None, dep: str | None, expected: PartialDate | None, read) -> None:
    text = "PMID- 1\n" + (f"DP  - {dp}\n" if dp else "") + (f"DEP - {dep}\n" if dep else "")
    (article,) = read(text, medline)
    assert article.date == expected


@pytest.mark.parametrize("pg, lid, expected", [
    ("233-50", None, Pages("233", "250")),
    ("e123", None, Pages("e123")),
    ("S92-100", None, Pages("S92", "S100")),
    (None, "e5082", Pages("e5082")),
    (None, "S0048-9697(17)30912-9 [pii]", None),
    (None, None, None),
])
def test_pages(pg: str | None, lid: str | None, expected: Pages | None, read) -> None:
    text = "PMID- 1\n" + (f"PG  - {pg}\n" if pg else "") + (f"LID - {lid}\n" if lid else "")
    (article,) = read(text, medline)
    assert article.pages == expected


def test_journal_issns_placeholders_and_languages(read) -> None:
    text = """PMID- 2
IS  - 0033-2909 (Print)
IS  - 0033-2908 (Electronic)
IS  - 1939-1455
IS  - 1939-1455 (Linking)
TI  - [Not Available].
TT  - Titre original.
AB  - No abstract available.
LA  - ENG
LA  - Fre
JID - 0376653
"""
    (article,) = read(text, medline)
    assert article.journal == Journal(issn_print="0033-2909", issn_linking="1939-1455", nlm_id="0376653")
    assert article.title == "Titre original." and article.abstract is None
    assert article.languages == ("eng", "fre")


def test_no_journal_fields_means_no_journal(read) -> None:
    (article,) = read("PMID- 3\nIS  - 1234-5678 (Print)\n", medline)  # check digit wrong, so nothing is left
    assert article.journal is None


def test_reading_streams(tmp_path: Path) -> None:
    """The first record comes out before most of a large input has been read."""
    text = "\n".join(RECORD.format(pmid=n) + "AB  - " + "x" * 500 + "\n" for n in range(1, 2001))
    data = text.encode("utf-8")

    class Counting(io.RawIOBase):
        def __init__(self) -> None:
            self.inner, self.read_so_far = io.BytesIO(data), 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:
            chunk = self.inner.read(len(buffer))
            buffer[: len(chunk)] = chunk
            self.read_so_far += len(chunk)
            return len(chunk)

    raw = Counting()
    records = medline.read(io.BufferedReader(raw), "big.nbib")
    assert next(records).identifier(Scheme.PMID) == "1"
    assert raw.read_so_far < len(data) // 20
    assert sum(1 for _ in records) == 1999
