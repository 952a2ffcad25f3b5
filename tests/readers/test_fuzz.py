"""Fuzzing every reader: whatever the bytes, reading ends in records or in a KgError naming the file.

Each reader gets random bytes, mutations of a small valid document of its format (cut, flipped, inserted,
deleted and repeated bytes, odd and huge values, other encodings, gzip whole, cut or damaged) and long runs of
one character, through the loader's own entry: ``open_input``, every sniffer, then ``reader.read`` consumed to
the end. Never another exception, never a hang (an alarm fails the example), never runaway memory (the
process's peak resident size is watched). What fuzzing found is kept as explicit examples at the end.

The runs are derandomized and keep no example database, so CI sees the same inputs every time;
``KG_FUZZ_EXAMPLES=3000`` explores more (still derandomized: the same larger set each time).
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import re
import resource
import signal
import zlib
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from kg.errors import KgError
from kg.readers import READERS, open_input, sniffable
from kg.records import Article, Citation, Deletion, Skipped

SOURCE = "fuzzed-input"
HANG_SECONDS = 10  # one small input taking this long is a hang, not slowness
MEMORY_GROWTH = 512 << 20  # bytes of peak resident size one example may add; inputs are at most ~1 MB
EXAMPLES = int(os.environ.get("KG_FUZZ_EXAMPLES", "300"))  # mutations per reader; fewer random and long-run inputs

# No per-example deadline: on two busy shared cores it fails slow-but-linear inputs at random, and it cannot stop
# a real hang (it is checked after the example returns); the SIGALRM in read_all does, at HANG_SECONDS.
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# --- one small valid document per format (two for OpenCitations: metadata and citations) ------------------------

PUBMED_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2019//EN" "pubmed_190101.dtd">
<PubmedArticleSet>
<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">21933757</PMID>
<Article PubModel="Print"><Journal><ISSN IssnType="Electronic">1952-4021</ISSN>
<JournalIssue CitedMedium="Internet"><Volume>24</Volume><Issue>3</Issue>
<PubDate><Year>2011</Year><Month>Sep</Month><Day>22</Day></PubDate></JournalIssue>
<Title>Magnesium research</Title><ISOAbbreviation>Magnes Res</ISOAbbreviation></Journal>
<ArticleTitle>Magnesium and cancer: a <i>dangerous</i> liason.</ArticleTitle>
<Pagination><MedlinePgn>92-100</MedlinePgn></Pagination>
<ELocationID EIdType="doi" ValidYN="Y">10.1684/mrh.2011.0292</ELocationID>
<Abstract><AbstractText Label="BACKGROUND">A complex relationship.</AbstractText>
<AbstractText>More.</AbstractText></Abstract>
<AuthorList CompleteYN="Y"><Author ValidYN="Y"><LastName>Wolf</LastName><ForeName>Federica I</ForeName>
<Initials>FI</Initials><Identifier Source="ORCID">0000-0002-1825-0097</Identifier>
<AffiliationInfo><Affiliation>Rome, Italy.</Affiliation></AffiliationInfo></Author>
<Author ValidYN="Y"><CollectiveName>The Magnesium Group</CollectiveName></Author></AuthorList>
<Language>eng</Language><PublicationTypeList><PublicationType UI="D016428">Journal Article</PublicationType>
</PublicationTypeList><ArticleDate DateType="Electronic"><Year>2011</Year><Month>09</Month><Day>20</Day></ArticleDate>
</Article><MedlineJournalInfo><MedlineTA>Magnes Res</MedlineTA><NlmUniqueID>8900948</NlmUniqueID>
<ISSNLinking>0953-1424</ISSNLinking></MedlineJournalInfo></MedlineCitation>
<PubmedData><History><PubMedPubDate PubStatus="pubmed"><Year>2011</Year><Month>9</Month><Day>22</Day></PubMedPubDate>
</History><ArticleIdList><ArticleId IdType="pubmed">21933757</ArticleId>
<ArticleId IdType="doi">10.1684/mrh.2011.0292</ArticleId>
<ArticleId IdType="pmc">PMC3456789</ArticleId></ArticleIdList>
<ReferenceList><Reference><Citation>Doe J. A cited work. 2001.</Citation><ArticleIdList>
<ArticleId IdType="pubmed">11111111</ArticleId></ArticleIdList></Reference></ReferenceList></PubmedData></PubmedArticle>
<PubmedArticle><MedlineCitation><PMID Version="1">21933758</PMID><Article><Journal><JournalIssue>
<PubDate><MedlineDate>2011 Spring</MedlineDate></PubDate></JournalIssue></Journal><ArticleTitle>Second.</ArticleTitle>
</Article></MedlineCitation></PubmedArticle>
<PubmedBookArticle><BookDocument><PMID Version="1">20301295</PMID></BookDocument></PubmedBookArticle>
<DeleteCitation><PMID Version="1">111</PMID></DeleteCitation>
</PubmedArticleSet>
"""

