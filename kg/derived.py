"""Materialised counts beside the sources: each article's citation and reference counts, kept right after every
load so that rankings read one triple per article instead of counting links."""

from __future__ import annotations

from kg.mapping.vocab import cito, kgv
from kg.store.oxigraph import OxigraphStore

FULL_REFRESH_AT = 20_000  # affected articles from which one full recount is cheaper than batched ones
BATCH = 2_000
# (property, the pattern whose distinct ?other count it holds, from the article ?a)
_COUNTS = ((kgv.citationCount, f"?other <{cito.cites}> ?a"), (kgv.referenceCount, f"?a <{cito.cites}> ?other"))


def derived_graph(base: str) -> str:
    return f"{base}graph/derived"


def refresh(store: OxigraphStore, base: str, articles: set[str] | None = None) -> None:
    """Recounts ``articles`` (every article when None, or when so many that one full recount is cheaper)."""
    derived = derived_graph(base)
    if articles is None or len(articles) >= FULL_REFRESH_AT:
        _recount_all(store, derived)
        return
    ordered = sorted(articles)
    for start in range(0, len(ordered), BATCH):
        _recount(store, derived, ordered[start:start + BATCH])


def touched_by(store: OxigraphStore, graph: str) -> set[str]:
    """The articles whose counts a source graph changes: those it states citations from or to."""
    result = store.query(f"SELECT DISTINCT ?a WHERE {{ GRAPH <{graph}> {{ {{ ?x <{cito.cites}> ?a }} UNION "
                         f"{{ ?a <{cito.cites}> ?x }} }} }}", union=False)
    return {str(row[0]) for row in result.rows}


def _recount_all(store: OxigraphStore, derived: str) -> None:
    updates = [f"DROP SILENT GRAPH <{derived}>"]
    for prop, pattern in _COUNTS:
        updates.append(f"INSERT {{ GRAPH <{derived}> {{ ?a <{prop}> ?n }} }} WHERE {{ SELECT ?a "
                       f"(COUNT(DISTINCT ?other) AS ?n) WHERE {{ GRAPH ?g {{ {pattern} }} "
                       f"FILTER(?g != <{derived}>) }} GROUP BY ?a }}")
    store.update(" ;\n".join(updates))


def _recount(store: OxigraphStore, derived: str, articles: list[str]) -> None:
    values = " ".join(f"<{a}>" for a in articles)
    updates = [f"DELETE {{ GRAPH <{derived}> {{ ?a ?p ?n }} }} WHERE {{ VALUES ?a {{ {values} }} "
               f"GRAPH <{derived}> {{ ?a ?p ?n }} }}"]
    for prop, pattern in _COUNTS:
        updates.append(f"INSERT {{ GRAPH <{derived}> {{ ?a <{prop}> ?n }} }} WHERE {{ SELECT ?a "
                       f"(COUNT(DISTINCT ?other) AS ?n) WHERE {{ VALUES ?a {{ {values} }} GRAPH ?g {{ {pattern} }} "
                       f"FILTER(?g != <{derived}>) }} GROUP BY ?a }}")
    store.update(" ;\n".join(updates))
