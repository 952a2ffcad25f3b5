"""The oc_ocdm peer of ``kg bench`` on a small real PubMed file (runs only where oc-ocdm is installed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


def test_peer_builds_and_serialises_every_article(pubmed_dir: Path, tmp_path: Path, capsys) -> None:
    pytest.importorskip("oc_ocdm", reason="oc_ocdm is not installed here: the peer runs in its own venv "
                                          "(pip install oc-ocdm==11.0.22), never as a dependency of kg")
    from rdflib import Dataset

    from kg.bench import peer

    out, report = tmp_path / "out", tmp_path / "peer.json"
    corpus = pubmed_dir / "pmparser__pubmed26n1334.xml.gz"
    assert peer.main([str(corpus), str(out), "--time-limit", "120", "--json", str(report)]) == 0
    result = json.loads(report.read_text(encoding="utf-8"))
    assert (result["articles"], result["failed"], result["finished"]) == (30, 0, True)
    assert result["triples"] > 0
    assert "30 articles" in capsys.readouterr().out
    dataset = Dataset()
    for path in sorted(out.glob("*.nq")):
        dataset.parse(path, format="nquads")
    assert len(dataset) == result["triples"]
