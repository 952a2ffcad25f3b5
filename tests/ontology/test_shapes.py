"""kg's shapes on small hand-made graphs, one broken rule each, and on a real one that keeps them all: each rule
catches what it states, names the node, and only where it applies (one source, or all of them)."""

from __future__ import annotations

import re

import pyoxigraph
import pytest
import rdflib

from kg import KnowledgeGraph
from kg.ontology.validate import describe, render, report_graph, validate

PREFIXES = """
@base <https://kg.example.org/> .
@prefix fabio: <http://purl.org/spar/fabio/> .
@prefix cito: <http://purl.org/spar/cito/> .
@prefix pro: <http://purl.org/spar/pro/> .
@prefix datacite: <http://purl.org/spar/datacite/> .
@prefix literal: <http://www.essepuntato.it/2010/06/literalreification/> .
@prefix prism: <http://prismstandard.org/namespaces/basic/2.0/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix oco: <https://w3id.org/oc/ontology/> .
@prefix kg: <https://w3id.org/kg-loader/ns#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
# Two articles, their identifiers, one citation and the counts kg keeps: a graph that keeps every rule.
GOOD = """
:graph/a {
  :br/pmid/1 a fabio:Expression, fabio:JournalArticle ; fabio:hasPubMedId "1" ; dcterms:title "One" ;
    prism:publicationDate "2011-09-22"^^xsd:date ; datacite:hasIdentifier :id/pmid/1 ;
    pro:isDocumentContextFor :ar/pmid/1/1-a, :ar/pmid/1/2-b ; cito:cites :br/pmid/2 .
  :id/pmid/1 a datacite:Identifier ; datacite:usesIdentifierScheme datacite:pmid ; literal:hasLiteralValue "1" .
  :ar/pmid/1/1-a a pro:RoleInTime ; pro:withRole pro:author ; pro:isHeldBy :ra/pmid/1/1-a ;
    kg:authorPosition 1 ; oco:hasNext :ar/pmid/1/2-b .
  :ar/pmid/1/2-b a pro:RoleInTime ; pro:withRole pro:author ; pro:isHeldBy :ra/orcid/0000-0002-1825-0097 ;
    kg:authorPosition 2 .
  :ra/pmid/1/1-a a foaf:Agent . :ra/orcid/0000-0002-1825-0097 a foaf:Agent ; datacite:hasIdentifier :id/orcid/0000-0002-1825-0097 .
  :id/orcid/0000-0002-1825-0097 a datacite:Identifier ; datacite:usesIdentifierScheme datacite:orcid ;
    literal:hasLiteralValue "0000-0002-1825-0097" .
  :br/pmid/1 frbr:partOf :br/journal/issn/0378-5955 .
  :br/journal/issn/0378-5955 a fabio:Expression, fabio:Journal ; datacite:hasIdentifier :id/issn/0378-5955 .
  :id/issn/0378-5955 a datacite:Identifier ; datacite:usesIdentifierScheme datacite:issn ; literal:hasLiteralValue "0378-5955" .
  :br/pmid/2 a fabio:Expression ; fabio:hasPubMedId "2" ; prism:publicationDate "2001"^^xsd:gYear .
  :ci/pmid/1/to/pmid/2 a cito:Citation ; cito:hasCitingEntity :br/pmid/1 ; cito:hasCitedEntity :br/pmid/2 ;
    cito:hasCitationCreationDate "2011-09-22"^^xsd:date ; cito:hasCitationTimeSpan "P10Y"^^xsd:duration .
}
:graph/derived { :br/pmid/2 kg:citationCount 1 . :br/pmid/1 kg:referenceCount 1 . }
""".replace("frbr:partOf", "<http://purl.org/vocab/frbr/core#partOf>")


def _graph(trig: str) -> KnowledgeGraph:
    """A store holding ``trig`` (':br/pmid/1' stands for the node's IRI under the default base), with graphs a
    and b described as sources a.xml and b.xml."""
    kg = KnowledgeGraph(None)
    text = re.sub(r"(?<![\w<]):([\w/%-]+(?:\.[\w/%-]+)*)", r"<\1>", trig)
    kg.store.native.load(input=(PREFIXES + text).encode(), format=pyoxigraph.RdfFormat.TRIG)
    for g in ("a", "b"):
        kg.store.update(f"INSERT DATA {{ GRAPH <{kg.minter.provenance_graph}> {{ <{kg.minter.base}graph/{g}> a "
                        f"<http://www.w3.org/ns/prov#Entity> ; <http://www.w3.org/2000/01/rdf-schema#label> \"{g}.xml\" }} }}")
    return kg


def _broken(extra: str) -> set[tuple[str, str]]:
    """The rules a copy of GOOD with ``extra`` added breaks: (label, message) pairs."""
    found = validate(_graph(GOOD + extra).store, _graph("").minter)
    return {(r.label, r.message) for r in found.rules.values()}


def test_a_graph_that_keeps_every_rule_passes():
    found = validate(_graph(GOOD).store, _graph("").minter)
    assert found.articles == 2 and found.conforms, render(found, "table")


@pytest.mark.parametrize(("extra", "label", "words"), [
    (':graph/a { :br/pmid/1 dcterms:title "Another" . }', "article, as one source states it", "more than one title"),
    (':graph/a { :br/pmid/2 prism:publicationDate "2002"^^xsd:gYear . }', "article, as one source states it",
     "more than one publication date"),
    (':graph/a { :br/pmid/2 prism:publicationDate "May 2001" . } :graph/a { :br/pmid/2 prism:publicationDate "2001"^^xsd:gYear . }',
     "publication date", "not a date"),
    (':graph/b { :br/pmid/1 fabio:hasPubMedId "7" . }', "article node", "two PMIDs"),
    (':graph/b { :br/pmid/1 datacite:hasIdentifier :id/pmid/7 . :id/pmid/7 a datacite:Identifier ; '
     'datacite:usesIdentifierScheme datacite:pmid ; literal:hasLiteralValue "7" . }',
     "article node's PMID and PMCID identifiers", "two PMID or two PMCID"),
    (':graph/b { :br/pmid/2 datacite:hasIdentifier :id/doi/x . :id/doi/x a datacite:Identifier ; datacite:usesIdentifierScheme datacite:doi ; '
     'literal:hasLiteralValue "10.1000/ABC" . }', "DOI identifier", "a DOI that is not"),
    (':graph/b { :br/pmid/2 datacite:hasIdentifier :id/pmid/01 . :id/pmid/01 a datacite:Identifier ; datacite:usesIdentifierScheme datacite:pmid ; '
     'literal:hasLiteralValue "01" . }', "PMID identifier", "a PMID that is not"),
    (':graph/b { :br/pmid/2 datacite:hasIdentifier :id/issn/x . :id/issn/x a datacite:Identifier ; datacite:usesIdentifierScheme datacite:issn ; '
     'literal:hasLiteralValue "0378-5954" . }', "ISSN check digit", "an ISSN whose check digit is wrong"),
    (':graph/b { :br/pmid/2 datacite:hasIdentifier :id/orcid/x . :id/orcid/x a datacite:Identifier ; datacite:usesIdentifierScheme datacite:orcid ; '
     'literal:hasLiteralValue "0000-0002-1825-0098" . }', "ORCID checksum", "an ORCID whose checksum is wrong"),
    (':graph/b { :br/pmid/2 datacite:hasIdentifier :id/x . :id/x a datacite:Identifier ; literal:hasLiteralValue "1" . }', "identifier", "an identifier without"),
    (':graph/a { :ar/pmid/1/2-b oco:hasNext :ar/pmid/1/1-a . }', "author list", "an author entry whose position"),
    (':graph/a { :br/pmid/1 pro:isDocumentContextFor :ar/pmid/1/3-c . :ar/pmid/1/2-b oco:hasNext :ar/pmid/1/3-c . '
     ':ar/pmid/1/3-c a pro:RoleInTime ; pro:withRole pro:author ; pro:isHeldBy :ra/pmid/1/1-a . }',
     "author entry", "an author entry without exactly one position"),
    (':graph/a { :br/pmid/1 pro:isDocumentContextFor :ar/pmid/1/3-c . :ar/pmid/1/2-b oco:hasNext :ar/pmid/1/3-c . '
     ':ar/pmid/1/3-c a pro:RoleInTime ; pro:withRole pro:author ; kg:authorPosition 3 . }',
     "author entry", "an author entry that does not name exactly one agent"),
    (':graph/a { :br/pmid/3 a fabio:Expression ; fabio:hasPubMedId "3" . :ci/pmid/3/to/pmid/2 a cito:Citation ; '
     'cito:hasCitedEntity :br/pmid/2 . }', "citation", "a citation without exactly one citing article"),
    (':graph/a { :br/pmid/1 cito:cites :br/pmid/3 . :br/pmid/3 fabio:hasPubMedId "3" . }', "article node", "not typed as a bibliographic resource"),
    (':graph/a { :br/pmid/1 pro:isDocumentContextFor :ar/pmid/1/3-c . :ar/pmid/1/3-c a pro:RoleInTime ; '
     'pro:withRole pro:author ; pro:isHeldBy :ra/pmid/1/1-a ; kg:authorPosition 1 . }',
     "author list", "an author entry whose position"),
    (':graph/a { :ar/pmid/1/1-a oco:hasNext :ar/pmid/1/3-c . :br/pmid/1 pro:isDocumentContextFor :ar/pmid/1/3-c . '
     ':ar/pmid/1/3-c a pro:RoleInTime ; pro:withRole pro:author ; pro:isHeldBy :ra/pmid/1/1-a ; kg:authorPosition 3 . }',
     "author entry", "an author entry followed by two entries"),
    (':graph/a { :ci/pmid/1/to/pmid/1 a cito:Citation ; cito:hasCitingEntity :br/pmid/1 ; cito:hasCitedEntity :br/pmid/1 . }',
     "citation", "a citation of an article by itself"),
    (':graph/a { :ci/pmid/1/to/journal a cito:Citation ; cito:hasCitingEntity :br/pmid/1 ; '
     'cito:hasCitedEntity :br/journal/issn/0378-5955 . }', "journal, volume, issue or agent", "a journal, volume, issue or agent node that is cited"),
    (':graph/b { :ci/pmid/1/to/pmid/2 cito:hasCitationTimeSpan "P3Y"^^xsd:duration . }', "citation time span",
     "a citation time span that agrees with no dates"),
    (':graph/a { :ci/pmid/1/to/pmid/2 cito:hasCitationTimeSpan "P10Y1M"^^xsd:duration . }',
     "citation, as one source states it", "one source gives this citation more than one time span"),
    (':graph/derived { :br/pmid/2 kg:citationCount 2 . }', "stored citation and reference counts",
     "the stored citation count ({?value}) is not"),
    (':graph/b { :br/pmid/3 a fabio:Expression ; fabio:hasPubMedId "3" ; cito:cites :br/pmid/2 . }',
     "stored citation and reference counts", "the stored citation count"),
])
def test_each_rule_catches_what_it_states(extra, label, words):
    broken = _broken(extra)
    assert any(lab == label and words.split(" ({")[0] in message for lab, message in broken), broken


def test_one_title_per_source_allows_two_sources_two_titles():
    assert _broken(':graph/b { :br/pmid/1 a fabio:Expression ; fabio:hasPubMedId "1" ; dcterms:title "Other" . }') == set()


def test_the_report_names_the_node_and_the_source_and_is_standard_shacl():
    kg = _graph(GOOD + ':graph/a { :br/pmid/1 dcterms:title "Another" . }')
    found = validate(kg.store, kg.minter, keep_report=True)
    table = render(found, "table")
    assert "article pmid:1 (in a.xml)" in table and "more than one title" in table
    report = report_graph(found)
    sh = "http://www.w3.org/ns/shacl#"
    assert [str(c) for c in report.objects(None, rdflib.URIRef(sh + "conforms"))] == ["false"]
    assert len(list(report.subjects(rdflib.URIRef(sh + "focusNode"), None))) == 1


@pytest.mark.parametrize(("iri", "words"), [
    ("br/pmid/123", "article pmid:123"), ("id/doi/10.1000%2Fx", "identifier doi:10.1000/x"),
    ("ci/pmid/1/to/doi/10.1%2Fy", "citation pmid:1 → doi:10.1/y"), ("ar/pmid/5/2-smith-j", "author entry 2-smith-j of pmid:5"),
    ("br/journal/issn/0378-5955/volume/12", "journal issn:0378-5955 volume 12"),
])
def test_nodes_are_named_as_curators_know_them(iri, words):
    kg = KnowledgeGraph(None)
    assert describe(kg.minter.base + iri, kg.minter) == words


def test_the_seed_graph_keeps_every_rule(seed_graph):
    found = validate(seed_graph.store, seed_graph.minter)
    assert found.articles >= 5 and found.conforms, render(found, "table")