JATS_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Archiving and Interchange DTD v1.2 20190208//EN" "x.dtd">
<article article-type="research-article" xmlns:xlink="http://www.w3.org/1999/xlink"><front><journal-meta>
<journal-id journal-id-type="nlm-ta">Sci Rep</journal-id><journal-title-group><journal-title>Scientific Reports
</journal-title></journal-title-group><issn pub-type="epub">2045-2322</issn></journal-meta><article-meta>
<article-id pub-id-type="pmid">39922926</article-id><article-id pub-id-type="pmc">PMC11807168</article-id>
<article-id pub-id-type="doi">10.1038/s41598-025-89506-y</article-id>
<title-group><article-title>Association between <italic>magnesium</italic> depletion</article-title></title-group>
<contrib-group><contrib contrib-type="author"><contrib-id contrib-id-type="orcid">https://orcid.org/0000-0002-1825-0097
</contrib-id><name><surname>Gong</surname><given-names>H</given-names></name><xref ref-type="aff" rid="A1"/></contrib>
<contrib contrib-type="author"><collab>A consortium</collab></contrib></contrib-group>
<aff id="A1"><label>1</label>Some University</aff>
<pub-date pub-type="epub"><day>7</day><month>2</month><year>2025</year></pub-date>
<pub-date pub-type="collection"><season>Spring</season><year>2025</year></pub-date>
<volume>15</volume><issue>1</issue><elocation-id>4801</elocation-id>
<abstract><sec><title>Background</title><p>Text &amp; more.</p></sec></abstract></article-meta></front>
<body><p>Body</p><sub-article><front><article-meta><article-id pub-id-type="pmid">1</article-id></article-meta>
</front></sub-article></body>
<back><ref-list><ref id="R1"><mixed-citation>Ref one. <pub-id pub-id-type="doi">10.1000/xyz</pub-id></mixed-citation>
</ref><ref id="R2"><element-citation><person-group><name><surname>Doe</surname></name></person-group>
<year>2001</year><pub-id pub-id-type="pmid">11111111</pub-id></element-citation></ref></ref-list></back></article>
"""

MEDLINE = b"""PMID- 21933757
OWN - NLM
STAT- MEDLINE
DP  - 2011 Sep 22
TI  - Magnesium and cancer: a dangerous liason.
PG  - 92-100
LID - 10.1684/mrh.2011.0292 [doi]
AB  - A complex relationship links magnesium and cancer. The aim
      of this review.
FAU - Wolf, Federica I
AU  - Wolf FI
AUID- ORCID: 0000-0002-1825-0097
AD  - Rome, Italy.
CN  - The Magnesium Group
LA  - eng
PT  - Journal Article
DEP - 20110920
IS  - 1952-4021 (Electronic)
IS  - 0953-1424 (Linking)
VI  - 24
IP  - 3
TA  - Magnes Res
JT  - Magnesium research
JID - 8900948
PMC - PMC3456789
AID - 10.1684/mrh.2011.0292 [doi]

