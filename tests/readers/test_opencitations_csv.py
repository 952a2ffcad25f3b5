"""kg.readers.opencitations_csv against the real OpenCitations CSV files in ../shared/data/opencitations_csv.

Expected numbers come from the stdlib csv module counting rows over the same text, from a regex over the id column,
or are read literally from the files by eye (the raw line is quoted in a comment next to each check).
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from pathlib import Path

import pytest

from kg.errors import ReaderError
from kg.readers import open_input, opencitations_csv
from kg.records import Article, Author, Citation, Identifier, Journal, Pages, PartialDate, Scheme, Skipped

FOLDER = "opencitations_csv"  # the real files: the folder fixture (conftest.py) is shared/data/FOLDER
PROV = "oc_index__citations_prov.csv"
OCC = "pmparser__open_citation_collection.csv"

# file → (records, of which Skipped); the README's "rows=" column gives the same totals
EXPECTED = {
    "oc_index__citations_data_coci.csv": (6, 0),
    "oc_index__croci_citations.csv": (13, 0),
    "oc_index__crossref_citations.csv": (40, 0),
    "oc_index__doci_citations.csv": (10, 0),
    "oc_meta__endgame_input_0.csv": (1001, 0),
    "oc_meta__endgame_input_13.csv": (1001, 0),
    "oc_meta__endgame_input_5.csv": (1002, 0),
    "oc_meta__example_citations.csv": (11, 0),
    "oc_meta__example_metadata.csv": (13, 2),
    "oc_meta__testcase_06_data.csv": (24, 24),
}


def _csv_rows(path: Path) -> list[dict[str, str]]:
    """The data rows as the stdlib csv module sees them (blank lines left out)."""
    return [row for row in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""))]


def _doi(value: str) -> Identifier:
    return Identifier(Scheme.DOI, value)


def _by_id(records: list, record_id: str):
    return next(r for r in records if r.record_id == record_id or r.record_id.startswith(record_id + " "))


# --- every real file --------------------------------------------------------------------------------------------

def test_the_folder_holds_the_files_this_test_knows(folder: Path) -> None:
    assert sorted(p.name for p in folder.iterdir()) == sorted([*EXPECTED, PROV])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_row_of_every_real_file_gives_one_record(folder: Path, name: str, read) -> None:
    records = read(folder / name, opencitations_csv)
    rows = _csv_rows(folder / name)
    assert len(records) == len(rows) == EXPECTED[name][0]
    assert sum(isinstance(r, Skipped) for r in records) == EXPECTED[name][1]
    kind = Article if "id" in rows[0] else Citation
    assert all(isinstance(r, (kind, Skipped)) for r in records)
    assert [r.record_id.split(" (")[0] for r in records] == [f"row {n}" for n in range(1, len(rows) + 1)]


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if n.startswith("oc_meta__") and "citations" not in n))
def test_meta_rows_are_skipped_exactly_when_their_id_has_no_doi_pmid_or_pmcid(folder: Path, name: str, read) -> None:
    """Counted independently: a regex for ``doi:``/``pmid:``/``pmcid:`` tokens in the id cell."""
    rows = _csv_rows(folder / name)
    lacking = {n for n, row in enumerate(rows, 1) if not re.search(r"(?:^|\s)(?:doi|pmid|pmcid):\S", row["id"])}
    records = read(folder / name, opencitations_csv)
    skipped = {int(r.record_id.split()[1]): r for r in records if isinstance(r, Skipped)}
    assert set(skipped) == lacking
    for number, record in skipped.items():
        raw = rows[number - 1]["id"]
        # the id cell is empty, or holds only OpenCitations' own ids (omid:br/...)
        assert raw == "" or re.fullmatch(r"omid:br/\d+", raw)
        expected = ("no PMID, PMCID or DOI: the id column is empty" if raw == ""
                    else f"no PMID, PMCID or DOI in the id column, only {raw!r}")
        assert record.reason == expected
        assert record.line == number + 1  # one line per row, after the header


def test_the_skipped_rows_of_example_metadata_are_the_two_without_an_id(folder: Path, read) -> None:
    records = read(folder / "oc_meta__example_metadata.csv", opencitations_csv)
    # line 6: ,"Spatial Distribution of Ion Current Around HVDC Bundle Conductors",...
    # line 13: ,"Space-charge effects in high-density plasmas","Morrow, R",...
    assert [r for r in records if isinstance(r, Skipped)] == [
        Skipped("row 5", "no PMID, PMCID or DOI: the id column is empty", 6),
        Skipped("row 12", "no PMID, PMCID or DOI: the id column is empty", 13)]


def test_testcase_06_has_only_omid_rows_and_all_are_skipped(folder: Path, read) -> None:
    records = read(folder / "oc_meta__testcase_06_data.csv", opencitations_csv)
    # line 2: "omid:br/0601","Title1","Surname1, Name1 [viaf:111 omid:ra/0601]","1995",...
    assert records[0] == Skipped("row 1", "no PMID, PMCID or DOI in the id column, only 'omid:br/0601'", 2)
    assert records[-1] == Skipped("row 24", "no PMID, PMCID or DOI in the id column, only 'omid:br/06024'", 25)


def test_the_provenance_file_is_refused_with_the_columns_expected(folder: Path) -> None:
    """citations_prov.csv holds provenance of the citations in citations_data_coci.csv (which agent created each
    OCI, when, from which Crossref record), not citations or metadata: it is no input for this reader."""
    path = folder / PROV
    stream, head = open_input(path)
    assert not opencitations_csv.sniff(head)
    with pytest.raises(ReaderError) as caught:
        list(opencitations_csv.read(stream, str(path)))
    error = caught.value
    assert error.source == str(path) and error.line == 1
    assert "oci,snapshot,agent,source,created,invalidated,description,update" in error.message
    assert "id,title,author,pub_date,venue,volume,issue,page,type,publisher,editor" in error.message
    assert "oci,citing,cited,creation,timespan,journal_sc,author_sc" in error.message
    assert str(error).startswith(f"{path}:1: ")


def test_sniff_claims_exactly_the_opencitations_files(shared: Path) -> None:
    """Over every file in shared/data: the OpenCitations CSVs but the provenance file, nothing from another folder.
    The NIH Open Citation Collection file (``citing,referenced``) is left to its own folder's format."""
    claimed = set()
    for path in sorted((shared / "data").glob("*/*")):
        stream, head = open_input(path)
        stream.close()
        if opencitations_csv.sniff(head):
            claimed.add(f"{path.parent.name}/{path.name}")
    assert claimed == {f"opencitations_csv/{name}" for name in EXPECTED}


