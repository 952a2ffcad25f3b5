"""kg.readers.crossref_json against the real Crossref works in ../shared/data/crossref_json.

Expected values come from the stdlib ``json`` module (a whole-file parse, unlike the reader's streaming ``ijson``),
from ``html.parser`` for titles with markup, or are read literally from the files (quoted in comments). Edge cases
are small inputs written to tmp_path, most of them built from a real work.
"""

from __future__ import annotations

import copy
import gzip
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from kg.errors import ReaderError
from kg.readers import crossref_json, open_input
from kg.records import Article, Author, Identifier, Journal, Pages, PartialDate, Reference, Scheme, Skipped

FOLDER = "crossref_json"  # the real files: the folder fixture (conftest.py) is shared/data/FOLDER
DUMP = "oc_ds_converter__crossref_items_0.json.gz"
SMALL_DUMP = "oc_index__crossref_dump.json"
FISH = "oc_ds_converter__40228.json"
QSS = "oc_meta__qss_a_00292.json"
SCIENTOMETRICS = "oc_meta__s11192-022-04367-w.json"
# Works per file, as section 3 of the data README counts them.
COUNTS = {FISH: 11, DUMP: 3000, SMALL_DUMP: 5, QSS: 1, SCIENTOMETRICS: 1}


# --- helpers: reading independently -----------------------------------------------------------------------------------

def _works(raw, path: Path) -> list[dict[str, Any]]:
    """The works of a file by the stdlib json module: a dump's items or a response's message."""
    document = json.loads(raw(path))
    return document["items"] if "items" in document else [document["message"]]


def _by_doi(records: list) -> dict[str, Article]:
    return {r.identifier(Scheme.DOI): r for r in records if isinstance(r, Article)}


def _work(raw, folder: Path, name: str = SCIENTOMETRICS) -> dict[str, Any]:
    """A real work (a fresh copy) to build small inputs from."""
    return copy.deepcopy(_works(raw, folder / name)[0])


