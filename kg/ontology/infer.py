"""kg infer: what the application profile entails and users query for (super-classes, super-properties such as
cito:cites from CiTO's kinds of citing, inverse properties), written by SPARQL updates into its own named graph,
which ``kg unload inferred`` drops. Nothing a source states is written again there."""

from __future__ import annotations

from kg.consolidate.counts import derived_graph
from kg.graph import META_GRAPH
from kg.mapping.iris import Minter
from kg.ontology import reason, sample
from kg.store.oxigraph import OxigraphStore

CHUNK = 2000  # subjects per update when only a sample is inferred


def inferred_graph(minter: Minter) -> str:
    return minter.source_graph("inferred")


def rules() -> list[tuple[str, str]]:
    """One (WHERE pattern over ?s ?o, the triple it entails) per entailment of the profile: ?s a C gives ?s a A
    for each super-class A; ?s P ?o gives ?s S ?o for each super-property S and ?o Q ?s for P's inverse Q."""
    classes, properties, inverses = reason.hierarchy()
    found = [(f"?s a <{c}>", f"?s a <{a}>") for c, ancestors in classes.items() for a in ancestors]
    found += [(f"?s <{p}> ?o", f"?s <{a}> ?o") for p, ancestors in properties.items() for a in ancestors]
    found += [(f"?s <{p}> ?o", f"?o <{q}> ?s") for p, q in inverses.items()]
    return sorted(set(found))


def infer(store: OxigraphStore, minter: Minter, *, sample_size: int | None = None, seed: int = 0) -> int:
    """Replaces the inferred graph with what the sources entail (for ``sample_size`` articles drawn at random and
    what they reach, or for the whole store); returns how many statements it holds."""
    target = inferred_graph(minter)
    store.remove_graph(target)
    left_out = (target, derived_graph(minter.base), minter.provenance_graph, META_GRAPH)
    outside = " && ".join(f"?g != <{g}>" for g in left_out)
    subjects = [None]
    if sample_size is not None:
        chosen = sample.draw(store, minter, sample_size, seed=seed)
        nodes = sample.neighbourhood(store, chosen, leave_out=set(left_out)).subjects()
        subjects = [nodes[i:i + CHUNK] for i in range(0, len(nodes), CHUNK)] or [[]]
    for pattern, entailed in rules():
        for chunk in subjects:
            values = "" if chunk is None else "VALUES ?s { " + " ".join(n.n3() for n in chunk) + " }"
            store.update(f"INSERT {{ GRAPH <{target}> {{ {entailed} }} }} WHERE {{ {values} GRAPH ?g {{ {pattern} }} "
                         f"FILTER({outside}) FILTER NOT EXISTS {{ GRAPH ?h {{ {entailed} }} FILTER(?h != <{target}>) }} }}")
    store.flush()
    count = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{target}> {{ ?s ?p ?o }} }}", union=False)
    return int(count.rows[0][0])