# --- OpenCitations Meta rows, field by field --------------------------------------------------------------------

def test_meta_journal_article_with_orcids(folder: Path, read) -> None:
    # line 4: "doi:10.1177/00236772221128127","Virtual Reality in Biomedical Education in the sense of the 3Rs",
    # "Lemos, Martin [orcid:0000-0002-0788-2400]; Bell, Laura; ...; Tolba, R. [orcid:0000-0002-0383-3994];
    # Bleilevens, Christian; Steitz, Julia [orcid:0000-0001-7088-1972]","2022-10-11",
    # "Laboratory Animals [issn:0023-6772 issn:1758-1117]","57","2","160-169","journal article","SAGE ...",""
    article = read(folder / "oc_meta__endgame_input_13.csv", opencitations_csv)[2]
    assert article.record_id == "row 3 (doi:10.1177/00236772221128127)"
    assert article.identifiers == (_doi("10.1177/00236772221128127"),)
    assert article.title == "Virtual Reality in Biomedical Education in the sense of the 3Rs"
    assert article.date == PartialDate(2022, 10, 11)
    assert article.journal == Journal(title="Laboratory Animals", issn_print="0023-6772", issn_electronic="1758-1117")
    assert (article.volume, article.issue, article.pages) == ("57", "2", Pages("160", "169"))
    assert article.publication_types == ("journal article",)
    assert article.complete is True
    assert article.authors == (
        Author(family="Lemos", given="Martin", orcid="0000-0002-0788-2400"),
        Author(family="Bell", given="Laura"), Author(family="Deutsch", given="Susanne"),
        Author(family="Zieglowski", given="Leonie"), Author(family="Ernst", given="Lisa"),
        Author(family="Fink", given="Daniel"), Author(family="Tolba", given="R.", initials="R", orcid="0000-0002-0383-3994"),
        Author(family="Bleilevens", given="Christian"),
        Author(family="Steitz", given="Julia", orcid="0000-0001-7088-1972"))


