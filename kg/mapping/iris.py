"""Deterministic IRIs: every node's IRI is derived from normalised identifiers under one base IRI."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import quote

from kg.errors import MappingError
from kg.records import Author, Identifier, Journal, Scheme

DEFAULT_BASE_IRI = "https://kg.example.org/"
ARTICLE_KEY_ORDER = (Scheme.PMID, Scheme.PMCID, Scheme.DOI)
_BASE = re.compile(r"https?://[^\s<>\"{}|\\^`]+[/#]")


def _piece(text: str) -> str:
    """One IRI path segment from an already validated value, percent-encoded so it cannot break the IRI."""
    return quote(text, safe="")


def slug(text: str) -> str:
    """Lower-case ASCII words joined by '-': 'De Caro' → 'de-caro', 'Müller' → 'muller'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))


def article_key(identifiers: tuple[Identifier, ...]) -> str | None:
    """``pmid/123``, else ``pmcid/PMC9``, else ``doi/10.1%2Fx``; None when the article has none of them."""
    by_scheme = {i.scheme: i.value for i in reversed(identifiers)}
    for scheme in ARTICLE_KEY_ORDER:
        if scheme in by_scheme:
            return f"{scheme.value}/{_piece(by_scheme[scheme])}"
    return None


def author_key(position: int, author: Author) -> str:
    """Position plus family name and first initial, so the same author of the same article meets itself."""
    if author.family:
        initial = (author.initials or author.given or "")[:1]
        name = slug(f"{author.family} {initial}")
    else:
        name = slug(author.display_name)
    return f"{position}-{name}" if name else str(position)


def name_key(author: Author) -> str | None:
    """The normalised name by which two author entries without a shared ORCID count as one person (an author
    self-citation): family name, first initial and suffix, or a collective name whole; case and accents folded,
    spaces collapsed. 'De Caro L', 'de Caro Liberato' and 'DE CARO L.' all give 'de caro l'; 'Müller' gives
    'muller'; 'Wise JP Sr' gives 'wise j sr', another person than 'Wise JP'. None when the entry has no name."""
    if author.family:
        text = f"{author.family} {(author.given or author.initials or '')[:1]} {(author.suffix or '').rstrip('.')}"
    else:
        text = author.display_name
    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(folded.split()) or None


def journal_key(journal: Journal) -> str | None:
    """The key of a journal record; see ``best_journal_key``."""
    return best_journal_key({journal.issn_linking, journal.issn_print, journal.issn_electronic} - {None},
                            {journal.nlm_id} - {None}, {journal.nlm_abbreviation, journal.iso_abbreviation} - {None},
                            {journal.title} - {None})


def best_journal_key(issns: set[str], nlm_ids: set[str], abbreviations: set[str], titles: set[str]) -> str | None:
    """The smallest ISSN, else the smallest NLM id, else the smallest abbreviation slug, else title slug: the
    same key for a journal record and for a group of merged ones."""
    if issns:
        return f"issn/{min(issns)}"
    if nlm_ids:
        return f"nlm/{_piece(min(nlm_ids))}"
    for kind, names in (("abbr", abbreviations), ("title", titles)):
        slugs = {slug(n) for n in names} - {""}
        if slugs:
            return f"{kind}/{min(slugs)}"
    return None


