"""Read JATS XML (a PMC .nxml article, or an efetch db=pmc <pmc-articleset> of many) into Article records."""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from lxml import etree

from kg.errors import ReaderError
from kg.identifiers import normalise_or_none
from kg.readers.limits import limited
from kg.readers.xml import Oversized, records
from kg.readers.fields import clean, date_from_parts
from kg.records import Article, Author, Identifier, Journal, Pages, PartialDate, Reference, Record, Scheme, Skipped

NAME = "jats-xml"

_PROLOG = re.compile(
    rb"(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>\s*)?"
    rb"(?:(?:<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>|<\?[^>]*\?>)\s*)*",
    re.DOTALL)
_ROOT = re.compile(rb"<(pmc-articleset|article)(?=[\s/>])([^>]*)>")
_DEFAULT_NAMESPACE = re.compile(rb"\sxmlns\s*=")

# Top-level articles are records; bodies, sub-articles and responses are never read, so their content is freed as
# it streams by (an <article> inside them is not a record).
_RECORD_TAGS = frozenset(("article",))
_IGNORED = frozenset(("body", "sub-article", "response"))
_ROOT_TAGS = frozenset(("pmc-articleset",))

_ARTICLE_ID_SCHEMES = {"pmid": Scheme.PMID, "pmc": Scheme.PMCID, "pmcid": Scheme.PMCID, "doi": Scheme.DOI}
_CITATIONS = frozenset(("mixed-citation", "element-citation", "citation", "nlm-citation"))
_SIDE_ABSTRACTS = frozenset(("graphical", "teaser"))
_ABSTRACT_SKIP = frozenset(("title", "label", "object-id"))
# pub-date kinds by preference (print or issue date first); kinds not listed (pmc-release, ...) are not used.
_DATE_RANKS = {"ppub": 0, "epub-ppub": 0, "collection": 1, "epub": 2, "pub": 3, "": 3}
_AFF_SKIP = frozenset(("label", "institution-id"))
_COLLAB_SKIP = frozenset(("contrib-group", "xref", "fn", "label"))
_ISSN_KINDS = {"ppub": "print", "print": "print", "epub": "electronic", "electronic": "electronic"}
# Inline formatting: joined to the text around it as written (other elements are kept apart from it).
_INLINE = frozenset(("italic", "bold", "sup", "sub", "sc", "underline", "monospace", "roman", "sans-serif",
                     "overline", "strike", "styled-content", "named-content", "inline-formula", "abbrev"))


def sniff(head: bytes) -> bool:
    """True when the root (after the prolog) is <pmc-articleset>, or an un-namespaced <article> with a <front>."""
    match = _PROLOG.match(head)
    root = _ROOT.match(head, match.end() if match else 0)
    if root is None:
        return False
    if root.group(1) == b"pmc-articleset":
        return True
    return not _DEFAULT_NAMESPACE.search(root.group(2)) and b"<front" in head[root.end():]


@limited
def read(stream: BinaryIO, source: str) -> Iterator[Record]:
    """One Article per top-level <article> (Skipped when it has no valid PMID, PMCID or DOI), streamed."""
    position = 0
    try:
        for element in records(stream, source, tags=_RECORD_TAGS, ignored=_IGNORED, roots=_ROOT_TAGS):
            position += 1
            if isinstance(element, Oversized):
                meta = element.element.find("front/article-meta")
                record_id = _record_id(_identifiers(meta)[0] if meta is not None else (), position)
                yield Skipped(record_id, element.reason, element.element.sourceline)
            else:
                yield _record(element, position)
    except (OSError, EOFError, zlib.error) as exc:  # a truncated or corrupt gzip stream
        raise ReaderError(f"cannot read the input: {exc}", source=source) from exc


def _record(element: etree._Element, position: int) -> Record:
    """An Article, or Skipped when no valid PMID, PMCID or DOI is given (or a field cannot be represented)."""
    meta = element.find("front/article-meta")
    if meta is None:
        return Skipped(f"article {position}", "no front/article-meta", element.sourceline)
    identifiers, rejected = _identifiers(meta)
    record_id = _record_id(identifiers, position)
    if not identifiers:
        reason = "no valid PMID, PMCID or DOI" + (f" (invalid: {', '.join(rejected)})" if rejected else "")
        return Skipped(record_id, reason, element.sourceline)
    try:
        return _article(element, meta, identifiers, record_id)
    except (ValueError, OverflowError) as exc:  # defensive: one odd article must not stop an article set
        return Skipped(record_id, f"unreadable record: {exc}", element.sourceline)


