"""The inputs of a load as kg finds them: the files of folders (never the store's own), pipes, stdin and devices
copied aside while they are hashed (up to a size limit), each input's checksum, and names shown with escapes."""

from __future__ import annotations

import hashlib
import os
import stat
import sys
import tempfile
import unicodedata
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from kg.errors import ReaderError
from kg.readers import SNIFF_BYTES, detect
from kg.readers.limits import MAX_BYTES, size

_BLOCK = 1 << 20


def shown(path: str | Path) -> str:
    """A file name as a message or a label shows it, on one line: bytes that are not UTF-8 as ``\\xff``, control
    characters (a newline, an escape) as ``\\n``, ``\\x1b``, and a backslash doubled."""
    return "".join(_escaped(c) for c in os.fsdecode(path))


def _escaped(char: str) -> str:
    if "\udc80" <= char <= "\udcff":  # a byte that is not UTF-8, as os.fsdecode keeps it
        return f"\\x{ord(char) - 0xDC00:02x}"
    if char == "\\":
        return "\\\\"
    return char.encode("unicode_escape").decode("ascii") if unicodedata.category(char)[0] == "C" else char


def expand(paths: Iterable[str | Path], *, store: Path | None = None) -> Iterator[tuple[Path | str, bool]]:
    """Each input and whether it was named: files, pipes and ``-`` as given (True), folders as their regular files,
    recursively, sorted, hidden ones and the store's own folder left out (False)."""
    own = store.resolve() if store is not None else None
    for path in paths:
        if str(path) == "-":
            yield "-", True
            continue
        p = Path(path)
        if p.is_dir():
            yield from ((f, False) for f in _files(p, own))
        else:
            yield p, True


def _files(folder: Path, store: Path | None) -> Iterator[Path]:
    """The regular files under ``folder``, sorted, never looking inside hidden folders or the store."""
    if folder.resolve() == store:
        return
    for root, folders, files in os.walk(folder):
        folders[:] = sorted(f for f in folders if not f.startswith(".") and (Path(root, f).resolve() != store))
        yield from (Path(root, f) for f in sorted(files) if not f.startswith(".") and Path(root, f).is_file())


def is_plain(path: Path | str) -> bool:
    """True for a regular file, which can be read twice (hashed, then loaded); False for ``-``, a pipe, a device."""
    try:
        return str(path) != "-" and stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return True  # the error is the load's to report, when it opens the file


def checksum(path: Path, *, limit: int = MAX_BYTES) -> str:
    """The SHA-256 of a regular file; ReaderError when it cannot be read or is over ``limit`` bytes."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            if os.fstat(f.fileno()).st_size > limit:
                raise ReaderError(f"the file is {size(os.fstat(f.fileno()).st_size)}, over the {size(limit)} kg reads "
                                  "of one source (--max-bytes)", source=shown(path))
            for block in iter(lambda: f.read(_BLOCK), b""):
                digest.update(block)
    except OSError as exc:
        raise ReaderError(f"cannot read: {exc.strerror}", source=shown(path)) from exc
    return digest.hexdigest()


def room(path: Path) -> int:
    """Roughly the free space a load of ``path`` takes in the store: five times its size uncompressed (gzip's own
    record of it, or eight times the compressed size past 4 GB) and 100 MB for the store's logs and compactions,
    as measured (README: Reliability)."""
    try:
        with open(path, "rb") as f:
            compressed = os.fstat(f.fileno()).st_size
            uncompressed = compressed
            if f.read(2) == b"\x1f\x8b" and compressed >= 18:
                f.seek(-4, os.SEEK_END)
                uncompressed = max(int.from_bytes(f.read(4), "little"), 8 * compressed if compressed > 1 << 32 else 0)
    except OSError:
        uncompressed = 0
    return 5 * uncompressed + (100 << 20)


def spool(path: Path | str, *, limit: int = MAX_BYTES, format: str | None = None) -> tuple[Path, str]:
    """Copies ``-`` (stdin), a pipe or a device into a temporary file, hashing it as it is read, and returns the
    file and the SHA-256. Raises ReaderError, the copy removed, when the input goes on past ``limit`` bytes
    (/dev/zero, a pipe that never ends) or, unless ``format`` is given, when its first bytes are in no format kg
    reads (so that /dev/urandom is not copied up to the limit first)."""
    name = shown(path)
    digest, copied, head = hashlib.sha256(), 0, b""
    try:
        source: BinaryIO = sys.stdin.buffer if str(path) == "-" else open(path, "rb")
    except OSError as exc:
        raise ReaderError(f"cannot open: {exc.strerror}", source=name) from exc
    with source, tempfile.NamedTemporaryFile(prefix="kg-input-", delete=False) as out:
        try:
            while block := source.read(_BLOCK):
                if format is None and len(head) < SNIFF_BYTES:
                    head += block[:SNIFF_BYTES]
                    if len(head) >= SNIFF_BYTES:
                        detect(_decompressed(head), name)
                copied += len(block)
                if copied > limit:
                    raise ReaderError(f"the input goes on past {size(limit)}, the most kg reads of one source "
                                      "(--max-bytes)", source=name)
                digest.update(block)
                _write(out, block, name)
            if format is None and len(head) < SNIFF_BYTES:
                detect(_decompressed(head), name)
        except OSError as exc:
            Path(out.name).unlink()
            raise ReaderError(f"cannot read the input: {exc.strerror or exc}", source=name) from exc
        except BaseException:
            Path(out.name).unlink()
            raise
    return Path(out.name), digest.hexdigest()


def _write(out: BinaryIO, block: bytes, name: str) -> None:
    try:
        out.write(block)
    except OSError as exc:
        raise ReaderError(f"cannot keep a copy of the input in {tempfile.gettempdir()} (a pipe is read once): "
                          f"{exc.strerror or exc}", source=name) from exc


def _decompressed(head: bytes) -> bytes:
    """The first bytes, decompressed when they begin a gzip stream (as far as they go)."""
    if not head.startswith(b"\x1f\x8b"):
        return head
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, SNIFF_BYTES)
    except zlib.error:
        return head
