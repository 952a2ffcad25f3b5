"""kg.readers.bibtex against the real .bib files in ../shared/data/bibtex_ris, and small made-up entries.

Expected counts come from regexes over the raw text (no BibTeX parser involved) and from the folder's README;
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
PAPER = "pubmed_parser__paper.bib"
SCOPUS = "synthesisr__Scopus_bib_example.bib"
# entries (README "bibtex_entries") and entries without DOI, PMID or PMCID (counted by eye)
EXPECTED = {PAPER: (11, 5), SCOPUS: (3, 0)}
_ENTRY = re.compile(r"^@(?!(?:comment|string|preamble)\b)(\w+)\{([^,\s]+),", re.IGNORECASE | re.MULTILINE)


@pytest.fixture(scope="module")
def records(folder: Path, read) -> dict[str, list]:
    return {name: read(folder / name, bibtex) for name in EXPECTED}


def _by_key(found: list) -> dict:
    return {r.record_id: r for r in found}


# --- sniffing ---------------------------------------------------------------------------------------------------

def test_sniff_claims_every_bib_file_and_nothing_else(shared: Path) -> None:
    files = sorted(p for p in (shared / "data").rglob("*") if p.is_file() and p.name != "README.md")
    assert len(files) > 50
    claimed = set()
    for path in files:
        _, head = open_input(path)
        if bibtex.sniff(head):
            claimed.add(path.name)
    assert claimed == set(EXPECTED)


def test_sniff_cases() -> None:
    assert bibtex.sniff(b"% This file was created with JabRef\n% Encoding: UTF-8\n\n@Article{key,\n")
    assert bibtex.sniff(b"\xef\xbb\xbf@comment{jabref-meta: databaseType:bibtex;}\n")
    assert bibtex.sniff(b"\n  @book (key,\n")
    assert not bibtex.sniff(b"@prefix fabio: <http://purl.org/spar/fabio/> .\n")  # Turtle
    assert not bibtex.sniff(b"TY  - JOUR\nTI  - @article{x,\nER  - \n")
    assert not bibtex.sniff(b"PMID- 12345678\nTI  - @article{x,\n")
    assert not bibtex.sniff(b"Some notes first\n@article{x,\n")
    assert not bibtex.sniff(b"")


def test_ris_does_not_claim_bib_files(folder: Path) -> None:
    for name in EXPECTED:
        _, head = open_input(folder / name)
        assert not ris.sniff(head), name


# --- every real file --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_entry_is_an_article_or_an_explained_skip(folder: Path, records: dict, name: str) -> None:
    text = (folder / name).read_text(encoding="utf-8")
    starts = list(_ENTRY.finditer(text))
    total, skipped = EXPECTED[name]
    assert len(starts) == total
    got = records[name]
    assert [r.record_id for r in got] == [m.group(2) for m in starts]
    assert [r.line for r in got if isinstance(r, Skipped)] == [
        text.count("\n", 0, m.start()) + 1 for m, end in zip(starts, [*starts[1:], None])
        if not re.search(r"^\s*(?:doi|pmid|pmcid)\s*=|doi\.org/10\.", text[m.start():end.start() if end else None],
                         re.IGNORECASE | re.MULTILINE)]
    assert sum(isinstance(r, Skipped) for r in got) == skipped
    assert all(r.reason == "no PMID, PMCID or DOI" for r in got if isinstance(r, Skipped))
    assert sum(isinstance(r, Article) for r in got) == total - skipped


# --- field by field (values quoted from the files) --------------------------------------------------------------

def test_paper_bib_latex_names_and_others(records: dict) -> None:
    found = _by_key(records[PAPER])
    vist = found["vseva2019vist"]  # line 1
    assert vist.identifiers == (Identifier(Scheme.DOI, "10.1186/s12859-019-2958-3"),)
    assert vist.title == "VIST-a Variant-Information Search Tool for precision oncology"
    # author={{\v{S}}eva, Jurica and ... G{\"o}tze, Julian and ... Sch{\"a}fer, Reinhold and ... and others}
    assert [a.family for a in vist.authors] == ["Ševa", "Wiegandt", "Götze", "Lamping", "Rieke", "Schäfer",
                                                "Jähnichen", "Kittner", "Pallarz", "Starlinger"]
    assert vist.authors[1] == Author(family="Wiegandt", given="David Luis")
    assert vist.journal == Journal(title="BMC bioinformatics")
    assert (vist.volume, vist.issue, vist.pages, vist.date) == ("20", "1", Pages("429"), PartialDate(2019))
    assert vist.publication_types == ("Journal Article",)
    mesh = found["abdeddaim2019mesh"]  # Abdeddaim, Sa{\"\i}d ... pages={5--9}
    assert mesh.authors[0] == Author(family="Abdeddaim", given="Saïd")
    assert mesh.pages == Pages("5", "9")
    assert mesh.identifier(Scheme.DOI) == "10.3233/shti190172"
    rakhi = found["rakhi2018data"]  # Rakhi, NK ... pages={e0198030}
    assert rakhi.authors[0] == Author(family="Rakhi", given="NK", initials="NK")
    assert rakhi.pages == Pages("e0198030")


def test_paper_bib_proceedings_preprints_and_skips(records: dict) -> None:
    found = _by_key(records[PAPER])
    galea = found["galea2018sub"]  # @inproceedings, booktitle={Proceedings of the BioNLP 2018 workshop}
    assert galea.journal is None and galea.publication_types == ("inproceedings",)
    assert galea.pages == Pages("56", "66")  # pages={56--66}
    tang = found["tang2019parallel"]  # title={... in {MEDLINE}}, doi={10.1109/hpcc/smartcity/dss.2019.00217}
    assert tang.title == "Parallel Computing for Large-Scale Author Name Disambiguation in MEDLINE"
    assert tang.identifier(Scheme.DOI) == "10.1109/hpcc/smartcity/dss.2019.00217"
    peerj = found["shahri2019propheno"]  # no journal field
    assert peerj.journal is None and peerj.identifier(Scheme.DOI) == "10.7287/peerj.preprints.27479v2"
    assert found["mesbah2018smartpub"] == Skipped("mesbah2018smartpub", "no PMID, PMCID or DOI", 75)
    assert found["miller2017automated"].line == 13  # url={https://arxiv.org/abs/1702.04615}: no DOI


def test_scopus_entry_with_a_repeated_field(records: dict) -> None:
    li = records[SCOPUS][0]  # line 2; funding_details appears twice
    assert li.record_id == "Li2020"
    assert li.identifiers == (Identifier(Scheme.DOI, "10.1080/20964129.2020.1722034"),)
    assert li.title == ("Soil fauna diversity at different stages of reed restoration in a lakeshore wetland at "
                        "Lake Taihu, China")
    assert li.journal == Journal(title="Ecosystem Health and Sustainability",
                                 iso_abbreviation="Ecosyst. Health Sustain.", issn_print="2096-4129")
    assert (li.volume, li.issue, li.date) == ("6", "1", PartialDate(2020))
    assert li.pages == Pages("1722034")  # art_number={1722034}
    assert li.declared_citation_count == 0  # note={cited By 0}
    assert li.publication_types == ("Journal Article", "Article")  # document_type={Article}
    assert li.languages == ("English",)
    assert [(a.family, a.initials) for a in li.authors] == [
        ("Li", "W"), ("Dou", "Z"), ("Cui", "L"), ("Zhao", "X"), ("Zhang", "M"), ("Zhang", "Y"), ("Gao", "C"),
        ("Yang", "Z"), ("Lei", "Y"), ("Pan", "X")]
    assert all(a.affiliations == () for a in li.authors)  # one affiliation field for ten authors
    assert li.abstract.startswith("Introduction: Wetland soil fauna support material cycling")


def test_scopus_abstract_keeps_percent_and_ampersand(records: dict) -> None:
    cao = records[SCOPUS][1]  # line 28: "... contributed to 85.58% of the increase in NPP. ..."
    assert cao.record_id == "Cao2020"
    assert "contributed to 85.58% of the increase in NPP. Transformation from desert" in cao.abstract
    assert cao.abstract.endswith("Published by Taylor & Francis Group and Science Press on behalf of the "
                                 "Ecological Society of China.")
    tang = records[SCOPUS][2]  # author={Tang, H. and Geng, G. and zhou, M.}, issn={15572064}, art_number={6}
    assert tang.authors[2] == Author(family="zhou", given="M.", initials="M")
    assert tang.journal == Journal(title="Sensing and Imaging", iso_abbreviation="Sens. Imaging",
                                   issn_print="1557-2064")
    assert tang.pages == Pages("6")


# --- made-up entries --------------------------------------------------------------------------------------------

def test_strings_months_escapes_and_group_authors(read) -> None:
    found = read("""% a comment
