"""Dates worked out from every source, kept in the derived graph: each article's preferred publication date, and
each citation's creation date and time span as OpenCitations computes them (the citing article's date, and the
time from the cited article's date to it, at the precision both dates share).

Whatever the sources that date the two articles, a citation carries them as soon as the graph knows both dates,
and loses or changes them when a source that supplied a date is unloaded or replaced: the work follows what a
change touches (the articles it dates and the citations it states), not the size of the store.
"""

from __future__ import annotations


from kg.consolidate import counts
from kg.mapping.iris import Minter
from kg.mapping.terms import Lit, date_literal, timespan
from kg.mapping.vocab import DCTERMS, cito, kgv, prism
from kg.records import PartialDate
from kg.store import Store

# The rule that picks one date among the sources' (as article-metadata shows it): the most precise first, then
# the source ranked first, then the smallest value.
SOURCE_RANKS = {"pubmed-xml": 1, "jats-xml": 2, "medline": 3, "crossref-json": 4, "opencitations-csv": 5, "ris": 6,
                "bibtex": 7, "article-page": 8}
_CHUNK = 2000


def touched_by(store: Store, graph: str) -> tuple[set[str], set[str]]:
    """The articles ``graph`` dates and the citations it states: what its arrival or removal may change."""
    articles = {str(a) for (a,) in store.query(f"SELECT DISTINCT ?a WHERE {{ GRAPH <{graph}> "
                                                 f"{{ ?a <{prism.publicationDate}> ?d }} }}", union=False).rows}
    citations = {str(c) for (c,) in store.query(f"SELECT DISTINCT ?c WHERE {{ GRAPH <{graph}> "
                                                  f"{{ ?c <{cito.hasCitingEntity}> ?a }} }}", union=False).rows}
    return articles, citations


def refresh_all(store: Store, minter: Minter) -> None:
    """Works every preferred date and citation date out again from the sources (a repair after a killed change)."""
    graph = counts.derived_graph(minter.base)
    articles = {str(a) for (a,) in store.query(f"SELECT DISTINCT ?a WHERE {{ {{ ?a <{prism.publicationDate}> ?d }} UNION "
                                               f"{{ GRAPH <{graph}> {{ ?a <{kgv.preferredDate}> ?d }} }} }}").rows}
    citations = {str(c) for (c,) in store.query(f"SELECT DISTINCT ?c WHERE {{ {{ ?c <{cito.hasCitingEntity}> ?a }} UNION "
                                                f"{{ GRAPH <{graph}> {{ ?c <{cito.hasCitationCreationDate}> ?d }} }} }}").rows}
    refresh(store, minter, articles, citations)


def arrived(store: Store, minter: Minter, graph: str, *, shared: set[str] | None) -> None:
    """Brings the dates up to date after ``graph`` was written. With ``shared`` (the nodes of ``graph`` that other
    sources hold, kg.consolidate.counts.shared_nodes) known, the dates of every other article and citation come
    from ``graph`` alone, in one pass over it in bounded memory (a date per article it dates), through the bulk
    loader (a killed load leaves its source incomplete, and loading it again works every date out again); those
    of shared nodes are worked out from every source. Else the work follows what ``graph`` touches."""
    if shared is None:
        articles, citations = touched_by(store, graph)
        refresh(store, minter, articles, citations, stated_in=graph)
        return
    derived = counts.derived_graph(minter.base)
    best: dict[str, tuple] = {}
    for a, v in store.stream(f"SELECT ?a ?v WHERE {{ GRAPH <{graph}> {{ ?a <{prism.publicationDate}> ?v }} }}",
                             union=False):
        key = _rank(str(v), None)
        if str(a) not in best or key < best[str(a)]:
            best[str(a)] = key
    dated = {a: key[2] for a, key in best.items() if a not in shared}
    changed = _preferred(store, minter, {a for a in best if a in shared})
    del best
    _write(store, derived, ((a, kgv.preferredDate, _date(d)) for a, d in dated.items()))
    for chunk in _chunks({n for n in shared if minter.is_article(n)}):
        dated.update(_dates_of(store, derived, chunk))
    later: set[str] = set()

    def fresh(citations: Iterable[str]) -> Iterable[tuple]:
        for c in citations:
            if c in shared:
                later.add(c)
            else:
                yield from _dated(minter, c, dated)

    _write(store, derived, fresh(str(c) for (c,) in store.stream(
        f"SELECT ?c WHERE {{ GRAPH <{graph}> {{ ?c <{cito.hasCitingEntity}> ?a }} }}", union=False)))
    _citation_dates(store, minter, later | _citations_of(store, changed, but=graph), stated=later)


def refresh(store: Store, minter: Minter, articles: set[str], citations: set[str], *,
            stated_in: str | None = None) -> None:
    """Brings the preferred dates of ``articles`` up to date from the sources, then the creation date and time
    span of ``citations`` and of every citation to or from an article whose date changed. ``stated_in``: the
    graph whose citations ``citations`` holds (known to be stated)."""
    changed = _preferred(store, minter, articles)
    stated = citations if stated_in else set()
    if changed:
        citations = citations | _citations_of(store, changed, but=stated_in)
    _citation_dates(store, minter, citations, stated=stated)


def _rank(text: str, fmt: object) -> tuple:
    """How a source's date ranks (smallest first): the most precise, then the source ranked first, then the
    smallest value."""
    return -len(text), SOURCE_RANKS.get(str(fmt) if fmt is not None else "", 9), text