PMID- 21933758
OWN - NLM
DP  - 2011 Spring
TI  - Second.
AU  - Doe J
"""

CROSSREF_JSON = b"""{"status":"ok","message-type":"work-list","message-version":"1.0.0","message":{
"total-results":2,"items-per-page":2,"items":[
{"DOI":"10.1000/XYZ123","indexed":{"date-parts":[[2024,1,1]]},"title":["A <i>title</i> &amp; more"],
 "author":[{"given":"Ann","family":"Smith","ORCID":"http://orcid.org/0000-0002-1825-0097",
 "affiliation":[{"name":"Uni"}]},{"name":"A consortium"}],
 "issued":{"date-parts":[[2020,5,17]]},"published-print":{"date-parts":[[2020]]},
 "container-title":["Nature"],"short-container-title":["Nat"],"ISSN":["0028-0836"],
 "issn-type":[{"type":"print","value":"0028-0836"}],"volume":"577","issue":"7788","page":"1-2",
 "type":"journal-article","language":"en","is-referenced-by-count":3,
 "reference":[{"key":"r1","DOI":"10.1000/ref1"},{"key":"r2","unstructured":"Doe J. 2001."},
 {"key":"r3","author":"Roe","year":"1999","journal-title":"Cell","volume":"9","first-page":"1"}],
 "abstract":"<jats:title>Abstract</jats:title><jats:p>An abstract.</jats:p>"},
{"DOI":"10.1000/second","title":["Second"],"issued":{"date-parts":[[2021,13,40]]},"article-number":"e5"}
]}}
"""

OPENCITATIONS_META = (
    b"id,title,author,pub_date,venue,volume,issue,page,type,publisher,editor\n"
    b'"doi:10.1000/xyz omid:br/1 pmid:12345","A title","Smith, Ann [orcid:0000-0002-1825-0097]; Org [omid:ra/1]",'
    b'2020-05-17,"Nature [issn:0028-0836]",577,7788,1-2,journal article,"Springer [crossref:297]",\n'
    b'"pmid:23456","Second","",2021,"",,,e5,journal article,,\n')

OPENCITATIONS_INDEX = b"""oci,citing,cited,creation,timespan,journal_sc,author_sc
oci:1-2,doi:10.1000/a pmid:1,doi:10.1000/b,2020-01-05,P1Y2M,no,yes
oci:3-4,pmid:2,pmcid:PMC5,2019,-P2M,,
"""

RIS = b"""TY  - JOUR
AU  - Smith, Ann
AU  - Doe, J.
TI  - A title
T2  - Nature
J2  - Nat
PY  - 2020
DA  - 2020/05/17
VL  - 577
IS  - 7788
SP  - 1
EP  - 2
SN  - 0028-0836
DO  - 10.1000/xyz
UR  - https://pubmed.ncbi.nlm.nih.gov/12345/
N1  - Cited By :4
AD  - Uni
AB  - An <jats:p>abstract</jats:p>.
LA  - English
ER  - 

