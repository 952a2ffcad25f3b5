"""The author self-citation rule on the cases a real sample rarely has, in PubMed records written from kg's own
test record (tests/data/pubmed_39917195.xml): an article cited by five others whose single authors are the same
name with another ORCID, another spelling with the same ORCID, the same name with an ORCID on one side only (both
ways), and a stranger. The expected counts come from bibliometrics.py's model of the records, not from SPARQL."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from lxml import etree

from bibliometrics import Corpus
from kg.bench.corpus.identifiers import orcid
from samples import read_records

TEST_DATA = Path(__file__).resolve().parents[1] / "data"
CITED = "39917195"


ORCIDS = {name: orcid(body) for name, body in (("cited Huthwelker", 21000001), ("cited Borca", 21000002),
                                               ("citing Huthwelker", 21000009), ("citing Altamura", 21000003))}
# (PMID, family, initials, ORCID) of each citing article's one author
CITING = [("90000001", "Huthwelker", "T", ORCIDS["citing Huthwelker"]),  # same name, another ORCID: not self
          ("90000002", "Borka", "C", ORCIDS["cited Borca"]),             # same ORCID, another spelling: self
          ("90000003", "Altamura", "D", ORCIDS["citing Altamura"]),      # ORCID on the citing side only: self
          ("90000004", "Huthwelker", "T", None),                         # ORCID on the cited side only: self
          ("90000005", "Stranger", "N", None)]                           # nobody in common


def _author(family: str, initials: str, identifier: str | None) -> etree._Element:
    author = etree.Element("Author", ValidYN="Y")
    etree.SubElement(author, "LastName").text = family
    etree.SubElement(author, "Initials").text = initials
    if identifier:
        etree.SubElement(author, "Identifier", Source="ORCID").text = identifier
    return author


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    from kg import KnowledgeGraph

    folder = tmp_path_factory.mktemp("self-citations")
    tree = etree.parse(str(TEST_DATA / "pubmed_39917195.xml"))
    template = tree.getroot().find("PubmedArticle")
    for author in template.iterfind(".//AuthorList/Author"):
        key = f"cited {author.findtext('LastName')}"
        if key in ORCIDS:
            etree.SubElement(author, "Identifier", Source="ORCID").text = ORCIDS[key]
    for pmid, family, initials, identifier in CITING:
        article = copy.deepcopy(template)
        article.find("MedlineCitation/PMID").text = pmid
        authors = article.find("MedlineCitation/Article/AuthorList")
        authors[:] = [_author(family, initials, identifier)]
        for location in article.iterfind("MedlineCitation/Article/ELocationID"):
            location.getparent().remove(location)  # the copies share no DOI with the cited article
        ids = article.find("PubmedData/ArticleIdList")
        ids[:] = [ids[0]]
        ids[0].text = pmid
        references = article.find("PubmedData/ReferenceList")
        references[:] = [references[0]]
        references[0].find("ArticleIdList/ArticleId").text = CITED
        tree.getroot().append(article)
    path = folder / "self-citations.xml"
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    with KnowledgeGraph(folder / "store") as kg:
        report = kg.load([path])
        assert not report.failed, report.render()
        yield kg, Corpus(read_records([path]))


def test_the_model_sees_three_self_citations_among_five(sample):
    _, corpus = sample
    cited = corpus.node_of_pmid(CITED)
    self_citing = {corpus.nodes[c].pmid for c in corpus.nodes[cited].citing if corpus.self_citation(c, cited)}
    assert len(corpus.nodes[cited].citing) == 5 and self_citing == {"90000002", "90000003", "90000004"}


def test_citation_counts_applies_the_rule(sample):
    kg, corpus = sample
    cited = corpus.node_of_pmid(CITED)
    expected = sum(corpus.self_citation(c, cited) for c in corpus.nodes[cited].citing)
    [row] = kg.query("citation-counts", articles=f"pmid:{CITED}").dicts()
    assert (row["citations"], row["self_citations"]) == (len(corpus.nodes[cited].citing), expected)


@pytest.mark.parametrize(("author", "works"), [(f"orcid:{ORCIDS['cited Huthwelker']}", 1),
                                              (f"orcid:{ORCIDS['cited Borca']}", 2),  # and Borka C's article
                                              ("Altamura D", 2)])  # the name on two agents' articles
def test_author_metrics_leaves_out_the_same_self_citations(sample, author, works):
    kg, corpus = sample
    mine = corpus.works(corpus.people_named(author))
    others = sum(len(corpus.citations(w, self_citations=False)) for w in mine)
    everyone = sum(len(corpus.nodes[w].citing) for w in mine)
    assert (len(mine), others, everyone) == (works, 2, 5)
    for rule, expected in (("exclude", others), ("include", everyone)):
        [row] = kg.query("author-metrics", author=author, self_citations=rule).dicts()
        assert (row["works"], row["citations"]) == (works, expected)
