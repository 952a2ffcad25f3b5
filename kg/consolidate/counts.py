"""Materialised counts beside the sources, kept right after every load: each article's citation and reference
counts (rankings read one triple per article instead of counting links) and the dataset's statistics (what
dataset-summary shows), maintained by what each source alone contributes."""

from __future__ import annotations

from urllib.parse import quote

from kg import faults
from kg.mapping.iris import Minter
from kg.mapping.vocab import DATACITE, c4o, cito, datacite, dcterms, fabio, kgv, prism, pro
from kg.store import Quad, Store

# (property, the pattern whose distinct ?other count it holds, from the article ?a)
_COUNTS = ((kgv.citationCount, f"?other <{cito.cites}> ?a"), (kgv.referenceCount, f"?a <{cito.cites}> ?other"))


def derived_graph(base: str) -> str:
    return f"{base}graph/derived"


def recount(store: Store, base: str) -> None:
    """Recounts every article's counts from scratch (a repair; loads keep them right by ``count_in``,
    ``count_out`` and ``replace``)."""
    _recount_all(store, derived_graph(base))


def replace(store: Store, minter: Minter, remove: set[Quad], add: set[Quad], touched: set[str]) -> None:
    """Removes and adds quads in the sources' graphs (a merge, a withdrawn record) and keeps the counts and
    statistics right: ``touched`` holds every node the change concerns, as it was and as it becomes. The
    citation figures change by the citations (citing-cited pairs) the removed and added quads state that exist
    in some graph before and not after, or after and not before: work in proportion to the change, not to the
    citations of the articles it touches."""
    old, new = sorted(remove - add, key=repr), sorted(add - remove, key=repr)
    pairs = {(q[0], q[2]) for q in (*old, *new) if q[1] == str(cito.cites)}
    before, cited_before = local_statistics(store, touched), _stated(store, minter.base, pairs)
    for start in range(0, max(len(old), len(new)), 20_000):
        store.replace(old[start:start + 20_000], new[start:start + 20_000])
    faults.point("replace:quads")  # the quads renamed or withdrawn, their figures not yet
    after, cited_after = local_statistics(store, touched), _stated(store, minter.base, pairs)
    delta = {m: after.get(m, 0) - before.get(m, 0) for m in set(before) | set(after)}
    delta["citations"] = len(cited_after) - len(cited_before)
    changes: dict[tuple[str, str], int] = {}
    for (citing, cited), sign in [(p, -1) for p in cited_before - cited_after] + [(p, 1) for p in cited_after - cited_before]:
        changes[(str(kgv.citationCount), cited)] = changes.get((str(kgv.citationCount), cited), 0) + sign
        changes[(str(kgv.referenceCount), citing)] = changes.get((str(kgv.referenceCount), citing), 0) + sign
    updates = [_statistics(store, minter.base, delta), _change_counts(minter.base, changes)]
    if update := " ;\n".join(u for u in updates if u):
        store.update(update)
    from kg.consolidate import dates  # dates keeps its figures in this module's graph: imported when used
    articles = {n for n in touched if minter.is_article(n)}
    dates.refresh(store, minter, articles, {n for n in touched if n.startswith(minter.base + "ci/")})


def _stated(store: Store, base: str, pairs: set[tuple[str, object]]) -> set[tuple[str, str]]:
    """The citing-cited pairs of ``pairs`` that some source's graph states."""
    derived, found = derived_graph(base), set()
    for chunk in _chunks(sorted(pairs, key=repr)):
        values = "VALUES (?s ?o) { " + " ".join(f"(<{s}> <{o}>)" for s, o in chunk) + " }"
        found |= {(str(s), str(o)) for s, o in store.query(
            f"SELECT DISTINCT ?s ?o WHERE {{ {values} GRAPH ?g {{ ?s <{cito.cites}> ?o }} FILTER(?g != <{derived}>) }}",
            union=False).rows}
    return found


def _change_counts(base: str, changes: dict[tuple[str, str], int]) -> str:
    """The update that adds each change to an article's citation or reference count ("" when none)."""
    derived = derived_graph(base)
    updates = []
    for prop in (str(kgv.citationCount), str(kgv.referenceCount)):
        rows = [(a, n) for (p, a), n in sorted(changes.items()) if p == prop and n]
        for chunk in _chunks(rows):
            values = "VALUES (?a ?delta) { " + " ".join(f"(<{a}> {n})" for a, n in chunk) + " }"
            updates.append(f"DELETE {{ GRAPH <{derived}> {{ ?a <{prop}> ?old }} }} "
                           f"INSERT {{ GRAPH <{derived}> {{ ?a <{prop}> ?new }} }} WHERE {{ {values} "
                           f"OPTIONAL {{ GRAPH <{derived}> {{ ?a <{prop}> ?old }} }} "
                           f"BIND(COALESCE(?old, 0) + ?delta AS ?sum) BIND(IF(?sum > 0, ?sum, ?none) AS ?new) }}")
    return " ;\n".join(updates)


