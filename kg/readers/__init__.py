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


class _Peeked(io.RawIOBase):
    """A binary stream with its first bytes put back, so sniffing does not consume them."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head, self._rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n], self._head = self._head[:n], self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


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
    try:
        head = stream.read(SNIFF_BYTES)
    except (OSError, EOFError, zlib.error) as exc:
        raise ReaderError(f"cannot decompress: {exc}", source=name) from exc
    return io.BufferedReader(_Peeked(head, stream)), head  # type: ignore[return-value]


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