def test_meta_monograph_keeps_the_doi_and_ignores_isbns(folder: Path, read) -> None:
    # line 5: "doi:10.1075/z.241 isbn:9789027212634 isbn:9789027212627 isbn:9789027257307","Introduction to
    # Healthcare for Turkish-speaking Interpreters and Translators","Crezee, Ineke H.M. [orcid:0000-0001-6354-1136];
    # Eser, Oktay [orcid:0000-0003-0483-5825]; Karakaş, Fatih","2022-10-13","","","","","monograph",...
    records = read(folder / "oc_meta__endgame_input_0.csv", opencitations_csv)
    article = records[3]
    assert article.identifiers == (_doi("10.1075/z.241"),)
    assert article.title == "Introduction to Healthcare for Turkish-speaking Interpreters and Translators"
    assert article.date == PartialDate(2022, 10, 13)
    assert (article.journal, article.volume, article.issue, article.pages) == (None, None, None, None)
    assert article.publication_types == ("monograph",)
    assert article.authors == (Author(family="Crezee", given="Ineke H.M.", orcid="0000-0001-6354-1136"),
                               Author(family="Eser", given="Oktay", orcid="0000-0003-0483-5825"),
                               Author(family="Karakaş", given="Fatih"))
    # line 4: ...,"Epidemic Cities","Carbone, Antonio","2022-9-30",... (month and day without a leading zero)
    assert records[2].date == PartialDate(2022, 9, 30)
    # line 10: ...,"Poverty and Shared Prosperity 2022: Correcting Course","World Bank","2021-10-6",...
    assert records[8].authors == (Author(name="World Bank"),)
    assert records[8].date == PartialDate(2021, 10, 6)


def test_meta_book_chapters_have_no_journal_and_odd_page_text_is_kept_whole(folder: Path, read) -> None:
    records = read(folder / "oc_meta__endgame_input_0.csv", opencitations_csv)
    # line 773: "doi:10.1063/9780735421721_017","Lev D. Landau. ...","Kastrup, Helge [orcid:...]; Mallow, ...",
    # "2022-9-27","Einstein's Elevator and Other Marvels [isbn:...]","","","17-1-17-4","book chapter",...
    chapter = _by_id(records, "row 772")
    assert chapter.identifiers == (_doi("10.1063/9780735421721_017"),)
    assert chapter.journal is None
    assert chapter.pages == Pages(first="17-1-17-4")  # chapter 17, pages 1 to 4: not one range, not split
    assert chapter.publication_types == ("book chapter",)
    # line 871: "doi:10.1596/978-1-4648-1811-0_es","Executive Summary","","2022-9-30",...,"xiii-xxiv",...
    # (authors empty, editors given: editors are not authors)
    summary = _by_id(records, "row 870")
    assert summary.authors == ()
    assert summary.pages == Pages("xiii", "xxiv")
    assert all(r.journal is None for r in records)  # every venue in this file is a book with ISBNs


def test_meta_dates_at_their_precision_and_titles_with_collapsed_spaces(folder: Path, read) -> None:
    records = read(folder / "oc_meta__endgame_input_13.csv", opencitations_csv)
    # line 104: "doi:10.1162/leon_a_02277","The Fermentation Process Through the Prism of Abstract
    # <20 spaces>Art","Kolodzei, Natalia; Kolodzei, Tatiana","2022","Leonardo [issn:0024-094X issn:1530-9282]",...
    article = records[102]
    assert article.identifiers == (_doi("10.1162/leon_a_02277"),)
    assert article.title == "The Fermentation Process Through the Prism of Abstract Art"
    assert article.date == PartialDate(2022)
    assert article.journal == Journal(title="Leonardo", issn_print="0024-094X", issn_electronic="1530-9282")
    # independently: the precision of every pub_date equals the number of its parts
    rows = _csv_rows(folder / "oc_meta__endgame_input_13.csv")
    for row, record in zip(rows, records):
        parts = [int(p) for p in row["pub_date"].split("-")]
        assert (record.date.year, record.date.month, record.date.day) == tuple(parts + [None] * (3 - len(parts)))


