"""The journal queries against answers worked out in plain Python from the same records (bibliometrics.py), on
the citing and cited articles of a real 1977-79 PubMed baseline file and every article of its most cited
journals, plus the seed page and a PubMed record that states one of the page's citations again."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from bibliometrics import Corpus, distribution, year

ALL = {"limit": 1000}


@pytest.fixture(scope="module")
def kg(journal_sample):
    return journal_sample[0]


@pytest.fixture(scope="module")
def corpus(journal_sample) -> Corpus:
    return journal_sample[1]


@pytest.fixture(scope="module")
def journals(corpus) -> list[str]:
    """The journals tried (by NLM abbreviation): the 30 with the most citation links inside the sample, five
    that have none, and those of the seed page."""
    links = Counter()
    for root, node in corpus.nodes.items():
        for journal in node.journals:
            links[journal] += sum(1 for other in node.citing | node.cited if corpus.nodes[other].journals)
    linked = [j for j, n in links.most_common() if n][:30]
    unlinked = sorted(j for j, n in links.items() if not n)[:5]
    seed = ["Magnes Res", "J Appl Crystallogr", "Int J Mol Sci", "Sci Rep", "Biometals"]
    return list(dict.fromkeys(linked + unlinked + seed))


def test_the_sample_has_what_the_queries_must_handle(corpus, journals):
    articles = {j: corpus.articles_of(j) for j in journals}
    assert len(journals) >= 35 and not any(corpus.touches_unsettled(a) for a in articles.values())
    assert any(len({year(corpus.nodes[a]) is None for a in arts}) == 2 for arts in articles.values())  # undated
    assert any(not any(corpus.nodes[a].citing for a in arts) for arts in articles.values())  # nobody cites it
    assert any(j in corpus.nodes[c].journals for j, arts in articles.items() for a in arts
               for c in corpus.nodes[a].citing)  # journal self-citations
    assert len(corpus.nodes[corpus.node_of_pmid("39917195")].dates) == 2  # the page's date and PubMed's
    impacts = [_impact(corpus, j, y, w) for j in journals for y, w in WINDOWS]
    assert sum(1 for items, citations in impacts if citations) >= 10 and any(not i for i, _ in impacts)


def _in_ranking_order(rows) -> bool:
    """Most citations first; then the newest date (undated last); then the IRI."""
    def before(a, b) -> bool:
        if a[0] != b[0]:
            return a[0] > b[0]
        if a[1] != b[1]:
            return b[1] is None or (a[1] is not None and a[1] > b[1])
        return a[2] < b[2]
    return all(before(a, b) for a, b in zip(rows, rows[1:]))


def test_journal_most_cited_articles(kg, corpus, journals):
    ties = 0
    for journal in journals:
        expected = sorted((corpus.nodes[a].pmid, len(corpus.nodes[a].citing), corpus.nodes[a].max_date)
                          for a in corpus.articles_of(journal))
        rows = [(int(r["citations"]), None if "pub_date" not in r else str(r["pub_date"]), r["article"], r["pmid"])
                for r in kg.query("journal-most-cited-articles", journal=journal, **ALL).dicts()]
        assert sorted((pmid, n, date) for n, date, _, pmid in rows) == expected, journal
        assert _in_ranking_order(rows), journal
        ties += any(a[:2] == b[:2] for a, b in zip(rows, rows[1:]))
    assert ties >= 10


def test_journal_most_cited_articles_pages_and_identifiers(kg):
    whole = kg.query("journal-most-cited-articles", journal="J Bacteriol", **ALL).column("article")
    pages = [kg.query("journal-most-cited-articles", journal="J Bacteriol", limit=25, offset=o).column("article")
             for o in range(0, len(whole), 25)]
    assert len(whole) > 100 and [a for page in pages for a in page] == whole
    by_issn = kg.query("journal-most-cited-articles", journal="issn:0021-8898").rows
    assert by_issn == kg.query("journal-most-cited-articles", journal="J Appl Crystallogr").rows != []


def test_journal_citation_distribution(kg, corpus, journals):
    for journal in journals:
        expected = distribution([len(corpus.nodes[a].citing) for a in corpus.articles_of(journal)])
        rows = kg.query("journal-citation-distribution", journal=journal).rows
        assert [(int(n), int(count)) for n, count in rows] == expected, journal


def test_journal_citation_flows(kg, corpus, journals):
    for journal in journals:
        pairs: dict[tuple[str, str], set] = defaultdict(set)
        far: dict[tuple[str, str], set] = defaultdict(set)
        for article in corpus.articles_of(journal):
            node = corpus.nodes[article]
            for direction, others in (("cited-by", node.citing), ("cites", node.cited)):
                for other in others:
                    for other_journal in corpus.nodes[other].journals:
                        key = (direction, corpus.abbreviation(other_journal))
                        pairs[key].add((other, article))
                        far[key].add(other)
        expected = {key: (len(pairs[key]), len(far[key]), key[1] == corpus.abbreviation(journal)) for key in pairs}
        rows = kg.query("journal-citation-flows", journal=journal, **ALL).dicts()
        assert {(r["direction"], r["abbreviation"]): (r["citations"], r["articles"], r["self_citation"])
                for r in rows} == expected, journal
        order = [(r["direction"], -r["citations"], r["journal"]) for r in rows]
        assert order == sorted(order), journal


# 1977-79: the baseline file's years; 2025: the seed page's citing articles, and its 2011 article 14 years before
WINDOWS = [(1978, 1), (1978, 2), (1979, 1), (1979, 2), (1979, 3), (1980, 2), (2025, 13), (2025, 14)]


def _impact(corpus: Corpus, journal: str, year_: int, window: int) -> tuple[int, int]:
    items = {a for a in corpus.articles_of(journal)
             if year(corpus.nodes[a]) is not None and year_ - window <= year(corpus.nodes[a]) < year_}
    return len(items), sum(1 for a in items for c in corpus.nodes[a].citing if year(corpus.nodes[c]) == year_)


@pytest.mark.parametrize(("year_", "window"), WINDOWS)
def test_journal_impact_window(kg, corpus, journals, year_, window):
    for journal in journals:
        items, citations = _impact(corpus, journal, year_, window)
        [row] = kg.query("journal-impact-window", journal=journal, year=year_, window=window).dicts()
        assert (row["year"], row["window"], row["items"], row["citations"]) == (year_, window, items, citations)
        if items:
            assert float(row["impact"]) == pytest.approx(citations / items, abs=1e-12), journal
        else:
            assert "impact" not in row, journal
