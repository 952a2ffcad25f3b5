"""kg's triples as N-Quads text: the one serialiser that feeds bulk loaders (Oxigraph's, a remote store's).

Only kg's own terms come through here: IRIs minted from validated, percent-encoded pieces (kg.mapping.iris)
and literals, whose lexical form is escaped as N-Quads requires (backslash, quote, line feed, carriage return).
A property test round-trips arbitrary strings through pyoxigraph's parser.
"""

from __future__ import annotations

from collections.abc import Iterable

from kg.mapping.terms import XSD_STRING, Lit, Triple

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def literal(value: str, datatype: str = XSD_STRING) -> str:
    """One literal in N-Quads form; xsd:string is written as a simple literal."""
    text = value.translate(_ESCAPES)
    return f'"{text}"' if datatype == XSD_STRING else f'"{text}"^^<{datatype}>'


def serialize(triples: Iterable[Triple], graph: str | None) -> str:
    """N-Quads lines for ``triples`` in the named graph ``graph`` (N-Triples lines when it is None)."""
    g = f"<{graph}> .\n" if graph is not None else ".\n"
    lines = []
    append = lines.append
    for s, p, o in triples:
        if type(o) is Lit:
            append(f"<{s}> <{p}> {literal(o.value, o.datatype)} {g}")
        else:
            append(f"<{s}> <{p}> <{o}> {g}")
    return "".join(lines)
