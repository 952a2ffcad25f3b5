"""Materialised citation and reference counts equal counts recomputed from scratch, after every kind of load."""

from pathlib import Path

from kg import derived

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


def test_full_and_batched_recounts_agree(graph, pubmed_dir, counts_are_fresh, monkeypatch):
    graph.load(pubmed_dir / "pmparser__pubmed26n1335.xml.gz")  # 30 articles, 1,132 references
    batched = counts_are_fresh(graph)
    derived.refresh(graph.store, graph.minter.base)  # everything recounted at once
    assert counts_are_fresh(graph) == batched > 1000
    monkeypatch.setattr(derived, "FULL_REFRESH_AT", 1)
    graph.load(pubmed_dir / "pmparser__pubmed26n1334.xml.gz")  # this load takes the full-recount path
    counts_are_fresh(graph)
