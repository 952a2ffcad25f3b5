"""The SPARQL 1.1 Protocol at /sparql: queries by GET, form POST and application/sparql-query POST (updates go
to writes), the dataset parameters and content negotiation."""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from kg.interfaces.server.answers import read_body, respond
from kg.interfaces.server.describe import service_description
from kg.interfaces.server.negotiate import GRAPHS, RESULTS, preferences
from kg.interfaces.server.writes import run_update
from kg.workers import Job

FORM = "application/x-www-form-urlencoded"


async def form(request: Request) -> dict[str, list[str]]:
    """GET parameters, and for a form POST its fields as well."""
    fields = parse_qs(request.url.query, keep_blank_values=True)
    if request.method == "POST" and _media(request) == FORM:
        body = await read_body(request)
        try:
            for key, values in parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False).items():
                fields.setdefault(key, []).extend(values)
        except UnicodeDecodeError:
            raise HTTPException(400, "kg: the form is not UTF-8") from None
    return fields


def _media(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def sparql(request: Request) -> Response:
    """GET or POST a query (or, with the token, an update); GET with neither: the service description."""
    fields = await form(request)
    query, update = fields.get("query", []), fields.get("update", [])
    media = _media(request)
    if request.method == "POST" and media == "application/sparql-query":
        query = [await _text(request)]
    elif request.method == "POST" and media == "application/sparql-update":
        update = [await _text(request)]
    elif request.method == "POST" and media != FORM:
        return PlainTextResponse("kg: POST a query as application/x-www-form-urlencoded or "
                                 "application/sparql-query, an update as application/sparql-update\n", 415)
    if len(query) + len(update) > 1:
        return PlainTextResponse("kg: give one query or one update\n", 400)
    if update:
        if request.method != "POST":
            return PlainTextResponse("kg: updates are POSTed\n", 405, {"Allow": "POST"})
        return await run_update(request, update[0])
    if not query:
        if request.method == "POST":
            return PlainTextResponse("kg: no query given\n", 400)
        return await service_description(request)
    settings = request.app.state.settings
    offers = RESULTS + GRAPHS
    accept = preferences(request.headers.get("accept"), offers, format=_one(fields, "format"))
    if not accept:
        return PlainTextResponse(f"kg: cannot answer as {request.headers.get('accept')}; "
                                 f"offered: {', '.join(offers)}\n", 406)
    job = Job(text=query[0], default_graph=fields.get("default-graph-uri"), allow_service=settings.allow_service,
              named_graphs=fields.get("named-graph-uri"), accept=accept, max_rows=settings.max_rows)
    return await respond(request, job)


def _one(fields: dict[str, list[str]], key: str) -> str | None:
    values = fields.get(key)
    return values[0] if values else None


async def _text(request: Request) -> str:
    try:
        return (await read_body(request)).decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPException(400, "kg: the request body is not UTF-8") from None


