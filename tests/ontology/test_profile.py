"""The application profile against what it describes: the SPAR terms and axioms it restates are the published
ones, its other vocabularies' terms are in their published term lists, and it declares every term the mapper
writes (the real graphs' terms are checked in test_validate.py)."""

from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS

from kg.mapping import vocab
from kg.ontology.profile import profile_graph

DATA = Path(__file__).resolve().parents[1] / "data"
# The published ontology each SPAR term names with rdfs:isDefinedBy → its file in ../shared/data/spar_ontologies.
SPAR = {"http://purl.org/spar/fabio": "fabio.ttl", "http://purl.org/spar/cito": "cito.ttl",
        "http://purl.org/spar/pro": "pro.ttl", "http://purl.org/spar/datacite": "datacite.ttl",
        "http://purl.org/spar/literal": "literal.ttl", "http://purl.org/spar/frbr": "frbr.ttl",
        "http://purl.org/spar/c4o": "c4o.ttl", "http://purl.org/spar/biro": "biro.ttl"}
SPAR_NAMESPACES = ("http://purl.org/spar/", "http://purl.org/vocab/frbr/core#",
                   "http://www.essepuntato.it/2010/06/literalreification/")
OWN = ("https://w3id.org/kg-loader/", "http://www.w3.org/2002/07/owl#", "http://www.w3.org/2000/01/rdf-schema#",
       "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://www.w3.org/2001/XMLSchema#")


@pytest.fixture(scope="module")
def profile() -> rdflib.Graph:
    return profile_graph()


@pytest.fixture(scope="module")
def published(shared: Path) -> dict[str, rdflib.Graph]:
    return {iri: rdflib.Graph().parse(shared / "data" / "spar_ontologies" / name) for iri, name in SPAR.items()}


def _terms(profile: rdflib.Graph) -> set[rdflib.URIRef]:
    return {s for s in profile.subjects() if isinstance(s, rdflib.URIRef)} - {rdflib.URIRef(
        "https://w3id.org/kg-loader/profile")}


def test_every_spar_term_is_in_the_published_ontology_it_names(profile, published):
    spar = {t for t in _terms(profile) if str(t).startswith(SPAR_NAMESPACES)}
    assert len(spar) > 100
    unnamed = sorted(str(t) for t in spar if str(profile.value(t, RDFS.isDefinedBy)) not in SPAR)
    assert unnamed == []
    missing = sorted(str(t) for t in spar if (t, None, None) not in published[str(profile.value(t, RDFS.isDefinedBy))])
    assert missing == []


def test_the_spar_axioms_the_profile_restates_are_published(profile, published):
    everything = rdflib.Graph()
    for graph in published.values():
        everything += graph
    checked = 0
    for axiom in (RDFS.subClassOf, RDFS.subPropertyOf, OWL.inverseOf):
        for s, o in profile.subject_objects(axiom):
            if not (str(s).startswith(SPAR_NAMESPACES) and str(o).startswith(SPAR_NAMESPACES)):
                continue  # a link to another vocabulary (dcterms:identifier) or kg's own
            if axiom == OWL.inverseOf:
                assert (s, axiom, o) in everything or (o, axiom, s) in everything, (s, o)
            else:
                assert o in _ancestors(everything, s, axiom), (s, axiom, o)
            checked += 1
    assert checked > 60


def _ancestors(graph: rdflib.Graph, term: rdflib.URIRef, axiom: rdflib.URIRef) -> set[rdflib.URIRef]:
    """What ``term`` is published to be a subclass (subproperty) of, through chains of the axiom and through
    classes defined as a union that holds it (FRBR's Endeavour is Work, Expression, Manifestation or Item)."""
    found = set(graph.transitive_objects(term, axiom))
    unions = [(c, set(rdflib.collection.Collection(graph, graph.value(e, OWL.unionOf))))
              for c, e in graph.subject_objects(OWL.equivalentClass) if graph.value(e, OWL.unionOf)]
    while grown := {c for c, members in unions if members & found and c not in found}:
        for c in grown:
            found |= set(graph.transitive_objects(c, axiom))
    return found


def test_other_vocabularies_terms_are_in_their_published_term_lists(profile):
    lines = [line.split("\t") for line in (DATA / "published-terms.tsv").read_text().splitlines()
             if line and not line.startswith("#")]
    published = {ns + name for ns, name in lines}
    namespaces = {ns for ns, _ in lines}
    others = {str(t) for t in _terms(profile) if not str(t).startswith(SPAR_NAMESPACES + OWN)}
    assert {t for t in others if not t.startswith(tuple(namespaces))} == set()  # every vocabulary has its list
    assert sorted(others - published) == []
    assert "http://purl.org/dc/terms/isPartOf" in others and "http://rdfs.org/ns/void#triples" in others


def test_a_misspelt_term_in_the_lists_would_be_caught():
    lines = (DATA / "published-terms.tsv").read_text()
    assert "\tpublicationDate\n" in lines and "\tpublicationdate\n" not in lines


def test_every_property_the_mapper_writes_has_a_label_comment_and_kind(profile):
    terms = {str(ns[t]) for ns in (vocab.FABIO, vocab.CITO, vocab.PRO, vocab.DATACITE, vocab.LITERAL, vocab.PRISM,
                                   vocab.FRBR, vocab.C4O, vocab.BIRO, vocab.OCO, vocab.KGV) for t in ns.__annotations__}
    kinds = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual}
    for term in map(rdflib.URIRef, terms):
        assert profile.value(term, RDFS.label) and profile.value(term, RDFS.comment), term
        assert set(profile.objects(term, RDF.type)) & kinds, term


def test_inverses_and_disjointness_the_issue_names(profile):
    FABIO, CITO, FRBR = (rdflib.Namespace(n) for n in ("http://purl.org/spar/fabio/", "http://purl.org/spar/cito/",
                                                       "http://purl.org/vocab/frbr/core#"))
    assert (CITO.cites, OWL.inverseOf, CITO.isCitedBy) in profile
    assert (FRBR.partOf, OWL.inverseOf, FRBR.part) in profile
    assert FABIO.Expression in set(profile.transitive_objects(FABIO.JournalArticle, RDFS.subClassOf))
    disjoint = [set(rdflib.collection.Collection(profile, m)) for m in profile.objects(None, OWL.members)]
    assert any({FABIO.Article, FABIO.Periodical, FABIO.PeriodicalIssue} <= d for d in disjoint)
