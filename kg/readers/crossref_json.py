"""Read Crossref works JSON (a /works response, an {"items": [...]} dump, a bare work, JSON lines) into Articles."""

from __future__ import annotations

import html
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, BinaryIO

import ijson

from kg.errors import ReaderError
from kg.identifiers import normalise_or_none
from kg.readers.fields import clean, date_from_parts, medline_pages, suffix_of
from kg.readers.limits import RECORD_BYTES, RECORD_ITEMS, limited, size, too_big
from kg.records import Article, Author, Identifier, Journal, Pages, PartialDate, Reference, Record, Scheme, Skipped

NAME = "crossref-json"

_BOM = b"\xef\xbb\xbf"
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
_CHUNK = 65536  # the longest piece of a line fed to the parser at once (a dump may be one 100 MB line)
# yajl scans a value that spans pieces again from its start at each piece: while pieces end inside one value, each
# is twice as long as the one before (up to this), which keeps reading a long value linear
_LONGEST_PIECE = 4 << 20
_HEAD = 8192
# Numbers as floats where not integers, and integers as C long longs: yajl2_c otherwise builds a Python int from the
# digits, and crashes the process (no exception) on an integer over Python's 4300-digit limit. A work's numbers
# (counts, date parts) are small integers; a larger one stops the file with a ReaderError instead.
_NUMBERS = {"use_float": True}
# ijson keeps the prefix of every open level, so memory grows with the square of the nesting: 20 KB of "[" take a
# GB. A work nests under ten levels; deeper input stops the file with a ReaderError.
_DEEPEST = 64
# Keys that a Crossref work has and other JSON records (DataCite, JSON-LD) do not; "DOI" is upper case here only.
_WORK_KEYS = frozenset({"DOI", "indexed", "reference-count", "is-referenced-by-count", "deposited", "content-domain",
                        "container-title", "short-container-title"})
_LIST_KEYS = frozenset({"items", "total-results", "items-per-page", "facets", "query", "next-cursor"})
_WORK_TYPES = {"work": "message", "work-list": "message.items.item"}
_OUTLINED = ("", "message", "item", "items.item", "message.items.item")
_DATE_KEYS = ("issued", "published-print", "published-online")
_TAG = re.compile(r"</?[A-Za-z][\w.:-]*(?:\s[^<>]*)?/?>")
_BLOCK_END = re.compile(r"</(?:jats:)?(?:p|title|sec)>")
_ABSTRACT_HEADING = re.compile(r"^\s*<(?:jats:)?title>\s*Abstract\s*</(?:jats:)?title>", re.IGNORECASE)


# --- sniffing and the shape of the input ----------------------------------------------------------------------------

@dataclass
class _Outline:
    """What the first bytes show: the first JSON event, the keys of the objects that matter, the message-type."""

    first: str | None = None
    keys: dict[str, set[str]] = field(default_factory=dict)
    message_type: Any = None


class _TooDeep(Exception):
    """The input nests deeper than _DEEPEST levels."""


class _Outliner:
    """An ijson event target that notes the outline of the events it is sent; raises _TooDeep past _DEEPEST."""

    def __init__(self) -> None:
        self.outline, self._depth = _Outline(), 0

    def send(self, item: tuple[str, str, Any]) -> None:
        prefix, event, value = item
        outline = self.outline
        if outline.first is None:
            outline.first = event
        if event == "start_map" or event == "start_array":
            self._depth += 1
            if self._depth > _DEEPEST:
                raise _TooDeep
        elif event == "end_map" or event == "end_array":
            self._depth -= 1
        elif event == "map_key" and prefix in _OUTLINED:
            outline.keys.setdefault(prefix, set()).add(value)
        elif prefix == "message-type" and outline.message_type is None:
            outline.message_type = value


