"""Bad input, end to end: each kind of broken file is reported by a message naming the file, the record (a line
number or an identifier) and the problem; the good records around it load; what another file stored before stays
exactly as it was. Through the Python API, and once through ``python -m kg load``."""

from __future__ import annotations

import gzip
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from kg import KnowledgeGraph
from kg.errors import IdentifierError
from kg.identifiers import normalise
from kg.pipeline import SourceReport
from kg.readers import READERS
from kg.records import Scheme

DCTERMS = "http://purl.org/dc/terms/"
FABIO = "http://purl.org/spar/fabio/"
PRISM = "http://prismstandard.org/namespaces/basic/2.0/"
DATACITE = "http://purl.org/spar/datacite/"
LITERAL = "http://www.essepuntato.it/2010/06/literalreification/"
XSD_GYEARMONTH = "http://www.w3.org/2001/XMLSchema#gYearMonth"

# The PMIDs and DOIs of the articles in the store that have a title: full records, not reference stubs.
TITLED = (f"SELECT DISTINCT ?id WHERE {{ ?article <{DCTERMS}title> ?title . "
          f"{{ ?article <{FABIO}hasPubMedId> ?id }} UNION {{ ?article <{PRISM}doi> ?id }} }}")
META_HEADER = "id,title,author,pub_date,venue,volume,issue,page,type,publisher,editor\n"
KNOWN_FORMATS = ", ".join(READERS)


def pubmed(*articles: str) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n<PubmedArticleSet>\n' + "".join(articles) + "</PubmedArticleSet>\n"


def article(pmid: str | None, title: str, *, date: str = "<Year>2020</Year>", issn: str = "0028-0836",
            authors: str = "") -> str:
    """A small PubmedArticle (``pmid=None`` leaves the PMID element out)."""
    element = f'<PMID Version="1">{pmid}</PMID>\n' if pmid is not None else ""
    return (f"<PubmedArticle>\n<MedlineCitation>\n{element}<Article>\n"
            f'<Journal><ISSN IssnType="Print">{issn}</ISSN><JournalIssue><PubDate>{date}</PubDate></JournalIssue>'
            f"<Title>Nature</Title></Journal>\n<ArticleTitle>{title}</ArticleTitle>\n{authors}"
            "</Article>\n</MedlineCitation>\n</PubmedArticle>\n")


def works(*lines: str) -> str:
    """A Crossref ``items`` dump, one work per line from line 2 on."""
    return '{"items": [\n' + ",\n".join(lines) + "\n]}\n"


def line_of(text: str, marker: str) -> int:
    return text[: text.index(marker)].count("\n") + 1


def cut_gzip(text: str, at: str) -> bytes:
    """``text`` gzipped, flushed just before ``at`` and cut there: a truncated download whose start is readable."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    data = text.encode()
    start = data.index(at.encode())
    return packer.compress(data[:start]) + packer.flush(zlib.Z_FULL_FLUSH)


BASELINE = pubmed(article("1001", "Base one"), article("1002", "Base two"))
BASE = {"1001", "1002"}


class Store:
    """The store in ``folder``, holding one good file (the baseline, loaded unless it already is) and what it
    stated when this was made; bad files are loaded on top of it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.kg = KnowledgeGraph(folder / "store")
        report = self.kg.load([self.write("baseline.xml", BASELINE)])
        assert not report.failed, report.render()
        [self.graph] = [s["graph"] for s in self.kg.sources() if s["label"] == "baseline.xml"]
        self.before = self.baseline_quads()
        self.rendered = ""

    def write(self, name: str, data: str | bytes) -> Path:
        path = self.folder / name
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        return path

    def load(self, name: str, data: str | bytes, **options) -> SourceReport:
        """Loads one file; the report of that source, its rendering in ``rendered``."""
        report = self.kg.load([self.write(name, data)], **options)
        self.rendered = report.render()
        [source] = report.sources
        return source

    def titled(self) -> set[str]:
        return {str(row[0]) for row in self.kg.sparql(TITLED).rows}

    def baseline_quads(self) -> set[tuple[str, str, str]]:
        rows = self.kg.sparql(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{self.graph}> {{ ?s ?p ?o }} }}").rows
        return {(str(s), str(p), repr(o)) for s, p, o in rows}

    def assert_baseline_intact(self) -> None:
        assert self.baseline_quads() == self.before
        [base] = [s for s in self.kg.sources() if s["graph"] == self.graph]
        assert base["status"] == "complete" and base["triples"] == len(self.before)


@pytest.fixture()
def store(tmp_path: Path):
    s = Store(tmp_path)
    assert len(s.before) > 20 and s.titled() == BASE
    yield s
    s.kg.close()


