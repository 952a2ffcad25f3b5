"""The network queries (citation-neighbourhood, citation-path) against answers worked out in plain Python from
the same records (bibliometrics.py: the links as sets, a breadth-first search), on the citing and cited articles
of a real 1977-79 PubMed baseline file, whose most cited reference (Lowry's protein assay, PMID 14907713) is cited
by more than 100 of them: a hub."""

from __future__ import annotations

import pytest

from bibliometrics import Corpus
from kg.errors import QueryError

ALL = {"limit": 1000}
BASE = "https://kg.example.org/"  # the base IRI of a store created without one (README: "IRIs are deterministic")
HUB = 100  # citation-neighbourhood's hub threshold, from its header
LOWRY = "14907713"


@pytest.fixture(scope="module")
def kg(journal_sample):
    return journal_sample[0]


@pytest.fixture(scope="module")
def corpus(journal_sample) -> Corpus:
    return journal_sample[1]


def iri(corpus: Corpus, root: object) -> str:
    """The article's IRI, from its PMID (every article these tests look at has one)."""
    pmid = corpus.nodes[root].pmid
    assert pmid, corpus.nodes[root].ids
    return f"{BASE}br/pmid/{pmid}"


def settled(corpus: Corpus, roots) -> bool:
    """True when none of these articles is one that kg holds as several nodes today (see Corpus.unsettled)."""
    return not any(r in corpus.unsettled or corpus.nodes[r].pmid is None for r in roots)


# -- citation-neighbourhood -------------------------------------------------------------------------------------

def ranked_edges(corpus: Corpus, article: object, depth: int) -> list[tuple]:
    """(depth, -rank, citing IRI, cited IRI) in the header's order: depth; then the rank, the citation count of the
    edge's most cited end other than the article, highest first; then citing IRI, cited IRI."""
    def rank(edge: tuple) -> int:
        return max(len(corpus.nodes[end].citing) for end in edge if end != article)

    edges = corpus.neighbourhood(article, depth, hub=HUB)
    return sorted((d, -rank(e), iri(corpus, e[0]), iri(corpus, e[1])) for e, d in edges.items())


def expected_edges(corpus: Corpus, article: object, depth: int) -> list[tuple]:
    """(citing IRI, cited IRI, depth) rows, in order."""
    return [(citing, cited, d) for d, _, citing, cited in ranked_edges(corpus, article, depth)]


def neighbourhood_rows(kg, corpus: Corpus, article: object, **params) -> list[tuple]:
    rows = kg.query("citation-neighbourhood", article=f"pmid:{corpus.nodes[article].pmid}", **params).dicts()
    return [(r["citing"], r["cited"], r["depth"]) for r in rows]


def around(corpus: Corpus, article: object) -> set:
    """The articles whose links and counts a depth-2 neighbourhood of ``article`` depends on."""
    near = {article} | corpus.nodes[article].cited | corpus.nodes[article].citing
    return near | {x for n in near for x in corpus.nodes[n].cited | corpus.nodes[n].citing}


@pytest.fixture(scope="module")
def articles(corpus) -> list[object]:
    """The articles tried: the 5 linked records with the largest depth-2 neighbourhoods, every 8th linked record
    by PMID, the hub, and records citing it."""
    lowry = corpus.node_of_pmid(LOWRY)
    linked = [r for r, n in sorted(corpus.nodes.items(), key=lambda item: int(item[1].pmid or 0))
              if n.cited | n.citing and n.dates and n.pmid and settled(corpus, around(corpus, r))]
    largest = sorted(linked, key=lambda a: len(corpus.neighbourhood(a, 2)), reverse=True)[:5]
    chosen = largest + linked[::8] + [lowry] + sorted(corpus.nodes[lowry].citing, key=str)[:10]
    return [a for a in dict.fromkeys(chosen) if settled(corpus, around(corpus, a))]


def test_the_sample_has_what_the_neighbourhood_must_handle(corpus, articles):
    lowry = corpus.node_of_pmid(LOWRY)
    assert len(articles) >= 100 and lowry in articles
    assert len(corpus.nodes[lowry].citing) > HUB  # a hub ...
    assert sum(len(corpus.nodes[n].citing) > HUB for a in articles for n in corpus.nodes[a].cited) >= 5  # ... cited
    # the hub rule changes some depth-2 neighbourhoods, the hub's own among them
    changed = [a for a in articles if corpus.neighbourhood(a, 2) != corpus.neighbourhood(a, 2, hub=None)]
    assert lowry in changed and len(changed) >= 5
    # depth 2 adds links, some between two neighbours
    assert sum(len(corpus.neighbourhood(a, 2)) > len(corpus.neighbourhood(a, 1)) for a in articles) >= 50
    assert any(set(e) <= corpus.nodes[a].cited | corpus.nodes[a].citing
               for a in articles for e, d in corpus.neighbourhood(a, 2).items() if d == 2)
    assert max(len(corpus.neighbourhood(a, 2)) for a in articles) > 200  # more than the default limit


