"""Shared fixtures: the one way tests find ../shared/ (skip when absent, fail when KG_REQUIRE_SHARED=1)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


def _shared_dir() -> Path:
    override = os.environ.get("KG_SHARED")
    return Path(override) if override else REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared() -> Path:
    """The folder with design/, data/ and seeds/; skips (or fails under KG_REQUIRE_SHARED=1) when missing."""
    path = _shared_dir()
    if not (path / "data").is_dir():
        reason = f"shared test data not found at {path} (set KG_SHARED to its location)"
        if os.environ.get("KG_REQUIRE_SHARED") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def seed_page(shared: Path) -> Path:
    return shared / "seeds" / "000_3d83d56ae30b0fd2.txt"


@pytest.fixture(scope="session")
def pubmed_dir(shared: Path) -> Path:
    return shared / "data" / "pubmed_xml"


@pytest.fixture()
def graph(tmp_path: Path):
    """A fresh on-disk KnowledgeGraph in a temporary folder."""
    from kg import KnowledgeGraph

    with KnowledgeGraph(tmp_path / "store") as kg:
        yield kg


@pytest.fixture(scope="module")
def seed_graph(tmp_path_factory, seed_page: Path):
    """A store holding the seed page and the PubMed record of one of its citing articles (tests/data)."""
    from kg import KnowledgeGraph

    with KnowledgeGraph(tmp_path_factory.mktemp("seed") / "store") as kg:
        report = kg.load([seed_page, DATA / "pubmed_39917195.xml"])
        assert not report.failed, report.render()
        yield kg


def _derived_and_recounted(kg) -> tuple[dict, dict]:
    cites = "<http://purl.org/spar/cito/cites>"
    ns = "https://w3id.org/kg-loader/ns#"
    derived = {(str(a), p.rsplit("#", 1)[1], int(n)) for a, p, n in kg.sparql(
        f"SELECT ?a ?p ?n WHERE {{ VALUES ?p {{ <{ns}citationCount> <{ns}referenceCount> }} ?a ?p ?n }}").rows}
    recounted = {(str(a), "citationCount", int(n)) for a, n in kg.sparql(
        f"SELECT ?a (COUNT(DISTINCT ?c) AS ?n) WHERE {{ ?c {cites} ?a }} GROUP BY ?a").rows}
    recounted |= {(str(a), "referenceCount", int(n)) for a, n in kg.sparql(
        f"SELECT ?a (COUNT(DISTINCT ?c) AS ?n) WHERE {{ ?a {cites} ?c }} GROUP BY ?a").rows}
    return derived, recounted


@pytest.fixture()
def counts_are_fresh():
    """A check that a graph's materialised counts and statistics equal the ones recomputed from scratch."""
    from_scratch = (DATA / "dataset-summary-from-scratch.rq").read_text(encoding="utf-8")

    def check(kg) -> int:
        derived, recounted = _derived_and_recounted(kg)
        assert derived == recounted
        summary = {r["metric"]: r["value"] for r in kg.query("dataset-summary").dicts() if r["value"]}
        scratch = {str(m): int(v) for m, v in kg.sparql(from_scratch).rows if int(v)}
        assert summary == scratch
        return len(derived)
    return check
