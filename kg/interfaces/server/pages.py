"""Pages for people and linked data for machines: the start page (canned queries and a SPARQL editor), result
tables whose entities are links, and every IRI minted under the base served as HTML or RDF by negotiation."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from rdflib.term import URIRef
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from kg.errors import KgError
from kg.interfaces.server import charts
from kg.interfaces.server.answers import error, respond
from kg.interfaces.server.negotiate import GRAPHS, HTML, preferences
from kg.interfaces.server.pool import Busy
from kg.interfaces.server.protocol import form
from kg.results import Result
from kg.store.oxigraph import PREFIXES
from kg.workers import Job

_TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                         autoescape=select_autoescape(["html"]))
FABIO, FOAF = "http://purl.org/spar/fabio/", "http://xmlns.com/foaf/0.1/"
EXAMPLES = {
    "Most cited articles": "SELECT ?article ?title ?citations WHERE {\n  ?article kg:citationCount ?citations .\n"
                           "  OPTIONAL { ?article dcterms:title ?title }\n} ORDER BY DESC(?citations) LIMIT 20",
    "Citations by year of the citing article": "SELECT ?year (COUNT(*) AS ?citations) WHERE {\n  ?citing cito:cites "
                           "?cited ; prism:publicationDate ?date .\n  BIND(SUBSTR(STR(?date), 1, 4) AS ?year)\n} "
                           "GROUP BY ?year ORDER BY ?year",
    "Sources loaded": "SELECT ?graph ?label ?triples WHERE {\n  ?graph a prov:Entity ; rdfs:label ?label ; "
                      "void:triples ?triples\n}",
}
EDITOR_PREFIXES = {**PREFIXES, "kg": "https://w3id.org/kg-loader/ns#", "prov": "http://www.w3.org/ns/prov#",
                   "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "void": "http://rdfs.org/ns/void#"}


def _page(request: Request, template: str, **context) -> HTMLResponse:
    base = request.app.state.graph.minter.base

    def href(term) -> str | None:
        text = str(term)
        if isinstance(term, URIRef) or text.startswith(("http://", "https://")):
            return "/" + text[len(base):] if text.startswith(base) else text
        return None
    html = _TEMPLATES.get_template(template).render(href=href, base=base, request=request, **context)
    return HTMLResponse(html)


async def _result(request: Request, job: Job) -> Result:
    return await request.app.state.pool.result(job)


async def index(request: Request) -> Response:
    try:
        summary = await _result(request, Job(name="dataset-summary"))
    except (KgError, Busy) as exc:
        return error(exc)
    prologue = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in sorted(EDITOR_PREFIXES.items()))
    return _page(request, "index.html", queries=request.app.state.graph.queries.values(), summary=summary,
                 examples={name: prologue + text for name, text in EXAMPLES.items()}, prologue=prologue)


async def canned(request: Request) -> Response:
    """A canned query's form with its parameters' help; with ?run, its rows and a CSV download."""
    query = request.app.state.graph.queries.get(request.path_params["name"])
    if query is None:
        return PlainTextResponse("kg: no such canned query\n", 404)
    params = {k: v for k, v in request.query_params.items() if k != "run" and v.strip()}
    result, problem = None, None
    if "run" in request.query_params:
        try:
            result = await _result(request, Job(name=query.name, params=params))
        except (KgError, Busy) as exc:
            problem = str(exc)
    csv = f"/api/queries/{query.name}?{urlencode({**params, 'format': 'csv'})}"
    return _page(request, "query.html", query=query, values=params, result=result, problem=problem, csv=csv)


async def sparql(request: Request) -> Response:
    """The SPARQL editor's answer as a table (the first rows; /sparql gives them all)."""
    text = (await form(request)).get("query", [""])[0]
    result, problem = None, None
    if text.strip():
        try:
            result = await _result(request, Job(text=text, max_rows=1000,
                                                allow_service=request.app.state.settings.allow_service))
        except (KgError, Busy) as exc:
            problem = str(exc)
    return _page(request, "sparql.html", text=text, result=result, problem=problem)


