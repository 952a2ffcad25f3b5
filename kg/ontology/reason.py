"""Reasoning with owlready2: the profile's consistency, and a sample's, checked by HermiT (a Java program
owlready2 ships), with an inconsistency explained in words (the node and the axioms); and the hierarchies kg
infer materialises."""

from __future__ import annotations

import io
import itertools
import shutil
from dataclasses import dataclass

import owlready2
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Literal, URIRef

from kg.errors import KgError
from kg.ontology.profile import profile_graph

PROFILE_IRI = "https://w3id.org/kg-loader/profile"
SAMPLE_IRI = "https://w3id.org/kg-loader/sample"
# The datatypes of the OWL 2 datatype map that kg's graphs use: HermiT refuses any other (xsd:date, xsd:gYear,
# xsd:duration), so the reasoner sees such values as strings and such ranges not at all.
OWL2_DATATYPES = {XSD.string, XSD.integer, XSD.nonNegativeInteger, XSD.positiveInteger, XSD.boolean, XSD.decimal,
                  XSD.dateTime, XSD.anyURI, RDFS.Literal}


class ReasonerError(KgError):
    """The reasoner cannot run (no Java runtime) or fails."""


@dataclass(frozen=True, slots=True)
class Clash:
    """A node whose types the profile declares disjoint."""

    node: str
    first: str  # a type of the node, and the chain that makes it one
    second: str
    axiom: str  # the disjointness axiom, in words

    def __str__(self) -> str:
        return f"{self.node} is {self.first} and {self.second}, but {self.axiom}"


@dataclass(slots=True)
class Verdict:
    """HermiT's verdict on the profile (and a sample), and what explains an inconsistency."""

    consistent: bool
    triples: int
    clashes: list[Clash]

    def render(self) -> str:
        if self.consistent:
            return f"consistent ({self.triples} statements)"
        lines = [f"inconsistent ({self.triples} statements):"] + [f"  {c}" for c in self.clashes]
        return "\n".join(lines if self.clashes else lines + ["  (no single node's types explain it)"])


def reasoner_view(graph: rdflib.Graph) -> rdflib.Graph:
    """``graph`` as HermiT can take it: values of datatypes outside the OWL 2 map as strings, ranges that are
    such datatypes left out, annotation-only statements kept."""
    view = rdflib.Graph()
    for s, p, o in graph:
        if p == RDFS.range and isinstance(o, URIRef) and str(o).startswith(str(XSD)) and o not in OWL2_DATATYPES:
            continue
        if isinstance(o, Literal) and o.datatype is not None and o.datatype not in OWL2_DATATYPES:
            o = Literal(str(o), datatype=XSD.string)
        view.add((s, p, o))
    return view


def _world(sample: rdflib.Graph | None) -> tuple[owlready2.World, list[owlready2.Ontology]]:
    world = owlready2.World()
    loaded = []
    for iri, graph in ((PROFILE_IRI, profile_graph()), (SAMPLE_IRI, sample)):
        if graph is None:
            continue
        text = reasoner_view(graph).serialize(format="nt", encoding="utf-8")
        loaded.append(world.get_ontology(iri).load(fileobj=io.BytesIO(text), format="ntriples"))
    return world, loaded


def check(sample: rdflib.Graph | None = None) -> Verdict:
    """Whether the profile (with ``sample``, an ABox of kg triples) is consistent, by HermiT; raises
    ReasonerError when Java is missing or HermiT fails."""
    if shutil.which("java") is None:
        raise ReasonerError("the reasoner (HermiT) needs a Java runtime: install one (Debian: default-jre-headless)")
    world, ontologies = _world(sample)
    triples = sum(len(g) for g in (profile_graph(), sample) if g is not None)
    try:
        with ontologies[-1]:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError:
        return Verdict(False, triples, explain(sample) if sample is not None else [])
    except owlready2.OwlReadyJavaError as exc:
        raise ReasonerError(f"the reasoner failed: {str(exc).splitlines()[-1]}") from exc
    finally:
        world.close()
    return Verdict(True, triples, [])


