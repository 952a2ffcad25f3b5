"""Read PubMed/MEDLINE XML (a PubmedArticleSet from efetch, baseline or update files) into Article records."""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from lxml import etree

from kg.errors import ReaderError
from kg.identifiers import normalise_or_none
from kg.readers.fields import clean, date_from_parts, date_from_text, medline_pages
from kg.readers.limits import limited
from kg.readers.xml import Oversized, records
from kg.records import Article, Author, Deletion, Identifier, Journal, Pages, PartialDate, Reference, Record, Scheme, Skipped

NAME = "pubmed-xml"

_PROLOG = re.compile(
    rb"(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>\s*)?"
    rb"(?:(?:<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>|<\?[^>]*\?>)\s*)*",
    re.DOTALL)
_ROOTS = (b"<PubmedArticleSet", b"<PubmedArticle")
_RECORD_TAGS = frozenset(("PubmedArticle", "PubmedBookArticle", "DeleteCitation"))
_ROOT_TAGS = frozenset(("PubmedArticleSet",))

_ARTICLE_ID_SCHEMES = {"pubmed": Scheme.PMID, "pmc": Scheme.PMCID, "pmcid": Scheme.PMCID, "doi": Scheme.DOI,
                       "pii": Scheme.PII}
_REFERENCE_ID_SCHEMES = {"pubmed": Scheme.PMID, "pmc": Scheme.PMCID, "pmcid": Scheme.PMCID, "doi": Scheme.DOI}

_EMPTY = etree.Element("Article")  # stands in for a missing Article element; never modified
_AUTHOR_NAMES = {"LastName": "family", "ForeName": "given", "Initials": "initials", "Suffix": "suffix",
                 "CollectiveName": "name"}


def sniff(head: bytes) -> bool:
    """True when the first element after the prolog (declaration, DOCTYPE, comments) is a PubMed article set."""
    match = _PROLOG.match(head)
    return head.startswith(_ROOTS, match.end() if match else 0)


@limited
def read(stream: BinaryIO, source: str) -> Iterator[Record]:
    """One Article per PubmedArticle (Skipped when it has no valid PMID) and one Deletion per PMID of a
    DeleteCitation, streamed with flat memory."""
    position = 0
    try:
        for element in records(stream, source, tags=_RECORD_TAGS, roots=_ROOT_TAGS):
            if isinstance(element, Oversized):
                position += element.element.tag != "DeleteCitation"
                yield Skipped(_record_id(element.element, position), element.reason, element.element.sourceline)
            elif element.tag == "PubmedArticle":
                position += 1
                yield _record(element, position)
            elif element.tag == "PubmedBookArticle":
                position += 1
                yield _book(element, position)
            else:
                yield from _deletions(element)
    except (OSError, EOFError, zlib.error) as exc:  # a truncated or corrupt gzip stream
        raise ReaderError(f"cannot read the input: {exc}", source=source) from exc


def _record_id(element: etree._Element, position: int) -> str:
    """``PMID 123`` when the PMID has been read, else the element and its position."""
    citation = _children(element).get("MedlineCitation" if element.tag == "PubmedArticle" else "BookDocument")
    pmid = _text(_children(citation).get("PMID"))
    return f"PMID {pmid}" if pmid else f"{element.tag} {position}"


def _deletions(element: etree._Element) -> Iterator[Record]:
    for child in element:
        if child.tag != "PMID":
            continue
        pmid = normalise_or_none(Scheme.PMID, _text(child) or "")
        if pmid is None:
            yield Skipped("DeleteCitation", f"invalid PMID {_text(child)!r}", child.sourceline)
        else:
            yield Deletion(Identifier(Scheme.PMID, pmid), f"DeleteCitation PMID {pmid}")


def _book(element: etree._Element, position: int) -> Skipped:
    return Skipped(_record_id(element, position), "a PubmedBookArticle (book or book chapter) is not read",
                   element.sourceline)


def _record(element: etree._Element, position: int) -> Record:
    """An Article, or Skipped when the PMID is missing or invalid (or a field cannot be represented)."""
    parts = _children(element)
    citation = _children(parts.get("MedlineCitation"))
    raw_pmid = _text(citation.get("PMID"))
    record_id = _record_id(element, position)
    if raw_pmid is None:
        return Skipped(record_id, "no MedlineCitation/PMID", element.sourceline)
    pmid = normalise_or_none(Scheme.PMID, raw_pmid)
    if pmid is None:
        return Skipped(record_id, f"invalid PMID {raw_pmid!r}", element.sourceline)
    try:
        return _article(citation, parts.get("PubmedData"), pmid)
    except (ValueError, OverflowError) as exc:  # defensive: one odd record must not stop a 30,000-record file
        return Skipped(record_id, f"unreadable record: {exc}", element.sourceline)


