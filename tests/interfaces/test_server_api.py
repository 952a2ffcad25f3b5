"""The catalogue API and its OpenAPI description, linked data for every minted IRI, and the pages, in-process."""

from __future__ import annotations

import csv
import io

import pytest
from rdflib import Graph, URIRef
from starlette.testclient import TestClient

from kg.interfaces.server.app import Settings, create_app
from kg.queries import catalogue

ARTICLE = "https://kg.example.org/br/pmid/21933757"  # the seed page's article


@pytest.fixture(scope="module")
def client(store_copy):
    with TestClient(create_app(Settings(store_copy(), workers=2, timeout=10))) as client:
        yield client


def test_the_catalogue_is_listed_with_parameters_and_columns(client):
    listed = {q["name"]: q for q in client.get("/api/queries").json()}
    assert set(listed) == set(catalogue())
    citing = listed["citing-articles"]
    assert citing["columns"] == list(catalogue()["citing-articles"].columns)
    article = next(p for p in citing["parameters"] if p["name"] == "article")
    assert article["required"] is True and article["type"] == "identifier" and article["description"]
    limit = next(p for p in citing["parameters"] if p["name"] == "limit")
    assert limit["schema"] == {"type": "integer", "default": 100} and limit["required"] is False


def test_running_a_query_by_get_and_by_post(client):
    rows = client.get("/api/queries/citing-articles", params={"article": "pmid:21933757"}).json()
    assert len(rows) == 5 and all(r["citing"].startswith("https://kg.example.org/br/") for r in rows)
    posted = client.post("/api/queries/citation-counts",
                         json={"articles": ["pmid:21933757", "doi:10.1107/S1600576724011750"]}).json()
    assert {r["article"] for r in posted} == {ARTICLE, "https://kg.example.org/br/pmid/39917195"}
    as_csv = client.get("/api/queries/citing-articles", params={"article": "pmid:21933757"},
                        headers={"Accept": "text/csv"})
    table = list(csv.reader(io.StringIO(as_csv.text)))
    assert table[0] == list(catalogue()["citing-articles"].columns) and len(table) == 6
    tsv = client.get("/api/queries/citing-articles", params={"article": "pmid:21933757", "format": "tsv"})
    assert tsv.headers["content-type"].startswith("text/tab-separated-values") and len(tsv.text.splitlines()) == 6


@pytest.mark.parametrize(("params", "named"), [({}, "article"), ({"article": "pmid:abc"}, "article"),
                                               ({"article": "pmid:1", "limit": "-3"}, "limit"),
                                               ({"article": "pmid:1", "colour": "red"}, "colour")])
def test_a_bad_parameter_is_a_400_that_names_it(client, params, named):
    answer = client.get("/api/queries/citing-articles", params=params)
    assert answer.status_code == 400 and f"'{named}'" in answer.text and answer.text.startswith("kg: ")


def test_unknown_query_and_bad_body(client):
    assert client.get("/api/queries/nope").status_code == 404
    assert client.post("/api/queries/citation-counts", content=b"[1, 2]").status_code == 400


def test_openapi_has_one_operation_per_rq_file(client):
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    for name, query in catalogue().items():
        operation = spec["paths"][f"/api/queries/{name}"]["get"]
        assert operation["summary"] == query.title
        assert [p["name"] for p in operation["parameters"]] == [p.name for p in query.params]
        row = operation["responses"]["200"]["content"]["application/json"]["schema"]["items"]
        assert list(row["properties"]) == list(query.columns)


@pytest.mark.parametrize(("accept", "fmt"), [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                                             ("application/n-triples", "nt")])
def test_a_minted_iri_dereferences_for_machines(client, accept, fmt):
    answer = client.get("/br/pmid/21933757", headers={"Accept": accept})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith(accept)
    graph = Graph().parse(data=answer.text, format=fmt)
    article = URIRef(ARTICLE)
    assert (article, None, None) in graph and (None, URIRef("http://purl.org/spar/cito/cites"), article) in graph
    assert all(article in (s, o) for s, _, o in graph)


def test_a_minted_iri_dereferences_for_people(client):
    page = client.get("/br/pmid/21933757", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'id="chart"' in page.text and "<svg" in page.text and 'id="network"' in page.text
    assert 'href="/br/pmid/39820949"' in page.text  # a citing article, linked to its own page
    assert 'class="node" xlink:href="/br/pmid/' in page.text  # the network's nodes are links


def test_other_minted_iris_and_unknown_ones(client):
    authors = client.get("/api/queries/article-authors", params={"article": "doi:10.1107/S1600576724011750"}).json()
    agent = authors[0]["agent"].removeprefix("https://kg.example.org")
    page = client.get(agent, headers={"Accept": "text/html"})
    assert page.status_code == 200 and 'id="metrics"' in page.text and "<svg" in page.text
    identifier = client.get("/id/pmid/21933757", headers={"Accept": "text/html"})
    assert identifier.status_code == 200 and 'id="incoming"' in identifier.text
    assert client.get("/br/pmid/1", headers={"Accept": "text/turtle"}).status_code == 404
    assert client.get("/br/pmid/1").status_code == 404


def test_the_start_page_and_the_query_pages(client):
    home = client.get("/")
    assert home.status_code == 200 and all(f"/ui/query/{name}" in home.text for name in catalogue())
    assert "PREFIX cito: &lt;http://purl.org/spar/cito/&gt;" in home.text
    page = client.get("/ui/query/citing-articles", params={"run": "1", "article": "pmid:21933757"})
    assert page.text.count('<a href="/br/pmid/') >= 5 and 'id="csv"' in page.text
    missing = client.get("/ui/query/citing-articles", params={"run": "1"})
    assert 'id="problem"' in missing.text and "needs parameter" in missing.text
    answer = client.post("/ui/sparql", data={"query": "SELECT ?a WHERE { ?a <http://purl.org/spar/cito/cites> ?b }"})
    assert answer.status_code == 200 and answer.text.count("<tr>") == 1 + 6
