"""The canned-query catalogue as a web API: /api/queries lists it, /api/queries/{name} runs one (GET, or POST
with a JSON body), and /openapi.json describes every operation, generated from the .rq headers."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from kg.version import __version__
from kg.errors import KgError
from kg.interfaces.server.negotiate import preferences
from kg.interfaces.server.pool import Busy
from kg.interfaces.server.answers import error, read_body
from kg.queries import CannedQuery, Param, ParamType
from kg.results import Result, chunks
from kg.workers import Job

ROWS = ("application/json", "text/csv", "text/tab-separated-values", "application/sparql-results+json")
_SPARQL_FORMATS = {"text/csv": "csv", "text/tab-separated-values": "tsv", "application/sparql-results+json": "json"}


def _param(p: Param) -> dict[str, object]:
    schema: dict[str, object] = {"type": "integer" if p.type is ParamType.INTEGER else "string"}
    if p.choices:
        schema["enum"] = [int(c) if p.type is ParamType.INTEGER else c for c in p.choices]
    if p.default is not None:
        schema["default"] = int(p.default) if p.type is ParamType.INTEGER else p.default
    return {"name": p.name, "type": p.type.value, "required": p.required, "alternative": p.alternative,
            "description": p.doc, "schema": schema}


def describe(query: CannedQuery) -> dict[str, object]:
    return {"name": query.name, "title": query.title, "description": query.description,
            "parameters": [_param(p) for p in query.params], "columns": list(query.columns),
            "url": f"/api/queries/{query.name}"}


async def listing(request: Request) -> Response:
    return JSONResponse([describe(q) for q in request.app.state.graph.queries.values()])


async def run(request: Request) -> Response:
    """Runs a canned query with the request's parameters; a bad or missing parameter is a 400 naming it."""
    name = request.path_params["name"]
    query = request.app.state.graph.queries.get(name)
    if query is None:
        return PlainTextResponse(f"kg: no canned query {name!r} (GET /api/queries lists them)\n", 404)
    params = {k: v for k, v in request.query_params.items() if k != "format"}
    if request.method == "POST":
        try:
            body = json.loads(await read_body(request) or b"{}")
            if not isinstance(body, dict):
                raise ValueError("not an object")
        except ValueError as exc:
            return PlainTextResponse(f"kg: the body must be a JSON object of parameters ({exc})\n", 400)
        params.update({k: " ".join(map(str, v)) if isinstance(v, list) else str(v) for k, v in body.items()})
    accept = preferences(request.headers.get("accept"), ROWS, format=request.query_params.get("format"))
    if not accept:
        return PlainTextResponse(f"kg: rows can be sent as {', '.join(ROWS)}\n", 406)
    try:
        result = await request.app.state.pool.result(Job(name=name, params=params))
    except (KgError, Busy) as exc:
        return error(exc)
    return render(result, accept[0])


def render(result: Result, media: str) -> Response:
    if media == "application/json":
        return JSONResponse([{c: str(v) for c, v in zip(result.columns, row) if v is not None} for row in result.rows])
    text = "".join(chunks(_SPARQL_FORMATS[media], result.columns, result.rows))
    return Response(text, media_type=media)


async def openapi(request: Request) -> Response:
    """OpenAPI 3.1 for the catalogue: one operation per .rq file, with its parameters and columns."""
    paths: dict[str, object] = {}
    for query in request.app.state.graph.queries.values():
        row = {"type": "object", "properties": {c: {"type": "string"} for c in query.columns}}
        responses = {"200": {"description": "the rows", "content": {
            "application/json": {"schema": {"type": "array", "items": row}},
            "text/csv": {"schema": {"type": "string"}}, "text/tab-separated-values": {"schema": {"type": "string"}}}},
            "400": {"description": "a missing or bad parameter, named in the message"},
            "503": {"description": "too many queries at once (Retry-After)"},
            "504": {"description": "the query ran past the server's time limit"}}
        parameters = [{"name": p.name, "in": "query", "required": p.required, "schema": _param(p)["schema"],
                       "description": p.doc or p.type.value} for p in query.params]
        body = {"type": "object", "properties": {p.name: _param(p)["schema"] for p in query.params},
                "required": [p.name for p in query.params if p.required]}
        paths[f"/api/queries/{query.name}"] = {
            "get": {"operationId": query.name, "summary": query.title, "description": query.description,
                    "parameters": parameters, "responses": responses},
            "post": {"operationId": query.name + "-post", "summary": query.title + " (parameters as JSON)",
                     "requestBody": {"content": {"application/json": {"schema": body}}}, "responses": responses}}
    paths["/api/queries"] = {"get": {"operationId": "list-queries", "summary": "The catalogue",
                                     "responses": {"200": {"description": "every canned query"}}}}
    return JSONResponse({"openapi": "3.1.0", "info": {"title": "kg canned queries", "version": __version__},
                         "servers": [{"url": str(request.base_url).rstrip("/")}], "paths": paths})
