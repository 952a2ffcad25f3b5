"""Queries in processes that can be ended: the store's engine cannot be interrupted, so a query that passes its
deadline, or that Ctrl-C stops, ends with the process that runs it (the CPU is free at once); and the worker
side of the server's streamed answers."""

from __future__ import annotations

import ctypes
import itertools
import multiprocessing
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import KgError, MissingParameter, QueryError, QueryRefused, QueryTimeout
from kg.results import Result, chunks

if TYPE_CHECKING:
    from kg.graph import Remote

SOLUTION_TYPES = {"application/sparql-results+json": "json", "application/sparql-results+xml": "xml",
                  "text/csv": "csv", "text/tab-separated-values": "tsv"}
GRAPH_TYPES = ("text/turtle", "application/n-triples", "application/n-quads", "application/trig",
               "application/ld+json", "application/rdf+xml")
FLUSH_BYTES = 64 << 10


@dataclass(frozen=True, slots=True)
class Job:
    """A query for a worker: free SPARQL (``text``) or a canned query (``name`` and ``params``). With ``accept``
    (media types by preference) the answer comes back serialised, in messages as it is written; without it, as
    one Result. ``max_rows`` (0: no limit) cuts a longer answer, and the head says so."""

    text: str = ""
    name: str = ""
    params: dict[str, str] = field(default_factory=dict)
    default_graph: list[str] | None = None
    named_graphs: list[str] | None = None
    allow_service: bool = False
    accept: tuple[str, ...] = ()
    max_rows: int = 0


def run_isolated(job: Job, *, store: Path | Remote, base_iri: str | None, timeout: float | None) -> Result:
    """Runs ``job`` on the store, opened read-only (a snapshot, also of a store a server or a load holds), in a
    child process and returns its Result. Raises QueryTimeout past ``timeout`` seconds (None: no limit),
    KeyboardInterrupt on Ctrl-C, each time after ending the child; the child's KgError is raised again here."""
    def run() -> Result:
        from kg.graph import KnowledgeGraph

        with KnowledgeGraph(store, base_iri=base_iri, read_only=True) as graph:
            return execute(graph, job)
    return in_child(run, timeout=timeout, what="query")


def in_child(target: Callable[[], object], *, timeout: float | None = None, what: str = "work") -> object:
    """``target()`` run in a forked child process. The child must not write to a store: one forked from a
    process that used RocksDB could wait forever for a flush (its background threads do not survive the fork);
    a read-only store needs none. Past ``timeout`` seconds (QueryTimeout) or on Ctrl-C (KeyboardInterrupt) the child is ended at once, so its
    CPU is free; a KgError in the child is raised again here."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(target, sender, os.getpid()), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise QueryTimeout(f"the {what} ran past its {timeout:g} s time limit and was stopped (--timeout)")
        message = receiver.recv()
    except EOFError:
        raise KgError(f"the {what}'s process ended without an answer") from None
    finally:
        if child.is_alive():
            child.kill()
        child.join()
    return unwrap(message)


def _child(target: Callable[[], object], sender, parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent ends this process on Ctrl-C
    _die_with(parent)
    try:
        sender.send(("result", target()))
    except KgError as exc:
        sender.send(("error", type(exc).__name__, str(exc)))
    except Exception as exc:  # noqa: BLE001 - one line for the user, as the CLI gives for any failure
        sender.send(("error", "KgError", f"unexpected {type(exc).__name__}: {exc}"))


def _die_with(parent: int) -> None:
    """Has the kernel end this process when its parent ends, however it ends (a killed `kg sparql` must not
    leave its query running)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent was gone before that
        os._exit(1)


def execute(graph, job: Job) -> Result:
    """Runs a job that wants a Result on an open KnowledgeGraph."""
    if job.name:
        return graph.query(job.name, **job.params)
    return graph.sparql(job.text, default_graph=job.default_graph, named_graphs=job.named_graphs,
                        allow_service=job.allow_service, limit=job.max_rows or None)


ERRORS = {cls.__name__: cls for cls in (KgError, QueryError, QueryRefused, QueryTimeout, MissingParameter)}


def unwrap(message: tuple) -> Result:
    """The Result of a worker's terminal message, or its error raised again."""
    if message[0] == "error":
        raise ERRORS.get(message[1], KgError)(message[2])
    return message[1]


