"""Plain records that readers produce and the mapper turns into RDF: frozen dataclasses, no RDF here."""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass


class Scheme(enum.StrEnum):
    """Identifier schemes kg knows; values are the DataCite scheme names used in the graph."""

    PMID = "pmid"
    PMCID = "pmcid"
    DOI = "doi"
    PII = "pii"
    ISSN = "issn"
    ORCID = "orcid"
    NLM = "nlm"  # NLM unique journal id


@dataclass(frozen=True, slots=True)
class Identifier:
    """A validated, normalised identifier (see kg.identifiers.parse)."""

    scheme: Scheme
    value: str

    def __str__(self) -> str:
        return f"{self.scheme.value}:{self.value}"


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date at the precision the source gives: a year, a year and month, or a full date."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.year <= 9999:
            raise ValueError(f"year {self.year} out of range")
        if self.month is None and self.day is not None:
            raise ValueError("a day needs a month")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} out of range")
        if self.day is not None:
            datetime.date(self.year, self.month, self.day)  # raises ValueError on 31 Feb

    @classmethod
    def best(cls, year: int, month: int | None = None, day: int | None = None) -> PartialDate | None:
        """The most precise valid date from what a source gives: an impossible day is dropped, then an
        impossible month; None when even the year is out of range."""
        for candidate in ((year, month, day), (year, month, None), (year, None, None)):
            try:
                return cls(*candidate)
            except (ValueError, OverflowError):  # a day of twenty digits overflows the date
                continue
        return None

    def isoformat(self) -> str:
        """``2011``, ``2011-09`` or ``2011-09-22``."""
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text


@dataclass(frozen=True, slots=True)
class Author:
    """One author of one article, in the source's order.

    ``family``/``given``/``initials`` for a person, with ``suffix`` ("Jr", "Sr", "2nd", "III"), which is part of
    the name: "Wise JP Sr" and "Wise JP" are two people; ``name`` alone for a collective (a consortium) or when
    the source gives an unsplittable name.
    """

    family: str | None = None
    given: str | None = None
    initials: str | None = None
    name: str | None = None
    suffix: str | None = None
    orcid: str | None = None
    affiliations: tuple[str, ...] = ()

    @property
    def display_name(self) -> str:
        if self.name:
            return self.name
        return " ".join(p for p in (self.given or self.initials, self.family, self.suffix) if p)


@dataclass(frozen=True, slots=True)
class Journal:
    """The journal an article appeared in, with whatever the source says of it."""

    title: str | None = None
    iso_abbreviation: str | None = None
    nlm_abbreviation: str | None = None  # MedlineTA, as on article pages
    issn_print: str | None = None
    issn_electronic: str | None = None
    issn_linking: str | None = None
    nlm_id: str | None = None


@dataclass(frozen=True, slots=True)
class Pages:
    """Where the article sits in its issue: first and last page, or an electronic location (article number)."""

    first: str | None = None
    last: str | None = None


@dataclass(frozen=True, slots=True)
class Reference:
    """One entry of an article's reference list: the cited work's identifiers (possibly none) and its text."""

    identifiers: tuple[Identifier, ...] = ()
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """An article as one source describes it.

    ``complete`` is False for an article known only from a list entry (a page's citing article, a
    reference): it is a stub that a full record fills in later. ``declared_citation_count`` is what the
    source says ("Citations 53"), not a count of links. ``record_id`` names the record in error messages.
    """

    identifiers: tuple[Identifier, ...]
    title: str | None = None
    abstract: str | None = None
    date: PartialDate | None = None
    journal: Journal | None = None
    volume: str | None = None
    issue: str | None = None
    pages: Pages | None = None
    publication_types: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    authors: tuple[Author, ...] = ()
    references: tuple[Reference, ...] = ()
    declared_citation_count: int | None = None
    complete: bool = True
    record_id: str = ""

    def identifier(self, scheme: Scheme) -> str | None:
        """The first identifier of that scheme, or None."""
        return next((i.value for i in self.identifiers if i.scheme is scheme), None)


@dataclass(frozen=True, slots=True)
class Citation:
    """A citation that a source states outside any reference list (a page's "Citing Articles" entry, an
    OpenCitations Index row).

    Both ends are given by identifiers; their dates, where the source gives them, let the mapper state the
    citation's creation date and time span, unless the source states those itself (``creation``,
    ``timespan``). The self-citation flags are the source's, where it gives them.
    """

    citing: tuple[Identifier, ...]
    cited: tuple[Identifier, ...]
    citing_date: PartialDate | None = None
    cited_date: PartialDate | None = None
    creation: PartialDate | None = None  # stated by the source (OpenCitations' "creation"), else the citing date
    timespan: str | None = None  # an xsd:duration stated by the source ("P1Y2M"), else computed from the dates
    author_self_citation: bool | None = None
    journal_self_citation: bool | None = None
    record_id: str = ""


@dataclass(frozen=True, slots=True)
class Deletion:
    """A source's word that a record is withdrawn: PubMed's ``<DeleteCitation>`` lists the PMIDs whose earlier
    records are to be forgotten (what other sources say of those articles stays)."""

    identifier: Identifier
    record_id: str = ""


@dataclass(frozen=True, slots=True)
class Skipped:
    """A record a reader could not turn into data: kept in the stream so the load report can count it."""

    record_id: str
    reason: str
    line: int | None = None


Record = Article | Citation | Deletion | Skipped
