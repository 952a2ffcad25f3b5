"""Read OpenCitations CSV (Meta metadata rows, Index/COCI citation rows, plain citing/cited pairs) into records."""

from __future__ import annotations

import csv
import io
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import BinaryIO

from kg.errors import IdentifierError, ReaderError
from kg.identifiers import normalise
from kg.readers.fields import clean, date_from_parts, family_first
from kg.readers.limits import RECORD_BYTES, limited, size
from kg.records import Article, Author, Citation, Identifier, Journal, Pages, PartialDate, Record, Scheme, Skipped

NAME = "opencitations-csv"

META = ("id", "title", "author", "pub_date", "venue", "volume", "issue", "page", "type", "publisher", "editor")
INDEX = ("oci", "citing", "cited", "creation", "timespan", "journal_sc", "author_sc")
INDEX_NO_OCI = INDEX[1:]
PAIRS = ("citing", "cited")
META_CITATIONS = ("citing_id", "citing_publication_date", "cited_id", "cited_publication_date")
OCC = ("citing", "referenced")  # NIH Open Citation Collection: read when asked for, not sniffed (its own format)
_SNIFFED = frozenset({META, INDEX, INDEX_NO_OCI, PAIRS, META_CITATIONS})
HEADERS = (META, INDEX, INDEX_NO_OCI, PAIRS, META_CITATIONS, OCC)
_ALIASES = {"citing_id": "citing", "cited_id": "cited", "referenced": "cited",
            "citing_publication_date": "citing_date", "cited_publication_date": "cited_date"}

_SCHEMES = {"doi": Scheme.DOI, "pmid": Scheme.PMID, "pmcid": Scheme.PMCID}
_CURIE = re.compile(r"([A-Za-z][A-Za-z0-9_-]*):(.*)")
_DOI_URL = re.compile(r"https?://(?:dx\.)?doi\.org/", re.IGNORECASE)
_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_DURATION = re.compile(r"-?P(?=.)(?:\d+Y)?(?:\d+M)?(?:\d+D)?(?:T(?=.)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?")
_BRACKETED = re.compile(r"(.*?)\[([^\[\]]*)\]")  # no \s* after the lazy name: quadratic on a run of spaces
_PEOPLE = re.compile(r"(?:[^;\[]|\[[^\]]*\]?)+")  # split on ';' outside [...]
_PAGE_RANGE = re.compile(r"\s*[-\u2010-\u2013]\s*")
_UNDECODABLE = re.compile("[\udc80-\udcff]")  # bytes that are not UTF-8, kept by surrogateescape


def sniff(head: bytes) -> bool:
    """True when the first line is one of the Meta, Index/COCI or citing/cited headers (BOM and quotes allowed)."""
    line = head.split(b"\n", 1)[0].rstrip(b"\r")
    try:
        cells = next(csv.reader([line.decode("utf-8-sig", errors="replace")]), [])
    except csv.Error:
        return False
    return _header(cells) in _SNIFFED