def _article(citation: dict[str, etree._Element], pubmed_data: etree._Element | None, pmid: str) -> Article:
    article = citation.get("Article", _EMPTY)
    fields = _children(article)
    issue = _children(_children(fields.get("Journal")).get("JournalIssue"))
    locations = _locations(article)
    return Article(
        identifiers=_identifiers(pubmed_data, pmid, locations.get("doi", [])),
        title=_text(fields.get("ArticleTitle")) or _text(fields.get("VernacularTitle")),
        abstract=_abstract(fields.get("Abstract")),
        date=_date(issue.get("PubDate"), article, pubmed_data),
        journal=_journal(fields.get("Journal"), citation.get("MedlineJournalInfo")),
        volume=_text(issue.get("Volume")),
        issue=_text(issue.get("Issue")),
        pages=_pages(fields.get("Pagination"), locations.get("pii", [])),
        publication_types=_texts(_grandchildren(fields.get("PublicationTypeList"), "PublicationType")),
        languages=_texts(article.iterchildren("Language")),
        authors=tuple(a for a in map(_author, _grandchildren(fields.get("AuthorList"), "Author")) if a is not None),
        references=_references(pubmed_data),
        complete=True,
        record_id=f"PMID {pmid}",
    )


# --- navigation and text ----------------------------------------------------------------------------------------

def _children(element: etree._Element | None) -> dict[str, etree._Element]:
    """The first child of each tag, in one pass (cheaper than one ``find`` per field)."""
    found: dict[str, etree._Element] = {}
    if element is not None:
        for child in element:
            found.setdefault(child.tag, child)
    return found


def _grandchildren(element: etree._Element | None, tag: str) -> Iterable[etree._Element]:
    return element.iterchildren(tag) if element is not None else ()


def _text(element: etree._Element | None) -> str | None:
    """All text inside ``element`` (inline markup flattened), layout whitespace collapsed; None when empty."""
    if element is None:
        return None
    return clean(element.text if len(element) == 0 else "".join(element.itertext()))


def _texts(elements: Iterable[etree._Element]) -> tuple[str, ...]:
    return tuple(t for t in map(_text, elements) if t)


# --- identifiers ------------------------------------------------------------------------------------------------


def _id_list(id_list: etree._Element | None, schemes: dict[str, Scheme]) -> list[Identifier]:
    """The valid identifiers of an ArticleIdList whose IdType is one of ``schemes``, deduplicated, in order."""
    found: dict[Identifier, None] = {}
    for element in _grandchildren(id_list, "ArticleId"):
        scheme = schemes.get(element.get("IdType", ""))
        value = normalise_or_none(scheme, _text(element)) if scheme is not None else None
        if value is not None:
            found[Identifier(scheme, value)] = None
    return list(found)


def _locations(article: etree._Element) -> dict[str, list[str]]:
    """ELocationID texts by EIdType (``doi``, ``pii``)."""
    found: dict[str, list[str]] = {}
    for location in article.iterchildren("ELocationID"):
        text = _text(location)
        if text:
            found.setdefault(location.get("EIdType", ""), []).append(text)
    return found


def _identifiers(pubmed_data: etree._Element | None, pmid: str, dois: list[str]) -> tuple[Identifier, ...]:
    """The record's PMID, then its ArticleIdList (other PMIDs left out), then ELocationID DOIs; deduplicated."""
    found: dict[Identifier, None] = {Identifier(Scheme.PMID, pmid): None}
    id_list = _children(pubmed_data).get("ArticleIdList")
    for identifier in _id_list(id_list, _ARTICLE_ID_SCHEMES):
        if identifier.scheme is not Scheme.PMID:
            found[identifier] = None
    for text in dois:
        doi = normalise_or_none(Scheme.DOI, text)
        if doi is not None:
            found[Identifier(Scheme.DOI, doi)] = None
    return tuple(found)


# --- journal, pages, abstract -----------------------------------------------------------------------------------

