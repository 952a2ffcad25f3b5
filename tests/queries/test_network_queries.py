"""The network queries (related-articles, citations-per-year) against answers worked out in plain Python from the
same records (bibliometrics.py), on the author and journal samples: articles nobody cites, undated citing
articles, author self-citations by ORCID and by name, journal self-citations, ties, hubs and pages."""

from __future__ import annotations

import pytest

from bibliometrics import Corpus, year
from kg.errors import QueryError

ALL = {"limit": 1_000_000}


@pytest.fixture(scope="module", params=["author_sample", "journal_sample"])
def sample(request):
    return request.getfixturevalue(request.param)


def settled(corpus: Corpus, root: object, hops: int) -> bool:
    """True when no article within ``hops`` citation links of ``root`` is held as several nodes today."""
    seen, frontier = {root}, {root}
    for _ in range(hops):
        frontier = {o for n in frontier for o in corpus.nodes[n].citing | corpus.nodes[n].cited} - seen
        seen |= frontier
    return not seen & corpus.unsettled


def articles(corpus: Corpus, hops: int, count: int = 150) -> list[object]:
    """Up to ``count`` settled full records (by PMID) that cite or are cited by another article."""
    linked = sorted((n.pmid, root) for root, n in corpus.nodes.items()
                    if n.pmid and n.roles and (n.citing or n.cited) and settled(corpus, root, hops))
    return [root for _, root in linked[:count]]


# -- related-articles ---------------------------------------------------------------------------------------
def _related(kg, corpus: Corpus, root: object, **params) -> dict[object, tuple[int, int, int]]:
    rows = kg.query("related-articles", article=f"pmid:{corpus.nodes[root].pmid}", **params).dicts()
    keys = [(-r["score"], r["related"]) for r in rows]
    assert keys == sorted(keys), root  # highest score first, ties by IRI
    for r in rows:
        node = corpus.nodes[corpus.node_of_iri(r["related"])]
        assert ("pub_date" in r) == bool(node.dates), r["related"]
    return {corpus.node_of_iri(r["related"]): (r["co_citations"], r["coupling"], r["score"]) for r in rows}


def test_related_articles(sample):
    kg, corpus = sample
    tried = articles(corpus, hops=2)
    ties = co = coupling = 0
    for root in tried:
        expected = {other: (c, b, c + b) for other, (c, b) in corpus.related(root, max_links=1000).items()}
        assert _related(kg, corpus, root, **ALL) == expected, corpus.nodes[root].pmid
        scores = sorted(s for _, _, s in expected.values())
        ties += any(a == b for a, b in zip(scores, scores[1:]))
        co += any(c for c, _, _ in expected.values())
        coupling += any(b for _, b, _ in expected.values())
    assert len(tried) >= 100 and ties >= 30 and co >= 20 and coupling >= 20


def test_related_articles_leave_out_hubs(sample):
    kg, corpus = sample
    changed = 0
    for root in articles(corpus, hops=2, count=40):
        bounded = corpus.related(root, max_links=3)
        changed += bounded != corpus.related(root, max_links=1000)
        expected = {other: (c, b, c + b) for other, (c, b) in bounded.items()}
        assert _related(kg, corpus, root, max_links=3, **ALL) == expected, corpus.nodes[root].pmid
    assert changed >= 10


def test_related_articles_pages(sample):
    kg, corpus = sample
    root = max(articles(corpus, hops=2), key=lambda r: len(corpus.related(r, max_links=1000)))
    article = f"pmid:{corpus.nodes[root].pmid}"
    whole = kg.query("related-articles", article=article, **ALL).dicts()
    assert len(whole) >= 30 and len({r["score"] for r in whole}) >= 2
    default = kg.query("related-articles", article=article).dicts()
    pages = [kg.query("related-articles", article=article, limit=7, offset=o).dicts() for o in range(0, len(whole), 7)]
    assert default == whole[:20] and [r for page in pages for r in page] == whole


def test_related_articles_of_an_isolated_article(author_sample):
    kg, corpus = author_sample
    alone = [n.pmid for n in corpus.nodes.values() if n.pmid and n.roles and not n.citing and not n.cited]
    assert len(alone) >= 10
    for pmid in alone[:10]:
        assert kg.query("related-articles", article=f"pmid:{pmid}").rows == []