@limited
def read(stream: BinaryIO, source: str) -> Iterator[Record]:
    """One Article per Meta row or one Citation per citation row; a row lacking what it needs is Skipped."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
    csv.field_size_limit(RECORD_BYTES)  # (the default, 128 KiB, refused long titles and author lists)
    reader = csv.reader(_lines(text, source))
    try:
        yield from _records(reader, source)
    except csv.Error as exc:
        reason = f"a field of over {size(RECORD_BYTES)}: more than kg reads (README: Reliability)" \
            if "field limit" in str(exc) else f"malformed CSV: {exc}"
        raise ReaderError(reason, source=source, line=reader.line_num or None) from exc
    except (OSError, EOFError, zlib.error) as exc:  # a truncated or corrupt gzip stream
        raise ReaderError(f"cannot read the input: {exc}", source=source) from exc
    finally:
        try:
            text.detach()  # leave the caller's stream open
        except ValueError:
            pass


def _lines(text: io.TextIOWrapper, source: str) -> Iterator[str]:
    """The text's lines (ending in LF, CRLF or CR), each read at most RECORD_BYTES at a time; ReaderError for a
    longer one."""
    number = 0
    while line := text.readline(RECORD_BYTES + 1):
        number += 1
        if len(line) > RECORD_BYTES:
            raise ReaderError(f"the line is over {size(RECORD_BYTES)} long: more than kg reads (README: "
                              "Reliability)", source=source, line=number)
        yield line


def _header(cells: list[str]) -> tuple[str, ...]:
    return tuple(cell.strip(" \t\ufeff\"").lower() for cell in cells)


def _records(reader: csv.reader, source: str) -> Iterator[Record]:
    header = _read_header(reader, source)
    convert: Callable[[dict[str, str], str, int], Record] = _article if header == META else _citation
    keys = [_ALIASES.get(column, column) for column in header]
    end, number = reader.line_num, 0
    for row in reader:
        line, end = end + 1, reader.line_num
        if not row:
            continue  # a blank line is no row
        _check_decoded(row, source, line)
        number += 1
        record_id = f"row {number}"
        if len(row) != len(header):
            yield Skipped(record_id, f"{len(row)} fields, expected {len(header)} ({','.join(header)})", line)
            continue
        yield convert(dict(zip(keys, row)), record_id, line)


def _read_header(reader: csv.reader, source: str) -> tuple[str, ...]:
    """The first row as a known header; ReaderError naming the columns expected otherwise."""
    row = next(reader, None)
    if row is None:
        raise ReaderError("the file is empty: expected a header row", source=source, line=1)
    _check_decoded(row, source, reader.line_num)
    header = _header(row)
    if header not in HEADERS:
        expected = "; ".join(",".join(h) for h in HEADERS)
        raise ReaderError(f"not an OpenCitations CSV header: {','.join(header)!r} (expected one of: {expected})",
                          source=source, line=reader.line_num)
    return header


def _check_decoded(row: list[str], source: str, line: int) -> None:
    for cell in row:
        bad = _UNDECODABLE.search(cell)
        if bad:
            byte = ord(bad.group()) - 0xDC00
            raise ReaderError(f"not UTF-8 text (byte 0x{byte:02x})", source=source, line=line)


# --- rows -------------------------------------------------------------------------------------------------------

def _article(row: dict[str, str], record_id: str, line: int) -> Record:
    """An Article from a Meta row, or Skipped when its id column has no valid DOI, PMID or PMCID."""
    identifiers = _identifiers(row["id"])
    if not identifiers:
        return Skipped(record_id, _no_identifier("the id column", row["id"]), line)
    kind = _clean(row["type"])
    doi = next((i for i in identifiers if i.scheme is Scheme.DOI), identifiers[0])
    return Article(
        identifiers=identifiers,
        title=_clean(row["title"]),
        date=parse_date(row["pub_date"]),
        journal=_journal(row["venue"], kind),
        volume=_clean(row["volume"]),
        issue=_clean(row["issue"]),
        pages=parse_pages(row["page"]),
        publication_types=(kind,) if kind else (),
        authors=parse_authors(row["author"]),
        complete=True,
        record_id=f"{record_id} ({doi})",
    )


def _citation(row: dict[str, str], record_id: str, line: int) -> Record:
    """A Citation from an Index/COCI row or a citing/cited pair; Skipped when an end has no DOI, PMID or PMCID."""
    citing, cited = _identifiers(row["citing"]), _identifiers(row["cited"])
    if not citing:
        return Skipped(record_id, _no_identifier("the citing column", row["citing"]), line)
    if not cited:
        return Skipped(record_id, _no_identifier("the cited column", row["cited"]), line)
    return Citation(
        citing=citing,
        cited=cited,
        citing_date=parse_date(row.get("citing_date", "")),
        cited_date=parse_date(row.get("cited_date", "")),
        creation=parse_date(row.get("creation", "")),
        timespan=parse_timespan(row.get("timespan", "")),
        journal_self_citation=_flag(row.get("journal_sc", "")),
        author_self_citation=_flag(row.get("author_sc", "")),
        record_id=record_id,
    )


def _no_identifier(where: str, text: str) -> str:
    """Why ``text`` gave no identifier: empty, only other schemes (omid, isbn), or invalid DOIs/PMIDs/PMCIDs."""
    if not text.strip():
        return f"no PMID, PMCID or DOI: {where} is empty"
    invalid = [token for token in text.split() if _scheme(token)[0] is not None]
    if invalid:
        return f"no valid PMID, PMCID or DOI in {where}: {' '.join(invalid)!r} does not validate"
    return f"no PMID, PMCID or DOI in {where}, only {text.strip()!r}"


def _clean(text: str) -> str | None:
    return clean(text)


def _flag(text: str) -> bool | None:
    """``yes`` → True, ``no`` → False, empty (not computed) → None."""
    return {"yes": True, "no": False}.get(text.strip().lower())


# --- identifiers ------------------------------------------------------------------------------------------------

def _identifiers(text: str) -> tuple[Identifier, ...]:
    """The valid DOIs, PMIDs and PMCIDs of a space-separated list, in order, deduplicated; others ignored."""
    found: dict[Identifier, None] = {}
    for token in text.split():
        scheme, value = _scheme(token)
        if scheme is None:
            continue
        try:
            found[Identifier(scheme, normalise(scheme, value))] = None
        except IdentifierError:
            continue
    return tuple(found)


def _scheme(token: str) -> tuple[Scheme | None, str]:
    """``doi:``/``pmid:``/``pmcid:`` CURIEs; a bare ``10.`` DOI, DOI URL, PMID (digits) or ``PMC`` id."""
    if _DOI_URL.match(token):
        return Scheme.DOI, token
    match = _CURIE.fullmatch(token)
    if match:
        return _SCHEMES.get(match.group(1).lower()), match.group(2)
    if token.startswith("10."):
        return Scheme.DOI, token
    if token.isdigit():
        return Scheme.PMID, token
    if token[:3].upper() == "PMC":
        return Scheme.PMCID, token
    return None, token


def _bracketed(text: str) -> tuple[str, list[str]]:
    """``Name [orcid:1 omid:ra/2]`` → (``Name``, [``orcid:1``, ``omid:ra/2``])."""
    match = _BRACKETED.fullmatch(text.strip())
    if match is None:
        return text.strip(), []
    return match.group(1).rstrip(), match.group(2).split()


def _valid(scheme: Scheme, prefix: str, tokens: list[str]) -> list[str]:
    """The valid ``prefix:`` values among ``tokens``, normalised, in order, deduplicated."""
    found: dict[str, None] = {}
    for token in tokens:
        if token.lower().startswith(prefix + ":"):
            try:
                found[normalise(scheme, token[len(prefix) + 1:])] = None
            except IdentifierError:
                continue
    return list(found)


# --- fields -----------------------------------------------------------------------------------------------------

def parse_date(text: str) -> PartialDate | None:
    """``2020-01-05``, ``2020-1-5``, ``2020-01`` or ``2020`` at that precision; an impossible day or month is dropped.

    Anything else (``2020/01/05``, a timestamp) is None: a date is never guessed.
    """
    match = _DATE.fullmatch(text.strip())
    if match is None:
        return None
    return date_from_parts(*match.groups())


def parse_timespan(text: str) -> str | None:
    """The xsd:duration as given (``P1Y2M3D``, ``-P2M``), or None when it is empty or not a duration."""
    text = text.strip()
    return text if _DURATION.fullmatch(text) else None


def parse_pages(text: str) -> Pages | None:
    """``12-34`` → 12 to 34, ``e123`` → e123; text that is not one range is kept whole as ``first``.

    Such text is real (``117-6-238`` in OUP handbook chapters, ``17-1-17-4`` for AIP's chapter-page numbers): it
    cannot be split without guessing.
    """
    text = text.strip()
    if not text:
        return None
    parts = _PAGE_RANGE.split(text)
    if len(parts) == 2 and parts[0]:
        return Pages(parts[0], parts[1] or None)
    return Pages(first=text)


def parse_authors(text: str) -> tuple[Author, ...]:
    """``Family, Given [orcid:…]; Org name [omid:…]`` → people and organisations, in order."""
    authors = []
    for piece in _PEOPLE.findall(text):
        name, tokens = _bracketed(piece)
        orcids = _valid(Scheme.ORCID, "orcid", tokens)
        orcid = orcids[0] if orcids else None
        if "," in name and (author := family_first(name)).family:
            authors.append(replace(author, orcid=orcid))
        elif "," in name and (given := _clean(name.split(",", 1)[1])):
            authors.append(Author(given=given, orcid=orcid))
        elif _clean(name):
            authors.append(Author(name=_clean(name), orcid=orcid))
    return tuple(authors)


def _journal(venue: str, kind: str | None) -> Journal | None:
    """The venue of a journal article/issue/volume, or any venue with an ISSN; a book (ISBN) venue is none.

    OpenCitations lists a venue's ISSNs without saying which is print and which electronic: the first is kept as
    ``issn_print``, the second as ``issn_electronic`` (Crossref's order, usually print first).
    """
    name, tokens = _bracketed(venue)
    issns = _valid(Scheme.ISSN, "issn", tokens)
    title = _clean(name)
    if not issns and not (title and (kind or "").startswith("journal")):
        return None
    return Journal(title=title, issn_print=issns[0] if issns else None,
                   issn_electronic=issns[1] if len(issns) > 1 else None)
