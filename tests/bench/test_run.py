"""kg bench end to end on a small corpus: every step runs and the report carries what the issue asks for."""

import pytest

from kg.bench import report
from kg.bench.run import Options, bench
from kg.interfaces.cli import main
from kg.queries import catalogue


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """A whole bench run on 300 articles, and its work folder (the store it leaves is measured again below)."""
    work = tmp_path_factory.mktemp("bench") / "work"
    return bench(Options(articles=300, work=work, query_runs=3, increment=200), log=lambda line: None), work


def test_bench_on_a_small_corpus(small_run, tmp_path):
    results = small_run[0]
    load, limit = results["kg_load"], results["store_limit"]
    assert load["records"] == 300 and load["quads"] > 300 * 50
    assert limit["quads"] == load["quads"]  # the exported graph is the whole graph, bulk-loaded again
    assert results["rdflib"]["quads"] == load["quads"]
    incremental = results["incremental"]
    assert (incremental["returncode"], incremental["new_articles_found"], incremental["stale_counts"]) == (0, 200, 0)
    assert incremental["references_checked"] > 100
    assert set(results["queries"]) == set(catalogue())
    assert all(q["p50_ms"] > 0 for q in results["queries"].values())
    json_path, md_path = report.write(results, tmp_path / "report")
    text = md_path.read_text()
    assert "(e) 200 new articles" in text and ": consistent." in text
    assert "(a) kg load" in text and "a/b triples/s" in text and "| citing-articles | entity |" in text
    assert json_path.stat().st_size > 1000


def test_queries_only_measures_the_store_an_earlier_run_left(small_run, tmp_path):
    work = small_run[1]
    assert main(["bench", "--articles", "200", "--work", str(work), "--out", str(tmp_path), "--queries-only"]) == 2
    results = bench(Options(articles=300, work=work, query_runs=2, queries_only=True), log=lambda line: None)
    assert "kg_load" not in results and set(results["queries"]) == set(catalogue())
    assert results["queries"]["article-metadata"]["mean_rows"] == 1  # the store is there, with its articles
    _, md_path = report.write(results, tmp_path / "report")
    assert md_path.name == "bench-300-queries.md"
    text = md_path.read_text()
    assert "| article-metadata | entity |" in text and "(a) kg load" not in text