def _preferred(store: Store, minter: Minter, articles: set[str]) -> set[str]:
    """Stores each article's preferred date (none when no source dates it); returns those whose date changed."""
    graph, prov = counts.derived_graph(minter.base), minter.provenance_graph
    changed = set()
    for chunk in _chunks(articles):
        values = "VALUES ?a { " + " ".join(f"<{a}>" for a in chunk) + " }"
        best: dict[str, tuple] = {}
        for a, v, fmt in store.query(f"SELECT ?a ?v ?f WHERE {{ {values} GRAPH ?g {{ ?a <{prism.publicationDate}> ?v }} "
                                     f"FILTER(?g != <{graph}>) OPTIONAL {{ GRAPH <{prov}> {{ ?g <{DCTERMS.format}> ?f }} }} }}",
                                     union=False).rows:
            key = _rank(str(v), fmt)
            if str(a) not in best or key < best[str(a)]:
                best[str(a)] = key
        new = {(a, key[2]) for a, key in best.items()}
        old = set(_dates_of(store, graph, chunk).items())
        if new != old:
            _replace(store, graph, [(a, kgv.preferredDate, _date(d)) for a, d in old - new],
                     [(a, kgv.preferredDate, _date(d)) for a, d in new - old])
            changed |= {a for a, _ in new ^ old}
    return changed


def _dates_of(store: Store, graph: str, articles: list[str]) -> dict[str, str]:
    """The preferred dates the derived graph holds for ``articles`` (at most a chunk of them)."""
    values = "VALUES ?a { " + " ".join(f"<{a}>" for a in articles) + " }"
    return {str(a): str(d) for a, d in store.query(f"SELECT ?a ?d WHERE {{ {values} GRAPH <{graph}> "
                                                   f"{{ ?a <{kgv.preferredDate}> ?d }} }}", union=False).rows}


def _citations_of(store: Store, articles: set[str], *, but: str | None = None) -> set[str]:
    """The citations to or from ``articles`` that the sources state (those of graph ``but`` left out)."""
    found = set()
    other = f"FILTER(?g != <{but}>)" if but else ""
    for chunk in _chunks(articles):
        values = "VALUES ?x { " + " ".join(f"<{a}>" for a in chunk) + " }"
        found |= {str(c) for (c,) in store.query(
            f"SELECT DISTINCT ?c WHERE {{ {values} GRAPH ?g {{ {{ ?c <{cito.hasCitingEntity}> ?x }} UNION "
            f"{{ ?c <{cito.hasCitedEntity}> ?x }} }} {other} }}", union=False).rows}
    return found


def _citation_dates(store: Store, minter: Minter, citations: set[str], *, stated: set[str]) -> None:
    """Stores the creation date and time span of each citation whose two articles are dated; removes them from
    the others (and from citations no source states any more). ``stated``: citations known to be stated. A
    citation's IRI names its two articles; every look-up binds one term per row (two VALUES blocks in one query
    make Oxigraph scan the whole graph)."""
    graph = counts.derived_graph(minter.base)
    for chunk in _chunks(citations):
        unsure = [c for c in chunk if c not in stated]
        live = [c for c in chunk if c in stated]
        if unsure:
            values = "VALUES ?c { " + " ".join(f"<{c}>" for c in unsure) + " }"
            live += [str(c) for (c,) in store.query(f"SELECT DISTINCT ?c WHERE {{ {values} "
                                                    f"?c <{cito.hasCitingEntity}> ?a }}").rows]
        ends = {x for c in live for x in minter.citation_ends(c)}
        dated: dict[str, str] = {}
        for part in _chunks(ends):
            dated.update(_dates_of(store, graph, part))
        new = {t for c in live for t in _dated(minter, c, dated)}
        pairs = " ".join(f"(<{c}> <{p}>)" for c in chunk for p in (cito.hasCitationCreationDate,
                                                                     cito.hasCitationTimeSpan))
        old = {(str(c), p, Lit(str(o), str(o.datatype))) for c, p, o in store.query(
            f"SELECT ?c ?p ?o WHERE {{ VALUES (?c ?p) {{ {pairs} }} GRAPH <{graph}> {{ ?c ?p ?o }} }}",
            union=False).rows}
        if new != old:
            _replace(store, graph, list(old - new), list(new - old))


def _dated(minter: Minter, citation: str, dated: dict[str, str]) -> list[tuple]:
    """The creation date and time span of ``citation`` when both its articles are in ``dated``; else nothing."""
    citing, cited = minter.citation_ends(citation)
    if citing not in dated or cited not in dated:
        return []
    return [(citation, cito.hasCitationCreationDate, _date(dated[citing])),
            (citation, cito.hasCitationTimeSpan, timespan(_partial(dated[cited]), _partial(dated[citing])))]


def _write(store: Store, graph: str, triples: Iterable[tuple]) -> None:
    """Adds triples to ``graph`` through the store's bulk loader: not transactional, which only the first source's
    load uses (that source stays marked incomplete until its load ends, and loading it again works every date out
    again from scratch)."""
    batch = []
    with store.bulk_writer() as write:
        for triple in triples:
            batch.append(triple)
            if len(batch) >= 20_000:
                write(batch, graph)
                batch = []
        if batch:
            write(batch, graph)


def _replace(store: Store, graph: str, remove: list, add: list) -> None:
    store.replace([(s, p, o, graph) for s, p, o in remove], [(s, p, o, graph) for s, p, o in add])


def _partial(text: str) -> PartialDate:
    parts = [int(p) for p in text.split("-")]
    return PartialDate(*parts)


def _date(text: str) -> Lit:
    return date_literal(_partial(text))


def _chunks(items: set[str]) -> list[list[str]]:
    ordered = sorted(items)
    return [ordered[i:i + _CHUNK] for i in range(0, len(ordered), _CHUNK)]
