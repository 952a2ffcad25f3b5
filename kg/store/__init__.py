"""Stores: triples in, query results out. Only this package talks to a triple store.

``Store`` is what the pipeline, consolidation, queries and the server call; two implementations keep it: the
embedded ``OxigraphStore`` (kg.store.oxigraph) and ``RemoteStore`` (kg.store.remote), any SPARQL 1.1 endpoint.
"""

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


class Store(Protocol):
    """A quad store kg loads into and queries. Queries see the union of kg's graphs as their default graph
    (``union=True``); ``union=False`` gives the store's own default graph, and ``GRAPH`` patterns read kg's
    named graphs. Failures raise StoreError (writes) or QueryError (queries)."""

    path: Path | None
    read_only: bool

    def scope(self, meta_graph: str, base: str) -> None: ...

    def query(self, text: str, *, union: bool = True, default_graph: list[str] | None = None,
              named_graphs: list[str] | None = None, limit: int | None = None) -> Result: ...

    def answer(self, text: str, *, union: bool = True, default_graph: list[str] | None = None,
               named_graphs: list[str] | None = None) -> Answer: ...

    def stream(self, text: str, *, union: bool = True) -> Iterator[tuple[Node | None, ...]]: ...

    def update(self, text: str) -> None: ...

    def add(self, triples: list[Triple], graph: str) -> None: ...

    def bulk_writer(self) -> AbstractContextManager[Writer]: ...

    def quads_with(self, iri: str, *, as_object: bool = False, graph: str | None = None) -> list[Quad]: ...

    def replace(self, remove: Iterable[Quad], add: Iterable[Quad]) -> None: ...

    def copy_quads(self, nodes: Iterable[str], into: Callable[[str], list], *, predicate: str | None = None,
                   as_object: bool = False) -> int: ...

    def write_graph(self, data: bytes, media_type: str, graph: str, *, replace: bool) -> int: ...

    def has_graph(self, graph: str) -> bool: ...

    def remove_graph(self, graph: str) -> None: ...

    def graphs(self) -> list[str]: ...

    def export(self, output: Path, fmt: str) -> None: ...

    def write_solutions(self, answer: Answer, output: BinaryIO, media_type: str) -> None: ...

    def write_triples(self, triples: Iterable[object], output: BinaryIO, media_type: str) -> None: ...

    def flush(self) -> None: ...

    def close(self) -> None: ...
