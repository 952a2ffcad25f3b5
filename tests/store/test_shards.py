"""kg export --shards / --shard-size: gzipped N-Quads files of bounded size with a manifest that checks them; and
kg load --bulk: the shards back into an embedded store (Oxigraph's bulk loader) and into a private Virtuoso (its
own bulk loader over isql), with the same quads, graph for graph, and the same answers."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from kg.interfaces.cli import main

DATA = Path(__file__).resolve().parents[1] / "data"
ALL = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture(scope="module")
def source(tmp_path_factory, seed_page, pubmed_dir):
    """An embedded store with the seed page, a PubMed record and its Crossref record, and a PubMed update sample
    with reference lists."""
    from kg import KnowledgeGraph

    with KnowledgeGraph(tmp_path_factory.mktemp("shards") / "store") as kg:
        report = kg.load([seed_page, DATA / "pubmed_39917195.xml", DATA / "crossref_39917195.json",
                          pubmed_dir / "pmparser__pubmed26n1335.xml.gz"])
        assert not report.failed, report.render()
        yield kg


def _quads(folder: Path) -> list[bytes]:
    manifest = json.loads((folder / "manifest.json").read_text())
    return [line for f in manifest["files"] for line in gzip.decompress((folder / f["file"]).read_bytes()).splitlines()]


def test_shards_of_bounded_size_hold_every_quad_once(source, tmp_path):
    bound = 500_000
    manifest = source.export_shards(tmp_path / "out", shard_size=bound)
    store_quads = len(source.sparql(ALL))
    assert manifest.quads == store_quads and len(manifest.files) > 1
    written = json.loads((tmp_path / "out" / "manifest.json").read_text())
    for shard in written["files"]:
        data = (tmp_path / "out" / shard["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == shard["sha256"]
        text = gzip.decompress(data)
        assert len(text) == shard["bytes"] <= bound and text.count(b"\n") == shard["quads"]
    lines = _quads(tmp_path / "out")
    assert len(lines) == len(set(lines)) == store_quads
    assert sum(written["graphs"].values()) == store_quads
    assert set(written["sources"]) == {s["graph"] for s in source.sources()}


def test_n_shards_and_the_cli(seed_page, tmp_path, capsys):
    store = str(tmp_path / "store")
    assert main(["load", "--quiet", "--store", store, str(seed_page), str(DATA / "pubmed_39917195.xml")]) == 0
    assert main(["export", "--store", store, "--shards", "3", str(tmp_path / "three")]) == 0
    manifest = json.loads((tmp_path / "three" / "manifest.json").read_text())
    sizes = [f["quads"] for f in manifest["files"]]
    assert len(sizes) == 3 and max(sizes) - min(sizes) <= 2 and sum(sizes) == manifest["quads"]
    assert main(["export", "--store", store, "--shards", "3", str(tmp_path / "three")]) == 1
    assert "holds shards already" in capsys.readouterr().err


def test_shards_back_into_an_embedded_store(source, tmp_path, capsys):
    source.export_shards(tmp_path / "out", shards=4)
    store = tmp_path / "copy"
    assert main(["load", "--store", str(store), "--bulk", str(tmp_path / "out")]) == 0
    from kg import KnowledgeGraph

    with KnowledgeGraph(store) as copy:
        assert set(copy.sparql(ALL).rows) == set(source.sparql(ALL).rows)
        assert copy.query("citing-articles", article="pmid:21933757").rows == \
            source.query("citing-articles", article="pmid:21933757").rows


def test_a_changed_shard_is_refused(source, tmp_path, capsys):
    source.export_shards(tmp_path / "out", shards=2)
    shard = tmp_path / "out" / "part-00002.nq.gz"
    shard.write_bytes(gzip.compress(gzip.decompress(shard.read_bytes())[:-200]))
    assert main(["load", "--store", str(tmp_path / "copy"), "--bulk", str(tmp_path / "out")]) == 1
    assert "part-00002.nq.gz is missing or differs from the manifest" in capsys.readouterr().err


def test_shards_into_virtuoso_by_its_bulk_loader(source, virtuoso, remote_graph, open_remote_graph, capsys):
    folder = virtuoso.bulk / "shards-test"
    source.export_shards(folder, shard_size=2_000_000)
    env = {"KG_PASSWORD": virtuoso.password}
    os.environ.update(env)
    try:
        code = main(["--endpoint", virtuoso.endpoint, "--update-endpoint", virtuoso.update_endpoint, "--user", "dba",
                     "--isql", virtuoso.isql, "load", "--bulk", str(folder)])
    finally:
        os.environ.pop("KG_PASSWORD")
    assert code == 0, capsys.readouterr().err
    ours = set(source.sparql(ALL).rows)
    with open_remote_graph(virtuoso) as loaded:
        assert set(loaded.sparql(ALL).rows) == ours  # durations included: kept as written
        assert [s["status"] for s in loaded.sources()] == ["complete"] * len(source.sources())
        for name, params in (("citing-articles", {"article": "pmid:21933757"}), ("dataset-summary", {})):
            assert loaded.query(name, **params).rows == source.query(name, **params).rows
        loaded.load_shards(folder)  # a rerun loads every shard again and doubles nothing
        assert len(loaded.sparql(ALL).rows) == len(ours)


def test_bulk_refuses_a_store_holding_other_sources(source, virtuoso, remote_graph, tmp_path):
    from kg.errors import StoreError

    folder = virtuoso.bulk / "shards-refused"
    source.export_shards(folder, shards=1)
    other = tmp_path / "other.xml"
    shutil.copy(DATA / "pubmed_39917195.xml", other)  # the same record from another file: another source
    remote_graph.load([other])
    with pytest.raises(StoreError, match="holds 1 sources that the shards do not"):
        remote_graph.load_shards(folder)
