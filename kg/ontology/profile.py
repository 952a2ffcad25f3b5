"""The application profile (ontologies/kg-profile.ttl with kg's own terms, kg.ttl) as one rdflib graph."""

from __future__ import annotations

from functools import cache

import rdflib
from rdflib.term import URIRef

from kg.config import data_dir

PROFILE_FILES = ("kg-profile.ttl", "kg.ttl")


def ontology_text(name: str) -> str:
    """The text of one file of ``ontologies/`` (in a checkout or an installed wheel)."""
    return (data_dir("ontologies") / name).read_text(encoding="utf-8")


@cache
def _parsed() -> rdflib.Graph:
    graph = rdflib.Graph()
    for name in PROFILE_FILES:
        graph.parse(data=ontology_text(name), format="turtle")
    return graph


def profile_graph() -> rdflib.Graph:
    """A fresh copy of the profile and kg's own terms, parsed once per process."""
    copy = rdflib.Graph()
    for triple in _parsed():
        copy.add(triple)
    copy.namespace_manager = _parsed().namespace_manager
    return copy


def declared_terms() -> set[str]:
    """Every IRI the profile or kg.ttl describes: the terms a kg graph may use."""
    return {str(s) for s in _parsed().subjects() if isinstance(s, URIRef)}
