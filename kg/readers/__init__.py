"""Readers: source bytes → records. A registry of formats, content sniffing, gzip and stdin handling."""

from __future__ import annotations

import gzip
import io
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

from kg.errors import ReaderError
from kg.readers import article_page, bibtex, crossref_json, jats_xml, medline, opencitations_csv, pubmed_xml, ris
from kg.records import Record

SNIFF_BYTES = 8192


class Reader(Protocol):
    """What every reader module provides (a module is the reader: see pubmed_xml.py)."""

    NAME: str

    def sniff(self, head: bytes) -> bool:
        """True when ``head`` (the first bytes, decompressed) looks like this format."""

    def read(self, stream: BinaryIO, source: str) -> Iterator[Record]:
        """Records from ``stream``; bad records come out as ``Skipped``; a broken file raises ReaderError."""


READERS: dict[str, Reader] = {r.NAME: r for r in (pubmed_xml, jats_xml, medline, article_page, crossref_json,
                                                  opencitations_csv, ris, bibtex)}


_BROKEN = (OSError, EOFError, zlib.error)  # a truncated or corrupt gzip stream, or a failing disk


class _Peeked(io.RawIOBase):
    """A binary stream with its first bytes put back, so sniffing does not consume them.

    With a ``source``, a read that fails, now or (``failure``) while the first bytes were taken, raises a
    ReaderError at the line where the readable text ends, after every byte before it has been read.
    """

    def __init__(self, head: bytes, rest: BinaryIO, source: str | None = None,
                 failure: BaseException | None = None) -> None:
        self._head, self._rest, self._source, self._failure = head, rest, source, failure
        self._lines = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buffer), len(self._head))
            data, self._head = self._head[:n], self._head[n:]
        elif self._failure is not None:
            raise self.broken(self._failure) from self._failure
        elif self._source is None:
            data = self._rest.read(len(buffer))
        else:
            try:
                data = self._rest.read(len(buffer))
            except _BROKEN as exc:
                raise self.broken(exc) from exc
        self._lines += data.count(b"\n")
        buffer[: len(data)] = data
        return len(data)

    def broken(self, exc: BaseException) -> ReaderError:
        return ReaderError(f"cannot read the input: {exc}", source=self._source, line=self._lines + 1)


class _Buffered(io.BufferedReader):
    """A BufferedReader whose ``read(n)`` returns what one read of the stream below gives, as ``read1`` does:
    io.BufferedReader gathers several and drops them all when one fails, losing the records before a break."""

    def read(self, size: int | None = -1) -> bytes:
        return super().read(size) if size is None or size < 0 else self.read1(size)


def open_input(path: str | Path, raw: BinaryIO | None = None) -> tuple[BinaryIO, bytes]:
    """A decompressed binary stream over ``path`` (``-`` is stdin) and its first bytes, for sniffing."""
    name = str(path)
    try:
        raw = raw or (sys.stdin.buffer if name == "-" else open(name, "rb"))
    except OSError as exc:
        raise ReaderError(f"cannot open: {exc.strerror}", source=name) from exc
    magic = raw.peek(2)[:2] if hasattr(raw, "peek") else b""
    stream: BinaryIO = raw
    if not magic:
        first = raw.read(2)
        stream = io.BufferedReader(_Peeked(first, raw))
        magic = first
    if magic == b"\x1f\x8b":
        stream = gzip.GzipFile(fileobj=stream, mode="rb")  # type: ignore[assignment]
    head, failure = _head(stream)
    peeked = _Peeked(head, stream, name, failure)
    if failure is not None and not sniffable(head):  # too little was readable to tell the format
        raise peeked.broken(failure) from failure
    return _Buffered(peeked), head  # type: ignore[return-value]


def _head(stream: BinaryIO) -> tuple[bytes, BaseException | None]:
    """The first SNIFF_BYTES (fewer at the end), and the error that stopped reading them: what a truncated gzip
    stream gave before its break is kept (``read`` would drop it)."""
    head = b""
    read = getattr(stream, "read1", stream.read)
    try:
        while len(head) < SNIFF_BYTES:
            data = read(SNIFF_BYTES - len(head))
            if not data:
                break
            head += data
    except _BROKEN as exc:
        return head, exc
    return head, None


def detect(head: bytes, source: str) -> Reader:
    """The reader whose format ``head`` looks like; raises ReaderError naming the formats tried."""
    if not head.strip():
        raise ReaderError("the input is empty", source=source)
    for reader in READERS.values():
        if reader.sniff(head):
            return reader
    raise ReaderError(f"unrecognised format (known: {', '.join(READERS)}); use --format", source=source)


def sniffable(head: bytes) -> bool:
    """True when some reader recognises ``head``."""
    return any(reader.sniff(head) for reader in READERS.values())


def reader_for(name: str) -> Reader:
    """The reader registered as ``name``; raises ReaderError listing the known names."""
    try:
        return READERS[name]
    except KeyError:
        raise ReaderError(f"unknown format {name!r} (known: {', '.join(READERS)})") from None
