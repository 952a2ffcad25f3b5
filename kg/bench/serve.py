"""`kg bench serve`: N concurrent clients for a fixed time against `kg serve` (canned entity queries through the
API, the same queries as raw SPARQL) and, side by side, Oxigraph's own server on the same store and requests."""

from __future__ import annotations

import http.client
import json
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from rdflib.term import URIRef

from kg.bench.measure import machine
from kg.graph import KnowledgeGraph
from kg.queries import bind

ENTITY = ("resolve-identifier", "article-metadata", "article-authors", "citing-articles", "cited-articles",
          "citation-neighbourhood")
JSON_RESULTS = {"Accept": "application/sparql-results+json"}


@dataclass(frozen=True, slots=True)
class Options:
    store: Path
    clients: int = 8
    seconds: float = 20.0
    oxigraph: str | None = None  # the `oxigraph` command (PyPI package oxigraph, in its own environment)
    workers: int = 4
    seed: int = 1


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server ended: {process.communicate()[1]}")
        try:
            urllib.request.urlopen(url, timeout=5).close()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the server at {url} did not answer in {seconds:g} s")


def requests(store: Path, *, count: int, seed: int) -> list[tuple[str, str]]:
    """(canned query name, article IRI) pairs: articles drawn from the store, the entity queries in turn."""
    with KnowledgeGraph(store, read_only=True) as graph:
        articles = [str(r[0]) for r in graph.sparql("SELECT ?a WHERE { ?a <http://purl.org/spar/fabio/hasPubMedId> "
                                                    "?p } LIMIT 20000").rows]
    rng = random.Random(seed)
    return [(ENTITY[i % len(ENTITY)], rng.choice(articles)) for i in range(count)]


def bound_text(store: Path, name: str, article: str) -> str:
    """The canned query's text with the article bound, as kg runs it (what both servers get as raw SPARQL)."""
    from kg.queries import catalogue

    return bind(catalogue()[name], {"article": article}, lambda kind, value: [URIRef(value)])


Request = tuple[str, str, bytes | None, dict[str, str]]  # method, path, body, headers


def load(host: str, port: int, paths: list[Request], *, clients: int, seconds: float) -> dict:
    """``clients`` threads, each on a kept-alive connection, sending the requests in turn for ``seconds``;
    requests per second, latency percentiles (ms) and errors (non-200 answers or failed connections)."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(offset: int) -> None:
        connection = http.client.HTTPConnection(host, port, timeout=120)
        mine, failed, index = [], [], offset
        while time.monotonic() < stop:
            method, path, body, headers = paths[index % len(paths)]
            index += clients
            started = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                answer = response.read()
                if response.status != 200:
                    failed.append(f"{response.status} {path[:60]}: {answer[:200].decode('utf-8', 'replace')}")
            except (OSError, http.client.HTTPException) as exc:
                failed.append(f"{type(exc).__name__} {path[:80]}")
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=120)
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)
            errors.extend(failed)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {"requests": len(ordered), "per_s": len(ordered) / elapsed, "errors": len(errors),
            "error_examples": errors[:3],
            "p50_ms": 1000 * statistics.median(ordered) if ordered else None,
            "p99_ms": 1000 * ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else None}


def _raw(path: str, texts: list[str]) -> list[Request]:
    """The queries POSTed as application/sparql-query (some are too long for a URL: Oxigraph takes 8 KB)."""
    headers = {**JSON_RESULTS, "Content-Type": "application/sparql-query"}
    return [("POST", path, text.encode("utf-8"), headers) for text in texts]


def _kg_serve(options: Options, work: list[tuple[str, str]], texts: list[str], log) -> dict:
    port = _port()
    process = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--store", str(options.store), "--port",
                                str(port), "--workers", str(options.workers), "--max-rows", "0"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _wait(f"http://127.0.0.1:{port}/sparql?query=ASK%7B%7D", process)
        canned = [("GET", f"/api/queries/{name}?{urlencode({'article': article})}", None,
                   {"Accept": "application/json"}) for name, article in work]
        raw = _raw("/sparql", texts)
        log(f"kg serve: {options.clients} clients, {options.seconds:g} s each: canned entity queries, raw SPARQL")
        return {"canned": load("127.0.0.1", port, canned, clients=options.clients, seconds=options.seconds),
                "raw": load("127.0.0.1", port, raw, clients=options.clients, seconds=options.seconds)}
    finally:
        process.terminate()
        process.wait(30)


def _oxigraph(options: Options, texts: list[str], log) -> dict:
    port = _port()
    process = subprocess.Popen([options.oxigraph, "serve-read-only", "--location", str(options.store), "--bind",
                                f"127.0.0.1:{port}", "--union-default-graph", "--timeout-s", "60"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _wait(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", process)
        raw = _raw("/query", texts)
        log(f"oxigraph serve-read-only: {options.clients} clients, {options.seconds:g} s: the same raw SPARQL")
        return {"raw": load("127.0.0.1", port, raw, clients=options.clients, seconds=options.seconds)}
    finally:
        process.terminate()
        process.wait(30)


def bench_serve(options: Options, *, log=print) -> dict:
    """Runs the load against kg serve, then (with ``oxigraph``) against Oxigraph's server, one at a time."""
    work = requests(options.store, count=2000, seed=options.seed)
    texts = [bound_text(options.store, name, article) for name, article in work]
    results = {"machine": machine(), "store": str(options.store), "clients": options.clients,
               "seconds": options.seconds, "workers": options.workers, "queries": list(ENTITY),
               "kg": _kg_serve(options, work, texts, log)}
    if options.oxigraph:
        results["oxigraph"] = _oxigraph(options, texts, log)
        results["raw_ratio"] = results["kg"]["raw"]["per_s"] / results["oxigraph"]["raw"]["per_s"]
    return results


def report(results: dict, out: Path) -> list[Path]:
    """bench-serve.json and bench-serve.md in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    rows = [("kg serve", "canned entity queries (/api)", results["kg"]["canned"]),
            ("kg serve", "raw SPARQL (/sparql)", results["kg"]["raw"])]
    if "oxigraph" in results:
        rows.append(("oxigraph serve-read-only", "raw SPARQL (/query)", results["oxigraph"]["raw"]))
    lines = [f"# kg bench serve: {results['clients']} clients, {results['seconds']:g} s per row", "",
             f"Store: {results['store']}; kg serve with {results['workers']} query workers; queries: "
             f"{', '.join(results['queries'])}, articles drawn at random.", "",
             "| server | requests | requests/s | p50 (ms) | p99 (ms) | errors |", "|---|---|---|---|---|---|"]
    lines += [f"| {server} | {what} | {r['per_s']:,.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['errors']} |"
              for server, what, r in rows]
    if "raw_ratio" in results:
        lines += ["", f"kg serve / Oxigraph on raw SPARQL: {results['raw_ratio']:.2f} (target >= 0.7)"]
    paths = [out / "bench-serve.json", out / "bench-serve.md"]
    paths[0].write_text(json.dumps(results, indent=2))
    paths[1].write_text("\n".join(lines) + "\n")
    return paths
