"""Records → triples in the OpenCitations Data Model (SPAR terms), with one-hop shortcuts beside it."""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.errors import MappingError
from kg.mapping.iris import Minter, author_key, journal_key
from kg.mapping.terms import XSD_NNI, XSD_POSITIVE, Lit, Triple, date_literal, timespan
from kg.mapping.vocab import (BIRO, C4O, CITO, DATACITE, DCTERMS, FABIO, FOAF, FRBR, KGV, LITERAL, OCO, PRISM,
                              PRO, RDF)
from kg.records import Article, Author, Citation, Identifier, Journal, PartialDate, Reference, Scheme

A = str(RDF.type)
_SCHEME = {Scheme.PMID: str(DATACITE.pmid), Scheme.PMCID: str(DATACITE.pmcid), Scheme.DOI: str(DATACITE.doi),
           Scheme.PII: str(DATACITE.pii), Scheme.ISSN: str(DATACITE.issn), Scheme.ORCID: str(DATACITE.orcid)}
_SHORTCUT = {Scheme.PMID: str(FABIO.hasPubMedId), Scheme.PMCID: str(FABIO.hasPubMedCentralId),
             Scheme.DOI: str(PRISM.doi)}
# PubMed publication types (and the like from other sources) → FaBiO subclasses; first match wins.
_TYPES = {
    "review": FABIO.ReviewArticle, "systematic review": FABIO.ReviewArticle, "editorial": FABIO.Editorial,
    "letter": FABIO.Letter, "comment": FABIO.Comment, "case reports": FABIO.CaseReport,
    "clinical trial": FABIO.ClinicalTrialReport, "randomized controlled trial": FABIO.ClinicalTrialReport,
    "published erratum": FABIO.Erratum, "news": FABIO.NewsItem, "biography": FABIO.Biography,
    "retraction of publication": FABIO.Retraction, "congress": FABIO.ConferencePaper,
    "journal article": FABIO.JournalArticle,
}


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

    def map(self, record: Article | Citation) -> Mapped:
        out = Mapped()
        if isinstance(record, Article):
            self._article(record, out)
        elif isinstance(record, Citation):
            self._citation(record, out)
        else:
            raise MappingError(f"cannot map {type(record).__name__}")
        return out

    # -- articles -------------------------------------------------------------------------------------------
    def _article(self, a: Article, out: Mapped) -> None:
        br = self.m.article(a.identifiers, record=a.record_id)
        t = out.triples
        out.articles += 1
        self._identity(br, a.identifiers, t)
        kind = next((_TYPES[p.lower()] for p in a.publication_types if p.lower() in _TYPES), None)
        if kind is None and (a.journal is not None and a.complete):
            kind = FABIO.JournalArticle
        if kind is not None:
            t.append((br, A, str(kind)))
        if a.title:
            t.append((br, str(DCTERMS.title), Lit(a.title)))
        if a.abstract:
            t.append((br, str(DCTERMS.abstract), Lit(a.abstract)))
        if a.date:
            t.append((br, str(PRISM.publicationDate), date_literal(a.date)))
        for language in a.languages:
            t.append((br, str(DCTERMS.language), Lit(language)))
        self._venue(br, a, t)
        self._pages(br, a, t)
        self._authors(br, a.authors, t)
        for number, ref in enumerate(a.references, 1):
            self._reference(br, a, number, ref, out)
        if a.declared_citation_count is not None:
            self._declared_count(br, a.declared_citation_count, t)

    def _identity(self, br: str, identifiers: tuple[Identifier, ...], t: list[Triple]) -> None:
        t.append((br, A, str(FABIO.Expression)))
        for ident in identifiers:
            if ident.scheme not in _SCHEME:
                continue
            self._identifier(br, ident, t)
            if ident.scheme in _SHORTCUT:
                t.append((br, _SHORTCUT[ident.scheme], Lit(ident.value)))

    def _identifier(self, node: str, ident: Identifier, t: list[Triple]) -> None:
        iri = self.m.identifier(ident)
        t.append((node, str(DATACITE.hasIdentifier), iri))
        t.append((iri, A, str(DATACITE.Identifier)))
        t.append((iri, str(DATACITE.usesIdentifierScheme), _SCHEME[ident.scheme]))
        t.append((iri, str(LITERAL.hasLiteralValue), Lit(ident.value)))

    def _venue(self, br: str, a: Article, t: list[Triple]) -> None:
        parent = self._journal(a.journal, t) if a.journal else None
        if a.volume and parent:
            volume = self.m.volume(parent, a.volume)
            t.extend(((volume, A, str(FABIO.Expression)), (volume, A, str(FABIO.JournalVolume)),
                      (volume, str(FABIO.hasSequenceIdentifier), Lit(a.volume)),
                      (volume, str(FRBR.partOf), parent)))
            parent = volume
        if a.issue and parent:
            issue = self.m.issue(parent, a.issue)
            t.extend(((issue, A, str(FABIO.Expression)), (issue, A, str(FABIO.JournalIssue)),
                      (issue, str(FABIO.hasSequenceIdentifier), Lit(a.issue)), (issue, str(FRBR.partOf), parent)))
            parent = issue
        if parent:
            t.append((br, str(FRBR.partOf), parent))

    def _journal(self, j: Journal, t: list[Triple]) -> str | None:
        key = journal_key(j)
        if key is None:
            return None
        iri = self.m.journal(key)
        t.extend(((iri, A, str(FABIO.Expression)), (iri, A, str(FABIO.Journal))))
        if j.title:
            t.append((iri, str(DCTERMS.title), Lit(j.title)))
        for abbreviation in {j.nlm_abbreviation, j.iso_abbreviation} - {None}:
            t.append((iri, str(FABIO.hasNLMJournalTitleAbbreviation), Lit(abbreviation)))
        if j.nlm_id:
            t.append((iri, str(FABIO.hasNationalLibraryOfMedicineJournalId), Lit(j.nlm_id)))
        for issn in dict.fromkeys((j.issn_linking, j.issn_print, j.issn_electronic)):
            if issn:
                self._identifier(iri, Identifier(Scheme.ISSN, issn), t)
        return iri

    def _pages(self, br: str, a: Article, t: list[Triple]) -> None:
        if a.pages is None or not (a.pages.first or a.pages.last):
            return
        re_ = self.m.manifestation(br)
        t.append((br, str(FRBR.embodiment), re_))
        t.append((re_, A, str(FABIO.Manifestation)))
        if a.pages.first:
            t.append((re_, str(PRISM.startingPage), Lit(a.pages.first)))
        if a.pages.last:
            t.append((re_, str(PRISM.endingPage), Lit(a.pages.last)))

    def _authors(self, br: str, authors: tuple[Author, ...], t: list[Triple]) -> None:
        previous = None
        for position, author in enumerate(authors, 1):
            key = author_key(position, author)
            role = self.m.role(br, key)
            agent = self.m.agent(br, key, author.orcid)
            t.extend(((br, str(PRO.isDocumentContextFor), role), (role, A, str(PRO.RoleInTime)),
                      (role, str(PRO.withRole), str(PRO.author)), (role, str(PRO.isHeldBy), agent),
                      (role, str(KGV.authorPosition), Lit(str(position), XSD_POSITIVE)),
                      (agent, A, str(FOAF.Agent))))
            if previous:
                t.append((previous, str(OCO.hasNext), role))
            previous = role
            self._agent(agent, author, t)
            for affiliation in author.affiliations:
                org = self.m.organisation(affiliation)
                t.extend(((role, str(PRO.relatesToOrganization), org), (org, A, str(FOAF.Organization)),
                          (org, str(FOAF.name), Lit(affiliation))))

    def _agent(self, agent: str, author: Author, t: list[Triple]) -> None:
        if author.given:
            t.append((agent, str(FOAF.givenName), Lit(author.given)))
        if author.family:
            t.append((agent, str(FOAF.familyName), Lit(author.family)))
        name = author.name or (f"{author.family} {author.initials}" if author.family and author.initials
                               else author.display_name)
        if name:
            t.append((agent, str(FOAF.name), Lit(name)))
        if author.orcid:
            self._identifier(agent, Identifier(Scheme.ORCID, author.orcid), t)

    def _reference(self, br: str, a: Article, number: int, ref: Reference, out: Mapped) -> None:
        be = self.m.reference(br, number)
        t = out.triples
        t.extend(((br, str(FRBR.part), be), (be, A, str(BIRO.BibliographicReference))))
        if ref.text:
            t.append((be, str(C4O.hasContent), Lit(ref.text)))
        if not any(i.scheme in _SHORTCUT for i in ref.identifiers):
            return
        cited = self.m.article(ref.identifiers)
        if cited == br:
            out.problems.append(f"{a.record_id}: reference {number} is the article itself; not stored as a citation")
            return
        self._identity(cited, ref.identifiers, t)
        t.append((be, str(BIRO.references), cited))
        self._cites(br, cited, a.date, None, out)

    def _declared_count(self, br: str, count: int, t: list[Triple]) -> None:
        source_key = self.source_iri.rsplit("/", 1)[-1]
        gcc = self.m.declared_count(br, source_key)
        t.extend(((br, str(C4O.hasGlobalCitationFrequency), gcc), (gcc, A, str(C4O.GlobalCitationCount)),
                  (gcc, str(C4O.hasGlobalCountValue), Lit(str(count), XSD_NNI)),
                  (gcc, str(C4O.hasGlobalCountSource), self.source_iri)))

    # -- citations ------------------------------------------------------------------------------------------
    def _citation(self, c: Citation, out: Mapped) -> None:
        citing = self.m.article(c.citing, record=c.record_id)
        cited = self.m.article(c.cited, record=c.record_id)
        if citing == cited:
            out.problems.append(f"{c.record_id}: citing and cited are the same article; not stored")
            return
        self._identity(citing, c.citing, out.triples)
        self._identity(cited, c.cited, out.triples)
        self._cites(citing, cited, c.citing_date, c.cited_date, out)

    def _cites(self, citing: str, cited: str, citing_date: PartialDate | None, cited_date: PartialDate | None,
               out: Mapped) -> None:
        ci = self.m.citation(citing, cited)
        out.citations += 1
        out.triples.extend(((citing, str(CITO.cites), cited), (ci, A, str(CITO.Citation)),
                            (ci, str(CITO.hasCitingEntity), citing), (ci, str(CITO.hasCitedEntity), cited)))
        if citing_date:
            out.triples.append((ci, str(CITO.hasCitationCreationDate), date_literal(citing_date)))
            if cited_date:
                out.triples.append((ci, str(CITO.hasCitationTimeSpan), timespan(cited_date, citing_date)))
