"""The canned-query catalogue: .rq files with a header, typed parameters bound as RDF terms, never as text."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from rdflib.term import Literal, URIRef
from rdflib.namespace import XSD

from kg.config import data_dir
from kg.errors import IdentifierError, MissingParameter, QueryError
from kg.identifiers import parse_curie
from kg.records import Identifier, Scheme

_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\x00-\x20<>\"{}|\\^`]+")
_HEADER = re.compile(r"#\s*(name|title|description|param|columns):\s*(.*)")
_CONTINUED = re.compile(r"#\s{2,}(\S.*)")
_PARAM = re.compile(r"(?P<name>[a-z_][a-z0-9_]*)\s+(?P<type>[a-z]+)(?:\s+(?P<marker>required|optional|alternative))?"
                    r"(?:\s+default\s+(?P<default>\S+))?"
                    r"(?:\s+one\s+of\s+(?P<choices>[\w-]+(?:\|[\w-]+)+))?(?:\s+\((?P<doc>.*)\))?\s*$")
MAX_TEXT = 500
MAX_LIST = 1000


class ParamType(StrEnum):
    """What a parameter holds. Entity types are resolved to the graph's nodes before binding."""

    IDENTIFIER = "identifier"    # one article: pmid:, pmcid:, doi: CURIE, a DOI URL, or the node's IRI
    IDENTIFIERS = "identifiers"  # several articles, separated by commas or white space
    AUTHOR = "author"            # orcid: CURIE or ORCID URL, an agent IRI, or a name as in the graph ("Corsi F")
    JOURNAL = "journal"          # issn: or nlm: CURIE, a journal IRI, or its title or abbreviation
    INTEGER = "integer"
    STRING = "string"


ENTITY_TYPES = frozenset({ParamType.IDENTIFIER, ParamType.IDENTIFIERS, ParamType.AUTHOR, ParamType.JOURNAL})


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    type: ParamType
    default: str | None = None
    doc: str = ""
    choices: tuple[str, ...] = ()  # a string or integer parameter that takes one of these (``one of a|b``)
    required: bool = False  # must be given; entity parameters are, unless marked ``optional`` (then, left out,
    # a parameter without a default is unbound: it matches anything)
    alternative: bool = False  # one of the query's alternatives: exactly one of them is given (``alternative``)


@dataclass(frozen=True, slots=True)
class CannedQuery:
    """One .rq file: its header and its text (with empty ``VALUES ?param {}`` blocks where parameters go)."""

    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    columns: tuple[str, ...]
    text: str

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.params) or "none"
        raise QueryError(f"query {self.name!r} has no parameter {name!r} (its parameters: {known})")


# A resolver turns a validated value into the graph nodes it names (by running a small lookup query).
Resolver = Callable[[ParamType, str], list[URIRef]]


def parse_header(text: str, *, source: str) -> CannedQuery:
    """Reads the ``# key: value`` header lines of an .rq file; raises QueryError on a malformed header."""
    fields: dict[str, str] = {}
    params: list[Param] = []
    key = None
    for line in text.splitlines():
        match = _HEADER.match(line.strip())
        continued = _CONTINUED.match(line)
        if continued and key == "description":
            fields["description"] += " " + continued.group(1).strip()
            continue
        key = None
        if not match:
            continue
        key, value = match.groups()
        if key == "param":
            params.append(_param(value, source))
        else:
            fields[key] = value.strip()
    missing = {"name", "title", "columns"} - fields.keys()
    if missing:
        raise QueryError(f"header lacks {', '.join(sorted(missing))}", source=source)
    columns = tuple(c.strip() for c in fields["columns"].split(","))
    return CannedQuery(fields["name"], fields["title"], fields.get("description", ""), tuple(params), columns, text)


