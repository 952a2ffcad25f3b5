"""JSON-LD for kg's exports, streamed: one ``@graph`` of node objects under a ``@context`` of the SPAR prefixes, so
that the file reads ``cito:cites`` and ``fabio:Expression`` rather than full IRIs. Consecutive triples about one
subject make one node object; a subject seen again later gets another, which JSON-LD processors merge."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import BinaryIO

from kg.mapping.terms import XSD_STRING, Lit, Object

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


class _Compactor:
    def __init__(self, prefixes: dict[str, str]) -> None:
        self.prefixes = sorted(prefixes.items(), key=lambda item: -len(item[1]))  # the longest namespace first

    def __call__(self, iri: str) -> str:
        for name, namespace in self.prefixes:
            if iri.startswith(namespace) and len(iri) > len(namespace) and not iri[len(namespace):].startswith("//"):
                return f"{name}:{iri[len(namespace):]}"
        return iri


def write(triples: Iterable[tuple[str, str, Object]], output: BinaryIO, *, prefixes: dict[str, str]) -> int:
    """Writes ``triples`` (IRIs as strings, literals as Lit) to ``output``; returns how many were written."""
    compact = _Compactor(prefixes)
    output.write(b'{"@context": ' + json.dumps(prefixes, sort_keys=True).encode() + b',\n "@graph": [')
    subject, node, written, first = None, {}, 0, True
    for s, p, o in triples:
        if s != subject:
            if node:
                output.write((b"\n  " if first else b",\n  ") + json.dumps(node, ensure_ascii=False).encode())
                first = False
            subject, node = s, {"@id": compact(s)}
        if p == RDF_TYPE and type(o) is not Lit:
            node.setdefault("@type", []).append(compact(o))
        else:
            node.setdefault(compact(p), []).append(_value(o, compact))
        written += 1
    if node:
        output.write((b"\n  " if first else b",\n  ") + json.dumps(node, ensure_ascii=False).encode())
    output.write(b"\n]}\n")
    return written


def _value(o: Object, compact: _Compactor) -> object:
    if type(o) is not Lit:
        return {"@id": compact(o)}
    if o.datatype == XSD_STRING:
        return o.value
    return {"@value": o.value, "@type": compact(o.datatype)}
