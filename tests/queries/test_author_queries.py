"""The author queries against answers worked out in plain Python from the same records (bibliometrics.py), on
about 500 real PubMed records: every ORCID with two or more works, names shared by several agents, authors
nobody cites, ties, undated works, and statements made by two sources."""

from __future__ import annotations

from collections import defaultdict

import pytest

from bibliometrics import Corpus, h_index, year
from kg.errors import QueryError

ALL = {"limit": 1000}


@pytest.fixture(scope="module")
def kg(author_sample):
    return author_sample[0]


@pytest.fixture(scope="module")
def corpus(author_sample) -> Corpus:
    return author_sample[1]


@pytest.fixture(scope="module")
def authors(corpus) -> list[str]:
    """The author parameters tried: every ORCID with two or more works, and the names (as shown, and a few
    family names) of the authors of cited works and of the first records."""
    orcids = sorted({p.orcid for p in corpus.people.values() if p.orcid
                     and len(corpus.works(corpus.people_named(f"orcid:{p.orcid}"))) > 1})
    cited = sorted({name for root, node in corpus.nodes.items() if node.citing and node.roles
                    for held in node.roles.values() for p in held for name in corpus.people[p].names})
    families = ["Wang", "Zhang", "Li", "Müller"]
    return [f"orcid:{o}" for o in orcids] + cited[:60] + [f for f in families if corpus.people_named(f)]


def settled(corpus: Corpus, works) -> bool:
    return not corpus.touches_unsettled(set(works))


def test_the_sample_has_what_the_queries_must_handle(corpus, authors):
    works = {a: corpus.works(corpus.people_named(a)) for a in authors}
    orcids = [a for a in authors if a.startswith("orcid:")]
    assert len(orcids) >= 20 and len(authors) >= 60
    assert any(len({year(corpus.nodes[w]) is None for w in ws}) == 2 for ws in works.values())  # some undated
    assert any(not any(corpus.nodes[w].citing for w in ws) for ws in works.values())  # nobody cites them
    assert any(corpus.citations(w, self_citations=False) != corpus.nodes[w].citing
               for ws in works.values() for w in ws)  # author self-citations
    assert any(len(ws) > 1 and len({p for p, _ in ws.values()}) > 1 for ws in works.values())
    assert sum(settled(corpus, ws) for ws in works.values()) >= 0.9 * len(authors)


def test_author_publications_per_year(kg, corpus, authors):
    for author in authors:
        expected: dict[int | None, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
        for work, (position, count) in corpus.works(corpus.people_named(author)).items():
            row = expected[year(corpus.nodes[work])]
            row[0] += 1
            place = 1 if count == 1 else 2 if position == 1 else 4 if position >= count else 3
            row[place] += 1
        rows = kg.query("author-publications-per-year", author=author, **ALL).rows
        got = [(None if r[0] is None else int(r[0]), [int(v) for v in r[1:]]) for r in rows]
        assert got == sorted(expected.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)), author


def _in_ranking_order(rows) -> bool:
    """Most citations first; then the newest date (undated last); then the IRI."""
    def before(a, b) -> bool:
        if a[0] != b[0]:
            return a[0] > b[0]
        if a[1] != b[1]:
            return b[1] is None or (a[1] is not None and a[1] > b[1])
        return a[2] < b[2]
    return all(before(a, b) for a, b in zip(rows, rows[1:]))


def test_author_most_cited_works(kg, corpus, authors):
    ties = 0
    for author in authors:
        works = corpus.works(corpus.people_named(author))
        if not settled(corpus, works):
            continue
        expected = sorted((corpus.nodes[w].pmid, len(corpus.nodes[w].citing), corpus.nodes[w].max_date) for w in works)
        result = kg.query("author-most-cited-works", author=author, **ALL)
        rows = [(int(r["citations"]), None if "pub_date" not in r else str(r["pub_date"]), r["work"], r["pmid"])
                for r in result.dicts()]
        assert sorted((pmid, n, date) for n, date, _, pmid in rows) == expected, author
        assert _in_ranking_order(rows), author
        ties += any(a[0] == b[0] for a, b in zip(rows, rows[1:]))
    assert ties >= 10


def test_author_most_cited_works_pages(kg, corpus, authors):
    author = max(authors, key=lambda a: len(corpus.works(corpus.people_named(a))))
    whole = kg.query("author-most-cited-works", author=author, **ALL).column("work")
    assert len(whole) >= 6
    pages = [kg.query("author-most-cited-works", author=author, limit=2, offset=o).column("work")
             for o in range(0, len(whole), 2)]
    assert [w for page in pages for w in page] == whole