def test_meta_collective_and_family_only_authors(folder: Path, read) -> None:
    records = read(folder / "oc_meta__example_metadata.csv", opencitations_csv)
    # line 4: "doi:10.1109/20.877674","An investigation of FEM-FCT method for streamer corona simulation",
    # "Woong-Gee Min, ; Hyeong-Seok Kim, ; Seok-Hyun Lee, ; Song-Yop Hahn, ","2000-07",
    # "IEEE Transactions on Magnetics [issn:0018-9464]","36","4","1280-1284","journal article",...
    article = records[2]
    assert article.authors == tuple(Author(family=n) for n in
                                    ("Woong-Gee Min", "Hyeong-Seok Kim", "Seok-Hyun Lee", "Song-Yop Hahn"))
    assert article.date == PartialDate(2000, 7)
    assert article.journal == Journal(title="IEEE Transactions on Magnetics", issn_print="0018-9464")
    # line 2: "doi:10.1007/978-3-662-07918-8_3",...,"Ushakov, Vasily Y.","2004",
    # "Insulation of High-Voltage Equipment [isbn:9783642058530 isbn:9783662079188]",,,"27-82","book chapter",...
    chapter = records[0]
    assert (chapter.date, chapter.journal, chapter.volume, chapter.pages) == (
        PartialDate(2004), None, None, Pages("27", "82"))
    # line 8: "doi:10.1088/0022-3727/13/1/002",...,"Sato, N","1980-01-14",...
    assert records[6].date == PartialDate(1980, 1, 14)
    assert records[6].authors == (Author(family="Sato", given="N", initials="N"),)  # a given name of initials only
    # endgame 13, line 8: ...; Fiorito, Graziano; COST Action FA1301","2022...
    cost = read(folder / "oc_meta__endgame_input_13.csv", opencitations_csv)[6]
    assert cost.authors[-2:] == (Author(family="Fiorito", given="Graziano"), Author(name="COST Action FA1301"))


def test_every_orcid_in_the_meta_files_is_kept_on_its_author(folder: Path, read) -> None:
    """Counted independently: ``orcid:`` occurrences in the author cells (all of them validate)."""
    for name in ("oc_meta__endgame_input_0.csv", "oc_meta__endgame_input_13.csv", "oc_meta__endgame_input_5.csv"):
        rows = _csv_rows(folder / name)
        records = read(folder / name, opencitations_csv)
        for row, record in zip(rows, records):
            assert [a.orcid for a in record.authors if a.orcid] == re.findall(r"orcid:([\dX-]{19})", row["author"])
            assert len(record.authors) == len([p for p in row["author"].split(";") if p.strip()])


# --- citation rows ----------------------------------------------------------------------------------------------

def test_coci_rows_with_oci(folder: Path, read) -> None:
    records = read(folder / "oc_index__citations_data_coci.csv", opencitations_csv)
    # line 2: "0200100030836...","10.1038/sj.cdd.4401289","10.1096/fj.00-0336fje","2003-10-24","P2Y9M","no","no"
    assert records[0] == Citation(
        citing=(_doi("10.1038/sj.cdd.4401289"),), cited=(_doi("10.1096/fj.00-0336fje"),),
        creation=PartialDate(2003, 10, 24), timespan="P2Y9M",
        author_self_citation=False, journal_self_citation=False, record_id="row 1")
    # line 3: "...","10.1002/jrs.5400","10.1002/jrs.5302","2018-06","P0Y6M","yes","yes"
    assert (records[1].creation, records[1].timespan) == (PartialDate(2018, 6), "P0Y6M")
    assert (records[1].journal_self_citation, records[1].author_self_citation) == (True, True)
    # line 4: "...","10.1002/jrs.5400","10.1039/c6ra26307k","2018-06","P1Y","no","yes"
    assert (records[2].journal_self_citation, records[2].author_self_citation) == (False, True)
    # line 6: "...","10.1002/pola.10301","10.1109/cmpeur.1989.93443","2002-06-21","","no","no"
    assert (records[4].creation, records[4].timespan) == (PartialDate(2002, 6, 21), None)
    # line 7: "...","10.1130/2015.2513(00)","10.1134/s1028334x09040217","","","no","no"
    assert records[5].citing == (_doi("10.1130/2015.2513(00)"),)
    assert (records[5].creation, records[5].timespan) == (None, None)


