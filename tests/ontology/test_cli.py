"""kg validate, kg infer and kg unload inferred from the command line, in-process: outputs, exit codes, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import rdflib

from kg.interfaces.cli import main

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def store(tmp_path: Path, seed_page: Path, capsys) -> str:
    path = str(tmp_path / "store")
    assert run(capsys, "load", "--quiet", "--store", path, str(seed_page))[0] == 0
    return path


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
