"""What the XML readers share: lxml's safe parser fed a piece at a time, each record handed out once and freed,
everything else freed as it streams by, a limit on each record's size, and libxml2's errors as reasons."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from lxml import etree

from kg.errors import ReaderError
from kg.readers.limits import RECORD_BYTES, RECORD_ITEMS, size, too_big

FEED = 64 << 10  # bytes fed to the parser at a time; between two pieces, what has streamed by is freed
FIRST_BYTES = 1 << 20  # bytes read before a record or the usual root element: what comes before them is not freed
IDLE_ITEMS = 100_000  # tags and attributes outside any record with no element freed: one tag of endless attributes

_POSITION = re.compile(r",? line \d+, column \d+$")
_ADVICE = re.compile(r",? (?:use|try) XML_PARSE_HUGE(?: option)?")  # libxml2's advice to a programmer, not to a reader
_LIMITS = (  # libxml2's limits, in its words (which differ between versions) and in a reader's
    (re.compile(r"Excessive depth in document: (\d+)"), r"elements nested deeper than \1 levels"),
    (re.compile(r"Text node too long|huge text node", re.I), "a text of over 10 MB in one piece"),
    (re.compile(r"Buffer size limit exceeded|AttValue length too long|attribute value too long", re.I),
     "a tag or an attribute value of over 10 MB"),
    (re.compile(r"Name too long", re.I), "a tag or attribute name of over 50,000 characters"),
    (re.compile(r"Comment too big", re.I), "a comment of over 10 MB"),
    (re.compile(r"CData section too big", re.I), "a CDATA section of over 10 MB"),
    (re.compile(r"PI .* too big", re.I), "a processing instruction of over 10 MB"),
    (re.compile(r"Huge input lookup", re.I), "a piece of markup of over 10 MB that does not end (a tag, a comment, a "
                                             "declaration)"),
    (re.compile(r"entity (?:length|value) too long", re.I), "an entity declaration of over 10 MB"),
    (re.compile(r"amplification factor|entity reference loop", re.I), "entities that expand without end"),
    (re.compile(r"Memory allocation failed", re.I), "out of memory while parsing (the machine's memory is exhausted "
                                                    "or limited)"),
)


@dataclass(frozen=True, slots=True)
class Oversized:
    """A record over RECORD_BYTES or RECORD_ITEMS, as far as it was read (still open, for the reader to name it);
    the rest of it is freed as it streams by and never handed out."""

    element: etree._Element
    reason: str


def records(stream: BinaryIO, source: str, *, tags: frozenset[str], ignored: frozenset[str] = frozenset(),
            roots: frozenset[str] = frozenset()) -> Iterator[etree._Element | Oversized]:
    """Each record once it has ended: an element of ``tags`` inside no other record and no ``ignored`` element
    (parts a reader never reads: their content is freed as it streams by); an Oversized instead for a record
    over the limits. ``roots`` names the usual root elements, so that what surrounds the records is freed from
    the first piece. No DTD loaded, no network, entities left unexpanded, libxml2's own limits kept (a text or
    a tag of at most 10 MB, 256 levels). Raises ReaderError for malformed XML and for input over the limits."""
    parser = etree.XMLPullParser(events=("start", "end"), tag=tuple(tags | ignored | roots), resolve_entities=False,
                                 no_network=True, load_dtd=False, remove_comments=True, remove_pis=True)
    walk = _Walk(tags, ignored)
    while True:
        data = stream.read(FEED)
        failure = _feed(parser, data)
        yield from walk.events(parser.read_events())  # those before a syntax error too
        if failure is not None:
            raise syntax_error(failure, parser.error_log, source) from failure
        if not data:
            return
        walk.count(data)
        if walk.record is not None and walk.over is not None and not walk.told:
            walk.told = True
            yield Oversized(walk.record, walk.over)  # named by the reader before its content goes
        walk.free(source)


def _feed(parser: etree.XMLPullParser, data: bytes) -> etree.XMLSyntaxError | None:
    """Feeds ``data`` to the parser (closes it when there is none) and returns the syntax error, if any."""
    try:
        if data:
            parser.feed(data)
        else:
            parser.close()
    except etree.XMLSyntaxError as exc:
        return exc
    return None


class _Walk:
    """Where the parse is: the open record, the ignored elements open, the open record's size so far, and how
    much markup went by outside any record since something was freed."""

    def __init__(self, tags: frozenset[str], ignored: frozenset[str]) -> None:
        self.tags, self.ignored = tags, ignored
        self.root: etree._Element | None = None
        self.record: etree._Element | None = None
        self.over: str | None = None  # why the open record is over the limits
        self.told = False  # its Oversized has been handed out
        self.ignoring = self.lowest = 0  # ignored elements open now, and the fewest open during this piece
        self.bytes = self.items = self.idle = self.pending = self.seen = self.lines = self.quiet = self.piece = 0
        self.leaf: etree._Element | None = None  # the last element of the open path after the last piece
        self.moved = False  # an element started or ended during this piece

    def events(self, events) -> Iterator[etree._Element]:
        self.lowest, self.moved = self.ignoring, False
        for event, element in list(events):
            self.moved = True
            if self.root is None:
                self.root = element.getroottree().getroot()
            if event == "start":
                self._start(element)
            elif element.tag in self.ignored and self.ignoring:
                self.ignoring -= 1
                self.lowest = min(self.lowest, self.ignoring)
                element.clear(keep_tail=True)
            elif element is self.record:
                if self.over is None:
                    yield element
                self._release(element)

    def _start(self, element: etree._Element) -> None:
        if element.tag in self.ignored:
            self.ignoring += 1
        elif element.tag in self.tags and self.record is None and not self.ignoring:
            self.record, self.over, self.told, self.bytes, self.items = element, None, False, 0, 0

    def _release(self, element: etree._Element) -> None:
        element.clear(keep_tail=False)
        parent = element.getparent()
        if parent is not None:
            parent.remove(element)
        self.record = None

    def count(self, data: bytes) -> None:
        """Counts a piece fed to the parser: towards the open record unless all of it was inside an ignored
        element, else towards what went by outside any record; marks the record over the limits."""
        items = data.count(b"<") + data.count(b"=")
        self.seen, self.lines, self.pending = self.seen + len(data), self.lines + data.count(b"\n"), items
        self.piece = len(data)
        if self.record is not None and not (self.lowest and self.ignoring):
            self.bytes, self.items, self.pending = self.bytes + len(data), self.items + items, 0
            if self.over is None and (self.bytes > RECORD_BYTES or self.items > RECORD_ITEMS):
                self.over = too_big("tags and attributes")

    def free(self, source: str) -> None:
        """Frees what has streamed by; raises ReaderError when markup piles up outside any record, and when
        libxml2 holds a piece that does not end (an attribute value, a tag: it would hold all of it)."""
        freed, leaf = self._sweep()
        self.idle = 0 if freed or self.moved else self.idle + self.pending
        self.quiet = 0 if freed or self.moved or leaf is not self.leaf else self.quiet + self.piece
        self.leaf = leaf
        if self.idle > IDLE_ITEMS or self.quiet > RECORD_BYTES or (self.root is None and self.seen > FIRST_BYTES):
            what = (f"over {IDLE_ITEMS:,} tags and attributes with no element ending" if self.idle > IDLE_ITEMS else
                    f"no {' or '.join(sorted(self.tags))} element in the first {size(FIRST_BYTES)}"
                    if self.root is None else
                    f"no element begins or ends in {size(RECORD_BYTES)} (a tag or a value that goes on)")
            raise ReaderError(f"{what}: more than kg reads (README: Reliability)", source=source, line=self.lines + 1)

    def _sweep(self) -> tuple[bool, etree._Element | None]:
        """Deletes every finished element along the open path (root, its last child, that one's last child...)
        except inside the open record, where only the content of ignored elements (or of a record over the
        limits) goes. Says whether something was deleted, and the path's last element."""
        node, outside, ignoring, freed = self.root, True, False, False
        while node is not None:
            if node is self.record:
                outside = False
            ignoring = ignoring or (not outside and node.tag in self.ignored)
            count = len(node)
            if count == 0:
                break
            if count > 1 and (outside or ignoring or self.over is not None):
                del node[:count - 1]
                freed = True
            node = node[-1]
        return freed, node


def syntax_error(exc: etree.XMLSyntaxError, log: etree._ListErrorLog, source: str) -> ReaderError:
    """A ReaderError with libxml2's message as a reason and its line; it may report only "no element found",
    line 0."""
    if exc.lineno:
        return ReaderError(_reason(_POSITION.sub("", exc.msg)), source=source, line=exc.lineno)
    errors = log.filter_from_errors()
    if errors:
        return ReaderError(_reason(errors[-1].message), source=source, line=errors[-1].line or None)
    return ReaderError(_reason(exc.msg), source=source)


def _reason(message: str) -> str:
    """libxml2's message as one line for whoever reads it: a limit said as what is too big, else "malformed
    XML: " and the message without advice to programmers."""
    for pattern, reason in _LIMITS:
        found = pattern.search(message)
        if found:
            return f"{found.expand(reason)}: more than kg reads (README: Reliability)"
    return "malformed XML: " + " ".join(_ADVICE.sub("", message).split())