# -- the streaming side, for the server -----------------------------------------------------------------------
class Sender:
    """The worker's side of a streamed answer. Bytes are collected into messages of about FLUSH_BYTES for ``send``
    (a pipe to the server); an answer that ends before the first such message goes as one ("whole", form, media
    type, truncated, bytes) message, which the server answers with one plain response: most entity queries'
    answers are a few kilobytes, and three messages each (head, data, end) cost the server more than the query.
    A long answer goes as ("head", form, media type, truncated), ("data", bytes)... and ("end",)."""

    def __init__(self, send: Callable[[tuple], None]) -> None:
        self._send, self._buffer = send, bytearray()
        self._head: tuple | None = None
        self._headed = False

    def head(self, form: str, media: str, truncated: bool) -> None:
        self._head = (form, media, truncated)

    def write(self, data: bytes | str) -> int:
        self._buffer += data.encode("utf-8") if isinstance(data, str) else data
        if len(self._buffer) >= FLUSH_BYTES:
            self._emit()
        return len(data)

    def flush(self) -> None:
        """Nothing: a serializer's flush must not split a small answer (messages go by size and at the end)."""

    def _emit(self) -> None:
        if not self._headed:
            self._send(("head", *self._head))
            self._headed = True
        if self._buffer:
            self._send(("data", bytes(self._buffer)))
            self._buffer.clear()

    def end(self) -> None:
        if self._headed:
            self._emit()
            self._send(("end",))
        else:
            self._send(("whole", *self._head, bytes(self._buffer)))


def stream(graph, job: Job, send: Callable[[tuple], None]) -> None:
    """Runs a job and sends its answer through a Sender (one "whole" message, or "head", "data"... and "end");
    or one ("error", kind, message), also after data when evaluation fails late."""
    out = Sender(send)
    if job.name:
        result = graph.query(job.name, **job.params)
        media, fmt = _pick(job.accept, SOLUTION_TYPES, "a table of results")
        rows, truncated = _cut(iter(result.rows), job.max_rows)
        out.head("solutions", media, truncated)
        _write(out, chunks(fmt, result.columns, rows, boolean=result.boolean, truncated=truncated))
        out.end()
        return
    answer = graph.answer(job.text, default_graph=job.default_graph, named_graphs=job.named_graphs,
                          allow_service=job.allow_service)
    try:
        if answer.triples is not None:
            media, _ = _pick(job.accept, dict.fromkeys(GRAPH_TYPES, ""), "an RDF graph (CONSTRUCT or DESCRIBE)")
            triples, truncated = _cut(answer.triples, job.max_rows)
            out.head("graph", media, truncated)
            graph.store.write_triples(triples, out, media)
        elif answer.boolean is None and not job.max_rows:  # no cut to make: the store's own writer, faster
            media, _ = _pick(job.accept, SOLUTION_TYPES, "a table of results (SELECT or ASK)")
            out.head("solutions", media, False)
            graph.store.write_solutions(answer, out, media)
        else:
            media, fmt = _pick(job.accept, SOLUTION_TYPES, "a table of results (SELECT or ASK)")
            rows, truncated = _cut(answer.rows, job.max_rows)
            out.head("boolean" if answer.boolean is not None else "solutions", media, truncated)
            _write(out, chunks(fmt, answer.columns, rows, boolean=answer.boolean, truncated=truncated))
    except OSError as exc:  # the store failed while the answer was read
        raise QueryError(f"the query failed: {exc}") from exc
    out.end()


def _write(out: Sender, pieces) -> None:
    for piece in pieces:
        out.write(piece)


def _cut(items, max_rows: int):
    """``items`` and whether there were more than ``max_rows`` (read one past the cut, so the head can say; with
    no cut, the first item is read before the head all the same, so that most failures come before it)."""
    if not max_rows:
        items = iter(items)
        first = list(itertools.islice(items, 1))
        return itertools.chain(first, items), False
    kept = list(itertools.islice(items, max_rows + 1))
    return iter(kept[:max_rows]), len(kept) > max_rows


class NotAcceptable(QueryError):
    """None of the media types a client accepts can hold this answer."""


ERRORS["NotAcceptable"] = NotAcceptable


def _pick(accept: tuple[str, ...], offered: dict[str, str], what: str) -> tuple[str, str]:
    for media in accept:
        if media in offered:
            return media, offered[media]
    raise NotAcceptable(f"the answer is {what}; it can be sent as {', '.join(offered)}, "
                        f"not as {', '.join(accept) or 'nothing'}")
