"""Records → triples in the OpenCitations Data Model (SPAR terms), with one-hop shortcuts beside it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.errors import MappingError
from kg.mapping.iris import Minter, author_key, journal_key, name_key
from kg.mapping.terms import XSD_DURATION, XSD_NNI, XSD_POSITIVE, Lit, Triple, date_literal
from kg.mapping.vocab import (biro, c4o, cito, datacite, dcterms, fabio, foaf, frbr, kgv, literal, oco, prism,
                              pro, rdf)
from kg.records import Article, Author, Citation, Deletion, Identifier, Journal, Reference, Scheme

A = rdf.type
SEEN_LIMIT = 2_000_000
_SCHEME = {Scheme.PMID: datacite.pmid, Scheme.PMCID: datacite.pmcid, Scheme.DOI: datacite.doi,
           Scheme.PII: datacite.pii, Scheme.ISSN: datacite.issn, Scheme.ORCID: datacite.orcid}
# The one-hop identifier literals on an article, beside the OCDM identifier nodes
SHORTCUTS = {Scheme.PMID: fabio.hasPubMedId, Scheme.PMCID: fabio.hasPubMedCentralId,
             Scheme.DOI: prism.doi}
# Publication types (PubMed's, and the like from JATS, Crossref, RIS, BibTeX, OpenCitations) → FaBiO subclasses of
# fabio:Expression (an article node is an expression: FaBiO's case report, trial report, erratum and biography are
# works, disjoint from expressions, so those records stay journal articles). A record often gives several
# ("Journal Article", "Review"): the most specific wins, whatever their order, by the rank of this tuple: a
# retraction notice first, then reviews, then opinion and news, then conference papers, then the journal article.
_TYPE_RANKS = (
    (fabio.RetractionNotice, ("retraction of publication", "retraction", "retraction notice")),
    (fabio.ReviewArticle, ("review", "systematic review", "review article", "scoping review")),
    (fabio.Editorial, ("editorial",)),
    (fabio.Letter, ("letter",)),
    (fabio.Comment, ("comment",)),
    (fabio.NewsItem, ("news", "newspaper article")),
    (fabio.ConferencePaper, ("congress", "conference paper", "proceedings article")),
    (fabio.JournalArticle, ("journal article", "research article", "article", "case reports", "case report",
                            "clinical trial", "randomized controlled trial", "published erratum", "erratum",
                            "correction", "biography")),
)
_TYPES = {name: (rank, kind) for rank, (kind, names) in enumerate(_TYPE_RANKS) for name in names}


def initials_of(given: str | None) -> str | None:
    """PubMed's initials of a given name, for sources that give none: the first letter of each part, particles
    left out ("Jean-Pierre" → JP, "José Walkimar de M" → JWM), so that every source names an author "Family
    Initials" alike."""
    parts = [part for part in re.split(r"[\s.\-‐]+", given or "") if part and part[0].isalpha()]
    named = [part for part in parts if part[0].isupper()] or parts
    return "".join(part[0].upper() for part in named) or None


def publication_type(types: tuple[str, ...]) -> str | None:
    """The FaBiO class of the most specific of ``types`` (case, hyphens and underscores ignored; "Clinical Trial,
    Phase III" is a clinical trial); None when none is known."""
    found = []
    for text in types:
        name = re.sub(r"[-_\s]+", " ", text).strip().casefold()
        name = name.split(",")[0] if name.startswith("clinical trial") else name
        if name in _TYPES:
            found.append(_TYPES[name])
    return min(found)[1] if found else None


@dataclass(slots=True)
class Mapped:
    """What one record became: its triples and the problems that were reported rather than stored."""

    triples: list[Triple] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    articles: int = 0
    citations: int = 0


