"""The Python API: a KnowledgeGraph over a store, to load sources and answer canned and free SPARQL queries."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib.term import Literal, URIRef

from kg.errors import QueryError, StoreError
from kg.guard import check_query
from kg.mapping.iris import DEFAULT_BASE_IRI, Minter
from kg.mapping.terms import Lit
from kg.mapping.vocab import DATACITE, DCTERMS, FABIO, FOAF, KGV
from kg.identifiers import parse_curie
from kg.pipeline import Loader, LoadReport
from kg.readers.limits import MAX_BYTES
from kg.sources import Registry
from kg.queries import CannedQuery, ParamType, bind, catalogue, is_iri
from kg.records import Scheme
from kg.results import Result
from kg.store import Answer, Store
from kg.store.oxigraph import OxigraphStore
from kg.store.shards import Manifest, export_shards, load_shards

META_GRAPH = str(KGV._NS) + "meta"
_BASE_PROPERTY = str(KGV.baseIri)


@dataclass(frozen=True, slots=True)
class Remote:
    """Where a remote SPARQL 1.1 store is, and the credentials to write to it (never from the command line:
    ``credentials`` reads $KG_PASSWORD, $KG_TOKEN or a file)."""

    endpoint: str
    update_endpoint: str | None = None
    graph_store: str | None = None
    user: str | None = None
    password: str | None = None
    token: str | None = None
    isql: str | None = None  # Virtuoso's SQL port (HOST:PORT), for kg load --bulk

    def open(self, *, read_only: bool = False) -> Store:
        from kg.store.remote import RemoteStore

        return RemoteStore(self.endpoint, update_endpoint=self.update_endpoint, graph_store=self.graph_store,
                           user=self.user, password=self.password, token=self.token, read_only=read_only,
                           isql=self.isql)


def credentials(file: Path | None = None) -> tuple[str | None, str | None]:
    """(password, token): from ``file`` (its first line is the password), else $KG_PASSWORD and $KG_TOKEN.
    Raises StoreError when the file cannot be read."""
    if file is not None:
        try:
            return file.read_text(encoding="utf-8").splitlines()[0].strip() or None, None
        except (OSError, UnicodeDecodeError, IndexError) as exc:
            raise StoreError(f"cannot read the password file: {exc}", source=str(file)) from None
    return os.environ.get("KG_PASSWORD") or None, os.environ.get("KG_TOKEN") or None


class KnowledgeGraph:
    """A bibliographic graph in an embedded on-disk store (created on first use).

    >>> with KnowledgeGraph("kg-store") as kg:                           # doctest: +SKIP
    ...     kg.load(["pubmed.xml.gz"])
    ...     kg.query("citing-articles", article="pmid:21933757").dicts()

    ``path=None`` keeps the store in memory; ``path`` may also be a ``Remote`` (see ``KnowledgeGraph.remote``).
    ``base_iri`` is fixed when the store is created; opening it later with another base raises StoreError.
    """

    def __init__(self, path: str | Path | Remote | None = "kg-store", *, base_iri: str | None = None,
                 queries: Path | None = None, read_only: bool = False) -> None:
        self.store: Store = path.open(read_only=read_only) if isinstance(path, Remote) else \
            OxigraphStore(None if path is None else Path(path), read_only=read_only)
        self.read_only = read_only
        self.minter = Minter(self._base_iri(base_iri))
        self._queries_folder = queries
        self._catalogue: dict[str, CannedQuery] | None = None

    @classmethod
    def remote(cls, endpoint: str, *, update_endpoint: str | None = None, graph_store: str | None = None,
               user: str | None = None, password: str | None = None, token: str | None = None,
               isql: str | None = None, base_iri: str | None = None, queries: Path | None = None,
               read_only: bool = False) -> KnowledgeGraph:
        """A graph in a remote SPARQL 1.1 store: ``endpoint`` answers queries, ``update_endpoint`` (default: the
        same) updates, ``graph_store`` (the Graph Store Protocol, optional) takes the loads' writes in big
        batches, ``isql`` (Virtuoso's SQL port, HOST:PORT) runs its bulk loader for ``load_shards``. Virtuoso:
        ``/sparql``, ``/sparql-auth`` and ``/sparql-graph-crud-auth`` with user ``dba``.

        >>> kg = KnowledgeGraph.remote("http://127.0.0.1:8890/sparql", user="dba", password="...")  # doctest: +SKIP
        """
        return cls(Remote(endpoint, update_endpoint, graph_store, user, password, token, isql), base_iri=base_iri,
                   queries=queries, read_only=read_only)

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        try:
            self.close()
        except StoreError:
            if error is None:  # else the error under way says more (a full disk fails the close too)
                raise

    def close(self) -> None:
        self.store.close()

    def _base_iri(self, requested: str | None) -> str:
        stored = self.store.query(f"SELECT ?b WHERE {{ GRAPH <{META_GRAPH}> {{ <{META_GRAPH}> <{_BASE_PROPERTY}> ?b }} }}",
                                  union=False)
        if stored.rows:
            base = str(stored.rows[0][0])
            if requested and requested != base:
                raise StoreError(f"the store was created with base IRI {base}, not {requested}",
                                 source=str(self.store.path))
            self.store.scope(META_GRAPH, base)
            return base
        base = requested or DEFAULT_BASE_IRI
        Minter(base)  # validates before anything is written
        self.store.scope(META_GRAPH, base)
        if self.read_only:
            return base
        self.store.add([(META_GRAPH, _BASE_PROPERTY, Lit(base))], META_GRAPH)
        return base

    # -- loading --------------------------------------------------------------------------------------------
    def load(self, paths: Iterable[str | Path] | str | Path, *, format: str | None = None,
             progress: bool = False, strict: bool = False, max_bytes: int = MAX_BYTES) -> LoadReport:
        """Loads files, folders, pipes or ``-`` (stdin); each source into its own named graph. Never raises for bad
        input: failures and skipped records are in the report. ``strict``: the first bad record fails its
        source (what came before it stays, marked incomplete) and ends the load. ``max_bytes``: the most read of
        one source (a longer one fails)."""
        if isinstance(paths, (str, Path)):
            paths = [paths]
        return Loader(self.store, self.minter, progress=progress, strict=strict,
                      max_bytes=max_bytes).load(paths, format=format)

    def sources(self) -> list[dict[str, object]]:
        """The loaded sources, one dict each: graph, label, format, status (complete or incomplete), triples,
        loaded (when), file, sha256."""
        return Registry(self.store, self.minter).sources()

    def unload(self, source: str | Path) -> int:
        """Removes exactly what one source stated (named by its path, graph IRI or file name) and keeps the
        counts right; returns how many triples went. ``inferred`` drops what kg infer wrote. Raises KgError when no
        single source matches."""
        if str(source) in ("inferred", self.minter.source_graph("inferred")):  # what kg infer wrote
            return self._drop_inferred()
        loader = Loader(self.store, self.minter)
        removed = loader.unload(loader.registry.find(str(source)))
        for note in loader.notes:
            warnings.warn(note, stacklevel=2)
        return removed

    def _drop_inferred(self) -> int:
        graph = self.minter.source_graph("inferred")
        count = self.store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", union=False)
        self.store.remove_graph(graph)
        self.store.flush()
        return int(count.rows[0][0])

    def export(self, path: str | Path, *, format: str = "nquads") -> None:
        """Writes the graph to a file: ``nquads`` or ``trig`` keep each source's named graph; ``ntriples``,
        ``turtle``, ``jsonld`` and ``rdfxml`` write the union of all sources as one graph. Raises StoreError."""
        self.store.export(Path(path), format)

    def export_shards(self, folder: str | Path, *, shards: int | None = None,
                      shard_size: int | None = None) -> Manifest:
        """Writes every graph as gzipped N-Quads files in ``folder``: ``shards`` files of about equal quads, or
        files of at most ``shard_size`` uncompressed bytes, streamed, with ``manifest.json`` (files, quads and
        graphs per file, SHA-256) for any store's bulk loader and ``load_shards``. Raises StoreError."""
        sources = {str(s["graph"]): str(s.get("status")) for s in self.sources()}
        return export_shards(self.store, Path(folder), base_iri=self.minter.base, sources=sources, shards=shards,
                             shard_size=shard_size)

    def load_shards(self, folder: str | Path) -> Manifest:
        """Loads what ``export_shards`` wrote with the store's own bulk loader (Virtuoso's over isql, when it
        shares kg's disk; Oxigraph's embedded), into a store holding none of kg's sources but the shards' own,
        then checks every graph's quads against the manifest. Raises StoreError."""
        manifest = load_shards(self.store, Path(folder), base_iri=self.minter.base,
                               sources=Registry(self.store, self.minter).graphs())
        self.store.flush()
        return manifest

    # -- querying -------------------------------------------------------------------------------------------
    @property
    def queries(self) -> dict[str, CannedQuery]:
        """The canned-query catalogue by name."""
        if self._catalogue is None:
            self._catalogue = catalogue(self._queries_folder)
        return self._catalogue

    def query(self, name: str, **params: object) -> Result:
        """Runs a canned query with its parameters (validated and bound as RDF terms); raises QueryError."""
        if name not in self.queries:
            raise QueryError(f"no canned query {name!r} (kg query --list shows them)")
        query = self.queries[name]
        text = bind(query, {k: str(v) for k, v in params.items() if v is not None}, self._resolve)
        result = self.store.query(text)
        if result.columns != query.columns:
            raise QueryError(f"query {name!r} returned columns {result.columns}, its header declares {query.columns}")
        return result

    def sparql(self, text: str, *, default_graph: list[str] | None = None, named_graphs: list[str] | None = None,
               allow_service: bool = False, limit: int | None = None) -> Result:
        """Runs any SPARQL query (SELECT, ASK, and CONSTRUCT or DESCRIBE as subject/predicate/object rows) over
        the union of all sources, or the dataset its FROM / FROM NAMED clauses (or ``default_graph`` and
        ``named_graphs``) name. SERVICE is refused (QueryRefused) unless ``allow_service``; ``limit`` keeps the
        first rows only. Raises QueryError."""
        return self.store.query(text, limit=limit, **self._dataset(text, default_graph, named_graphs, allow_service))

    def answer(self, text: str, *, default_graph: list[str] | None = None, named_graphs: list[str] | None = None,
               allow_service: bool = False) -> Answer:
        """As ``sparql``, but the store's lazy answer, to be written out as it is read (the server's stream)."""
        return self.store.answer(text, **self._dataset(text, default_graph, named_graphs, allow_service))

    @staticmethod
    def _dataset(text: str, default_graph: list[str] | None, named_graphs: list[str] | None,
                 allow_service: bool) -> dict[str, object]:
        own = check_query(text, allow_service=allow_service).dataset
        if default_graph is None and named_graphs is None:
            return {"union": not own}  # FROM / FROM NAMED, when the query has them, are the store's to read
        return {"union": False, "default_graph": default_graph or [],
                "named_graphs": named_graphs if named_graphs is not None else []}

    def _resolve(self, kind: ParamType, value: str) -> list[URIRef]:
        """The nodes a validated parameter value names: by identifier, IRI, name or title."""
        if is_iri(value):
            return [URIRef(value)]
        if kind in (ParamType.IDENTIFIER, ParamType.JOURNAL, ParamType.AUTHOR) and _is_curie(value):
            ident = parse_curie(value)
            if ident.scheme is Scheme.NLM:
                pattern = f"?node <{FABIO.hasNationalLibraryOfMedicineJournalId}> ?q"
                return self._lookup(pattern, Literal(ident.value))
            return self._lookup(f"?node <{DATACITE.hasIdentifier}> ?q", URIRef(self.minter.identifier(ident)))
        if kind is ParamType.AUTHOR:
            pattern = f"{{ ?node <{FOAF.name}> ?q }} UNION {{ ?node <{FOAF.familyName}> ?q }}"
        else:
            pattern = (f"{{ ?node <{DCTERMS.title}> ?q }} UNION {{ ?node <{FABIO.hasNLMJournalTitleAbbreviation}> ?q }}"
                       f" ?node a <{FABIO.Journal}>")
        return self._lookup(pattern, Literal(value))

    def _lookup(self, pattern: str, value: URIRef | Literal) -> list[URIRef]:
        result = self.store.query(f"SELECT DISTINCT ?node WHERE {{ VALUES ?q {{ {value.n3()} }} {pattern} }} "
                                  f"ORDER BY ?node")
        return [row[0] for row in result.rows]


def _is_curie(value: str) -> bool:
    prefix = value.split(":", 1)[0].lower()
    return ":" in value and prefix in {s.value for s in Scheme}
