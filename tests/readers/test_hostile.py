"""Hostile inputs, generated as they are read, for every reader, each read in a child process whose address space
is capped (RLIMIT_AS): millions of elements, values and lines that are not records or that swell one record, fields
over their limits, a line or a string that never ends. Each must be read in bounded memory, refused with a message
naming the record (or the line, for a line no record can hold), and never in quadratic time (each case is a few
MB to 64 MB: a quadratic reader would not finish within the test's timeout)."""

from __future__ import annotations

import io
import json
import resource
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kg.readers.limits import ABSTRACT, RECORD_BYTES, TITLE

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the peak memory in /proc")

CAP = 640 << 20  # the child's address space: Python and the readers' libraries take ~70 MB of it
CEILING = 320 << 20  # the most resident memory any case may take (README: Reliability)
MANY = 5_000_000  # elements, values or lines: ~500 MB as a tree of lxml elements or Python objects
HUGE = 64 << 20  # characters of one value: the Crossref title that took 24 s

Case = Callable[[], Iterator[bytes]]


def _repeat(part: bytes, count: int, *, before: bytes = b"", after: bytes = b"") -> Iterator[bytes]:
    yield before
    block = part * (1 << 16 if len(part) < 16 else 4096)
    for _ in range(count * len(part) // len(block)):
        yield block
    yield after


PUBMED = (b"<PubmedArticle><MedlineCitation><PMID>%s</PMID><Article><ArticleTitle>%s</ArticleTitle>"
          b"<Abstract><AbstractText>%s</AbstractText></Abstract></Article></MedlineCitation></PubmedArticle>")
JATS = (b'<article><front><article-meta><article-id pub-id-type="pmid">%s</article-id><title-group><article-title>'
        b"%s</article-title></title-group><abstract><p>%s</p></abstract></article-meta></front>")
CROSSREF = b'{"DOI": "10.1000/%s", "title": ["%s"], "abstract": "%s"}'
MEDLINE = b"PMID- %s\nTI  - %s\nAB  - %s\n"
RIS = b"TY  - JOUR\nDO  - 10.1000/%s\nTI  - %s\nAB  - %s\n"
BIBTEX = b"@article{k%s, doi = {10.1000/%s}, title = {%s}, abstract = {%s}}\n"
CSV_HEADER = b"id,title,author,pub_date,venue,volume,issue,page,type,publisher,editor\n"
PAGE = b"%s\n\nOverview\nJournal J\nPMID %s\nAbstract\n\n%s\n\nCiting Articles\n"


def _long_title(template: bytes, length: int = TITLE + 10) -> bytes:
    """A record holding a title one over the limit (and an ordinary abstract), then a good record."""
    return b"".join(template % (pmid, title, b"An abstract.") for pmid, title in
                    ((b"11111111", b"t" * length), (b"22222222", b"A good title.")))


def _long_abstract(template: bytes) -> bytes:
    return template % (b"11111111", b"A title.", b"a" * (ABSTRACT + 10)) + template % (b"22222222", b"T.", b"A.")


def _bib(pmid: bytes, title: bytes, abstract: bytes) -> bytes:
    return BIBTEX % (pmid, pmid, title, abstract)


def _csv_row(doi: bytes, title: bytes) -> bytes:
    return b'"doi:10.1000/%s","%s","Doe, Jane","2020","","","","","journal article","",""\n' % (doi, title)


CASES: dict[str, dict[str, tuple[Case, str]]] = {
    "pubmed-xml": {
        "empty elements outside any record": (lambda: _repeat(b"<x/>", MANY, before=b"<PubmedArticleSet>",
                                                              after=PUBMED % (b"1", b"T", b"A") + b"</PubmedArticleSet>"),
                                              "Article PMID 1"),
        "empty elements inside one record": (lambda: _repeat(b"<x/>", MANY, before=b"<PubmedArticleSet><PubmedArticle>"
                                                             b"<MedlineCitation><PMID>7</PMID>",
                                                             after=b"</MedlineCitation></PubmedArticle>"
                                                             + PUBMED % (b"8", b"T", b"A") + b"</PubmedArticleSet>"),
                                             "Skipped PMID 7: the record is over 16 MB or 1,000,000 tags and attributes"),
        "a title over its limit": (lambda: iter([b"<PubmedArticleSet>", _long_title(PUBMED), b"</PubmedArticleSet>"]),
                                   "Skipped PMID 11111111: the title is 1,000,010 characters long"),
        "an abstract over its limit": (lambda: iter([b"<PubmedArticleSet>", _long_abstract(PUBMED).replace(
            b"a" * 1000, b"a" * 999 + b"<i>a</i>"), b"</PubmedArticleSet>"]),  # libxml2 refuses one text of 10 MB
                                       "Skipped PMID 11111111: the abstract is 10,000,010 characters long"),
        "a text over libxml2's limit": (lambda: iter([b"<PubmedArticleSet>", _long_abstract(PUBMED),
                                                      b"</PubmedArticleSet>"]),
                                        "error ReaderError: hostile:1: a text of over 10 MB in one piece"),
        "an attribute that never ends": (lambda: _repeat(b"a", HUGE, before=b'<PubmedArticleSet><x y="'),
                                         "hostile:1: no element begins or ends in 16 MB (a tag or a value that "
                                         "goes on): more than kg reads"),
        "elements under another root": (lambda: _repeat(b"<x/>", MANY, before=b"<Other><y>"),
                                        "over 100,000 tags and attributes with no element ending"),
        "a tag of endless attributes": (lambda: _repeat(b" a=''", MANY, before=b"<PubmedArticleSet><x"),
                                        "more than kg reads"),
    },
    "jats-xml": {
        "empty elements in the body": (lambda: _repeat(b"<p/>", MANY, before=JATS % (b"1", b"T", b"A") + b"<body>",
                                                       after=b"</body></article>"), "Article PMID 1"),
        "empty elements in the front": (lambda: _repeat(b"<x/>", MANY, before=b'<article><front><article-meta>'
                                                        b'<article-id pub-id-type="pmid">7</article-id>',
                                                        after=b"</article-meta></front></article>"),
                                        "Skipped PMID 7: the record is over 16 MB or 1,000,000 tags and attributes"),
        "a title over its limit": (lambda: iter([b"<pmc-articleset>", b"</article>".join(
            (JATS % (p, t, b"A") for p, t in ((b"11111111", b"t" * (TITLE + 10)), (b"22222222", b"T")))),
            b"</article></pmc-articleset>"]), "Skipped PMID 11111111: the title is 1,000,010 characters long"),
    },
    "crossref-json": {
        "a 64 MB title": (lambda: _repeat(b"t", HUGE, before=b'{"items": [{"DOI": "10.1000/1", "title": ["',
                                          after=b'"]}, ' + CROSSREF % (b"2", b"T", b"A") + b"]}"),
                          "error ReaderError: hostile:1, DOI 10.1000/1: no JSON value ends in 16 MB"),
        "a title over its limit": (lambda: iter([b'{"items": [', CROSSREF % (b"1", b"t" * (TITLE + 10), b"A"), b", ",
                                                 CROSSREF % (b"2", b"T", b"A"), b"]}"]),
                                   "Skipped DOI 10.1000/1: the title is 1,000,010 characters long"),
        "empty objects inside one work": (lambda: _repeat(b"{},", MANY, before=b'{"items": [{"DOI": "10.1000/1", "x": [',
                                                          after=b'{}]}, ' + CROSSREF % (b"2", b"T", b"A") + b"]}"),
                                          "Skipped DOI 10.1000/1: the work is over 16 MB or 1,000,000 JSON values"),
        "empty arrays outside the works": (lambda: _repeat(b"[],", MANY, before=b'{"items": ['
                                                           + CROSSREF % (b"2", b"T", b"A") + b'], "x": [',
                                                           after=b"[]]}"), "Article DOI 10.1000/2"),
        "spaces that never end": (lambda: _repeat(b" ", HUGE, before=b'{"items": ['),
                                  "no JSON value ends in 16 MB"),
    },
    "medline": {
        "a line that never ends": (lambda: _repeat(b"t", HUGE, before=b"PMID- 1\nTI  - "),
                                   "the line is over 16 MB long: more than kg reads"),
        "continuation lines inside one record": (lambda: _repeat(b"      a\n", MANY, before=b"PMID- 7\nAB  - a\n",
                                                                 after=b"\n" + MEDLINE % (b"8", b"T", b"A")),
                                                 "Skipped PMID 7: the record is over 16 MB or 1,000,000 lines"),
        "blank lines between records": (lambda: _repeat(b"\n", MANY, after=MEDLINE % (b"1", b"T", b"A")),
                                        "Article PMID 1"),
        "a title over its limit": (lambda: iter([_long_title(MEDLINE).replace(b"\nPMID- 2", b"\n\nPMID- 2")]),
                                   "Skipped PMID 11111111: the title is 1,000,010 characters long"),
    },
    "ris": {
        "a line that never ends": (lambda: _repeat(b"t", HUGE, before=b"TY  - JOUR\nTI  - "),
                                   "the line is over 16 MB long: more than kg reads"),
        "continuation lines inside one entry": (lambda: _repeat(b"a\n", MANY, before=b"TY  - JOUR\nDO  - 10.1000/7\n"
                                                                b"AB  - a\n", after=b"ER  - \n" + RIS % (b"8", b"T", b"A")
                                                                + b"ER  - \n"),
                                                "Skipped entry 1 (line 1): the record is over 16 MB or 1,000,000 lines"),
        "a title over its limit": (lambda: iter([_long_title(RIS).replace(b"TY", b"ER  - \nTY")[7:] + b"ER  - \n"]),
                                   "Skipped entry 1 (line 1): the title is 1,000,010 characters long"),
    },
    "bibtex": {
        "a file over the limit": (lambda: _repeat(b" ", HUGE, before=_bib(b"1", b"T", b"A")),
                                  "a BibTeX file is read whole, and this one is over 16 MB"),
        "a title over its limit": (lambda: iter([_bib(b"1", b"t" * (TITLE + 10), b"A"), _bib(b"2", b"T", b"A")]),
                                   "Skipped k1: the title is 1,000,010 characters long"),
    },
    "opencitations-csv": {
        "a line that never ends": (lambda: _repeat(b"t", HUGE, before=CSV_HEADER + b'"doi:10.1000/1","'),
                                   "the line is over 16 MB long: more than kg reads"),
        "a quoted field over many lines": (lambda: _repeat(b"a\n", HUGE // 2, before=CSV_HEADER + b'"doi:10.1000/1","'),
                                           "a field of over 16 MB: more than kg reads"),
        "commas that never end": (lambda: _repeat(b",", RECORD_BYTES - 100, before=CSV_HEADER,
                                                  after=b"\n" + _csv_row(b"2", b"T")),
                                  "Article row 2 (doi:10.1000/2)"),
        "a title over its limit": (lambda: iter([CSV_HEADER, _csv_row(b"1", b"t" * (TITLE + 10)), _csv_row(b"2", b"T")]),
                                   "Skipped row 1 (doi:10.1000/1): the title is 1,000,010 characters long"),
    },
    "article-page": {
        "a line that never ends": (lambda: _repeat(b"t", HUGE, before=b"Overview\nPMID: 1\n\n"),
                                   "the line is over 16 MB long: more than kg reads"),
        "lines before the citing articles": (lambda: _repeat(b"a\n", MANY, before=b"Overview\nPMID: 1\n\nT\n\n"),
                                             "the page's article (before its Citing Articles) is over 16 MB or "
                                             "1,000,000 lines"),
        "a title over its limit": (lambda: iter([PAGE % (b"t" * (TITLE + 10), b"11111111", b"An abstract.")]),
                                   "Skipped page PMID 11111111: the title is 1,000,010 characters long"),
    },
}


class _Generated(io.RawIOBase):
    """A read-only stream over the pieces a generator yields, never holding more than one."""

    def __init__(self, pieces: Iterator[bytes]) -> None:
        self.pieces, self.held = pieces, b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        while not self.held:
            self.held = next(self.pieces, None)
            if self.held is None:
                self.held = b""
                return 0
        n = min(len(buffer), len(self.held))
        buffer[:n], self.held = self.held[:n], self.held[n:]
        return n


def _child(name: str, case: str) -> None:
    """Reads one case and prints what came out and the peak resident memory, as JSON."""
    from kg.readers import READERS
    from kg.records import Skipped

    lines, error = [], None
    try:
        for record in READERS[name].read(io.BufferedReader(_Generated(CASES[name][case][0]()), 1 << 16), "hostile"):
            lines.append(f"{type(record).__name__} {record.record_id}"
                         + (f": {record.reason}" if isinstance(record, Skipped) else ""))
    except Exception as exc:  # noqa: BLE001 - reported to the test, which says what it expected
        error = f"{type(exc).__name__}: {exc}"
    print(json.dumps({"records": lines, "error": error, "peak": _peak()}))


def _peak() -> int:
    """This process's peak resident memory in bytes: VmHWM, which starts afresh at exec (ru_maxrss keeps the
    peak of the process that forked this one, pytest's, when it is higher)."""
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) << 10 for line in status if line.startswith("VmHWM:"))


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CAP, CAP))


