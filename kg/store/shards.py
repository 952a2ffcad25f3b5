"""N-Quads shards for any store's bulk loader: kg's graphs written graph by graph, streamed, as gzipped N-Quads
files of bounded size, with a manifest (files, quads, graphs and SHA-256 of each) that a loader checks them by."""

from __future__ import annotations

import gzip
import hashlib
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kg.errors import StoreError
from kg.store import Store

MANIFEST = "manifest.json"
DURATION = b"<http://www.w3.org/2001/XMLSchema#duration>"  # Virtuoso's loader cannot keep these (see bulk.py)


@dataclass(slots=True)
class Shard:
    """One file: its name, the quads and uncompressed bytes in it, the graphs it holds, its SHA-256, and whether
    it holds xsd:duration literals."""

    file: str
    quads: int = 0
    bytes: int = 0
    graphs: list[str] = field(default_factory=list)
    sha256: str = ""
    durations: bool = False


@dataclass(slots=True)
class Manifest:
    """What a shard folder holds: the base IRI of the store it came from, every graph with its quads, the sources'
    statuses, and the files."""

    base_iri: str
    quads: int = 0
    graphs: dict[str, int] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # source graph -> status when exported
    files: list[Shard] = field(default_factory=list)

    def write(self, folder: Path) -> Path:
        path = folder / MANIFEST
        data = {"format": "application/n-quads", "compression": "gzip", **asdict(self)}
        path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        return path

    @classmethod
    def read(cls, folder: Path, *, check: bool = True) -> Manifest:
        """The folder's manifest; with ``check``, every file is there with its SHA-256. Raises StoreError."""
        path = folder / MANIFEST
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            found = cls(data["base_iri"], data["quads"], data["graphs"], data["sources"],
                        [Shard(**f) for f in data["files"]])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StoreError(f"not a kg shard manifest ({exc}); kg export --shards N DIR writes one",
                             source=str(path)) from None
        for shard in found.files if check else ():
            if not (folder / shard.file).is_file() or _sha256(folder / shard.file) != shard.sha256:
                raise StoreError(f"{shard.file} is missing or differs from the manifest (SHA-256)", source=str(path))
        return found


class _Writer:
    """A binary file-like object that a store dumps N-Quads into: it cuts the text at line ends into gzipped
    files of at most ``max_bytes`` uncompressed bytes and ``max_quads`` quads (a file holds one quad at least)."""

    def __init__(self, folder: Path, manifest: Manifest, *, max_bytes: int, max_quads: int) -> None:
        self.folder, self.manifest, self.max_bytes, self.max_quads = folder, manifest, max_bytes, max_quads
        self.graph, self._rest, self._out, self._shard = "", b"", None, Shard("")

    def write(self, given: bytes | memoryview) -> int:
        data = self._rest + bytes(given)
        end = data.rfind(b"\n") + 1
        self._rest, lines = data[end:], data[:end]
        while lines:
            cut = self._room(lines)
            if cut == 0:
                self._close()
                continue
            self._put(lines[:cut])
            lines = lines[cut:]
        return len(given)

    def flush(self) -> None:
        """Nothing to do: whole lines are written at once, the rest waits for its line end."""

    def _room(self, lines: bytes) -> int:
        """How many bytes of ``lines`` (whole lines) fit in the current file (0: open the next one)."""
        shard = self._shard
        if self._out is None:  # a new file takes one line at least
            first = lines.index(b"\n") + 1
            return first + self._fit(lines[first:], shard.bytes + first, shard.quads + 1)
        return self._fit(lines, shard.bytes, shard.quads)

    def _fit(self, lines: bytes, size: int, quads: int) -> int:
        cut = len(lines) if size + len(lines) <= self.max_bytes else lines.rfind(b"\n", 0, self.max_bytes - size) + 1
        room = self.max_quads - quads
        if lines.count(b"\n", 0, cut) > room:
            cut = 0
            for _ in range(room):
                cut = lines.index(b"\n", cut) + 1
        return cut

    def _put(self, lines: bytes) -> None:
        if self._out is None:
            self._shard = Shard(f"part-{len(self.manifest.files) + 1:05d}.nq.gz")
            self._out = gzip.open(self.folder / self._shard.file, "wb", compresslevel=4)
        shard, quads = self._shard, lines.count(b"\n")
        self._out.write(lines)
        shard.bytes += len(lines)
        shard.quads += quads
        shard.durations = shard.durations or DURATION in lines
        if not shard.graphs or shard.graphs[-1] != self.graph:
            shard.graphs.append(self.graph)
        self.manifest.graphs[self.graph] = self.manifest.graphs.get(self.graph, 0) + quads
        self.manifest.quads += quads

    def _close(self) -> None:
        if self._out is not None:
            self._out.close()
            self._shard.sha256 = _sha256(self.folder / self._shard.file)
            self.manifest.files.append(self._shard)
            self._out = None

    def finish(self) -> None:
        if self._rest:
            raise StoreError("the store's N-Quads did not end with a line end", source=str(self.folder))
        self._close()