@pytest.mark.parametrize("mode", ["include", "exclude"])
def test_author_metrics(kg, corpus, authors, mode):
    cited = [a for a in authors if any(corpus.nodes[w].citing for w in corpus.works(corpus.people_named(a)))]
    for author in authors if mode == "include" else cited + [a for a in authors if a not in cited][:10]:
        works = corpus.works(corpus.people_named(author))
        if not settled(corpus, works):
            continue
        counts = [len(corpus.citations(w, self_citations=mode == "include")) for w in works]
        years = [y for y in (year(corpus.nodes[w]) for w in works) if y is not None]
        expected = {"works": len(works), "citations": sum(counts), "h_index": h_index(counts),
                    "i10_index": sum(c >= 10 for c in counts), "self_citations": mode}
        if years:
            expected |= {"first_year": min(years), "last_year": max(years)}
        assert kg.query("author-metrics", author=author, self_citations=mode).dicts() == [expected], author


def test_author_metrics_of_nobody_and_a_bad_mode(kg):
    assert kg.query("author-metrics", author="Nobody X").rows == []
    with pytest.raises(QueryError, match="self_citations"):
        kg.query("author-metrics", author="Wang", self_citations="no")


def test_citing_authors(kg, corpus, authors):
    found = 0
    for author in authors:
        works = corpus.works(corpus.people_named(author))
        if not settled(corpus, works):
            continue
        citing: dict[str, set] = defaultdict(set)
        cited: dict[str, set] = defaultdict(set)
        names: dict[str, set] = defaultdict(set)
        for work in works:
            for article in corpus.citations(work, self_citations=False):
                for held in corpus.nodes[article].roles.values():
                    for person in (corpus.people[p] for p in held):
                        for key in [f"orcid:{person.orcid}"] if person.orcid else sorted(person.names):
                            citing[key].add(article)
                            cited[key].add(work)
                            names[key] |= person.names if person.orcid else {key}
        expected = {k: (min(names[k]), len(citing[k]), len(cited[k])) for k in citing}
        rows = kg.query("citing-authors", author=author, **ALL).dicts()
        assert {r["citing_author"]: (r["name"], r["citing_articles"], r["cited_works"]) for r in rows} == expected
        keys = [(-r["citing_articles"], -r["cited_works"], r["citing_author"]) for r in rows]
        assert keys == sorted(keys) and all(("orcid" in r) == r["citing_author"].startswith("orcid:") for r in rows)
        own = corpus.people_named(author)
        assert not {f"orcid:{corpus.people[p].orcid}" for p in own} & expected.keys()  # never their own citer
        found += bool(rows)
    assert found >= 5


def test_author_journals(kg, corpus, authors):
    for author in authors:
        per_journal: dict[str, list] = defaultdict(lambda: [set(), []])
        for work in corpus.works(corpus.people_named(author)):
            for journal in corpus.nodes[work].journals:
                per_journal[journal][0].add(work)
                if year(corpus.nodes[work]) is not None:
                    per_journal[journal][1].append(year(corpus.nodes[work]))
        expected = {(corpus.abbreviation(j), min(corpus.journal_titles[j], default=None),
                     min(corpus.journal_issns[j], default=None), len(w), min(y, default=None), max(y, default=None))
                    for j, (w, y) in per_journal.items()}
        rows = kg.query("author-journals", author=author, **ALL).dicts()
        assert {(r["abbreviation"], r.get("title"), r.get("issn"), r["works"], r.get("first_year"),
                 r.get("last_year")) for r in rows} == expected, author
        assert [r["works"] for r in rows] == sorted((r["works"] for r in rows), reverse=True)


def test_an_author_without_citations(kg, corpus, authors):
    uncited = next(a for a in authors if a.startswith("orcid:")
                   and not any(corpus.nodes[w].citing for w in corpus.works(corpus.people_named(a))))
    metrics = kg.query("author-metrics", author=uncited).dicts()[0]
    assert (metrics["citations"], metrics["h_index"], metrics["i10_index"]) == (0, 0, 0) and metrics["works"] > 1
    assert kg.query("citing-authors", author=uncited).rows == []
    assert set(kg.query("author-most-cited-works", author=uncited).column("citations")) == {0}


def test_citation_counts_of_a_batch_with_self_citations(kg, corpus):
    """Every settled article of the sample with a PMID, in batches of up to 1000 identifiers."""
    roots = sorted((r for r, n in corpus.nodes.items() if n.pmid and n.roles and not corpus.touches_unsettled({r})),
                   key=lambda r: corpus.nodes[r].pmid)
    expected = {corpus.nodes[r].pmid: (len(corpus.nodes[r].citing), len(corpus.nodes[r].cited),
                                       sum(corpus.self_citation(c, r) for c in corpus.nodes[r].citing))
                for r in roots}
    got = {}
    for start in range(0, len(roots), 1000):
        batch = " ".join(f"pmid:{corpus.nodes[r].pmid}" for r in roots[start:start + 1000])
        for row in kg.query("citation-counts", articles=batch).dicts():
            got[row["pmid"]] = (row["citations"], row["references"], row["self_citations"])
    assert got == expected
    kinds = {("none" if not c else "self only" if s == c else "other only" if not s else "both")
             for c, _, s in expected.values()}
    assert kinds == {"none", "self only", "other only", "both"}
