"""One node per real thing: merges the article and journal nodes that the sources' identifiers make one.

Each source is mapped on its own: a record's article is named by the record's own best identifier (PMID, else
PMCID, else DOI), its journal by the record's own best key (ISSN, NLM id, abbreviation, title). After a source is
loaded, the article nodes that share an identifier with another node are found through the store's index of
identifier literals, grouped with every node their identifiers reach (in batches, a query per batch, never per
record), and renamed to the IRI of the group's best identifier, with every node minted from them (roles,
agents, references, citations, manifestations), in every source's graph. Journals are regrouped the same way
over the whole store (they are few). The result does not depend on the order the sources came in.

What holds an article group together is kept with the source that says it: ``kg:coIdentifies`` between the
identifier nodes one record gives. Unloading a source regroups the identifiers it linked; a node that no
remaining source holds together is split again.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import unquote

from kg import derived
from kg.mapping.iris import ARTICLE_KEY_ORDER, Minter, best_journal_key, slug
from kg.mapping.vocab import biro, cito, datacite, dcterms, fabio, kgv, prism
from kg.records import Identifier, Scheme
from kg.store import nquads
from kg.store.oxigraph import OxigraphStore, Quad

_SHORTCUTS = {fabio.hasPubMedId: Scheme.PMID, fabio.hasPubMedCentralId: Scheme.PMCID, prism.doi: Scheme.DOI}
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


def _rank(ident: Identifier) -> tuple[int, int, str]:
    """PMID before PMCID before DOI; the smallest value first (numerically for PMIDs)."""
    return ARTICLE_KEY_ORDER.index(ident.scheme), len(ident.value), ident.value


def _batches(items: Iterable, size: int = BATCH) -> Iterable[list]:
    items = sorted(items, key=repr)
    for start in range(0, len(items), size):
        yield items[start:start + size]


class Identity:
    """Merges and splits nodes in one store."""

    def __init__(self, store: OxigraphStore, minter: Minter) -> None:
        self.store, self.m = store, minter
        self._bookkeeping = {minter.provenance_graph, derived.derived_graph(minter.base)}

    # -- after a load ---------------------------------------------------------------------------------------
    def merge(self, graph: str) -> int:
        """Merges what ``graph`` (just loaded) reveals to be one article, and regroups the journals; returns
        how many nodes were renamed."""
        shared = self.store.query(f"SELECT DISTINCT ?a ?b WHERE {{ GRAPH <{graph}> {{ ?a ?p ?v }} {_VALUES_P} "
                                  f"?b ?p ?v FILTER(?a != ?b) }}").rows
        renamed = 0
        if shared:
            seeds = {str(n) for row in shared for n in row}
            articles = {}
            for nodes, idents in self._article_groups(seeds):
                target = self.m.article((min(idents, key=_rank),))
                articles.update({n: target for n in nodes if n != target})
            renamed += self.rename(articles, {})
        return renamed + self.regroup_journals()

    def regroup_journals(self) -> int:
        """Gives every journal description the IRI of its group (after a load or an unload)."""
        return sum(self.rename({}, journals, graph) for graph, journals in self._journal_renames().items())

    def _article_groups(self, seeds: set[str]) -> list[tuple[set[str], set[Identifier]]]:
        """The groups of article nodes that ``seeds`` belong to: nodes sharing an identifier literal, closed
        over every identifier the nodes have in any source."""
        idents_of: dict[str, set[Identifier]] = {}
        holders: dict[Identifier, set[str]] = {}
        frontier, known = set(seeds), set()
        while frontier:
            for batch in _batches(frontier):
                # (node, predicate) pairs in one VALUES: two VALUES blocks make Oxigraph 0.5 scan every
                # identifier triple (12 s against 0.05 s for 1,000 nodes in a 100,000-article store)
                values = "VALUES (?n ?p) { " + " ".join(f"(<{n}> <{p}>)" for n in batch for p in _SHORTCUTS) + " }"
                for n, p, v in self.store.query(f"SELECT DISTINCT ?n ?p ?v WHERE {{ {values} ?n ?p ?v }}").rows:
                    idents_of.setdefault(str(n), set()).add(Identifier(_SHORTCUTS[str(p)], str(v)))
            new = {i for n in frontier for i in idents_of.get(n, ())} - known
            known |= new
            for batch in _batches(new):
                values = "VALUES (?p ?v) { " + " ".join(
                    f"(<{_predicate(i.scheme)}> {nquads.literal(i.value)})" for i in batch) + " }"
                for n, p, v in self.store.query(f"SELECT DISTINCT ?n ?p ?v WHERE {{ {values} ?n ?p ?v }}").rows:
                    holders.setdefault(Identifier(_SHORTCUTS[str(p)], str(v)), set()).add(str(n))
            frontier = {n for nodes in holders.values() for n in nodes} - set(idents_of)
        groups = _Groups()
        for node in idents_of:
            groups.find(node)
        for nodes in holders.values():
            first, *rest = sorted(nodes)
            for other in rest:
                groups.join(first, other)
        return [(nodes, set().union(*(idents_of[n] for n in nodes))) for nodes in groups.groups()]

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

    # -- after an unload ------------------------------------------------------------------------------------
    def linked_by(self, graph: str) -> set[str]:
        """The identifier nodes that ``graph`` says name one article (call before removing the graph)."""
        rows = self.store.query(f"SELECT ?x ?y WHERE {{ GRAPH <{graph}> {{ ?x <{kgv.coIdentifies}> ?y }} }}",
                                union=False).rows
        return {str(n) for row in rows for n in row}

    def split(self, identifiers: set[str]) -> list[str]:
        """Regroups the journals, and the articles named by ``identifiers`` (what an unloaded source linked)
        by the links the remaining sources give; renames a node that now stands for several articles, graph by graph, to the
        article that graph describes. Returns the graphs that describe several of them on one node (two of
        their records were merged by the unloaded source): only loading them again can part their statements."""
        nodes: set[str] = set()
        for batch in _batches(identifiers):
            values = "VALUES ?i { " + " ".join(f"<{i}>" for i in batch) + " }"
            nodes |= {str(n) for (n,) in self.store.query(
                f"SELECT DISTINCT ?n WHERE {{ {values} ?n <{datacite.hasIdentifier}> ?i }}").rows}
        articles = {n for n in nodes if self.m.is_article(n)}
        reload: set[str] = set()
        everywhere: dict[str, str] = {}
        by_graph: dict[str, dict[str, str]] = {}
        for node in sorted(articles):
            stated = self._identifiers_by_graph(node)
            if not stated:
                continue
            groups = _Groups()
            all_ids = set().union(*stated.values())
            for i in all_ids:
                groups.find(i)
            for batch in _batches(all_ids):
                values = "VALUES ?x { " + " ".join(f"<{i}>" for i in batch) + " }"
                for x, y in self.store.query(f"SELECT ?x ?y WHERE {{ {values} ?x <{kgv.coIdentifies}> ?y }}").rows:
                    if str(y) in all_ids:
                        groups.join(str(x), str(y))
            target = {i: self._article_of(groups, i, all_ids) for i in all_ids}
            if len(set(target.values())) == 1:
                only = next(iter(target.values()))
                if only != node:
                    everywhere[node] = only
                continue
            for graph, ids in stated.items():
                targets = {target[i] for i in ids}
                if len(targets) > 1:
                    reload.add(graph)
                elif (only := targets.pop()) != node:
                    by_graph.setdefault(graph, {})[node] = only
        self.rename(everywhere, {})
        for graph, mapping in by_graph.items():
            self.rename(mapping, {}, graph)
        self.regroup_journals()
        return sorted(reload)

    def _identifiers_by_graph(self, node: str) -> dict[str, set[str]]:
        rows = self.store.query(f"SELECT ?g ?i WHERE {{ GRAPH ?g {{ <{node}> <{datacite.hasIdentifier}> ?i }} }}",
                                union=False).rows
        stated: dict[str, set[str]] = {}
        for g, i in rows:
            if self._scheme_of(str(i)) in ARTICLE_KEY_ORDER and str(g) not in self._bookkeeping:
                stated.setdefault(str(g), set()).add(str(i))
        return stated

    def _scheme_of(self, identifier_iri: str) -> Scheme | None:
        scheme = identifier_iri[len(self.m.base) + 3:].split("/", 1)[0]
        return Scheme(scheme) if scheme in {s.value for s in Scheme} else None

    def _article_of(self, groups: _Groups, identifier: str, among: set[str]) -> str:
        root = groups.find(identifier)
        members = [i for i in among if groups.find(i) == root]
        idents = [Identifier(self._scheme_of(i), unquote(i.rsplit("/", 1)[1])) for i in members]
        return self.m.article((min(idents, key=_rank),))

    # -- renaming -------------------------------------------------------------------------------------------
    def rename(self, articles: dict[str, str], journals: dict[str, str], graph: str | None = None) -> int:
        """Renames article and journal nodes, and every node minted from them, in ``graph`` or in every
        source's graph; keeps the materialised counts and statistics right. Returns how many nodes were renamed."""
        if not articles and not journals:
            return 0
        article_keys = {self.m.key_of(old): self.m.key_of(new) for old, new in articles.items()}
        journal_keys = {self.m.key_of(old): self.m.key_of(new) for old, new in journals.items()}

        def rekey(iri: str) -> str:
            return self.m.rekeyed(iri, article_keys, journal_keys)

        nodes = set(articles) | set(journals)
        todo, old = list(nodes), set()
        while todo:
            node = todo.pop()
            for quad in self.store.quads_with(node) + self.store.quads_with(node, as_object=True):
                if quad[3] in self._bookkeeping or (graph is not None and quad[3] != graph):
                    continue
                old.add(quad)
                for end in (quad[0], quad[2]):
                    if isinstance(end, str) and end not in nodes and rekey(end) != end:
                        nodes.add(end)
                        todo.append(end)
        new = {(rekey(s), p, rekey(o) if isinstance(o, str) else o, g) for s, p, o, g in old}
        new = {q for q in new if not self._self_citation(q)}
        derived.replace(self.store, self.m, old, new, nodes | {rekey(n) for n in nodes})
        return len(articles) + len(journals)

    def _self_citation(self, quad: Quad) -> bool:
        """A statement that a merge turned into an article citing itself (the mapper never states one)."""
        s, p, o, _ = quad
        if p == cito.cites:
            return s == o
        if p == biro.references and isinstance(o, str):  # a reference of the article to itself
            return self.m.minted_from(s, self.m.key_of(o))
        parts = s[len(self.m.base):].split("/")
        return parts[0] == "ci" and len(parts) == 6 and parts[1:3] == parts[4:6]


def _predicate(scheme: Scheme) -> str:
    return next(p for p, s in _SHORTCUTS.items() if s is scheme)
