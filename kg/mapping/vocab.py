"""The vocabulary kg writes: closed namespaces, so a misspelt term raises instead of minting a new IRI."""

from __future__ import annotations

from types import SimpleNamespace

from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, VOID, XSD, DefinedNamespace, Namespace
from rdflib.term import URIRef

__all__ = ["biro", "c4o", "cito", "datacite", "dcterms", "fabio", "foaf", "frbr", "kgv", "literal", "oco",
           "prism", "pro", "prov", "rdf", "BIRO", "C4O", "CITO", "DATACITE", "DCTERMS", "FABIO", "FOAF", "FRBR", "KGV", "LITERAL", "OCO",
           "PRISM", "PRO", "PROV", "RDF", "RDFS", "VOID", "XSD"]


class FABIO(DefinedNamespace):
    _NS = Namespace("http://purl.org/spar/fabio/")
    _fail = True
    Expression: URIRef
    Manifestation: URIRef
    JournalArticle: URIRef
    ReviewArticle: URIRef
    Editorial: URIRef
    Letter: URIRef
    Comment: URIRef
    NewsItem: URIRef
    RetractionNotice: URIRef
    ConferencePaper: URIRef
    Journal: URIRef
    JournalVolume: URIRef
    JournalIssue: URIRef
    hasSequenceIdentifier: URIRef
    hasNLMJournalTitleAbbreviation: URIRef
    hasNationalLibraryOfMedicineJournalId: URIRef
    hasPubMedId: URIRef
    hasPubMedCentralId: URIRef


class CITO(DefinedNamespace):
    _NS = Namespace("http://purl.org/spar/cito/")
    _fail = True
    cites: URIRef
    Citation: URIRef
    AuthorSelfCitation: URIRef
    JournalSelfCitation: URIRef
    hasCitingEntity: URIRef
    hasCitedEntity: URIRef
    hasCitationCreationDate: URIRef
    hasCitationTimeSpan: URIRef


class PRO(DefinedNamespace):
    _NS = Namespace("http://purl.org/spar/pro/")
    _fail = True
    RoleInTime: URIRef
    author: URIRef
    withRole: URIRef
    isHeldBy: URIRef
    isDocumentContextFor: URIRef
    relatesToOrganization: URIRef


class DATACITE(DefinedNamespace):
    _NS = Namespace("http://purl.org/spar/datacite/")
    _fail = True
    Identifier: URIRef
    hasIdentifier: URIRef
    usesIdentifierScheme: URIRef
    doi: URIRef
    pmid: URIRef
    pmcid: URIRef
    pii: URIRef
    issn: URIRef
    orcid: URIRef


class LITERAL(DefinedNamespace):
    _NS = Namespace("http://www.essepuntato.it/2010/06/literalreification/")
    _fail = True
    hasLiteralValue: URIRef


class PRISM(DefinedNamespace):
    _NS = Namespace("http://prismstandard.org/namespaces/basic/2.0/")
    _fail = True
    publicationDate: URIRef
    startingPage: URIRef
    endingPage: URIRef
    doi: URIRef


class FRBR(DefinedNamespace):
    _NS = Namespace("http://purl.org/vocab/frbr/core#")
    _fail = True
    partOf: URIRef
    part: URIRef
    embodiment: URIRef


class C4O(DefinedNamespace):
    _NS = Namespace("http://purl.org/spar/c4o/")
    _fail = True
    GlobalCitationCount: URIRef
    hasGlobalCitationFrequency: URIRef
    hasGlobalCountValue: URIRef
    hasGlobalCountSource: URIRef
    hasGlobalCountDate: URIRef
    hasContent: URIRef


class BIRO(DefinedNamespace):
    _NS = Namespace("http://purl.org/spar/biro/")
    _fail = True
    BibliographicReference: URIRef
    references: URIRef


class OCO(DefinedNamespace):
    _NS = Namespace("https://w3id.org/oc/ontology/")
    _fail = True
    hasNext: URIRef


class KGV(DefinedNamespace):
    """kg's own shortcut terms beside OCDM (declared in ontologies/kg.ttl)."""

    _NS = Namespace("https://w3id.org/kg-loader/ns#")
    _fail = True
    authorPosition: URIRef
    nameKey: URIRef
    sha256: URIRef
    baseIri: URIRef
    citationCount: URIRef
    referenceCount: URIRef
    metric: URIRef
    status: URIRef
    count: URIRef
    coIdentifies: URIRef
    conflictingIdentifier: URIRef
    preferredDate: URIRef
    pending: URIRef
    deletesRecordsOf: URIRef
    counted: URIRef


def _plain(ns: type[DefinedNamespace]) -> SimpleNamespace:
    """A namespace's terms as plain str attributes: as closed as the class, and fast on the mapper's hot path."""
    return SimpleNamespace(**{name: str(ns[name]) for name in ns.__annotations__})


fabio, cito, pro, datacite, literal, prism, frbr, c4o, biro, oco, kgv = map(
    _plain, (FABIO, CITO, PRO, DATACITE, LITERAL, PRISM, FRBR, C4O, BIRO, OCO, KGV))
dcterms, foaf, prov, rdf = map(_plain, (DCTERMS, FOAF, PROV, RDF))