def _param(value: str, source: str) -> Param:
    """One ``# param:`` line: ``name type [required|optional|alternative] [default D] [one of a|b] [(doc)]``.
    An entity parameter (identifier, identifiers, author, journal) is required unless marked optional: left out,
    it would turn a look-up into a sweep over the whole graph."""
    pm = _PARAM.match(value.strip())
    if not pm:
        raise QueryError(f"malformed param line {value!r}", source=source)
    try:
        kind = ParamType(pm["type"])
    except ValueError:
        raise QueryError(f"unknown parameter type {pm['type']!r}", source=source) from None
    choices = tuple(pm["choices"].split("|")) if pm["choices"] else ()
    numbers = kind is ParamType.INTEGER and all(c.isdigit() for c in choices)
    if choices and (not (kind is ParamType.STRING or numbers) or (pm["default"] and pm["default"] not in choices)):
        raise QueryError(f"param {pm['name']!r}: 'one of' takes a string or integer parameter and its default",
                         source=source)
    if pm["marker"] and pm["default"]:
        raise QueryError(f"param {pm['name']!r}: {pm['marker']}, it takes no default", source=source)
    required = pm["marker"] == "required" or (kind in ENTITY_TYPES and not pm["marker"] and not pm["default"])
    return Param(pm["name"], kind, pm["default"], (pm["doc"] or "").strip(), choices,
                 required=required, alternative=pm["marker"] == "alternative")


def catalogue(folder: Path | None = None) -> dict[str, CannedQuery]:
    """Every canned query by name, from ``folder`` or the installed ``queries/``."""
    source = data_dir("queries") if folder is None else folder
    files = [f for f in source.iterdir() if f.name.endswith(".rq")]
    queries = {}
    for f in sorted(files, key=lambda f: f.name):
        query = parse_header(f.read_text(encoding="utf-8"), source=f.name)
        queries[query.name] = query
    return queries


def bind(query: CannedQuery, values: dict[str, str], resolve: Resolver) -> str:
    """The query text with every parameter validated and bound; raises QueryError naming the bad parameter.

    A parameter left out is unbound (its ``VALUES ?p {}`` is removed), except an alternative: exactly one of a
    query's alternatives must be given, and each of the others' ``VALUES ?p {}`` becomes ``FILTER(false)``, which
    like an empty VALUES leaves its group no solutions (so the part of the query written for each alternative, a
    UNION branch, gives rows only for the one given), but which rdflib's engine, unlike an empty VALUES, runs."""
    for name in values:
        query.param(name)
    _one_alternative(query, values)
    text = query.text
    limit = offset = None
    for p in query.params:
        raw = values.get(p.name, p.default)
        if p.name in ("limit", "offset"):
            number = _integer(p, raw)
            limit, offset = (number, offset) if p.name == "limit" else (limit, number)
            continue
        if raw is None and p.required:
            raise MissingParameter(f"query {query.name!r} needs parameter {p.name!r} ({p.doc or p.type.value})")
        placeholder = re.compile(r"VALUES\s+\?" + p.name + r"\s*\{\s*\}")
        if raw is None and p.alternative:
            block = "FILTER(false)"
        elif raw is None:
            block = ""
        else:
            block = f"VALUES ?{p.name} {{ {' '.join(t.n3() for t in _terms(p, raw, resolve))} }}"
        text, count = placeholder.subn(lambda _: block, text)
        if count == 0:
            raise QueryError(f"query {query.name!r} declares {p.name!r} but has no 'VALUES ?{p.name} {{}}'")
    return _page(text, limit, offset)


def _one_alternative(query: CannedQuery, values: dict[str, str]) -> None:
    alternatives = [p.name for p in query.params if p.alternative]
    given = [name for name in alternatives if name in values]
    if alternatives and len(given) != 1:
        raise MissingParameter(f"query {query.name!r} takes exactly one of {', '.join(alternatives)}, "
                         f"got {', '.join(given) or 'none'}")


