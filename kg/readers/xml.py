"""What the XML readers share: lxml's safe streaming parser, freeing finished records, and clear syntax errors."""

from __future__ import annotations

import re
from typing import BinaryIO

from lxml import etree

from kg.errors import ReaderError

_POSITION = re.compile(r", line \d+, column \d+$")
_ADVICE = re.compile(r", use XML_PARSE_HUGE option$")  # libxml2's advice to a programmer, not to whoever reads this


def iterparse(stream: BinaryIO, tags: tuple[str, ...]) -> etree.iterparse:
    """Streams the ``end`` events of ``tags``: no DTD loaded, no network, entities left unexpanded."""
    return etree.iterparse(stream, events=("end",), tag=tags, resolve_entities=False, no_network=True,
                           load_dtd=False, huge_tree=True, remove_comments=True, remove_pis=True)


def syntax_error(exc: etree.XMLSyntaxError, log: etree._ListErrorLog, source: str) -> ReaderError:
    """A ReaderError with libxml2's message and line; iterparse may report only "no element found", line 0."""
    if exc.lineno:
        return ReaderError(f"malformed XML: {_ADVICE.sub('', _POSITION.sub('', exc.msg))}", source=source,
                           line=exc.lineno)
    errors = log.filter_from_errors()
    if errors:
        return ReaderError(f"malformed XML: {_ADVICE.sub('', errors[-1].message)}", source=source,
                           line=errors[-1].line or None)
    return ReaderError(f"malformed XML: {_ADVICE.sub('', exc.msg)}", source=source)


def release(element: etree._Element) -> None:
    """Frees a finished record and every sibling before it, so the tree never grows."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]