@pytest.mark.parametrize("depth", [1, 2])
def test_citation_neighbourhood(kg, corpus, articles, depth):
    ties = 0
    for article in articles:
        expected = expected_edges(corpus, article, depth)
        assert neighbourhood_rows(kg, corpus, article, depth=depth, **ALL) == expected, corpus.nodes[article].pmid
        keys = [key[:2] for key in ranked_edges(corpus, article, depth)]
        ties += len(set(keys)) < len(keys)  # edges that only the IRIs order
    assert ties >= 10


def test_citation_neighbourhood_depth_defaults_to_1(kg, corpus, articles):
    article = next(a for a in articles if len(corpus.neighbourhood(a, 2)) > len(corpus.neighbourhood(a, 1)) > 10
                   and len(corpus.neighbourhood(a, 1)) <= 200)
    assert neighbourhood_rows(kg, corpus, article) == expected_edges(corpus, article, 1)


def test_a_hub_is_not_walked_through(kg, corpus):
    lowry = corpus.node_of_pmid(LOWRY)
    rows = neighbourhood_rows(kg, corpus, lowry, depth=2, **ALL)
    assert rows == neighbourhood_rows(kg, corpus, lowry, depth=1, **ALL) == expected_edges(corpus, lowry, 1)
    assert len(rows) == len(corpus.nodes[lowry].citing) > HUB
    # an article citing the hub: the hub's links to its other citing articles are left out at depth 2
    citing = next(a for a in sorted(corpus.nodes[lowry].citing, key=str) if settled(corpus, around(corpus, a)))
    rows = neighbourhood_rows(kg, corpus, citing, depth=2, **ALL)
    assert rows == expected_edges(corpus, citing, 2)
    assert (iri(corpus, citing), iri(corpus, lowry), 1) in rows
    left_out = corpus.neighbourhood(citing, 2, hub=None).keys() - corpus.neighbourhood(citing, 2).keys()
    assert len(left_out) >= HUB and all(lowry in edge for edge in left_out)
    assert not {(iri(corpus, c), iri(corpus, d)) for c, d in left_out} & {(c, d) for c, d, _ in rows}


def test_citation_neighbourhood_is_cut_at_the_limit_by_its_order(kg, corpus, articles):
    article = max((a for a in articles if len(corpus.neighbourhood(a, 1)) < 150),
                  key=lambda a: len(corpus.neighbourhood(a, 2)))
    expected = expected_edges(corpus, article, 2)
    assert len(expected) > 200 and {d for _, _, d in expected[:200]} == {1, 2}
    assert neighbourhood_rows(kg, corpus, article, depth=2) == expected[:200]  # the default limit
    # a cut between two edges of the same depth and rank, which only the IRIs order
    keys = [key[:2] for key in ranked_edges(corpus, article, 2)]
    cut = next(i for i in range(50, len(expected)) if keys[i - 1] == keys[i])
    assert neighbourhood_rows(kg, corpus, article, depth=2, limit=cut) == expected[:cut]
    pages = [neighbourhood_rows(kg, corpus, article, depth=2, limit=cut, offset=o)
             for o in range(0, len(expected), cut)]
    assert [row for page in pages for row in page] == expected


def test_an_article_without_links_has_no_neighbourhood(kg, corpus):
    alone = [r for r, n in corpus.nodes.items() if n.dates and not n.cited | n.citing and settled(corpus, {r})]
    assert len(alone) >= 10
    for article in alone[:10]:
        assert neighbourhood_rows(kg, corpus, article, depth=2) == []
    assert kg.query("citation-neighbourhood", article="pmid:1").rows == []  # not in the graph


@pytest.mark.parametrize("depth", ["0", "3", "two", "-1", "1.5"])
def test_citation_neighbourhood_refuses_other_depths(kg, depth):
    with pytest.raises(QueryError, match="'depth'"):
        kg.query("citation-neighbourhood", article=f"pmid:{LOWRY}", depth=depth)


# -- citation-path ----------------------------------------------------------------------------------------------

