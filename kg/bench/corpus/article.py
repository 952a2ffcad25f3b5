"""One PubmedArticle record: the seeded draws of one file, assembled from the element builders in order."""

from __future__ import annotations

import functools
import random

from kg.bench.corpus.authors import author_list
from kg.bench.corpus.identifiers import doi_of, pii_of
from kg.bench.corpus.kinds import DENSE, Density, has_references, pick_kind, reference_count
from kg.bench.corpus.popularity import Citations
from kg.bench.corpus.records import (abstract, article_ids, history, journal_element, keywords, language, pagination,
                                     revised, title, year_at)
from kg.bench.corpus.references import Policy, cited_parts, reference_list
from kg.bench.corpus.world import World, person_count


class Gen:
    """One file being written: the seeded draws, the shared world, whom to cite, and the running counts."""

    def __init__(self, seed: int, world: World, first_pmid: int, span: int, cites: Citations,
                 policy: Policy, density: Density = DENSE) -> None:
        self.rng, self.world, self.first, self.span = random.Random(seed), world, first_pmid, span
        self.density = density
        self.persons, self.cites, self.policy = person_count(span), cites, policy
        self.authors = self.orcids = self.references = self.resolvable = 0
        self.journals_used: set[int] = set()
        self.cited_parts = functools.lru_cache(maxsize=1 << 14)(functools.partial(cited_parts, self))

    def year_of(self, pmid: int) -> int:
        """Years follow the PMIDs of the first ``span`` articles (growing output per year); later ones are new."""
        return year_at(pmid - self.first, self.span)

    def article(self, pmid: int) -> str:
        """The record of article ``pmid``, one line of XML; the draws are taken in the order of its elements."""
        rng, world = self.rng, self.world
        index = world.journal_of(pmid)
        self.journals_used.add(index)
        journal, year, kind = world.journals[index], self.year_of(pmid), pick_kind(rng)
        doi, pii = doi_of(journal.prefix, pmid), pii_of(pmid, journal.issn, year)
        cited = (self.cites.pick(rng, pmid, reference_count(rng, kind, self.density))
                 if has_references(rng, kind, self.density) else None)
        text = "".join((
            '<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">', str(pmid), "</PMID>",
            revised(rng, year), '<Article PubModel="Print">', journal_element(rng, journal, year),
            "<ArticleTitle>", title(rng, world), "</ArticleTitle>",
            pagination(rng, doi, pii), abstract(rng, world, kind), author_list(self, kind),
            "<Language>", language(rng), "</Language>", kind.types,
            "</Article>", journal.info, keywords(rng, world), "</MedlineCitation><PubmedData>", history(rng, year),
            "<PublicationStatus>ppublish</PublicationStatus>", article_ids(pmid, doi, pii),
            reference_list(self, cited), "</PubmedData></PubmedArticle>\n"))
        self.cites.record(pmid, cited or [])
        return text
