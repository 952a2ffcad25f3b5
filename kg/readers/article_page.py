"""Read the text form of an article page (overview, authors, abstract, citing articles) into records."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import BinaryIO

from kg.errors import IdentifierError, ReaderError
from kg.identifiers import parse
from kg.readers.fields import clean, date_from_parts, date_from_text, is_initials, split_initials_name
from kg.readers.limits import Budget, limited, too_big
from kg.readers.text import numbered_lines
from kg.records import Article, Author, Citation, Identifier, Journal, Pages, PartialDate, Record, Scheme, Skipped

NAME = "article-page"

_BREADCRUMB = re.compile(r"^(?:»|>>)\s*Articles\s*(?:»|>>)\s*(?P<key>PMID|DOI)\s*:?\s*(?P<value>\S*)\s*$",
                         re.IGNORECASE)
_SECTIONS = {"overview": "overview", "authors": "authors", "affiliations": "affiliations",
             "abstract": "abstract"}
# Headings of blocks this reader does not turn into records; knowing them keeps their lines out of the
# abstract and, above all, keeps "Similar Articles" entries from being read as citing articles.
_IGNORED = {"references", "similar articles", "related articles", "mesh terms", "keywords", "substances",
            "grants", "publication types", "full text links", "conflict of interest statement"}
_CITING = re.compile(r"^citing articles(?:\s*\(\d[\d,]*\))?$", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"^(?:soon will be listed here|will be listed soon|to be listed soon|not available|"
                          r"no abstract available|no abstract|not listed|n/?a|none|unknown|-+)\s*\.?$",
                          re.IGNORECASE)
_OVERVIEW_LINE = re.compile(r"^(?P<key>[A-Za-z]+)\s*:?\s+(?P<value>\S.*)$")  # on a stripped line
_OVERVIEW_KEYS = {"journal", "date", "pmid", "pmc", "pmcid", "doi", "citations", "authors"}
_IDS_LINE = re.compile(r"^\s*(?:PMID|PMCID|PMC|DOI)\s*:", re.IGNORECASE)
_ID_PART = re.compile(r"\b(PMID|PMCID|PMC|DOI)\s*:\s*(\S+)", re.IGNORECASE)
_ID_SCHEMES = {"pmid": Scheme.PMID, "pmc": Scheme.PMCID, "pmcid": Scheme.PMCID, "doi": Scheme.DOI}
_ID_ORDER = (Scheme.PMID, Scheme.PMCID, Scheme.DOI)
# The date that ends the "authors journal." part of a citing entry: " 2025;", " 2025 Feb;", " 2025 Feb 7;".
_ENTRY_DATE = re.compile(r"\s(\d{4})(?:\s([A-Za-z]{3})(?:\s(\d{1,2}))?)?;")
# On a stripped tail without its final "."; possessive, so that no run of spaces is tried two ways.
_ENTRY_TAIL = re.compile(r"(?P<volume>[^():;]*+)(?:\((?P<issue>[^()]*+)\))?+\s*+(?::(?P<pages>.*))?+")


# ---------------------------------------------------------------------------------------------- sniffing


def sniff(head: bytes) -> bool:
    """True for a page: the "» Articles » PMID" breadcrumb, or an Overview with a "PMID n" line and a page block."""
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    lines = [line.strip() for line in text.splitlines()]
    if lines and _BREADCRUMB.match(lines[0]):
        return True
    if text.startswith("<"):
        return False
    has_pmid = any(re.match(r"^PMID\s*:?\s+\d", line) for line in lines)  # MEDLINE's "PMID- 1" does not match
    has_block = any(_CITING.match(line) or line in ("Abstract", "Affiliations") for line in lines)
    return "Overview" in lines and has_pmid and has_block


# ----------------------------------------------------------------------------------------------- reading


@limited
def read(stream: BinaryIO, source: str) -> Iterator[Record]:
    """The page's article, then for each citing entry its article and its Citation (or a Skipped)."""
    lines = numbered_lines(stream, source)
    header = _read_header(lines, source)
    if header.empty:
        raise ReaderError("the page is empty", source=source)
    page = _page_article(header, source)
    yield page
    for number, entry in enumerate(_entries(_citing_lines(lines)), 1):
        yield from _entry_records(entry, number, page)


def _heading(text: str) -> str | None:
    """"citing", a section name, "ignored" for a known block we skip, or None for an ordinary line."""
    key = text.strip().casefold()
    if _CITING.match(key):
        return "citing"
    if key in _SECTIONS:
        return _SECTIONS[key]
    return "ignored" if key in _IGNORED else None


def _is_placeholder(text: str) -> bool:
    return bool(_PLACEHOLDER.match(text.strip()))


