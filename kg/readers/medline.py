"""Read MEDLINE text (PubMed's .nbib "citation manager" export, MEDLARS, PMC exports) into Article records."""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from kg.errors import ReaderError
from kg.identifiers import normalise_or_none
from kg.readers.fields import clean, date_from_parts, date_from_text, given_and_suffix, medline_pages, split_initials_name
from kg.readers.limits import Budget, limited, too_big
from kg.readers.text import raw_lines
from kg.records import Article, Author, Identifier, Journal, Pages, PartialDate, Record, Scheme, Skipped

NAME = "medline"

_TAG_LINE = re.compile(r"([A-Z][A-Z0-9 ]{3})-(?: (.*))?")
_SNIFF_FIRST = re.compile(r"(?:PMID|PMC )- ")
_SNIFF_RECORD = re.compile(r"^PMID- *\d+ *\r?\n(?:OWN |STAT|TI  )- ", re.MULTILINE)
_ARTICLE_ID = re.compile(r"(.*?)\s*\[(\w+)\]")
_ARTICLE_ID_SCHEMES = {"doi": Scheme.DOI, "pii": Scheme.PII}
_ISSN_TYPE = re.compile(r"(\S+)\s*\((Print|Electronic|Linking)\)", re.IGNORECASE)
_EPUB_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})?")
_ORCID_PREFIX = re.compile(r"\s*ORCID:\s*", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"\[?\s*(?:not available|(?:no )?(?:title|abstract) (?:not )?available)\s*\]?\.?",
                          re.IGNORECASE)
_NOT_AUTHOR_TAGS = ("IR", "FIR", "ED", "FED")  # investigators and editors; AD lines after them are theirs


@dataclass
class _Raw:
    """One record's fields in order, as (tag, value, line) with continuations joined; ``bad`` is a malformed line."""

    position: int
    start: int
    fields: list[tuple[str, list[str], int]] = field(default_factory=list)  # a value's parts, joined at the end
    bad: tuple[int, str] | None = None
    has_pmid: bool = False
    budget: Budget = field(default_factory=Budget)
    over: bool = False  # over the limits: its fields past the PMID are dropped as they come


def sniff(head: bytes) -> bool:
    """True when the first non-blank line is ``PMID- `` or ``PMC - ``, or a ``PMID- 123`` line opens a record."""
    text = head.decode("utf-8", "replace").lstrip("\ufeff")
    first = next((line for line in text.splitlines() if line.strip()), "")
    return bool(_SNIFF_FIRST.match(first) or _SNIFF_RECORD.search(text))


@limited
def read(stream: BinaryIO, source: str) -> Iterator[Record]:
    """One Article per blank-line-separated record (Skipped when it has no PMID, PMCID or DOI), line by line."""
    try:
        for raw in _records(_lines(stream, source), source):
            yield _record(raw)
    except (OSError, EOFError, zlib.error) as exc:  # a truncated or corrupt gzip stream
        raise ReaderError(f"cannot read the input: {exc}", source=source) from exc


def _lines(stream: BinaryIO, source: str) -> Iterator[tuple[int, str]]:
    """Numbered lines without their line ending."""
    for number, data in raw_lines(stream, source):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            # Old exports are Latin-1: a line that is not UTF-8 is read as Latin-1, which decodes any byte.
            text = data.decode("latin-1")
        yield number, text.rstrip("\r\n").removeprefix("\ufeff")


def _records(lines: Iterable[tuple[int, str]], source: str) -> Iterator[_Raw]:
    """Group lines into records at blank lines (or at a second PMID line).

    Raises ReaderError when the first non-blank line is not a ``TAG - value`` line: the input is not MEDLINE text.
    """
    current: _Raw | None = None
    position = 0
    for number, line in lines:
        if not line.strip():
            if current is not None:
                yield current
                current = None
            continue
        match = _TAG_LINE.fullmatch(line.rstrip())
        if position == 0 and match is None:
            raise ReaderError(f"not MEDLINE text: expected a 'TAG - value' line, got {line[:60]!r}",
                              source=source, line=number)
        if current is not None and match is not None and match.group(1) == "PMID" and current.has_pmid:
            yield current  # a second PMID: the blank line between two records is missing
            current = None
        if current is None:
            position += 1
            current = _Raw(position, number)
        _add_line(current, match, number, line)
    if current is not None:
        yield current


