"""kg validate: SHACL shapes (ontologies/shapes.ttl, or a file of one's own) run with pySHACL over a store's
articles a batch at a time, each batch's neighbourhood copied into an in-memory store; violations gathered by
rule, with counts and example nodes named the way a curator knows them."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import unquote

import pyshacl
import pyshacl.graph_abstraction
import pyshacl.helper.sparql_query_helper
import rdflib
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import BNode, Literal, Node, URIRef

from kg.errors import KgError
from kg.mapping.iris import Minter
from kg.mapping.vocab import KGV, PROV
from kg.ontology import sample
from kg.ontology.profile import ontology_text
from kg.store.oxigraph import OxigraphStore

# pySHACL asks a data graph for its truth value when it words a result, which for an Oxigraph-backed graph counts
# every quad in the store: one count per violation. A data graph is never empty when it has a result.
pyshacl.graph_abstraction.OxigraphDataGraph.__bool__ = lambda self: True  # type: ignore[attr-defined]

# pySHACL checks a SPARQL constraint's text (no MINUS, VALUES, SERVICE...) with regular expressions before every
# focus node; the text does not change between them, so the verdict is kept.
_check = pyshacl.helper.sparql_query_helper.SPARQLQueryHelper.check_invalid_sparql
_checked: dict[tuple[str, bool, tuple[str, ...]], bool] = {}


def _check_once(self, sparql_text, valuenode=None, extravars=None):  # noqa: ANN001 - pySHACL's signature
    key = (sparql_text, valuenode is not None, tuple(sorted(extravars or ())))
    if key not in _checked:
        _checked[key] = _check(self, sparql_text, valuenode=valuenode, extravars=extravars)
    return _checked[key]


pyshacl.helper.sparql_query_helper.SPARQLQueryHelper.check_invalid_sparql = _check_once

EACH, ALL, SAMPLED = (URIRef(str(KGV._NS) + name) for name in ("eachSource", "allSources", "sampledArticles"))
VALIDATED_IN = URIRef(str(KGV._NS) + "validatedIn")
EXAMPLES = 3  # example nodes kept per rule
_VALUE = re.compile(r"[:(]?\s*\{[?$]value\}\)?")  # where a message shows the value: the table shows it apart


class ShapesError(KgError):
    """A shapes file that cannot be read as SHACL."""


@dataclass(slots=True)
class Example:
    node: str  # the focus node, as a curator names it ("article pmid:123")
    value: str | None
    source: str | None  # the source's file name, for rules checked in each source


@dataclass(slots=True)
class Rule:
    """The violations of one rule: a shape and its message."""

    shape: str
    label: str
    message: str
    count: int = 0
    examples: list[Example] = field(default_factory=list)


@dataclass(slots=True)
class Validation:
    """What kg validate found."""

    articles: int = 0
    quads: int = 0
    seconds: float = 0.0
    rules: dict[tuple[str, str], Rule] = field(default_factory=dict)
    report: rdflib.Graph | None = None  # the standard SHACL validation report, when asked for
    seen: set[tuple[str, ...]] = field(default_factory=set, repr=False)

    @property
    def violations(self) -> int:
        return sum(r.count for r in self.rules.values())

    @property
    def conforms(self) -> bool:
        return self.violations == 0


def load_shapes(path: Path | None = None) -> rdflib.Graph:
    """kg's shapes, or those of ``path``; raises ShapesError when the file cannot be read."""
    graph = rdflib.Graph()
    try:
        if path is None:
            graph.parse(data=ontology_text("shapes.ttl"), format="turtle")
        else:
            graph.parse(str(path))
    except (OSError, SyntaxError, ValueError) as exc:
        reason = " ".join(str(exc).split())  # rdflib's parser errors span several lines
        raise ShapesError(f"cannot read the shapes: {reason}", source=str(path or "shapes.ttl")) from exc
    if not any(graph.subjects(RDF.type, SH.NodeShape)) and not any(graph.subjects(RDF.type, SH.PropertyShape)):
        raise ShapesError("no SHACL shape in the file", source=str(path))
    return graph