# -------------------------------------------------------------------------------------- the page's article


@dataclass
class _Header:
    """The lines of each block before "Citing Articles", kept by section name."""

    sections: dict[str, list[tuple[int, str]]] = field(default_factory=lambda: {
        "top": [], "overview": [], "authors": [], "affiliations": [], "abstract": [], "ignored": []})
    empty: bool = True

    def texts(self, section: str) -> list[str]:
        return [text for _, text in self.sections[section]]


def _read_header(lines: Iterator[tuple[int, str]], source: str) -> _Header:
    """Consume lines up to and including the "Citing Articles" heading (or to the end); raises ReaderError when
    they are over the limits of one record."""
    header, section, budget = _Header(), "top", Budget()
    for number, text in lines:
        if budget.spend(len(text)):
            raise ReaderError(too_big("lines", what="the page's article (before its Citing Articles)"),
                              source=source, line=number)
        if text.strip():
            header.empty = False
        heading = _heading(text)
        if heading == "citing":
            break
        if heading:
            section = heading
            continue
        header.sections[section].append((number, text))
    return header


def _page_article(header: _Header, source: str) -> Article:
    overview = _overview(header.texts("overview"))
    identifiers = _page_identifiers(header, overview, source)
    authors = _page_authors(header.texts("authors")) or _page_authors([overview.get("authors", "")])
    record_id = f"page {_label(identifiers)}"
    try:
        count = _count(overview.get("citations", ""))
    except ValueError as exc:  # thousands of digits; the citing entries cannot load without the page's article
        raise ReaderError(f"unreadable citation count: {exc}", source=source, record=record_id) from exc
    return Article(
        identifiers=identifiers,
        title=_title(header.texts("top")),
        abstract=_abstract(header.texts("abstract")),
        date=date_from_text(overview.get("date")),
        journal=_journal(overview.get("journal", "")),
        authors=_with_affiliations(authors, header.texts("affiliations")),
        declared_citation_count=count,
        complete=False,  # a page is a summary, not a full record
        record_id=record_id,
    )


def _overview(texts: list[str]) -> dict[str, str]:
    """The "Key value" lines of the Overview block; unknown keys and placeholders are left out."""
    values: dict[str, str] = {}
    for text in texts:
        match = _OVERVIEW_LINE.match(text.strip())
        if match and match["key"].casefold() in _OVERVIEW_KEYS and not _is_placeholder(match["value"]):
            values.setdefault(match["key"].casefold(), match["value"])
    return values


def _page_identifiers(header: _Header, overview: dict[str, str], source: str) -> tuple[Identifier, ...]:
    """PMID, PMCID, DOI from the Overview and breadcrumb; raises ReaderError without a valid PMID or DOI."""
    found: dict[Scheme, Identifier | None] = {}
    for key in ("pmid", "pmc", "pmcid", "doi"):
        scheme = _ID_SCHEMES[key]
        found[scheme] = found.get(scheme) or _valid(scheme, overview.get(key, ""))
    crumb = next(filter(None, (_BREADCRUMB.match(t.strip()) for t in header.texts("top"))), None)
    if crumb:
        scheme = Scheme.PMID if crumb["key"].upper() == "PMID" else Scheme.DOI
        value = _valid(scheme, crumb["value"])
        if value and found.get(scheme) and found[scheme] != value:
            raise ReaderError(f"the breadcrumb says {scheme.name} {value.value} but the Overview says "
                              f"{found[scheme].value}", source=source)
        found[scheme] = found.get(scheme) or value
    if not (found.get(Scheme.PMID) or found.get(Scheme.DOI)):
        raise ReaderError("the page's article has no valid PMID or DOI", source=source)
    return tuple(found[s] for s in _ID_ORDER if found.get(s))


def _valid(scheme: Scheme, text: str) -> Identifier | None:
    """The identifier, without a trailing period, or None when it does not validate."""
    text = text.strip().rstrip(".,;")
    if not text:
        return None
    try:
        return parse(scheme, text)
    except IdentifierError:
        return None


def _label(identifiers: tuple[Identifier, ...]) -> str:
    first = identifiers[0]
    return f"{first.scheme.name} {first.value}"


def _title(texts: list[str]) -> str | None:
    """The non-blank lines above the Overview other than the breadcrumb, joined."""
    parts = [t for t in texts if clean(t) and not _BREADCRUMB.match(t.strip())]
    title = clean(" ".join(parts)) or ""
    return title if title and not _is_placeholder(title) else None


def _abstract(texts: list[str]) -> str | None:
    """Paragraphs (separated by blank lines) joined by a blank line; lines of one paragraph by a space."""
    paragraphs, current = [], []
    for text in [*texts, ""]:
        if clean(text):
            current.append(text)
        elif current:
            paragraphs.append(clean(" ".join(current)))
            current = []
    kept = [p for p in paragraphs if not _is_placeholder(p)]
    return "\n\n".join(kept) or None