# --- files that break part-way: what came before the break loads, the error says where ---------------------------

def test_truncated_gzip(store: Store) -> None:
    third = article("2003", "Cut off")
    text = pubmed(article("2001", "Good one"), article("2002", "Good two"), third)
    report = store.load("cut.xml.gz", cut_gzip(text, third))
    path = store.folder / "cut.xml.gz"
    assert report.status == "failed"
    assert report.error == (f"{path}:{line_of(text, third)}: cannot read the input: Compressed file ended before the "
                            "end-of-stream marker was reached")
    assert store.titled() == BASE | {"2001", "2002"}
    store.assert_baseline_intact()


def test_malformed_xml(store: Store) -> None:
    """An XML parser cannot resume after a syntax error: the articles before it load, not those after."""
    text = pubmed(article("2001", "Good one"), article("2002", "Broken <i>title</b>"), article("2003", "After"))
    report = store.load("broken.xml", text)
    line = line_of(text, "Broken")
    assert report.status == "failed"
    assert report.error == (f"{store.folder / 'broken.xml'}:{line}: malformed XML: Opening and ending tag mismatch: "
                            f"i line {line} and b")
    assert store.titled() == BASE | {"2001"}
    store.assert_baseline_intact()


def test_malformed_json(store: Store) -> None:
    text = works('{"DOI": "10.1000/good.1", "title": ["Good one"]}',
                 '{"DOI": "10.1000/bad.2", "title": ["Broken"] "container-title": ["Nature"]}',
                 '{"DOI": "10.1000/good.3", "title": ["After"]}')
    report = store.load("broken.json", text)
    assert report.status == "failed"
    assert report.error == (f"{store.folder / 'broken.json'}:3: malformed JSON: parse error: after key and value, "
                            "inside map, I expect ',' or '}'")
    assert store.titled() == BASE | {"10.1000/good.1"}
    store.assert_baseline_intact()


# --- CSV with the wrong columns --------------------------------------------------------------------------------------

def test_csv_with_an_unknown_header_is_not_guessed(store: Store) -> None:
    text = "citing_doi,cited_doi\n10.1000/a,10.1000/b\n"
    report = store.load("pairs.csv", text)
    assert report.status == "failed"
    assert report.error == f"{store.folder / 'pairs.csv'}: unrecognised format (known: {KNOWN_FORMATS}); use --format"
    report = store.load("pairs.csv", text, format="opencitations-csv")
    assert report.status == "failed"
    assert report.error.startswith(f"{store.folder / 'pairs.csv'}:1: not an OpenCitations CSV header: "
                                   "'citing_doi,cited_doi' (expected one of: id,title,author,")
    assert store.titled() == BASE
    store.assert_baseline_intact()


def test_csv_row_with_the_wrong_number_of_columns(store: Store) -> None:
    text = (META_HEADER + 'doi:10.1000/good.1,Good one,"Smith, Ann",2020,Nature [issn:0028-0836],1,2,3-4,'
            "journal article,,\n"
            "doi:10.1000/bad.2,Short row,2020\n"
            "doi:10.1000/good.3,Good three,,2021,,,,,journal article,,\n")
    report = store.load("meta.csv", text)
    assert (report.status, report.error) == ("loaded", None)
    assert report.skipped == [f"row 2 (line 3): 3 fields, expected 11 ({META_HEADER.strip()})"]
    assert store.titled() == BASE | {"10.1000/good.1", "10.1000/good.3"}
    store.assert_baseline_intact()


# --- a wrong encoding: Latin-1 bytes where UTF-8 is expected ---------------------------------------------------------

def test_latin1_in_utf8_xml(store: Store) -> None:
    text = pubmed(article("2001", "Good one"), article("2002", "Caf\u00e9 study"), article("2003", "After"))
    report = store.load("latin1.xml", text.encode("latin-1"))
    assert report.status == "failed"
    assert report.error == (f"{store.folder / 'latin1.xml'}:{line_of(text, 'Caf')}: malformed XML: Invalid bytes in "
                            "character encoding")
    assert store.titled() == BASE | {"2001"}
    store.assert_baseline_intact()


def test_latin1_in_csv(store: Store) -> None:
    text = META_HEADER + ("doi:10.1000/good.1,Good one,,2020,,,,,journal article,,\n"
                          "doi:10.1000/bad.2,Caf\u00e9,,2020,,,,,journal article,,\n")
    report = store.load("latin1.csv", text.encode("latin-1"))
    assert report.status == "failed"
    assert report.error == f"{store.folder / 'latin1.csv'}:3: not UTF-8 text (byte 0xe9)"
    assert store.titled() == BASE | {"10.1000/good.1"}
    store.assert_baseline_intact()