def _outline(head: bytes) -> _Outline:
    """Parse events of ``head`` (cut anywhere) until it ends, stops being JSON or nests too deep."""
    target = _Outliner()
    try:
        ijson.parse_coro(target, multiple_values=True, **_NUMBERS).send(head.removeprefix(_BOM))
    except (ijson.JSONError, UnicodeDecodeError, _TooDeep):
        pass  # the head ends mid-value, or it is not JSON at all
    return target.outline


def _works_prefix(outline: _Outline) -> str | None:
    """Where the works are, as an ijson prefix; None when the head is not an object (or array) of works."""
    if outline.first == "start_array":
        return "item"
    if outline.first != "start_map":
        return None
    top = outline.keys.get("", set())
    if "message" in top or "message-type" in top:  # an API response
        if outline.message_type is not None:
            return _WORK_TYPES.get(outline.message_type)
        return "message.items.item" if outline.keys.get("message", set()) & _LIST_KEYS else "message"
    return "items.item" if "items" in top else ""


def sniff(head: bytes) -> bool:
    """True when the head is JSON whose first work has Crossref keys ("DOI", "indexed", ...) or a work message-type."""
    outline = _outline(head)
    prefix = _works_prefix(outline)
    if prefix is None:
        return False
    return outline.message_type in _WORK_TYPES or bool(outline.keys.get(prefix, set()) & _WORK_KEYS)


# --- streaming ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Dropped:
    """A work over the limits: why, and its DOI if it came before the limit was reached."""

    reason: str
    doi: Any = None


class _Works:
    """An ijson event target that builds each value found at ``prefix`` (a work) and notes the line it starts on;
    ``events`` counts every event, ``size`` the bytes fed while a work is open. A work over the limits is
    dropped as soon as it is (its events are then only counted) and handed out as a _Dropped."""

    def __init__(self, prefix: str) -> None:
        self.prefix, self.line = prefix, 1
        self.done: list[tuple[int, Any]] = []
        self._builder: ijson.ObjectBuilder | None = None
        self._dropped: _Dropped | None = None
        self._depth = self._start = self._outside = 0  # levels open inside the work and around it
        self.events = self.size = self._items = 0

    @property
    def open(self) -> bool:
        return self._builder is not None or self._dropped is not None

    def send(self, item: tuple[str, str, Any]) -> None:
        prefix, event, value = item
        self.events += 1
        if not self.open:
            if prefix != self.prefix:
                if event == "start_map" or event == "start_array":
                    self._outside += 1
                    if self._outside > _DEEPEST:
                        raise _TooDeep
                elif event == "end_map" or event == "end_array":
                    self._outside -= 1
                return
            self._builder = ijson.ObjectBuilder()
            self._depth, self._start, self.size, self._items = 0, self.line, 0, 0
        if self._builder is not None:
            self._builder.event(event, value)
            self._items += 1
        if event == "start_map" or event == "start_array":
            self._depth += 1
            if self._depth + self._outside > _DEEPEST:
                raise _TooDeep
        elif event == "end_map" or event == "end_array":
            self._depth -= 1
        if self._depth == 0:
            self.done.append((self._start, self._dropped or self._builder.value))
            self._builder = self._dropped = None

    def limit(self) -> None:
        """Drops the open work when it is over RECORD_BYTES or RECORD_ITEMS."""
        if self._builder is not None and (self.size > RECORD_BYTES or self._items > RECORD_ITEMS):
            work = self._builder.value
            self._dropped = _Dropped(too_big("JSON values", what="the work"),
                                     work.get("DOI") if isinstance(work, dict) else None)
            self._builder = None

    def name(self, position: int) -> str:
        """The open work as a message names it: by its DOI when it has been read, else by its position."""
        work = self._builder.value if self._builder is not None else None
        doi = self._dropped.doi if self._dropped is not None else work.get("DOI") if isinstance(work, dict) else None
        doi = normalise_or_none(Scheme.DOI, _text(doi))
        return f"DOI {doi}" if doi else f"work {position}"

    def take(self) -> list[tuple[int, Any]]:
        done, self.done = self.done, []
        return done