def _short(graph: rdflib.Graph, term: URIRef) -> str:
    try:
        return graph.namespace_manager.normalizeUri(term)
    except ValueError:
        return f"<{term}>"


def explain(sample: rdflib.Graph) -> list[Clash]:
    """The nodes of ``sample`` whose types (stated, or implied by a property's domain or range) fall under two
    classes the profile declares disjoint, each with the chain of subclass axioms and the disjointness axiom."""
    profile = profile_graph()
    disjoint = _disjoint_pairs(profile)
    types: dict[URIRef, dict[URIRef, str]] = {}
    for s, p, o in sample:
        if p == RDF.type and isinstance(o, URIRef):
            types.setdefault(s, {}).setdefault(o, "typed " + _short(profile, o))
        for axiom, node, word in ((RDFS.domain, s, "domain"), (RDFS.range, o, "range")):
            for cls in profile.objects(p, axiom):
                if isinstance(cls, URIRef) and isinstance(node, URIRef) and not str(cls).startswith(str(XSD)):
                    why = f"{_short(profile, cls)} ({_short(profile, p)} has {word} {_short(profile, cls)})"
                    types.setdefault(node, {}).setdefault(cls, why)
    clashes = []
    for node, stated in sorted(types.items()):
        reach = {}
        for cls, why in stated.items():
            for ancestor, chain in _ancestors(profile, cls):
                reach.setdefault(ancestor, f"{why}{chain}")
        for a, b in itertools.combinations(sorted(reach), 2):
            if (a, b) in disjoint or (b, a) in disjoint:
                clashes.append(Clash(str(node), reach[a], reach[b],
                                     f"the profile declares {_short(profile, a)} and {_short(profile, b)} disjoint"))
    return clashes


def _ancestors(profile: rdflib.Graph, cls: URIRef) -> list[tuple[URIRef, str]]:
    """``cls`` and its super-classes, each with the chain of subclass axioms that leads there (' ⊑ A ⊑ B')."""
    found, todo = [(cls, "")], [(cls, "")]
    seen = {cls}
    while todo:
        current, chain = todo.pop()
        for parent in profile.objects(current, RDFS.subClassOf):
            if isinstance(parent, URIRef) and parent not in seen:
                seen.add(parent)
                step = f"{chain} ⊑ {_short(profile, parent)}"
                found.append((parent, step))
                todo.append((parent, step))
    return found


def _disjoint_pairs(profile: rdflib.Graph) -> set[tuple[URIRef, URIRef]]:
    pairs = {(a, b) for a, b in profile.subject_objects(OWL.disjointWith)}
    for members in profile.objects(None, OWL.members):
        classes = list(rdflib.collection.Collection(profile, members))
        pairs |= set(itertools.permutations(classes, 2))
    return pairs


def hierarchy() -> tuple[dict[str, list[str]], dict[str, list[str]], dict[str, str]]:
    """What kg infer materialises, read from the profile loaded in owlready2: each class's strict super-classes,
    each property's strict super-properties, and each property's inverse."""
    world, _ = _world(None)
    try:
        classes = {c.iri: sorted(a.iri for a in c.ancestors() if a is not c and isinstance(a, owlready2.ThingClass)
                                 and a is not owlready2.Thing) for c in world.classes()}
        kinds = (owlready2.ObjectPropertyClass, owlready2.DataPropertyClass)
        properties = {p.iri: sorted(a.iri for a in p.ancestors() if a is not p and hasattr(a, "iri")
                                    and not a.iri.startswith((str(OWL), str(RDF))))
                      for p in world.properties() if isinstance(p, kinds)}
        inverses = {}
        for p in world.object_properties():
            if p.inverse_property is not None:
                inverses[p.iri] = p.inverse_property.iri
                inverses[p.inverse_property.iri] = p.iri
    finally:
        world.close()
    return ({k: v for k, v in classes.items() if v}, {k: v for k, v in properties.items() if v}, inverses)
