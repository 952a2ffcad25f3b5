"""The source registry: which sources are loaded, each one's named graph and its provenance (PROV-O in the graph
``graph/provenance``): file, checksum, format, status (complete, or incomplete while loading), triples."""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import KgError
from kg.mapping.iris import Minter
from kg.mapping.terms import XSD_DATETIME, XSD_INTEGER, Lit, Triple
from kg.mapping.vocab import CITO, DCTERMS, KGV, PROV, RDF, RDFS, VOID
from kg.store import Store, nquads
from kg.version import __version__

SOFTWARE = f"https://w3id.org/kg-loader/software/{__version__}"


@dataclass(slots=True)
class Plan:
    """What a change to a source must bring up to date, written down before the change starts (with the source's
    mark, ``incomplete`` or ``unloading``) so that a killed command's rerun can finish it once the source's graph
    is gone: the identifiers whose grouping may change, the articles it dates and the citations it states."""

    seeds: set[str] = field(default_factory=set)
    articles: set[str] = field(default_factory=set)
    citations: set[str] = field(default_factory=set)

    def __or__(self, other: Plan) -> Plan:
        return Plan(self.seeds | other.seeds, self.articles | other.articles, self.citations | other.citations)

    def to_json(self) -> str:
        return json.dumps({k: sorted(getattr(self, k)) for k in ("seeds", "articles", "citations")})

    @classmethod
    def from_json(cls, text: str) -> Plan:
        data = json.loads(text)
        return cls(set(data["seeds"]), set(data["articles"]), set(data["citations"]))


class Registry:
    """The sources of one store, read from and written to its provenance graph."""

    def __init__(self, store: Store, minter: Minter) -> None:
        self.store, self.minter = store, minter

    def graph_of(self, identity: str) -> str:
        """The named graph of the source whose identity (a file URI, ``stdin:<sha256>``) is given."""
        return self.minter.source_graph(hashlib.sha1(identity.encode()).hexdigest()[:20])

    def graphs(self) -> list[str]:
        """The source graphs described in the provenance graph."""
        result = self.store.query(f"SELECT ?g WHERE {{ GRAPH <{self.minter.provenance_graph}> "
                                  f"{{ ?g <{KGV.sha256}> ?c }} }}", union=False)
        return [str(row[0]) for row in result.rows]

    def checksum_of(self, graph: str) -> str | None:
        """The SHA-256 of the source a complete load of ``graph`` read, or None."""
        result = self.store.query(f"SELECT ?c WHERE {{ GRAPH <{self.minter.provenance_graph}> "
                                  f"{{ <{graph}> <{KGV.sha256}> ?c ; <{KGV.status}> \"complete\" }} }}", union=False)
        return str(result.rows[0][0]) if result.rows else None

    def citations(self, graph: str) -> int:
        """The distinct citations ``graph`` states (after merging: one reference list may name an article twice)."""
        result = self.store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?a <{CITO.cites}> ?b }} }}",
                                  union=False)
        return int(result.rows[0][0])

    def count(self, graph: str) -> int:
        """The triples ``graph`` holds."""
        result = self.store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", union=False)
        return int(result.rows[0][0])

    def sources(self) -> list[dict[str, object]]:
        """Every loaded source: graph, label, format, status, triples, loaded at, derived from, sha256."""
        names = {"label": RDFS.label, "format": DCTERMS.format, "status": KGV.status, "triples": VOID.triples,
                 "loaded": PROV.generatedAtTime, "file": PROV.wasDerivedFrom, "sha256": KGV.sha256}
        optional = " ".join(f"OPTIONAL {{ ?graph <{iri}> ?{name} }}" for name, iri in names.items())
        result = self.store.query(f"SELECT ?graph {' '.join('?' + n for n in names)} WHERE {{ GRAPH "
                                  f"<{self.minter.provenance_graph}> {{ ?graph a <{PROV.Entity}> {optional} }} }} "
                                  f"ORDER BY ?label ?graph", union=False)
        return result.dicts()

    def find(self, text: str) -> str:
        """The graph of a source named by its path, its graph IRI or its file name; raises KgError otherwise."""
        candidates = {self.graph_of(Path(text).resolve().as_uri()), text}
        found = [s["graph"] for s in self.sources() if s["graph"] in candidates or s.get("label") == text]
        if len(found) != 1:
            problem = "no loaded source" if not found else f"{len(found)} loaded sources"
            raise KgError(f"{problem} matches {text!r} (kg sources lists them; give a path or a graph IRI)")
        return str(found[0])

    def status(self, graph: str) -> str | None:
        """``complete``, ``incomplete`` (a load under way or killed) or ``unloading``; None when not loaded."""
        result = self.store.query(f"SELECT ?s WHERE {{ GRAPH <{self.minter.provenance_graph}> "
                                  f"{{ <{graph}> <{KGV.status}> ?s }} }}", union=False)
        return str(result.rows[0][0]) if result.rows else None

    def plan_of(self, graph: str) -> Plan:
        """The plan a killed command left with its source's mark (an empty one when there is none)."""
        result = self.store.query(f"SELECT ?p WHERE {{ GRAPH <{self.minter.provenance_graph}> "
                                  f"{{ <{graph}> <{KGV.pending}> ?p }} }}", union=False)
        return Plan.from_json(str(result.rows[0][0])) if result.rows else Plan()

    def mark(self, graph: str, status: str, plan: Plan) -> None:
        """Sets the source's status and writes the plan of the change beside it, in one transaction."""
        prov = self.minter.provenance_graph
        self.store.update(f"DELETE WHERE {{ GRAPH <{prov}> {{ <{graph}> <{KGV.status}> ?s }} }} ; "
                          f"DELETE WHERE {{ GRAPH <{prov}> {{ <{graph}> <{KGV.pending}> ?p }} }} ; "
                          f"INSERT DATA {{ GRAPH <{prov}> {{ <{graph}> <{KGV.status}> {nquads.literal(status)} ; "
                          f"<{KGV.pending}> {nquads.literal(plan.to_json())} }} }}")

    def forget(self, graph: str) -> None:
        """Removes the source's description."""
        self.store.update(f"DELETE WHERE {{ GRAPH <{self.minter.provenance_graph}> {{ <{graph}> ?p ?o }} }}")

    def describe(self, graph: str, identity: str, checksum: str, *, label: str, format: str, triples: int,
                 status: str) -> None:
        """PROV-O for the source graph, replacing an earlier description. A load first describes its source as
        incomplete, and as complete once every record is stored, so that an interrupted load shows and is redone
        by the next ``load``."""
        self.forget(graph)
        now = datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        described: list[Triple] = [
            (graph, str(RDF.type), str(PROV.Entity)),
            (graph, str(PROV.wasDerivedFrom), identity if identity.startswith("file:") else graph + "/input"),
            (graph, str(PROV.generatedAtTime), Lit(now, XSD_DATETIME)),
            (graph, str(PROV.wasAttributedTo), SOFTWARE),
            (SOFTWARE, str(RDF.type), str(PROV.SoftwareAgent)),
            (SOFTWARE, str(RDFS.label), Lit(f"kg {__version__}")),
            (graph, str(KGV.sha256), Lit(checksum)),
            (graph, str(RDFS.label), Lit(label)),
            (graph, str(KGV.status), Lit(status)),
        ]
        if format:
            described.append((graph, str(DCTERMS.format), Lit(format)))
        if status == "complete":
            described.append((graph, str(VOID.triples), Lit(str(triples), XSD_INTEGER)))
        self.store.add(described, self.minter.provenance_graph)