def _record_id(identifiers: tuple[Identifier, ...], position: int) -> str:
    values = {i.scheme: i.value for i in reversed(identifiers)}  # the first of each scheme wins
    if Scheme.PMCID in values:
        return values[Scheme.PMCID]
    if Scheme.PMID in values:
        return f"PMID {values[Scheme.PMID]}"
    return f"article {position}"


def _article(element: etree._Element, meta: etree._Element, identifiers: tuple[Identifier, ...],
             record_id: str) -> Article:
    article_type = (element.get("article-type") or "").strip()
    return Article(
        identifiers=identifiers,
        title=_text(meta.find("title-group/article-title")),
        abstract=_abstract(meta),
        date=_date(meta),
        journal=_journal(element.find("front/journal-meta")),
        volume=_text(meta.find("volume")),
        issue=_text(meta.find("issue")),
        pages=_pages(meta),
        publication_types=(article_type,) if article_type else (),
        authors=_authors(meta),
        references=_references(element.find("back")),
        complete=True,
        record_id=record_id,
    )


# --- text -------------------------------------------------------------------------------------------------------

def _text(element: etree._Element | None, skip: frozenset[str] = frozenset()) -> str | None:
    """The text inside ``element``, whitespace collapsed; None when empty. See _joined for ``skip`` and spacing."""
    if element is None:
        return None
    return clean(_joined(element, skip))


def _joined(element: etree._Element, skip: frozenset[str]) -> str:
    """All text of ``element`` without the ``skip`` children (their tails kept).

    Element-only content (``<surname>Smith</surname><given-names>J</given-names>``, an <element-citation>) is
    joined with spaces. Mixed content is joined as written, except that a structural element (not inline
    formatting) is kept apart from a letter or digit it touches: ``Hyg<volume>83</volume>`` gives ``Hyg 83``
    while ``M<italic>m</italic>PPOX`` stays ``MmPPOX``.
    """
    text = element.text or ""
    if not len(element):
        return text
    if (not text or text.isspace()) and all(not c.tail or c.tail.isspace() for c in element):
        return " ".join([(c.text or "") if not len(c) else _joined(c, skip) for c in element if c.tag not in skip])
    parts, last = [text], text[-1:]  # joined once at the end: adding to a growing string is quadratic
    for child in element:
        apart = isinstance(child.tag, str) and child.tag not in _INLINE and not child.tag.startswith("{")
        for more in (_joined(child, skip) if child.tag not in skip else "", child.tail or ""):
            if apart and last.isalnum() and more[:1].isalnum():
                parts.append(" ")
            if more:
                parts.append(more)
                last = more[-1]
    return "".join(parts)


# --- identifiers ------------------------------------------------------------------------------------------------


def _identifiers(meta: etree._Element) -> tuple[tuple[Identifier, ...], list[str]]:
    """The valid pmid/pmc/pmcid/doi article-ids in document order (deduplicated), and the rejected ones."""
    found: dict[Identifier, None] = {}
    rejected = []
    for element in meta.iterchildren("article-id"):
        kind = (element.get("pub-id-type") or "").strip().lower()
        scheme = _ARTICLE_ID_SCHEMES.get(kind)
        if scheme is None:
            continue
        text = _text(element)
        value = normalise_or_none(scheme, text)
        if value is not None:
            found[Identifier(scheme, value)] = None
        elif text:
            rejected.append(f"{kind} {text!r}")
    return tuple(found), rejected


def _pub_ids(element: etree._Element) -> tuple[Identifier, ...]:
    """The valid pmid/pmc/pmcid/doi <pub-id>s anywhere inside a citation, deduplicated, in order."""
    found: dict[Identifier, None] = {}
    for pub_id in element.iter("pub-id"):
        scheme = _ARTICLE_ID_SCHEMES.get((pub_id.get("pub-id-type") or "").strip().lower())
        value = normalise_or_none(scheme, _text(pub_id)) if scheme is not None else None
        if value is not None:
            found[Identifier(scheme, value)] = None
    return tuple(found)


# --- abstract, date, journal, pages -----------------------------------------------------------------------------

def _abstract(meta: etree._Element) -> str | None:
    """The main abstract(s) (no abstract-type); else the typed ones but graphical and teaser; else those."""
    abstracts = list(meta.iterchildren("abstract"))
    chosen = ([a for a in abstracts if not a.get("abstract-type")]
              or [a for a in abstracts if a.get("abstract-type") not in _SIDE_ABSTRACTS] or abstracts)
    return "\n".join(part for abstract in chosen for part in _abstract_parts(abstract)) or None


