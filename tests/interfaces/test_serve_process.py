"""A real `kg serve` process on 127.0.0.1 and real clients: SPARQLWrapper, rdflib's SPARQLStore, raw HTTP for
the error codes, the time limit seen from outside (the CPU idle again), and kg load beside a running server."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlparse

from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper

from conftest import TOKEN  # noqa: E402  (tests/interfaces/conftest.py)

CITES = "http://purl.org/spar/cito/cites"
ARTICLE = "https://kg.example.org/br/pmid/21933757"
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def wrapper(server, fmt) -> SPARQLWrapper:
    client = SPARQLWrapper(server["url"] + "sparql")
    client.setReturnFormat(fmt)
    return client


def test_sparqlwrapper_json_xml_and_csv(server):
    query = f"SELECT DISTINCT ?citing WHERE {{ ?citing <{CITES}> <{ARTICLE}> }} ORDER BY ?citing"
    client = wrapper(server, JSON)
    client.setQuery(query)
    by_json = [b["citing"]["value"] for b in client.query().convert()["results"]["bindings"]]
    assert len(by_json) == 5
    client = wrapper(server, XML)
    client.setQuery(query)
    document = client.query().convert()
    by_xml = [n.firstChild.data for n in document.getElementsByTagName("uri")]
    client = wrapper(server, CSV)
    client.setQuery(query)
    by_csv = client.query().convert().decode("utf-8").split()[1:]
    assert by_json == by_xml == by_csv


def test_sparqlwrapper_construct_as_turtle(server):
    client = wrapper(server, TURTLE)
    client.setQuery(f"CONSTRUCT {{ ?c <{CITES}> <{ARTICLE}> }} WHERE {{ ?c <{CITES}> <{ARTICLE}> }}")
    graph = Graph().parse(data=client.query().convert(), format="turtle")
    assert len(graph) == 5 and set(graph.objects()) == {URIRef(ARTICLE)}


def test_rdflib_sparqlstore(server):
    store = SPARQLStore(server["url"] + "sparql", returnFormat="json")
    graph = Graph(store=store)
    citing = {row.c for row in graph.query(f"SELECT ?c WHERE {{ ?c <{CITES}> <{ARTICLE}> }}")}
    assert len(citing) == 5
    assert (next(iter(citing)), URIRef(CITES), URIRef(ARTICLE)) in graph


def request(server, method: str, path: str, *, body: str | None = None, headers: dict | None = None):
    address = urlparse(server["url"])
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    return response.status, dict(response.getheaders()), response.read().decode("utf-8")


def test_raw_http_error_codes(server):
    assert request(server, "GET", "/sparql?" + urlencode({"query": "SELECT WHERE {"}))[0] == 400
    assert request(server, "DELETE", "/sparql")[0] == 405
    assert request(server, "GET", "/sparql?" + urlencode({"query": "ASK {}"}), headers={"Accept": "image/png"})[0] \
        == 406
    update = {"Content-Type": "application/sparql-update"}
    text = "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/a> <http://example.org/b> 1 } }"
    assert request(server, "POST", "/sparql", body=text, headers=update)[0] == 401
    assert request(server, "POST", "/sparql", body=text, headers={**update, "Authorization": "Bearer x"})[0] == 403
    status, headers, body = request(server, "GET", "/br/pmid/1", headers={"Accept": "text/turtle"})
    assert status == 404 and body.startswith("kg: ")


def _tree_cpu_seconds(pid: int) -> float:
    """CPU seconds used so far by a process and every descendant (from /proc)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))
    tree, grew = {pid}, True
    while grew:
        grew = False
        for child, (parent, _) in parents.items():
            if parent in tree and child not in tree:
                tree.add(child)
                grew = True
    return sum(parents[p][1] for p in tree if p in parents)


def test_a_runaway_query_is_stopped_and_the_cpu_is_idle_again(server):
    started = time.monotonic()
    status, _, body = request(server, "GET", "/sparql?" + urlencode({"query": CROSS_JOIN}))
    stopped = time.monotonic() - started
    assert status == 504 and "time limit" in body
    assert stopped < 4.5  # the 3 s limit and the end of the worker (the README's stop latency)
    started = time.monotonic()
    assert request(server, "GET", "/sparql?" + urlencode({"query": f"ASK {{ ?a <{CITES}> ?b }}"}))[0] == 200
    assert time.monotonic() - started < 1.0
    time.sleep(2)  # the replacement worker has started
    before = _tree_cpu_seconds(server["process"].pid)
    time.sleep(2)
    assert _tree_cpu_seconds(server["process"].pid) - before < 0.2  # nobody is still computing the cross join


def test_service_reaches_nobody(server, listener):
    url, hits = listener
    status, _, body = request(server, "GET", "/sparql?" + urlencode(
        {"query": f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"}))
    assert status == 403 and hits == []


def kg(*args: str, token: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "KG_UPDATE_TOKEN"}
    if token:
        env["KG_UPDATE_TOKEN"] = token
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, timeout=120, env=env)


def test_kg_load_on_a_served_store_fails_at_once_saying_how(server, pubmed_dir):
    started = time.monotonic()
    done = kg("load", "--store", str(server["store"]), str(pubmed_dir / "biopython__pubmed2.xml"))
    assert done.returncode == 1 and time.monotonic() - started < 10
    assert done.stderr.startswith("kg: ") and done.stderr.count("\n") == 1
    assert "served by kg serve at " + server["url"] in done.stderr and "KG_UPDATE_TOKEN" in done.stderr
    unload = kg("unload", "--store", str(server["store"]), "x.xml")
    assert unload.returncode == 1 and "stop the server" in unload.stderr


def test_kg_load_goes_through_the_server_with_the_token_and_queries_read_beside_it(server, pubmed_dir):
    done = kg("load", "--store", str(server["store"]), str(pubmed_dir / "biopython__pubmed2.xml"), token=TOKEN)
    assert done.returncode == 0, done.stderr
    assert "biopython__pubmed2.xml" in done.stderr
    listed = kg("sparql", "SELECT ?l WHERE { ?g <http://www.w3.org/2000/01/rdf-schema#label> ?l }", "--store",
                str(server["store"]), "--format", "csv")
    assert listed.returncode == 0 and "biopython__pubmed2.xml" in listed.stdout.split()


def test_long_answers_arrive_whole(server):
    """Answers written in several messages of 64 KB and more, read while uvloop runs the server."""
    for _ in range(10):
        status, headers, body = request(server, "GET", "/sparql?" + urlencode(
            {"query": "SELECT * WHERE { ?s ?p ?o }"}))
        assert status == 200 and len(body) > 100_000 and headers.get("transfer-encoding") == "chunked"
        assert len(json.loads(body)["results"]["bindings"]) > 500


def test_a_short_answer_is_one_response_with_its_length(server):
    """An answer under one message (64 KB) comes whole from the worker and goes out with Content-Length."""
    query = f"SELECT ?b WHERE {{ <{ARTICLE}> ?p ?b }} ORDER BY ?b"
    status, headers, body = request(server, "GET", "/sparql?" + urlencode({"query": query}))
    assert status == 200 and "transfer-encoding" not in headers and int(headers["content-length"]) == len(body)
    assert len(json.loads(body)["results"]["bindings"]) > 3
    status, headers, body = request(server, "GET", "/api/queries/citing-articles?article=pmid:21933757")
    assert status == 200 and int(headers["content-length"]) == len(body) and len(json.loads(body)) == 5