class Minter:
    """Mints every IRI kg writes, under one base IRI."""

    def __init__(self, base: str = DEFAULT_BASE_IRI) -> None:
        if not _BASE.fullmatch(base):
            raise MappingError(f"base IRI must be an http(s) IRI ending in '/' or '#', got {base!r}")
        self.base = base

    def article(self, identifiers: tuple[Identifier, ...], *, record: str = "") -> str:
        key = article_key(identifiers)
        if key is None:
            raise MappingError("no PMID, PMCID or DOI to identify the article", record=record or None)
        return f"{self.base}br/{key}"

    def rekeyed(self, iri: str, articles: dict[str, str], journals: dict[str, str]) -> str:
        """``iri`` minted again after merges: ``articles`` and ``journals`` map old keys (``doi/10.1%2Fx``,
        ``title/lancet``) to new ones, and every node minted from a key (roles, agents, references, citations,
        manifestations, volumes, issues) follows it."""
        if not iri.startswith(self.base):
            return iri
        parts = iri[len(self.base):].split("/")
        kind = parts[0]
        if kind == "br" and len(parts) >= 4 and parts[1] == "journal":
            new = journals.get(f"{parts[2]}/{parts[3]}")
            if new:
                parts[2:4] = new.split("/")
        elif kind == "ci" and len(parts) == 6:
            for at in (1, 4):
                new = articles.get(f"{parts[at]}/{parts[at + 1]}")
                if new:
                    parts[at:at + 2] = new.split("/")
        elif kind in ("br", "re", "ar", "ra", "be", "gcc") and len(parts) >= 3:
            new = articles.get(f"{parts[1]}/{parts[2]}")
            if new:
                parts[1:3] = new.split("/")
        return self.base + "/".join(parts)

    def is_article(self, iri: str) -> bool:
        """Whether ``iri`` names an article (``br/...``, not a journal, volume or issue)."""
        return iri.startswith(self.base + "br/") and not iri.startswith(self.base + "br/journal/")

    def minted_from(self, iri: str, key: str) -> bool:
        """Whether ``iri`` is a node minted from the article ``key``: a role, agent, reference, declared count,
        its pages, or a citation it makes."""
        parts = iri[len(self.base):].split("/") if iri.startswith(self.base) else []
        return parts[:1] in (["re"], ["ar"], ["ra"], ["be"], ["gcc"], ["ci"]) and "/".join(parts[1:3]) == key

    def key_of(self, iri: str) -> str:
        """The key an article or journal IRI was minted from: ``pmid/123``, ``issn/0000-0000``."""
        rest = iri[len(self.base) + 3:]
        return rest.removeprefix("journal/")

    def identifier(self, ident: Identifier) -> str:
        return f"{self.base}id/{ident.scheme.value}/{_piece(ident.value)}"

    def journal(self, key: str) -> str:
        return f"{self.base}br/journal/{key}"

    def volume(self, journal_iri: str, volume: str) -> str:
        return f"{journal_iri}/volume/{_piece(volume)}"

    def issue(self, parent_iri: str, issue: str) -> str:
        return f"{parent_iri}/issue/{_piece(issue)}"

    def manifestation(self, article_iri: str) -> str:
        return f"{self.base}re/{article_iri.removeprefix(self.base + 'br/')}"

    def role(self, article_iri: str, key: str) -> str:
        return f"{self.base}ar/{article_iri.removeprefix(self.base + 'br/')}/{_piece(key)}"

    def agent(self, article_iri: str, key: str, orcid: str | None) -> str:
        if orcid:
            return f"{self.base}ra/orcid/{orcid}"
        return f"{self.base}ra/{article_iri.removeprefix(self.base + 'br/')}/{_piece(key)}"

    def organisation(self, name: str) -> str:
        """One organisation node per affiliation text exactly as the source gives it: two texts that differ, even
        by a comma, are two nodes, so that no author shows an affiliation another author's source gave."""
        return f"{self.base}org/{hashlib.sha1(name.encode('utf-8')).hexdigest()[:20]}"

    def reference(self, article_iri: str, number: int) -> str:
        return f"{self.base}be/{article_iri.removeprefix(self.base + 'br/')}/{number}"

    def citation(self, citing_iri: str, cited_iri: str) -> str:
        prefix = self.base + "br/"
        return f"{self.base}ci/{citing_iri.removeprefix(prefix)}/to/{cited_iri.removeprefix(prefix)}"

    def citation_ends(self, iri: str) -> tuple[str, str]:
        """The citing and the cited article of a citation IRI (``ci/pmid/1/to/doi/10.1%2Fx``)."""
        parts = iri[len(self.base):].split("/")
        return f"{self.base}br/{parts[1]}/{parts[2]}", f"{self.base}br/{parts[4]}/{parts[5]}"

    def declared_count(self, article_iri: str, source_key: str) -> str:
        return f"{self.base}gcc/{article_iri.removeprefix(self.base + 'br/')}/{source_key}"

    def source_graph(self, source_key: str) -> str:
        return f"{self.base}graph/{source_key}"

    @property
    def provenance_graph(self) -> str:
        return f"{self.base}graph/provenance"
