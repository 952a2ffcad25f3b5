"""The remote store on a real Virtuoso (a private one per session, tests/conftest.py): what kg writes there is
exactly what it writes embedded, counts and dates included; loads resume after a kill; answers the server would
cut are refused, never short; the CLI reaches it with credentials that never touch the command line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"

from kg import KnowledgeGraph
from kg.bench import virtuoso as private
from kg.errors import QueryError

QUADS = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
GENERATED = "http://www.w3.org/ns/prov#generatedAtTime"


def quads(kg: KnowledgeGraph) -> set[tuple]:
    """kg's quads, load times left out (each load stamps its own)."""
    return {tuple(row) for row in kg.sparql(QUADS).rows if str(row[2]) != GENERATED}


def test_a_remote_load_stores_exactly_the_embedded_quads(remote_graph, tmp_path, seed_page, counts_are_fresh):
    files = [seed_page, DATA / "pubmed_39917195.xml", DATA / "crossref_39917195.json"]
    report = remote_graph.load(files)
    assert not report.failed, report.render()
    with KnowledgeGraph(tmp_path / "store") as embedded:
        embedded.load(files)
        expected = quads(embedded)
    got = quads(remote_graph)
    assert got == expected, (sorted(expected - got)[:5], sorted(got - expected)[:5])
    assert {s["status"] for s in remote_graph.sources()} == {"complete"}
    counts_are_fresh(remote_graph)
    # unloading one source leaves the same as unloading it embedded
    remote_graph.unload("crossref_39917195.json")
    with KnowledgeGraph(tmp_path / "store") as embedded:
        embedded.unload("crossref_39917195.json")
        assert quads(remote_graph) == quads(embedded)
    counts_are_fresh(remote_graph)
    # and unloading the others too leaves no statistic behind (the last one's update has no figure to write back:
    # Virtuoso refuses an empty INSERT DATA block)
    for source in [s["label"] for s in remote_graph.sources()]:
        remote_graph.unload(source)
    assert remote_graph.sources() == []
    assert [r for r in remote_graph.query("dataset-summary").dicts() if r["value"]] == []