def _add_line(raw: _Raw, match: re.Match[str] | None, number: int, line: str) -> None:
    """A tag line starts a field, an indented line continues the last one; anything else marks the record bad."""
    if raw.budget.spend(len(line)) and not raw.over:
        raw.over, raw.fields = True, [f for f in raw.fields if f[0] == "PMID"][:1]
    if raw.over:
        return
    if match is not None:
        value = (match.group(2) or "").strip()
        raw.fields.append((match.group(1).rstrip(), [value] if value else [], number))
        raw.has_pmid = raw.has_pmid or match.group(1) == "PMID"
    elif line[:1] in (" ", "\t") and raw.fields:
        raw.fields[-1][1].append(line.strip())
    elif raw.bad is None:
        raw.bad = (number, line)


def _record(raw: _Raw) -> Record:
    """An Article, or Skipped when a line is malformed or no PMID, PMCID or DOI validates."""
    fields = [(tag, " ".join(parts), start) for tag, parts, start in raw.fields]
    values: dict[str, list[str]] = {}
    for tag, value, _ in fields:
        values.setdefault(tag, []).append(clean(value) or "")
    raw_pmid = _first(values, "PMID")
    record_id = f"PMID {raw_pmid}" if raw_pmid else f"record {raw.position} at line {raw.start}"
    if raw.over:
        return Skipped(record_id, too_big("lines"), raw.start)
    if raw.bad is not None:
        number, line = raw.bad
        return Skipped(record_id, f"malformed line {number}: {line[:60]!r} is neither a 'TAG - value' line "
                                  "nor an indented continuation", number)
    identifiers = _identifiers(values)
    if not identifiers:
        given = f"PMID {raw_pmid!r} is invalid and there is no PMCID or DOI" if raw_pmid else "no PMID, PMCID or DOI"
        return Skipped(record_id, given, raw.start)
    return _article(values, fields, identifiers, record_id)


def _article(values: dict[str, list[str]], fields: list[tuple[str, str, int]], identifiers: tuple[Identifier, ...],
             record_id: str) -> Article:
    return Article(
        identifiers=identifiers,
        title=_text(_first(values, "TI")) or _text(_first(values, "TT")),
        abstract=_text(_first(values, "AB")),
        date=_date(_first(values, "DP"), _first(values, "DEP")),
        journal=_journal(values),
        volume=_first(values, "VI"),
        issue=_first(values, "IP"),
        pages=_pages(values),
        publication_types=tuple(v for v in values.get("PT", ()) if v),
        languages=tuple(v.lower() for v in values.get("LA", ()) if v),
        authors=_authors(fields),
        complete=True,
        record_id=record_id,
    )


def _first(values: dict[str, list[str]], tag: str) -> str | None:
    """The first non-empty value of ``tag``, or None."""
    return next((v for v in values.get(tag, ()) if v), None)


def _text(value: str | None) -> str | None:
    """A title or abstract, with PubMed's placeholders ("[Not Available].") left out."""
    return None if not value or _PLACEHOLDER.fullmatch(value) else value


# --- identifiers, journal, pages, date --------------------------------------------------------------------------


def _identifiers(values: dict[str, list[str]]) -> tuple[Identifier, ...]:
    """PMID, PMCID, then the AID and LID ``[doi]``/``[pii]`` values in order; invalid ones left out, deduplicated."""
    found: dict[Identifier, None] = {}
    for scheme, text in ((Scheme.PMID, _first(values, "PMID")), (Scheme.PMCID, _first(values, "PMC"))):
        value = normalise_or_none(scheme, text)
        if value is not None:
            found[Identifier(scheme, value)] = None
    for text in [*values.get("AID", ()), *values.get("LID", ())]:
        match = _ARTICLE_ID.fullmatch(text)
        scheme = _ARTICLE_ID_SCHEMES.get(match.group(2).lower()) if match else None
        value = normalise_or_none(scheme, match.group(1)) if scheme is not None else None
        if value is not None:
            found[Identifier(scheme, value)] = None
    return tuple(found)


