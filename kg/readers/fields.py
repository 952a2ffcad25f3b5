"""The field rules every reader follows, written once: text, dates, names, pages, identifiers found in text."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from urllib.parse import unquote

from kg.errors import IdentifierError
from kg.identifiers import normalise
from kg.records import Author, Identifier, Journal, Pages, PartialDate, Scheme

# --- text -------------------------------------------------------------------------------------------------------

_LAYOUT = re.compile(r"[ \t\r\n]+")


def clean(text: str | None) -> str | None:
    """``text`` with its layout whitespace collapsed: every run of spaces, tabs and line breaks (XML's whitespace,
    the indentation and line wrapping of a file) becomes one space, and none is kept at either end. Every other
    character stays as the source gives it: no-break and thin spaces, dashes, accents. None when nothing is left."""
    if not text:
        return None
    return _LAYOUT.sub(" ", text).strip(" ") or None


# --- dates ------------------------------------------------------------------------------------------------------
# One rule for every reader: a date keeps the precision its source gives. A month given by name, abbreviation or
# number is that month; a month range ("Apr-Jun", "Dec-Jan", "1998 Dec-1999 Jan") gives its first month; a season
# gives the first month of its quarter (Winter January, Spring April, Summer July, Fall/Autumn October), as does
# Crossref's numeric season (21 to 24); a day counts only after a month named as such.

_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
                "november", "december")
_MONTHS = {**{n: i for i, n in enumerate(_MONTH_NAMES, 1)}, **{n[:3]: i for i, n in enumerate(_MONTH_NAMES, 1)},
           "sept": 9}
SEASONS = {"winter": 1, "spring": 4, "summer": 7, "fall": 10, "autumn": 10}
_NUMERIC_SEASONS = {21: 4, 22: 7, 23: 10, 24: 1}  # Crossref/EDTF: 21 spring, 22 summer, 23 autumn, 24 winter
_ISO = re.compile(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_WORD = re.compile(r"[^\W\d_]+")
# What follows a year: a second year ("-2004") passed over, then a month, season or range ("Sep", "Dec-1999 Jan",
# "May/June"), then a day (the first of a range of days, "12-18", as a range of months gives its first month).
_AFTER_YEAR = re.compile(r"(?:\s*[-/\u2010-\u2015]\s*\d{4})?\s*([^\W\d_]+(?:\s*[-/\u2010-\u2015]\s*[^\W\d_]+)?)\.?"
                         r"(?:\s+(\d{1,2})\b)?")


def month_number(number: int | None) -> int | None:
    """A month from its number: 1 to 12, or a numeric season (21 to 24) as the first month of its quarter."""
    if number is None:
        return None
    return number if 1 <= number <= 12 else _NUMERIC_SEASONS.get(number)


def month_of(text: str | None) -> int | None:
    """The first month ``text`` names: ``Sep``, ``September``, ``09``, ``9``, ``Apr-Jun`` (4), ``Spring`` (4)."""
    first = re.split(r"\s*[-/\u2010-\u2015]\s*", (text or "").strip(), maxsplit=1)[0].rstrip(".").casefold()
    if first.isdecimal():
        return month_number(int(first)) if len(first) <= 2 else None
    return _MONTHS.get(first) or SEASONS.get(first)


def _is_month_name(word: str) -> bool:
    return word.rstrip(".").casefold() in _MONTHS


def date_from_parts(year: str | int | None, month: str | int | None = None, day: str | int | None = None, *,
                    season: str | None = None) -> PartialDate | None:
    """A date from separate fields (Year/Month/Day, a Season when there is no month); the most precise valid one."""
    number = _integer(year)
    if number is None:
        return None
    if isinstance(month, int):
        found, named = month_number(month), 1 <= month <= 12
    else:
        found = month_of(month)
        named = found is not None and (month or "").strip().rstrip(".").casefold() not in SEASONS and \
            not re.search(r"\w\s*[-/\u2010-\u2015]\s*\w", month or "")
    if found is None and season:
        found, named = month_of(season), False
    return PartialDate.best(number, found, _integer(day) if found and named else None)


def date_from_text(text: str | None) -> PartialDate | None:
    """A date written out: ``2011 Sep 22``, ``2011-09-22``, ``2011 Sep-Oct`` and ``1998 Dec-1999 Jan`` (the first
    month), ``2000 Spring`` and ``Spring 2000`` (April), ``2019 Apr 12-18`` (the first day),
    ``1999-2000`` (the first year); None without a year."""
    text = (text or "").strip()
    iso = _ISO.fullmatch(text)
    if iso:
        return date_from_parts(iso[1], int(iso[2]), iso[3])
    found = _YEAR.search(text)
    if found is None:
        return None
    after = _AFTER_YEAR.match(text, found.end())
    if after:
        month, day = after[1], after[2] if _is_month_name(after[1]) else None
    else:
        before = _WORD.findall(text[:found.start()])
        month, day = (before[-1] if before and month_of(before[-1]) else None), None
    return date_from_parts(found[1], month, day)


_SLASHED = re.compile(r"(\d{4})(?:[/-](\d{0,2})(?:[/-](\d{0,2}))?)?(?:[/-].*)?")
_WORDY = re.compile(r"(?:(\d{4})\s+)?([A-Za-z]{3,})\.?(?:\s+(\d{1,2}))?(?:,?\s+(\d{4}))?")


def date_fields(text: str) -> tuple[int | None, int | None, int | None] | None:
    """(year, month, day) of a reference manager's date, each None where absent: ``2020///``, ``2016/09//``,
    ``2018-06-21``, ``SEP 10`` (no year), ``2020 Jun``, ``2011 Spring``; None when unreadable."""
    text = text.strip()
    match = _SLASHED.fullmatch(text)
    if match:
        year, month, day = (int(g) if g else None for g in match.groups())
        month = month_number(month)
        return year, month, day if month else None
    match = _WORDY.fullmatch(text)
    if match:
        month = month_of(match.group(2))
        year = match.group(1) or match.group(4)
        named = month is not None and _is_month_name(match.group(2))
        if year or month:
            return int(year) if year else None, month, int(match.group(3)) if named and match.group(3) else None
    return None


def _integer(value: str | int | None) -> int | None:
    if isinstance(value, int):
        return value
    text = (value or "").strip()
    return int(text) if text.isdecimal() and len(text) <= 9 else None


# --- names ------------------------------------------------------------------------------------------------------
# A name suffix is part of the name: "Wise JP Sr" and "Wise JP" are two people. PubMed and MEDLINE write "Jr",
# "Sr", "2nd", "3rd", "4th"; other sources also "Jr." and Roman numerals.

_SUFFIX = re.compile(r"(?:Jr|Sr|JR|SR|[1-9](?:st|nd|rd|th)|II|III|IV)\.?")


def suffix_of(text: str | None) -> str | None:
    """``text`` when it is a name suffix (``Jr``, ``Sr.``, ``2nd``, ``III``), else None."""
    text = (text or "").strip().strip(",").strip()
    return text if text and _SUFFIX.fullmatch(text) else None


def is_initials(word: str) -> bool:
    """Capital letters only, accented or not: ``JP``, ``À``, ``ÉM`` (a MEDLINE AU name's initials)."""
    return word.isalpha() and word.isupper() and len(word) <= 5


def split_initials_name(text: str) -> tuple[str, str | None, str | None]:
    """``Family INITIALS [Suffix]`` (MEDLINE AU, article pages) → (family, initials, suffix): ``De Caro L`` →
    (De Caro, L, None), ``Wise JP Sr`` → (Wise, JP, Sr), ``Rovira À`` → (Rovira, À, None). Without initials after
    a family name, the whole text is the family name."""
    words = text.split()
    suffix = None
    if len(words) > 2 and suffix_of(words[-1]) and is_initials(words[-2]):
        suffix, words = words[-1], words[:-1]
    if len(words) > 1 and is_initials(words[-1]):
        return " ".join(words[:-1]), words[-1], suffix
    return " ".join(words), None, None


def given_and_suffix(given: str | None) -> tuple[str | None, str | None]:
    """A given name with a trailing suffix taken off: ``John Pierce Sr`` → (John Pierce, Sr); ``Jr`` alone stays."""
    words = (given or "").split()
    if len(words) > 1 and suffix_of(words[-1]):
        return " ".join(words[:-1]).rstrip(","), words[-1]
    return given or None, None


_INITIALS = re.compile(r"[^\W\d_](?:[.\s-]*[^\W\d_])*\.?")


def person(family: str, given: str | None, suffix: str | None = None) -> Author:
    """An Author; initials are derived only from a given name that is nothing but initials (``E. J.`` → EJ)."""
    initials = None
    if given and _INITIALS.fullmatch(given) and all(c.isupper() for c in given if c.isalpha()) \
            and len([c for c in given if c.isalpha()]) <= 5:
        initials = "".join(c for c in given if c.isalpha())
    return Author(family=family, given=given, initials=initials, suffix=suffix)


def family_first(name: str) -> Author:
    """``Family, Given[, Suffix]`` (RIS, OpenCitations) → a person; a name without a comma is kept whole (a group)."""
    family, comma, rest = name.partition(",")
    if not comma or not family.strip():
        return Author(name=clean(name))
    parts = [p.strip() for p in rest.split(",")]
    given, suffix = given_and_suffix(parts[0] or None)
    suffix = suffix or next((s for p in parts[1:] if (s := suffix_of(p))), None)
    return person(family.strip(), given, suffix)


def sole_author_affiliations(authors: list[Author], affiliations: list[str]) -> tuple[Author, ...]:
    """RIS (AD) and Scopus BibTeX give affiliations for the record, not per author: they go to the author only
    when there is one author, where they cannot belong to anyone else."""
    if len(authors) == 1 and affiliations:
        return (replace(authors[0], affiliations=tuple(affiliations)),)
    return tuple(authors)


def unlabelled_journal(title: str | None, abbreviation: str | None, issns: list[str]) -> Journal:
    """A Journal from sources that do not say which ISSN is which (RIS, BibTeX): print, then electronic, in order."""
    return Journal(title=title, iso_abbreviation=abbreviation, issn_print=issns[0] if issns else None,
                   issn_electronic=issns[1] if len(issns) > 1 else None)


# --- pages ------------------------------------------------------------------------------------------------------

_PAGE_RANGE = re.compile(r"\s*[-\u2010-\u2013]\s*")
_PAGE_NOTE = re.compile(r"\s+(?:contd|cont|concl|passim)\.?$", re.IGNORECASE)
_PAGE_START = re.compile(r"(.*?)(\d+)(\D*)")
_PAGE_END = re.compile(r"(\d+)(\D*)")
_SPLIT_RANGE = re.compile(r"(\w+)\s*(?:-{1,3}|[\u2010-\u2015])\s*(\w+)")


def medline_pages(text: str) -> Pages | None:
    """``233-50`` → 233 to 250, ``S92-100`` → S92 to S100, ``e123`` → e123; only the first of several ranges."""
    first = _PAGE_NOTE.sub("", re.split(r"[,;]", text, maxsplit=1)[0].strip())
    if not first:
        return None
    parts = _PAGE_RANGE.split(first, maxsplit=1)
    start = parts[0]
    end = parts[1] if len(parts) == 2 else ""
    if not start:
        return Pages(first=end) if end else None
    return Pages(start, _expand_end(start, end) if end else None)


def _expand_end(start: str, end: str) -> str | None:
    """Complete an abbreviated last page from the first: (1519, 23) → 1523, (S92, 100) → S100.

    None when the completed last page would come before the first (``87-5``): a typo, not a range.
    """
    start_match, end_match = _PAGE_START.fullmatch(start), _PAGE_END.fullmatch(end)
    if start_match is None or end_match is None:
        return end  # the last page has its own prefix ("e12-e15", "NP1-NP9") or no number at all
    prefix, start_digits = start_match.group(1), start_match.group(2)
    end_digits, end_rest = end_match.groups()
    if len(end_digits) < len(start_digits):
        end_digits = start_digits[: len(start_digits) - len(end_digits)] + end_digits
    if int(end_digits) < int(start_digits):
        return None
    return prefix + end_digits + end_rest


def pages(first: str | None, last: str | None) -> Pages | None:
    """First and last page; a range in the first (``359-368``, ``56--66``) is split."""
    if first and not last:
        match = _SPLIT_RANGE.fullmatch(first)
        if match:
            first, last = match.groups()
    if not (first or last):
        return None
    return Pages(first, last)


# --- identifiers found in text ----------------------------------------------------------------------------------

_DOI_URL = re.compile(r"https?://(?:dx\.)?doi\.org/(10\.\S+)", re.IGNORECASE)
_PMID_URL = re.compile(r"https?://(?:www\.)?(?:pubmed\.ncbi\.nlm\.nih\.gov/|ncbi\.nlm\.nih\.gov/pubmed/"
                       r"|europepmc\.org/(?:abstract|article)/MED/)(\d+)\b", re.IGNORECASE)
_PMCID_URL = re.compile(r"https?://(?:www\.)?(?:ncbi\.nlm\.nih\.gov/pmc/articles/|pmc\.ncbi\.nlm\.nih\.gov/articles/"
                        r"|europepmc\.org/(?:abstract|article)/PMC/)(PMC\d+)\b", re.IGNORECASE)
_LABELLED = {Scheme.PMID: re.compile(r"\bPMID\s*[:=]?\s*(\d+)\b"),
             Scheme.PMCID: re.compile(r"\bPMCID\s*[:=]?\s*(PMC\d+)\b", re.IGNORECASE)}
_ISSN = re.compile(r"(?<![\dX-])\d{4}-?\d{3}[\dXx](?![\dX-])")
_CITED_BY = re.compile(r"^\s*cited by\s*:?\s*(\d+)\s*$", re.IGNORECASE)


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


def issns_in(texts: Iterable[str]) -> list[str]:
    """Every valid ISSN in ``texts`` ("20964129 (ISSN)", "0956-053X; 1879-2456"), normalised, deduplicated."""
    found = []
    for text in texts:
        if "isbn" in text.lower():  # Scopus labels book numbers "(ISBN)"; SN holds them for books
            text = ";".join(part for part in re.split(r"[;,]", text) if "isbn" not in part.lower())
        found += [i.value for i in valid(Scheme.ISSN, _ISSN.findall(text))]
    return list(dict.fromkeys(found))


def cited_by(notes: Iterable[str]) -> int | None:
    """Scopus's citation count at export time, from a ``Cited By :4`` note."""
    for note in notes:
        match = _CITED_BY.match(note)
        if match:
            return int(match.group(1))
    return None