@pytest.mark.parametrize(("name", "case"), [(n, c) for n, cases in CASES.items() for c in cases])
def test_hostile_input_is_read_in_bounded_memory(name: str, case: str) -> None:
    done = subprocess.run([sys.executable, __file__, name, case], capture_output=True, text=True, timeout=240,
                          preexec_fn=_capped)
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout)
    outcome = "\n".join(found["records"] + [f"error {found['error']}"] * bool(found["error"]))
    assert CASES[name][case][1] in outcome, outcome[:2000]
    assert "MemoryError" not in outcome and "Memory allocation failed" not in outcome
    assert found["peak"] < CEILING, f"{found['peak'] >> 20} MB"
    print(f"{name}: {case}: peak {found['peak'] >> 20} MB")  # the figures the README gives (pytest -s)


def test_the_readme_states_the_limits() -> None:
    from kg.readers import limits

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    stated = [f"| an article's title | {limits.TITLE:,} characters |", f"| an abstract | {limits.ABSTRACT:,} characters |",
              f"| {limits.TEXT:,} characters |", f"| {limits.size(limits.RECORD_BYTES)} or {limits.RECORD_ITEMS:,} parts",
              f"| {limits.size(limits.BIBTEX_BYTES)} |", f"| one source (`--max-bytes`) | {limits.size(limits.MAX_BYTES)} |"]
    assert [text for text in stated if text not in readme] == []


if __name__ == "__main__":
    _child(*sys.argv[1:3])
