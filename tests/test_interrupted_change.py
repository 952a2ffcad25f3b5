"""Nothing lost: an unload, a load that replaces a changed file, a PubMed update's withdrawals and an identity
split, each killed (SIGKILL, no clean-up) at several moments (kg/faults.py names them), leave a mark the next
command sees (``kg sources``: incomplete or unloading); running the same command again ends with exactly the quads
of a store that never saw the interruption, and loading an unloaded file again restores the store it came from.

The sources: the seed page, the PubMed record and a Crossref record of one of its citing articles (three
overlapping sources of one article: merges and splits), and a real NLM baseline file with an update made from two
of its records (one revised, one deleted)."""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg import KnowledgeGraph

DATA = Path(__file__).resolve().parent / "data"
PROV_TIME = "http://www.w3.org/ns/prov#generatedAtTime"
PROV = "https://kg.example.org/graph/provenance"


def _kg(*args: str, fault: str | None = None, tmp: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "TMPDIR": str(tmp)}
    env.pop("KG_FAULT", None)
    if fault:
        env["KG_FAULT"] = fault
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, env=env, timeout=600)


def _quads(store: Path) -> set[tuple]:
    """Every quad but load times and the pending plans' bookkeeping (the stores compared are all complete)."""
    with KnowledgeGraph(store) as kg:
        return {tuple(map(str, row)) for row in kg.sparql(
            f"SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?p != <{PROV_TIME}>) }}").rows}


def _statuses(store: Path) -> dict[str, str]:
    with KnowledgeGraph(store) as kg:
        return {str(s["label"]): str(s["status"]) for s in kg.sources()}


@pytest.fixture(scope="module")
def files(tmp_path_factory, seed_page: Path, pubmed_dir: Path) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("change-sources")
    pubmed = DATA / "pubmed_39917195.xml"
    replaced = folder / "replaced" / pubmed.name  # loaded, then changed in place (a revised title): replaced
    replaced.parent.mkdir()
    baseline = pubmed_dir / "pmparser__pubmed26n1334.xml.gz"
    text = gzip.decompress(baseline.read_bytes()).decode("utf-8")
    records = {re.search(r"<PMID[^>]*>(\d+)</PMID>", r)[1]: r for r in re.findall(r"<PubmedArticle>.*?</PubmedArticle>",
                                                                                     text, re.S)}
    revised, deleted = list(records)[:2]
    update = folder / "pubmed26n1340.xml"
    update.write_text(f'<?xml version="1.0" encoding="UTF-8"?>\n<PubmedArticleSet>\n'
                      f'{records[revised].replace("<ArticleTitle>", "<ArticleTitle>Updated: ", 1)}\n'
                      f'<DeleteCitation>\n<PMID Version="1">{deleted}</PMID>\n</DeleteCitation>\n</PubmedArticleSet>\n',
                      encoding="utf-8")
    return {"page": seed_page, "pubmed": pubmed, "replaced": replaced, "crossref": DATA / "crossref_39917195.json",
            "baseline": baseline, "update": update}


def _revise(files: dict[str, Path], *, revised: bool) -> None:
    """The file loaded, then replaced: the PubMed record as it is, or with a revised title."""
    text = files["pubmed"].read_text(encoding="utf-8")
    files["replaced"].write_text(text.replace("<ArticleTitle>", "<ArticleTitle>Revised: ", 1) if revised else text,
                                 encoding="utf-8")


@pytest.fixture(scope="module")
def stores(tmp_path_factory, files) -> dict[str, Path]:
    """Clean stores made once: each case copies the one it starts from and compares with another."""
    folder = tmp_path_factory.mktemp("change-stores")
    made = {"all": ["page", "pubmed", "crossref"], "no-pubmed": ["page", "crossref"],
            "before": ["page", "replaced", "crossref"], "after": ["page", "replaced", "crossref"],
            "pair": ["pubmed", "crossref"], "crossref": ["crossref"], "nlm": ["baseline", "update"],
            "baseline": ["baseline"]}
    for name, sources in made.items():
        _revise(files, revised=name == "after")
        done = _kg("load", "--quiet", "--store", str(folder / name), *(str(files[s]) for s in sources), tmp=folder)
        assert done.returncode == 0, done.stderr
    return {name: folder / name for name in made}


