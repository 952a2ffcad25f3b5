"""Samples of a store: its articles, streamed or drawn at random, and each batch's neighbourhood (what the
articles reach, as quads), so that shapes and reasoning see whole articles without the whole graph in memory."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from rdflib.term import Node, URIRef

from kg.mapping.iris import Minter
from kg.mapping.vocab import biro, c4o, cito, datacite, fabio, frbr, prism, pro, rdf
from kg.store.oxigraph import OxigraphStore

RdfQuad = tuple[Node, Node, Node, Node]  # subject, predicate, object, graph (rdflib terms)
BATCH = 500  # articles per neighbourhood query
# From an article ?a to the nodes it reaches (?n), all of whose statements belong to its neighbourhood.
_REACH = (
    f"?a <{datacite.hasIdentifier}>|<{frbr.embodiment}>|<{pro.isDocumentContextFor}>|<{frbr.part}>|"
    f"<{c4o.hasGlobalCitationFrequency}> ?n",
    f"?a <{pro.isDocumentContextFor}>/(<{pro.isHeldBy}>|<{pro.relatesToOrganization}>) ?n",
    f"?a <{pro.isDocumentContextFor}>/<{pro.isHeldBy}>/<{datacite.hasIdentifier}> ?n",
    f"?a <{frbr.partOf}>+ ?n",
    f"?a <{frbr.partOf}>+/<{datacite.hasIdentifier}> ?n",
    f"?n <{cito.hasCitingEntity}>|<{cito.hasCitedEntity}> ?a",
)
# What the neighbourhood holds of the articles at the other end of a citation: enough to tell an article from a
# journal, date it, and know its identifiers.
_ENDS = (rdf.type, prism.publicationDate, fabio.hasPubMedId, fabio.hasPubMedCentralId, prism.doi)


@dataclass(slots=True)
class Neighbourhood:
    """Some articles and every quad about what they reach (their identifiers, authors, journal, citations, the
    counts kg keeps of them), plus the type, dates and identifiers of the articles they cite or are cited by and
    those articles' citation links to them."""

    articles: list[URIRef]
    quads: set[RdfQuad] = field(default_factory=set)


def article_query(minter: Minter) -> str:
    """Every article node (journals, volumes and issues left out), stubs included."""
    base = minter.base
    return (f"SELECT DISTINCT ?a WHERE {{ ?a a <{fabio.Expression}> FILTER(STRSTARTS(STR(?a), \"{base}br/\") "
            f"&& !STRSTARTS(STR(?a), \"{base}br/journal/\")) }}")


def articles(store: OxigraphStore, minter: Minter) -> Iterator[URIRef]:
    """The store's article nodes, streamed (never all in memory)."""
    for (article,) in store.stream(article_query(minter)):
        yield article


def draw(store: OxigraphStore, minter: Minter, n: int, *, seed: int = 0) -> list[URIRef]:
    """``n`` articles drawn at random (reservoir sampling over the stream: memory for ``n`` only), in IRI order."""
    rng, chosen = random.Random(seed), []
    for seen, article in enumerate(articles(store, minter)):
        if seen < n:
            chosen.append(article)
        elif (slot := rng.randrange(seen + 1)) < n:
            chosen[slot] = article
    return sorted(chosen)


def batches(store: OxigraphStore, minter: Minter, *, sample: int | None = None, seed: int = 0,
            size: int = BATCH) -> Iterator[list[URIRef]]:
    """The articles to check, ``size`` at a time: a random sample of ``sample`` articles, or every article."""
    chosen = draw(store, minter, sample, seed=seed) if sample is not None else articles(store, minter)
    batch: list[URIRef] = []
    for article in chosen:
        batch.append(article)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def neighbourhood(store: OxigraphStore, chosen: list[URIRef], *, leave_out: set[str] = frozenset()) -> Neighbourhood:
    """The quads about ``chosen`` and what they reach, from every named graph but those in ``leave_out``."""
    found = Neighbourhood(list(chosen))
    values = "VALUES ?a { " + " ".join(a.n3() for a in chosen) + " }"
    nodes = set(chosen)
    for pattern in _REACH:  # one query each: Oxigraph plans a union of paths badly
        nodes.update(row[0] for row in store.stream(f"SELECT DISTINCT ?n WHERE {{ {values} {pattern} }}"))
    ordered = sorted(nodes)
    for start in range(0, len(ordered), 2000):
        chunk = " ".join(n.n3() for n in ordered[start:start + 2000])
        found.quads.update(store.stream(f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?s {{ {chunk} }} GRAPH ?g {{ ?s ?p ?o }} }}",
                                        union=False))
    ends = {row[0] for row in store.stream(f"SELECT DISTINCT ?s WHERE {{ {values} ?a <{cito.cites}>|"
                                               f"^<{cito.cites}>|<{frbr.part}>/<{biro.references}> ?s }}")} - nodes
    ordered = sorted(ends)
    for start in range(0, len(ordered), 2000):
        chunk = " ".join(n.n3() for n in ordered[start:start + 2000])
        for predicate in _ENDS:
            found.quads.update(store.stream(f"SELECT ?s (<{predicate}> AS ?p) ?o ?g WHERE {{ VALUES ?s {{ {chunk} }} "
                                            f"GRAPH ?g {{ ?s <{predicate}> ?o }} }}", union=False))
    found.quads.update(store.stream(
        f"SELECT ?s ?p ?o ?g WHERE {{ {values} BIND(?a AS ?o) BIND(<{cito.cites}> AS ?p) GRAPH ?g {{ ?s ?p ?o }} }}",
        union=False))
    found.quads = {q for q in found.quads if str(q[3]) not in leave_out}
    return found
