"""One node per real thing: settles which nodes the sources' identifiers make one article, and regroups journals.

Each source is mapped on its own: a record's article is named by the record's own best identifier (PMID, else
PMCID, else DOI), its journal by the record's own best key (ISSN, NLM id, abbreviation, title). After a source is
loaded or unloaded, the identifiers it shares with other nodes (found through the store's index of identifier
literals) seed a search for everything they reach: every node holding them, in every source's graph, and every
identifier those nodes hold, in batches (a query per batch, never per record). Each source's statements of a node
are claims (the identifiers one record gives one article, held together in that source by ``kg:coIdentifies``);
kg.consolidate.claims groups them, and each node is renamed, with every node minted from it (roles, agents,
references, citations, manifestations), to the IRI of its group's best identifier, source by source. A source
whose one node now stands for two articles is loaded again from its file, which parts its statements. Journals
are regrouped the same way over the whole store (they are few). The result does not depend on the order the
sources came in.

Identifiers that kg does not take as a bridge, because they would join records with different PMIDs or PMCIDs,
are marked in the derived graph (``article kg:conflictingIdentifier id``) for ``identifier-problems``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote

from kg.consolidate import counts
from kg.consolidate.claims import Claim, resolve
from kg.mapping.iris import Minter, best_journal_key, slug
from kg.mapping.mapper import SHORTCUTS
from kg.mapping.vocab import biro, cito, datacite, dcterms, fabio, kgv
from kg.records import Identifier, Scheme
from kg.store import nquads
from kg.store import Quad, Store

_SHORTCUTS = {str(predicate): scheme for scheme, predicate in SHORTCUTS.items()}
_PREDICATE = {scheme: str(predicate) for scheme, predicate in SHORTCUTS.items()}
_VALUES_P = "VALUES ?p { " + " ".join(f"<{p}>" for p in _SHORTCUTS) + " }"
BATCH = 1000  # values per VALUES block


class _Groups:
    """Union-find over hashable items."""

    def __init__(self) -> None:
        self.parent: dict[object, object] = {}

    def find(self, item: object) -> object:
        parent = self.parent.setdefault(item, item)
        if parent != item:
            parent = self.parent[item] = self.find(parent)
        return parent

    def join(self, a: object, b: object) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb, key=repr)] = min(ra, rb, key=repr)

    def groups(self) -> list[set]:
        found: dict[object, set] = {}
        for item in self.parent:
            found.setdefault(self.find(item), set()).add(item)
        return list(found.values())


def _batches(items: Iterable, size: int = BATCH) -> Iterable[list]:
    items = sorted(items, key=repr)
    for start in range(0, len(items), size):
        yield items[start:start + size]


@dataclass(slots=True)
class Settled:
    """What settling did: how many nodes were renamed, and the sources to load again from their files."""

    renamed: int = 0
    reload: set[str] = field(default_factory=set)


@dataclass(slots=True)
class _Component:
    """Everything some seed identifiers reach: each (graph, node)'s identifiers, and each graph's links."""

    held: dict[tuple[str, str], set[Identifier]] = field(default_factory=dict)
    links: dict[str, dict[Identifier, set[Identifier]]] = field(default_factory=dict)

    def link(self, graph: str, x: Identifier, y: Identifier) -> None:
        linked = self.links.setdefault(graph, {})
        linked.setdefault(x, set()).add(y)
        linked.setdefault(y, set()).add(x)

    def claims(self, graph: str, node: str) -> list[Claim]:
        """The node's identifiers in ``graph``, in groups that graph links (one group per record or mention)."""
        idents, linked = self.held[(graph, node)], self.links.get(graph, {})
        groups = _Groups()
        for ident in idents:
            groups.find(ident)
            for other in linked.get(ident, ()):
                if other in idents:
                    groups.join(ident, other)
        return [frozenset(g) for g in groups.groups()]


