"""Writes through the server, for holders of the update token only: the Graph Store Protocol at /store (graphs
that are not kg's own) and loads of source files at /load (which become sources like any `kg load`)."""

from __future__ import annotations

import asyncio
import hmac
import re
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from kg.errors import KgError, QueryRefused
from kg.graph import META_GRAPH
from kg.guard import check_update
from kg.interfaces.server.answers import error, read_body, respond
from kg.interfaces.server.negotiate import GRAPHS, preferences
from kg.workers import Job

UPLOADS = "kg-uploads"  # in the store's folder: a loaded file stays where unload and identity splits find it


def authorised(request: Request) -> Response | None:
    """None when the request holds the server's update token (compared in constant time); else the answer."""
    token: bytes | None = request.app.state.settings.token
    if token is None:
        return PlainTextResponse("kg: this server is read-only (start kg serve with $KG_UPDATE_TOKEN or "
                                 "--update-token-file to accept writes)\n", 403)
    given = request.headers.get("authorization", "")
    if not given.lower().startswith("bearer "):
        return PlainTextResponse("kg: writing needs 'Authorization: Bearer <token>'\n", 401,
                                 {"WWW-Authenticate": 'Bearer realm="kg"'})
    if not hmac.compare_digest(given[7:].strip().encode("utf-8"), token):
        return PlainTextResponse("kg: wrong update token\n", 403)
    return None


def refuse_kg_graphs(request: Request, graphs: frozenset[str] | set[str]) -> None:
    """Raises QueryRefused when a write would reach kg's own graphs (sources, provenance, counts), which only
    loads and unloads change, or any graph at all (a variable graph, ALL, NAMED)."""
    own = request.app.state.graph.minter.base + "graph/"
    for graph in graphs:
        if graph == "*" or graph.startswith(own) or graph == META_GRAPH:
            what = "every graph" if graph == "*" else graph
            raise QueryRefused(f"a write to {what} is refused: kg's own graphs change only through loads "
                               f"(POST /load) and `kg unload`; write other named graphs or the default graph")


def _graph_of(request: Request) -> str | Response:
    params = request.query_params
    if "graph" in params and "default" not in params:
        return params["graph"]
    if "default" in params and "graph" not in params:
        return "DEFAULT"
    return PlainTextResponse("kg: name the graph: ?graph=IRI or ?default\n", 400)


async def graph_store(request: Request) -> Response:
    """The Graph Store HTTP Protocol: GET (anyone), PUT, POST and DELETE (with the token) one graph."""
    graph = _graph_of(request)
    if isinstance(graph, Response):
        return graph
    state = request.app.state
    if request.method == "GET":
        return await _get_graph(request, graph)
    if (denied := authorised(request)) is not None:
        return denied
    if graph == "DEFAULT":
        return PlainTextResponse("kg: the default graph is the union of the sources here; write a named graph\n",
                                 400)
    try:
        refuse_kg_graphs(request, {graph})
        if request.method == "DELETE":
            if not state.graph.store.has_graph(graph):
                return PlainTextResponse(f"kg: no graph {graph}\n", 404)
            async with state.pool.writing():
                await asyncio.to_thread(state.graph.store.remove_graph, graph)
            return Response(status_code=204)
        body = await read_body(request)
        media = request.headers.get("content-type", "").split(";")[0].strip()
        existed = state.graph.store.has_graph(graph)
        async with state.pool.writing():
            await asyncio.to_thread(state.graph.store.write_graph, body, media, graph,
                                    replace=request.method == "PUT")
            state.graph.store.flush()
    except KgError as exc:
        return error(exc)
    return Response(status_code=204 if existed else 201)


async def _get_graph(request: Request, graph: str) -> Response:
    accept = preferences(request.headers.get("accept"), GRAPHS, format=request.query_params.get("format"))
    if not accept:
        return PlainTextResponse(f"kg: a graph can be sent as {', '.join(GRAPHS)}\n", 406)
    if graph != "DEFAULT" and not request.app.state.graph.store.has_graph(graph):
        return PlainTextResponse(f"kg: no graph {graph}\n", 404)
    text = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    dataset = {} if graph == "DEFAULT" else {"default_graph": [graph], "named_graphs": []}
    return await respond(request, Job(text=text, accept=accept, max_rows=0, **dataset))


async def load(request: Request) -> Response:
    """POST a source file (any format kg reads) with ?name=FILE: it is kept in the store's folder and loaded
    as `kg load` would (its own named graph, provenance, counts, one node per real thing); a file of the same
    name replaces what the earlier one stated. Answers the load report."""
    if (denied := authorised(request)) is not None:
        return denied
    name = request.query_params.get("name", "")
    if not re.fullmatch(r"[\w][\w.\-]{0,200}", name):
        return PlainTextResponse("kg: give the file's name as ?name= (letters, digits, '.', '-', '_')\n", 400)
    state = request.app.state
    body = await read_body(request)
    folder = Path(state.settings.store) / UPLOADS
    path = folder / name
    async with state.pool.writing():
        def write_and_load():
            folder.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body)
            return state.graph.load([path], format=request.query_params.get("format"))
        report = await asyncio.to_thread(write_and_load)
    source = report.sources[0]
    return JSONResponse({"source": name, "status": source.status, "format": source.format,
                         "records": source.records, "articles": source.articles, "citations": source.citations,
                         "triples": source.triples, "skipped": source.skipped, "error": source.error,
                         "report": report.render()}, status_code=422 if report.failed else 200)


async def run_update(request: Request, text: str) -> Response:
    """A SPARQL Update, for a holder of the token, on graphs that are not kg's own (which only loads change)."""
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