class _Pieces:
    """(line number, bytes) pieces of at most one line each, the UTF-8 byte order mark removed; ``size`` is the
    longest piece to read next."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream, self.size = stream, _CHUNK

    def __iter__(self) -> Iterator[tuple[int, bytes]]:
        line, chunk = 1, self.stream.readline(self.size).removeprefix(_BOM)
        while chunk:
            yield line, chunk
            if chunk.endswith(b"\n"):
                line += 1
            chunk = self.stream.readline(self.size)


def _head(chunks: Iterator[tuple[int, bytes]]) -> tuple[list[tuple[int, bytes]], Exception | None]:
    """The first pieces, up to _HEAD bytes, and the error that cut them short (raised after they are read)."""
    taken, size = [], 0
    try:
        for piece in chunks:
            taken.append(piece)
            size += len(piece[1])
            if size >= _HEAD:
                break
    except (ReaderError, OSError, EOFError, zlib.error) as exc:  # a truncated gzip stream: its start still counts
        return taken, exc
    return taken, None


@limited
def read(stream: BinaryIO, source: str) -> Iterator[Record]:
    """One Article per work (Skipped when it has no valid DOI), streamed one work at a time."""
    pieces = _Pieces(stream)
    chunks = iter(pieces)
    try:
        head, cut = _head(chunks)
        works = _Works(_prefix(b"".join(c for _, c in head), source))
        parser = ijson.parse_coro(works, multiple_values=True, **_NUMBERS)
        position, line, waiting = 0, 1, 0
        try:
            for line, chunk in chain(head, () if cut else chunks):
                works.line, events = line, works.events
                works.size += len(chunk) if works.open else 0
                parser.send(chunk)
                works.limit()
                waiting = waiting + len(chunk) if works.events == events else 0
                pieces.size = min(2 * pieces.size, _LONGEST_PIECE) if waiting else _CHUNK
                if waiting > RECORD_BYTES:
                    raise ReaderError(f"no JSON value ends in {size(RECORD_BYTES)} (a string, a number or spaces "
                                      "that go on): more than kg reads (README: Reliability)", source=source,
                                      line=line, record=works.name(position + 1) if works.open else None)
                for position, record in enumerate(works.take(), position + 1):
                    yield _record(*record, position)
            if cut is not None:
                raise cut
            parser.close()
        except (ijson.JSONError, UnicodeDecodeError, _TooDeep) as exc:  # yajl passes UTF-8 beyond U+10FFFF
            for position, record in enumerate(works.take(), position + 1):
                yield _record(*record, position)
            raise ReaderError(_problem(exc), source=source, line=line) from exc
        for position, record in enumerate(works.take(), position + 1):
            yield _record(*record, position)
    except (OSError, EOFError, zlib.error) as exc:  # a truncated or corrupt gzip stream
        raise ReaderError(f"cannot read the input: {exc}", source=source) from exc


def _prefix(head: bytes, source: str) -> str:
    """The ijson prefix of the works; raises ReaderError for input that cannot hold Crossref works."""
    if not head.strip():
        raise ReaderError("the input is empty", source=source)
    if head.startswith(_WIDE_BOMS) or b"\x00" in head[:4]:
        raise ReaderError("the input is UTF-16 or UTF-32; Crossref JSON is read as UTF-8", source=source, line=1)
    outline = _outline(head)
    if outline.first is None:
        return ""  # not JSON from the first byte: the parser reports where
    if outline.message_type is not None and outline.message_type not in _WORK_TYPES:
        raise ReaderError(f"a Crossref {outline.message_type!r} response holds no works", source=source, line=1)
    prefix = _works_prefix(outline)
    if prefix is None:
        raise ReaderError(f"expected a JSON object of Crossref works, found a {outline.first}", source=source,
                          line=1)
    return prefix


def _problem(exc: Exception) -> str:
    if isinstance(exc, _TooDeep):
        return f"JSON nested deeper than {_DEEPEST} levels"
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8 text: {exc.reason}"
    if _message(exc).endswith("integer overflow"):
        return "an integer too large to read (over 64 bits): parse error: integer overflow"
    return f"malformed JSON: {_message(exc)}"


def _message(exc: Exception) -> str:
    """yajl's first line ("parse error: premature EOF"), without the excerpt and caret that follow."""
    raw = exc.args[0] if exc.args else str(exc)
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else str(raw)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