class Identity:
    """Merges and splits nodes in one store."""

    def __init__(self, store: Store, minter: Minter) -> None:
        self.store, self.m = store, minter
        self._bookkeeping = {minter.provenance_graph, counts.derived_graph(minter.base)}

    # -- which identifiers a source touches --------------------------------------------------------------------
    def seeds(self, graph: str) -> set[Identifier]:
        """The identifiers ``graph`` (just loaded) states that another node also holds: where it may join or
        conflict with what is there."""
        rows = self.store.query(f"SELECT DISTINCT ?p ?v WHERE {{ GRAPH <{graph}> {{ ?a ?p ?v }} {_VALUES_P} "
                                f"?b ?p ?v FILTER(?a != ?b) }}").rows
        return {Identifier(_SHORTCUTS[str(p)], str(v)) for p, v in rows}

    def held_together_by(self, graph: str) -> set[Identifier]:
        """The identifiers whose grouping may change when ``graph`` goes (call before removing it): those it links
        that other sources hold too, and those it holds in conflict."""
        linked = self.linked_by(graph)
        found: set[Identifier] = set()
        for batch in _batches(linked):
            pairs = " ".join(f"(<{_PREDICATE[i.scheme]}> {nquads.literal(i.value)})" for i in batch)
            found |= {Identifier(_SHORTCUTS[str(p)], str(v)) for p, v in self.store.query(
                f"SELECT DISTINCT ?p ?v WHERE {{ VALUES (?p ?v) {{ {pairs} }} GRAPH ?g {{ ?n ?p ?v }} "
                f"FILTER(?g != <{graph}>) }}", union=False).rows}
        derived_graph = counts.derived_graph(self.m.base)
        conflicting = self.store.query(f"SELECT DISTINCT ?i WHERE {{ GRAPH <{derived_graph}> {{ ?a "
                                       f"<{kgv.conflictingIdentifier}> ?i }} GRAPH <{graph}> {{ ?b "
                                       f"<{datacite.hasIdentifier}> ?i }} }}", union=False).rows
        return found | {i for (iri,) in conflicting if (i := self._identifier(str(iri))) is not None}

    def linked_by(self, graph: str) -> set[Identifier]:
        """The identifiers that ``graph`` says name one article."""
        rows = self.store.query(f"SELECT ?x ?y WHERE {{ GRAPH <{graph}> {{ ?x <{kgv.coIdentifies}> ?y }} }}",
                                union=False).rows
        return {ident for row in rows for n in row if (ident := self._identifier(str(n))) is not None}

    # -- settling ------------------------------------------------------------------------------------------------
    def settle(self, seeds: set[Identifier], *, loaded: str | None = None, reload: bool = True) -> Settled:
        """Gives every node that ``seeds`` reach the IRI of its article, source by source, marks the conflicts,
        and regroups the journals. ``loaded`` is the source just loaded: a source that an identifier newly in
        conflict may have tied to another record is loaded again (unless ``reload`` is False, as when settling
        after such a reload)."""
        settled = Settled()
        if seeds:
            component = self._component(seeds)
            claims = {key: component.claims(*key) for key in component.held}
            resolution = resolve(c for cs in claims.values() for c in cs)
            plan: dict[str, dict[str, str]] = {}
            for (graph, node), node_claims in claims.items():
                targets = {self.m.article((resolution.article[c],)) for c in node_claims}
                if len(targets) > 1:
                    settled.reload.add(graph)
                elif (target := targets.pop()) != node:
                    plan.setdefault(graph, {})[node] = target
            if reload and loaded is not None:
                settled.reload |= self._tied(claims, resolution.conflicts, loaded)
            settled.renamed = self.rename(plan, {})
            self._mark_conflicts(component, claims, resolution)
        settled.renamed += self.regroup_journals()
        return settled

    def _tied(self, claims: dict[tuple[str, str], list[Claim]], conflicts: set[Identifier], loaded: str) -> set[str]:
        """The sources, other than ``loaded``, where an identifier that ``loaded`` put in conflict stands in a
        record with others: a mention of that identifier alone in the same source was merged into that record
        while the identifier was no conflict, and only loading the source again parts them."""
        before = resolve(c for (g, _), cs in claims.items() if g != loaded for c in cs).conflicts
        new = conflicts - before
        return {g for (g, _), cs in claims.items() if g != loaded for c in cs if len(c) > 1 and c & new}

    def _component(self, seeds: set[Identifier]) -> _Component:
        """Every (graph, node) holding a seed, every identifier those nodes hold in any graph, and on, to the end."""
        component = _Component()
        values, nodes = set(seeds), set()
        seen_values: set[Identifier] = set()
        seen_nodes: set[str] = set()
        while values:
            for batch in _batches(values):
                pairs = " ".join(f"(<{_PREDICATE[i.scheme]}> {nquads.literal(i.value)})" for i in batch)
                nodes |= self._holdings(component, f"VALUES (?p ?v) {{ {pairs} }}")
            seen_values |= values
            nodes -= seen_nodes
            for batch in _batches(nodes):
                # (node, predicate) pairs in one VALUES: two VALUES blocks make Oxigraph 0.5 scan every
                # identifier triple (12 s against 0.05 s for 1,000 nodes in a 100,000-article store)
                pairs = " ".join(f"(<{n}> <{p}>)" for n in batch for p in _SHORTCUTS)
                self._holdings(component, f"VALUES (?n ?p) {{ {pairs} }}")
            seen_nodes |= nodes
            values = {i for idents in component.held.values() for i in idents} - seen_values
            nodes = set()
        iris = {self.m.identifier(i): i for idents in component.held.values() for i in idents}
        for batch in _batches(iris):
            values_x = "VALUES ?x { " + " ".join(f"<{i}>" for i in batch) + " }"
            for g, x, y in self.store.query(f"SELECT ?g ?x ?y WHERE {{ {values_x} GRAPH ?g {{ ?x <{kgv.coIdentifies}> "
                                            f"?y }} }}", union=False).rows:
                if str(y) in iris:
                    component.link(str(g), iris[str(x)], iris[str(y)])
        return component

    def _holdings(self, component: _Component, values: str) -> set[str]:
        """Adds the (graph, node, identifier) rows a VALUES block selects; returns the nodes."""
        found = set()
        for g, n, p, v in self.store.query(f"SELECT ?g ?n ?p ?v WHERE {{ {values} GRAPH ?g {{ ?n ?p ?v }} }}",
                                           union=False).rows:
            if str(g) in self._bookkeeping or not self.m.is_article(str(n)):
                continue
            component.held.setdefault((str(g), str(n)), set()).add(Identifier(_SHORTCUTS[str(p)], str(v)))
            found.add(str(n))
        return found

    def _mark_conflicts(self, component: _Component, claims: dict[tuple[str, str], list[Claim]], resolution) -> None:
        """Replaces the conflict marks of the component's identifiers with the ones that hold now."""
        derived_graph = counts.derived_graph(self.m.base)
        idents = {i for idents in component.held.values() for i in idents}
        marks = {(self.m.article((resolution.article[c],)), self.m.identifier(i))
                 for cs in claims.values() for c in cs for i in c & resolution.conflicts}
        for batch in _batches(idents):
            values = "VALUES ?i { " + " ".join(f"<{self.m.identifier(i)}>" for i in batch) + " }"
            self.store.update(f"DELETE {{ GRAPH <{derived_graph}> {{ ?a <{kgv.conflictingIdentifier}> ?i }} }} "
                              f"WHERE {{ {values} GRAPH <{derived_graph}> {{ ?a <{kgv.conflictingIdentifier}> ?i }} }}")
        if marks:
            self.store.add([(a, str(kgv.conflictingIdentifier), i) for a, i in sorted(marks)], derived_graph)

    def _identifier(self, iri: str) -> Identifier | None:
        """The article identifier an identifier IRI names (``id/doi/10.1%2Fx``), or None for another scheme."""
        scheme, _, value = iri[len(self.m.base) + 3:].partition("/")
        if scheme not in {s.value for s in (Scheme.PMID, Scheme.PMCID, Scheme.DOI)}:
            return None
        return Identifier(Scheme(scheme), unquote(value))

    # -- journals ------------------------------------------------------------------------------------------------
    def regroup_journals(self) -> int:
        """Gives every journal description the IRI of its group (after a load or an unload)."""
        return self.rename({}, self._journal_renames())

    def _journal_renames(self) -> dict[str, dict[str, str]]:
        """For each graph, the journal nodes whose group's key is not their own. A journal description (one
        graph's statements about one journal node) joins the others that share an ISSN or NLM id; one without
        either joins the group whose title or abbreviation it has, when exactly one group has it, else the
        other descriptions without ISSN or NLM id of that name."""
        issn_prefix = self.m.identifier(Identifier(Scheme.ISSN, ""))
        rows = self.store.query(
            f"SELECT ?g ?j ?kind ?v WHERE {{ GRAPH ?g {{ ?j a <{fabio.Journal}> . "
            f"{{ ?j <{datacite.hasIdentifier}> ?id FILTER(STRSTARTS(STR(?id), \"{issn_prefix}\")) "
            f"BIND(\"issn\" AS ?kind) BIND(STRAFTER(STR(?id), \"{issn_prefix}\") AS ?v) }} UNION "
            f"{{ ?j <{fabio.hasNationalLibraryOfMedicineJournalId}> ?v BIND(\"nlm\" AS ?kind) }} UNION "
            f"{{ ?j <{fabio.hasNLMJournalTitleAbbreviation}> ?v BIND(\"abbr\" AS ?kind) }} UNION "
            f"{{ ?j <{dcterms.title}> ?v BIND(\"title\" AS ?kind) }} }} }}", union=False).rows
        described: dict[tuple[str, str], dict[str, set[str]]] = {}
        for g, j, kind, v in rows:
            if str(g) in self._bookkeeping:
                continue
            keys = described.setdefault((str(g), str(j)), {"issn": set(), "nlm": set(), "abbr": set(), "title": set()})
            keys[str(kind)].add(unquote(str(v)) if str(kind) == "issn" else str(v))
        groups = _Groups()
        by_key: dict[str, tuple[str, str]] = {}
        for item, keys in described.items():
            groups.find(item)
            for key in [f"issn:{v}" for v in keys["issn"]] + [f"nlm:{v}" for v in keys["nlm"]]:
                if key in by_key:
                    groups.join(by_key[key], item)
                else:
                    by_key[key] = item
        names = {item: {slug(n) for n in keys["abbr"] | keys["title"]} - {""} for item, keys in described.items()}
        identified = {item for item, keys in described.items() if keys["issn"] or keys["nlm"]}
        named_groups: dict[str, set[object]] = {}
        for item in identified:
            for name in names[item]:
                named_groups.setdefault(name, set()).add(groups.find(item))
        by_name: dict[str, tuple[str, str]] = {}
        for item in sorted(set(described) - identified):
            candidates = set().union(*(named_groups.get(n, set()) for n in names[item]))
            if len(candidates) == 1:
                groups.join(next(iter(candidates)), item)
                continue
            for name in sorted(names[item]):
                if name in by_name:
                    groups.join(by_name[name], item)
                else:
                    by_name[name] = item
        renames: dict[str, dict[str, str]] = {}
        for members in groups.groups():
            merged = {kind: set().union(*(described[i][kind] for i in members)) for kind in ("issn", "nlm", "abbr", "title")}
            key = best_journal_key(merged["issn"], merged["nlm"], merged["abbr"], merged["title"])
            if key is None:
                continue
            target = self.m.journal(key)
            for g, j in members:
                if j != target:
                    renames.setdefault(g, {})[j] = target
        return renames

    # -- renaming -------------------------------------------------------------------------------------------
    def rename(self, articles: dict[str, dict[str, str]], journals: dict[str, dict[str, str]]) -> int:
        """Renames article and journal nodes graph by graph (``articles[graph][old] = new``, the same for
        journals), and every node minted from them; keeps the materialised counts and statistics right. Returns
        how many nodes were renamed."""
        graphs = set(articles) | set(journals)
        if not graphs:
            return 0
        keys = {g: ({self.m.key_of(o): self.m.key_of(n) for o, n in articles.get(g, {}).items()},
                    {self.m.key_of(o): self.m.key_of(n) for o, n in journals.get(g, {}).items()}) for g in graphs}

        def rekey(iri: str, graph: str) -> str:
            return self.m.rekeyed(iri, *keys[graph])

        nodes = {n for plan in (articles, journals) for mapping in plan.values() for n in mapping}
        todo, seen, old = list(nodes), set(nodes), set()
        while todo:
            node = todo.pop()
            for quad in self.store.quads_with(node) + self.store.quads_with(node, as_object=True):
                if quad[3] not in keys:
                    continue
                old.add(quad)
                for end in (quad[0], quad[2]):
                    if isinstance(end, str) and end not in seen and rekey(end, quad[3]) != end:
                        seen.add(end)
                        todo.append(end)
        new = {(rekey(s, g), p, rekey(o, g) if isinstance(o, str) else o, g) for s, p, o, g in old}
        new = {q for q in new if not self._self_citation(q)}
        touched = seen | {rekey(n, g) for n in seen for g in keys}
        counts.replace(self.store, self.m, old, new, touched)
        return len({n for plan in (articles, journals) for mapping in plan.values() for n in mapping})

    def _self_citation(self, quad: Quad) -> bool:
        """A statement that a merge turned into an article citing itself (the mapper never states one)."""
        s, p, o, _ = quad
        if p == cito.cites:
            return s == o
        if p == biro.references and isinstance(o, str):  # a reference of the article to itself
            return self.m.minted_from(s, self.m.key_of(o))
        parts = s[len(self.m.base):].split("/")
        return parts[0] == "ci" and len(parts) == 6 and parts[1:3] == parts[4:6]
