"""Read RIS exports (Scopus, SciELO, Ovid, EBSCO, Dimensions, Web of Science, EndNote...) into Article records."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from rispy import RisParser

from kg.errors import ReaderError
from kg.readers.fields import (cited_by, clean, date_fields, family_first, ids_in_urls, issns_in, labelled, pages,
                               sole_author_affiliations, unlabelled_journal, valid)
from kg.readers.limits import Budget, limited, too_big
from kg.readers.text import numbered_lines
from kg.records import Article, Author, Identifier, Journal, Pages, PartialDate, Record, Scheme, Skipped

NAME = "ris"

# The first line of a RIS file is its first entry's TY line; Ovid numbers its entries ("1.") before the TY.
_HEAD = re.compile(rb"\A(?:\xef\xbb\xbf)?(?:[ \t]*(?:\d+\.[ \t]*)?\r?\n)*TY  - [A-Z]+")
_TYPES = {"JOUR": "Journal Article"}
# Entry types whose T2 (secondary title) is the journal; for a chapter it is the book, for a paper the proceedings.
_JOURNAL_TYPES = {"JOUR", "JFULL", "EJOUR", "MGZN", "NEWS", "INPR", "ABST", "SER"}
# Tags that repeat: every line (and every continuation line, as with Dimensions' URLs and WoS' ISSNs) is one value.
_LIST_TAGS = ["A1", "A2", "A3", "A4", "AU", "AD", "AN", "DO", "KW", "L3", "LA", "M1", "M3", "N1", "SN", "UR"]

_JATS = re.compile(r"</?jats:[^>]*>")  # Crossref's JATS markup, passed on in Dimensions' abstracts


class _SameName(dict):
    """A tag mapping that keeps every tag's own code as its key (rispy's long names would only need mapping back)."""

    def __missing__(self, tag: str) -> str:
        return tag


_PARSER = RisParser(mapping=_SameName(), list_tags=_LIST_TAGS, delimiter_tags_mapping={})


def sniff(head: bytes) -> bool:
    """True when the first non-blank line (after a BOM and an Ovid entry number) is a ``TY  - CODE`` line."""
    return _HEAD.match(head) is not None


@limited
def read(stream: BinaryIO, source: str) -> Iterator[Record]:
    """One Article per entry (Skipped when it has no valid PMID, PMCID or DOI, or no ER line), streamed.

    rispy's ``parse_lines`` collects every entry of its input into one list, so each entry's lines are framed
    here (TY to ER, tags told apart by rispy's own ``parse_line``) and handed to rispy one entry at a time.
    """
    number = 0
    for start, lines, closed in _entries(numbered_lines(stream, source)):
        number += 1
        if lines is None:
            yield Skipped(f"entry {number} (line {start})", too_big("lines"), start)
        else:
            yield _entry(f"entry {number} (line {start})", start, lines, closed)
    if number == 0:
        raise ReaderError("no RIS entry: no line starts with 'TY  - '", source=source)


def _entry(record_id: str, start: int, lines: list[str], closed: bool) -> Article | Skipped:
    """The entry's Article; Skipped when it has no ER line, text before its first tag, or a value out of reach."""
    if not closed:
        return Skipped(record_id, "the entry has no ER line (cut off, or it runs into the next TY)", start)
    orphan = _orphan(lines)
    if orphan is not None:
        offset, text = orphan
        return Skipped(record_id, f"line {start + offset}: {text[:60]!r} follows the TY line but is not a "
                                  "'XX  - value' tag line", start + offset)
    # Blank lines add nothing (a continuation joins with a space, which _values collapses), and right after TY
    # rispy has no tag to join one to.
    entry = _PARSER.parse_lines(_joined(line for line in lines if line.strip()))[0]
    try:
        return _record(entry, record_id, start)
    except ValueError as exc:  # a count of thousands of digits: one odd entry must not stop the file
        return Skipped(record_id, f"unreadable entry: {exc}", start)


def _joined(lines: Iterable[str]) -> Iterator[str]:
    """The lines with the continuations of a tag that holds one value joined to its tag line at once: rispy joins
    each to the value so far, which takes quadratic time. A list tag's continuations are values of their own."""
    held: list[str] = []  # a one-value tag line and its continuations
    for line in lines:
        tag = _PARSER.parse_line(line)[0]
        if tag is None and held:
            held.append(line.strip())
            continue
        if held:
            yield " ".join(held)
        held = [line] if tag is not None and tag not in _LIST_TAGS else []
        if not held:
            yield line
    if held:
        yield " ".join(held)


def _entries(lines: Iterable[tuple[int, str]]) -> Iterator[tuple[int, list[str] | None, bool]]:
    """(first line number, lines, closed by ER) per entry, the lines None for an entry over the limits (dropped as
    they come); text between entries (Ovid's links) is left out."""
    start, chunk, budget = 0, [], Budget()
    for number, line in lines:
        tag = _PARSER.parse_line(line)[0]
        if tag == "TY":
            if start:
                yield start, chunk, False
            start, chunk, budget = number, [line], Budget()
        elif start:
            if budget.spend(len(line)):
                chunk = None
            elif chunk is not None:
                chunk.append(line)
            if tag == "ER":
                yield start, chunk, True
                start, chunk = 0, []
    if start:
        yield start, chunk, False


def _orphan(lines: list[str]) -> tuple[int, str] | None:
    """The first text line (its offset from TY) before any tag: a continuation of nothing, which rispy cannot take."""
    for offset, line in enumerate(lines[1:], 1):
        if _PARSER.parse_line(line)[0] is not None:
            return None
        if line.strip():
            return offset, line
    return None


# --- one entry --------------------------------------------------------------------------------------------------

def _record(entry: dict, record_id: str, line: int) -> Article | Skipped:
    identifiers, rejected = _identifiers(entry)
    if not identifiers:
        noted = f" ({'; '.join(rejected)})" if rejected else ""
        return Skipped(record_id, f"no PMID, PMCID or DOI{noted}", line)
    kind = _one(entry, "TY") or ""
    primary = _values(entry, "A1")
    authors = primary + [name for name in _values(entry, "AU") if name not in primary]
    return Article(
        identifiers=identifiers,
        title=_one(entry, "TI", "T1"),
        abstract=_prose(_one(entry, "AB", "N2")),
        date=_date(entry),
        journal=_journal(entry, kind),
        volume=_one(entry, "VL"),
        issue=_one(entry, "IS"),
        pages=_pages(_one(entry, "SP"), _one(entry, "EP"), _one(entry, "C7")),
        publication_types=tuple(dict.fromkeys(t for t in (_TYPES.get(kind, kind), *_values(entry, "M3")) if t)),
        languages=tuple(dict.fromkeys(_values(entry, "LA"))),
        authors=sole_author_affiliations([family_first(name) for name in authors], _values(entry, "AD")),
        declared_citation_count=cited_by(_values(entry, "N1")),
        record_id=record_id,
    )


def _values(entry: dict, *tags: str) -> list[str]:
    """The non-empty values of ``tags``, whitespace collapsed, in tag order."""
    found = []
    for tag in tags:
        value = entry.get(tag)
        for text in value if isinstance(value, list) else [value] if value else []:
            text = clean(text)
            if text:
                found.append(text)
    return found


def _one(entry: dict, *tags: str) -> str | None:
    values = _values(entry, *tags)
    return values[0] if values else None


def _prose(text: str | None) -> str | None:
    """Text without the JATS tags some sources leave in (``<jats:p>``)."""
    if not text:
        return None
    return clean(_JATS.sub(" ", text))


# --- identifiers ------------------------------------------------------------------------------------------------

def _identifiers(entry: dict) -> tuple[tuple[Identifier, ...], list[str]]:
    """PMIDs and PMCIDs (labelled notes, PubMed/PMC links), then DOIs; and the DOI texts that did not validate.

    DOIs come from DO, else from L3 (EBSCO puts the DOI there), else from doi.org links in UR; a later source
    is not consulted when an earlier one gives a DOI, since a record's links can point at related articles.
    """
    notes = _values(entry, "N1", "AN", "M1", "M3")
    urls = _values(entry, "UR", "L2")
    found = ids_in_urls(urls, Scheme.PMID) + labelled(notes, Scheme.PMID)
    found += ids_in_urls(urls, Scheme.PMCID) + labelled(notes, Scheme.PMCID)
    dois = (valid(Scheme.DOI, _values(entry, "DO")) or valid(Scheme.DOI, _values(entry, "L3"))
            or ids_in_urls(urls, Scheme.DOI))
    rejected = [f"DO {text!r} is not a DOI" for text in _values(entry, "DO") if not valid(Scheme.DOI, [text])]
    return tuple(dict.fromkeys(found + dois)), rejected


# --- journal, pages, date ---------------------------------------------------------------------------------------

def _journal(entry: dict, kind: str) -> Journal | None:
    """JF (full name), else T2 for journal types, else JO; the abbreviation from JA/J2/J1/JO when it differs."""
    title = _one(entry, "JF", "T2", "JO") if kind in _JOURNAL_TYPES else _one(entry, "JF", "JO")
    abbreviation = next((a for a in _values(entry, "JA", "J2", "J1", "JO") if a != title), None)
    issns = issns_in(_values(entry, "SN"))
    if not (title or abbreviation or issns):
        return None
    return unlabelled_journal(title, abbreviation, issns)


def _pages(first: str | None, last: str | None, article_number: str | None) -> Pages | None:
    """SP/EP; an SP that holds a range ("359-368"); else C7, the article number."""
    return pages(first, last) or (Pages(first=article_number) if article_number else None)


def _date(entry: dict) -> PartialDate | None:
    """The year of PY (else Y1, else DA), with the month and day of the first of DA, Y1, PY that has them for
    that year: WoS gives "PY 2022" and "DA SEP 10", Scopus only "PY 2020", SciELO "DA 2018-06-21" as well."""
    parsed = {tag: [date_fields(v) for v in _values(entry, tag)] for tag in ("DA", "Y1", "PY")}
    years = [d[0] for tag in ("PY", "Y1", "DA") for d in parsed[tag] if d and d[0]]
    if not years:
        return None
    for year, month, day in (d for tag in ("DA", "Y1", "PY") for d in parsed[tag] if d):
        if month and year in (None, years[0]):
            return PartialDate.best(years[0], month, day)
    return PartialDate.best(years[0], None, None)
