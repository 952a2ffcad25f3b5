"""Read BibTeX / BibLaTeX (Scopus, Google Scholar, hand-kept .bib files) into Article records."""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from typing import BinaryIO

import bibtexparser
from bibtexparser.library import Library
from bibtexparser.middlewares import (LatexDecodingMiddleware, LibraryMiddleware, NormalizeFieldKeys,
                                      SeparateCoAuthors)
from bibtexparser.middlewares.names import NameParts, parse_single_name_into_parts
from bibtexparser.middlewares.parsestack import default_parse_stack
from bibtexparser.model import (Block, DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry, Field,
                                MiddlewareErrorBlock, ParsingFailedBlock)

from kg.errors import ReaderError
from kg.readers.fields import (cited_by, clean, date_fields, ids_in_urls, issns_in, labelled, date_from_parts, pages,
                               person, sole_author_affiliations, suffix_of, unlabelled_journal, valid)
from kg.readers.limits import ABSTRACT, BIBTEX_BYTES, TEXT, TITLE, limited, over, size
from kg.records import Article, Author, Identifier, Pages, PartialDate, Record, Scheme, Skipped

NAME = "bibtex"

# The first text that is not a %-comment is an entry: "@article{", "@String(", "@comment{".
_HEAD = re.compile(rb"\A(?:\xef\xbb\xbf)?(?:\s|%[^\n]*(?:\n|\Z))*@[ \t]*[A-Za-z]+[ \t]*[{(]")
_KEY = re.compile(r"@\s*\w+\s*[{(]\s*([^,\s]+)\s*,")
_TYPES = {"article": "Journal Article"}
# Prose fields, LaTeX-decoded. Not the others: in a URL "%" starts a LaTeX comment (Scopus writes
# "doi=10.1080%2f..."), and in pages "--" would become an en dash.
_PROSE = ("title", "abstract", "journal", "journaltitle", "abbrev_source_title", "shortjournal", "language",
          "langid", "affiliation", "document_type")
_LIMITS = {"title": TITLE, "abstract": ABSTRACT, "author": ABSTRACT}  # the whole list of authors; TEXT for others
_VERBATIM_ESCAPE = re.compile(r"\\([_%&#$])|[{}]")
# Exports are not LaTeX: Scopus writes "85.58% of" and "Taylor & Francis", which LaTeX reads as the start of
# a comment and as a table column break; they are escaped before decoding.
_BARE = re.compile(r"(?<!\\)([%&])")
_JATS = re.compile(r"</?jats:[^>]*>")
_LATEX = LatexDecodingMiddleware(allow_inplace_modification=True)


class _SetAsideEntries(LibraryMiddleware):
    """Hands the entries bibtexparser's splitter sets aside back as entries, so the rest of the stack runs on them.

    Scopus repeats ``funding_details`` in an entry (a DuplicateFieldKeyBlock: the first value of each field is
    kept) and makes keys of author and year, which repeat (a DuplicateBlockKeyBlock: the later entry is keyed
    "Li2020 (line 52)", so that it is not set aside again and messages tell the two apart).
    """

    def transform(self, library: Library) -> Library:
        blocks, keys = [], set()
        for block in library.blocks:
            entry = getattr(block, "ignore_error_block", None)
            if isinstance(block, Entry) or (isinstance(block, (DuplicateFieldKeyBlock, DuplicateBlockKeyBlock))
                                            and isinstance(entry, Entry)):
                entry = block if isinstance(block, Entry) else entry
                key = entry.key if entry.key not in keys else f"{entry.key} (line {(entry.start_line or 0) + 1})"
                firsts = list({f.key.lower(): f for f in reversed(entry.fields)}.values())[::-1]
                block = Entry(entry.entry_type, key, firsts, start_line=entry.start_line, raw=entry.raw)
                keys.add(key)
            blocks.append(block)
        return Library(blocks, fail_on_duplicate_key=False)


# Entries set aside brought back, the default stack (resolve @string, strip the enclosing braces), lower-case
# field names, split "A and B" into names.
_STACK = [_SetAsideEntries(), *default_parse_stack(), NormalizeFieldKeys(), SeparateCoAuthors()]


def sniff(head: bytes) -> bool:
    """True when the first text that is not a %-comment is ``@type{`` (or ``@type(``)."""
    return _HEAD.match(head) is not None


