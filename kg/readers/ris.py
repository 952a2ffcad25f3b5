"""Read RIS exports (Scopus, SciELO, Ovid, EBSCO, Dimensions, Web of Science, EndNote...) into Article records."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import BinaryIO
from urllib.parse import unquote

from rispy import RisParser

from kg.errors import IdentifierError, ReaderError
from kg.identifiers import normalise
from kg.readers.pubmed_xml import parse_month
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

_DOI_URL = re.compile(r"https?://(?:dx\.)?doi\.org/(10\.\S+)", re.IGNORECASE)
_PMID_URL = re.compile(r"https?://(?:www\.)?(?:pubmed\.ncbi\.nlm\.nih\.gov/|ncbi\.nlm\.nih\.gov/pubmed/"
                       r"|europepmc\.org/(?:abstract|article)/MED/)(\d+)\b", re.IGNORECASE)
_PMCID_URL = re.compile(r"https?://(?:www\.)?(?:ncbi\.nlm\.nih\.gov/pmc/articles/|pmc\.ncbi\.nlm\.nih\.gov/articles/"
                        r"|europepmc\.org/(?:abstract|article)/PMC/)(PMC\d+)\b", re.IGNORECASE)
_LABELLED = {Scheme.PMID: re.compile(r"\bPMID\s*[:=]?\s*(\d+)\b"),
             Scheme.PMCID: re.compile(r"\bPMCID\s*[:=]?\s*(PMC\d+)\b", re.IGNORECASE)}
_ISSN = re.compile(r"(?<![\dX-])\d{4}-?\d{3}[\dXx](?![\dX-])")
_CITED_BY = re.compile(r"^\s*cited by\s*:?\s*(\d+)\s*$", re.IGNORECASE)
_NUMERIC_DATE = re.compile(r"(\d{4})(?:[/-](\d{0,2})(?:[/-](\d{0,2}))?)?(?:[/-].*)?")
_WORDY_DATE = re.compile(r"(?:(\d{4})\s+)?([A-Za-z]{3,})\.?(?:\s+(\d{1,2}))?(?:,?\s+(\d{4}))?")
_PAGE_RANGE = re.compile(r"(\w+)\s*(?:-{1,3}|[\u2010-\u2015])\s*(\w+)")
_INITIALS = re.compile(r"[A-Z](?:[.\s-]*[A-Z])*\.?")
_JATS = re.compile(r"</?jats:[^>]*>")  # Crossref's JATS markup, passed on in Dimensions' abstracts


class _SameName(dict):
    """A tag mapping that keeps every tag's own code as its key (rispy's long names would only need mapping back)."""

    def __missing__(self, tag: str) -> str:
        return tag


_PARSER = RisParser(mapping=_SameName(), list_tags=_LIST_TAGS, delimiter_tags_mapping={})


def sniff(head: bytes) -> bool:
    """True when the first non-blank line (after a BOM and an Ovid entry number) is a ``TY  - CODE`` line."""
    return _HEAD.match(head) is not None


def read(stream: BinaryIO, source: str) -> Iterator[Record]:
    """One Article per entry (Skipped when it has no valid PMID, PMCID or DOI, or no ER line), streamed.

    rispy's ``parse_lines`` collects every entry of its input into one list, so each entry's lines are framed
    here (TY to ER, tags told apart by rispy's own ``parse_line``) and handed to rispy one entry at a time.
    """
    number = 0
    for start, lines, closed in _entries(numbered_lines(stream, source)):
        number += 1
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
    entry = _PARSER.parse_lines(line for line in lines if line.strip())[0]
    try:
        return _record(entry, record_id, start)
    except ValueError as exc:  # a count of thousands of digits: one odd entry must not stop the file
        return Skipped(record_id, f"unreadable entry: {exc}", start)


def _entries(lines: Iterable[tuple[int, str]]) -> Iterator[tuple[int, list[str], bool]]:
    """(first line number, lines, closed by ER) per entry; text between entries (Ovid's links) is left out."""
    start, chunk = 0, []
    for number, line in lines:
        tag = _PARSER.parse_line(line)[0]
        if tag == "TY":
            if start:
                yield start, chunk, False
            start, chunk = number, [line]
        elif start:
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
        authors=people(authors, _values(entry, "AD")),
        declared_citation_count=cited_by(_values(entry, "N1")),
        record_id=record_id,
    )


def _values(entry: dict, *tags: str) -> list[str]:
    """The non-empty values of ``tags``, whitespace collapsed, in tag order."""
    found = []
    for tag in tags:
        value = entry.get(tag)
        for text in value if isinstance(value, list) else [value] if value else []:
            text = " ".join(text.split())
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
    return " ".join(_JATS.sub(" ", text).split()) or None


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


def valid(scheme: Scheme, texts: Iterable[str]) -> list[Identifier]:
    """The texts that validate as ``scheme``, normalised, in order; the others are dropped."""
    found = []
    for text in texts:
        try:
            found.append(Identifier(scheme, normalise(scheme, text)))
        except IdentifierError:
            continue
    return found


def ids_in_urls(urls: Iterable[str], scheme: Scheme) -> list[Identifier]:
    """DOIs in doi.org links, PMIDs in PubMed (and Europe PMC MED) links, PMCIDs in PMC links."""
    pattern = {Scheme.DOI: _DOI_URL, Scheme.PMID: _PMID_URL, Scheme.PMCID: _PMCID_URL}[scheme]
    texts = (unquote(match.group(1)) for url in urls for match in pattern.finditer(url))
    return valid(scheme, texts)


def labelled(notes: Iterable[str], scheme: Scheme) -> list[Identifier]:
    """Identifiers written out with their label in a note: ``PMID: 123``, ``PMCID: PMC9``."""
    pattern = _LABELLED[scheme]
    return valid(scheme, (match.group(1) for note in notes for match in pattern.finditer(note)))


def cited_by(notes: Iterable[str]) -> int | None:
    """Scopus's citation count at export time, from a ``Cited By :4`` note."""
    for note in notes:
        match = _CITED_BY.match(note)
        if match:
            return int(match.group(1))
    return None


# --- journal, pages, date ---------------------------------------------------------------------------------------

def _journal(entry: dict, kind: str) -> Journal | None:
    """JF (full name), else T2 for journal types, else JO; the abbreviation from JA/J2/J1/JO when it differs."""
    title = _one(entry, "JF", "T2", "JO") if kind in _JOURNAL_TYPES else _one(entry, "JF", "JO")
    abbreviation = next((a for a in _values(entry, "JA", "J2", "J1", "JO") if a != title), None)
    issns = issns_in(_values(entry, "SN"))
    if not (title or abbreviation or issns):
        return None
    return journal(title, abbreviation, issns)


def journal(title: str | None, abbreviation: str | None, issns: list[str]) -> Journal:
    """A Journal; RIS and BibTeX do not say which ISSN is which, so they go to print then electronic in order."""
    return Journal(title=title, iso_abbreviation=abbreviation, issn_print=issns[0] if issns else None,
                   issn_electronic=issns[1] if len(issns) > 1 else None)


def issns_in(texts: Iterable[str]) -> list[str]:
    """Every valid ISSN in ``texts`` ("20964129 (ISSN)", "0956-053X; 1879-2456"), normalised, deduplicated."""
    found = []
    for text in texts:
        if "isbn" in text.lower():  # Scopus labels book numbers "(ISBN)"; SN holds them for books
            text = ";".join(part for part in re.split(r"[;,]", text) if "isbn" not in part.lower())
        found += [i.value for i in valid(Scheme.ISSN, _ISSN.findall(text))]
    return list(dict.fromkeys(found))


def _pages(first: str | None, last: str | None, article_number: str | None) -> Pages | None:
    """SP/EP; an SP that holds a range ("359-368"); else C7, the article number."""
    return pages(first, last) or (Pages(first=article_number) if article_number else None)


def pages(first: str | None, last: str | None) -> Pages | None:
    """First and last page; a range in the first ("359-368", "56--66") is split."""
    if first and not last:
        match = _PAGE_RANGE.fullmatch(first)
        if match:
            first, last = match.groups()
    if not (first or last):
        return None
    return Pages(first, last)


def _date(entry: dict) -> PartialDate | None:
    """The year of PY (else Y1, else DA), with the month and day of the first of DA, Y1, PY that has them for
    that year: WoS gives "PY 2022" and "DA SEP 10", Scopus only "PY 2020", SciELO "DA 2018-06-21" as well."""
    parsed = {tag: [parse_date(v) for v in _values(entry, tag)] for tag in ("DA", "Y1", "PY")}
    years = [d[0] for tag in ("PY", "Y1", "DA") for d in parsed[tag] if d and d[0]]
    if not years:
        return None
    for year, month, day in (d for tag in ("DA", "Y1", "PY") for d in parsed[tag] if d):
        if month and year in (None, years[0]):
            return PartialDate.best(years[0], month, day)
    return PartialDate.best(years[0], None, None)


def parse_date(text: str) -> tuple[int | None, int | None, int | None] | None:
    """(year, month, day), each None where absent: "2020///", "2016/09//", "2018-06-21", "SEP 10", "2020 Jun"."""
    text = text.strip()
    match = _NUMERIC_DATE.fullmatch(text)
    if match:
        year, month, day = (int(g) if g else None for g in match.groups())
        return year, month, day if month else None
    match = _WORDY_DATE.fullmatch(text)
    if match:
        month = parse_month(match.group(2))
        year = match.group(1) or match.group(4)
        day = int(match.group(3)) if month and match.group(3) else None
        return int(year) if year else None, month, day
    return None


# --- authors ----------------------------------------------------------------------------------------------------

def people(names: Iterable[str], affiliations: list[str]) -> tuple[Author, ...]:
    """Authors from "Family, Given[, Suffix]" (a name without a comma is kept whole, as for a group).

    RIS (AD) and Scopus BibTeX give affiliations for the record, not per author: they go to the author only
    when there is one author, where they cannot belong to anyone else.
    """
    authors = [person(name) for name in names]
    if len(authors) == 1 and affiliations:
        authors = [replace(authors[0], affiliations=tuple(affiliations))]
    return tuple(authors)


def person(name: str) -> Author:
    family, comma, rest = name.partition(",")
    given = rest.split(",")[0].strip()
    if not comma or not family.strip():
        return Author(name=name)
    return author(family.strip(), given or None)


def author(family: str, given: str | None) -> Author:
    """An Author; initials are derived only from a given name that is nothing but initials ("E. J." → EJ)."""
    initials = None
    if given and _INITIALS.fullmatch(given):
        initials = re.sub(r"[^A-Z]", "", given)
    return Author(family=family, given=given, initials=initials)