def expected_path_rows(corpus: Corpus, start: object, end: object, max_len: int) -> list[tuple]:
    """(path, step, citing IRI, cited IRI): every shortest chain, ordered by its intermediate articles' IRIs."""
    chains = sorted(([iri(corpus, a) for a in chain] for chain in corpus.chains(start, end, max_len)),
                    key=lambda chain: chain[1:-1])
    return [(number, step, chain[step - 1], chain[step]) for number, chain in enumerate(chains, 1)
            for step in range(1, len(chain))]


def path_rows(kg, corpus: Corpus, start: object, end: object, **params) -> list[tuple]:
    rows = kg.query("citation-path", start=f"pmid:{corpus.nodes[start].pmid}", end=f"pmid:{corpus.nodes[end].pmid}",
                    **params).dicts()
    return [(r["path"], r["step"], r["citing"], r["cited"]) for r in rows]


@pytest.fixture(scope="module")
def pairs(corpus) -> dict[int, list[tuple[object, object]]]:
    """Pairs (start, end) by the length of their shortest chain: 1, 2 or 3 (the sample has no longer ones, its
    records citing one another being of three years), each time the 5 with the most chains of that length or one
    more (so several shortest ones, or a direct citation beside longer chains), then the first 10 by PMIDs."""
    found: dict[int, list[tuple[object, object]]] = {1: [], 2: [], 3: []}
    starts = sorted((r for r, n in corpus.nodes.items() if n.cited and n.pmid), key=lambda r: int(corpus.nodes[r].pmid))
    for start in starts:
        distance, frontier = {start: 0}, {start}
        for step in range(1, 4):
            frontier = {c for a in frontier for c in corpus.nodes[a].cited if c not in distance}
            distance |= {c: step for c in frontier}
        for end, d in distance.items():
            if d and corpus.nodes[end].pmid:
                found[d].append((start, end))
    for d, candidates in found.items():
        candidates.sort(key=lambda pair: (int(corpus.nodes[pair[0]].pmid), int(corpus.nodes[pair[1]].pmid)))
        candidates = [p for p in candidates if settled(corpus, {a for c in corpus.chains(*p, d + 1) for a in c})]
        several = sorted(candidates, key=lambda p: -len(corpus.chains(*p, d + 1)))[:5]  # the most chains of d or d + 1
        found[d] = several + [p for p in candidates if p not in several][:10]
    return found


def test_the_sample_has_what_the_path_must_handle(corpus, pairs):
    assert all(len(found) == 15 for found in pairs.values()), {d: len(f) for d, f in pairs.items()}
    most = {d: max(len(corpus.chains(s, e, 3)) for s, e in pairs[d]) for d in (2, 3)}
    assert most[2] >= 3 and most[3] >= 2  # several shortest chains
    # a direct citation alongside a chain through an intermediate, which is not a shortest one
    assert any(e in corpus.nodes[m].cited for s, e in pairs[1] for m in corpus.nodes[s].cited)


@pytest.mark.parametrize("length", [1, 2, 3])
def test_citation_path_gives_every_shortest_chain(kg, corpus, pairs, length):
    for start, end in pairs[length]:
        expected = expected_path_rows(corpus, start, end, 4)
        assert expected and max(step for _, step, _, _ in expected) == length
        assert path_rows(kg, corpus, start, end) == expected, (start, end)  # max_len 3, the default
        assert path_rows(kg, corpus, start, end, max_len=4) == expected, (start, end)  # longer ones left out


def test_a_direct_citation_is_the_only_shortest_chain(kg, corpus, pairs):
    start, end = next((s, e) for s, e in pairs[1] for m in corpus.nodes[s].cited if e in corpus.nodes[m].cited)
    assert path_rows(kg, corpus, start, end, max_len=4) == [(1, 1, iri(corpus, start), iri(corpus, end))]


