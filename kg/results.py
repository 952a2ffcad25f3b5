"""Query results as plain data (rdflib terms), and their text forms: table, CSV, TSV, SPARQL JSON."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from enum import StrEnum

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
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        if self.boolean is not None:
            writer.writerows([["boolean"], [str(self.boolean).lower()]])
        else:
            writer.writerow(self.columns)
            writer.writerows([["" if v is None else str(v) for v in row] for row in self.rows])
        return buffer.getvalue()

    def to_tsv(self) -> str:
        """SPARQL 1.1 TSV: ``?var`` headers, terms in N-Triples form."""
        if self.boolean is not None:
            return f"?boolean\n{str(self.boolean).lower()}\n"
        lines = ["\t".join(f"?{c}" for c in self.columns)]
        lines += ["\t".join("" if v is None else v.n3() for v in row) for row in self.rows]
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        """SPARQL 1.1 Query Results JSON."""
        if self.boolean is not None:
            return json.dumps({"head": {}, "boolean": self.boolean})
        bindings = [{c: _json_term(v) for c, v in zip(self.columns, row) if v is not None} for row in self.rows]
        return json.dumps({"head": {"vars": list(self.columns)}, "results": {"bindings": bindings}},
                          ensure_ascii=False)

    def to_table(self, *, max_width: int = 60) -> str:
        """An aligned text table for terminals; long values cut with '…'."""
        if self.boolean is not None:
            return str(self.boolean).lower() + "\n"
        cells = [[_cut("" if v is None else str(v), max_width) for v in row] for row in self.rows]
        widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(self.columns)]
        line = lambda values: "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()  # noqa: E731
        out = [line(self.columns), line(["-" * w for w in widths])] + [line(r) for r in cells]
        out.append(f"({len(self.rows)} row{'s' if len(self.rows) != 1 else ''})")
        return "\n".join(out) + "\n"


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