def _journal(text: str) -> Journal | None:
    name = text.strip().rstrip(".").strip()
    return Journal(nlm_abbreviation=name) if name else None


def _count(text: str) -> int | None:
    text = text.strip().replace(",", "")
    return int(text) if text.isdecimal() else None


# ------------------------------------------------------------------------------------ the page's authors


def _page_authors(texts: list[str]) -> list[tuple[Author, list[str]]]:
    """Authors one per line or comma-separated, each with its affiliation numbers ("Wolf FI 1, 2")."""
    authors: list[tuple[Author, list[str]]] = []
    for text in texts:
        if not text.strip() or _is_placeholder(text):
            continue
        for item in text.split(","):
            name = _without_marks(item.strip())
            marks = re.findall(r"\d+", item.strip()[len(name):])
            if name and not _is_placeholder(name):
                authors.append((_person(name), marks))
            elif authors and marks:  # "Wolf FI 1, 2": the "2" belongs to the author before
                authors[-1][1].extend(marks)
    return authors


def _without_marks(text: str) -> str:
    """``text`` without the affiliation numbers, footnote marks and spaces that end it (not a regex: "[\\s\\d]+$"
    is quadratic in a long run of them)."""
    end = len(text)
    while end and (text[end - 1].isspace() or text[end - 1].isdecimal() or text[end - 1] in "*†‡§"):
        end -= 1
    return text[:end]


def _person(text: str) -> Author:
    """"De Caro L" → family "De Caro", initials "L"; anything else stays a whole name."""
    family, initials, suffix = split_initials_name(text)
    if initials:
        return Author(family=family, initials=initials, suffix=suffix)
    return Author(name=clean(text))


def _with_affiliations(authors: list[tuple[Author, list[str]]], texts: list[str]) -> tuple[Author, ...]:
    """Attach numbered affiliations by the authors' numbers; unnumbered ones only to a sole author."""
    numbered, plain = {}, []
    for text in (t.strip() for t in texts):
        if not text or _is_placeholder(text):
            continue
        match = re.match(r"^(\d+)[.)]?\s+(\S.*)$", text)
        if match:
            numbered[match[1]] = match[2]
        else:
            plain.append(text)
    result = []
    for author, marks in authors:
        names = [numbered[m] for m in marks if m in numbered]
        if not names and len(authors) == 1 and not numbered:
            names = plain
        result.append(_replace_affiliations(author, names) if names else author)
    return tuple(result)


def _replace_affiliations(author: Author, affiliations: list[str]) -> Author:
    return replace(author, affiliations=tuple(dict.fromkeys(affiliations)))


# ------------------------------------------------------------------------------------ the citing entries


@dataclass
class _Entry:
    """One citing entry's lines: a title, an "authors journal. date; volume(issue):pages." line, an ids line."""

    line_number: int
    title: str | None = None
    source_line: str | None = None
    ids_line: str | None = None

    def add(self, text: str) -> None:
        if _IDS_LINE.match(text):
            self.ids_line = text.strip()
        elif self.title is None and self.source_line is None and self.ids_line is None:
            self.title = text.strip()
        else:
            self.source_line = text.strip()


def _citing_lines(lines: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str | None]]:
    """The lines of the "Citing Articles" block(s); None marks a break where another block came between."""
    inside = True
    for number, text in lines:
        heading = _heading(text)
        if heading:
            inside = heading == "citing"
            yield number, None
        elif inside:
            yield number, text


def _entries(lines: Iterable[tuple[int, str | None]]) -> Iterator[_Entry]:
    """Group lines into entries: two blank lines, an ids line or a break end an entry."""
    entry: _Entry | None = None
    # paged: entries are separated by two blank lines, as on the seed page; a page that starts the next
    # entry one blank line after an ids line does not do that, and then a title-like line ends an entry.
    gap, paged, after_ids = 0, True, False
    for number, text in lines:
        if text is None or not text.strip():
            gap = 99 if text is None else gap + 1
            continue
        if after_ids and gap < 2:
            paged = False
        if entry is not None and _starts_new(entry, text, gap, paged):
            yield entry
            entry = None
        entry = entry or _Entry(number)
        entry.add(text)
        gap, after_ids = 0, entry.ids_line is not None
        if after_ids:  # an ids line ends its entry: out now, not after the next line (which may never be read)
            yield entry
            entry = None
    if entry is not None:
        yield entry