# --- one work -------------------------------------------------------------------------------------------------------

def _record(line: int, work: Any, position: int) -> Record:
    """An Article, or Skipped when the work is not an object or has no valid DOI."""
    if isinstance(work, _Dropped):
        doi = normalise_or_none(Scheme.DOI, _text(work.doi))
        return Skipped(f"DOI {doi}" if doi else f"work {position}", work.reason, line)
    if not isinstance(work, dict):
        return Skipped(f"work {position}", f"not a JSON object but {type(work).__name__}", line)
    raw = _text(work.get("DOI"))
    if raw is None:
        return Skipped(f"work {position}", "no DOI", line)
    doi = normalise_or_none(Scheme.DOI, raw)
    if doi is None:
        return Skipped(f"DOI {raw}", f"invalid DOI {raw!r}", line)
    try:
        return _article(work, doi)
    except (TypeError, ValueError, AttributeError, OverflowError) as exc:  # one odd work must not stop a dump
        return Skipped(f"DOI {doi}", f"unreadable work: {exc}", line)


def _article(work: dict[str, Any], doi: str) -> Article:
    count = work.get("is-referenced-by-count")
    return Article(
        identifiers=(Identifier(Scheme.DOI, doi),),
        title=_first(work.get("title"), _markup_free),
        abstract=_abstract(work.get("abstract")),
        date=_date(work),
        journal=_journal(work),
        volume=_text(work.get("volume")),
        issue=_text(work.get("issue")),
        pages=_pages(work),
        publication_types=tuple(t for t in (_text(work.get("type")),) if t),
        languages=tuple(t for t in (_text(work.get("language")),) if t),
        authors=tuple(a for a in map(_author, _list(work.get("author"))) if a is not None),
        references=tuple(r for r in map(_reference, _list(work.get("reference"))) if r is not None),
        declared_citation_count=count if isinstance(count, int) and not isinstance(count, bool) else None,
        complete=True,
        record_id=f"DOI {doi}",
    )


# --- values ---------------------------------------------------------------------------------------------------------