def _scopes(shapes: rdflib.Graph) -> dict[URIRef, list[str]]:
    """The named shapes checked in each scope (kg:allSources when a shape does not say)."""
    scopes: dict[URIRef, list[str]] = {EACH: [], ALL: [], SAMPLED: []}
    for shape in set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape)):
        if isinstance(shape, URIRef):
            scopes.get(shapes.value(shape, VALIDATED_IN), scopes[ALL]).append(str(shape))
    return scopes


def validate(store: OxigraphStore, minter: Minter, *, shapes: rdflib.Graph | None = None, sample_size: int | None = None,
             seed: int = 0, keep_report: bool = False, leave_out: Iterable[str] = (),
             progress: Callable[[int], object] | None = None) -> Validation:
    """Checks ``store`` against ``shapes`` (kg's by default): every article, or ``sample_size`` drawn at random,
    with everything they reach, a batch at a time. ``keep_report`` keeps the SHACL validation report graph;
    ``progress`` is told how many articles each batch checked."""
    started = time.perf_counter()
    shapes = load_shapes() if shapes is None else shapes
    scopes, labels = _scopes(shapes), _source_labels(store, minter)
    found = Validation(report=rdflib.Graph() if keep_report else None)
    for batch in sample.batches(store, minter, sample=sample_size, seed=seed):
        part = sample.neighbourhood(store, batch, leave_out=set(leave_out) | {minter.source_graph("inferred")})
        found.articles += len(batch)
        found.quads += part.statements
        if scopes[ALL]:
            _run(part.union, shapes, use=scopes[ALL], focus=None, found=found, minter=minter, source=None)
        if scopes[SAMPLED]:
            _run(part.union, shapes, use=scopes[SAMPLED], focus=[str(a) for a in batch], found=found, minter=minter,
                 source=None)
        if scopes[EACH]:
            for graph, data in part.graphs.items():
                if graph in labels:  # a source's graph, not kg's derived counts
                    _run(data, shapes, use=scopes[EACH], focus=None, found=found, minter=minter, source=labels[graph])
        if progress is not None:
            progress(len(batch))
    found.seconds = time.perf_counter() - started
    return found


def _run(data: OxigraphStore, shapes: rdflib.Graph, *, use: list[str], focus: list[str] | None, found: Validation,
         minter: Minter, source: str | None) -> None:
    """pySHACL over an in-memory Oxigraph store (SPARQL constraints and targets run there)."""
    conforms, report, _ = pyshacl.validate(data.native, shacl_graph=shapes, use_shapes=use, focus_nodes=focus,
                                           advanced=True, inplace=True, allow_warnings=True)
    if not conforms:
        _gather(report, shapes, found=found, minter=minter, source=source)


def _gather(report: rdflib.Graph, shapes: rdflib.Graph, *, found: Validation, minter: Minter, source: str | None) -> None:
    for result in report.objects(None, SH.result):
        source_shape = report.value(result, SH.sourceShape)
        top = _top_shape(shapes, source_shape)
        constraint = report.value(result, SH.sourceConstraint) or source_shape
        template = shapes.value(constraint, SH.message) or shapes.value(source_shape, SH.message)
        message = " ".join(_VALUE.sub("", str(template if template else report.value(result, SH.resultMessage) or "")).split())
        value = report.value(result, SH.value)
        focus = report.value(result, SH.focusNode)
        key = (str(top), message, str(focus), str(value), source)
        if key in found.seen:  # a node in two batches' neighbourhoods is checked twice
            continue
        found.seen.add(key)
        rule = found.rules.setdefault((str(top), message), Rule(
            str(top), str(shapes.value(top, RDFS.label) or top), message))
        rule.count += 1
        if len(rule.examples) < EXAMPLES:
            rule.examples.append(Example(describe(str(focus), minter),
                                         None if value is None else str(value), source))
        if found.report is not None:
            for triple in _result_triples(report, result):
                found.report.add(triple)
            found.report.add((_REPORT, SH.result, result))


_REPORT = BNode("kgValidationReport")


def _result_triples(report: rdflib.Graph, node: Node) -> Iterable[tuple[Node, Node, Node]]:
    """A result's triples, with those of the blank nodes it holds (a path, a detail)."""
    for p, o in report.predicate_objects(node):
        yield node, p, o
        if isinstance(o, BNode):
            yield from _result_triples(report, o)


