"""What the line-based readers share: numbered UTF-8 lines, and clear errors for bad bytes or a broken gzip."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import BinaryIO

from kg.errors import ReaderError


def numbered_lines(stream: BinaryIO, source: str) -> Iterator[tuple[int, str]]:
    """(line number, text) for each line, decoded as UTF-8, without BOM or line ending (LF or CRLF). A line that
    is not UTF-8 raises ReaderError with its number; a truncated or corrupt gzip stream, with the number of the
    line where the text stops (the lines before it have been yielded)."""
    number = 0
    try:
        for number, raw in enumerate(stream, 1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ReaderError(f"not UTF-8 text: {exc.reason} at byte {exc.start}", source=source,
                                  line=number) from exc
            yield number, (text.removeprefix("\ufeff") if number == 1 else text).rstrip("\r\n")
    except (OSError, EOFError, zlib.error) as exc:
        raise ReaderError(f"cannot read the input: {exc}", source=source, line=number + 1) from exc
