"""The vocabulary exists in the ontologies; IRIs are deterministic and safe; the mapper refuses what must not
appear (self-citations); time spans are computed at the precision both dates share."""


import pyoxigraph
import pytest
import rdflib

from kg.errors import MappingError
from kg.mapping import vocab
from kg.mapping.iris import Minter, article_key, name_key
from kg.mapping.mapper import Mapper
from kg.mapping.terms import Lit, timespan
from kg.ontology import profile
from kg.records import Article, Author, Citation, Identifier, PartialDate, Reference, Scheme

@pytest.fixture(scope="module")
def declared_terms() -> set[str]:
    """What the application profile (and kg.ttl) declares; tests/ontology checks the profile against the
    published ontologies, and the real graphs' terms against the profile."""
    return profile.declared_terms()


def _kg_namespaces():
    for name in vocab.__all__:
        ns = getattr(vocab, name)
        if isinstance(ns, type) and issubclass(ns, rdflib.namespace.DefinedNamespace) and ns.__module__ == vocab.__name__:
            yield ns


def test_every_term_of_kgs_vocabulary_is_declared_in_the_profile(declared_terms):
    terms = {str(ns[t]) for ns in _kg_namespaces() for t in ns.__annotations__}
    assert len(terms) > 50
    assert sorted(terms - declared_terms) == []


def test_misspelt_term_raises():
    with pytest.raises(AttributeError):
        vocab.FABIO.JournalArticel  # noqa: B018


def test_iris_are_deterministic_and_escaped():
    m = Minter("https://example.org/kg/")
    hostile = Identifier(Scheme.DOI, '10.1000/a<b>"c{d} e')
    iri = m.article((hostile,))
    pyoxigraph.NamedNode(iri)  # a valid IRI despite the characters in the DOI
    assert iri == m.article((hostile,)) and " " not in iri
    both = (Identifier(Scheme.DOI, "10.1000/x"), Identifier(Scheme.PMID, "42"))
    assert article_key(both) == "pmid/42"  # PMID first, whatever the order given
    with pytest.raises(MappingError):
        Minter("not an iri")


def test_self_citation_is_reported_not_stored():
    m = Minter()
    ids = (Identifier(Scheme.PMID, "7"),)
    out = Mapper(m, m.source_graph("s")).map(Citation(citing=ids, cited=ids, record_id="entry 1"))
    assert out.triples == [] and out.citations == 0 and "same article" in out.problems[0]
    article = Article(identifiers=ids, references=(Reference(identifiers=ids, text="itself"),), record_id="PMID 7")
    out = Mapper(m, m.source_graph("s")).map(article)
    assert not any(p.endswith("/cites") for _, p, _ in out.triples) and "itself" in out.problems[0]


def test_authors_are_a_chain_with_positions():
    m = Minter()
    article = Article(identifiers=(Identifier(Scheme.PMID, "7"),),
                      authors=(Author(family="De Caro", initials="L"), Author(name="The Consortium")))
    triples = Mapper(m, m.source_graph("s")).map(article).triples
    positions = sorted(o.value for _, p, o in triples if p.endswith("authorPosition"))
    nexts = [(s, o) for s, p, o in triples if p == str(vocab.OCO.hasNext)]
    assert positions == ["1", "2"] and len(nexts) == 1 and nexts[0][0].endswith("/1-de-caro-l")
    names = {o.value for _, p, o in triples if p == str(vocab.FOAF.name)}
    assert names == {"De Caro L", "The Consortium"}
    keys = {o.value for _, p, o in triples if p == str(vocab.KGV.nameKey)}
    assert keys == {"de caro l", "the consortium"}


@pytest.mark.parametrize(("author", "key"), [
    (Author(family="De Caro", initials="L"), "de caro l"),
    (Author(family="de Caro", given="Liberato"), "de caro l"),
    (Author(family="DE  CARO", initials="L."), "de caro l"),
    (Author(family="Müller", given="Émile"), "muller e"),
    (Author(family="Skalny"), "skalny"),
    (Author(name="UCC-SMART-Studygroup"), "ucc-smart-studygroup"),
    (Author(), None),
])
def test_name_key_folds_case_accents_and_given_names_to_an_initial(author, key):
    assert name_key(author) == key


