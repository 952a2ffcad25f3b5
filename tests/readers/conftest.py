"""Reader-test fixtures: a format's folder of real data, a file's decompressed bytes, and records read from either."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest

from kg.readers import Reader, open_input

# The name literal input is read under: a file name of the reader's format, as errors name it.
_LITERAL = {"pubmed-xml": "test.xml", "jats-xml": "test.xml", "medline": "test.nbib", "article-page": "test.txt",
            "crossref-json": "test.json", "opencitations-csv": "test.csv", "ris": "test.ris", "bibtex": "test.bib"}


def _read(source: Path | bytes | str, reader: Reader, *, name: str | None = None) -> list:
    if isinstance(source, Path):
        stream, _ = open_input(source)
        with stream:
            return list(reader.read(stream, name or str(source)))
    data = source.encode("utf-8") if isinstance(source, str) else source
    return list(reader.read(io.BytesIO(data), name or _LITERAL[reader.NAME]))


def _raw(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


@pytest.fixture(scope="session")
def read():
    """``read(source, reader, *, name=None)``: the list of records ``reader`` gives for ``source``, a file (opened
    with open_input, so gzip is undone; named by its path) or literal bytes or text (UTF-8; named ``test.<ext>``
    unless ``name`` says otherwise)."""
    return _read


@pytest.fixture(scope="session")
def raw():
    """``raw(path)``: the file's bytes, decompressed when it is gzipped."""
    return _raw


@pytest.fixture(scope="module")
def folder(shared: Path, request: pytest.FixtureRequest) -> Path:
    """The test module's folder of real data: shared/data/ and the module's ``FOLDER``."""
    return shared / "data" / request.module.FOLDER
