"""PubMed's update files: a later file's record of a PMID replaces an earlier file's, and ``<DeleteCitation>``
withdraws the records of the PMIDs it lists, in NLM's file order (pubmed21n1298 comes after pubmed20n0014),
whatever order the files are loaded in. Only the NLM baseline and update files take part, known by their names
(``pubmedYYnNNNN``); what other sources say of the same articles stays.

A withdrawn record's statements leave its file's graph: the article's own statements and every node minted
from it (roles, references, citations), then what nothing else in that graph still refers to (a cited stub, an
identifier, a journal). An article another record of the same file cites keeps its identity there as a stub.
"""

from __future__ import annotations

import re

from kg.consolidate import counts
from kg.mapping.iris import Minter
from kg.mapping.mapper import SHORTCUTS
from kg.mapping.vocab import datacite, dcterms, fabio, kgv, prism
from kg.records import Identifier
from kg.store import Quad, Store

_NLM_FILE = re.compile(r"pubmed(\d{2})n(\d{4})")
_IDENTITY = {datacite.hasIdentifier, fabio.hasPubMedId, fabio.hasPubMedCentralId, prism.doi}
_SCHEMES = {str(predicate): scheme for scheme, predicate in SHORTCUTS.items()}


def sequence(label: str) -> tuple[int, int] | None:
    """Where an NLM file comes in the order of releases: (year, number) from ``pubmed21n1298.xml.gz``."""
    found = _NLM_FILE.search(label)
    return (int(found[1]), int(found[2])) if found else None


class Updates:
    """Applies PubMed's update semantics between the NLM files in one store."""

    def __init__(self, store: Store, minter: Minter) -> None:
        self.store, self.m = store, minter

    def nlm_files(self, sources: list[dict[str, object]]) -> dict[str, tuple[int, int]]:
        """The loaded PubMed XML sources with an NLM file name, and their place in NLM's order."""
        return {str(s["graph"]): seq for s in sources
                if s.get("format") == "pubmed-xml" and (seq := sequence(str(s.get("label", ""))))}

    def plan(self, graph: str, files: dict[str, tuple[int, int]]) -> tuple[dict[tuple[str, str], str], list[str]]:
        """Which records of ``graph`` (just loaded) and of the other NLM files stand: the (graph, article) records
        to withdraw, with why, and notes for the load report."""
        if graph not in files or len(files) < 2:
            return {}, []
        mine, labels = files[graph], self._labels()
        others = {g: seq for g, seq in files.items() if g != graph and seq != mine}
        values = "VALUES ?other { " + " ".join(f"<{g}>" for g in others) + " }"
        withdraw: dict[tuple[str, str], str] = {}  # (graph, article) -> why
        for pmid, other, mine_node, other_node in self.store.query(
                f"SELECT DISTINCT ?p ?other ?a ?b WHERE {{ GRAPH <{graph}> {{ ?a <{fabio.hasPubMedId}> ?p ; "
                f"<{dcterms.title}> ?t }} {values} GRAPH ?other {{ ?b <{fabio.hasPubMedId}> ?p ; "
                f"<{dcterms.title}> ?t2 }} }}", union=False).rows:
            newer, older, node = (str(other), graph, str(mine_node)) if others[str(other)] > mine else \
                (graph, str(other), str(other_node))
            withdraw[(older, node)] = f"PMID {pmid}: replaced by the record in {labels.get(newer, newer)}"
        deletes = self.store.query(
            f"SELECT DISTINCT ?deleter ?p ?holder ?a WHERE {{ GRAPH ?deleter {{ ?deleter <{kgv.deletesRecordsOf}> ?i }} "
            f"BIND(STRAFTER(STR(?i), \"{self.m.base}id/pmid/\") AS ?p) "
            f"GRAPH ?holder {{ ?a <{fabio.hasPubMedId}> ?p ; <{dcterms.title}> ?t }} "
            f"FILTER(?deleter = <{graph}> || ?holder = <{graph}>) }}", union=False).rows
        for deleter, pmid, holder, node in deletes:
            deleter, holder = str(deleter), str(holder)
            if holder in files and deleter in files and files[holder] < files[deleter]:
                withdraw[(holder, str(node))] = f"PMID {pmid}: deleted by {labels.get(deleter, deleter)}"
        return withdraw, [f"{why} (withdrawn from {labels.get(holder, holder)})"
                          for (holder, _), why in sorted(withdraw.items())]

    def identifiers_of(self, withdrawals: dict[tuple[str, str], str]) -> set[Identifier]:
        """The article identifiers the records to withdraw hold in their graphs."""
        return {Identifier(_SCHEMES[q[1]], q[2].value) for holder, node in withdrawals
                for q in self.store.quads_with(node, graph=holder) if q[1] in _SCHEMES}

    def execute(self, withdrawals: dict[tuple[str, str], str]) -> set[Identifier]:
        """Withdraws the records; returns the identifiers they held (for identity to settle again)."""
        held: set[Identifier] = set()
        for holder, node in sorted(withdrawals):
            held |= self.withdraw(holder, node)
        return held

    def withdraw(self, graph: str, article: str) -> set[Identifier]:
        """Removes one record's statements from ``graph``; returns the article identifiers they held (what
        identity settles again)."""
        key = self.m.key_of(article)
        own, todo = {article}, [article]
        todo += [q[0] for q in self.store.quads_with(article, as_object=True, graph=graph) if self.m.minted_from(q[0], key)]
        own |= set(todo)
        remove: set[Quad] = set()
        while todo:
            for quad in self.store.quads_with(todo.pop(), graph=graph):
                remove.add(quad)
                if isinstance(quad[2], str) and quad[2] not in own and self.m.minted_from(quad[2], key):
                    own.add(quad[2])
                    todo.append(quad[2])
        if any(q not in remove for q in self.store.quads_with(article, as_object=True, graph=graph)):
            # still cited in this file: its identity stays there as a stub's
            remove = {q for q in remove if not (q[0] == article and (q[1] in _IDENTITY or q[2] == fabio.Expression))}
        candidates = {q[2] for q in remove if isinstance(q[2], str) and q[2].startswith(self.m.base)} - own
        while candidates:
            node = candidates.pop()
            if any(q not in remove for q in self.store.quads_with(node, as_object=True, graph=graph)):
                continue
            statements = self.store.quads_with(node, graph=graph)
            if any(q[1] == dcterms.title for q in statements) and not node.startswith(self.m.base + "br/journal/"):
                continue  # another full record of the same file
            own.add(node)
            for quad in statements:
                remove.add(quad)
                if isinstance(quad[2], str) and quad[2].startswith(self.m.base) and quad[2] not in own:
                    candidates.add(quad[2])
        counts.replace(self.store, self.m, remove, set(), own)
        return {Identifier(_SCHEMES[q[1]], q[2].value) for q in remove if q[1] in _SCHEMES}

    def _labels(self) -> dict[str, str]:
        """Every source graph's file name, from the provenance graph (one query for a load's notes)."""
        rows = self.store.query(f"SELECT ?g ?l WHERE {{ GRAPH <{self.m.provenance_graph}> {{ ?g "
                                f"<http://www.w3.org/2000/01/rdf-schema#label> ?l }} }}", union=False).rows
        return {str(g): str(label) for g, label in rows}
