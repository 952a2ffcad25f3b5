"""The embedded on-disk store (Oxigraph through pyoxigraph): the only module that imports pyoxigraph."""

from __future__ import annotations

import errno
import itertools
import queue
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
from rdflib.term import BNode, Literal, Node, URIRef

from kg import faults
from kg.errors import QueryError, StoreBusy, StoreError, StoreFull
from kg.mapping import vocab
from kg.mapping.terms import XSD_STRING as _XSD_STRING
from kg.mapping.terms import Lit, Object, Triple
from kg.results import Result
from kg.store import Answer, Quad, nquads

_FULL = ("No space left on device", "File too large")  # RocksDB's words for ENOSPC and EFBIG
CHUNK_BYTES = 64 << 20  # N-Quads per bulk-loaded chunk file
REMOVE_BATCH = 100_000  # quads read ahead while a graph is removed
_CHUNKS = "kg-bulk-"  # the folder of a bulk load's chunk files
EXPORT_FORMATS = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "ntriples": ox.RdfFormat.N_TRIPLES,
                  "turtle": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML}


PREFIXES = {name.lower(): str(getattr(vocab, name)._NS) for name in  # the prefixes of Turtle answers
            ("FABIO", "CITO", "DCTERMS", "PRISM", "PRO", "FOAF", "DATACITE", "FRBR", "C4O", "BIRO", "OCO", "LITERAL")}


