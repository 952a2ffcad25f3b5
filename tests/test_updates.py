"""PubMed update files: a later NLM file's record replaces an earlier one's and <DeleteCitation> withdraws
records, whatever order the files are loaded in. The baseline is a real NLM file; the update is made in the
test from two of its records (one revised, one deleted)."""

import gzip
import re
from pathlib import Path

import pytest

from kg import KnowledgeGraph

PROV = "https://kg.example.org/graph/provenance"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


@pytest.fixture(scope="module")
def baseline(pubmed_dir: Path) -> Path:
    return pubmed_dir / "pmparser__pubmed26n1334.xml.gz"


def _records(text: str) -> dict[str, str]:
    return {re.search(r"<PMID[^>]*>(\d+)</PMID>", r)[1]: r
            for r in re.findall(r"<PubmedArticle>.*?</PubmedArticle>", text, re.S)}


@pytest.fixture(scope="module")
def files(baseline: Path, tmp_path_factory) -> dict[str, object]:
    """The update (pubmed26n1340.xml): a revised record of ``revised`` and a DeleteCitation of ``deleted``,
    two records of the baseline that no other record of it cites; and the baseline without both, for a
    clean load to compare with."""
    text = gzip.decompress(baseline.read_bytes()).decode("utf-8")
    records = _records(text)
    cited = set(re.findall(r'<ArticleId IdType="pubmed">(\d+)</ArticleId>', "".join(
        re.findall(r"<ReferenceList>.*?</ReferenceList>", text, re.S))))
    revised, deleted = [p for p in records if p not in cited][:2]
    folder = tmp_path_factory.mktemp("nlm")
    new_title = "A revised title, as a later NLM update file gives it."
    update_record = re.sub(r"<ArticleTitle>.*?</ArticleTitle>", f"<ArticleTitle>{new_title}</ArticleTitle>",
                           records[revised], count=1, flags=re.S)
    update = folder / "pubmed26n1340.xml"
    update.write_text(f'<?xml version="1.0" encoding="UTF-8"?>\n<PubmedArticleSet>\n{update_record}\n'
                      f'<DeleteCitation>\n<PMID Version="1">{deleted}</PMID>\n</DeleteCitation>\n'
                      f'</PubmedArticleSet>\n', encoding="utf-8")
    trimmed = folder / "clean" / baseline.name
    trimmed.parent.mkdir()
    trimmed.write_bytes(gzip.compress(text.replace(records[revised], "").replace(records[deleted], "").encode()))
    return {"revised": revised, "deleted": deleted, "title": new_title, "update": update, "trimmed": trimmed}


def quads(kg: KnowledgeGraph) -> set[tuple]:
    """Every statement but the provenance, with each source graph named by its file name (also where it is a
    subject: the derived graph's "counted" marks)."""
    labels = {str(g): str(label) for g, label in kg.sparql(
        f"SELECT ?g ?l WHERE {{ GRAPH <{PROV}> {{ ?g <{LABEL}> ?l }} }}").rows}
    return {(labels.get(str(g), str(g)), labels.get(str(s), str(s)), str(p), str(o)) for g, s, p, o in kg.sparql(
        f"SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{PROV}>) }}").rows}


@pytest.mark.parametrize("update_first", [False, True])
def test_an_update_file_replaces_and_deletes_records_in_any_order(tmp_path, baseline, files, update_first,
                                                                  counts_are_fresh):
    order = [files["update"], baseline] if update_first else [baseline, files["update"]]
    with KnowledgeGraph(tmp_path / "store") as kg:
        for path in order:
            report = kg.load(path)
            assert not report.failed, report.render()
            counts_are_fresh(kg)
        notes = report.sources[0].problems
        assert any(f"PMID {files['deleted']}: deleted by pubmed26n1340.xml" in n for n in notes), notes
        assert any(f"PMID {files['revised']}: replaced by the record in pubmed26n1340.xml" in n for n in notes), notes
        [row] = kg.query("article-metadata", article=f"pmid:{files['revised']}").dicts()
        assert row["title"] == files["title"]
        assert kg.query("article-metadata", article=f"pmid:{files['deleted']}").dicts() == []
        with KnowledgeGraph(tmp_path / "clean") as clean:
            clean.load(files["trimmed"])
            clean.load(files["update"])
            assert quads(kg) == quads(clean)
        kg.unload(files["update"])  # the baseline's own records come back
        counts_are_fresh(kg)
        with KnowledgeGraph(tmp_path / "baseline-only") as alone:
            alone.load(baseline)
            assert quads(kg) == quads(alone)


def test_deletions_of_records_not_loaded_change_nothing(tmp_path, pubmed_dir, counts_are_fresh):
    with KnowledgeGraph(tmp_path / "store") as kg:
        kg.load(pubmed_dir / "pmparser__pubmed20n1015.xml.gz")
        before = {q for q in quads(kg) if q[0] == "pmparser__pubmed20n1015.xml.gz"}
        assert len(before) > 1000
        report = kg.load(pubmed_dir / "pmparser__pubmed20n1016.xml.gz")  # deletes 262 PMIDs, none of 1015's
        assert not report.failed and not [n for n in report.sources[0].problems if "withdrawn" in n]
        counts_are_fresh(kg)
        [[deletions]] = kg.sparql("SELECT (COUNT(*) AS ?n) WHERE { ?g <https://w3id.org/kg-loader/ns#deletesRecordsOf> "
                                  "?i }").rows
        assert int(deletions) == 262
        assert {q for q in quads(kg) if q[0] == "pmparser__pubmed20n1015.xml.gz"} == before
