"""The `kg` command in-process (and once as a real process): outputs, exit codes, stdin, gzip."""

import csv
import gzip
import io
import json
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest
import rdflib

from kg.interfaces.cli import main
from kg.queries import catalogue


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse's usage errors and --help
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def store(tmp_path: Path, seed_page: Path, capsys) -> str:
    path = str(tmp_path / "store")
    code, _, err = run(capsys, "load", "--store", path, str(seed_page))
    assert code == 0, err
    assert "6 articles" in err and "5 citations" in err and "0 skipped" in err
    return path


def test_query_csv_has_declared_header_and_one_row_per_result(store, capsys):
    code, out, _ = run(capsys, "query", "article-authors", "--store", store, "--param",
                       "article=doi:10.1107/S1600576724011750", "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0
    assert rows[0] == list(catalogue()["article-authors"].columns)
    assert [r[1] for r in rows[1:]] == ["Huthwelker T", "Borca C", "Altamura D", "De Caro L", "Vanna R", "Corsi F"]


def test_sparql_json_and_file_argument(store, capsys, tmp_path):
    code, out, _ = run(capsys, "sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--store", store,
                       "--format", "json")
    n = int(json.loads(out)["results"]["bindings"][0]["n"]["value"])
    assert code == 0 and n > 300
    query = tmp_path / "q.rq"
    query.write_text("ASK { ?a <http://purl.org/spar/cito/cites> ?b }")
    assert run(capsys, "sparql", f"@{query}", "--store", store, "--format", "json")[1] == \
        '{"head": {}, "boolean": true}'


def test_query_list_names_every_query(capsys, tmp_path):
    code, out, _ = run(capsys, "query", "--list", "--store", str(tmp_path / "s"))
    assert code == 0
    for name, q in catalogue().items():
        assert name in out and q.title in out


@pytest.mark.parametrize("argv", [[], ["load"], ["query", "x", "--format", "xml"], ["frobnicate"],
                                  ["query", "article-metadata", "--param", "nokey"]])
def test_usage_errors_exit_2(capsys, tmp_path, argv):
    if argv[:1] == ["query"]:
        argv = argv + ["--store", str(tmp_path / "s")]
    assert run(capsys, *argv)[0] == 2


@pytest.mark.parametrize("argv", [
    ["sparql", "SELECT WHERE {"],
    ["query", "nope"],
    ["query", "article-metadata", "--param", "article=pmid:abc"],
    ["sparql", "@/nonexistent/query.rq"],
])
def test_bad_input_exits_1_with_one_line(store, capsys, argv):
    code, out, err = run(capsys, *argv, "--store", store)
    assert code == 1 and out == ""
    assert err.startswith("kg: ") and err.count("\n") == 1


def test_load_failures_name_the_file_and_keep_loading(capsys, tmp_path, seed_page):
    broken = tmp_path / "broken.xml"
    broken.write_text("<PubmedArticleSet><PubmedArticle><MedlineCitation>")
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    code, _, err = run(capsys, "load", "--store", str(tmp_path / "s"), str(broken), str(empty), str(seed_page),
                       "/nonexistent.xml")
    assert code == 1
    assert "broken.xml" in err and "empty.txt: the input is empty" in err and "nonexistent.xml" in err
    assert "6 articles" in err  # the good file in between still loaded
    code, out, _ = run(capsys, "query", "dataset-summary", "--store", str(tmp_path / "s"), "--format", "csv")
    assert "articles,6" in out


def test_gzip_and_stdin_give_the_same_graph(tmp_path, seed_page):
    gz = tmp_path / "page.txt.gz"
    gz.write_bytes(gzip.compress(seed_page.read_bytes()))
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(!STRSTARTS(STR(?s), 'https://kg.example.org/graph/')) }"
    counts = []
    for source, stdin in ((str(gz), None), ("-", seed_page.read_bytes())):
        store = str(tmp_path / f"store-{len(counts)}")
        done = subprocess.run([sys.executable, "-m", "kg", "load", "--store", store, source], input=stdin,
                              capture_output=True, timeout=120)
        assert done.returncode == 0, done.stderr
        out = subprocess.run([sys.executable, "-m", "kg", "sparql", count, "--store", store, "--format", "csv"],
                             capture_output=True, text=True, timeout=120).stdout
        counts.append(out)
    assert counts[0] == counts[1] and int(counts[0].split()[1]) > 300


def test_console_script_points_at_a_real_function():
    [script] = [e for e in entry_points(group="console_scripts") if e.name == "kg"]
    assert script.load() is main


def test_help_explains_every_command(capsys):
    for command in ("load", "query", "sparql"):
        code, out, _ = run(capsys, command, "--help")
        assert code == 0 and "--store" in out


