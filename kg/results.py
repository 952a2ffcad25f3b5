"""Query results as plain data (rdflib terms), and their text forms: table, CSV, TSV, SPARQL JSON."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from xml.sax.saxutils import escape, quoteattr

from rdflib.namespace import XSD
from rdflib.term import BNode, Literal, Node, URIRef


class OutputFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    TSV = "tsv"
    JSON = "json"


@dataclass(frozen=True, slots=True)
class Result:
    """Rows of a SELECT (``columns``, ``rows`` of rdflib terms or None) or the answer of an ASK (``boolean``)."""

    columns: tuple[str, ...] = ()
    rows: list[tuple[Node | None, ...]] = field(default_factory=list)
    boolean: bool | None = None

    def __len__(self) -> int:
        return len(self.rows)

    def dicts(self) -> list[dict[str, object]]:
        """Rows as dicts of Python values (``Literal.toPython()``, IRIs as str); unbound columns left out."""
        return [{c: _python(v) for c, v in zip(self.columns, row) if v is not None} for row in self.rows]

    def column(self, name: str) -> list[object]:
        """One column's Python values, in row order (None where unbound)."""
        index = self.columns.index(name)
        return [None if row[index] is None else _python(row[index]) for row in self.rows]

    def render(self, fmt: OutputFormat) -> str:
        return {OutputFormat.TABLE: self.to_table, OutputFormat.CSV: self.to_csv, OutputFormat.TSV: self.to_tsv,
                OutputFormat.JSON: self.to_json}[fmt]()

    def to_csv(self) -> str:
        """SPARQL 1.1 CSV: a header of the columns, plain lexical values."""
        return "".join(chunks("csv", self.columns, self.rows, boolean=self.boolean))

    def to_tsv(self) -> str:
        """SPARQL 1.1 TSV: ``?var`` headers, terms in N-Triples form (tab, newline and return escaped)."""
        return "".join(chunks("tsv", self.columns, self.rows, boolean=self.boolean))

    def to_json(self) -> str:
        """SPARQL 1.1 Query Results JSON."""
        return "".join(chunks("json", self.columns, self.rows, boolean=self.boolean))

    def to_table(self, *, max_width: int = 60) -> str:
        """An aligned text table for terminals; long values cut with '…'."""
        if self.boolean is not None:
            return str(self.boolean).lower() + "\n"
        cells = [[_cut(_visible("" if v is None else str(v)), max_width) for v in row] for row in self.rows]
        widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(self.columns)]
        line = lambda values: "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()  # noqa: E731
        out = [line(self.columns), line(["-" * w for w in widths])] + [line(r) for r in cells]
        out.append(f"({len(self.rows)} row{'s' if len(self.rows) != 1 else ''})")
        return "\n".join(out) + "\n"


def chunks(fmt: str, columns: tuple[str, ...], rows: Iterable[tuple[Node | None, ...]], *,
           boolean: bool | None = None, truncated: bool = False) -> Iterator[str]:
    """A SELECT's rows (or an ASK's ``boolean``) as text pieces, written as the rows come, in a SPARQL 1.1
    results format: ``json``, ``xml``, ``csv`` or ``tsv``. ``truncated`` adds ``"truncated": true`` to JSON."""
    return _WRITERS[fmt](columns, rows, boolean, truncated)


def _json_chunks(columns, rows, boolean, truncated) -> Iterator[str]:
    if boolean is not None:
        yield json.dumps({"head": {}, "boolean": boolean})
        return
    yield json.dumps({"head": {"vars": list(columns)}})[:-1]
    yield ', "truncated": true' if truncated else ""
    yield ', "results": {"bindings": ['
    for n, row in enumerate(rows):
        binding = {c: _json_term(v) for c, v in zip(columns, row) if v is not None}
        yield ("," if n else "") + json.dumps(binding, ensure_ascii=False)
    yield "]}}"


def _xml_chunks(columns, rows, boolean, truncated) -> Iterator[str]:
    yield '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>'
    yield "".join(f"<variable name={quoteattr(c)}/>" for c in columns) + "</head>\n"
    if boolean is not None:
        yield f"<boolean>{str(boolean).lower()}</boolean>\n</sparql>\n"
        return
    yield "<results>\n"
    for row in rows:
        yield "<result>" + "".join(f"<binding name={quoteattr(c)}>{_xml_term(v)}</binding>"
                                   for c, v in zip(columns, row) if v is not None) + "</result>\n"
    yield "</results>\n</sparql>\n"


def _csv_chunks(columns, rows, boolean, truncated) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    lines = [["boolean"], [str(boolean).lower()]] if boolean is not None else \
        itertools.chain([columns], (["" if v is None else _csv_value(v) for v in row] for row in rows))
    for line in lines:
        writer.writerow(line)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def _tsv_chunks(columns, rows, boolean, truncated) -> Iterator[str]:
    if boolean is not None:
        yield f"?boolean\n{str(boolean).lower()}\n"
        return
    yield "\t".join(f"?{c}" for c in columns) + "\n"
    for row in rows:
        yield "\t".join("" if v is None else _tsv_term(v) for v in row) + "\n"


_WRITERS = {"json": _json_chunks, "xml": _xml_chunks, "csv": _csv_chunks, "tsv": _tsv_chunks}
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})
# What a terminal would obey: C0 and C1 controls, DEL, and the bidirectional overrides that reorder text.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _csv_value(term: Node) -> str:
    return f"_:{term}" if isinstance(term, BNode) else str(term)


def _tsv_term(term: Node) -> str:
    """A term in N-Triples form, with tab, newline and return escaped inside literals (SPARQL 1.1 TSV)."""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    assert isinstance(term, Literal)
    text = '"' + str(term).translate(_ESCAPES) + '"'
    if term.language:
        return f"{text}@{term.language}"
    return text if term.datatype in (None, XSD.string) else f"{text}^^<{term.datatype}>"


def _xml_term(term: Node) -> str:
    if isinstance(term, Literal) and _NOT_XML.search(term):  # XML 1.0 cannot hold them, even escaped
        term = Literal(_NOT_XML.sub("\ufffd", term), lang=term.language, datatype=term.datatype)
    if isinstance(term, URIRef):
        return f"<uri>{escape(str(term))}</uri>"
    if isinstance(term, BNode):
        return f"<bnode>{escape(str(term))}</bnode>"
    assert isinstance(term, Literal)
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(str(term))}</literal>"
    if term.datatype and term.datatype != XSD.string:
        return f"<literal datatype={quoteattr(str(term.datatype))}>{escape(str(term))}</literal>"
    return f"<literal>{escape(str(term))}</literal>"


def _visible(text: str) -> str:
    """``text`` with control characters shown as escapes (``\\x1b``), so that a value cannot drive a terminal."""
    return _CONTROLS.sub(lambda m: repr(m.group())[1:-1] if ord(m.group()) < 0x100 else
                         f"\\u{ord(m.group()):04x}", text)


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _python(term: Node) -> object:
    return term.toPython() if isinstance(term, Literal) else str(term)


def _json_term(term: Node) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    assert isinstance(term, Literal)
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype:
        out["datatype"] = str(term.datatype)
    return out