@limited
def read(stream: BinaryIO, source: str) -> Iterator[Record]:
    """One Article per entry (Skipped when it has no valid PMID, PMCID or DOI, or does not parse).

    bibtexparser 2 parses a whole string, not a stream: the text is read at once. The largest real export at
    hand (Scopus, 3 entries with abstracts) is 9 KB; exports are capped by the databases at a few thousand
    entries, a few MB.
    """
    library = bibtexparser.parse_string(_text(stream, source), parse_stack=_STACK)
    count = 0
    for block in library.blocks:
        if isinstance(block, (Entry, ParsingFailedBlock)):
            count += 1
            yield _block(block, library)
    if count == 0:
        raise ReaderError("no BibTeX entry: no '@type{key, ...}' block", source=source)


def _text(stream: BinaryIO, source: str) -> str:
    data = bytearray()
    try:
        while len(data) <= BIBTEX_BYTES and (more := stream.read(BIBTEX_BYTES + 1 - len(data))):
            data += more  # in place: a bytearray grows in amortised linear time
    except (OSError, EOFError, zlib.error) as exc:  # a truncated or corrupt gzip stream
        raise ReaderError(f"cannot read the input: {exc}", source=source) from exc
    if len(data) > BIBTEX_BYTES:
        raise ReaderError(f"a BibTeX file is read whole, and this one is over {size(BIBTEX_BYTES)}: more than kg "
                          "reads (README: Reliability; split it)", source=source)
    try:
        return data.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ReaderError(f"not UTF-8 text: {exc.reason}", source=source, line=line) from exc


def _block(block: Block, library: Library) -> Article | Skipped:
    """An entry's Article; a Skipped naming the parse error for a block that is not an entry."""
    line = block.start_line + 1 if block.start_line is not None else None
    inner = getattr(block, "ignore_error_block", None)
    if isinstance(block, MiddlewareErrorBlock) and isinstance(inner, Entry):
        block = inner  # a middleware that failed on the entry hands it over as far as it got
    if isinstance(block, Entry):
        try:
            return _record(block, line, library)
        except (ValueError, OverflowError) as exc:  # a day past any calendar: one odd entry must not stop the file
            return Skipped(block.key, f"unreadable entry: {exc}", line)
    match = _KEY.match(block.raw or "")
    record_id = match.group(1) if match else f"entry at line {line}"
    error = getattr(block, "error", None)
    reason = getattr(error, "abort_reason", None) or getattr(error, "message", None) or str(error or "")
    reason = " ".join(reason.split()) or type(error).__name__
    return Skipped(record_id, f"not a valid BibTeX entry: {reason}", line)


# --- one entry --------------------------------------------------------------------------------------------------

def _record(entry: Entry, line: int | None, library: Library) -> Article | Skipped:
    raw = {key: value for key, value in entry.items() if isinstance(value, str)}
    if (problem := _too_long(raw)) is not None:
        return Skipped(entry.key, problem, line)
    prose = _decoded(entry, library)
    identifiers, rejected = _identifiers(raw)
    if not identifiers:
        noted = f" ({'; '.join(rejected)})" if rejected else ""
        return Skipped(entry.key, f"no PMID, PMCID or DOI{noted}", line)
    title = prose.get("journal") or prose.get("journaltitle")
    abbreviation = prose.get("abbrev_source_title") or prose.get("shortjournal")
    issns = issns_in([raw["issn"]] if raw.get("issn") else [])
    affiliations = [a.strip() for a in (prose.get("affiliation") or "").split(";") if a.strip()]
    authors = sole_author_affiliations([a for a in prose.get("author", []) if a is not None], affiliations)
    return Article(
        identifiers=identifiers,
        title=prose.get("title"),
        abstract=prose.get("abstract"),
        date=_date(raw),
        journal=unlabelled_journal(title, abbreviation if abbreviation != title else None, issns) if title else None,
        volume=_plain(raw.get("volume")),
        issue=_plain(raw.get("number") or raw.get("issue")),
        pages=_pages(raw),
        publication_types=tuple(dict.fromkeys(t for t in (_TYPES.get(entry.entry_type, entry.entry_type),
                                                          prose.get("document_type")) if t)),
        languages=tuple(t for t in (prose.get("language") or prose.get("langid"),) if t),
        authors=authors,
        declared_citation_count=cited_by([raw.get("note", "")]),
        record_id=entry.key,
    )


def _too_long(raw: dict[str, str]) -> str | None:
    """A field over its limit, as written: checked before LaTeX decoding, which reads about 45,000 characters a
    second (a title at its 1,000,000-character limit: 24 s), so that an oversized field costs nothing."""
    for key, value in raw.items():
        limit = _LIMITS.get(key, TEXT)
        if len(value) > limit:
            return over(f"the {key}", len(value), limit)
    return None