def test_croci_rows_without_oci_and_unquoted(folder: Path, read) -> None:
    records = read(folder / "oc_index__croci_citations.csv", opencitations_csv)
    # line 7: 10.1002/asi.20755,10.2307/2529310,2008-01-15,P30Y10M14D,no,no
    assert records[5] == Citation(
        citing=(_doi("10.1002/asi.20755"),), cited=(_doi("10.2307/2529310"),),
        creation=PartialDate(2008, 1, 15), timespan="P30Y10M14D",
        author_self_citation=False, journal_self_citation=False, record_id="row 6")


def test_crossref_rows_with_empty_flags_leave_them_unknown(folder: Path, read) -> None:
    records = read(folder / "oc_index__crossref_citations.csv", opencitations_csv)
    # line 20: "10.1108/jd-12-2013-0166","10.1002/(sici)1097-4571(198909)40:5<342::aid-asi7>3.0.co;2-u","","","",""
    assert records[18] == Citation(
        citing=(_doi("10.1108/jd-12-2013-0166"),),
        cited=(_doi("10.1002/(sici)1097-4571(198909)40:5<342::aid-asi7>3.0.co;2-u"),), record_id="row 19")
    assert all(r.journal_self_citation is None and r.author_self_citation is None for r in records)
    # line 41: "10.7717/peerj.4375","10.1002/leap.1021","","","",""
    assert (records[-1].citing, records[-1].cited) == ((_doi("10.7717/peerj.4375"),), (_doi("10.1002/leap.1021"),))


def test_meta_citation_rows_carry_both_dates(folder: Path, read) -> None:
    records = read(folder / "oc_meta__example_citations.csv", opencitations_csv)
    # line 2: "doi:10.24113/ijohmn.v7i4.235","2021-09-28","doi:10.1080/21674736.2018.1567066",""
    assert records[0] == Citation(
        citing=(_doi("10.24113/ijohmn.v7i4.235"),), cited=(_doi("10.1080/21674736.2018.1567066"),),
        citing_date=PartialDate(2021, 9, 28), record_id="row 1")
    # line 4: "doi:10.24113/ijohmn.v7i4.235","2021-09-28","doi:10.24113/ijohmn.v7i4.235","" — the source states a
    # work citing itself; the reader passes on what the source says
    assert records[2].citing == records[2].cited == (_doi("10.24113/ijohmn.v7i4.235"),)


def test_nih_open_citation_collection_pairs_are_read_when_asked_for(shared: Path, read) -> None:
    """``citing,referenced`` (PMIDs) lives in its own folder, so sniff leaves it alone, but read() takes it."""
    path = shared / "data" / "nih_icite_csv" / OCC
    records = read(path, opencitations_csv)
    rows = _csv_rows(path)
    assert len(records) == len(rows) == 100
    assert all(isinstance(r, Citation) for r in records)
    # line 2: 20793277,20794789
    assert records[0] == Citation(citing=(Identifier(Scheme.PMID, "20793277"),),
                                  cited=(Identifier(Scheme.PMID, "20794789"),), record_id="row 1")
    # line 101: 17806502,17844321
    assert (records[-1].citing[0].value, records[-1].cited[0].value) == ("17806502", "17844321")
    assert [(r.citing[0].value, r.cited[0].value) for r in records] == [(x["citing"], x["referenced"]) for x in rows]


# --- small inputs -----------------------------------------------------------------------------------------------

META_HEADER = b'"id","title","author","pub_date","venue","volume","issue","page","type","publisher","editor"\n'
INDEX_HEADER = b"oci,citing,cited,creation,timespan,journal_sc,author_sc\n"


