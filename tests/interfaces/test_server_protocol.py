"""The SPARQL 1.1 Protocol at /sparql, in-process: methods, content negotiation, errors, the row cap, datasets,
the service description and VoID, and the guards (time limit, body size, concurrency, SERVICE, CORS)."""

from __future__ import annotations

import io
import json
import os
import threading
import time
from pathlib import Path

import pytest
from rdflib import Graph, Namespace
from rdflib.query import Result as RdfResult
from starlette.testclient import TestClient

from kg.interfaces.server.app import Settings, create_app

CITES = "<http://purl.org/spar/cito/cites>"
SELECT = f"SELECT ?a ?b WHERE {{ ?a {CITES} ?b }} ORDER BY ?a ?b"
CONSTRUCT = f"CONSTRUCT {{ ?a {CITES} ?b }} WHERE {{ ?a {CITES} ?b }}"
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")


@pytest.fixture(scope="module")
def client(store_copy):
    settings = Settings(store_copy(), workers=2, timeout=2, max_rows=5, max_body=4096, cors=("https://editor.example",))
    with TestClient(create_app(settings)) as client:
        yield client


def rows(response) -> list[tuple[str, ...]]:
    result = RdfResult.parse(io.BytesIO(response.content), format="json")
    return [tuple(str(v) for v in row) for row in result]


def test_get_post_form_and_post_query_give_the_same_rows(client):
    query = "SELECT ?a WHERE { ?a <http://purl.org/spar/cito/cites> ?b } ORDER BY ?a LIMIT 3"
    by_get = client.get("/sparql", params={"query": query})
    by_form = client.post("/sparql", data={"query": query})
    by_body = client.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"})
    assert by_get.status_code == by_form.status_code == by_body.status_code == 200
    assert by_get.headers["content-type"].startswith("application/sparql-results+json")
    assert rows(by_get) == rows(by_form) == rows(by_body) and len(rows(by_get)) == 3


@pytest.mark.parametrize(("accept", "fmt"), [("application/sparql-results+json", "json"),
                                             ("application/sparql-results+xml", "xml"),
                                             ("text/csv", "csv"), ("text/tab-separated-values", "tsv")])
def test_select_in_every_results_format(client, accept, fmt):
    query = "SELECT ?a ?b WHERE { ?a <http://purl.org/spar/cito/cites> ?b } ORDER BY ?a ?b LIMIT 4"
    answer = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith(accept)
    parsed = RdfResult.parse(io.BytesIO(answer.content), format=fmt)
    assert [tuple(map(str, r)) for r in parsed] == rows(client.get("/sparql", params={"query": query}))
    assert client.get("/sparql", params={"query": query, "format": fmt}).content == answer.content


@pytest.mark.parametrize(("accept", "fmt"), [("text/turtle", "turtle"), ("application/n-triples", "nt"),
                                             ("application/n-quads", "nquads"), ("application/trig", "trig"),
                                             ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")])
def test_construct_in_every_graph_format(client, accept, fmt):
    query = CONSTRUCT + " LIMIT 4"
    answer = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith(accept)
    graph = Graph()
    graph.parse(data=answer.content, format=fmt)
    assert len(graph) == 4 and all(str(p) == CITES[1:-1] for _, p, _ in graph)


def test_ask(client):
    answer = client.get("/sparql", params={"query": f"ASK {{ ?a {CITES} ?b }}"})
    assert answer.json() == {"head": {}, "boolean": True}


def test_errors_have_their_statuses_and_one_line(client):
    bad = client.get("/sparql", params={"query": "SELECT WHERE {"})
    assert bad.status_code == 400 and bad.text.startswith("kg: ") and "1:15" in bad.text
    assert client.get("/sparql", params={"query": SELECT}, headers={"Accept": "image/png"}).status_code == 406
    put = client.put("/sparql", content=SELECT)
    assert put.status_code == 405 and "GET" in put.headers["allow"]
    assert client.post("/sparql", content=SELECT, headers={"Content-Type": "text/plain"}).status_code == 415
    assert client.post("/sparql", data={"default-graph-uri": "http://x/"}).status_code == 400


def test_a_long_answer_is_cut_and_says_so(client):
    answer = client.get("/sparql", params={"query": SELECT + " LIMIT 5"})  # exactly the cap: not cut
    assert answer.status_code == 200 and "kg-truncated" not in answer.headers and len(rows(answer)) == 5
    many = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert many.headers["kg-truncated"] == "true; max-rows=5" and many.json()["truncated"] is True
    assert len(many.json()["results"]["bindings"]) == 5
    graph = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"Accept": "text/turtle"})
    assert graph.headers["kg-truncated"] == "true; max-rows=5" and len(Graph().parse(data=graph.text)) == 5


def test_dataset_parameters_are_honoured(client):
    graphs = [r[0] for r in rows(client.get("/sparql", params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g "
                                                                         "{ ?s ?p ?o } } ORDER BY ?g"}))]
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    union = int(rows(client.get("/sparql", params={"query": count}))[0][0])
    one = int(rows(client.get("/sparql", params={"query": count, "default-graph-uri": graphs[0]}))[0][0])
    both = int(rows(client.get("/sparql", params=[("query", count), ("default-graph-uri", graphs[0]),
                                                   ("default-graph-uri", graphs[1])]))[0][0])
    assert 0 < one < both <= union
    named = client.get("/sparql", params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                                          "named-graph-uri": graphs[1]})
    assert rows(named) == [(graphs[1],)]