def test_latin1_in_json(store: Store) -> None:
    text = works('{"DOI": "10.1000/good.1", "title": ["Good one"]}', '{"DOI": "10.1000/bad.2", "title": ["Caf\u00e9"]}')
    report = store.load("latin1.json", text.encode("latin-1"))
    assert report.status == "failed"
    assert report.error == (f"{store.folder / 'latin1.json'}:3: malformed JSON: lexical error: invalid bytes in UTF8 "
                            "string.")
    assert store.titled() == BASE | {"10.1000/good.1"}
    store.assert_baseline_intact()


def test_latin1_medline_is_read_as_latin1(store: Store) -> None:
    """Old MEDLINE exports are Latin-1: the reader decodes a line that is not UTF-8 as Latin-1, losing nothing."""
    text = "PMID- 2001\nTI  - Caf\u00e9 society.\nDP  - 2020\n\nPMID- 2002\nTI  - Good two.\n"
    report = store.load("latin1.nbib", text.encode("latin-1"))
    assert (report.status, report.skipped) == ("loaded", [])
    titles = store.kg.sparql(f'SELECT ?t WHERE {{ ?a <{FABIO}hasPubMedId> "2001" ; <{DCTERMS}title> ?t }}').rows
    assert [str(t) for (t,) in titles] == ["Caf\u00e9 society."]
    assert store.titled() == BASE | {"2001", "2002"}
    store.assert_baseline_intact()


# --- empty files -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, data", [("empty.xml", b""), ("blank.txt", b"\n  \n\t\n"),
                                        ("empty.json.gz", gzip.compress(b"", mtime=0))])
def test_empty_file(store: Store, name: str, data: bytes) -> None:
    report = store.load(name, data)
    assert report.status == "failed"
    assert report.error == f"{store.folder / name}: the input is empty"
    assert store.titled() == BASE
    store.assert_baseline_intact()


# --- records without an identifier, or with an invalid one: skipped by name, the rest loads -------------------------

RIS_GOOD = "TY  - JOUR\nTI  - Good one\nDO  - 10.1000/good.1\nER  - \n\n"
RIS_LAST = "\nTY  - JOUR\nTI  - Good three\nDO  - 10.1000/good.3\nER  - \n"
GOOD_WORK = '{"DOI": "10.1000/good.1", "title": ["Good one"]}'
LAST_WORK = '{"DOI": "10.1000/good.3", "title": ["Good three"]}'
PUBMED_GOOD, DOI_GOOD = {"2001", "2003"}, {"10.1000/good.1", "10.1000/good.3"}
NO_PMID = pubmed(article("2001", "Good one"), article(None, "No PMID"), article("2003", "Good three"))
BAD_PMID = pubmed(article("2001", "Good one"), article("12x4", "Bad PMID"), article("2003", "Good three"))

SKIPPED = [
    pytest.param("noid.xml", NO_PMID, f"PubmedArticle 2 (line {line_of(NO_PMID, article(None, 'No PMID'))}): "
                 "no MedlineCitation/PMID", PUBMED_GOOD, id="pubmed without a PMID"),
    pytest.param("noid.ris", RIS_GOOD + "TY  - JOUR\nTI  - No identifier\nPY  - 2020\nER  - \n" + RIS_LAST,
                 "entry 2 (line 6): no PMID, PMCID or DOI", DOI_GOOD, id="ris without any identifier"),
    pytest.param("noid.json", works(GOOD_WORK, '{"title": ["No DOI"], "container-title": ["Nature"]}', LAST_WORK),
                 "work 2 (line 3): no DOI", DOI_GOOD, id="crossref without a DOI"),
    pytest.param("noid.csv", META_HEADER + "doi:10.1000/good.1,Good one,,2020,,,,,journal article,,\n"
                 "omid:br/0601,Only an OMID,,2020,,,,,journal article,,\n"
                 "doi:10.1000/good.3,Good three,,2021,,,,,journal article,,\n",
                 "row 2 (line 3): no PMID, PMCID or DOI in the id column, only 'omid:br/0601'", DOI_GOOD,
                 id="opencitations row without a PMID, PMCID or DOI"),
    pytest.param("badpmid.xml", BAD_PMID, f"PMID 12x4 (line {line_of(BAD_PMID, article('12x4', 'Bad PMID'))}): "
                 "invalid PMID '12x4'",
                 PUBMED_GOOD, id="invalid PMID"),
    pytest.param("baddoi.json", works(GOOD_WORK, '{"DOI": "10.12/abc", "title": ["Bad DOI"]}', LAST_WORK),
                 "DOI 10.12/abc (line 3): invalid DOI '10.12/abc'", DOI_GOOD, id="invalid DOI in crossref"),
    pytest.param("baddoi.ris", RIS_GOOD + "TY  - JOUR\nTI  - Bad DOI\nDO  - 10.12/abc\nER  - \n" + RIS_LAST,
                 "entry 2 (line 6): no PMID, PMCID or DOI (DO '10.12/abc' is not a DOI)", DOI_GOOD,
                 id="invalid DOI in ris"),
]