class OxigraphStore:
    """An Oxigraph store in a folder, created on first use. Queries see the union of all graphs by default."""

    def __init__(self, path: Path | None, *, read_only: bool = False) -> None:
        self.path, self.read_only = path, read_only
        try:
            if path is None:
                self._store = ox.Store()
            elif read_only:
                if not path.is_dir():
                    raise StoreError("no store here (kg load creates one)", source=str(path))
                self._store = _read_only(path)
            else:
                path.mkdir(parents=True, exist_ok=True)
                self._store = _open(path)
        except OSError as exc:
            if "lock" in str(exc).lower():
                raise StoreBusy("the store is in use by another kg process (a load, an unload, or kg serve); wait "
                                "for it to finish (--wait SECONDS waits for it)", source=str(path)) from exc
            raise failure(exc, "open the store", path) from exc
        self._iris: dict[str, ox.NamedNode] = {}

    def scope(self, meta_graph: str, base: str) -> None:
        """Nothing to do: queries here see every named graph, and only kg writes this store."""

    def _iri(self, iri: str) -> ox.NamedNode:
        node = self._iris.get(iri)
        if node is None:
            if len(self._iris) > 200_000:
                self._iris.clear()
            node = self._iris[iri] = ox.NamedNode(iri)
        return node

    def _quads(self, triples: Iterable[Triple], graph: str) -> Iterable[ox.Quad]:
        g, iri, lit_cache = self._iri(graph), self._iri, {}
        for s, p, o in triples:
            if type(o) is Lit:
                dt = lit_cache.get(o.datatype)
                if dt is None:
                    dt = lit_cache[o.datatype] = ox.NamedNode(o.datatype)
                obj = ox.Literal(o.value, datatype=dt)
            else:
                obj = iri(o)
            yield ox.Quad(iri(s), iri(p), obj, g)

    def add(self, triples: list[Triple], graph: str) -> None:
        """Adds triples to ``graph`` in one transaction: all of them or none."""
        try:
            self._store.extend(self._quads(triples, graph))
        except (OSError, ValueError, SyntaxError) as exc:
            raise failure(exc, "write to the store", self.path) from exc

    @contextmanager
    def bulk_writer(self) -> Iterator[Callable[[list[Triple], str], None]]:
        """A function that streams triples to Oxigraph's bulk loader, which runs on another thread.

        The triples are written as N-Quads into chunk files of CHUNK_BYTES; the loader thread bulk-loads each
        chunk as soon as it is complete (Oxigraph parses a file on several threads and releases the GIL), while
        the caller reads and maps the next one. Not transactional: what was loaded before a failure stays.
        Raises StoreError when the loader fails.
        """
        chunks: queue.Queue[Path | None] = queue.Queue(maxsize=2)
        failed: list[BaseException] = []
        folder = Path(tempfile.mkdtemp(prefix=_CHUNKS, dir=self.path))  # in the store: a killed load's are removed

        def load() -> None:
            while (chunk := chunks.get()) is not None:
                try:
                    if not failed:
                        self._store.bulk_load(path=str(chunk), format=ox.RdfFormat.N_QUADS)
                except BaseException as exc:  # noqa: BLE001 - handed to the writing thread
                    failed.append(exc)
                finally:
                    chunk.unlink()

        loader = threading.Thread(target=load, name="kg-bulk-load", daemon=True)
        loader.start()
        state = {"file": None, "path": None, "count": 0}

        def rotate() -> None:
            if state["file"] is not None:
                file, state["file"] = state["file"], None
                file.close()
                chunks.put(state["path"])

        def write(triples: list[Triple], graph: str) -> None:
            if failed:
                raise failure(failed[0], "bulk-load into the store", self.path)
            if state["file"] is None:
                state["count"] += 1
                state["path"] = folder / f"chunk-{state['count']}.nq"
                state["file"] = open(state["path"], "wb", buffering=1 << 20)
            try:
                state["file"].write(nquads.serialize(triples, graph).encode("utf-8"))
            except OSError as exc:
                raise failure(exc, "write the bulk loader's chunk file", self.path) from exc
            if state["file"].tell() >= CHUNK_BYTES:
                rotate()

        try:
            yield write
        finally:
            try:
                rotate()
            except OSError as exc:  # the last chunk could not be written whole: it is not loaded
                failed.append(exc)
            finally:  # the chunk files go whatever happened, so that they never keep a full disk full
                chunks.put(None)
                loader.join()
                shutil.rmtree(folder, ignore_errors=True)
        if failed:
            raise failure(failed[0], "bulk-load into the store", self.path)

    def quads_with(self, iri: str, *, as_object: bool = False, graph: str | None = None) -> list[Quad]:
        """Every quad of a named graph (or of ``graph``) with ``iri`` as its subject (or, with ``as_object``,
        as its object)."""
        node, g = self._iri(iri), None if graph is None else self._iri(graph)
        found = self._store.quads_for_pattern(None, None, node, g) if as_object else \
            self._store.quads_for_pattern(node, None, None, g)
        return [(q.subject.value, q.predicate.value, _object(q.object), q.graph_name.value)
                for q in found if isinstance(q.graph_name, ox.NamedNode) and isinstance(q.subject, ox.NamedNode)]

    def replace(self, remove: Iterable[Quad], add: Iterable[Quad]) -> None:
        """Removes some quads and adds others in one transaction."""
        def data(quads: Iterable[Quad]) -> str:
            return " ".join(f"GRAPH <{g}> {{ <{s}> <{p}> "
                            f"{nquads.literal(o.value, o.datatype) if type(o) is Lit else f'<{o}>'} }}"
                            for s, p, o, g in quads)
        self.update(f"DELETE DATA {{ {data(remove)} }} ; INSERT DATA {{ {data(add)} }}")

    def export(self, output: Path, fmt: str) -> None:
        """Writes the store to ``output`` (gzipped when its name ends in .gz), streamed: every named graph for
        nquads and trig; the union of the graphs (one RDF graph, each triple once) for ntriples, turtle, jsonld
        and rdfxml; with the SPAR prefixes where the format has them (a JSON-LD @context). Raises StoreError."""
        from kg.store import jsonld, output_file

        rdf_format = EXPORT_FORMATS[fmt]
        try:
            with output_file(output) as out:
                if fmt in ("nquads", "trig"):
                    self._store.dump(out, rdf_format, prefixes=PREFIXES if fmt == "trig" else None)
                    return
                triples = self._store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
                                            use_default_graph_as_union=True)
                if fmt == "jsonld":
                    jsonld.write(((t.subject.value, t.predicate.value, _object(t.object)) for t in triples), out,
                                 prefixes=PREFIXES)
                else:
                    ox.serialize(triples, out, rdf_format, prefixes=None if fmt == "ntriples" else PREFIXES)
        except (OSError, ValueError, SyntaxError) as exc:
            raise StoreError(f"cannot export: {exc}", source=str(output)) from exc

    def dump_graph(self, graph: str, output: BinaryIO) -> None:
        """Writes the quads of one named graph to ``output`` as N-Quads, as they are read (never held whole)."""
        try:
            ox.serialize(self._store.quads_for_pattern(None, None, None, self._iri(graph)), output,
                         ox.RdfFormat.N_QUADS)
        except (OSError, ValueError) as exc:
            raise StoreError(f"cannot read the store: {exc}", source=str(self.path)) from exc

    def load_shards(self, folder: Path, files: list[str]) -> None:
        """Loads gzipped N-Quads files (kg export --shards) with Oxigraph's bulk loader, one after another."""
        import gzip

        try:
            for name in files:
                with gzip.open(folder / name, "rb") as shard:
                    self._store.bulk_load(shard, ox.RdfFormat.N_QUADS)
        except (OSError, SyntaxError, ValueError) as exc:
            raise StoreError(f"cannot load the shards: {exc}", source=str(folder)) from exc

    def write_graph(self, data: bytes, media_type: str, graph: str, *, replace: bool) -> int:
        """Parses RDF (``media_type``) into ``graph``, after emptying it when ``replace`` (the Graph Store
        Protocol's PUT; POST adds); returns how many triples were given. Raises QueryError for bad RDF."""
        fmt = ox.RdfFormat.from_media_type(media_type)
        if fmt is None:
            raise QueryError(f"cannot read RDF as {media_type or 'no content type'}")
        target = self._iri(graph)
        try:
            quads = [ox.Quad(q.subject, q.predicate, q.object, target)
                     for q in ox.parse(data, fmt, base_iri=graph, without_named_graphs=True, rename_blank_nodes=True)]
        except (SyntaxError, ValueError) as exc:
            raise QueryError(f"the RDF is malformed: {exc}") from None
        if replace:
            self.remove_graph(graph)
        try:
            self._store.extend(quads)
        except (OSError, ValueError) as exc:
            raise failure(exc, "write to the store", self.path) from exc
        return len(quads)

    def has_graph(self, graph: str) -> bool:
        return self._store.contains_named_graph(self._iri(graph))

    def remove_graph(self, graph: str) -> None:
        """Removes a named graph and every quad in it (nothing if it does not exist), REMOVE_BATCH quads at a
        time: Oxigraph's own remove_graph is one transaction holding every removal in memory (a 2.1 M-quad source
        graph: 157 s of CPU and 2.9 GB, against 90 s one quad at a time). Killed half-way, the graph is partly
        gone; the caller's mark (an unload's, a replacement's) has it removed again."""
        node = self._iri(graph)
        if not self._store.contains_named_graph(node):
            return
        try:
            while batch := list(itertools.islice(self._store.quads_for_pattern(None, None, None, node), REMOVE_BATCH)):
                half = len(batch) // 2
                for quad in batch[:half]:
                    self._store.remove(quad)
                faults.point("remove:midway")  # a graph half removed
                for quad in batch[half:]:
                    self._store.remove(quad)
            self._store.remove_graph(node)
        except OSError as exc:
            raise failure(exc, "remove a graph from the store", self.path) from exc

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def query(self, text: str, *, union: bool = True, default_graph: list[str] | None = None,
              named_graphs: list[str] | None = None, limit: int | None = None) -> Result:
        """Runs a SPARQL query (CONSTRUCT and DESCRIBE give subject, predicate, object rows); raises QueryError
        with the store's reason when it fails. ``union``: the default graph is the union of the named graphs
        (else the query's FROM clauses, or the store's default graph); ``default_graph`` and ``named_graphs``
        set the dataset instead (the SPARQL protocol's default-graph-uri and named-graph-uri). ``limit`` keeps
        the first rows only."""
        answer = self.answer(text, union=union, default_graph=default_graph, named_graphs=named_graphs)
        if answer.boolean is not None:
            return Result(boolean=answer.boolean)
        try:
            if answer.triples is not None:  # CONSTRUCT and DESCRIBE: one row per triple
                rows = [(_term(t.subject), _term(t.predicate), _term(t.object))
                        for t in itertools.islice(answer.triples, limit)]
                return Result(("subject", "predicate", "object"), rows)
            return Result(answer.columns, list(itertools.islice(answer.rows, limit)))
        except OSError as exc:
            raise QueryError(f"the query failed: {exc}") from exc

    def answer(self, text: str, *, union: bool = True, default_graph: list[str] | None = None,
               named_graphs: list[str] | None = None) -> Answer:
        """The store's answer, read lazily as it is iterated (rows raise OSError if evaluation fails later)."""
        dataset: dict[str, object] = {}
        if default_graph is not None:
            dataset["default_graph"] = [self._iri(g) for g in default_graph]
        if named_graphs is not None:
            dataset["named_graphs"] = [self._iri(g) for g in named_graphs]
        try:
            answer = self._store.query(text, use_default_graph_as_union=union and not dataset, **dataset)
        except (SyntaxError, OSError, ValueError) as exc:
            raise QueryError(f"the query failed: {exc}") from exc
        if isinstance(answer, ox.QueryBoolean):
            return Answer(boolean=bool(answer))
        if isinstance(answer, ox.QueryTriples):
            return Answer(triples=answer)
        columns = tuple(v.value for v in answer.variables)
        return Answer(columns=columns, rows=(tuple(_term(s[i]) for i in range(len(columns))) for s in answer),
                      solutions=answer)

    @staticmethod
    def write_solutions(answer: Answer, output: BinaryIO, media_type: str) -> None:
        """Writes a whole SELECT answer (none of its rows read yet) with the store's own serializer, as it comes:
        SPARQL JSON, XML, CSV or TSV by ``media_type``."""
        try:
            answer.solutions.serialize(output, ox.QueryResultsFormat.from_media_type(media_type))
        except OSError as exc:
            raise QueryError(f"the query failed: {exc}") from exc

    @staticmethod
    def write_triples(triples: Iterable[object], output: BinaryIO, media_type: str) -> None:
        """Writes an answer's triples to ``output`` in the RDF format of ``media_type``, as they come."""
        fmt = ox.RdfFormat.from_media_type(media_type)
        if fmt is None:
            raise QueryError(f"no RDF format for {media_type}")
        try:
            ox.serialize(triples, output, format=fmt, prefixes=PREFIXES if fmt.supports_datasets is False else None)
        except OSError as exc:
            raise QueryError(f"the query failed: {exc}") from exc

    def stream(self, text: str, *, union: bool = True) -> Iterator[tuple[Node | None, ...]]:
        """Runs a SELECT query and yields its rows one at a time, as rdflib terms, without holding them all
        (a sweep over every article of a big store); raises QueryError."""
        try:
            for solution in self._store.query(text, use_default_graph_as_union=union):
                yield tuple(_term(term) for term in solution)
        except (SyntaxError, OSError, ValueError) as exc:
            raise QueryError(f"the query failed: {exc}") from exc

    def copy_quads(self, nodes: Iterable[str], into: Callable[[str], list[OxigraphStore]], *,
                   predicate: str | None = None, as_object: bool = False) -> int:
        """Copies every quad with one of ``nodes`` as subject (or, with ``as_object``, as object), and
        ``predicate`` when given, into the stores ``into(graph)`` returns for the quad's named graph (none: left
        out), without turning terms into Python objects; returns how many were copied."""
        p = None if predicate is None else self._iri(predicate)
        by_graph: dict[str, list[ox.Quad]] = {}
        for iri in nodes:
            node = self._iri(iri)
            found = self._store.quads_for_pattern(None, p, node, None) if as_object else \
                self._store.quads_for_pattern(node, p, None, None)
            for quad in found:
                if isinstance(quad.graph_name, ox.NamedNode):
                    by_graph.setdefault(quad.graph_name.value, []).append(quad)
        copied = 0
        for graph, quads in by_graph.items():
            targets = into(graph)
            for target in targets:
                target._store.extend(quads)
            copied += len(quads) if targets else 0
        return copied

    @property
    def native(self) -> ox.Store:
        """The pyoxigraph Store itself, for a library that works on one in place (pySHACL validates it)."""
        return self._store

    def update(self, text: str) -> None:
        try:
            self._store.update(text)
        except (SyntaxError, OSError, ValueError) as exc:
            raise failure(exc, "update the store", self.path) from exc

    def flush(self) -> None:
        """Makes what was written durable; raises StoreError (StoreFull when the disk is full)."""
        if self.path is not None and not self.read_only:
            try:
                self._store.flush()
            except OSError as exc:
                raise failure(exc, "write to the store", self.path) from exc

    def close(self) -> None:
        """Flushes and lets go of the store, even when the flush fails (which raises StoreError)."""
        try:
            self.flush()
        finally:
            del self._store