def test_sources_and_unload(store, capsys, seed_page):
    code, out, _ = run(capsys, "sources", "--store", store, "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0 and rows[0][:3] == ["label", "format", "status"]
    assert rows[1][:3] == [seed_page.name, "article-page", "complete"]
    code, _, err = run(capsys, "unload", "--store", store, str(seed_page))
    assert code == 0 and "triples removed" in err
    assert run(capsys, "unload", "--store", store, "nothing.xml")[0] == 1
    code, out, _ = run(capsys, "query", "dataset-summary", "--store", store, "--format", "csv")
    assert out.split() == ["metric,value", "sources,0"]


def test_strict_stops_at_the_first_bad_record(capsys, tmp_path, seed_page):
    page = seed_page.read_text(encoding="utf-8")
    bad = tmp_path / "bad-page.txt"
    # the second citing entry loses its identifiers: skipped by default, fatal with --strict
    bad.write_text(page.replace("PMID: 39922926 PMC: 11807168. DOI: 10.1038/s41598-025-89506-y.", ""),
                   encoding="utf-8")
    code, _, err = run(capsys, "load", "--store", str(tmp_path / "lenient"), str(bad))
    assert code == 0 and "1 skipped" in err
    code, _, err = run(capsys, "load", "--strict", "--store", str(tmp_path / "strict"), str(bad), str(seed_page))
    assert code == 1 and "--strict stops at the first bad record" in err
    assert seed_page.name not in err  # the load ended there: the next file was not read
    code, out, _ = run(capsys, "sources", "--store", str(tmp_path / "strict"), "--format", "csv")
    assert "bad-page.txt,,incomplete" in out  # described before its format was read; the entry before it stays


def test_sparql_construct_gives_triples(store, capsys):
    code, out, _ = run(capsys, "sparql", "CONSTRUCT { ?a <http://purl.org/spar/cito/cites> ?b } WHERE "
                       "{ ?a <http://purl.org/spar/cito/cites> ?b }", "--store", store, "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0 and rows[0] == ["subject", "predicate", "object"]
    assert {r[2] for r in rows[1:]} == {"https://kg.example.org/br/pmid/21933757"} and len(rows) >= 6


# kg validate, kg infer, kg unload inferred
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


def test_validate_a_clean_store(store, capsys):
    code, out, _ = run(capsys, "validate", "--store", store)
    assert code == 0 and "6 articles checked" in out and "no violations" in out


def test_validate_json_and_the_standard_report(store, capsys):
    code, out, _ = run(capsys, "validate", "--store", store, "--sample", "3", "--format", "json")
    found = json.loads(out)
    assert code == 0 and found["conforms"] is True and found["articles"] == 3 and found["rules"] == []
    code, out, _ = run(capsys, "validate", "--store", store, "--format", "turtle")
    report = rdflib.Graph().parse(data=out, format="turtle")
    assert code == 0 and (None, SH.conforms, rdflib.Literal(True)) in report


def test_validate_with_shapes_of_ones_own_exits_1_on_violations(store, tmp_path, capsys):
    shapes = tmp_path / "mine.ttl"
    shapes.write_text("""@prefix sh: <http://www.w3.org/ns/shacl#> .
<urn:no-abstract> a sh:NodeShape ; <http://www.w3.org/2000/01/rdf-schema#label> "article with an abstract" ;
  sh:targetSubjectsOf <http://purl.org/spar/fabio/hasPubMedId> ;
  sh:property [ sh:path <http://purl.org/dc/terms/abstract> ; sh:minCount 1 ; sh:message "no abstract" ] .
""")
    code, out, _ = run(capsys, "validate", "--store", store, "--shapes", str(shapes))
    assert code == 1 and "× article with an abstract: no abstract" in out and "article pmid:" in out
    code, out, _ = run(capsys, "validate", "--store", store, "--shapes", str(shapes), "--format", "turtle")
    report = rdflib.Graph().parse(data=out, format="turtle")
    assert (None, SH.conforms, rdflib.Literal(False)) in report
    assert len(set(report.objects(None, SH.result))) == int(out.count("sh:focusNode") or 0) > 0


def test_bad_shapes_file_is_one_line(store, tmp_path, capsys):
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle")
    code, out, err = run(capsys, "validate", "--store", store, "--shapes", str(bad))
    assert code == 1 and err.startswith("kg: ") and err.count("\n") == 1 and "bad.ttl" in err


def test_infer_then_unload_inferred(store, capsys):
    code, _, err = run(capsys, "infer", "--store", store)
    assert code == 0 and "inferred:" in err
    written = int(err.split("inferred: ")[1].split()[0])
    code, _, err = run(capsys, "unload", "inferred", "--store", store)
    assert code == 0 and f"{written} triples removed" in err