def _journal(values: dict[str, list[str]]) -> Journal | None:
    """JT, TA, JID and the IS lines by their type (an IS without "(Print)" etc. is left out)."""
    issns: dict[str, str | None] = {}
    for text in values.get("IS", ()):
        match = _ISSN_TYPE.fullmatch(text)
        if match and issns.get(match.group(2).lower()) is None:
            issns[match.group(2).lower()] = normalise_or_none(Scheme.ISSN, match.group(1))
    journal = Journal(
        title=_first(values, "JT"),
        nlm_abbreviation=_first(values, "TA"),
        issn_print=issns.get("print"),
        issn_electronic=issns.get("electronic"),
        issn_linking=issns.get("linking"),
        nlm_id=normalise_or_none(Scheme.NLM, _first(values, "JID")),
    )
    return journal if journal != Journal() else None


def _pages(values: dict[str, list[str]]) -> Pages | None:
    """PG as MedlinePgn, else an LID without a ``[type]`` (PMC's electronic location, an article number)."""
    pagination = _first(values, "PG")
    if pagination:
        return medline_pages(pagination)
    location = next((v for v in values.get("LID", ()) if v and not _ARTICLE_ID.fullmatch(v)), None)
    return Pages(first=location) if location else None


def _date(published: str | None, electronic: str | None) -> PartialDate | None:
    """DP at its own precision (``2011 Sep 22`` a day, ``2011 Sep-Oct`` and ``2011 Spring`` a month), else DEP
    (``20110922``)."""
    date = date_from_text(published)
    if date is not None:
        return date
    epub = _EPUB_DATE.fullmatch(electronic or "")
    return date_from_parts(epub.group(1), int(epub.group(2)), epub.group(3)) if epub else None


# --- authors ----------------------------------------------------------------------------------------------------

def _authors(fields: list[tuple[str, str, int]]) -> tuple[Author, ...]:
    """FAU/AU persons and CN collectives in order, each with the AUID and AD lines that follow it.

    AD lines before the first author are old MEDLINE's single affiliation, which belongs to the first author
    (where PubMed XML puts it today).
    """
    authors: list[dict] = []
    leading: list[str] = []
    target: dict | None = None  # the author that AD/AUID lines belong to; None after an investigator or editor
    awaiting_au = False  # the last author came from FAU and its AU (initials) has not come yet
    for tag, raw, _ in fields:
        value = clean(raw) or ""
        if tag == "AU" and awaiting_au and target is not None:
            _, target["initials"], suffix = split_initials_name(value)
            target["suffix"] = target["suffix"] or suffix
            awaiting_au = False
        elif tag in ("FAU", "AU", "CN") and value:
            target = _new_author(tag, value)
            authors.append(target)
            awaiting_au = tag == "FAU"
        elif tag in _NOT_AUTHOR_TAGS:
            target, awaiting_au = None, False
        elif tag == "AUID" and target is not None and target["orcid"] is None and _ORCID_PREFIX.match(value):
            target["orcid"] = normalise_or_none(Scheme.ORCID, _ORCID_PREFIX.sub("", value, count=1))
        elif tag == "AD" and value and target is not None:
            target["affiliations"].append(value)
        elif tag == "AD" and value and not authors:
            leading.append(value)
    if authors and leading:
        authors[0]["affiliations"][:0] = leading
    return tuple(Author(**{**a, "affiliations": tuple(a["affiliations"])}) for a in authors)


def _new_author(tag: str, value: str) -> dict:
    """The fields of an Author from FAU (full name), AU (family and initials) or CN (a collective name)."""
    if tag == "CN":
        names = {"name": value}
    elif tag == "FAU":  # "Wise, John Pierce Sr"; no comma: all of it is the family name
        family, _, rest = value.partition(",")
        given, suffix = given_and_suffix(rest.strip() or None)
        names = {"family": family.strip() or None, "given": given, "suffix": suffix}
    else:
        family, initials, suffix = split_initials_name(value)
        names = {"family": family, "initials": initials, "suffix": suffix}
    return {"suffix": None, **names, "orcid": None, "affiliations": []}