def test_a_chain_through_intermediates_only(kg, corpus, pairs):
    start, end = next((s, e) for s, e in pairs[2] if len(corpus.chains(s, e, 2)) > 1)
    assert end not in corpus.nodes[start].cited
    rows = path_rows(kg, corpus, start, end, max_len=2)
    assert rows == expected_path_rows(corpus, start, end, 2)
    assert [(path, step) for path, step, _, _ in rows] == [(n, s) for n in range(1, len(rows) // 2 + 1) for s in (1, 2)]
    assert all(rows[i][3] == rows[i + 1][2] for i in range(0, len(rows), 2))  # a chain: cited is the next citing


def test_no_chain_within_max_len_while_a_longer_one_exists(kg, corpus, pairs):
    for length in (2, 3):
        start, end = pairs[length][0]
        assert path_rows(kg, corpus, start, end, max_len=length - 1) == []
        assert path_rows(kg, corpus, start, end, max_len=length) == expected_path_rows(corpus, start, end, length) != []


def test_a_chain_the_other_way_round_does_not_count(kg, corpus, pairs):
    checked = 0
    for length in (1, 2, 3):
        for start, end in pairs[length][:5]:
            if corpus.chains(end, start, 4):
                continue  # a citation cycle: there is a chain both ways
            assert path_rows(kg, corpus, end, start, max_len=4) == []
            checked += 1
    assert checked >= 10


def test_from_an_article_to_itself_there_is_no_chain(kg, corpus, pairs):
    # articles on a citation cycle (A cites B and B cites A), which a search from an article to itself would find
    cycling = sorted((a for a, n in corpus.nodes.items() if n.pmid and any(a in corpus.nodes[b].cited for b in n.cited)
                      and settled(corpus, around(corpus, a))), key=lambda a: int(corpus.nodes[a].pmid))
    assert len(cycling) >= 4
    for article in cycling[:4] + [s for s, _ in pairs[1][:3]]:
        assert path_rows(kg, corpus, article, article, max_len=4) == []


def test_citation_path_pages_count_chains(kg, corpus, pairs):
    start, end = max(pairs[2] + pairs[3], key=lambda p: len(corpus.chains(*p, 3)))
    expected = expected_path_rows(corpus, start, end, 3)
    chains = expected[-1][0]
    assert chains >= 3
    pages = [path_rows(kg, corpus, start, end, limit=2, offset=o) for o in range(0, chains, 2)]
    assert [row for page in pages for row in page] == expected
    assert path_rows(kg, corpus, start, end, limit=2, offset=chains) == []


def test_citation_path_of_articles_not_in_the_graph(kg):
    assert kg.query("citation-path", start="pmid:1", end=f"pmid:{LOWRY}").rows == []
    assert kg.query("citation-path", start=f"pmid:{LOWRY}", end="pmid:1").rows == []


@pytest.mark.parametrize(("params", "message"), [
    ({"max_len": "5"}, "'max_len' takes one of 1, 2, 3, 4"), ({"max_len": "0"}, "'max_len'"),
    ({"max_len": "x"}, "'max_len'"), ({"end": None}, "needs parameter 'end'"), ({"start": "pmid:abc"}, "'start'"),
    ({"from": "pmid:1"}, "no parameter 'from'")])
def test_citation_path_refuses_bad_parameters(kg, params, message):
    values = {"start": "pmid:6591", "end": f"pmid:{LOWRY}", **params}
    with pytest.raises(QueryError, match=message):
        kg.query("citation-path", **{k: v for k, v in values.items() if v is not None})


# -- chains of four citations -----------------------------------------------------------------------------------
# The real samples have no chain longer than 3 citations (their records citing one another span three years), so
# chains of 4 are checked on kg bench's seeded synthetic corpus (300 PubMed records citing earlier ones by
# popularity), read by the same readers into the same plain-Python model.

@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    from kg import KnowledgeGraph
    from kg.bench.corpus.writer import write_corpus
    from samples import read_records

    folder = tmp_path_factory.mktemp("synthetic")
    write_corpus(folder / "synthetic.xml", articles=300, compress=False)
    with KnowledgeGraph(folder / "store") as graph:
        report = graph.load([folder / "synthetic.xml"])
        assert not report.failed, report.render()
        yield graph, Corpus(read_records([folder / "synthetic.xml"]))


def test_chains_of_four_citations(synthetic):
    graph, corpus = synthetic
    starts = sorted((r for r, n in corpus.nodes.items() if n.cited), key=lambda r: int(corpus.nodes[r].pmid))
    far = []
    for start in starts[::10]:
        distance, frontier = {start: 0}, {start}
        for step in range(1, 5):
            frontier = {c for a in frontier for c in corpus.nodes[a].cited if c not in distance}
            distance |= {c: step for c in frontier}
        far += [(start, end) for end, d in distance.items() if d == 4 and corpus.nodes[end].pmid]
    far.sort(key=lambda pair: (-len(corpus.chains(*pair, 4)), int(corpus.nodes[pair[0]].pmid),
                               int(corpus.nodes[pair[1]].pmid)))
    assert len(far) >= 20 and len(corpus.chains(*far[0], 4)) > 2 and not corpus.unsettled
    for start, end in far[:10] + far[-10:]:
        expected = expected_path_rows(corpus, start, end, 4)
        assert max(step for _, step, _, _ in expected) == 4
        assert path_rows(graph, corpus, start, end, max_len=4) == expected, (start, end)
        assert path_rows(graph, corpus, start, end) == []  # max_len 3, the default