# -- citations-per-year -------------------------------------------------------------------------------------
def _per_year(kg, **params) -> dict[int | None, tuple[int, int]]:
    rows = kg.query("citations-per-year", **params, **ALL).dicts()
    years = [r.get("year") for r in rows]
    assert years == sorted(years, key=lambda y: (y is None, y or 0)), params  # oldest first, undated last
    assert all(r["citations"] == r["self_citations"] + r["other_citations"] for r in rows)
    return {r.get("year"): (r["citations"], r["self_citations"]) for r in rows}


def _self_by(corpus: Corpus, citing: object, cited: object) -> set[str]:
    """How the two articles share an author: "orcid" (the same ORCID) and/or "name" (a name key in common, the
    two not both having an ORCID)."""
    ways = set()
    for a in (p for held in corpus.nodes[citing].roles.values() for p in held):
        for b in (p for held in corpus.nodes[cited].roles.values() for p in held):
            pa, pb = corpus.people[a], corpus.people[b]
            if pa.orcid and pb.orcid:
                ways |= {"orcid"} if pa.orcid == pb.orcid else set()
            elif pa.keys & pb.keys:
                ways.add("name")
    return ways


def test_citations_per_year_of_articles(sample):
    kg, corpus = sample
    cited = sorted((int(n.pmid), not n.roles, root) for root, n in corpus.nodes.items()
                   if n.pmid and n.citing and settled(corpus, root, 1))
    tried = [root for _, stub, root in cited if not stub] + [root for _, stub, root in cited if stub][:150]
    undated = ways = 0
    for root in tried:
        expected = corpus.citations_per_year({root}, corpus.self_citation)
        assert _per_year(kg, article=f"pmid:{corpus.nodes[root].pmid}") == expected, corpus.nodes[root].pmid
        undated += None in expected
        ways += bool(expected) and any(own for _, own in expected.values())
    assert len(tried) >= 150 and undated >= 10 and ways >= 5
    nobody = [n.pmid for n in corpus.nodes.values() if n.pmid and n.roles and not n.citing]
    assert len(nobody) >= 10
    for pmid in nobody[:10]:
        assert kg.query("citations-per-year", article=f"pmid:{pmid}").rows == []


def test_citations_per_year_of_authors(author_sample):
    kg, corpus = author_sample
    orcids = sorted({f"orcid:{p.orcid}" for p in corpus.people.values() if p.orcid})
    cited = sorted({name for node in corpus.nodes.values() if node.citing
                    for held in node.roles.values() for p in held for name in corpus.people[p].names})
    found: set[str] = set()
    tried = 0
    for author in orcids[:80] + cited[:80] + ["Wang", "Zhang"]:
        works = set(corpus.works(corpus.people_named(author)))
        if not works or not all(settled(corpus, w, 1) for w in works):
            continue
        tried += 1
        expected = corpus.citations_per_year(works, corpus.self_citation)
        assert _per_year(kg, author=author) == expected, author
        found |= {way for w in works for c in corpus.nodes[w].citing for way in _self_by(corpus, c, w)}
        found |= {"undated"} if None in expected else set()
    assert tried >= 100 and found == {"orcid", "name", "undated"}


def test_citations_per_year_of_journals(journal_sample):
    kg, corpus = journal_sample
    journals = sorted(corpus.journal_abbreviations)
    linked = [j for j in journals if any(corpus.nodes[a].citing for a in corpus.articles_of(j))]
    own = undated = 0
    for journal in linked[:60] + [j for j in journals if j not in linked][:5]:
        members = corpus.articles_of(journal)
        assert all(settled(corpus, a, 1) for a in members)
        expected = corpus.citations_per_year(members, lambda citing, _: journal in corpus.nodes[citing].journals)
        assert _per_year(kg, journal=journal) == expected, journal
        own += any(n for _, n in expected.values())
        undated += None in expected
    assert len(linked) >= 30 and own >= 10 and undated >= 5


def test_citations_per_year_takes_exactly_one_of_article_author_and_journal(author_sample):
    kg, _ = author_sample
    with pytest.raises(QueryError, match="exactly one of article, author, journal, got none"):
        kg.query("citations-per-year")
    with pytest.raises(QueryError, match="exactly one of article, author, journal, got article, author"):
        kg.query("citations-per-year", article="pmid:1", author="Wang")
    with pytest.raises(QueryError, match="parameter 'journal' is empty"):
        kg.query("citations-per-year", journal=" ")
    assert kg.query("citations-per-year", author="Nobody X").rows == []
