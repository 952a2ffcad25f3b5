"""A remote SPARQL 1.1 store (Virtuoso, Fuseki, GraphDB, Oxigraph's server, ...): queries and updates through
SPARQLWrapper, writes in bounded batches by the Graph Store Protocol (else INSERT DATA), the union of kg's graphs
as the default graph of queries (sent as the protocol's dataset), answers cut by the server detected."""

from __future__ import annotations

import queue
import re
import threading
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from rdflib.term import Literal, Node, URIRef

from kg.errors import QueryError, StoreError
from kg.mapping.terms import XSD_DURATION, Lit, Object, Triple
from kg.mapping.vocab import PROV
from kg.results import Result, chunks
from kg.store import Answer, Quad, nquads
from kg.store.client import KEPT_DURATION, Client, Cut, rows

BATCH_TRIPLES = 50_000  # triples per Graph Store Protocol request (about 8 MB of N-Triples)
DATA_TRIPLES = 1_000  # triples per INSERT DATA / DELETE DATA request (Virtuoso fails above ~1,000 without its
# DEFINE sql:big-data-const 1, and ~4,900 with it)
PAGE = 10_000  # rows per page where kg reads a whole graph without the Graph Store Protocol (Virtuoso sorts
# at most 10,000 rows for one)
_FORM = re.compile(r"(?is)^(?:\s|#[^\n]*\n|(?:PREFIX|BASE)\s[^<]*<[^>]*>|DEFINE\s+\S+\s+(?:\"[^\"]*\"|\S+))*\s*"
                   r"(SELECT|ASK|CONSTRUCT|DESCRIBE)\b")
_DURATION_TYPE = f"^^<{XSD_DURATION}>"


