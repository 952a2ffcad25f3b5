"""Writes through the server, in-process: the update token (401, 403, constant-time compare), SPARQL Update,
the Graph Store Protocol, loads at /load becoming sources, and kg's own graphs kept out of reach."""

from __future__ import annotations

import io
import threading
import time

import pytest
from rdflib import Graph
from rdflib.query import Result as RdfResult
from starlette.testclient import TestClient

from kg import KnowledgeGraph
from kg.interfaces.server.app import Settings, create_app

TOKEN = b"update-token-0123456789"
AUTH = {"Authorization": "Bearer " + TOKEN.decode()}
USER_GRAPH = "http://example.org/notes"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def client(store_copy):
    with TestClient(create_app(Settings(store_copy(), workers=2, timeout=10, token=TOKEN, max_rows=0))) as client:
        yield client


@pytest.fixture(scope="module")
def read_only(store_copy):
    with TestClient(create_app(Settings(store_copy(), workers=1, timeout=10))) as client:
        yield client


def count(client, graph: str | None = None) -> int:
    params = {"query": COUNT} | ({"default-graph-uri": graph} if graph else {})
    answer = client.get("/sparql", params=params)
    return int(next(iter(RdfResult.parse(io.BytesIO(answer.content), format="json")))[0])


def test_updates_need_the_token(client):
    before = count(client)
    update = f"INSERT DATA {{ GRAPH <{USER_GRAPH}> {{ <http://example.org/a> <http://example.org/b> 'c' }} }}"
    missing = client.post("/sparql", content=update, headers={"Content-Type": "application/sparql-update"})
    assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Bearer")
    wrong = client.post("/sparql", data={"update": update}, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403 and count(client) == before
    right = client.post("/sparql", content=update, headers={"Content-Type": "application/sparql-update", **AUTH})
    assert right.status_code == 204 and count(client) == before + 1
    described = client.get("/sparql").text
    assert "SPARQL11Update" in described


def test_a_read_only_server_refuses_every_write(read_only):
    update = "INSERT DATA { GRAPH <http://example.org/x> { <http://example.org/a> <http://example.org/b> 'c' } }"
    answer = read_only.post("/sparql", data={"update": update}, headers=AUTH)
    assert answer.status_code == 403 and "read-only" in answer.text
    assert read_only.put(f"/store?graph={USER_GRAPH}", content="<a:a> <a:b> <a:c> .",
                         headers={"Content-Type": "application/n-triples", **AUTH}).status_code == 403
    assert read_only.post("/load?name=x.xml", content=b"<x/>", headers=AUTH).status_code == 403


@pytest.mark.parametrize("update", [
    "DROP ALL",
    "DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }",
    "CLEAR GRAPH <https://kg.example.org/graph/provenance>",
    "INSERT DATA { GRAPH <https://kg.example.org/graph/derived> { <http://a.example/x> <http://a.example/y> 1 } }",
])
def test_updates_never_reach_kgs_own_graphs(client, update):
    before = count(client)
    answer = client.post("/sparql", data={"update": update}, headers=AUTH)
    assert answer.status_code == 403 and "kg's own graphs" in answer.text
    assert count(client) == before


def test_load_in_an_update_is_refused_and_reaches_nobody(client, listener):
    url, hits = listener
    answer = client.post("/sparql", data={"update": f"LOAD <{url}> INTO GRAPH <{USER_GRAPH}>"}, headers=AUTH)
    assert answer.status_code == 403 and "LOAD is refused" in answer.text and hits == []


def test_graph_store_protocol(client):
    target = "http://example.org/graph-store"
    turtle = "<http://example.org/s> <http://example.org/p> 'one', 'two' ."
    assert client.get(f"/store?graph={target}").status_code == 404
    put = client.put("/store", params={"graph": target}, content=turtle,
                     headers={"Content-Type": "text/turtle", **AUTH})
    assert put.status_code == 201
    got = client.get("/store", params={"graph": target}, headers={"Accept": "application/n-triples"})
    assert got.status_code == 200 and len(Graph().parse(data=got.text, format="nt")) == 2
    post = client.post("/store", params={"graph": target}, content='<http://example.org/s> <http://example.org/p> '
                       '"three" .', headers={"Content-Type": "application/n-triples", **AUTH})
    assert post.status_code == 204 and count(client, target) == 3
    again = client.put("/store", params={"graph": target}, content=turtle, headers={"Content-Type": "text/turtle",
                                                                                     **AUTH})
    assert again.status_code == 204 and count(client, target) == 2
    assert client.put("/store", params={"graph": target}, content=turtle,
                      headers={"Content-Type": "text/turtle"}).status_code == 401
    bad = client.put("/store", params={"graph": target}, content="<oops", headers={"Content-Type": "text/turtle",
                                                                                   **AUTH})
    assert bad.status_code == 400 and count(client, target) == 2
    assert client.delete("/store", params={"graph": target}, headers=AUTH).status_code == 204
    assert client.get("/store", params={"graph": target}).status_code == 404
    own = client.put("/store", params={"graph": "https://kg.example.org/graph/provenance"}, content=turtle,
                     headers={"Content-Type": "text/turtle", **AUTH})
    assert own.status_code == 403


def test_a_file_loaded_through_the_server_is_a_source_like_any_other(client, pubmed_dir, counts_are_fresh):
    source = pubmed_dir / "biopython__pubmed1.xml"
    sources_before = client.get("/api/queries/dataset-summary").json()
    answer = client.post("/load", params={"name": source.name}, content=source.read_bytes(), headers=AUTH)
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["status"] == "loaded" and report["articles"] > 0 and report["triples"] > 0
    summary = {r["metric"]: int(r["value"]) for r in client.get("/api/queries/dataset-summary").json()}
    before = {r["metric"]: int(r["value"]) for r in sources_before}
    assert summary["sources"] == before["sources"] + 1 and summary["articles"] > before["articles"]
    unchanged = client.post("/load", params={"name": source.name}, content=source.read_bytes(), headers=AUTH)
    assert unchanged.json()["status"] == "unchanged"
    store = client.app.state.settings.store
    with KnowledgeGraph(store, read_only=True) as kg:  # the state the server wrote, read beside it
        assert counts_are_fresh(kg) > 0
        [loaded] = [s for s in kg.sources() if s["label"] == source.name]
        assert loaded["status"] == "complete" and loaded["file"].endswith(f"kg-uploads/{source.name}")


def test_readers_are_answered_from_a_snapshot_during_a_load(client, pubmed_dir):
    source = pubmed_dir / "jcore__pubmedsample18n0001.xml.gz"
    before = count(client)
    loaded = []
    load = threading.Thread(target=lambda: loaded.append(client.post(
        "/load", params={"name": source.name}, content=source.read_bytes(), headers=AUTH)))
    load.start()
    seen = []
    while load.is_alive():
        started = time.monotonic()
        seen.append((count(client), time.monotonic() - started))
        time.sleep(0.05)
    load.join()
    after = count(client)
    assert loaded[0].status_code == 200 and after > before
    assert len(seen) >= 3 and max(seconds for _, seconds in seen) < 2.0  # answered all along the load
    assert {n for n, _ in seen} <= {before, after}  # each from a whole state, never a half-done load


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_answers_without_a_row_cap_are_written_by_the_store_itself(client, fmt):
    tricky = 'SELECT ?x ?n WHERE { VALUES (?x ?n) { ("tab\\there\\nnew \\"q\\", comma" 1) (<http://example.org/a> 2) } }'
    answer = client.get("/sparql", params={"query": tricky, "format": fmt})
    assert answer.status_code == 200 and "kg-truncated" not in answer.headers
    rows = [tuple(map(str, r)) for r in RdfResult.parse(io.BytesIO(answer.content), format=fmt)]
    assert rows == [('tab\there\nnew "q", comma', "1"), ("http://example.org/a", "2")]