def _killed(stores, start: str, tmp: Path, *command: str, fault: str) -> Path:
    store = tmp / "store"
    shutil.copytree(stores[start], store)
    done = _kg(*command, "--store", str(store), fault=fault, tmp=tmp)
    assert done.returncode == -9, (fault, done.returncode, done.stderr)  # killed where the fault point is
    return store


UNLOAD_POINTS = ["unload:marked", "withdraw:counted-out", "remove:midway", "withdraw:removed", "unload:withdrawn", "unload:settled"]


@pytest.mark.parametrize("fault", UNLOAD_POINTS)
def test_a_killed_unload_is_finished_by_unloading_again(stores, files, tmp_path, fault):
    store = _killed(stores, "all", tmp_path, "unload", str(files["pubmed"]), fault=fault)
    assert _statuses(store)[files["pubmed"].name] == "unloading"
    noted = _kg("sources", "--store", str(store), tmp=tmp_path)
    assert "unloading" in noted.stdout
    again = _kg("unload", "--store", str(store), str(files["pubmed"]), tmp=tmp_path)
    assert again.returncode == 0 and "half unloaded" in again.stderr, again.stderr
    assert _quads(store) == _quads(stores["no-pubmed"])


@pytest.mark.parametrize("fault", ["unload:marked", "withdraw:removed", "unload:settled"])
def test_a_killed_unload_is_undone_by_loading_the_file(stores, files, tmp_path, fault):
    store = _killed(stores, "all", tmp_path, "unload", str(files["pubmed"]), fault=fault)
    done = _kg("load", "--quiet", "--store", str(store), str(files["pubmed"]), tmp=tmp_path)
    assert done.returncode == 0, done.stderr
    assert _quads(store) == _quads(stores["all"])


@pytest.mark.parametrize("fault", ["load:marked", "withdraw:counted-out", "withdraw:removed", "load:read",
                                   "load:settled"])
def test_a_killed_replacement_is_completed_by_loading_again(stores, files, tmp_path, fault):
    _revise(files, revised=True)
    store = _killed(stores, "before", tmp_path, "load", "--quiet", str(files["replaced"]), fault=fault)
    assert _statuses(store)[files["replaced"].name] == "incomplete"
    done = _kg("load", "--quiet", "--store", str(store), str(files["replaced"]), tmp=tmp_path)
    assert done.returncode == 0, done.stderr
    assert _quads(store) == _quads(stores["after"])


def test_killed_update_withdrawals_are_completed_by_loading_again(stores, files, tmp_path):
    store = _killed(stores, "baseline", tmp_path, "load", "--quiet", str(files["update"]), fault="load:updates-planned")
    assert _statuses(store)[files["update"].name] == "incomplete"
    done = _kg("load", "--quiet", "--store", str(store), str(files["update"]), tmp=tmp_path)
    assert done.returncode == 0, done.stderr
    assert _quads(store) == _quads(stores["nlm"])


def test_a_split_killed_between_its_quads_and_its_figures_is_finished(stores, files, tmp_path):
    """Unloading the PubMed record parts the Crossref record's node (it held only the DOI): killed after the
    renamed quads are written and before the counts follow, the rerun counts again from scratch."""
    store = _killed(stores, "pair", tmp_path, "unload", str(files["pubmed"]), fault="replace:quads")
    again = _kg("unload", "--store", str(store), str(files["pubmed"]), tmp=tmp_path)
    assert again.returncode == 0, again.stderr
    assert _quads(store) == _quads(stores["crossref"])