def _journal(journal: etree._Element | None, info: etree._Element | None) -> Journal | None:
    if journal is None and info is None:
        return None
    issns: dict[str, str | None] = {}
    for issn in _grandchildren(journal, "ISSN"):
        kind = issn.get("IssnType", "")
        if issns.get(kind) is None:
            issns[kind] = normalise_or_none(Scheme.ISSN, _text(issn))
    fields, extra = _children(journal), _children(info)
    return Journal(
        title=_text(fields.get("Title")),
        iso_abbreviation=_text(fields.get("ISOAbbreviation")),
        nlm_abbreviation=_text(extra.get("MedlineTA")),
        issn_print=issns.get("Print"),
        issn_electronic=issns.get("Electronic"),
        issn_linking=normalise_or_none(Scheme.ISSN, _text(extra.get("ISSNLinking"))),
        nlm_id=normalise_or_none(Scheme.NLM, _text(extra.get("NlmUniqueID"))),
    )


def _pages(pagination: etree._Element | None, piis: list[str]) -> Pages | None:
    """StartPage/EndPage, else the parsed MedlinePgn, else an ELocationID pii (an article number)."""
    fields = _children(pagination)
    start = _text(fields.get("StartPage"))
    if start:
        return Pages(start, _text(fields.get("EndPage")))
    medline = _text(fields.get("MedlinePgn"))
    if medline:
        return medline_pages(medline)
    return Pages(first=piis[0]) if piis else None


def _abstract(abstract: etree._Element | None) -> str | None:
    """The AbstractText parts in order, a labelled part as ``LABEL: text``, joined by newlines."""
    if abstract is None:
        return None
    parts = []
    for part in abstract.iterchildren("AbstractText"):
        text = _text(part)
        if not text:
            continue
        label = (part.get("Label") or "").strip()
        parts.append(f"{label}: {text}" if label else text)
    return "\n".join(parts) or None


# --- dates ------------------------------------------------------------------------------------------------------

def _date(pub_date: etree._Element | None, article: etree._Element,
          pubmed_data: etree._Element | None) -> PartialDate | None:
    """PubDate at its own precision, else the electronic ArticleDate, else the year PubMed listed it."""
    if pub_date is not None:
        fields = _children(pub_date)
        date = _ymd(fields) or date_from_text(_text(fields.get("MedlineDate")))
        if date is not None:
            return date
    for article_date in article.iterchildren("ArticleDate"):
        date = _ymd(_children(article_date))
        if date is not None:
            return date
    for history in _grandchildren(_children(pubmed_data).get("History"), "PubMedPubDate"):
        if history.get("PubStatus") == "pubmed":
            return date_from_parts(_text(_children(history).get("Year")))
    return None


def _ymd(fields: dict[str, etree._Element]) -> PartialDate | None:
    """A date from Year/Month/Day (Month as ``Sep``, ``09`` or ``9``), or Year and a Season (its first month)."""
    return date_from_parts(_text(fields.get("Year")), _text(fields.get("Month")), _text(fields.get("Day")),
                           season=_text(fields.get("Season")))


# --- authors and references -------------------------------------------------------------------------------------

def _author(element: etree._Element) -> Author | None:
    """A person (LastName/ForeName/Initials) or a collective (CollectiveName); None when invalid or empty."""
    if element.get("ValidYN") == "N":
        return None
    names: dict[str, str | None] = {}
    orcid, affiliations = None, []
    for child in element:  # one pass over the children: authors are the most numerous element
        tag = child.tag
        if tag in _AUTHOR_NAMES:
            names.setdefault(_AUTHOR_NAMES[tag], _text(child))
        elif tag == "Identifier" and orcid is None and child.get("Source") == "ORCID":
            orcid = normalise_or_none(Scheme.ORCID, _text(child))
        elif tag == "AffiliationInfo":
            affiliations.extend(_texts(child.iterchildren("Affiliation")))
    if not any(names.values()):
        return None
    return Author(**names, orcid=orcid, affiliations=tuple(affiliations))


def _references(pubmed_data: etree._Element | None) -> tuple[Reference, ...]:
    """Every Reference of every (possibly nested) ReferenceList that has an identifier or a text."""
    references = []
    for reference_list in _grandchildren(pubmed_data, "ReferenceList"):
        for element in reference_list.iter("Reference"):
            fields = _children(element)
            identifiers = tuple(_id_list(fields.get("ArticleIdList"), _REFERENCE_ID_SCHEMES))
            text = _text(fields.get("Citation"))
            if identifiers or text:
                references.append(Reference(identifiers=identifiers, text=text))
    return tuple(references)