def _text(value: Any) -> str | None:
    """A string (or a number) with layout whitespace collapsed; None when empty or of another type."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return clean(str(value))


def _markup_free(value: Any) -> str | None:
    """Text without inline JATS/HTML tags (``<emph>``, escaped ``&lt;em&gt;`` too), its entities decoded."""
    if not isinstance(value, str):
        return _text(value)
    return _text(_TAG.sub("", html.unescape(_TAG.sub("", value))))


def _first(value: Any, convert=_text) -> str | None:
    """The first non-empty string of a Crossref list (``"title": ["..."]``), or the value itself when a string."""
    for item in value if isinstance(value, list) else [value]:
        text = convert(item)
        if text:
            return text
    return None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _abstract(value: Any) -> str | None:
    """A JATS abstract as plain text: paragraphs on their own lines, a leading "Abstract" heading dropped."""
    if not isinstance(value, str):
        return None
    text = _BLOCK_END.sub("\n", _ABSTRACT_HEADING.sub("", value))
    lines = (_markup_free(line) for line in text.split("\n"))
    return "\n".join(line for line in lines if line) or None


# --- journal, pages, date -------------------------------------------------------------------------------------------

def _journal(work: dict[str, Any]) -> Journal | None:
    """Container title and short title; ISSNs by their issn-type, else the untyped ISSN list in order."""
    issns: dict[str, str] = {}
    for entry in _list(work.get("issn-type")):
        kind, issn = _text(_dict(entry).get("type")), normalise_or_none(Scheme.ISSN, _text(_dict(entry).get("value")))
        if kind and issn:
            issns.setdefault(kind.lower(), issn)
    if not issns:
        untyped = [i for i in (normalise_or_none(Scheme.ISSN, _text(v)) for v in _list(work.get("ISSN"))) if i]
        issns = dict(zip(("print", "electronic"), dict.fromkeys(untyped)))
    journal = Journal(title=_first(work.get("container-title"), _markup_free),
                      iso_abbreviation=_first(work.get("short-container-title"), _markup_free),
                      issn_print=issns.get("print"), issn_electronic=issns.get("electronic"))
    return journal if journal != Journal() else None


def _pages(work: dict[str, Any]) -> Pages | None:
    """``page`` as a first and last page ("233-250", "e123"), else the article-number."""
    page = _text(work.get("page"))
    if page:
        pages = medline_pages(page)
        if pages is not None:
            return pages
    number = _text(work.get("article-number"))
    return Pages(first=number) if number else None


def _date(work: dict[str, Any]) -> PartialDate | None:
    """The first usable date of issued, published-print, published-online, at the precision given."""
    for key in _DATE_KEYS:
        parts = _list(_dict(work.get(key)).get("date-parts"))
        first = _list(parts[0]) if parts else []
        numbers = [_int(p) for p in first[:3]]
        if numbers and numbers[0] is not None:
            date = date_from_parts(*numbers)
            if date is not None:
                return date
    return None


def _int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return int(value) if isinstance(value, str) and value.strip().isdecimal() else None


# --- authors and references -----------------------------------------------------------------------------------------

def _author(entry: Any) -> Author | None:
    """A person (given/family) or an organisation (name), with ORCID and affiliation names; None when nameless."""
    entry = _dict(entry)
    family, given, name = _text(entry.get("family")), _text(entry.get("given")), _text(entry.get("name"))
    if not (family or given or name):
        return None
    affiliations = (_text(a.get("name")) if isinstance(a, dict) else _text(a) for a in _list(entry.get("affiliation")))
    suffix = _text(entry.get("suffix"))
    return Author(family=family, given=given, name=name, suffix=suffix_of(suffix) or suffix, orcid=normalise_or_none(Scheme.ORCID, _first(entry.get("ORCID"))),
                  affiliations=tuple(a for a in affiliations if a))


def _reference(entry: Any) -> Reference | None:
    """The cited DOI when valid, and the unstructured text (else one assembled from the fields); None when empty."""
    entry = _dict(entry)
    doi = normalise_or_none(Scheme.DOI, _text(entry.get("DOI")))
    text = _markup_free(entry.get("unstructured")) or _assembled(entry)
    if doi is None and text is None:
        return None
    return Reference(identifiers=(Identifier(Scheme.DOI, doi),) if doi else (), text=text)


def _assembled(entry: dict[str, Any]) -> str | None:
    """``Author (2008). Article title. Journal. Edition 2. 64(2), 249. ISBN ...`` from the fields present."""
    value = {key: _markup_free(entry.get(key)) for key in (
        "author", "year", "article-title", "journal-title", "volume-title", "series-title", "edition", "volume",
        "issue", "first-page", "ISBN")}
    year = value["year"] and (f"({value['year']})" if value["author"] else value["year"])
    volume = _joined("", [value["volume"], value["issue"] and f"({value['issue']})"])
    return _sentences([
        _joined(" ", [value["author"], year]), value["article-title"], value["journal-title"], value["volume-title"],
        value["series-title"], value["edition"] and f"Edition {value['edition']}",
        _joined(", ", [volume, value["first-page"]]), value["ISBN"] and f"ISBN {value['ISBN']}",
    ])


def _sentences(parts: Iterable[str | None]) -> str | None:
    """The parts joined by ". ", or by a space after a part that already ends in ".", "?" or "!"."""
    text = ""
    for part in filter(None, parts):
        text += ("" if not text else " " if text.endswith((".", "?", "!")) else ". ") + part
    return text or None


def _joined(separator: str, parts: Iterable[str | None]) -> str | None:
    return separator.join(p for p in parts if p) or None