def _chunks(items: list[str], size: int = 2000) -> list[list[str]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def shared_nodes(store: Store, base: str, graph: str, others: list[str]) -> set[str]:
    """The nodes of ``graph`` (subjects, and IRIs as objects, minted under ``base``) that one of ``others`` also
    holds: the only ones whose figures another source may count already. Found from the side of ``others``, so
    the work follows their size: what a big source entering a small store calls for."""
    found: set[str] = set()
    for other in others:
        nodes = {str(n) for (n,) in store.stream(
            f"SELECT DISTINCT ?n WHERE {{ GRAPH <{other}> {{ {{ ?n ?p ?o }} UNION {{ ?s ?p ?n }} }} "
            f"FILTER(isIRI(?n) && STRSTARTS(STR(?n), \"{base}\")) }}", union=False)}
        for chunk in _chunks(sorted(nodes - found)):
            values = "VALUES ?n { " + " ".join(f"<{n}>" for n in chunk) + " }"
            found |= {str(n) for (n,) in store.query(
                f"SELECT ?n WHERE {{ {values} FILTER(EXISTS {{ GRAPH <{graph}> {{ ?n ?p ?o }} }} || "
                f"EXISTS {{ GRAPH <{graph}> {{ ?s ?p ?n }} }}) }}", union=False).rows}
    return found


def count_in(store: Store, base: str, graph: str, *, shared: set[str] | None = None) -> None:
    """Adds what ``graph`` (just written) alone contributes to the counts and statistics, and marks it counted,
    in one transaction: a load killed before this leaves nothing counted, and ``count_out`` then subtracts
    nothing. ``shared``: the nodes of ``graph`` other sources hold (``shared_nodes``), when known; the look-ups
    in the other graphs are then made for those alone (none when no other source is loaded)."""
    delta = contribution(store, graph, shared=shared)
    updates = [_adjust(base, graph, +1, shared), _statistics(store, base, delta),
               f"INSERT DATA {{ GRAPH <{derived_graph(base)}> {{ <{graph}> <{kgv.counted}> true }} }}"]
    store.update(" ;\n".join(u for u in updates if u))


def count_out(store: Store, base: str, graph: str, *, shared: set[str] | None = None) -> None:
    """Takes what ``graph`` alone contributed out of the counts and statistics before it is removed, in one
    transaction; nothing when it was never counted (its load was killed). ``shared`` as for ``count_in``."""
    derived = derived_graph(base)
    if not store.query(f"ASK {{ GRAPH <{derived}> {{ <{graph}> <{kgv.counted}> true }} }}", union=False).boolean:
        return
    delta = {m: -n for m, n in contribution(store, graph, shared=shared).items()}
    updates = [_adjust(base, graph, -1, shared), _statistics(store, base, delta),
               f"DELETE DATA {{ GRAPH <{derived}> {{ <{graph}> <{kgv.counted}> true }} }}"]
    store.update(" ;\n".join(u for u in updates if u))


def _adjust(base: str, graph: str, sign: int, shared: set[str] | None) -> str:
    """The update that adds (sign +1) or subtracts (sign -1) what ``graph`` alone contributes to each article's
    counts: the citations it states that no other graph states. Work in proportion to the graph, not to the
    store; the same bookkeeping as the statistics. With ``shared`` known, every citation of ``graph`` counts,
    and then those another graph states too (both ends are then shared nodes) are taken back."""
    derived = derived_graph(base)
    updates = []

    def step(prop: str, pattern: str, where: str, sign: int) -> str:
        return (f"DELETE {{ GRAPH <{derived}> {{ ?a <{prop}> ?old }} }} "
                f"INSERT {{ GRAPH <{derived}> {{ ?a <{prop}> ?new }} }} WHERE {{ "
                f"{{ SELECT ?a (COUNT(*) AS ?delta) WHERE {{ {where} }} GROUP BY ?a }} "
                f"OPTIONAL {{ GRAPH <{derived}> {{ ?a <{prop}> ?old }} }} "
                f"BIND(COALESCE(?old, 0) + {sign} * ?delta AS ?sum) BIND(IF(?sum > 0, ?sum, ?none) AS ?new) }}")

    for prop, pattern in _COUNTS:
        elsewhere = (f"FILTER EXISTS {{ GRAPH ?g2 {{ {pattern} }} FILTER(?g2 != <{graph}> && ?g2 != <{derived}>) }}")
        if shared is None:
            updates.append(step(prop, pattern, f"GRAPH <{graph}> {{ {pattern} }} "
                                               f"{elsewhere.replace('FILTER EXISTS', 'FILTER NOT EXISTS')}", sign))
            continue
        updates.append(step(prop, pattern, f"GRAPH <{graph}> {{ {pattern} }}", sign))
        for chunk in _chunks(sorted(shared)):
            values = "VALUES ?a { " + " ".join(f"<{a}>" for a in chunk) + " }"
            updates.append(step(prop, pattern, f"{values} GRAPH <{graph}> {{ {pattern} }} {elsewhere}", -sign))
    return " ;\n".join(updates)


def _recount_all(store: Store, derived: str) -> None:
    updates = [f"DELETE WHERE {{ GRAPH <{derived}> {{ ?a <{prop}> ?n }} }}" for prop, _ in _COUNTS]
    for prop, pattern in _COUNTS:
        updates.append(f"INSERT {{ GRAPH <{derived}> {{ ?a <{prop}> ?n }} }} WHERE {{ SELECT ?a "
                       f"(COUNT(DISTINCT ?other) AS ?n) WHERE {{ GRAPH ?g {{ {pattern} }} "
                       f"FILTER(?g != <{derived}>) }} GROUP BY ?a }}")
    store.update(" ;\n".join(updates))


# Statistics: (metric, or an expression naming it; the pattern matched in one graph; the same membership in
# another graph, for "is it there already?"; what is counted). A thing counts once however many sources state it.
_YEAR = "SUBSTR(STR(?d), 1, 4)"
_ID = f"<{fabio.hasPubMedId}>|<{fabio.hasPubMedCentralId}>|<{prism.doi}>"  # an article, not a journal
_STATS = (
    ('"articles"', f"?k <{dcterms.title}> ?x ; {_ID} ?i", f"?k <{dcterms.title}> ?x2 ; {_ID} ?i2", "DISTINCT ?k"),
    ('"identified_articles"', f"?k {_ID} ?x", f"?k {_ID} ?x2", "DISTINCT ?k"),
    ('"authors"', f"?r <{pro.isHeldBy}> ?k", f"?r2 <{pro.isHeldBy}> ?k", "DISTINCT ?k"),
    ('"journals"', f"?k a <{fabio.Journal}>", f"?k a <{fabio.Journal}>", "DISTINCT ?k"),
    ('"citations"', f"?k <{cito.cites}> ?k2", f"?k <{cito.cites}> ?k2", "*"),
    ('"declared_citation_counts"', f"?k a <{c4o.GlobalCitationCount}>", f"?k a <{c4o.GlobalCitationCount}>",
     "DISTINCT ?k"),
    (f'CONCAT("identifiers:", STRAFTER(STR(?s), "{DATACITE._NS}"))',
     f"?k <{datacite.usesIdentifierScheme}> ?s", f"?k <{datacite.usesIdentifierScheme}> ?s", "DISTINCT ?k"),
    (f'CONCAT("articles_in:", {_YEAR})', f"?k <{dcterms.title}> ?x ; {_ID} ?i ; <{prism.publicationDate}> ?d",
     f"?k <{dcterms.title}> ?x2 ; {_ID} ?i2 ; <{prism.publicationDate}> ?d2 FILTER(SUBSTR(STR(?d2), 1, 4) = {_YEAR})",
     "DISTINCT ?k"),
)


def contribution(store: Store, graph: str, *, shared: set[str] | None = None) -> dict[str, int]:
    """What ``graph`` alone adds to each statistic: the things it states that no other graph states. Everything
    another graph states too involves a node of ``shared`` (as ``?k``), when that is known: then the things of
    ``graph`` are counted whole, and those of shared nodes counted again with the look-up elsewhere."""
    counts: dict[str, int] = {}

    def add(metric: str, where: str, counted: str, sign: int) -> None:
        for m, n in store.query(f"SELECT ?metric (COUNT({counted}) AS ?n) WHERE {{ {where} BIND({metric} AS ?metric) }} "
                                f"GROUP BY ?metric", union=False).rows:
            if m is not None:
                counts[str(m)] = counts.get(str(m), 0) + sign * int(n)

    for metric, pattern, elsewhere, counted in _STATS:
        unique = f"FILTER NOT EXISTS {{ GRAPH ?other {{ {elsewhere} }} FILTER(?other != <{graph}>) }}"
        if shared is None:
            add(metric, f"GRAPH <{graph}> {{ {pattern} }} {unique}", counted, +1)
            continue
        add(metric, f"GRAPH <{graph}> {{ {pattern} }}", counted, +1)
        for chunk in _chunks(sorted(shared)):
            values = "VALUES ?k { " + " ".join(f"<{k}>" for k in chunk) + " }"
            add(metric, f"{values} GRAPH <{graph}> {{ {pattern} }}", counted, -1)
            add(metric, f"{values} GRAPH <{graph}> {{ {pattern} }} {unique}", counted, +1)
    return {m: n for m, n in counts.items() if n}


def local_statistics(store: Store, nodes: set[str]) -> dict[str, int]:
    """The statistics that ``nodes`` take part in (articles, authors, journals and declared counts among them;
    citations are counted by ``replace`` from its pairs), counted over every source: taken before and after a
    merge renames the nodes, the difference is what the merge changed."""
    counts: dict[str, int] = {}
    for chunk in _chunks(sorted(nodes)):
        values = "VALUES ?k { " + " ".join(f"<{n}>" for n in chunk) + " }"
        for metric, pattern, _, counted in _STATS:
            if counted == "*":
                continue  # citations: replace counts them from the pairs it changes
            for m, n in store.query(f"SELECT ?metric (COUNT({counted}) AS ?n) WHERE {{ {values} {pattern} "
                                    f"BIND({metric} AS ?metric) }} GROUP BY ?metric").rows:
                if m is not None:
                    counts[str(m)] = counts.get(str(m), 0) + int(n)
    return counts


def add_statistics(store: Store, base: str, delta: dict[str, int]) -> None:
    """Adds ``delta`` to the stored statistics (one transaction)."""
    if update := _statistics(store, base, delta):
        store.update(update)


def _statistics(store: Store, base: str, delta: dict[str, int]) -> str:
    """The update that adds ``delta`` to the stored statistics ("" when nothing changes)."""
    if not any(delta.values()):
        return ""
    derived = derived_graph(base)
    current = {str(m): int(n) for m, n in store.query(
        f"SELECT ?m ?n WHERE {{ GRAPH <{derived}> {{ ?s <{kgv.metric}> ?m ; <{kgv.count}> ?n }} }}", union=False).rows}
    for metric, change in delta.items():
        current[metric] = current.get(metric, 0) + change
    inserts = " ".join(f'<{base}stat/{quote(m, safe="")}> <{kgv.metric}> "{m}" ; <{kgv.count}> {n} .'
                       for m, n in sorted(current.items()) if n)
    return (f"DELETE {{ GRAPH <{derived}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{derived}> "
            f"{{ ?s <{kgv.metric}> ?m ; ?p ?o }} }}" + _insert_data(derived, inserts))


def _insert_data(graph: str, triples: str) -> str:
    """`` ; INSERT DATA`` of ``triples`` into ``graph``, or nothing when there are none (Virtuoso refuses an empty
    GRAPH block)."""
    return f" ; INSERT DATA {{ GRAPH <{graph}> {{ {triples} }} }}" if triples.strip() else ""


def repair(store: Store, minter: Minter) -> None:
    """Counts every materialised count and statistic, and works every date out, again from scratch, over every
    source. What a killed change (an unload, a rename between its quads and its figures) may have left half
    applied; slow on a big graph, and only the rerun of an interrupted command needs it."""
    derived = derived_graph(minter.base)
    bookkeeping = f"FILTER(?g != <{derived}> && ?g != <{minter.provenance_graph}>)"
    _recount_all(store, derived)
    totals: dict[str, int] = {}
    for metric, pattern, _, counted in _STATS:
        if counted == "*":  # the citations: distinct pairs, however many sources state them
            rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?k ?k2 WHERE {{ GRAPH ?g {{ {pattern} }} "
                               f"{bookkeeping} }} }}", union=False).rows
            totals["citations"] = int(rows[0][0])
            continue
        for m, n in store.query(f"SELECT ?metric (COUNT({counted}) AS ?n) WHERE {{ GRAPH ?g {{ {pattern} }} {bookkeeping} "
                                f"BIND({metric} AS ?metric) }} GROUP BY ?metric", union=False).rows:
            if m is not None:
                totals[str(m)] = int(n)
    inserts = " ".join(f'<{minter.base}stat/{quote(m, safe="")}> <{kgv.metric}> "{m}" ; <{kgv.count}> {n} .'
                       for m, n in sorted(totals.items()) if n)
    store.update(f"DELETE {{ GRAPH <{derived}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{derived}> "
                 f"{{ ?s <{kgv.metric}> ?m ; ?p ?o }} }}" + _insert_data(derived, inserts))
    from kg.consolidate import dates  # dates keeps its figures in this module's graph: imported when used
    dates.refresh_all(store, minter)