@pytest.mark.parametrize(("cited", "citing", "expected"), [
    (PartialDate(2011, 9, 22), PartialDate(2025), "P14Y"),
    (PartialDate(2011, 9, 22), PartialDate(2025, 2, 7), "P13Y4M16D"),
    (PartialDate(2012, 1, 31), PartialDate(2012, 3, 1), "P1M1D"),
    (PartialDate(2011, 9), PartialDate(2011, 3, 5), "-P6M"),
    (PartialDate(2020, 5, 5), PartialDate(2020, 5, 5), "PT0S"),
])
def test_timespan(cited, citing, expected):
    assert timespan(cited, citing) == Lit(expected, "http://www.w3.org/2001/XMLSchema#duration")


def test_a_citation_keeps_what_its_source_states():
    """An OpenCitations row's creation date is its citing article's publication date, its time span stays the
    source's statement; the citation's creation date is worked out later from the articles' dates."""
    m = Minter()
    citation = Citation(citing=(Identifier(Scheme.DOI, "10.1000/a"),), cited=(Identifier(Scheme.DOI, "10.1000/b"),),
                        cited_date=PartialDate(2010), creation=PartialDate(2019, 5), timespan="P1Y2M",
                        author_self_citation=True, journal_self_citation=False, record_id="row 2")
    triples = Mapper(m, m.source_graph("s")).map(citation).triples
    values = {(p.rsplit("/", 1)[-1], o.value if isinstance(o, Lit) else o.rsplit("/", 1)[-1]) for _, p, o in triples
              if "/ci/" in _}
    dates = {(s.rsplit("/", 1)[-1], o.value) for s, p, o in triples if p.endswith("publicationDate")}
    assert dates == {("10.1000%2Fa", "2019-05"), ("10.1000%2Fb", "2010")}
    assert ("hasCitationTimeSpan", "P1Y2M") in values and not any(p == "hasCitationCreationDate" for p, _ in values)
    assert ("22-rdf-syntax-ns#type", "AuthorSelfCitation") in values
    assert ("22-rdf-syntax-ns#type", "JournalSelfCitation") not in values


@pytest.mark.parametrize("types", [("Journal Article", "Review"), ("Review", "Journal Article"),
                                   ("Review", "Case Reports", "Journal Article"), ("Case Reports", "Review")])
def test_the_most_specific_type_wins_whatever_the_order(types):
    m = Minter()
    article = Article(identifiers=(Identifier(Scheme.PMID, "1"),), publication_types=types)
    kinds = {o for s, p, o in Mapper(m, m.source_graph("s")).map(article).triples if p.endswith("#type") and "/br/" in s}
    assert kinds == {"http://purl.org/spar/fabio/Expression", "http://purl.org/spar/fabio/ReviewArticle"}


def test_affiliations_that_differ_by_a_comma_are_two_organisations():
    """Each author keeps exactly the affiliation its source states: no author shows another's."""
    m = Minter()
    first = Author(family="Ruiz", given="Ana", affiliations=("Dept of Biology, Univ of Oviedo, Spain",))
    second = Author(family="Sanz", given="Eva", affiliations=("Dept of Biology, Univ of Oviedo Spain",))
    triples = Mapper(m, m.source_graph("s")).map(Article(identifiers=(Identifier(Scheme.PMID, "1"),),
                                                          authors=(first, second))).triples
    held = {}
    for s, p, o in triples:
        if p.endswith("relatesToOrganization"):
            held.setdefault(s.rsplit("/", 1)[1], set()).add(o)
    names = {s: o.value for s, p, o in triples if p.endswith("foaf/0.1/name") and "/org/" in s}
    assert {k: {names[o] for o in v} for k, v in held.items()} == {
        "1-ruiz-a": {"Dept of Biology, Univ of Oviedo, Spain"}, "2-sanz-e": {"Dept of Biology, Univ of Oviedo Spain"}}