def _page(text: str, limit: int | None, offset: int | None) -> str:
    """Applies limit and offset: to every ``LIMIT n``/``OFFSET n`` the query writes (the ranking subqueries
    that must cut early), else at the end."""
    for keyword, value in (("LIMIT", limit), ("OFFSET", offset)):
        if value is None:
            continue
        text, found = re.subn(rf"\b{keyword}\s+\d+\b", f"{keyword} {value}", text)
        if not found and (keyword == "LIMIT" or value):
            text = text.rstrip() + f"\n{keyword} {value}"
    return text


def _integer(p: Param, raw: str | None) -> int | None:
    if raw is None:
        return None
    if not re.fullmatch(r"\d{1,9}", str(raw).strip()):
        raise QueryError(f"parameter {p.name!r} must be a non-negative integer, got {raw!r}")
    return int(raw)


def _terms(p: Param, raw: str, resolve: Resolver) -> list[URIRef | Literal]:
    raw = str(raw)
    if len(raw) > MAX_TEXT * (MAX_LIST if p.type is ParamType.IDENTIFIERS else 1):
        raise QueryError(f"parameter {p.name!r} is too long")
    if p.type is ParamType.INTEGER:
        number = _integer(p, raw)
        _chosen(p, str(number))
        return [Literal(number, datatype=XSD.integer)]
    if p.type is ParamType.STRING:
        return [Literal(_chosen(p, _text(p, raw)))]
    if p.type is ParamType.IDENTIFIERS:
        items = [v for v in re.split(r"[\s,]+", raw.strip()) if v]
        if not items or len(items) > MAX_LIST:
            raise QueryError(f"parameter {p.name!r} takes 1 to {MAX_LIST} identifiers, got {len(items)}")
        nodes = [node for item in items for node in _entity(p, ParamType.IDENTIFIER, item, resolve)]
        return list(dict.fromkeys(nodes))
    return _entity(p, p.type, raw, resolve)


def _chosen(p: Param, value: str) -> str:
    """``value``, if the parameter takes any value or this is one of its few; else raises QueryError."""
    if p.choices and value not in p.choices:
        raise QueryError(f"parameter {p.name!r} takes one of {', '.join(p.choices)}, got {value!r}")
    return value


def _entity(p: Param, kind: ParamType, raw: str, resolve: Resolver) -> list[URIRef]:
    value = _text(p, raw)
    if kind is ParamType.IDENTIFIER:
        value = _validated_curie(p, value, {Scheme.PMID, Scheme.PMCID, Scheme.DOI})
    elif kind is ParamType.JOURNAL and re.match(r"(?i)(issn|nlm):", value):
        value = _validated_curie(p, value, {Scheme.ISSN, Scheme.NLM})
    elif kind is ParamType.AUTHOR and re.match(r"(?i)(orcid:|https?://orcid\.org/)", value):
        value = _validated_curie(p, value, {Scheme.ORCID})
    return resolve(kind, value)


def _validated_curie(p: Param, value: str, schemes: set[Scheme]) -> str:
    """A normalised ``scheme:value``, or an IRI left as is; raises QueryError for anything else."""
    if _IRI.fullmatch(value) and re.match(r"(?i)https?://", value) and "doi.org/" not in value \
            and "orcid.org/" not in value:
        return value
    try:
        ident: Identifier = parse_curie(value)
    except IdentifierError as exc:
        raise QueryError(f"parameter {p.name!r}: {exc}") from None
    if ident.scheme not in schemes:
        allowed = ", ".join(sorted(s.value + ":" for s in schemes))
        raise QueryError(f"parameter {p.name!r} takes {allowed} or an IRI, got {ident.scheme.value}:")
    return str(ident)


def _text(p: Param, raw: str) -> str:
    value = raw.strip()
    if not value:
        raise QueryError(f"parameter {p.name!r} is empty")
    if len(value) > MAX_TEXT or any(ord(c) < 32 for c in value):
        raise QueryError(f"parameter {p.name!r} must be one line of at most {MAX_TEXT} characters")
    return value


def is_iri(value: str) -> bool:
    """True for an absolute http(s) IRI that is safe to write as ``<...>``."""
    return bool(_IRI.fullmatch(value)) and value.lower().startswith(("http://", "https://"))