def _decoded(entry: Entry, library: Library) -> dict:
    """The prose fields LaTeX-decoded by bibtexparser's LatexDecodingMiddleware ("%" and "&" taken literally), and the
    authors, each split by bibtexparser's name parser before decoding (so a braced group such as
    ``{World Health Organization}`` stays one name) and decoded part by part: the middleware decodes a NameParts
    field, not a list of them."""
    fields = [Field(f.key, _BARE.sub(r"\\\1", f.value)) for f in entry.fields
              if f.key in _PROSE and isinstance(f.value, str)]
    names = _names(entry.get("author"))
    fields += [Field(f"author {i}", parts) for i, parts in enumerate(names)]
    decoded = _LATEX.transform_block(Entry(entry.entry_type, entry.key, fields), library)
    if isinstance(decoded, MiddlewareErrorBlock):  # text pylatexenc could not decode is kept as it was
        decoded = decoded.ignore_error_block
    result: dict = {f.key: _clean(f.value) for f in decoded.fields if isinstance(f.value, str)}
    parts = decoded.fields_dict  # once: decoded[key] builds it anew for every key, quadratic in the authors
    result["author"] = [_person(parts[f"author {i}"].value) for i in range(len(names))]
    return result


def _names(field: Field | None) -> list[NameParts]:
    """The names of an author field, "and others" (et al.) left out; malformed ones are split leniently."""
    if field is None:
        return []
    names = field.value if isinstance(field.value, list) else [field.value]
    parts = [parse_single_name_into_parts(name, strict=False) for name in names if name.strip()]
    return [p for p in parts if not (p.last == ["others"] and not (p.first or p.von or p.jr))]


def _person(parts: NameParts) -> Author | None:
    family = _clean(" ".join(parts.von + parts.last))
    given = _clean(" ".join(parts.first))
    if not family:
        return Author(name=given) if given else None
    if not given:
        return Author(name=family)  # a group, or a name bibtex could not split
    return person(family, given, suffix_of(_clean(" ".join(parts.jr))) or _clean(" ".join(parts.jr)))


def _clean(text: str) -> str | None:
    return clean(_JATS.sub(" ", text))


def _plain(text: str | None) -> str | None:
    """A verbatim field (identifier, number, pages) without braces and LaTeX escapes ("10.1/a\\_b")."""
    if not text:
        return None
    return clean(_VERBATIM_ESCAPE.sub(r"\1", text))


# --- identifiers, pages, date -----------------------------------------------------------------------------------

def _identifiers(raw: dict[str, str]) -> tuple[tuple[Identifier, ...], list[str]]:
    """PMID and PMCID (pmid/pmcid fields, BibLaTeX eprint, PubMed/PMC links), then the doi field's DOI, else one
    in a doi.org link; and the DOI texts that did not validate."""
    urls = [_plain(raw[k]) or "" for k in ("url", "howpublished") if raw.get(k)]
    eprint = _plain(raw.get("eprint")) if (raw.get("eprinttype") or "").lower() in ("pubmed", "pmid") else None
    found = valid(Scheme.PMID, [t for t in (_plain(raw.get("pmid")), eprint) if t])
    found += ids_in_urls(urls, Scheme.PMID) + labelled([raw.get("note", "")], Scheme.PMID)
    found += valid(Scheme.PMCID, [t for t in (_plain(raw.get("pmcid")),) if t]) + ids_in_urls(urls, Scheme.PMCID)
    doi = _plain(raw.get("doi"))
    dois = valid(Scheme.DOI, [doi] if doi else []) or ids_in_urls(urls, Scheme.DOI)
    rejected = [f"doi {doi!r} is not a DOI"] if doi and not valid(Scheme.DOI, [doi]) else []
    return tuple(dict.fromkeys(found + dois)), rejected


def _pages(raw: dict[str, str]) -> Pages | None:
    """``pages`` ("12--34", "e0198030"; of "1--4, 7" the first range), else the article number (Scopus
    ``art_number``, BibLaTeX ``eid``)."""
    text = _plain(raw.get("pages"))
    if text:
        return pages(text.split(",")[0].strip(), None)
    number = _plain(raw.get("art_number") or raw.get("eid"))
    return Pages(first=number) if number else None


def _date(raw: dict[str, str]) -> PartialDate | None:
    """BibLaTeX ``date`` ("2019-05-01", "2019-05"), else ``year`` with ``month`` (jan, 1, January) and ``day``."""
    parsed = date_fields(_plain(raw.get("date")) or "")
    if parsed and parsed[0]:
        return PartialDate.best(*parsed)
    year = _plain(raw.get("year"))
    if not year or not re.fullmatch(r"\d{4}", year):
        return None
    return date_from_parts(year, _plain(raw.get("month")), _plain(raw.get("day")))
