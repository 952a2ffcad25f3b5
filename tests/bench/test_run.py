"""kg bench end to end on a small corpus: every step runs and the report carries what the issue asks for."""

from kg.bench import report
from kg.bench.run import Options, bench
from kg.interfaces.cli import main
from kg.queries import catalogue


def test_bench_on_a_small_corpus(tmp_path):
    results = bench(Options(articles=300, work=tmp_path / "work", query_runs=3), log=lambda line: None)
    load, limit = results["kg_load"], results["store_limit"]
    assert load["records"] == 300 and load["quads"] > 300 * 50
    assert limit["quads"] == load["quads"]  # the exported graph is the whole graph, bulk-loaded again
    assert results["rdflib"]["quads"] == load["quads"]
    incremental = results["incremental"]
    assert (incremental["returncode"], incremental["new_articles_found"], incremental["stale_counts"]) == (0, 1000, 0)
    assert incremental["references_checked"] > 100
    assert set(results["queries"]) == set(catalogue())
    assert all(q["p50_ms"] > 0 for q in results["queries"].values())
    json_path, md_path = report.write(results, tmp_path / "report")
    text = md_path.read_text()
    assert "(a) kg load" in text and "a/b triples/s" in text and "| citing-articles | entity |" in text
    assert json_path.stat().st_size > 1000


def test_queries_only_measures_the_store_an_earlier_run_left(tmp_path):
    work = tmp_path / "work"
    assert main(["bench", "--articles", "200", "--work", str(work), "--out", str(tmp_path), "--queries-only"]) == 2
    bench(Options(articles=200, work=work, query_runs=1), log=lambda line: None)
    results = bench(Options(articles=200, work=work, query_runs=2, queries_only=True), log=lambda line: None)
    assert "kg_load" not in results and set(results["queries"]) == set(catalogue())
    assert results["queries"]["article-metadata"]["mean_rows"] == 1  # the store is there, with its articles
    _, md_path = report.write(results, tmp_path / "report")
    assert md_path.name == "bench-200-queries.md"
    text = md_path.read_text()
    assert "| article-metadata | entity |" in text and "(a) kg load" not in text
