"""The SPARQL 1.1 Protocol at /sparql: queries by GET and POST, updates with the token, streamed answers, and
the one mapping of kg's errors to HTTP statuses."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse

from kg.errors import KgError, MissingParameter, QueryError, QueryRefused, QueryTimeout
from kg.guard import check_update
from kg.interfaces.server.negotiate import GRAPHS, RESULTS, preferences
from kg.interfaces.server.pool import Busy
from kg.workers import ERRORS, Job, NotAcceptable

STATUS = {NotAcceptable: 406, QueryTimeout: 504, QueryRefused: 403, MissingParameter: 400, QueryError: 400}
FORM = "application/x-www-form-urlencoded"


class StreamAborted(Exception):
    """An answer that failed after its head was sent: the connection is closed without the final chunk, so
    that a client sees an incomplete response instead of a short one."""


def error(exc: BaseException) -> Response:
    """The one place where kg's errors become HTTP statuses; the body is one line starting ``kg:``."""
    if isinstance(exc, Busy):
        return PlainTextResponse("kg: too many queries at once; try again shortly\n", 503, {"Retry-After": "1"})
    status = next((code for cls, code in STATUS.items() if isinstance(exc, cls)), 500)
    return PlainTextResponse(f"kg: {exc}\n", status)


async def read_body(request: Request) -> bytes:
    """The request body, refused with 413 past the server's size cap (checked as it arrives)."""
    limit = request.app.state.settings.max_body
    if int(request.headers.get("content-length") or 0) > limit:
        raise HTTPException(413, f"kg: the request is over the server's {limit} byte limit")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPException(413, f"kg: the request is over the server's {limit} byte limit")
    return bytes(body)


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
        from kg.interfaces.server.describe import service_description
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


async def respond(request: Request, job: Job, *, headers: dict[str, str] | None = None) -> Response:
    """Runs a job on a worker and streams its answer; a failure before the first byte gets its status, a later
    one aborts the response (StreamAborted)."""
    pool = request.app.state.pool
    messages = pool.messages(job)
    try:
        head = await anext(messages)
    except Busy as exc:
        return error(exc)
    if head[0] == "error":
        return error(ERRORS.get(head[1], KgError)(head[2]))
    _, form_, media, truncated = head
    extra = dict(headers or {})
    if truncated:
        extra["KG-Truncated"] = f"true; max-rows={job.max_rows}"
    extra["KG-Max-Rows"] = str(job.max_rows)

    async def body():
        async for message in messages:
            if message[0] == "data":
                yield message[1]
            elif message[0] == "error":
                raise StreamAborted(message[2])
    return StreamingResponse(body(), media_type=media, headers=extra)


async def run_update(request: Request, text: str) -> Response:
    """A SPARQL Update, for a holder of the token, on graphs that are not kg's own (which only loads change)."""
    from kg.interfaces.server.writes import authorised, refuse_kg_graphs

    if (denied := authorised(request)) is not None:
        return denied
    settings = request.app.state.settings
    try:
        checked = check_update(text, allow_service=settings.allow_service)
        refuse_kg_graphs(request, checked.writes)
        async with request.app.state.pool.writing():
            await asyncio.to_thread(request.app.state.graph.store.update, text)
            request.app.state.graph.store.flush()
    except KgError as exc:
        return error(exc)
    return Response(status_code=204)
