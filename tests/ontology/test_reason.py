"""Reasoning with owlready2's HermiT: the profile is consistent, real samples are judged (and a sample typed
against the profile is caught and explained in words); kg infer writes what the profile entails into its own
graph, changes no canned query's rows, and kg unload inferred drops it."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDF

from kg import KnowledgeGraph
from kg.ontology import reason, sample
from kg.ontology.infer import infer, inferred_graph
from kg.queries import ParamType

FABIO = rdflib.Namespace("http://purl.org/spar/fabio/")
# FaBiO's classes of works (frbr:Work, disjoint with expressions), which kg's article nodes never carry.
WORK_KINDS = {FABIO[k] for k in ("CaseReport", "ClinicalTrialReport", "Erratum", "Biography", "Retraction",
                                 "BookReview")}


@pytest.fixture(scope="module")
def real(tmp_path_factory, shared: Path, seed_page: Path):
    """A store of real records of several kinds: the seed page, PubMed with references and ORCIDs, Crossref,
    OpenCitations, JATS."""
    data = shared / "data"
    with KnowledgeGraph(tmp_path_factory.mktemp("reason") / "store") as kg:
        report = kg.load([seed_page, Path(__file__).parents[1] / "data" / "pubmed_39917195.xml",
                          data / "pubmed_xml" / "biopython__pubmed7.xml", data / "pubmed_xml" / "pmparser__pubmed26n1334.xml.gz",
                          data / "crossref_json" / "oc_index__crossref_dump.json",
                          data / "opencitations_csv" / "oc_index__citations_data_coci.csv",
                          data / "jats_xml" / "jcore__PMC6949206.xml"])
        assert not report.failed, report.render()
        yield kg


def _abox(kg: KnowledgeGraph, articles: int, *, seed: int = 0) -> rdflib.Graph:
    chosen = sample.draw(kg.store, kg.minter, articles, seed=seed)
    return sample.neighbourhood(kg.store, chosen).triples()


def test_the_profile_is_consistent():
    verdict = reason.check()
    assert verdict.consistent and verdict.triples > 800, verdict.render()


def test_real_samples_are_consistent(real):
    """No article carries one of FaBiO's work classes (disjoint with the expressions an article node is)."""
    for seed in (0, 1):
        abox = _abox(real, 80, seed=seed)
        assert 1500 < len(abox) < 20000
        assert not {o for o in abox.objects(None, RDF.type) if o in WORK_KINDS}
        verdict = reason.check(abox)
        assert verdict.consistent, verdict.render()


def test_an_article_typed_a_journal_is_caught_and_explained(real):
    abox = _abox(real, 10)
    article = next(s for s, o in abox.subject_objects(RDF.type) if o == FABIO.JournalArticle)
    abox.add((article, RDF.type, FABIO.Journal))
    verdict = reason.check(abox)
    assert not verdict.consistent
    words = verdict.render()
    assert str(article) in words
    assert "fabio:JournalArticle ⊑ fabio:Article" in words and "fabio:Journal ⊑ fabio:Periodical" in words
    assert "the profile declares fabio:Article and fabio:Periodical disjoint" in words


def _parameter_sets(kg: KnowledgeGraph) -> dict[ParamType, list[str]]:
    def values(pattern: str) -> list[str]:
        return [str(r[0]) for r in kg.sparql(f"SELECT DISTINCT ?v WHERE {{ {pattern} }} ORDER BY ?v LIMIT 4").rows]
    cited = values("?a <http://purl.org/spar/cito/cites> ?b . ?b <http://purl.org/spar/fabio/hasPubMedId> ?p "
                   "BIND(CONCAT('pmid:', ?p) AS ?v)")
    citing = values("?a <http://purl.org/spar/cito/cites> ?b . ?a <http://purl.org/spar/fabio/hasPubMedId> ?p "
                    "BIND(CONCAT('pmid:', ?p) AS ?v)")
    orcids = values("?i <http://purl.org/spar/datacite/usesIdentifierScheme> <http://purl.org/spar/datacite/orcid> ; "
                    "<http://www.essepuntato.it/2010/06/literalreification/hasLiteralValue> ?o BIND(CONCAT('orcid:', ?o) AS ?v)")
    issns = values("?j a <http://purl.org/spar/fabio/Journal> ; <http://purl.org/spar/datacite/hasIdentifier>/"
                   "<http://www.essepuntato.it/2010/06/literalreification/hasLiteralValue> ?i BIND(CONCAT('issn:', ?i) AS ?v)")
    return {ParamType.IDENTIFIER: cited + citing, ParamType.IDENTIFIERS: [" ".join(cited + citing)],
            ParamType.AUTHOR: orcids + ["Corsi F"], ParamType.JOURNAL: issns}


def _answers(kg: KnowledgeGraph, sets: dict[ParamType, list[str]]) -> dict[tuple, list]:
    answers = {}
    for name, query in sorted(kg.queries.items()):
        needed = [p for p in query.params if p.default is None and p.type in sets]
        alternatives = [p for p in needed if p.alternative] or [None]
        for chosen in alternatives:
            fixed = [p for p in needed if not p.alternative or p is chosen]
            runs = max((len(sets[p.type]) for p in fixed), default=1)
            for i in range(runs):
                params = {p.name: sets[p.type][i % len(sets[p.type])] for p in fixed}
                answers[(name, tuple(sorted(params.items())))] = kg.query(name, **params).rows
    return answers


def test_infer_changes_no_canned_query_and_unload_drops_it(real):
    sets = _parameter_sets(real)
    assert all(sets.values())
    before = _answers(real, sets)
    assert sum(1 for rows in before.values() if rows) > 40  # the queries answer something here
    written = infer(real.store, real.minter)
    assert written > 1000
    graph = inferred_graph(real.minter)
    ask = real.sparql  # the entailments users query for are there
    assert ask(f"ASK {{ GRAPH <{graph}> {{ ?b <http://purl.org/spar/cito/isCitedBy> ?a }} }}").boolean
    assert ask(f"ASK {{ GRAPH <{graph}> {{ ?a a <http://purl.org/spar/fabio/Article> }} }}").boolean
    assert ask(f"ASK {{ GRAPH <{graph}> {{ ?a <http://purl.org/dc/terms/identifier> ?v }} }}").boolean
    assert not ask(f"ASK {{ GRAPH <{graph}> {{ ?a a <http://purl.org/spar/fabio/Expression> }} }}").boolean  # stated
    after = _answers(real, sets)
    assert after == before
    assert real.unload("inferred") == written
    assert graph not in real.store.graphs()


def test_infer_on_a_sample_writes_only_what_the_sample_reaches(real):
    written = infer(real.store, real.minter, sample_size=5)
    whole = infer(real.store, real.minter)
    assert 0 < written < whole
    real.unload("inferred")