@pytest.mark.parametrize("name, text, skipped, good", SKIPPED)
def test_record_without_a_valid_identifier(store: Store, name: str, text: str, skipped: str, good: set[str]) -> None:
    """The record is skipped, by its id or position and its line, under the file's name in the report."""
    report = store.load(name, text)
    assert (report.status, report.error) == ("loaded", None)
    assert report.skipped == [skipped]
    summary, *details = store.rendered.splitlines()
    assert summary.startswith(f"{store.folder / name}: ") and details == [f"  skipped {skipped}"]
    assert store.titled() == BASE | good
    store.assert_baseline_intact()


BAD_CHECKSUMS = pubmed(
    article("2001", "Bad ISSN", issn="0028-0837"),
    article("2002", "Bad ORCID", authors='<AuthorList><Author><LastName>Carberry</LastName><ForeName>Josiah</ForeName>'
                                         '<Identifier Source="ORCID">0000-0002-1825-0098</Identifier></Author>'
                                         '</AuthorList>\n'),
    article("2003", "Good ones", authors='<AuthorList><Author><LastName>Carberry</LastName><ForeName>Josiah</ForeName>'
                                         '<Identifier Source="ORCID">0000-0002-1825-0097</Identifier></Author>'
                                         '</AuthorList>\n'))


def test_identifier_checksums() -> None:
    with pytest.raises(IdentifierError, match=r"^ISSN check digit is wrong: '0028-0837'$"):
        normalise(Scheme.ISSN, "0028-0837")
    with pytest.raises(IdentifierError, match=r"^ORCID check digit is wrong: '0000-0002-1825-0098'$"):
        normalise(Scheme.ORCID, "0000-0002-1825-0098")
    assert normalise(Scheme.ISSN, "0028-0836") == "0028-0836"
    assert normalise(Scheme.ORCID, "https://orcid.org/0000-0002-1825-0097") == "0000-0002-1825-0097"


def test_bad_issn_and_orcid_checksums_lose_only_themselves(store: Store) -> None:
    report = store.load("checksums.xml", BAD_CHECKSUMS)
    assert (report.status, report.error, report.skipped) == ("loaded", None, [])
    assert store.titled() == BASE | {"2001", "2002", "2003"}
    values = {str(v) for (v,) in store.kg.sparql(f"SELECT ?v WHERE {{ ?i <{DATACITE}usesIdentifierScheme> ?s ; "
                                                 f"<{LITERAL}hasLiteralValue> ?v }}").rows}
    assert {"0028-0836", "0000-0002-1825-0097"} <= values
    assert not {"0028-0837", "0000-0002-1825-0098"} & values
    store.assert_baseline_intact()


def test_bad_issn_and_orcid_checksums_are_reported(store: Store) -> None:
    report = store.load("checksums.xml", BAD_CHECKSUMS)
    notes = report.skipped + report.problems
    assert any("PMID 2001" in n and "0028-0837" in n for n in notes)
    assert any("PMID 2002" in n and "0000-0002-1825-0098" in n for n in notes)


# --- a season for a date: the year and the first month of its quarter (April for spring), in every reader ------------------------------------------------------------

SPRING = [
    pytest.param("spring.nbib", "PMID- 2001\nTI  - Spring issue.\nDP  - 2011 Spring\n", "2001", id="medline DP"),
    pytest.param("spring.xml", pubmed(article("2001", "Spring", date="<MedlineDate>2011 Spring</MedlineDate>")),
                 "2001", id="pubmed MedlineDate"),
    pytest.param("season.xml", pubmed(article("2001", "Spring", date="<Year>2011</Year><Season>Spring</Season>")),
                 "2001", id="pubmed Season"),
    pytest.param("spring.nxml", '<article><front><article-meta><article-id pub-id-type="pmid">2001</article-id>'
                 "<title-group><article-title>Spring</article-title></title-group><pub-date pub-type=\"ppub\">"
                 "<season>Spring</season><year>2011</year></pub-date></article-meta></front></article>\n",
                 "2001", id="jats season"),
    pytest.param("spring.ris", "TY  - JOUR\nTI  - Spring\nPY  - 2011 Spring\nDO  - 10.1000/spring\nER  - \n",
                 "10.1000/spring", id="ris PY"),
    pytest.param("spring.bib", "@article{k, title = {Spring}, year = {2011}, month = {Spring}, "
                 "doi = {10.1000/spring}}\n", "10.1000/spring", id="bibtex month"),
    pytest.param("spring.txt", "\u00bb Articles \u00bb PMID: 2001\n\nSpring\n\nOverview\nJournal Nature\n"
                 "Date 2011 Spring\nPMID 2001\nAbstract\n\nText.\n", "2001", id="article page Date"),
]