def report_graph(found: Validation) -> rdflib.Graph:
    """The standard SHACL validation report of every batch, as one sh:ValidationReport."""
    graph = found.report if found.report is not None else rdflib.Graph()
    graph.bind("sh", SH)
    graph.add((_REPORT, RDF.type, SH.ValidationReport))
    graph.add((_REPORT, SH.conforms, Literal(found.conforms)))
    return graph


def _top_shape(shapes: rdflib.Graph, shape: Node | None) -> Node | None:
    """The named shape a result comes from: its own IRI, or the node shape that holds a property shape."""
    seen = set()
    while isinstance(shape, BNode) and shape not in seen:
        seen.add(shape)
        holder = next(iter(shapes.subjects(SH.property, shape)), None) or \
            next(iter(shapes.subjects(SH.sparql, shape)), None)
        if holder is None:
            break
        shape = holder
    return shape


def _source_labels(store: OxigraphStore, minter: Minter) -> dict[str, str]:
    rows = store.query(f"SELECT ?g ?label WHERE {{ GRAPH <{minter.provenance_graph}> {{ ?g a <{PROV.Entity}> "
                       f"OPTIONAL {{ ?g <{RDFS.label}> ?label }} }} }}", union=False).rows
    return {str(g): str(label or g) for g, label in rows}


_KINDS = {"br": "article", "ar": "author entry", "ra": "agent", "id": "identifier", "ci": "citation",
          "re": "pages of", "be": "reference of", "gcc": "declared count of", "org": "organisation"}


def describe(iri: str, minter: Minter) -> str:
    """A node as a curator names it: 'article pmid:123', 'identifier doi:10.1/x', 'citation pmid:1 → pmid:2',
    'author entry 2-smith-j of pmid:123', 'journal issn:0000-0000'."""
    if not iri.startswith(minter.base):
        return iri
    kind, _, rest = iri[len(minter.base):].partition("/")
    parts = [unquote(p) for p in rest.split("/")]
    if kind == "br" and parts[0] == "journal":
        head, *more = parts[1:]
        name = f"journal {head}:{more[0]}" if more else f"journal {head}"
        tail = " ".join(more[1:])
        return f"{name} {tail}".strip()
    if kind == "ci" and "to" in parts:
        at = parts.index("to")
        return f"citation {':'.join(parts[:at])} → {':'.join(parts[at + 1:])}"
    if kind in ("ar", "ra", "be", "re", "gcc") and len(parts) >= 2:
        article = ":".join(parts[:2])
        extra = " ".join(parts[2:])
        return f"{_KINDS[kind]} {extra} of {article}".replace("  ", " ") if extra else f"{_KINDS[kind]} {article}"
    return f"{_KINDS.get(kind, kind)} {':'.join(parts[:2])}{'/' + '/'.join(parts[2:]) if len(parts) > 2 else ''}"


def render(found: Validation, fmt: str) -> str:
    """``table`` (for curators), ``json`` or ``turtle`` (the standard SHACL validation report)."""
    if fmt == "turtle":
        return report_graph(found).serialize(format="turtle")
    rules = sorted(found.rules.values(), key=lambda r: (-r.count, r.label, r.message))
    if fmt == "json":
        return json.dumps({"conforms": found.conforms, "articles": found.articles, "violations": found.violations,
                           "seconds": round(found.seconds, 1),
                           "rules": [{"shape": r.shape, "label": r.label, "message": r.message, "count": r.count,
                                      "examples": [asdict(e) for e in r.examples]} for r in rules]}, indent=2) + "\n"
    lines = [f"{found.articles} articles checked with everything they reach ({found.quads} statements) in "
             f"{found.seconds:.1f} s: " + ("no violations" if found.conforms else
                                          f"{found.violations} violations of {len(rules)} rules")]
    for r in rules:
        lines.append(f"\n{r.count} × {r.label}: {r.message}")
        for e in r.examples:
            where = f" (in {e.source})" if e.source else ""
            value = f": {e.value}" if e.value is not None else ""
            lines.append(f"    {e.node}{where}{value}")
    return "\n".join(lines) + "\n"