def _starts_new(entry: _Entry, text: str, gap: int, paged: bool) -> bool:
    """Whether ``text`` begins the next entry rather than continuing ``entry``."""
    if gap >= 2 or entry.ids_line is not None:
        return True
    if _IDS_LINE.match(text):
        return False
    if entry.source_line is not None:
        return True
    # A line after a lone title: the authors line, unless it looks like a title on a page whose entries
    # are not separated by two blank lines (then it is the next entry's title).
    return not paged and not _ENTRY_DATE.search(text)


def _entry_records(entry: _Entry, number: int, page: Article) -> Iterator[Record]:
    """The citing article and its Citation, or a Skipped when the entry has no valid identifier."""
    identifiers, rejected = _entry_identifiers(entry.ids_line or "")
    if not identifiers:
        reason = "citing entry without a valid PMID, PMC or DOI"
        if rejected:
            reason += f" (rejected: {', '.join(rejected)})"
        yield Skipped(record_id=f"citing entry {number}", reason=reason, line=entry.line_number)
        return
    record_id = f"citing entry {number} ({_label(identifiers)})"
    fields = _source_fields(entry.source_line or "")
    # The title is kept exactly as the line gives it (only surrounding whitespace removed): the page's
    # titles end with "." as PubMed's ArticleTitle does, and stripping it would damage titles ending in "...".
    yield Article(identifiers=identifiers, title=entry.title or None, complete=False, record_id=record_id,
                  **fields)
    yield Citation(citing=identifiers, cited=page.identifiers, citing_date=fields.get("date"),
                   cited_date=page.date, record_id=f"{record_id} cites {page.record_id.removeprefix('page ')}")


def _entry_identifiers(text: str) -> tuple[tuple[Identifier, ...], list[str]]:
    """The valid identifiers of an ids line in PMID, PMCID, DOI order, and the texts that did not validate."""
    found: dict[Scheme, Identifier] = {}
    rejected = []
    for key, value in _ID_PART.findall(text):
        scheme = _ID_SCHEMES[key.casefold()]
        identifier = _valid(scheme, value)
        if identifier:
            found.setdefault(scheme, identifier)
        else:
            rejected.append(f"{key} {value}")
    return tuple(found[s] for s in _ID_ORDER if s in found), rejected


def _source_fields(text: str) -> dict:
    """Authors, journal, date, volume, issue, pages of "Jolly J, Blackburn J Int J Mol Sci. 2025; 26(4).".

    Whatever cannot be made out is left out rather than guessed.
    """
    dates = list(_ENTRY_DATE.finditer(text))
    if not dates:
        return {}
    match = dates[-1]
    fields: dict = {"date": date_from_parts(match[1], match[2], match[3])}
    fields.update(_authors_and_journal(text[: match.start()].strip()))
    fields.update(_volume_issue_pages(text[match.end():].strip()))
    return {key: value for key, value in fields.items() if value is not None}


def _authors_and_journal(text: str) -> dict:
    """Comma-separated authors; the last chunk is "<family words> <INITIALS> <journal words>".

    In "Corsi F J Appl Crystallogr." the first all-capitals token of 1-3 letters after at least one
    family-name token ("F") is the initials, and the rest is the journal.
    """
    chunks = [c.strip() for c in text.split(",") if c.strip() and not re.fullmatch(r"et al\.?", c.strip())]
    if not chunks:
        return {}
    tokens = chunks[-1].split()
    split = next((i for i in range(1, len(tokens)) if is_initials(tokens[i]) and len(tokens[i]) <= 3), None)
    journal = " ".join(tokens[split + 1:]).rstrip(".").strip() if split else ""
    if not journal:
        return {}  # the last author and the journal cannot be told apart: keep neither
    last = Author(family=" ".join(tokens[:split]), initials=tokens[split])
    authors = tuple(_person(chunk) for chunk in chunks[:-1]) + (last,)
    return {"authors": authors, "journal": Journal(nlm_abbreviation=journal)}


def _volume_issue_pages(text: str) -> dict:
    """ "26(4).", "58(Pt 1):233-250.", "16:1519841.", "." → volume, issue, pages (absent parts left out)."""
    match = _ENTRY_TAIL.fullmatch(text.removesuffix("."))
    if not match:
        return {}
    return {"volume": (match["volume"] or "").strip() or None,
            "issue": (match["issue"] or "").strip() or None,
            "pages": _pages((match["pages"] or "").strip())}


def _pages(text: str) -> Pages | None:
    """ "233-250" → first and last; "4801" → first only; anything else (lists of ranges) is left out."""
    match = re.fullmatch(r"([^\s,;-]+)\s*[-–]\s*([^\s,;-]+)", text)
    if match:
        return Pages(match[1], match[2])
    return Pages(text) if re.fullmatch(r"[^\s,;-]+", text) else None