def _abstract_parts(container: etree._Element) -> list[str]:
    """One part per paragraph-level child; a <sec> is one part, ``TITLE: text``; the abstract's title is left out."""
    if (container.text or "").strip() or any((c.tail or "").strip() for c in container):
        text = _text(container, _ABSTRACT_SKIP)  # text written straight into the abstract or section
        return [text] if text else []
    parts = []
    for child in container:
        if child.tag in _ABSTRACT_SKIP:
            continue
        if child.tag == "sec":
            title = (_text(child.find("title")) or "").rstrip(": ")
            body = " ".join(_abstract_parts(child))
            part = f"{title}: {body}" if title and body else body
        else:
            part = _text(child)
        if part:
            parts.append(part)
    return parts


def _date(meta: etree._Element) -> PartialDate | None:
    """The best-ranked pub-date (print or collection, then electronic) at the precision it gives."""
    best: tuple[int, PartialDate] | None = None
    for pub_date in meta.iterchildren("pub-date"):
        rank = _DATE_RANKS.get(_date_kind(pub_date))
        date = _ymd(pub_date) if rank is not None else None
        if date is not None and (best is None or rank < best[0]):
            best = (rank, date)
    return best[1] if best else None


def _date_kind(pub_date: etree._Element) -> str:
    """``ppub``, ``epub``, ``collection``, ...; JATS 1.1+ ``date-type="pub"`` is told apart by its format."""
    kind = (pub_date.get("pub-type") or pub_date.get("date-type") or "").strip().lower()
    if kind in ("pub", ""):
        form = (pub_date.get("publication-format") or "").strip().lower()
        kind = {"print": "ppub", "electronic": "epub"}.get(form, kind)
    return kind


def _ymd(pub_date: etree._Element) -> PartialDate | None:
    """Year, month and day as given; a season, or a month range, gives its first month."""
    return date_from_parts(_text(pub_date.find("year")), _text(pub_date.find("month")), _text(pub_date.find("day")),
                           season=_text(pub_date.find("season")))


def _journal(journal_meta: etree._Element | None) -> Journal | None:
    """Title, abbreviations (abbrev-journal-title, else journal-id), ISSNs and NLM id of <journal-meta>."""
    if journal_meta is None:
        return None
    abbreviations = _abbreviations(journal_meta)
    issns: dict[str, str] = {}
    for issn in journal_meta.iter("issn"):
        kind = _ISSN_KINDS.get((issn.get("pub-type") or issn.get("publication-format") or "").strip().lower())
        value = normalise_or_none(Scheme.ISSN, _text(issn))
        if kind and value and kind not in issns:
            issns[kind] = value
    return Journal(
        title=_text(next(journal_meta.iter("journal-title"), None)),
        iso_abbreviation=abbreviations.get("iso-abbrev"),
        nlm_abbreviation=abbreviations.get("nlm-ta"),
        issn_print=issns.get("print"),
        issn_electronic=issns.get("electronic"),
        issn_linking=normalise_or_none(Scheme.ISSN, _text(next(journal_meta.iter("issn-l"), None))),
        nlm_id=normalise_or_none(Scheme.NLM, abbreviations.get("nlm-journal-id")),
    )


def _abbreviations(journal_meta: etree._Element) -> dict[str, str]:
    """Abbreviations and ids by kind (nlm-ta, iso-abbrev, nlm-journal-id): abbrev-journal-title, else journal-id."""
    found: dict[str, str] = {}
    for tag, attribute in (("abbrev-journal-title", "abbrev-type"), ("journal-id", "journal-id-type")):
        for element in journal_meta.iter(tag):
            kind = (element.get(attribute) or "").strip().lower()
            text = _text(element)
            if text and kind not in found:
                found[kind] = text
    return found


def _pages(meta: etree._Element) -> Pages | None:
    """fpage/lpage, else the first elocation-id (an article number) that is not the article's DOI."""
    first = _text(meta.find("fpage"))
    if first:
        return Pages(first, _text(meta.find("lpage")))
    for location in meta.iterchildren("elocation-id"):
        text = _text(location)
        if text and (location.get("content-type") or "").strip().lower() != "doi":
            return Pages(first=text)
    return None


# --- authors and references -------------------------------------------------------------------------------------