@pytest.mark.parametrize("name, text, identifier", SPRING)
def test_a_season_gives_its_first_month(store: Store, name: str, text: str, identifier: str) -> None:
    report = store.load(name, text)
    assert (report.status, report.error, report.skipped) == ("loaded", None, [])
    dates = store.kg.sparql(f'SELECT ?d WHERE {{ {{ ?a <{FABIO}hasPubMedId> "{identifier}" }} UNION '
                            f'{{ ?a <{PRISM}doi> "{identifier}" }} ?a <{PRISM}publicationDate> ?d }}').rows
    assert [(str(d), str(d.datatype)) for (d,) in dates] == [("2011-04", XSD_GYEARMONTH)]
    store.assert_baseline_intact()


def test_a_failed_source_reports_the_triples_it_stored(store: Store) -> None:
    third = article("2003", "Cut off")
    report = store.load("cut.xml.gz", cut_gzip(pubmed(article("2001", "Good one"), third), third))
    [graph] = [s["graph"] for s in store.kg.sources() if s["label"] == "cut.xml.gz"]
    stored = store.kg.sparql(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}").rows[0][0]
    assert report.status == "failed" and int(stored) > 0
    assert report.triples == int(stored)


# --- once through the command line -----------------------------------------------------------------------------------

def test_cli_reports_each_bad_file_and_loads_the_rest(tmp_path: Path) -> None:
    before = Store(tmp_path)  # the baseline, loaded through the API
    before.kg.close()
    third = article("2003", "Cut off")
    text = pubmed(article("2001", "Good one"), article("2002", "Good two"), third)
    broken = pubmed(article("2004", "Good four"), article("2005", "Broken <i>title</b>"))
    files = {"cut.xml.gz": cut_gzip(text, third), "noid.json": works(GOOD_WORK, '{"title": ["No DOI"]}', LAST_WORK),
             "empty.txt": b"", "broken.xml": broken}
    paths = [before.write(name, data) for name, data in files.items()]
    done = subprocess.run([sys.executable, "-m", "kg", "load", "--store", str(tmp_path / "store"), *map(str, paths)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1 and done.stdout == ""
    cut_path, noid_path, empty_path, broken_path = paths
    line = line_of(broken, "Broken")
    expected = [  # each file's summary line, then what went wrong with it, in the order given
        (f"{cut_path}: pubmed-xml, 2 records read, 2 articles",
         f"  failed: {cut_path}:{line_of(text, third)}: cannot read the input: Compressed file ended before the "
         "end-of-stream marker was reached"),
        (f"{noid_path}: crossref-json, 3 records read, 2 articles", "  skipped work 2 (line 3): no DOI"),
        (f"{empty_path}: ?, 0 records read", f"  failed: {empty_path}: the input is empty"),
        (f"{broken_path}: pubmed-xml, 1 records read, 1 articles",
         f"  failed: {broken_path}:{line}: malformed XML: Opening and ending tag mismatch: i line {line} and b"),
    ]
    lines, position = done.stderr.splitlines(), 0
    for summary, problem in expected:
        found = next(i for i in range(position, len(lines)) if lines[i].startswith(summary))
        assert lines[found + 1] == problem, done.stderr
        position = found + 2
    assert lines[-4].startswith("total: 6 records, 5 articles, 0 citations, 1 skipped"), done.stderr
    assert lines[-3:] == [f"kg: {problem.removeprefix('  failed: ')}" for _, problem in expected
                          if problem.startswith("  failed")]  # each failure once more as the one line kg: says
    after = Store(tmp_path)  # the same store again: the baseline is unchanged, so not loaded again
    try:
        assert after.graph == before.graph and after.before == before.before
        assert after.titled() == BASE | {"2001", "2002", "2004", "10.1000/good.1", "10.1000/good.3"}
    finally:
        after.kg.close()
