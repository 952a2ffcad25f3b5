"""Stores: triples in, query results out. Only this package talks to a triple store; the stages above it (the
pipeline, consolidation, queries, the server) are written against the ``Store`` protocol, which two
implementations keep: the embedded ``OxigraphStore`` (kg.store.oxigraph) and ``RemoteStore`` (kg.store.remote),
any SPARQL 1.1 endpoint."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from rdflib.term import Node

from kg.mapping.terms import Object, Triple

from kg.results import Result

Quad = tuple[str, str, Object, str]  # subject, predicate, object, named graph
Writer = Callable[[list[Triple], str], None]  # writes triples into a named graph


@dataclass(frozen=True, slots=True)
class Answer:
    """A query's answer as the store gives it: ``boolean`` (ASK), ``columns`` and lazy ``rows`` of rdflib terms
    (SELECT), or ``triples`` (CONSTRUCT, DESCRIBE; for ``Store.write_triples``)."""

    boolean: bool | None = None
    columns: tuple[str, ...] = ()
    rows: Iterator[tuple[Node | None, ...]] = iter(())
    triples: Iterator[object] | None = None
    solutions: object = None  # the store's own SELECT answer, for ``Store.write_solutions``


def output_file(path: Path) -> BinaryIO:
    """``path`` opened for writing bytes, through gzip when its name ends in .gz."""
    import gzip

    return gzip.open(path, "wb", compresslevel=6) if path.name.endswith(".gz") else path.open("wb")


class Store(Protocol):
    """What the loader, consolidation, the catalogue and the server ask of a quad store: named graphs, SPARQL 1.1
    Query and Update over the union of kg's graphs (``union=True``) or the store's own default graph
    (``union=False``; ``GRAPH`` patterns read kg's named graphs), and writes in batches. Failures raise
    StoreError (writes) or QueryError (queries)."""

    path: Path | None
    read_only: bool

    def scope(self, meta_graph: str, base: str) -> None:
        """Tells the store which graphs are kg's (those under ``base``, and ``meta_graph``)."""

    def query(self, text: str, *, union: bool = True, default_graph: list[str] | None = None,
              named_graphs: list[str] | None = None, limit: int | None = None) -> Result:
        """A SELECT, ASK, CONSTRUCT or DESCRIBE, answered whole; ``union``: the default graph is the union of the
        named graphs."""

    def answer(self, text: str, *, union: bool = True, default_graph: list[str] | None = None,
               named_graphs: list[str] | None = None) -> Answer:
        """The same, as the store gives it (rows lazily), for streaming to a client."""

    def stream(self, text: str, *, union: bool = True) -> Iterator[tuple[Node | None, ...]]:
        """The rows of a SELECT, lazily (a big answer is never one Python object)."""

    def update(self, text: str) -> None:
        """A SPARQL 1.1 Update, all of it or none."""

    def add(self, triples: list[Triple], graph: str) -> None:
        """Adds triples to a named graph, all of them or none."""

    def bulk_writer(self) -> AbstractContextManager[Writer]:
        """A function that writes triples at the store's bulk speed, not transactionally."""

    def quads_with(self, iri: str, *, as_object: bool = False, graph: str | None = None) -> list[Quad]:
        """Every quad of the named graphs (or of ``graph``) with ``iri`` as subject (or object)."""

    def replace(self, remove: Iterable[Quad], add: Iterable[Quad]) -> None:
        """Removes some quads and adds others, all of it or none."""

    def copy_quads(self, nodes: Iterable[str], into: Callable[[str], list], *, predicate: str | None = None,
                   as_object: bool = False) -> int:
        """Copies the quads about ``nodes`` into the lists ``into(graph)`` returns; how many were copied."""

    def write_graph(self, data: bytes, media_type: str, graph: str, *, replace: bool) -> int:
        """Parses RDF into a named graph (replacing it or adding to it); the triples written."""

    def has_graph(self, graph: str) -> bool:
        """Whether the named graph holds anything."""

    def remove_graph(self, graph: str) -> None:
        """Removes a named graph and its quads."""

    def graphs(self) -> list[str]:
        """The named graphs."""

    def dump_graph(self, graph: str, output: BinaryIO) -> None:
        """Writes the quads of one named graph to ``output`` as N-Quads, streamed."""

    def load_shards(self, folder: Path, files: list[str]) -> None:
        """Loads gzipped N-Quads files of ``folder`` (kg export --shards) with the store's own bulk loader."""

    def export(self, output: Path, fmt: str) -> None:
        """Writes kg's graphs to a file in one of the export formats."""

    def write_solutions(self, answer: Answer, output: BinaryIO, media_type: str) -> None:
        """Serialises a SELECT or ASK answer."""

    def write_triples(self, triples: Iterable[object], output: BinaryIO, media_type: str) -> None:
        """Serialises a CONSTRUCT or DESCRIBE answer."""

    def flush(self) -> None:
        """Makes what was written durable."""

    def close(self) -> None:
        """Flushes and lets go of the store."""
