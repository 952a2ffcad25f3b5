"""The limits every reader keeps, so that no input can take unbounded memory: the longest text of each field, the
largest record, the longest single value; and the check that refuses a record over them, naming it."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import BinaryIO

from kg.records import Article, Author, Record, Skipped

TITLE = 1_000_000  # characters of an article's title
ABSTRACT = 10_000_000  # characters of an abstract
TEXT = 100_000  # characters of any other text: names, affiliations, journal, reference text, volume, pages...
RECORD_BYTES = 16 << 20  # bytes of input one record may take (an XML element, a JSON work, a MEDLINE or RIS record,
# a CSV row, an article page before its citing entries); a single value (a line, a JSON string) is within it
RECORD_ITEMS = 1_000_000  # parts of one record: XML tags and attributes, JSON values, lines
BIBTEX_BYTES = 16 << 20  # bytes of a BibTeX file: bibtexparser parses a whole file at once (8 MB: 70 s, 120 MB)
MAX_BYTES = 16 << 30  # bytes a load reads from one source by default (--max-bytes): /dev/zero stops there


class Budget:
    """What the record being read has taken so far (bytes and parts: lines, values), against RECORD_BYTES and
    RECORD_ITEMS."""

    __slots__ = ("bytes", "items")

    def __init__(self) -> None:
        self.bytes = self.items = 0

    def spend(self, length: int) -> bool:
        """Counts one part of ``length`` bytes; True once the record is over the limits."""
        self.bytes, self.items = self.bytes + length, self.items + 1
        return self.bytes > RECORD_BYTES or self.items > RECORD_ITEMS


def size(count: int) -> str:
    """A count of bytes or characters for a message: ``16 MB``, ``1.5 MB``, ``100 KB``, ``512 bytes``."""
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{count} bytes"


def too_big(parts: str, *, what: str = "the record") -> str:
    """Why a record over RECORD_BYTES or RECORD_ITEMS is refused: ``the record is over 16 MB or 1,000,000 lines``."""
    return f"{what} is over {size(RECORD_BYTES)} or {RECORD_ITEMS:,} {parts} (README: Reliability)"


def over(what: str, length: int, limit: int) -> str:
    """Why a field is refused: ``the title is 1,200,000 characters long, over the limit of 1,000,000``."""
    return f"{what} is {length:,} characters long, over the limit of {limit:,} (README: Reliability)"


def checked(record: Record) -> Record:
    """``record``, or a Skipped naming it when one of its texts is over its limit."""
    if not isinstance(record, Article):
        return record
    problem = _too_long(record)
    if problem is None:
        return record
    return Skipped(record.record_id or "a record", problem)


def _too_long(article: Article) -> str | None:
    for what, text, limit in _texts(article):
        if text is not None and len(text) > limit:
            return over(what, len(text), limit)
    return None


def _texts(article: Article) -> Iterator[tuple[str, str | None, int]]:
    yield "the title", article.title, TITLE
    yield "the abstract", article.abstract, ABSTRACT
    for name in ("volume", "issue"):
        yield f"the {name}", getattr(article, name), TEXT
    if article.pages is not None:
        yield "the first page", article.pages.first, TEXT
        yield "the last page", article.pages.last, TEXT
    if article.journal is not None:
        for name in ("title", "iso_abbreviation", "nlm_abbreviation"):
            yield f"the journal's {name.replace('_', ' ')}", getattr(article.journal, name), TEXT
    for kind in article.publication_types:
        yield "a publication type", kind, TEXT
    for language in article.languages:
        yield "a language", language, TEXT
    for number, author in enumerate(article.authors, 1):
        yield from _author_texts(author, number)
    for number, reference in enumerate(article.references, 1):
        yield f"reference {number}'s text", reference.text, TEXT


def _author_texts(author: Author, number: int) -> Iterator[tuple[str, str | None, int]]:
    for name in ("family", "given", "initials", "name", "suffix"):
        yield f"author {number}'s {name} name" if name != "name" else f"author {number}'s name", \
            getattr(author, name), TEXT
    for affiliation in author.affiliations:
        yield f"an affiliation of author {number}", affiliation, TEXT


def limited(read: Callable[[BinaryIO, str], Iterator[Record]]) -> Callable[[BinaryIO, str], Iterator[Record]]:
    """A reader's ``read`` whose records are ``checked``: every reader keeps the same limits."""
    @functools.wraps(read)
    def checked_read(stream: BinaryIO, source: str) -> Iterator[Record]:
        for record in read(stream, source):
            yield checked(record)
    return checked_read