def test_sniff_tolerates_a_bom_quotes_spaces_and_crlf() -> None:
    assert opencitations_csv.sniff(b"\xef\xbb\xbf" + META_HEADER)
    assert opencitations_csv.sniff(b'"citing" , "cited"\r\n10.1000/a,10.1000/b\r\n')
    assert opencitations_csv.sniff(INDEX_HEADER.upper())
    assert opencitations_csv.sniff(b"citing_id,citing_publication_date,cited_id,cited_publication_date")
    assert not opencitations_csv.sniff(b"citing,referenced\n1,2\n")
    assert not opencitations_csv.sniff(b"id,title\n")
    assert not opencitations_csv.sniff(b"")
    assert not opencitations_csv.sniff(b'"pmid","doi","title","authors","year"\n')
    assert not opencitations_csv.sniff(b"\x1f\x8b\x08\x00binary")


def test_a_bom_crlf_and_a_multiline_title_keep_line_numbers_right(read) -> None:
    data = (b"\xef\xbb\xbf" + META_HEADER.replace(b"\n", b"\r\n")
            + b'"doi:10.1000/a","Two\r\nlines","X, Y","2020","","","","","journal article","",""\r\n'
            + b'"omid:br/1","t\r\n\r\nt","","2020","","","","","","",""\r\n'
            + b'"doi:10.1000/c","t","","2020","","","","",""\r\n'
            + b'"doi:10.1000/d","t","","2020","LNCS [issn:0302-9743]","","","","proceedings article","",""\r\n')
    records = read(data, opencitations_csv)
    assert records[0].title == "Two lines"
    assert records[0].journal is None  # a journal article without a venue
    assert records[1] == Skipped("row 2", "no PMID, PMCID or DOI in the id column, only 'omid:br/1'", 4)
    assert records[2] == Skipped(
        "row 3", "9 fields, expected 11 (id,title,author,pub_date,venue,volume,issue,page,type,publisher,editor)", 7)
    assert records[3].journal == Journal(title="LNCS", issn_print="0302-9743")  # a serial with an ISSN


def test_identifier_lists_keep_doi_pmid_pmcid_and_drop_invalid_ones(read) -> None:
    data = META_HEADER + (
        b'"omid:br/0601 doi:10.1000/X pmid:123 pmcid:PMC9 isbn:9781 wikidata:Q1 doi:10.1000/x","t",'
        b'"Org Name [omid:ra/1]; Fam, Giv [orcid:0000-0002-0788-2401 orcid:0000-0002-0788-2400]; Bad, Orcid '
        b'[orcid:0000-0000-0000-0000]","2021-13-40","V [issn:1234-5678 issn:0023-6772]","1","2","e12",'
        b'"journal article","",""\n'
        b'"doi:not-a-doi pmid:0123","t","","2020","","","","","","",""\n')
    article, skipped = read(data, opencitations_csv)
    assert article.identifiers == (_doi("10.1000/x"), Identifier(Scheme.PMID, "123"), Identifier(Scheme.PMCID, "PMC9"))
    assert article.record_id == "row 1 (doi:10.1000/x)"
    assert article.authors == (Author(name="Org Name"), Author(family="Fam", given="Giv", orcid="0000-0002-0788-2400"),
                               Author(family="Bad", given="Orcid"))
    assert article.date == PartialDate(2021)  # month 13 is impossible: the year alone, nothing invented
    assert article.journal == Journal(title="V", issn_print="0023-6772")  # 1234-5678 fails its check digit
    assert article.pages == Pages(first="e12")
    assert skipped == Skipped(
        "row 2", "no valid PMID, PMCID or DOI in the id column: 'doi:not-a-doi pmid:0123' does not validate", 3)


@pytest.mark.parametrize(("text", "date"), [("2020-02-30", PartialDate(2020, 2)), ("2020-1", PartialDate(2020, 1)),
                                            ("0000", None), ("2020/01/05", None), ("", None),
                                            (" 2019-05-13 ", PartialDate(2019, 5, 13))])
def test_dates(text: str, date: PartialDate | None) -> None:
    assert opencitations_csv.parse_date(text) == date