class Mapper:
    """Turns records into triples; ``source_iri`` names the source for statements that cite it."""

    def __init__(self, minter: Minter, source_iri: str) -> None:
        self.m = minter
        self.source_iri = source_iri
        self._seen: set[object] = set()

    def _first(self, key: object) -> bool:
        """True the first time ``key`` comes up in this source. Statements that depend only on the key (a
        journal's description, an identifier node's) are emitted once per source instead of once per mention:
        a third of a dense corpus's triples. Bounded: the memory is cleared, never the correctness."""
        if key in self._seen:
            return False
        if len(self._seen) >= SEEN_LIMIT:
            self._seen.clear()
        self._seen.add(key)
        return True

    def map(self, record: Article | Citation) -> Mapped:
        out = Mapped()
        if isinstance(record, Article):
            self._article(record, out)
        elif isinstance(record, Citation):
            self._citation(record, out)
        elif isinstance(record, Deletion):
            out.triples.append((self.source_iri, kgv.deletesRecordsOf, self.m.identifier(record.identifier)))
        else:
            raise MappingError(f"cannot map {type(record).__name__}")
        return out

    # -- articles -------------------------------------------------------------------------------------------
    def _article(self, a: Article, out: Mapped) -> None:
        br = self.m.article(a.identifiers, record=a.record_id)
        t = out.triples
        out.articles += 1
        self._identity(br, a.identifiers, t)
        kind = publication_type(a.publication_types)
        if kind is None and (a.journal is not None and a.complete):
            kind = fabio.JournalArticle
        if kind is not None:
            t.append((br, A, kind))
        if a.title:
            t.append((br, dcterms.title, Lit(a.title)))
        if a.abstract:
            t.append((br, dcterms.abstract, Lit(a.abstract)))
        if a.date:
            t.append((br, prism.publicationDate, date_literal(a.date)))
        for language in a.languages:
            t.append((br, dcterms.language, Lit(language)))
        self._venue(br, a, t)
        self._pages(br, a, t)
        self._authors(br, a.authors, t)
        for number, ref in enumerate(a.references, 1):
            self._reference(br, a, number, ref, out)
        if a.declared_citation_count is not None:
            self._declared_count(br, a.declared_citation_count, t)

    def _identity(self, br: str, identifiers: tuple[Identifier, ...], t: list[Triple]) -> None:
        if self._first(br):
            t.append((br, A, fabio.Expression))
        for ident in identifiers:
            if ident.scheme not in _SCHEME or not self._first((br, ident)):
                continue
            self._identifier(br, ident, t)
            if ident.scheme in SHORTCUTS:
                t.append((br, SHORTCUTS[ident.scheme], Lit(ident.value)))
        # The record's claim that its identifiers name one article: what merges nodes (kg.identity), and what
        # unmerges them when this source is unloaded.
        linked = [i for i in identifiers if i.scheme in SHORTCUTS]
        if len(linked) > 1:  # most stubs have one identifier: nothing to link, nothing to mint
            first, *others = dict.fromkeys(self.m.identifier(i) for i in linked)
            for other in others:
                if self._first((first, other)):
                    t.append((first, kgv.coIdentifies, other))

    def _identifier(self, node: str, ident: Identifier, t: list[Triple]) -> None:
        iri = self.m.identifier(ident)
        t.append((node, datacite.hasIdentifier, iri))
        if not self._first(iri):
            return
        t.append((iri, A, datacite.Identifier))
        t.append((iri, datacite.usesIdentifierScheme, _SCHEME[ident.scheme]))
        t.append((iri, literal.hasLiteralValue, Lit(ident.value)))

    def _venue(self, br: str, a: Article, t: list[Triple]) -> None:
        parent = self._journal(a.journal, t) if a.journal else None
        if parent:  # the one-hop shortcut beside the frbr:partOf chain (issue → volume → journal)
            t.append((br, dcterms.isPartOf, parent))
        if a.volume and parent:
            volume = self.m.volume(parent, a.volume)
            if self._first(volume):
                t.extend(((volume, A, fabio.Expression), (volume, A, fabio.JournalVolume),
                          (volume, fabio.hasSequenceIdentifier, Lit(a.volume)), (volume, frbr.partOf, parent)))
            parent = volume
        if a.issue and parent:
            issue = self.m.issue(parent, a.issue)
            if self._first(issue):
                t.extend(((issue, A, fabio.Expression), (issue, A, fabio.JournalIssue),
                          (issue, fabio.hasSequenceIdentifier, Lit(a.issue)), (issue, frbr.partOf, parent)))
            parent = issue
        if parent:
            t.append((br, frbr.partOf, parent))

    def _journal(self, j: Journal, t: list[Triple]) -> str | None:
        key = journal_key(j)
        if key is None:
            return None
        iri = self.m.journal(key)
        if not self._first(j):  # the same journal record, already described in this source
            return iri
        t.extend(((iri, A, fabio.Expression), (iri, A, fabio.Journal)))
        if j.title:
            t.append((iri, dcterms.title, Lit(j.title)))
        for abbreviation in {j.nlm_abbreviation, j.iso_abbreviation} - {None}:
            t.append((iri, fabio.hasNLMJournalTitleAbbreviation, Lit(abbreviation)))
        if j.nlm_id:
            t.append((iri, fabio.hasNationalLibraryOfMedicineJournalId, Lit(j.nlm_id)))
        for issn in dict.fromkeys((j.issn_linking, j.issn_print, j.issn_electronic)):
            if issn:
                self._identifier(iri, Identifier(Scheme.ISSN, issn), t)
        return iri

    def _pages(self, br: str, a: Article, t: list[Triple]) -> None:
        if a.pages is None or not (a.pages.first or a.pages.last):
            return
        re_ = self.m.manifestation(br)
        t.append((br, frbr.embodiment, re_))
        t.append((re_, A, fabio.Manifestation))
        if a.pages.first:
            t.append((re_, prism.startingPage, Lit(a.pages.first)))
        if a.pages.last:
            t.append((re_, prism.endingPage, Lit(a.pages.last)))

    def _authors(self, br: str, authors: tuple[Author, ...], t: list[Triple]) -> None:
        previous = None
        for position, author in enumerate(authors, 1):
            key = author_key(position, author)
            role = self.m.role(br, key)
            agent = self.m.agent(br, key, author.orcid)
            t.extend(((br, pro.isDocumentContextFor, role), (role, A, pro.RoleInTime),
                      (role, pro.withRole, pro.author), (role, pro.isHeldBy, agent),
                      (role, kgv.authorPosition, Lit(str(position), XSD_POSITIVE)),
                      (agent, A, foaf.Agent)))
            if previous:
                t.append((previous, oco.hasNext, role))
            previous = role
            self._agent(agent, author, t)
            for affiliation in author.affiliations:
                org = self.m.organisation(affiliation)
                t.extend(((role, pro.relatesToOrganization, org), (org, A, foaf.Organization),
                          (org, foaf.name, Lit(affiliation))))

    def _agent(self, agent: str, author: Author, t: list[Triple]) -> None:
        if author.given:
            t.append((agent, foaf.givenName, Lit(author.given)))
        if author.family:
            t.append((agent, foaf.familyName, Lit(author.family)))
        initials = author.initials or initials_of(author.given)
        name = author.name or (" ".join(p for p in (author.family, initials, author.suffix) if p)
                               if author.family and initials else author.display_name)
        if name:
            t.append((agent, foaf.name, Lit(name)))
        key = name_key(author)
        if key:
            t.append((agent, kgv.nameKey, Lit(key)))
        if author.orcid:
            self._identifier(agent, Identifier(Scheme.ORCID, author.orcid), t)

    def _reference(self, br: str, a: Article, number: int, ref: Reference, out: Mapped) -> None:
        be = self.m.reference(br, number)
        t = out.triples
        t.extend(((br, frbr.part, be), (be, A, biro.BibliographicReference)))
        if ref.text:
            t.append((be, c4o.hasContent, Lit(ref.text)))
        if not any(i.scheme in SHORTCUTS for i in ref.identifiers):
            return
        cited = self.m.article(ref.identifiers)
        if cited == br:
            out.problems.append(f"{a.record_id}: reference {number} is the article itself; not stored as a citation")
            return
        self._identity(cited, ref.identifiers, t)
        t.append((be, biro.references, cited))
        self._cites(br, cited, out)

    def _declared_count(self, br: str, count: int, t: list[Triple]) -> None:
        source_key = self.source_iri.rsplit("/", 1)[-1]
        gcc = self.m.declared_count(br, source_key)
        t.extend(((br, c4o.hasGlobalCitationFrequency, gcc), (gcc, A, c4o.GlobalCitationCount),
                  (gcc, c4o.hasGlobalCountValue, Lit(str(count), XSD_NNI)),
                  (gcc, c4o.hasGlobalCountSource, self.source_iri)))

    # -- citations ------------------------------------------------------------------------------------------
    def _citation(self, c: Citation, out: Mapped) -> None:
        citing = self.m.article(c.citing, record=c.record_id)
        cited = self.m.article(c.cited, record=c.record_id)
        if citing == cited:
            out.problems.append(f"{c.record_id}: citing and cited are the same article; not stored")
            return
        self._identity(citing, c.citing, out.triples)
        self._identity(cited, c.cited, out.triples)
        # The dates a citation row gives are its articles' publication dates (OpenCitations' "creation" is the
        # citing article's); the citation's own dates are worked out from them in the derived graph.
        for node, date in ((citing, c.citing_date or c.creation), (cited, c.cited_date)):
            if date:
                out.triples.append((node, prism.publicationDate, date_literal(date)))
        self._cites(citing, cited, out, timespan_=c.timespan)
        ci = self.m.citation(citing, cited)
        if c.author_self_citation:
            out.triples.append((ci, A, cito.AuthorSelfCitation))
        if c.journal_self_citation:
            out.triples.append((ci, A, cito.JournalSelfCitation))

    def _cites(self, citing: str, cited: str, out: Mapped, *, timespan_: str | None = None) -> None:
        """The citation: the ``cito:cites`` shortcut and the OCDM citation node; a time span only when the source
        states one (OpenCitations Index rows), since kg works them out from the articles' dates."""
        ci = self.m.citation(citing, cited)
        out.citations += 1
        out.triples.extend(((citing, cito.cites, cited), (ci, A, cito.Citation),
                            (ci, cito.hasCitingEntity, citing), (ci, cito.hasCitedEntity, cited)))
        if timespan_:
            out.triples.append((ci, cito.hasCitationTimeSpan, Lit(timespan_, XSD_DURATION)))