def _collapse(text: str | None) -> str | None:
    """Layout whitespace (spaces, tabs, line breaks) collapsed; no-break and thin spaces kept."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip(" ") or None if text is not None else None


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _html_text(text: str) -> str | None:
    """Text without its tags, by the stdlib HTML parser (not the reader's regex)."""
    parser = _TextOnly()
    parser.feed(text)
    parser.close()
    return _collapse("".join(parser.parts))


def _orcid(value: Any) -> str | None:
    """The 16-character ORCID at the end of ``http://orcid.org/0000-...`` (or of a list's first item)."""
    if isinstance(value, list):
        value = value[0] if value else None
    match = re.search(r"(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[0-9X])\s*$", value or "")
    return "-".join(match.groups()) if match else None


def _expected(work: dict[str, Any]) -> dict[str, Any]:
    """What the reader should give, computed from the stdlib json object."""
    issns: dict[str, str] = {}
    for entry in work.get("issn-type", []):
        issns.setdefault(entry["type"], entry["value"])
    page = work.get("page")  # "389-390", "753b", "e4375"; of "7-7, 12" the first range only
    first, _, last = page.split(",")[0].partition("-") if page else (work.get("article-number"), "", "")
    prefix = re.match(r"[A-Za-z]*", first or "").group()
    if prefix and last.isdigit():  # "E1003-1006" runs from page E1003 to page E1006
        last = prefix + last
    authors = work.get("author", [])
    return {
        "doi": work["DOI"].lower(),
        "title": _html_text(work["title"][0]) if work.get("title") else None,
        "journal": _html_text(work["container-title"][0]) if work.get("container-title") else None,
        "abbreviation": _collapse(work["short-container-title"][0]) if work.get("short-container-title") else None,
        "issns": (issns.get("print"), issns.get("electronic")),
        "volume": work.get("volume"), "issue": work.get("issue"),
        "pages": (first, last or None) if first else None,
        "date": PartialDate(*work["issued"]["date-parts"][0]),  # every real work has a full issued date
        "types": [work["type"]],
        "languages": [work["language"]] if "language" in work else [],
        "authors": [(_collapse(a.get("family")), _collapse(a.get("given")), _collapse(a.get("suffix")),
                     _collapse(a.get("name"))) for a in authors],
        "orcids": [_orcid(a.get("ORCID")) for a in authors],
        "affiliations": [[_collapse(f["name"]) for f in a.get("affiliation", [])] for a in authors],
        "reference dois": [r["DOI"].lower() for r in work.get("reference", []) if "DOI" in r],
        "references": len(work.get("reference", [])),
        "cited by": work["is-referenced-by-count"],
    }


def _actual(record: Article) -> dict[str, Any]:
    journal = record.journal or Journal()
    return {
        "doi": record.identifier(Scheme.DOI),
        "title": record.title,
        "journal": journal.title,
        "abbreviation": journal.iso_abbreviation,
        "issns": (journal.issn_print, journal.issn_electronic),
        "volume": record.volume, "issue": record.issue,
        "pages": (record.pages.first, record.pages.last) if record.pages else None,
        "date": record.date,
        "types": list(record.publication_types),
        "languages": list(record.languages),
        "authors": [(a.family, a.given, a.suffix, a.name) for a in record.authors],
        "orcids": [a.orcid for a in record.authors],
        "affiliations": [list(a.affiliations) for a in record.authors],
        "reference dois": [i.value for r in record.references for i in r.identifiers],
        "references": len(record.references),
        "cited by": record.declared_citation_count,
    }


# --- every real file -----------------------------------------------------------------------------------------------

def test_every_file_loads_every_work_and_agrees_with_the_json_module(folder: Path, raw, read) -> None:
    files = sorted(folder.iterdir())
    assert {p.name for p in files} == set(COUNTS)
    for path in files:
        works, records = _works(raw, path), read(path, crossref_json)
        assert len(works) == COUNTS[path.name], path.name
        assert len(records) == len(works), path.name
        assert [type(r) for r in records] == [Article] * len(works), path.name  # no skips in the real data
        for work, record in zip(works, records):
            assert _actual(record) == _expected(work), f"{path.name}: {work['DOI']}"
            assert record.record_id == f"DOI {work['DOI'].lower()}"
            assert record.identifiers == (Identifier(Scheme.DOI, work["DOI"].lower()),)
            assert record.complete


@pytest.mark.parametrize("subfolder", ["bibtex_ris", "crossref_json", "datacite_json", "jats_xml", "medline_nbib",
                                       "nih_icite_csv", "oc_rdf_examples", "opencitations_csv", "pubmed_xml",
                                       "spar_ontologies"])
def test_sniff_claims_every_crossref_file_and_no_other(shared: Path, subfolder: str) -> None:
    files = sorted((shared / "data" / subfolder).iterdir())
    assert files
    for path in files:
        _, head = open_input(path)
        assert crossref_json.sniff(head) is (subfolder == "crossref_json"), path.name


def test_reading_streams_a_dump_one_work_at_a_time(folder: Path, raw) -> None:
    """The first work of the 4.5 MB dump comes out after a few kilobytes are read, not after the whole file."""

    class Counting(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self.inner, self.consumed = io.BytesIO(data), 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:  # type: ignore[override]
            data = self.inner.read(len(buffer))
            buffer[: len(data)] = data
            self.consumed += len(data)
            return len(data)

    data = raw(folder / DUMP)
    assert len(data) > 4_000_000
    counting = Counting(data)
    records = crossref_json.read(io.BufferedReader(counting), DUMP)
    first = next(records)
    assert first.identifier(Scheme.DOI) == _works(raw, folder / DUMP)[0]["DOI"].lower()
    assert counting.consumed < 200_000
    assert sum(1 for _ in records) == 2999


# --- single records, values read from the files ----------------------------------------------------------------------

def test_work_response_with_orcids_and_affiliations(folder: Path, read) -> None:
    [record] = read(folder / QSS, crossref_json)
    assert record.record_id == "DOI 10.1162/qss_a_00292"
    assert record.title == "OpenCitations Meta"
    # "issued": [[2024]] while "published-print" is [[2024, 3, 1]]: issued wins, at its own precision
    assert record.date == PartialDate(2024)
    assert record.journal == Journal(title="Quantitative Science Studies", issn_electronic="2641-3337")
    assert (record.volume, record.issue, record.pages) == ("5", "1", Pages("50", "75"))
    assert record.publication_types == ("journal-article",) and record.languages == ("en",)
    assert record.references == ()  # "reference-count": 61, but no list deposited
    assert [a.display_name for a in record.authors] == ["Arcangelo Massari", "Fabio Mariani", "Ivan Heibi",
                                                        "Silvio Peroni", "David Shotton"]
    assert record.authors[4] == Author(
        family="Shotton", given="David", orcid="0000-0001-5506-523X",
        affiliations=("Research Centre for Open Scholarly Metadata, Department of Classical Philology and Italian "
                      "Studies, University of Bologna, Bologna, Italy",
                      "Oxford e-Research Centre, University of Oxford, Oxford, UK"))


def test_year_and_month_date_and_both_issns(folder: Path, read) -> None:
    [record] = read(folder / SCIENTOMETRICS, crossref_json)
    assert record.date == PartialDate(2022, 6)  # "issued": {"date-parts": [[2022, 6]]}
    assert record.journal == Journal(title="Scientometrics", iso_abbreviation="Scientometrics",
                                     issn_print="0138-9130", issn_electronic="1588-2861")
    assert record.authors[-1] == Author(family="Shahidzadeh Asadi", given="Nooshin", orcid="0000-0003-4114-074X")
    assert record.declared_citation_count == 7


def test_orcid_as_url_and_as_a_list(folder: Path, read) -> None:
    record = _by_doi(read(folder / FISH, crossref_json))["10.9799/ksfan.2012.25.1.069"]
    # "ORCID": "http://orcid.org/0000-0002-6227-4053", then "ORCID": ["0000-0002-6227-4053"], then none
    assert [(a.family, a.orcid) for a in record.authors] == [
        ("Cheigh", "0000-0002-6227-4053"), ("Mun", "0000-0002-6227-4053"), ("Chung", None)]
    assert record.date == PartialDate(2012, 3, 31)
    assert record.journal is not None and record.journal.issn_print == "1225-4339"


def test_book_chapter_with_year_only_and_an_escaped_html_abstract(folder: Path, read) -> None:
    record = _by_doi(read(folder / FISH, crossref_json))["10.47886/9789251092637.ch7"]
    assert record.publication_types == ("book-chapter",)
    assert record.date == PartialDate(2016)
    assert record.authors == ()  # only editors are deposited
    # "<jats:p>&lt;em&gt;Abstract&lt;/em&gt; .\u2014To better reflect the true value of inland capture ..."
    assert record.abstract is not None and record.abstract.startswith("Abstract .\u2014To better reflect the true")
    assert "<" not in record.abstract


def test_article_number_and_references_with_and_without_doi(folder: Path, read) -> None:
    record = _by_doi(read(folder / SMALL_DUMP, crossref_json))["10.7717/peerj.4375"]
    assert record.pages == Pages("e4375")  # "page": "e4375", "article-number": "e4375"
    assert record.references == (
        Reference((Identifier(Scheme.DOI, "10.1016/j.joi.2016.08.002"),),
                  "Björk (2016). Hybrid open access—a longitudinal study. Journal of Informetrics. 10(4), 919"),
        Reference((Identifier(Scheme.DOI, "10.1002/leap.1021"),),
                  "Björk (2016). The open access movement at a crossroad: are the big publishers and academic "
                  "social media taking over? Learned Publishing. 29(2), 131"),
        Reference((), "Willinsky (2009). The access principle: the case for open access to research and "
                      "scholarship. Edition 1"),
    )


def test_forty_references_keep_order_dois_and_unstructured_text(folder: Path, read) -> None:
    record = _by_doi(read(folder / SMALL_DUMP, crossref_json))["10.1108/jd-12-2013-0166"]
    assert len(record.references) == 40
    assert record.references[0] == Reference((Identifier(Scheme.DOI, "10.1023/a:1021919228368"),))
    # {"key": "b12", "unstructured": "Brinkac, L.M. , ..."}: no DOI, so no identifier is made up
    assert record.references[6].identifiers == ()
    assert record.references[6].text is not None and record.references[6].text.startswith(
        "Brinkac, L.M. , Davidsen, T. ,")
    assert record.references[20].identifiers == (  # "10.1002/(SICI)1097-4571(198909)40:5<342::AID-ASI7>..."
        Identifier(Scheme.DOI, "10.1002/(sici)1097-4571(198909)40:5<342::aid-asi7>3.0.co;2-u"),)
    assert record.authors[0].orcid == "0000-0003-0530-4305"


def test_a_page_prefix_carries_to_the_last_page_and_only_the_first_range_is_kept(folder: Path, read) -> None:
    records = _by_doi(read(folder / DUMP, crossref_json))
    assert records["10.1001/amajethics.2018.1003"].pages == Pages("E1003", "E1006")  # "page": "E1003-1006"
    assert records["10.1001/amaguidesnewsletters.2000.janfeb05"].pages == Pages("7", "7")  # "page": "7-7, 12"
    assert records["10.1001/.389"].pages == Pages("389", "390")  # "page": "389-390"


def test_references_without_doi_in_the_dump(folder: Path, read) -> None:
    record = _by_doi(read(folder / DUMP, crossref_json))["10.1001/10-v4n2-hsf10003"]
    assert record.date == PartialDate(2011, 3)
    texts = [r.text for r in record.references if not r.identifiers]
    assert len(record.references) == 42 and len(texts) == 26  # 26 of the 42 entries have no "DOI"
    assert texts[0] == "PACER Model MOU § 3.2."  # {"unstructured": "PACER Model MOU § 3.2."}
    # {"author": "Franklin", "article-title": "Tort Law and Alternatives.",
    #  "journal-title": "New York: Foundation Press; 2001"}
    assert "Franklin. Tort Law and Alternatives. New York: Foundation Press; 2001" in texts
    assert ("Hodge (2008). Principles and practice of legal triage during public health emergencies. "
            "NYU Ann Surv Am L. 64, 249") in texts
    with_doi = [r for r in record.references if r.identifiers]
    assert all(r.text is None for r in with_doi)  # {"key", "doi-asserted-by", "DOI"} only


def test_markup_in_a_title_and_a_jats_abstract(folder: Path, raw, read) -> None:
    records = _by_doi(read(folder / DUMP, crossref_json))
    titled = [r for r in records.values() if r.title and r.title.startswith("Update to CDC")]
    assert [r.title for r in titled] == [
        "Update to CDC’s Sexually Transmitted Diseases Treatment Guidelines, 2010: Oral Cephalosporins No Longer "
        "a Recommended Treatment for Gonococcal Infections"]
    abstracts = [w for w in _works(raw, folder / DUMP) if w.get("abstract", "").lstrip().startswith(
        "<jats:title>Abstract</jats:title>")]
    assert abstracts
    for work in abstracts:
        abstract = records[work["DOI"].lower()].abstract
        assert abstract is not None and not abstract.startswith("Abstract") and "jats" not in abstract
        assert abstract.split("\n")[0] in _html_text(work["abstract"])


# --- shapes -----------------------------------------------------------------------------------------------------------

def _shape_inputs(work: dict[str, Any]) -> dict[str, bytes]:
    other = dict(work, DOI="10.1234/second")
    return {
        "work response": json.dumps({"status": "ok", "message-type": "work", "message": work}).encode(),
        "list response": json.dumps({"status": "ok", "message-type": "work-list", "message-version": "1.0.0",
                                     "message": {"facets": {}, "total-results": 2, "items": [work, other],
                                                 "items-per-page": 20, "query": {"start-index": 0}}}).encode(),
        "list response without message-type": json.dumps(
            {"message": {"total-results": 2, "items": [work, other]}}).encode(),
        "dump": json.dumps({"items": [work, other]}, indent=2).encode(),
        "bare work": json.dumps(work, indent=4).encode(),
        "JSON lines": (json.dumps(work) + "\n" + json.dumps(other) + "\n").encode(),
        "array": json.dumps([work, other]).encode(),
        "byte order mark": b"\xef\xbb\xbf" + json.dumps({"items": [work, other]}).encode(),
    }


@pytest.mark.parametrize("shape", ["work response", "list response", "list response without message-type", "dump",
                                   "bare work", "JSON lines", "array", "byte order mark"])
def test_every_shape_is_sniffed_and_read(folder: Path, tmp_path: Path, shape: str, raw, read) -> None:
    work = _work(raw, folder)
    data = _shape_inputs(work)[shape]
    path = tmp_path / "works.json.gz"
    path.write_bytes(gzip.compress(data))
    stream, head = open_input(path)
    assert crossref_json.sniff(head)
    records = list(crossref_json.read(stream, str(path)))
    expected = ["10.1007/s11192-022-04367-w"] + ([] if shape in ("work response", "bare work") else
                                                 ["10.1234/second"])
    assert [r.identifier(Scheme.DOI) for r in records] == expected
    assert records[0] == read(folder / SCIENTOMETRICS, crossref_json)[0]


def test_sniff_refuses_other_json() -> None:
    assert not crossref_json.sniff(b'{"data": {"id": "10.5061/x", "type": "dois", "attributes": {"doi": "10.5'
                                   b'061/x"}}}')
    assert not crossref_json.sniff(b'{"status": "ok", "message-type": "member", "message": {"id": 311}}')
    assert not crossref_json.sniff(b'[{"@id": "https://w3id.org/oc/meta/br/1", "@type": []}]')
    assert not crossref_json.sniff(b'{"items": []}')
    assert not crossref_json.sniff(b"id,title,author\n1,x,y\n")
    assert not crossref_json.sniff(b"")
    assert crossref_json.sniff(b'{"items": [{"DOI": "10.1234/a", "title": ["cut off mid-str')


# --- bad and odd input --------------------------------------------------------------------------------------------

def test_works_without_a_valid_doi_are_skipped_with_their_line(folder: Path, raw, read) -> None:
    work = _work(raw, folder)
    no_doi = {k: v for k, v in work.items() if k != "DOI"}
    lines = [work, no_doi, dict(work, DOI="not a doi"), ["a", "list"], dict(work, DOI="10.1234/last")]
    data = ('{"items": [\n' + ",\n".join(json.dumps(w) for w in lines) + "\n]}\n").encode()  # work i on line i + 1
    records = read(data, crossref_json)
    assert [type(r) for r in records] == [Article, Skipped, Skipped, Skipped, Article]
    assert records[1] == Skipped("work 2", "no DOI", 3)
    assert records[2] == Skipped("DOI not a doi", "invalid DOI 'not a doi'", 4)
    assert records[3] == Skipped("work 4", "not a JSON object but list", 5)
    assert records[4].record_id == "DOI 10.1234/last"


def test_malformed_json_keeps_earlier_works_and_names_the_line(folder: Path, raw) -> None:
    work = _work(raw, folder)
    data = (json.dumps(work) + "\n" + json.dumps(dict(work, DOI="10.1234/b")) + '\n{"DOI": "10.1234/c", ti\n'
            + json.dumps(work) + "\n").encode()
    records = crossref_json.read(io.BytesIO(data), "broken.jsonl")
    assert [next(records).record_id, next(records).record_id] == ["DOI 10.1007/s11192-022-04367-w",
                                                                  "DOI 10.1234/b"]
    with pytest.raises(ReaderError) as caught:
        next(records)
    assert (caught.value.source, caught.value.line) == ("broken.jsonl", 3)
    assert caught.value.message.startswith("malformed JSON: ")


def test_truncated_dump_raises_at_its_last_line(folder: Path, raw) -> None:
    work = _work(raw, folder)
    text = json.dumps({"items": [work, dict(work, DOI="10.1234/b")]}, indent=1)
    cut = text[: text.index('"10.1234/b"')]
    records = crossref_json.read(io.BytesIO(cut.encode()), "cut.json")
    assert next(records).record_id == "DOI 10.1007/s11192-022-04367-w"
    with pytest.raises(ReaderError) as caught:
        next(records)
    assert caught.value.line == cut.count("\n") + 1
    assert "premature EOF" in caught.value.message


def test_invalid_utf8_and_utf16_raise_reader_errors(folder: Path, raw, read) -> None:
    with pytest.raises(ReaderError) as caught:
        read(b'{"items": [\n{"DOI": "10.1234/a", "title": ["caf\xe9"]}\n]}', crossref_json, name="latin1.json")
    assert (caught.value.source, caught.value.line) == ("latin1.json", 2)
    assert "UTF8" in caught.value.message
    utf16 = json.dumps({"message": _work(raw, folder)}).encode("utf-16")
    with pytest.raises(ReaderError, match="UTF-16"):
        read(utf16, crossref_json)


@pytest.mark.parametrize(("data", "message"), [
    (b"", "the input is empty"),
    (b"  \n", "the input is empty"),
    (b'{"status": "ok", "message-type": "member", "message": {}}', "a Crossref 'member' response holds no works"),
    (b'"10.1234/a"', "expected a JSON object of Crossref works, found a string"),
    (b"<?xml version='1.0'?><doi_records/>", "malformed JSON: lexical error: invalid char in json text."),
])
def test_input_that_holds_no_works_raises(data: bytes, message: str, read) -> None:
    with pytest.raises(ReaderError) as caught:
        read(data, crossref_json, name="odd.json")
    assert caught.value.message == message and caught.value.source == "odd.json"


def test_odd_fields_are_dropped_or_read_at_their_precision(read) -> None:
    work = {
        "DOI": "https://doi.org/10.1234/ABC", "title": "A title as a plain string", "volume": 12,
        "container-title": [], "short-container-title": ["J. Odd"], "ISSN": ["0003-9926", "1234-5678"],
        "issued": {"date-parts": [[None]]}, "published-print": {"date-parts": [[2019, 13]]},
        "author": [{"given": "Ann", "family": "Lee", "ORCID": "https://orcid.org/0000-0002-1825-0097"},
                   {"given": "Bo", "family": "Ek", "ORCID": "http://orcid.org/0000-0002-1825-0098",
                    "affiliation": [{"name": "  Lund\n University "}, "Malmö"]},
                   {"name": "The Odd Consortium", "sequence": "additional", "affiliation": []},
                   {"sequence": "additional", "affiliation": []}],
        "reference": [{"key": "r1", "DOI": "no doi", "unstructured": "Kept as text."}, {"key": "r2"},
                      {"key": "r3", "year": "2001"}],
        "is-referenced-by-count": True,
    }
    [record] = read(json.dumps(work).encode(), crossref_json)
    assert record.identifiers == (Identifier(Scheme.DOI, "10.1234/abc"),)
    assert (record.title, record.volume) == ("A title as a plain string", "12")
    # "issued" [[null]] is no date; published-print's month 13 is impossible, so the year alone
    assert record.date == PartialDate(2019)
    # "0003-9926" is valid; "1234-5678" fails its check digit and is dropped
    assert record.journal == Journal(iso_abbreviation="J. Odd", issn_print="0003-9926")
    assert record.authors == (
        Author(family="Lee", given="Ann", orcid="0000-0002-1825-0097"),
        Author(family="Ek", given="Bo", affiliations=("Lund University", "Malmö")),  # ORCID check digit wrong
        Author(name="The Odd Consortium"),
    )
    assert record.references == (Reference((), "Kept as text."), Reference((), "2001"))
    assert record.declared_citation_count is None


@pytest.mark.parametrize(("parts", "expected"), [
    ([[2019, 5]], PartialDate(2019, 5)),
    ([[2019, 2, 30]], PartialDate(2019, 2)),
    ([[2019, 5, 7]], PartialDate(2019, 5, 7)),
    ([["2019", "05"]], PartialDate(2019, 5)),
    ([[None]], None),
    ([], None),
])
def test_date_parts_at_their_precision(parts: list, expected: PartialDate | None, read) -> None:
    [record] = read(json.dumps({"DOI": "10.1234/d", "issued": {"date-parts": parts}}).encode(), crossref_json)
    assert record.date == expected


def test_published_online_is_the_last_fallback(read) -> None:
    work = {"DOI": "10.1234/d", "issued": {"date-parts": [[None]]}, "published-online": {"date-parts": [[2020, 1]]}}
    [record] = read(json.dumps(work).encode(), crossref_json)
    assert record.date == PartialDate(2020, 1)


def test_a_work_with_a_thousand_authors_keeps_them_all_in_order(folder: Path, tmp_path: Path, raw, read) -> None:
    work = _work(raw, folder)
    real = work["author"]
    assert len(real) == 7
    work["author"] = [dict(real[i % 7], family=f"Family{i:04d}", given=f"Given {i}") for i in range(1000)]
    path = tmp_path / "many.json"
    path.write_text(json.dumps({"status": "ok", "message-type": "work", "message": work}, indent=2),
                    encoding="utf-8")
    [record] = read(path, crossref_json)
    assert len(record.authors) == 1000
    assert [(a.family, a.given) for a in record.authors] == [(f"Family{i:04d}", f"Given {i}") for i in range(1000)]
    assert [a.orcid for a in record.authors] == [_orcid(real[i % 7]["ORCID"]) for i in range(1000)]