def test_virtuoso_system_triples_stay_out_of_the_union(remote_graph, virtuoso, seed_page):
    remote_graph.load([seed_page])
    everything = remote_graph.sparql("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0]
    own = sum(int(s["triples"]) for s in remote_graph.sources())
    kg_graphs = remote_graph.sparql("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").rows[0][0]
    assert int(everything) == int(kg_graphs) < own + 5_000  # no ~2,500 virtrdf triples
    assert virtuoso.system and not any(str(g) in virtuoso.system for (g,) in remote_graph.sparql(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").rows)


def test_an_answer_over_the_servers_row_limit_is_refused_not_cut(tmp_path, open_remote_graph):
    if private.available():
        pytest.skip(private.available())
    small = private.start(tmp_path / "small", max_rows=50, buffers=10_000)
    try:
        with open_remote_graph(small) as kg:
            kg.load([DATA / "pubmed_39917195.xml"])
            assert len(kg.sparql("SELECT * WHERE { ?s ?p ?o } LIMIT 40").rows) == 40
            with pytest.raises(QueryError, match="row limit of 50"):
                kg.sparql("SELECT * WHERE { ?s ?p ?o }")
            streamed = list(kg.store.stream("SELECT ?s ?p ?o WHERE { ?s ?p ?o }"))  # read in pages instead
            assert len(streamed) == int(kg.sparql("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0]) > 50
    finally:
        small.stop()


def _kg(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, timeout=600, env=env)


def _remote_env(virtuoso, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    return {**env, "KG_PASSWORD": virtuoso.password, **extra}


def _target(virtuoso) -> list[str]:
    return ["--endpoint", virtuoso.endpoint, "--update-endpoint", virtuoso.update_endpoint,
            "--graph-store", virtuoso.graph_store, "--user", "dba"]


def test_the_cli_reaches_the_remote_store_before_or_after_the_command(virtuoso, seed_page):
    virtuoso.wipe()
    env = _remote_env(virtuoso)
    done = _kg(*_target(virtuoso), "load", str(seed_page), env=env)
    assert done.returncode == 0, done.stderr
    done = _kg("sources", "--format", "csv", *_target(virtuoso), env=env)
    assert done.returncode == 0 and "000_3d83d56ae30b0fd2.txt" in done.stdout and "complete" in done.stdout
    done = _kg("query", "citing-articles", "--param", "article=pmid:21933757", "--format", "csv",
               env={**env, "KG_ENDPOINT": virtuoso.endpoint})
    assert done.returncode == 0 and len(done.stdout.splitlines()) == 6, done.stderr  # header + 5 citing articles
    wrong = _kg(*_target(virtuoso), "load", str(DATA / "pubmed_39917195.xml"), env={**env, "KG_PASSWORD": "nope"})
    assert wrong.returncode == 1
    assert [line for line in wrong.stderr.splitlines() if line.startswith("kg:") or "refused" in line]
    assert "Traceback" not in wrong.stderr
    down = _kg("--endpoint", "http://127.0.0.1:9/sparql", "sources", env=env)
    assert down.returncode == 1 and down.stderr.startswith("kg:") and len(down.stderr.splitlines()) == 1


def test_a_killed_remote_load_is_completed_by_loading_again(virtuoso, shared, tmp_path, open_remote_graph):
    """kg load into Virtuoso, SIGKILLed once part of its source's graph is there; loading again ends with the
    quads of an uninterrupted (embedded) load of the same file."""
    virtuoso.wipe()
    source = shared / "data" / "crossref_json" / "oc_ds_converter__crossref_items_0.json.gz"  # 99 k triples
    env = _remote_env(virtuoso)
    child = subprocess.Popen([sys.executable, "-m", "kg", *_target(virtuoso), "load", str(source)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    partial = 0
    with open_remote_graph(virtuoso) as kg:
        started = time.monotonic()
        while child.poll() is None and time.monotonic() - started < 300:
            graphs = [s["graph"] for s in kg.sources()]
            if graphs:
                partial = int(kg.sparql(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graphs[0]}> {{ ?s ?p ?o }} }}")
                              .rows[0][0])
                if partial >= 20_000:
                    break
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
        assert child.wait() == -signal.SIGKILL, child.stderr.read()
        [described] = kg.sources()
        assert described["status"] == "incomplete" and partial > 0
    done = _kg(*_target(virtuoso), "load", str(source), env=env)
    assert done.returncode == 0, done.stderr
    with open_remote_graph(virtuoso) as kg, KnowledgeGraph(tmp_path / "clean") as clean:
        clean.load([source])
        [described] = kg.sources()
        assert described["status"] == "complete" and partial < int(described["triples"])
        assert quads(kg) == quads(clean)


def test_validate_and_infer_give_the_same_on_virtuoso(remote_graph, seed_page, pubmed_dir, tmp_path):
    """kg validate and kg infer read and write through the Store protocol: on Virtuoso, the same violations for
    the same articles, and the same entailed triples in the inferred graph, which kg unload inferred drops."""
    from kg.ontology.infer import infer, inferred_graph
    from kg.ontology.validate import validate

    files = [seed_page, DATA / "pubmed_39917195.xml", pubmed_dir / "pmparser__pubmed26n1335.xml.gz"]
    with KnowledgeGraph(tmp_path / "store") as embedded:
        for kg in (embedded, remote_graph):
            assert not kg.load(files).failed
        # a sample as big as the store: every article, in IRI order, so that both check the same batches
        ours, theirs = (validate(kg.store, kg.minter, sample_size=100_000) for kg in (embedded, remote_graph))
        assert ours.articles == theirs.articles > 30 and ours.quads == theirs.quads
        assert {k: r.count for k, r in ours.rules.items()} == {k: r.count for k, r in theirs.rules.items()}
        written = [infer(kg.store, kg.minter) for kg in (embedded, remote_graph)]
        assert written[0] == written[1] > 1000
        entailed = "SELECT ?s ?p ?o WHERE {{ GRAPH <{}> {{ ?s ?p ?o }} }}"
        assert set(embedded.sparql(entailed.format(inferred_graph(embedded.minter))).rows) == \
            set(remote_graph.sparql(entailed.format(inferred_graph(remote_graph.minter))).rows)
        assert remote_graph.unload("inferred") == written[1]
        left = f"ASK {{ GRAPH <{inferred_graph(remote_graph.minter)}> {{ ?s ?p ?o }} }}"
        assert not remote_graph.sparql(left).boolean
