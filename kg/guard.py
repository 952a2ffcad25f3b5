"""What a SPARQL request may do, decided on the parsed request before it runs: no SERVICE or LOAD (they would
make kg fetch any address) unless allowed, and whether it names its own dataset (FROM, FROM NAMED)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rdflib.term import Variable

from kg.errors import QueryError, QueryRefused

# SPARQL keywords cannot be escaped or split, except by \u escapes, which are undone before parsing. Outside
# strings, IRIs and comments (removed in one left-to-right pass, as the lexer reads them), a text holding none
# of these words (and no \u escape) cannot hold SERVICE, LOAD or a dataset clause, and needs no parse. Any other
# text is parsed (rdflib's SPARQL parser, 1-500 ms) and its parse tree searched.
_NOT_CODE = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
                       r'|"(?:[^"\\\n\r]|\\.)*"|\'(?:[^\'\\\n\r]|\\.)*\'|<[^<>"{}|^`\\\x00-\x20]*>|#[^\n\r]*')
_WORDS = re.compile(r"(?i)\b(?:service|load|from|using)\b")


def _may_matter(text: str) -> bool:
    """False when the text surely holds no SERVICE, LOAD, FROM or USING (so it needs no parse)."""
    if "\\u" in text or "\\U" in text:
        return True
    return bool(_WORDS.search(_NOT_CODE.sub(" ", text)))


@dataclass(frozen=True, slots=True)
class Checked:
    """A request that passed the guard: ``dataset`` is true when it names its own (FROM / FROM NAMED, USING);
    ``writes`` (updates) holds the graphs it may change: IRIs, ``DEFAULT``, or ``*`` for any (a variable graph,
    ALL, NAMED)."""

    dataset: bool = False
    writes: frozenset[str] = frozenset()


def check_query(text: str, *, allow_service: bool = False) -> Checked:
    """Raises QueryRefused for SERVICE (also ``SERVICE ?var``) unless ``allow_service``, QueryError when the text
    cannot be parsed; says whether the query has a dataset clause."""
    if not _may_matter(text):
        return Checked()
    return _checked(text, update=False, allow_service=allow_service)


def check_update(text: str, *, allow_service: bool = False) -> Checked:
    """Raises QueryRefused for LOAD and SERVICE unless ``allow_service``; QueryError when it cannot be parsed.
    Always parses: the graphs an update writes are read from its parse tree."""
    return _checked(text, update=True, allow_service=allow_service)


@lru_cache(maxsize=512)  # endpoints see the same texts again and again; a parse takes milliseconds
def _checked(text: str, *, update: bool, allow_service: bool) -> Checked:
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        tree = parseUpdate(text) if update else parseQuery(text)
    except ParseException as exc:
        raise QueryError(f"the {'update' if update else 'query'} is malformed: {exc.msg} "
                         f"(line {exc.lineno}, column {exc.col})") from None
    except Exception as exc:  # noqa: BLE001 - rdflib raises plain exceptions for some bad texts
        raise QueryError(f"the {'update' if update else 'query'} is malformed: {exc}") from None
    names = set(_names(tree))
    if not allow_service:
        if "ServiceGraphPattern" in names:
            raise QueryRefused("SERVICE is refused: it would make kg send requests to other addresses "
                               "(--allow-service enables it)")
        if "Load" in names:
            raise QueryRefused("LOAD is refused: it would make kg fetch a URL (--allow-service enables it)")
    return Checked(dataset=bool(names & {"DatasetClause", "UsingClause"}),
                   writes=frozenset(_written(tree)) if update else frozenset())


def _written(tree: object):
    """The graphs each operation of a parsed update writes to."""
    for operation in tree["request"]:
        kind = operation.name
        if kind in ("Clear", "Drop", "Create", "Load"):
            target = operation["graphiri"] if "graphiri" in operation else None
            yield "DEFAULT" if kind == "Load" and target is None else ("*" if target in ("ALL", "NAMED") else
                                                                        str(target))
        elif kind in ("Add", "Move", "Copy"):
            graphs = list(operation["graph"])
            yield from (str(g) if g != "DEFAULT" else "DEFAULT" for g in (graphs if kind == "Move" else graphs[1:]))
        else:  # InsertData, DeleteData, DeleteWhere, Modify: their templates' graphs, or WITH's, or the default
            default = str(operation["withClause"]) if "withClause" in operation else "DEFAULT"
            for part in ("quads", "delete", "insert"):
                if part not in operation:
                    continue
                quads = operation[part] if part == "quads" else operation[part]["quads"]
                if "triples" in quads and quads["triples"]:
                    yield default
                for block in quads["quadsNotTriples"] if "quadsNotTriples" in quads else []:
                    term = block["term"]
                    yield str(term) if not isinstance(term, Variable) else "*"


def _names(node: object):
    """The names of every parse-tree node (rdflib's CompValue) under ``node``."""
    stack = [node]
    while stack:
        item = stack.pop()
        name = getattr(item, "name", None)
        if isinstance(name, str):
            yield name
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)) or type(item).__name__ == "ParseResults":
            stack.extend(item)
