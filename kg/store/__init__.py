"""Stores: triples in, query results out. Only this package talks to a triple store; the stages above it (the
pipeline, consolidation, queries) are written against the ``Store`` protocol."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

from kg.mapping.terms import Object, Triple
from kg.results import Result

Quad = tuple[str, str, Object, str]  # subject, predicate, object, named graph


class Store(Protocol):
    """What the loader, consolidation and the catalogue ask of a triple store: named graphs, SPARQL 1.1 Query and
    Update over the union of them (or one), and writes in batches."""

    path: Path | None

    def query(self, text: str, *, union: bool = True) -> Result:
        """A SELECT, ASK, CONSTRUCT or DESCRIBE; ``union``: the default graph is the union of the named graphs."""

    def update(self, text: str) -> None:
        """A SPARQL 1.1 Update, all of it or none."""

    def add(self, triples: list[Triple], graph: str) -> None:
        """Adds triples to a named graph, all of them or none."""

    def bulk_writer(self) -> AbstractContextManager[Callable[[list[Triple], str], None]]:
        """A function that writes triples at the store's bulk speed, not transactionally."""

    def quads_with(self, iri: str, *, as_object: bool = False, graph: str | None = None) -> list[Quad]:
        """Every quad of the named graphs (or of ``graph``) with ``iri`` as subject (or object)."""

    def replace(self, remove: Iterable[Quad], add: Iterable[Quad]) -> None:
        """Removes some quads and adds others, all of it or none."""

    def remove_graph(self, graph: str) -> None:
        """Removes a named graph and its quads."""

    def graphs(self) -> list[str]:
        """The named graphs."""

    def flush(self) -> None:
        """Makes what was written durable."""

    def close(self) -> None:
        """Flushes and lets go of the store."""