@pytest.mark.parametrize(("text", "span"), [("P1Y2M3D", "P1Y2M3D"), ("-P2M", "-P2M"), ("P0D", "P0D"),
                                            ("PT5H", "PT5H"), ("P", None), ("PT", None), ("P1Y2", None),
                                            ("5 years", None), ("", None), ("P1.5Y", None)])
def test_timespans(text: str, span: str | None) -> None:
    assert opencitations_csv.parse_timespan(text) == span


def test_citation_ends_with_lists_prefixes_and_missing_identifiers(read) -> None:
    data = INDEX_HEADER + (
        b'x,"omid:br/061 doi:10.1000/A pmid:42","pmcid:PMC7 https://doi.org/10.2000/B",2019,-P2M,YES,maybe\n'
        b'y,omid:br/062,10.1000/b,2019,,,\n'
        b'z,10.1000/a,"omid:br/063 isbn:123",2019,,,\n'
        b"w,10.1000/a,10.1000/b\n"
        b"\n")
    first, no_citing, no_cited, short = read(data, opencitations_csv)
    assert first == Citation(citing=(_doi("10.1000/a"), Identifier(Scheme.PMID, "42")),
                             cited=(Identifier(Scheme.PMCID, "PMC7"), _doi("10.2000/b")),
                             creation=PartialDate(2019), timespan="-P2M", journal_self_citation=True,
                             author_self_citation=None, record_id="row 1")
    assert no_citing == Skipped("row 2", "no PMID, PMCID or DOI in the citing column, only 'omid:br/062'", 3)
    assert no_cited == Skipped("row 3", "no PMID, PMCID or DOI in the cited column, only 'omid:br/063 isbn:123'", 4)
    assert short.reason.startswith("3 fields, expected 7") and short.line == 5


def test_plain_pairs_with_prefixes(read) -> None:
    records = read(b"citing,cited\ndoi:10.1000/a,pmid:5\n", opencitations_csv)
    assert records == [Citation(citing=(_doi("10.1000/a"),), cited=(Identifier(Scheme.PMID, "5"),), record_id="row 1")]


def test_gzipped_input_through_open_input(tmp_path: Path) -> None:
    path = tmp_path / "c.csv.gz"
    path.write_bytes(gzip.compress(b"citing,cited\n10.1000/a,10.1000/b\n"))
    stream, head = open_input(path)
    assert opencitations_csv.sniff(head)
    assert [r.cited for r in opencitations_csv.read(stream, str(path))] == [(_doi("10.1000/b"),)]


def test_unreadable_files_raise_reader_errors_with_the_line(read) -> None:
    with pytest.raises(ReaderError) as empty:
        read(b"", opencitations_csv, name="e.csv")
    assert (empty.value.source, empty.value.line) == ("e.csv", 1)
    with pytest.raises(ReaderError) as header:
        read(b"a,b\n1,2\n", opencitations_csv, name="h.csv")
    assert header.value.line == 1 and "'a,b'" in header.value.message
    latin1 = b"citing,cited\n10.1000/a,10.1000/b\n10.1000/c,10.1000/caf\xe9\n"
    records = []
    with pytest.raises(ReaderError) as encoding:
        records.extend(opencitations_csv.read(io.BytesIO(latin1), "l.csv"))
    assert (encoding.value.line, encoding.value.message) == (3, "not UTF-8 text (byte 0xe9)")
    assert len(records) == 1  # the rows before the bad line were streamed out
    rows = b"".join(b"10.1000/a%d,10.1000/b%d\n" % (n, n * 7919 % 100_003) for n in range(20_000))
    stream, _ = open_input("t.csv.gz", raw=io.BytesIO(gzip.compress(b"citing,cited\n" + rows)[:-2000]))
    records.clear()
    with pytest.raises(ReaderError) as truncated:
        records.extend(opencitations_csv.read(stream, "t.csv.gz"))
    assert "cannot read the input" in truncated.value.message and len(records) > 1000


def test_the_callers_stream_stays_open() -> None:
    stream = io.BytesIO(b"citing,cited\n10.1000/a,10.1000/b\n")
    assert len(list(opencitations_csv.read(stream, "s.csv"))) == 1
    assert not stream.closed