def _read_only(path: Path, attempts: int = 20) -> ox.Store:
    """Opens a store read-only while its writer may be running: the writer can remove a file between the moment
    the reader reads the list of files and the moment it opens them (RocksDB then says Corruption), so the open
    is tried again; once open, the reader holds its files and reads a fixed snapshot."""
    for attempt in range(attempts):
        try:
            return ox.Store.read_only(str(path))
        except (OSError, RuntimeError) as exc:
            if attempt == attempts - 1 or "No such file" not in str(exc):
                raise OSError(str(exc)) from exc
            time.sleep(0.05)
    raise AssertionError("unreachable")


def failure(exc: BaseException, doing: str, path: Path | None) -> StoreError:
    """The StoreError for ``exc`` met while ``doing``: StoreFull, saying what is free, when the disk is full (ENOSPC,
    or EFBIG past a file size limit)."""
    full = getattr(exc, "errno", None) in (errno.ENOSPC, errno.EFBIG) or any(s in str(exc) for s in _FULL)
    if not full:
        return StoreError(f"cannot {doing}: {exc}", source=str(path))
    try:
        free = f"{shutil.disk_usage(path).free / (1 << 20):.1f} MB free"
    except OSError:
        free = "free space unknown"
    return StoreFull(f"cannot {doing}: the disk that holds the store is full ({free})", source=str(path))


def _open(path: Path) -> ox.Store:
    """The store in ``path``, to write to, after removing what a killed bulk load left there: once the store is
    open (its lock keeps other writers out), and also when it cannot open, so that leftover chunk files never keep
    a full disk full (it is then tried once more)."""
    try:
        store = ox.Store(str(path))
    except OSError as exc:
        if "lock" in str(exc).lower() or not _remove_leftovers(path):
            raise
        store = ox.Store(str(path))
    _remove_leftovers(path)
    return store


def _remove_leftovers(path: Path) -> bool:
    """Removes what a killed bulk load left in the store's folder: kg's N-Quads chunks and Oxigraph's bulk-*.sst
    files not yet ingested (the store is open, so its lock keeps any other writer out)."""
    found = [*path.glob(_CHUNKS + "*"), *path.glob("bulk-*.sst")]
    for leftover in found:
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)
    return bool(found)


def _object(term: ox.NamedNode | ox.Literal | ox.BlankNode) -> Object:
    if isinstance(term, ox.Literal):
        return Lit(term.value, term.datatype.value)
    return term.value


def _term(term: object) -> Node | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)  # the lexical form as stored
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    return Literal(str(term))
