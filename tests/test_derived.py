"""Materialised citation and reference counts equal counts recomputed from scratch, after every kind of load."""

from pathlib import Path

import pytest

from kg.consolidate import counts as derived

DATA = Path(__file__).resolve().parent / "data"


def test_counts_after_loads_and_a_replaced_source(graph, seed_page, tmp_path, counts_are_fresh):
    page = tmp_path / "page.txt"
    text = seed_page.read_text(encoding="utf-8")
    page.write_text(text, encoding="utf-8")
    graph.load(page)
    assert counts_are_fresh(graph) == 6  # 21933757 cited 5 times; five citing articles with one reference each
    graph.load(DATA / "pubmed_39917195.xml")
    counts_are_fresh(graph)
    page.write_text(text[: text.index("Association between magnesium")], encoding="utf-8")
    graph.load(page)  # the page now lists one citing article: the other four citations are gone
    assert counts_are_fresh(graph) == 3  # 21933757 cited by 2; 40003994 and 39917195 cite one each
    [row] = graph.query("article-metadata", article="pmid:21933757").dicts()
    assert row["citation_count"] == 2  # from the page's one entry and from the PubMed record of 39917195


def test_kept_counts_equal_a_full_recount(graph, pubmed_dir, counts_are_fresh):
    graph.load(pubmed_dir / "pmparser__pubmed26n1335.xml.gz")  # 30 articles, 1,132 references
    kept = counts_are_fresh(graph)
    graph.load(pubmed_dir / "pmparser__pubmed26n1334.xml.gz")  # a second source: the other-graph checks run
    both = counts_are_fresh(graph)
    derived.recount(graph.store, graph.minter.base)  # everything recounted at once
    assert counts_are_fresh(graph) == both > kept > 1000


def _quads(kg) -> set:
    return set(kg.sparql("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } "
                         "FILTER(!STRENDS(STR(?g), '/graph/provenance')) }").rows)


@pytest.mark.parametrize("batch", [None, 7], ids=["one batch", "batches of 7 quads"])
def test_unload_removes_exactly_one_source(graph, seed_page, tmp_path, counts_are_fresh, batch, monkeypatch):
    from kg import KnowledgeGraph

    if batch:  # a graph is removed REMOVE_BATCH quads at a time: here in many batches
        monkeypatch.setattr("kg.store.oxigraph.REMOVE_BATCH", batch)
    graph.load(seed_page)
    page_only = _quads(graph)
    report = graph.load(DATA / "pubmed_39917195.xml")
    assert graph.unload("pubmed_39917195.xml") == report.sources[0].triples > 100
    counts_are_fresh(graph)
    assert _quads(graph) == page_only  # what the page states of 39917195 stays; the record's statements went
    assert [s["label"] for s in graph.sources()] == [seed_page.name]
    with KnowledgeGraph(tmp_path / "fresh") as fresh:
        fresh.load(seed_page)
        assert {q[1:] for q in _quads(fresh)} == {q[1:] for q in page_only}


def test_a_failed_load_is_marked_incomplete_and_completed_by_loading_again(graph, pubmed_dir, tmp_path,
                                                                            counts_are_fresh):
    import gzip

    good = gzip.decompress((pubmed_dir / "pmparser__pubmed26n1334.xml.gz").read_bytes())
    source = tmp_path / "pubmed.xml"
    source.write_bytes(good[: len(good) // 2])  # cut in the middle of a record
    report = graph.load(source)
    assert report.failed and 0 < report.sources[0].records < 30
    [described] = graph.sources()
    assert described["status"] == "incomplete"
    counts_are_fresh(graph)
    source.write_bytes(good)
    report = graph.load(source)
    assert not report.failed and report.sources[0].records == 30
    assert graph.sources()[0]["status"] == "complete"
    counts_are_fresh(graph)
    clean = type(graph)(tmp_path / "clean")
    clean.load(source)
    assert {q[1:] for q in _quads(graph)} == {q[1:] for q in _quads(clean)}
    clean.close()


def test_a_big_source_into_a_store_that_holds_a_small_one(graph, pubmed_dir, counts_are_fresh):
    """A source bigger than every other together is counted by the nodes it shares with them (the look-ups in
    other graphs made for those alone), coming in and going out: the figures equal a count from scratch."""
    small, big = pubmed_dir / "pmparser__pubmed26n1334.xml.gz", pubmed_dir / "pmparser__pubmed26n1335.xml.gz"
    graph.load(small)
    graph.load(big)
    graphs = {s["label"]: str(s["graph"]) for s in graph.sources()}
    shared = derived.shared_nodes(graph.store, graph.minter.base, graphs[big.name], [graphs[small.name]])
    # a journal, its volume, an article both cite, identifiers: what makes the look-ups needed
    assert any(graph.minter.is_article(n) for n in shared) and any("/journal/" in n for n in shared)
    counts_are_fresh(graph)
    graph.unload(graphs[big.name])  # taken out by the shared nodes too
    counts_are_fresh(graph)
    graph.load(big)
    graph.unload(graphs[small.name])  # the smaller one goes: look-ups per statement
    counts_are_fresh(graph)