async def entity(request: Request) -> Response:
    """An IRI minted under the base: HTML for people, its statements (outgoing and incoming, bounded) as RDF
    for machines, 404 when the graph does not know it."""
    iri = request.app.state.graph.minter.base + request.scope.get("raw_path", b"").decode("latin-1").lstrip("/")
    accept = preferences(request.headers.get("accept"), (HTML, *GRAPHS), format=request.query_params.get("format"))
    if not accept:
        return PlainTextResponse(f"kg: offered: {HTML}, {', '.join(GRAPHS)}\n", 406)
    node = URIRef(iri).n3()
    try:
        outgoing = await _result(request, Job(text=f"SELECT ?p ?o WHERE {{ {node} ?p ?o }} LIMIT 500"))
        incoming = await _result(request, Job(text=f"SELECT ?s ?p WHERE {{ ?s ?p {node} }} LIMIT 500"))
    except (KgError, Busy) as exc:
        return error(exc)
    if not outgoing.rows and not incoming.rows:
        return PlainTextResponse(f"kg: the graph holds nothing about {iri}\n", 404)
    if accept[0] != HTML:
        text = (f"CONSTRUCT {{ {node} ?p ?o . ?s ?q {node} }} WHERE {{ {{ {node} ?p ?o }} UNION "
                f"{{ ?s ?q {node} }} }}")
        return await respond(request, Job(text=text, accept=accept[:1] + tuple(a for a in accept if a != HTML),
                                          max_rows=request.app.state.settings.max_rows or 10_000))
    types = {str(o) for p, o in outgoing.rows if str(p) == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"}
    try:
        if FABIO + "Expression" in types:
            return await _article(request, iri)
        if FOAF + "Agent" in types:
            return await _author(request, iri)
    except (KgError, Busy) as exc:
        return error(exc)
    return _page(request, "entity.html", iri=iri, outgoing=outgoing, incoming=incoming)


async def _article(request: Request, iri: str) -> Response:
    jobs = {"metadata": Job(name="article-metadata", params={"article": iri}),
            "authors": Job(name="article-authors", params={"article": iri}),
            "citing": Job(name="citing-articles", params={"article": iri, "limit": "50"}),
            "cited": Job(name="cited-articles", params={"article": iri, "limit": "50"}),
            "per_year": Job(name="citations-per-year", params={"article": iri}),
            "links": Job(name="citation-neighbourhood", params={"article": iri, "limit": "80"})}
    found = {key: await _result(request, job) for key, job in jobs.items()}
    titles = {str(r["citing"]): r.get("title", "") for r in found["citing"].dicts()}
    titles |= {str(r["cited"]): r.get("title", "") for r in found["cited"].dicts()}
    base = request.app.state.graph.minter.base
    per_year = found["per_year"].dicts()
    chart = await asyncio.to_thread(charts.bars_per_year, "Citations per year of the citing article",
                                    [str(r.get("year", "")) for r in per_year],
                                    {"other citations": [int(r.get("other_citations", 0)) for r in per_year],
                                     "author self-citations": [int(r.get("self_citations", 0)) for r in per_year]})
    edges = [(str(r["citing"]), str(r["cited"])) for r in found["links"].dicts()]
    drawing = await asyncio.to_thread(charts.network, iri, edges, label=lambda n: _short(n, base),
                                      link=lambda n: "/" + n[len(base):] if n.startswith(base) else n)
    meta = found["metadata"].dicts()
    return _page(request, "article.html", iri=iri, meta=meta[0] if meta else {}, found=found, chart=chart,
                 drawing=drawing, titles=titles)


async def _author(request: Request, iri: str) -> Response:
    jobs = {"metrics": Job(name="author-metrics", params={"author": iri}),
            "works": Job(name="author-publications", params={"author": iri}),
            "per_year": Job(name="author-publications-per-year", params={"author": iri}),
            "cited_per_year": Job(name="citations-per-year", params={"author": iri})}
    found = {key: await _result(request, job) for key, job in jobs.items()}
    works = {str(r.get("year", "")): int(r.get("works", 0)) for r in found["per_year"].dicts()}
    cited = {str(r.get("year", "")): int(r.get("citations", 0)) for r in found["cited_per_year"].dicts()}
    years = sorted(set(works) | set(cited), key=lambda y: (y == "", y))
    chart = await asyncio.to_thread(charts.bars_per_year, "Publications and citations per year", years,
                                    {"publications": [works.get(y, 0) for y in years],
                                     "citations received": [cited.get(y, 0) for y in years]}, stacked=False)
    names = await _result(request, Job(text=f"SELECT ?name WHERE {{ <{iri}> <{FOAF}name> ?name }} LIMIT 1"))
    name = str(names.rows[0][0]) if names.rows else iri
    metrics = found["metrics"].dicts()
    return _page(request, "author.html", iri=iri, name=name, metrics=metrics[0] if metrics else {}, found=found,
                 chart=chart)


def _short(iri: str, base: str) -> str:
    """A node's label in a drawing: ``pmid:123`` for ``<base>br/pmid/123``."""
    rest = iri[len(base):] if iri.startswith(base) else iri
    parts = rest.split("/")
    return f"{parts[1]}:{'/'.join(parts[2:])}"[:24] if len(parts) > 2 and parts[0] == "br" else rest[-24:]

