"""`kg serve`'s ASGI application: the store held by this process (writes go through it), query workers that
read it, and the routes: /sparql, /store, /load, /api, /openapi.json, /.well-known/void, pages and entities."""

from __future__ import annotations

import json
import os
import sys
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Route

from kg.graph import KnowledgeGraph, Remote
from kg.interfaces.server import answers, api, describe, pages, protocol, writes
from kg.interfaces.server.pool import Pool

SERVED = "kg-serve.json"  # in the store's folder while a server holds it: who, and where to send loads


@dataclass(frozen=True, slots=True)
class Settings:
    """How `kg serve` runs; the README documents each default."""

    store: Path
    host: str = "127.0.0.1"
    port: int = 7878
    timeout: float = 60.0         # seconds a query may run (its worker is ended then)
    max_rows: int = 10_000        # rows (or triples) of an answer; 0: no limit
    workers: int = 4              # query worker processes
    max_waiting: int = 32         # queries waiting for a worker beyond those running; more get 503
    max_body: int = 10 << 20      # bytes of a request body (queries, forms, graphs, files to load)
    cors: tuple[str, ...] = ()    # origins allowed to call the server from a browser
    token: bytes | None = None    # the update token; None: read-only
    allow_service: bool = False   # SERVICE and LOAD reach other addresses: off unless asked for
    base_iri: str | None = None
    remote: Remote | None = None  # a remote SPARQL store to front instead of the embedded one in ``store``

    @property
    def target(self) -> Path | Remote:
        return self.remote or self.store


class AbortOnFailedStream:
    """Ends the connection without the final chunk when an answer fails after its head was sent."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        try:
            await self.app(scope, receive, send)
        except answers.StreamAborted as exc:
            print(f"kg: an answer was broken off: {exc}", file=sys.stderr)


def create_app(settings: Settings, *, graph: KnowledgeGraph | None = None) -> Starlette:
    """The application for a store: ``graph`` (the store opened read-write), else opened on startup; the
    workers are started on startup, and everything closed on shutdown."""

    @asynccontextmanager
    async def lifespan(app: Starlette):
        app.state.graph = graph or KnowledgeGraph(settings.target, base_iri=settings.base_iri)
        app.state.graph.store.flush()
        app.state.pool = Pool(settings.target, workers=settings.workers, timeout=settings.timeout,
                              max_waiting=settings.max_waiting)
        marker = settings.store / SERVED
        try:
            await app.state.pool.start()
            if settings.remote is None:
                marker.write_text(json.dumps({"pid": os.getpid(), "url": f"http://{settings.host}:{settings.port}/"}))
            yield
        finally:
            marker.unlink(missing_ok=True)
            await app.state.pool.stop()
            app.state.graph.close()

    routes = [
        Route("/sparql", protocol.sparql, methods=["GET", "POST"]),
        Route("/store", writes.graph_store, methods=["GET", "PUT", "POST", "DELETE"]),
        Route("/load", writes.load, methods=["POST"]),
        Route("/api/queries", api.listing, methods=["GET"]),
        Route("/api/queries/{name}", api.run, methods=["GET", "POST"]),
        Route("/openapi.json", api.openapi, methods=["GET"]),
        Route("/.well-known/void", describe.void, methods=["GET"]),
        Route("/", pages.index, methods=["GET"]),
        Route("/ui/query/{name}", pages.canned, methods=["GET"]),
        Route("/ui/sparql", pages.sparql, methods=["GET", "POST"]),
        Route("/{path:path}", pages.entity, methods=["GET"]),
    ]
    middleware = [Middleware(AbortOnFailedStream)]
    middleware += [Middleware(CORSMiddleware, allow_origins=list(settings.cors), allow_methods=["GET", "POST"],
                             allow_headers=["Accept", "Content-Type", "Authorization"],
                             expose_headers=["KG-Truncated", "KG-Max-Rows"])] if settings.cors else []
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.settings = settings
    return app