class RemoteStore:
    """A SPARQL 1.1 server. ``update_endpoint`` defaults to the query endpoint; ``graph_store`` (the Graph Store
    Protocol) is used for writes when given. Credentials: ``user`` with ``password`` (digest or basic, as the
    server asks) or a bearer ``token``; ``isql`` (Virtuoso's SQL port, HOST:PORT, default the endpoint's host and
    1111) for its bulk loader. Raises StoreError when the server cannot be reached."""

    def __init__(self, endpoint: str, *, update_endpoint: str | None = None, graph_store: str | None = None,
                 user: str | None = None, password: str | None = None, token: str | None = None,
                 read_only: bool = False, batch: int = BATCH_TRIPLES, isql: str | None = None) -> None:
        self.path: Path | None = None
        self.user, self.password = user, password
        self.isql = isql or f"{urllib.parse.urlsplit(endpoint).hostname or '127.0.0.1'}:1111"
        self.endpoint, self.read_only, self.batch = endpoint, read_only, batch
        self.client = Client(endpoint, update_endpoint or endpoint, graph_store, user, password, token, retries=2)
        _, headers = self.client.query("ASK {}", form="ASK")
        self.client.server = headers.get("server", "")
        self.client.retries = 6
        self._kg: tuple[str, str] | None = None  # (meta graph, base IRI) once KnowledgeGraph says
        self._union: list[str] | None = None

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoint!r})"

    # -- which graphs are kg's ----------------------------------------------------------------------------------
    def scope(self, meta_graph: str, base: str) -> None:
        """Names kg's graphs: the meta graph and those under ``base``graph/. Queries with ``union`` read these
        graphs only (a fresh Virtuoso holds ~2,500 triples of its own in other graphs)."""
        self._kg, self._union = (meta_graph, base), None

    def union_graphs(self) -> list[str]:
        """kg's graphs: the meta graph, provenance, derived and inferred graphs, and every source described in
        the provenance graph (read again after each write of this process)."""
        if self._kg is None:
            raise StoreError("kg's graphs are not known yet (open the store through KnowledgeGraph)",
                             source=self.endpoint)
        if self._union is None:
            meta, base = self._kg
            provenance = f"{base}graph/provenance"
            answer, _ = self.client.query(f"SELECT ?g WHERE {{ GRAPH <{provenance}> {{ ?g a <{PROV.Entity}> }} }}",
                                          form="SELECT", named_graphs=[provenance])
            sources = {str(row[0]) for row in rows(answer)[1]}
            self._union = sorted({meta, provenance, f"{base}graph/derived", f"{base}graph/inferred"} | sources)
        return self._union

    def _changed(self) -> None:
        self._union = None

    # -- queries ------------------------------------------------------------------------------------------------
    def query(self, text: str, *, union: bool = True, default_graph: list[str] | None = None,
              named_graphs: list[str] | None = None, limit: int | None = None) -> Result:
        """Runs a SPARQL query (CONSTRUCT and DESCRIBE give subject, predicate, object rows); raises QueryError,
        also when the server cut the answer (its row or time limit). ``union``: the default graph is the union
        of kg's graphs (else the query's FROM clauses, or the server's default graph)."""
        answer = self.answer(text, union=union, default_graph=default_graph, named_graphs=named_graphs)
        if answer.boolean is not None:
            return Result(boolean=answer.boolean)
        if answer.triples is not None:
            return Result(("subject", "predicate", "object"), [tuple(t) for t in list(answer.triples)[:limit]])
        return Result(answer.columns, list(answer.rows)[:limit])

    def answer(self, text: str, *, union: bool = True, default_graph: list[str] | None = None,
               named_graphs: list[str] | None = None) -> Answer:
        """The whole answer, read at once (a SPARQL server sends it whole); raises QueryError."""
        form = _form(text)
        if default_graph is None and named_graphs is None and union:
            default_graph = named_graphs = self.union_graphs()
        body, _ = self.client.query(self._encoded(text), form=form, default_graph=default_graph,
                                    named_graphs=named_graphs)
        if form == "ASK":
            return Answer(boolean=bool(body.get("boolean")))
        if form in ("CONSTRUCT", "DESCRIBE"):
            return Answer(triples=iter(_triples(body)))
        columns, found = rows(body)
        return Answer(columns=columns, rows=iter(found))

    def stream(self, text: str, *, union: bool = True) -> Iterator[tuple[Node | None, ...]]:
        """A SELECT's rows; an answer longer than the server's row limit is read in pages (ordered by its
        variables), so nothing is cut."""
        try:
            yield from self.query(text, union=union).rows
        except Cut as cut:
            if cut.limit is None or re.search(r"(?i)\b(LIMIT|OFFSET|ORDER\s+BY)\b[^}]*$", text):
                raise
            variables = re.search(r"(?is)SELECT\s+(?:DISTINCT\s+|REDUCED\s+)?((?:\?\w+\s*)+)WHERE", text)
            if variables is None:
                raise
            size = max(1, cut.limit - 1)  # a page of exactly the limit is flagged as cut too
            for offset in range(0, 1 << 62, size):
                page = self.query(f"{text}\nORDER BY {variables.group(1)}LIMIT {size} OFFSET {offset}",
                                  union=union).rows
                yield from page
                if len(page) < size:
                    return

    def quads_with(self, iri: str, *, as_object: bool = False, graph: str | None = None) -> list[Quad]:
        """Every quad of kg's graphs (or of ``graph``) with ``iri`` as its subject (or, with ``as_object``, its
        object)."""
        pattern = f"?s ?p <{iri}>" if as_object else f"<{iri}> ?p ?o"
        graphs = [graph] if graph is not None else self.union_graphs()
        answer, _ = self.client.query(self._encoded(f"SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ {pattern} }} }}"),
                                      form="SELECT", named_graphs=graphs)
        return [(iri if not as_object else str(s), str(p), iri if as_object else _object(o), str(g))
                for g, s, p, o in rows(answer)[1]]

    def copy_quads(self, nodes: Iterable[str], into: Callable[[str], list], *, predicate: str | None = None,
                   as_object: bool = False) -> int:
        """Copies every quad with one of ``nodes`` as subject (or object), and ``predicate`` when given, into the
        stores ``into(graph)`` returns for its named graph (none: left out); returns how many were copied."""
        p = f"<{predicate}>" if predicate else "?p"
        by_graph: dict[str, list[Triple]] = {}
        nodes = list(nodes)
        for start in range(0, len(nodes), 500):
            values = "VALUES ?n { " + " ".join(f"<{n}>" for n in nodes[start:start + 500]) + " }"
            pattern = f"?s {p} ?n BIND(?n AS ?o)" if as_object else f"?n {p} ?o BIND(?n AS ?s)"
            text = f"SELECT ?g ?s ?p ?o WHERE {{ {values} GRAPH ?g {{ {pattern} }} BIND({p} AS ?p) }}"
            for g, s, pr, o in self.stream_graphs(text):
                by_graph.setdefault(str(g), []).append((str(s), str(pr), _object(o)))
        copied = 0
        for graph, triples in by_graph.items():
            for target in (targets := into(graph)):
                target.add(triples, graph)
            copied += len(triples) if targets else 0
        return copied

    def stream_graphs(self, text: str) -> list[tuple]:
        """A SELECT whose GRAPH patterns range over kg's graphs."""
        answer, _ = self.client.query(self._encoded(text), form="SELECT", named_graphs=self.union_graphs())
        return rows(answer)[1]

    def has_graph(self, graph: str) -> bool:
        answer, _ = self.client.query(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", form="ASK", named_graphs=[graph])
        return bool(answer.get("boolean"))

    def graphs(self) -> list[str]:
        """kg's graphs that hold something."""
        return [g for g in self.union_graphs() if self.has_graph(g)]

    # -- writes -------------------------------------------------------------------------------------------------
    def update(self, text: str) -> None:
        """Runs a SPARQL Update, one request (the server's transaction); raises StoreError."""
        self._writable()
        prefix = "DEFINE sql:big-data-const 1\n" if self.client.virtuoso else ""
        try:
            self.client.update(prefix + self._encoded(text))
        finally:
            self._changed()

    def add(self, triples: list[Triple], graph: str) -> None:
        """Adds triples to ``graph`` in requests of at most ``batch`` triples (the Graph Store Protocol) or
        DATA_TRIPLES (INSERT DATA): each request is all or nothing, the whole is not."""
        self._writable()
        try:
            if self.client.graph_store:
                for start in range(0, len(triples), self.batch):
                    self.client.post_graph(graph, self._ntriples(triples[start:start + self.batch]).encode("utf-8"))
            else:
                for start in range(0, len(triples), DATA_TRIPLES):
                    quads = [(s, p, o, graph) for s, p, o in triples[start:start + DATA_TRIPLES]]
                    self.client.update(self._data_prefix() + f"INSERT DATA {{ {self._data(quads)} }}")
        finally:
            self._changed()

    @contextmanager
    def bulk_writer(self) -> Iterator[Callable[[list[Triple], str], None]]:
        """A function that collects triples into batches of ``batch`` and sends each from another thread while
        the caller maps the next. Raises StoreError when a request fails (what went before stays)."""
        self._writable()
        batches: queue.Queue[tuple[list[Triple], str] | None] = queue.Queue(maxsize=2)
        failure: list[BaseException] = []
        pending: dict[str, list[Triple]] = {}

        def send() -> None:
            while (item := batches.get()) is not None:
                if not failure:
                    try:
                        self.add(*item)
                    except BaseException as exc:  # noqa: BLE001 - handed to the writing thread
                        failure.append(exc)

        sender = threading.Thread(target=send, name="kg-remote-write", daemon=True)
        sender.start()

        def write(triples: list[Triple], graph: str) -> None:
            if failure:
                raise StoreError(f"writing to the server failed: {failure[0]}", source=self.endpoint)
            batch = pending.setdefault(graph, [])
            batch.extend(triples)
            if len(batch) >= self.batch:
                batches.put((batch, graph))
                pending[graph] = []

        try:
            yield write
        finally:
            for graph, batch in pending.items():
                if batch and not failure:
                    batches.put((batch, graph))
            batches.put(None)
            sender.join()
            self._changed()
        if failure:
            raise failure[0] if isinstance(failure[0], StoreError) else \
                StoreError(f"writing to the server failed: {failure[0]}", source=self.endpoint)

    def replace(self, remove: Iterable[Quad], add: Iterable[Quad]) -> None:
        """Removes some quads and adds others, in requests of bounded size: a changed value (the same subject,
        predicate and graph) is removed before its new value is added, in requests of their own, since Virtuoso
        holds "2025-02"^^xsd:gYearMonth and "2025-02-01"^^xsd:date as one value and would take the new one away
        with the old; the rest is added before it is removed, so that an interrupted rename loses nothing (a
        rename found half done is found and done again by identity; a lost figure is repaired by the rerun)."""
        self._writable()
        add, remove = list(add), list(remove)
        changed = {(str(s), str(p), str(g)) for s, p, _, g in add}  # str: an rdflib term equals no plain str
        self._delete([q for q in remove if (str(q[0]), str(q[1]), str(q[3])) in changed])
        by_graph: dict[str, list[Triple]] = {}
        for s, p, o, g in add:
            by_graph.setdefault(g, []).append((s, p, o))
        for graph, triples in by_graph.items():
            self.add(triples, graph)
        self._delete([q for q in remove if (str(q[0]), str(q[1]), str(q[3])) not in changed])

    def _delete(self, quads: list[Quad]) -> None:
        for start in range(0, len(quads), DATA_TRIPLES):
            self.update(f"DELETE DATA {{ {self._data(quads[start:start + DATA_TRIPLES])} }}")

    def write_graph(self, data: bytes, media_type: str, graph: str, *, replace: bool) -> int:
        """Parses RDF and writes it into ``graph`` (emptied first when ``replace``); returns the triples given."""
        import rdflib

        parsed = rdflib.Graph()
        try:
            parsed.parse(data=data, format=media_type, publicID=graph)
        except Exception as exc:  # noqa: BLE001 - rdflib raises many kinds for bad input
            raise QueryError(f"the RDF is malformed: {exc}") from None
        triples = [(str(s), str(p), _object(o)) for s, p, o in parsed]
        if replace:
            self.remove_graph(graph)
        self.add(triples, graph)
        return len(triples)

    def load_shards(self, folder: Path, files: list[str]) -> None:
        """Loads gzipped N-Quads files (kg export --shards) with Virtuoso's bulk loader over isql, as dba: the
        folder must be on the server's disk and in its DirsAllowed. Raises StoreError on other servers."""
        from kg.store import bulk
        from kg.store.shards import Manifest

        self._writable()
        if not self.client.virtuoso:
            raise StoreError("kg load --bulk drives Virtuoso's bulk loader; load the shards into this server with "
                             "its own loader (the README shows QLever's and Fuseki's)", source=self.endpoint)
        shards = {s.file: s for s in Manifest.read(folder, check=False).files}
        try:
            bulk.load(folder, [shards[name] for name in files], address=self.isql, user=self.user or "dba",
                      password=self.password or "")
        finally:
            self._changed()

    def remove_graph(self, graph: str) -> None:
        """Removes a named graph (nothing if it does not exist). Virtuoso: without its transaction log, so that a
        graph of millions of triples goes (interrupted, part of it stays, and kg removes it again)."""
        self._writable()
        try:
            if self.client.graph_store:
                self.client.delete_graph(graph)
            else:
                self.client.update(f"DROP SILENT GRAPH <{graph}>")
        finally:
            self._changed()

    # -- files and the server's own answers ---------------------------------------------------------------------
    def export(self, output: Path, fmt: str) -> None:
        """Writes kg's graphs to ``output`` (gzipped when its name ends in .gz): N-Quads graph by graph in pages;
        the other formats through a temporary embedded store on disk (kg's one writer of each format), filled
        graph by graph, so that no graph is ever held whole in memory. Raises StoreError."""
        import tempfile

        from kg.store import output_file
        from kg.store.oxigraph import OxigraphStore

        try:
            if fmt == "nquads":
                with output_file(output) as out:
                    for graph in self.union_graphs():
                        self.dump_graph(graph, out)
                return
            with tempfile.TemporaryDirectory(prefix="kg-export-", dir=output.resolve().parent) as work:
                shard = Path(work) / "graph.nq.gz"
                with output_file(shard) as out:
                    for graph in self.union_graphs():
                        self.dump_graph(graph, out)
                local = OxigraphStore(Path(work) / "store")
                local.load_shards(Path(work), [shard.name])
                local.export(output, fmt)
                local.close()
        except OSError as exc:
            raise StoreError(f"cannot export: {exc}", source=str(output)) from exc

    def dump_graph(self, graph: str, output: BinaryIO) -> None:
        """Writes the quads of one named graph to ``output`` as N-Quads: streamed by the Graph Store Protocol
        (N-Triples, the graph added to each line) where the store offers it, else read in pages of rows (Virtuoso
        sorts at most 10,000 rows for a page: give it --graph-store). Raises StoreError when what came is not the
        whole graph (a server's row limit)."""
        expected = int(self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
                                  union=False, named_graphs=[graph]).rows[0][0])
        written = 0
        if self.client.graph_store:
            suffix, rest = f" <{graph}> .\n".encode(), b""
            kept, duration = f"<{KEPT_DURATION}>".encode(), f"<{XSD_DURATION}>".encode()
            for chunk in [*self.client.get_graph(graph), b"\n"]:  # a line end after the last line
                chunk = rest + chunk
                end = chunk.rfind(b"\n") + 1
                lines = [line.rstrip().removesuffix(b".").rstrip() + suffix
                         for line in chunk[:end].splitlines() if line.strip() and not line.startswith(b"#")]
                output.write(b"".join(lines).replace(kept, duration))
                written, rest = written + len(lines), chunk[end:]
        else:
            for _, page in _pages(self.quads(graph)):
                output.write(nquads.serialize([q[:3] for q in page], graph).encode("utf-8"))
                written += len(page)
        if written != expected:
            raise StoreError(f"the server gave {written} of the {expected} triples of {graph} (its row limit?)",
                             source=self.endpoint)

    def quads(self, graph: str) -> Iterator[Quad]:
        """Every quad of ``graph``, read in pages of PAGE ordered rows."""
        for offset in range(0, 1 << 62, PAGE):
            answer, _ = self.client.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} ORDER BY ?s "
                                          f"?p ?o LIMIT {PAGE} OFFSET {offset}", form="SELECT", named_graphs=[graph])
            found = rows(answer)[1]
            yield from ((str(s), str(p), _object(o), graph) for s, p, o in found)
            if len(found) < PAGE:
                return

    @staticmethod
    def write_solutions(answer: Answer, output: BinaryIO, media_type: str) -> None:
        from kg.workers import SOLUTION_TYPES

        for piece in chunks(SOLUTION_TYPES[media_type], answer.columns, answer.rows, boolean=answer.boolean):
            output.write(piece.encode("utf-8"))

    @staticmethod
    def write_triples(triples: Iterable[object], output: BinaryIO, media_type: str) -> None:
        import rdflib

        graph = rdflib.Graph()
        for triple in triples:
            graph.add(tuple(triple))
        output.write(graph.serialize(format=media_type, encoding="utf-8"))

    def flush(self) -> None:
        """Nothing to do: every request is committed by the server when it answers."""

    def close(self) -> None:
        """Nothing to release: every request is its own connection."""

    # -- helpers ------------------------------------------------------------------------------------------------
    def _writable(self) -> None:
        if self.read_only:
            raise StoreError("the store is open read-only", source=self.endpoint)

    def _encoded(self, text: str) -> str:
        """Virtuoso keeps no xsd:duration as written: kg stores them under a datatype of its own there."""
        return text.replace(_DURATION_TYPE, f"^^<{KEPT_DURATION}>") if self.client.virtuoso else text

    def _ntriples(self, triples: list[Triple]) -> str:
        return self._encoded(nquads.serialize(triples, None))

    def _data(self, quads: list[Quad]) -> str:
        by_graph: dict[str, list[Triple]] = {}
        for s, p, o, g in quads:
            by_graph.setdefault(g, []).append((s, p, o))
        return " ".join(f"GRAPH <{g}> {{ {self._ntriples(t)} }}" for g, t in by_graph.items())

    def _data_prefix(self) -> str:
        return "DEFINE sql:big-data-const 1\n" if self.client.virtuoso else ""


def _pages(items: Iterable, size: int = 10_000) -> Iterator[tuple[int, list]]:
    page: list = []
    for item in items:
        page.append(item)
        if len(page) == size:
            yield 0, page
            page = []
    if page:
        yield 0, page


def _form(text: str) -> str:
    found = _FORM.match(text)
    if found is None:
        raise QueryError("not a SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE)")
    return found.group(1).upper()


def _object(term: Node) -> Object:
    if isinstance(term, Literal):
        return Lit(str(term), str(term.datatype) if term.datatype else nquads.XSD_STRING) if not term.language \
            else Lit(str(term), nquads.XSD_STRING)
    return str(term)


def _triples(body: bytes) -> list[tuple[Node, Node, Node]]:
    import rdflib

    graph = rdflib.Graph()
    graph.parse(data=body, format="turtle")
    found = []
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype == URIRef(KEPT_DURATION):
            o = Literal(str(o), datatype=URIRef(XSD_DURATION), normalize=False)
        found.append((s, p, o))
    return found