def _authors(meta: etree._Element) -> tuple[Author, ...]:
    """The contrib-type="author" contribs of every article-meta contrib-group, in order."""
    affiliations, referenced = _affiliations(meta)
    shared_meta = _unreferenced(meta, referenced)
    authors = []
    for group in meta.iterchildren("contrib-group"):
        shared = _unreferenced(group, referenced) or shared_meta
        for contrib in group.iterchildren("contrib"):
            if (contrib.get("contrib-type") or "").strip().lower() == "author":
                author = _author(contrib, affiliations, shared)
                if author is not None:
                    authors.append(author)
    return tuple(authors)


def _affiliations(meta: etree._Element) -> tuple[dict[str, str], set[str]]:
    """Affiliation text (label and institution ids left out) by id, and the ids some xref points to."""
    texts: dict[str, str] = {}
    for aff in meta.iter("aff"):
        text = _text(aff, _AFF_SKIP)
        if text and aff.get("id"):
            texts.setdefault(aff.get("id"), text)
        holder = aff.getparent()
        if text and holder.tag == "aff-alternatives" and holder.get("id"):
            texts.setdefault(holder.get("id"), text)  # the first alternative stands for the group
    referenced = {rid for xref in meta.iter("xref") if xref.get("ref-type") == "aff"
                  for rid in (xref.get("rid") or "").split()}
    return texts, referenced


def _unreferenced(parent: etree._Element, referenced: set[str]) -> tuple[str, ...]:
    """The texts of ``parent``'s <aff> children that no xref points to: they apply to every contributor."""
    texts = (_text(aff, _AFF_SKIP) for aff in parent.iterchildren("aff") if aff.get("id") not in referenced)
    return tuple(t for t in texts if t)


def _author(contrib: etree._Element, affiliations: dict[str, str], shared: tuple[str, ...]) -> Author | None:
    """A person (name, name-alternatives or string-name) or a collective (collab); None when it has no name.

    Affiliations: those the contrib's xrefs point to and those inside it; else (no aff xref at all) ``shared``.
    """
    names = _names(contrib)
    if not any(names.values()):
        return None
    found: dict[str, None] = {}
    pointed = False
    for child in contrib:
        if child.tag == "xref" and child.get("ref-type") == "aff":
            pointed = True
            found.update((affiliations[rid], None) for rid in (child.get("rid") or "").split() if rid in affiliations)
        elif child.tag == "aff" and (text := _text(child, _AFF_SKIP)):
            found[text] = None
    own = tuple(found)
    return Author(**names, orcid=_orcid(contrib), affiliations=own if own or pointed else shared)


def _orcid(contrib: etree._Element) -> str | None:
    """The first valid ORCID of the contrib's <contrib-id contrib-id-type="orcid">s, normalised."""
    for element in contrib.iterchildren("contrib-id"):
        if (element.get("contrib-id-type") or "").strip().lower() == "orcid":
            value = normalise_or_none(Scheme.ORCID, _text(element))
            if value:
                return value
    return None


def _names(contrib: etree._Element) -> dict[str, str | None]:
    name = contrib.find("name")
    if name is None:
        name = contrib.find("name-alternatives/name")
    if name is None:
        string_name = contrib.find("string-name")
        if string_name is not None and string_name.find("surname") is None:
            return {"name": _text(string_name)}
        name = string_name
    if name is not None:
        return {"family": _text(name.find("surname")), "given": _text(name.find("given-names")),
                "suffix": _text(name.find("suffix"))}
    return {"name": _text(contrib.find("collab"), _COLLAB_SKIP)}


def _references(back: etree._Element | None) -> tuple[Reference, ...]:
    """One Reference per citation of every <ref> in <back> (nested ref-lists too) with an identifier or a text."""
    if back is None:
        return ()
    references = []
    for ref in back.iter("ref"):
        sources = [c for c in ref if c.tag in _CITATIONS or c.tag == "citation-alternatives"] or [ref]
        for source in sources:
            reference = _reference(source)
            if reference is not None:
                references.append(reference)
    return tuple(references)


def _reference(source: etree._Element) -> Reference | None:
    """A citation's pub-ids and text; of <citation-alternatives> (one work) the mixed-citation gives the text."""
    text_source = source
    if source.tag == "citation-alternatives":
        alternatives = [c for c in source if c.tag in _CITATIONS]
        text_source = next((c for c in alternatives if c.tag == "mixed-citation"),
                           alternatives[0] if alternatives else source)
    identifiers = _pub_ids(source)
    text = _text(text_source, frozenset(("label",)))
    return Reference(identifiers=identifiers, text=text) if identifiers or text else None