TY  - JOUR
TI  - Second
PY  - 2021///
DA  - SEP 10
UR  - https://doi.org/10.1000/second
ER  - 
"""

BIBTEX = b"""% exported
@string{jn = "Nature"}
@article{Smith2020,
  author = {Smith, Ann and Doe, J. and {World Health Organization} and others},
  title = {A {T}itle with \\'e and 85% of {\\&} things},
  journal = jn,
  year = {2020},
  month = may,
  day = {17},
  volume = {577},
  number = {7788},
  pages = {1--2},
  issn = {0028-0836},
  doi = {10.1000/xyz\\_1},
  pmid = {12345},
  note = {Cited By :4},
  affiliation = {Uni},
}
@article{Doe2021, title = "B", journal = "Cell", date = {2021-05}, url = {https://doi.org/10.1000/abc}}
"""

ARTICLE_PAGE = """\
\u00bb Articles \u00bb PMID: 12345678

A small page

Overview
Journal BMC Cancer
Date 2019 Mar
PMID 12345678
Citations 2
Authors
Wolf FI 1, 2
Affiliations
1. Rome
2. Milan
Abstract

First paragraph.

Citing Articles

A citing article.

Smith J, Van der Berg AB Nature. 2020 Jan 5; 577(7788):1-2.

PMID: 11111111 PMC: PMC222. DOI: 10.1000/ABC.


Another citing article.

Roe R Cell. 2021; 9:5.

PMID: 22222222
""".encode()

SEEDS: dict[str, list[bytes]] = {
    "pubmed-xml": [PUBMED_XML], "jats-xml": [JATS_XML], "medline": [MEDLINE], "article-page": [ARTICLE_PAGE],
    "crossref-json": [CROSSREF_JSON], "opencitations-csv": [OPENCITATIONS_META, OPENCITATIONS_INDEX],
    "ris": [RIS], "bibtex": [BIBTEX],
}

# Bytes worth putting anywhere: format punctuation, other encodings, odd digits, huge numbers, markup hazards.
ODD = [
    b"", b"\x00", b"\n", b"\r", b"\r\n", b"\n\n", b"\t", b" ", b"\xef\xbb\xbf", b"\xff\xfe", b"\xe9", b"\xc3",
    b"\xed\xa0\x80", b"\xf4\x90\x80\x80", "\u00b2".encode(), "\u0663\u0661".encode(), "\u2028".encode(),
    b"9" * 40, b"9" * 5000, b"-1", b"0", b"0000", b"99999", b"1.5e308", b"NaN", b"true", b"null",
    b"<", b">", b"</", b"/>", b"&", b"&#0;", b"&#xD800;", b"&bogus;", b"<![CDATA[", b"]]>", b"<!--", b"-->",
    b"<?pi x?>", b'<!DOCTYPE x [<!ENTITY a "b">]>', b"<x:y>", b"<article>", b"<PubmedArticle>", b"</PubmedArticle>",
    b'"', b"'", b"\\", b"\\ud800", b"\\u0000", b"{", b"}", b"[", b"]", b":", b",", b";", b"=", b"%", b"@", b"#",
    b"[" * 300, b"{" * 300, b"<a>" * 300, b"TY  - JOUR\n", b"ER  - \n", b"PMID- ", b"PMID- 1\n", b"AU  - ",
    b"@article{", b"@string{", b"Citing Articles\n", b"PMID: ", b"DOI: 10.", b"doi:10.1/", b"orcid:",
    b"2011 Spring", b"Spring", b"Feb 30", b"2011-02-30", b"0000-0000-0000-0000", b"Z" * 200, b" " * 2000,
]

# What a number, a date or a name in a document may become.
ODD_VALUES = [
    b"", b"0", b"00", b"-1", b"9" * 19, b"9" * 5000, "\u00b2".encode(), "\u0663\u0661\u0660\u0662".encode(),
    "\uff12\uff10\uff11\uff11".encode(), b"1e400", b"2011 Spring", b"Spring", b"Feb 30", b"2011-02-30", b"13",
    b"31", b"0000-0000-0000-0000", b"0028-0837", b"\xe9t\xe9", b"\xed\xa0\x80", b"\x00", b"&#0;", b"\\ud800",
    b"null", b"[]", b"{}", b"true", b"Z" * 5000,
]
_VALUE = re.compile(rb"\d+|[A-Za-z]{3,}")


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """``seed`` after a few cuts, flips, inserts, deletes and repeats, then maybe re-encoded or gzipped."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        end = min(len(data), at + draw(st.integers(0, 64)))
        action = draw(st.sampled_from(("cut", "flip", "insert", "replace", "delete", "repeat", "value", "value")))
        if action == "value":  # a number or a word of the document becomes an odd or huge value
            runs = [m.span() for m in _VALUE.finditer(data)]
            if runs:
                at, end = draw(st.sampled_from(runs))
                data[at:end] = draw(st.sampled_from(ODD_VALUES))
        elif action == "cut":
            del data[at:]
        elif action == "flip" and at < len(data):
            data[at] ^= draw(st.integers(1, 255))
        elif action == "insert":
            data[at:at] = draw(st.sampled_from(ODD) | st.binary(max_size=16))
        elif action == "replace":
            data[at:end] = draw(st.sampled_from(ODD))
        elif action == "delete":
            del data[at:end]
        elif action == "repeat":
            data[at:at] = bytes(data[at:end]) * draw(st.integers(2, 2000))
    return _wrapped(draw, bytes(data))


def _wrapped(draw: st.DrawFn, data: bytes) -> bytes:
    """The bytes as they are, in another encoding, or gzipped (whole, cut short, or with a damaged byte)."""
    how = draw(st.sampled_from(("as is",) * 6 + ("utf-16", "latin-1", "cp1252", "gzip", "cut gzip", "bad gzip")))
    if how in ("utf-16", "latin-1", "cp1252"):
        return data.decode("utf-8", "replace").encode(how, "replace")
    if how == "gzip":
        return gzip.compress(data, mtime=0)
    packed = gzip.compress(data, mtime=0)
    at = draw(st.integers(0, len(packed) - 1))
    if how == "cut gzip":
        return packed[:at]
    return packed[:at] + bytes([packed[at] ^ draw(st.integers(1, 255))]) + packed[at + 1:]


# --- reading, as the loader does --------------------------------------------------------------------------------

class Hang(Exception):
    pass


@contextlib.contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def ring(signum, frame):  # noqa: ARG001
        raise Hang(f"reading took over {seconds} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _peak() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux


def read_all(name: str, data: bytes) -> tuple[list, KgError | None]:
    """What ``name``'s reader gives for ``data`` as the loader reads a file (open_input, every sniffer, then the
    reader to the end): the records, and the KgError that ended them if one did. Any other exception, a hang or
    a jump in peak memory fails the test."""
    before, records = _peak(), []
    try:
        with _alarm(HANG_SECONDS):
            stream, head = open_input(SOURCE, io.BufferedReader(io.BytesIO(data)))
            sniffable(head)
            for record in READERS[name].read(stream, SOURCE):
                assert isinstance(record, Article | Citation | Deletion | Skipped), type(record)
                if isinstance(record, Skipped):
                    assert record.record_id.strip() and record.reason.strip(), record
                records.append(record)
    except KgError as exc:
        assert exc.source == SOURCE, f"the error does not name the file: {exc}"
        assert exc.message.strip(), "an error without a message"
        return records, exc
    finally:
        assert _peak() - before < MEMORY_GROWTH, "reading grew the process by over 512 MB"
    return records, None


def outcome(name: str, data: bytes) -> str:
    """One line per record (its kind, id and, when skipped, why) and one for the error, if any."""
    records, error = read_all(name, data)
    lines = [f"{type(r).__name__} {r.record_id}" + (f": {r.reason}" if isinstance(r, Skipped) else "")
             for r in records]
    return "\n".join(lines + ([f"error {error}"] if error else []))


@pytest.mark.parametrize("name", sorted(READERS))
def test_seeds_are_valid(name: str) -> None:
    """The seeds read cleanly, so the mutations start from a document the reader accepts."""
    for seed in SEEDS[name]:
        records, error = read_all(name, seed)
        assert error is None and any(isinstance(r, Article | Citation) for r in records), (records, error)


def test_every_reader_has_a_seed() -> None:
    assert set(SEEDS) == set(READERS)


@pytest.mark.parametrize("name", sorted(READERS))
@settings(FUZZ, max_examples=EXAMPLES // 3)
@given(data=st.binary(max_size=4096))
def test_random_bytes(name: str, data: bytes) -> None:
    read_all(name, data)


@pytest.mark.parametrize("name", sorted(READERS))
@FUZZ
@given(data=st.data())
def test_mutated_seed(name: str, data: st.DataObject) -> None:
    seed = data.draw(st.sampled_from(SEEDS[name]), label="seed")
    read_all(name, data.draw(mutated(seed), label="input"))


LONG = 100_000  # a run this long makes a quadratic regex take minutes, and a linear reader a blink


@pytest.mark.parametrize("name", sorted(READERS))
@settings(FUZZ, max_examples=max(4, EXAMPLES // 30))
@given(data=st.data())
def test_long_runs(name: str, data: st.DataObject) -> None:
    """A long run of one character (or pair) after a value of the document: no quadratic slowdown, no blowup."""
    seed = data.draw(st.sampled_from(SEEDS[name]), label="seed")
    at = data.draw(st.sampled_from(sorted({m.end() for m in _VALUE.finditer(seed)})), label="after")
    unit = data.draw(st.sampled_from([b" ", b"\t", b"9", b"a ", b"-", b";", b"[", b"{", b"<", b"(", b" \n", b"\\"]),
                     label="run of")
    read_all(name, seed[:at] + unit * (LONG // len(unit)) + seed[at:])


# --- what fuzzing found: each once a crash, a hang or a blowup; now records or a KgError as stated -------------------

def _cut_gzip(text: bytes, at: bytes) -> bytes:
    """``text`` gzipped and cut just after a flush at ``at``: a truncated file whose start is readable."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    packed = packer.compress(text[: text.index(at)]) + packer.flush(zlib.Z_FULL_FLUSH)
    return packed + packer.compress(text[text.index(at):])[:10]


def _line_of(text: bytes, at: bytes) -> int:
    return text[: text.index(at)].count(b"\n") + 1


SECOND_PMID = b'<PubmedArticle><MedlineCitation><PMID Version="1">21933758'
SECOND_DOI = b'{"DOI":"10.1000/second"'


def _set(text: bytes, old: bytes, new: bytes) -> bytes:
    assert old in text, old
    return text.replace(old, new, 1)


@settings(phases=[Phase.explicit], deadline=None, database=None)
@given(name=st.sampled_from(sorted(READERS)), data=st.binary(), expected=st.text())
# A truncated gzip file: the records before the break, then an error at the line where the text breaks off
# (the article page reader let EOFError, zlib.error and BadGzipFile escape; XML readers lost what lxml had read).
@example(name="article-page", data=_cut_gzip(ARTICLE_PAGE, b"Another citing"),
         expected="Article page PMID 12345678\nArticle citing entry 1 (PMID 11111111)\nCitation citing entry 1 "
                  "(PMID 11111111) cites PMID 12345678\n"
                  f"error fuzzed-input:{_line_of(ARTICLE_PAGE, b'Another citing')}: cannot read the input: "
                  "Compressed file ended before the end-of-stream marker was reached")
@example(name="pubmed-xml", data=_cut_gzip(PUBMED_XML, SECOND_PMID),
         expected=f"Article PMID 21933757\nerror fuzzed-input:{_line_of(PUBMED_XML, SECOND_PMID)}: cannot read")
@example(name="crossref-json", data=_cut_gzip(CROSSREF_JSON, SECOND_DOI),
         expected=f"Article DOI 10.1000/xyz123\nerror fuzzed-input:{_line_of(CROSSREF_JSON, SECOND_DOI)}: cannot read")
# RIS: a line right after TY that is no tag line (rispy raised KeyError), and a blank one (the same, before)
@example(name="ris", data=b"TY  - JOUR\n  continued\nDO  - 10.1000/xyz\nER  - \n",
         expected="Skipped entry 1 (line 1): line 2: '  continued' follows the TY line but is not a 'XX  - value' "
                  "tag line")
@example(name="ris", data=b"TY  - JOUR\n\nDO  - 10.1000/xyz\nER  - \n", expected="Article entry 1 (line 1)")
# Integers past what int() or datetime take: OverflowError and ValueError escaped the readers; now the
# impossible day is dropped (PartialDate.best) and the record loads with its year and month
@example(name="bibtex", data=_set(BIBTEX, b"day = {17}", b"day = {" + b"9" * 20 + b"}"),
         expected="Article Smith2020\nArticle Doe2021")
@example(name="pubmed-xml", data=_set(PUBMED_XML, b"<Day>22</Day>", b"<Day>" + b"9" * 20 + b"</Day>"),
         expected="Article PMID 21933757\n")
@example(name="jats-xml", data=_set(JATS_XML, b"<day>7</day>", b"<day>" + b"9" * 20 + b"</day>"),
         expected="Article PMC11807168")
@example(name="ris", data=_set(RIS, b"Cited By :4", b"Cited By :" + b"9" * 5000),
         expected="Skipped entry 1 (line 1): unreadable entry: Exceeds the limit (4300 digits)")
@example(name="article-page", data=_set(ARTICLE_PAGE, b"Citations 2", b"Citations " + b"9" * 5000),
         expected="error fuzzed-input, page PMID 12345678: unreadable citation count: Exceeds the limit")
# A digit that is no decimal ("\u00b2") passed isdigit() and broke int(): now it is no number, as "x" is not
@example(name="bibtex", data=_set(BIBTEX, b"day = {17}", "day = {\u00b2}".encode()),
         expected="Article Smith2020\nArticle Doe2021")
# Crossref JSON: an integer of 4301+ digits crashed the process in ijson's C backend (no exception: a segfault)
@example(name="crossref-json", data=b"9" * 5000, expected="error fuzzed-input:1: an integer too large to read")
@example(name="crossref-json", data=_set(CROSSREF_JSON, b'"is-referenced-by-count":3',
                                         b'"is-referenced-by-count":' + b"9" * 5000),
         expected="error fuzzed-input:9: an integer too large to read")
# ... a key with UTF-8 past U+10FFFF, which yajl passes and Python's decoder refuses (UnicodeDecodeError)
@example(name="crossref-json", data=_set(CROSSREF_JSON, b'"indexed"', b'"i\xf4\x90\x80\x80dexed"'),
         expected="error fuzzed-input:3: not UTF-8 text: invalid continuation byte")
# ... and deep nesting: ijson keeps a prefix per level, 16 KB of "[" took over 600 MB
@example(name="crossref-json", data=b'{"items":[' + b"[" * 16_000, expected="JSON nested deeper than 64 levels")
@example(name="crossref-json", data=b"[" * 8192, expected="error fuzzed-input:1: JSON nested deeper than 64 levels")
# XML nested past libxml2's limit: its message told the reader to set a parser option; now it says what is too big
@example(name="jats-xml", data=_set(JATS_XML, b"<body>", b"<body>" + b"<a>" * 3000),
         expected=f"error fuzzed-input:{_line_of(JATS_XML, b'<body>')}: elements nested deeper than 256 levels: "
                  "more than kg reads (README: Reliability)\n")
# Quadratic (or exponential) regular expressions, each minutes on these inputs (now over the field limits too)
@example(name="ris", data=b" \n" * 5000 + RIS, expected="Article entry 1 (line 5001)")
@example(name="pubmed-xml", data=_set(PUBMED_XML, b"PMC3456789", b"PMC3456789" + b";" * LONG + b"x"),
         expected="Article PMID 21933757")
@example(name="article-page", data=_set(ARTICLE_PAGE, b"Journal BMC", b"Journal BMC" + b" " * LONG + b"x"),
         expected="Skipped page PMID 12345678: the journal's nlm abbreviation is 100,011 characters long")
@example(name="article-page", data=_set(ARTICLE_PAGE, b"Wolf FI", b"Wolf FI" + b"9" * LONG + b"x"),
         expected="Skipped page PMID 12345678: author 1's name is 100,008 characters long")
@example(name="article-page", data=_set(ARTICLE_PAGE, b"577(7788)", b"577" + b" " * LONG + b"x(7788)"),
         expected="Skipped citing entry 1 (PMID 11111111): the volume is 100,004 characters long")
@example(name="opencitations-csv", data=_set(OPENCITATIONS_META, b'"Smith', b'"Smith' + b" " * LONG + b"x"),
         expected="Skipped row 1 (doi:10.1000/xyz): author 1's family name is 100,006 characters long")
# BibTeX: every author looked up by key in a list of all of them (quadratic: 10,000 authors took a minute)
@example(name="bibtex", data=b"@article{k, doi = {10.1000/xyz}, author = {"
         + b" and ".join(b"Family%d, Given%d" % (n, n) for n in range(10_000)) + b"}}", expected="Article k")
def test_found_by_fuzzing(name: str, data: bytes, expected: str) -> None:
    assert expected in outcome(name, data) + "\n"  # an expected text ending in a newline ends a line
