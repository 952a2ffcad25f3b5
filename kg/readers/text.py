"""What the line-based readers share: numbered lines of bounded length, decoded as UTF-8, and clear errors for bad
bytes, a line over the limit or a broken gzip."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import BinaryIO

from kg.errors import ReaderError
from kg.readers.limits import RECORD_BYTES, size


def raw_lines(stream: BinaryIO, source: str) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes) for each line, with its line ending, read at most RECORD_BYTES at a time: a longer line
    raises ReaderError naming it (the lines before it have been yielded), as does a truncated or corrupt gzip
    stream, with the number of the line where the text stops."""
    number = 0
    try:
        while raw := stream.readline(RECORD_BYTES + 1):
            number += 1
            if len(raw) > RECORD_BYTES:
                raise ReaderError(f"the line is over {size(RECORD_BYTES)} long: more than kg reads (README: "
                                  "Reliability)", source=source, line=number)
            yield number, raw
    except (OSError, EOFError, zlib.error) as exc:
        raise ReaderError(f"cannot read the input: {exc}", source=source, line=number + 1) from exc


def numbered_lines(stream: BinaryIO, source: str) -> Iterator[tuple[int, str]]:
    """(line number, text) for each line, decoded as UTF-8, without BOM or line ending (LF or CRLF). A line that
    is not UTF-8 raises ReaderError with its number; so do the lines ``raw_lines`` refuses."""
    for number, raw in raw_lines(stream, source):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ReaderError(f"not UTF-8 text: {exc.reason} at byte {exc.start}", source=source,
                              line=number) from exc
        yield number, (text.removeprefix("\ufeff") if number == 1 else text).rstrip("\r\n")