def test_service_description_and_void(client):
    described = Graph().parse(data=client.get("/sparql").text, format="turtle")
    service = next(described.subjects(predicate=SD.endpoint))
    assert str(described.value(service, SD.endpoint)).endswith("/sparql")
    assert SD.UnionDefaultGraph in set(described.objects(service, SD.feature))
    assert SD.SPARQL11Update not in set(described.objects(service, SD.supportedLanguage))  # no token: read-only
    as_jsonld = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert as_jsonld.status_code == 200 and len(Graph().parse(data=as_jsonld.text, format="json-ld")) == len(described)
    void = Graph().parse(data=client.get("/.well-known/void").text, format="turtle")
    dataset = next(void.subjects(predicate=VOID.sparqlEndpoint))
    subsets = set(void.objects(dataset, VOID.subset))
    assert len(subsets) == 2 and all(void.value(s, VOID.triples) is not None for s in subsets)
    assert int(void.value(dataset, VOID.triples)) == sum(int(void.value(s, VOID.triples)) for s in subsets)
    assert len(list(void.objects(dataset, VOID.exampleResource))) == 3


def test_timeout_ends_the_work_and_the_next_query_is_answered_at_once(client):
    started = time.monotonic()
    slow = client.get("/sparql", params={"query": CROSS_JOIN})
    assert slow.status_code == 504 and "time limit" in slow.text
    assert time.monotonic() - started < 3.5
    started = time.monotonic()
    assert client.get("/sparql", params={"query": f"ASK {{ ?a {CITES} ?b }}"}).json()["boolean"] is True
    assert time.monotonic() - started < 1.0
    pool = client.app.state.pool
    time.sleep(1.5)  # the replacement worker is up; every worker is idle (not on a CPU)
    states = [Path(f"/proc/{w.process.pid}/stat").read_text().split(")")[1].split()[0] for w in pool._all]
    assert len(states) == 2 and set(states) <= {"S"}


def test_request_size_cap(client):
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 5000
    assert client.post("/sparql", content=big, headers={"Content-Type": "application/sparql-query"}).status_code == 413
    assert client.post("/sparql", data={"query": big}).status_code == 413


def test_service_is_refused_and_reaches_nobody(client, listener):
    url, hits = listener
    for query in (f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
                  f"SELECT * WHERE {{ VALUES ?e {{ <{url}> }} SERVICE ?e {{ ?s ?p ?o }} }}"):
        answer = client.get("/sparql", params={"query": query})
        assert answer.status_code == 403 and "SERVICE is refused" in answer.text
    assert hits == []


def test_cors_for_the_origins_given(client):
    allowed = client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://editor.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://editor.example"
    other = client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in other.headers
    preflight = client.options("/sparql", headers={"Origin": "https://editor.example",
                                                   "Access-Control-Request-Method": "POST",
                                                   "Access-Control-Request-Headers": "Content-Type"})
    assert preflight.status_code == 200 and "POST" in preflight.headers["access-control-allow-methods"]


def test_queries_beyond_the_cap_get_503_with_retry_after(store_copy):
    with TestClient(create_app(Settings(store_copy(), workers=1, max_waiting=0, timeout=2))) as client:
        running = threading.Thread(target=client.get, args=("/sparql",), kwargs={"params": {"query": CROSS_JOIN}})
        running.start()
        time.sleep(0.5)
        busy = client.get("/sparql", params={"query": "ASK {}"})
        running.join()
        assert busy.status_code == 503 and busy.headers["retry-after"] == "1"
        assert busy.text.startswith("kg: too many queries")


def test_a_query_answered_while_the_worker_pool_is_full_of_waiting(client):
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(client.get(
        "/sparql", params={"query": f"ASK {{ ?a {CITES} ?b }}"}).status_code)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == [200] * 8  # 2 workers, 8 at once: they wait their turn


def test_the_marker_says_who_serves_the_store(client):
    marker = json.loads((client.app.state.settings.store / "kg-serve.json").read_text())
    assert marker["pid"] == os.getpid() and marker["url"].startswith("http://127.0.0.1:")


def test_a_short_answer_is_one_message_from_its_worker_and_a_long_one_a_stream():
    """What the worker sends the server: an answer under FLUSH_BYTES in one message (a serializer's flush does not
    split it), a longer one as head, data... and end, with every byte."""
    from kg.workers import FLUSH_BYTES, Sender

    sent: list[tuple] = []
    out = Sender(sent.append)
    out.head("solutions", "text/csv", False)
    out.write("a\r\n")
    out.flush()
    out.end()
    assert sent == [("whole", "solutions", "text/csv", False, b"a\r\n")]
    sent.clear()
    out = Sender(sent.append)
    out.head("graph", "text/turtle", True)
    out.write(b"x" * FLUSH_BYTES)
    out.write(b"y")
    out.end()
    assert sent[0] == ("head", "graph", "text/turtle", True) and sent[-1] == ("end",)
    assert b"".join(m[1] for m in sent[1:-1]) == b"x" * FLUSH_BYTES + b"y"