@string{jb = {Journal of Bits}}
@Article{k1,
  author = {{World Health Organization} and van der Berg, Jan and M{\\"u}ller, Hans and others},
  title = {{DNA} \\& {RNA}: 50\\% more},
  journal = jb, year = 2020, month = mar, day = {31},
  doi = {10.1000/a\\_b},
  issn = {1234-5679; 1234-5678},
}
""", bibtex)
    [article] = found
    assert article.authors == (Author(name="World Health Organization"), Author(family="van der Berg", given="Jan"),
                               Author(family="Müller", given="Hans"))
    assert article.title == "DNA & RNA: 50% more"
    assert article.journal == Journal(title="Journal of Bits", issn_print="1234-5679")  # 1234-5678 fails its check
    assert article.date == PartialDate(2020, 3, 31)
    assert article.identifier(Scheme.DOI) == "10.1000/a_b"


def test_identifiers_dates_and_affiliation(read) -> None:
    found = read("""@article{a, pmid = {31452104}, pmcid = {PMC6712345}, date = {2019-05}, journaltitle = {J}}
@online{b, url = {https://doi.org/10.1002%2Fabc.1}, year = {2021}, month = {13}}
@article{c, eprint = {123456}, eprinttype = {pubmed}, author = {Doe, J.}, affiliation = {Dept A; Dept B},
  year = {2022}, doi = {10.1000/c}}
@article{d, doi = {not-a-doi}, year = {2020}}
""", bibtex)
    a, b, c, d = found
    assert a.identifiers == (Identifier(Scheme.PMID, "31452104"), Identifier(Scheme.PMCID, "PMC6712345"))
    assert a.date == PartialDate(2019, 5) and a.journal == Journal(title="J")
    assert b.identifiers == (Identifier(Scheme.DOI, "10.1002/abc.1"),)  # "%2F" in a URL is not a LaTeX comment
    assert b.date == PartialDate(2021) and b.publication_types == ("online",)
    assert c.identifiers == (Identifier(Scheme.PMID, "123456"), Identifier(Scheme.DOI, "10.1000/c"))
    assert c.authors == (Author(family="Doe", given="J.", initials="J", affiliations=("Dept A", "Dept B")),)
    assert d == Skipped("d", "no PMID, PMCID or DOI (doi 'not-a-doi' is not a DOI)", 5)


def test_broken_entry_repeated_key_and_repeated_field(read) -> None:
    found = read("""@article{good, doi = {10.1000/one}}
@article{broken, title = {never closed, doi = {10.1000/two}
@article{good, doi = {10.1000/three}, doi = {10.1000/four}}
@article{good, doi = {10.1000/five}}
""", bibtex)
    assert [r.record_id for r in found] == ["good", "broken", "good (line 3)", "good (line 4)"]
    assert isinstance(found[1], Skipped) and found[1].line == 2
    assert found[1].reason.startswith("not a valid BibTeX entry: ")
    assert found[2].identifiers == (Identifier(Scheme.DOI, "10.1000/three"),)  # the first of a repeated field
    assert found[3].identifier(Scheme.DOI) == "10.1000/five"


def test_gzip_input(tmp_path: Path) -> None:
    path = tmp_path / "export.bib.gz"
    path.write_bytes(gzip.compress(b"\xef\xbb\xbf@article{x, doi = {10.1000/x}, year = {1999}}\r\n"))
    stream, head = open_input(path)
    assert bibtex.sniff(head)
    [article] = bibtex.read(stream, str(path))
    assert article.identifier(Scheme.DOI) == "10.1000/x" and article.date == PartialDate(1999)


def test_unreadable_files_raise(read) -> None:
    with pytest.raises(ReaderError, match="no BibTeX entry"):
        read("% only a comment\n@string{a = {b}}\n", bibtex)
    with pytest.raises(ReaderError, match="no BibTeX entry"):
        read("", bibtex)
    with pytest.raises(ReaderError, match="not UTF-8") as caught:
        read(b"@article{x,\n  doi = {10.1000/x},\n  title = {caf\xe9}\n}\n", bibtex)
    assert caught.value.line == 3 and caught.value.source == "test.bib"
