"""Samples of a store: its articles, streamed or drawn at random, and each batch's neighbourhood (what the
articles reach, copied into in-memory stores, one per named graph and one for all of them), so that shapes and
reasoning see whole articles without the whole graph in memory."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field

import rdflib
from rdflib.term import URIRef

from kg.mapping.iris import Minter
from kg.mapping.vocab import biro, c4o, cito, datacite, fabio, frbr, prism, pro, rdf
from kg.store.oxigraph import OxigraphStore

BATCH = 1000  # articles per neighbourhood
# From an article ?a to the nodes it reaches (?n), all of whose statements belong to its neighbourhood.
_REACH = (
    f"?a <{datacite.hasIdentifier}>|<{frbr.embodiment}>|<{pro.isDocumentContextFor}>|<{frbr.part}>|"
    f"<{c4o.hasGlobalCitationFrequency}> ?n",
    f"?a <{pro.isDocumentContextFor}>/(<{pro.isHeldBy}>|<{pro.relatesToOrganization}>) ?n",
    f"?a <{pro.isDocumentContextFor}>/<{pro.isHeldBy}>/<{datacite.hasIdentifier}> ?n",
    # issue, volume, journal: three steps at most (MAPPING), written out: Virtuoso refuses `partOf+` from VALUES
    f"?a <{frbr.partOf}>|<{frbr.partOf}>/<{frbr.partOf}>|<{frbr.partOf}>/<{frbr.partOf}>/<{frbr.partOf}> ?n",
    f"?a (<{frbr.partOf}>|<{frbr.partOf}>/<{frbr.partOf}>|<{frbr.partOf}>/<{frbr.partOf}>/<{frbr.partOf}>)/"
    f"<{datacite.hasIdentifier}> ?n",
    f"?n <{cito.hasCitingEntity}>|<{cito.hasCitedEntity}> ?a",
)
# What the neighbourhood holds of the articles at the other end of a citation: enough to tell an article from a
# journal, date it, and know its identifiers.
_ENDS = (rdf.type, prism.publicationDate, fabio.hasPubMedId, fabio.hasPubMedCentralId, prism.doi)


@dataclass(slots=True)
class Neighbourhood:
    """Some articles and every statement about what they reach (their identifiers, authors, journal, citations,
    the counts kg keeps of them), plus the type, dates and identifiers of the articles they cite or are cited by
    and those articles' citation links to them: in ``union`` (every named graph kept) and one store per graph."""

    articles: list[URIRef]
    union: OxigraphStore = field(default_factory=lambda: OxigraphStore(None))
    graphs: dict[str, OxigraphStore] = field(default_factory=dict)
    statements: int = 0

    def triples(self) -> rdflib.Graph:
        """Every statement, as one rdflib graph (for a small sample: the reasoner's ABox)."""
        graph = rdflib.Graph()
        for s, p, o in self.union.stream("SELECT ?s ?p ?o WHERE { ?s ?p ?o }"):
            graph.add((s, p, o))
        return graph

    def subjects(self) -> list[URIRef]:
        return sorted(row[0] for row in self.union.stream("SELECT DISTINCT ?s WHERE { ?s ?p ?o }"))


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
    """What ``chosen`` reach, copied from every named graph but those in ``leave_out``."""
    found = Neighbourhood(list(chosen))
    values = "VALUES ?a { " + " ".join(a.n3() for a in chosen) + " }"
    nodes = set(chosen)
    for pattern in _REACH:  # one query each: Oxigraph plans a union of paths badly
        nodes.update(row[0] for row in store.stream(f"SELECT DISTINCT ?n WHERE {{ {values} {pattern} }}"))
    ends = {row[0] for row in store.stream(f"SELECT DISTINCT ?s WHERE {{ {values} ?a <{cito.cites}>|"
                                           f"^<{cito.cites}>|<{frbr.part}>/<{biro.references}> ?s }}")} - nodes

    def into(graph: str) -> list[OxigraphStore]:
        if graph in leave_out:
            return []
        if graph not in found.graphs:
            found.graphs[graph] = OxigraphStore(None)
        return [found.union, found.graphs[graph]]

    found.statements = store.copy_quads(sorted(map(str, nodes)), into)
    for predicate in _ENDS:
        found.statements += store.copy_quads(sorted(map(str, ends)), into, predicate=predicate)
    found.statements += store.copy_quads(list(map(str, chosen)), into, predicate=cito.cites, as_object=True)
    return found