def export_shards(store: Store, folder: Path, *, base_iri: str, sources: dict[str, str], shards: int | None = None,
                  shard_size: int | None = None) -> Manifest:
    """Writes every graph of ``store`` into ``folder`` (created; it must hold no shards yet) as ``shards`` files
    of about equal quads, or files of at most ``shard_size`` uncompressed bytes, sources first and kg's own
    graphs (provenance, counts, dates) last; writes and returns the manifest. Raises StoreError."""
    if (shards is None) == (shard_size is None) or (shards or 1) < 1 or (shard_size or 1) < 1:
        raise StoreError("give one of --shards N or --shard-size BYTES (both from 1 up)", source=str(folder))
    folder.mkdir(parents=True, exist_ok=True)
    if (folder / MANIFEST).exists() or any(folder.glob("part-*.nq.gz")):
        raise StoreError("the folder holds shards already: give an empty or new folder", source=str(folder))
    graphs = sorted(store.graphs(), key=lambda g: (g not in sources, g))
    total = int(store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").rows[0][0])
    manifest = Manifest(base_iri, sources=dict(sources))
    writer = _Writer(folder, manifest, max_bytes=shard_size or 1 << 62,
                     max_quads=math.ceil(max(total, 1) / shards) if shards else 1 << 62)
    try:
        for graph in graphs:
            writer.graph = graph
            store.dump_graph(graph, writer)
        writer.finish()
    except OSError as exc:
        raise StoreError(f"cannot write the shards: {exc}", source=str(folder)) from exc
    manifest.write(folder)
    return manifest


def load_shards(store: Store, folder: Path, *, base_iri: str, sources: list[str]) -> Manifest:
    """Checks the shards in ``folder`` against their manifest, loads them with ``store``'s own bulk loader, and
    checks every graph's quads; ``sources``: the store's sources now, which must all be the shards' own. Raises
    StoreError."""
    manifest = Manifest.read(folder)
    if manifest.base_iri != base_iri:
        raise StoreError(f"the shards were written with base IRI {manifest.base_iri}, the store uses {base_iri} "
                         f"(give --base-iri {manifest.base_iri} for a new store)", source=str(folder))
    if others := set(sources) - set(manifest.sources):
        raise StoreError(f"the store holds {len(others)} sources that the shards do not: kg load --bulk fills a "
                         "store with the shards' sources only (load other files with kg load)", source=str(folder))
    store.load_shards(folder, [shard.file for shard in manifest.files])
    found = {str(g): int(n) for g, n in store.query(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", union=False,
        named_graphs=sorted(manifest.graphs)).rows}
    if wrong := sorted(g for g, n in manifest.graphs.items() if found.get(g, 0) != n):
        raise StoreError(f"{len(wrong)} graphs differ from the manifest after the bulk load, e.g. {wrong[0]} holds "
                         f"{found.get(wrong[0], 0)} quads, not {manifest.graphs[wrong[0]]}", source=str(folder))
    return manifest


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
