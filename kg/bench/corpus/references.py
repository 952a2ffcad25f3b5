"""The ReferenceList of one article: references to corpus articles (named as their records name them) or outside."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, NamedTuple

from kg.bench.corpus.draws import draw_int
from kg.bench.corpus.identifiers import doi_of, mix, pmcid_of

if TYPE_CHECKING:
    from kg.bench.corpus.article import Gen


class Policy(NamedTuple):
    """How references to corpus articles name them: by DOI alone, by PMID and DOI, else by PMID alone."""

    doi_only: float
    with_doi: float


class Cited(NamedTuple):
    """The pieces of a reference to an article of the corpus (cached: popular articles are cited again and again)."""

    head: str  # <Reference> with the citation text, opening the ArticleIdList
    pubmed: str
    doi: str
    pmc: str  # empty when the article is not in PMC


def reference_list(g: Gen, cited: list[int] | None) -> str:
    """The ReferenceList for ``cited`` (0 for an outside work), or nothing when the article has no list."""
    if cited is None:
        return ""
    g.references += len(cited)
    g.resolvable += sum(1 for target in cited if target)
    parts = [_cited_reference(g, target) if target else _external_reference(g) for target in cited]
    return f"<ReferenceList>{''.join(parts)}</ReferenceList>"


def cited_parts(g: Gen, pmid: int) -> Cited:
    """The pieces of a reference to corpus article ``pmid``, from facts its PMID fixes (``Gen`` caches them)."""
    hashed = mix(pmid)
    journal, year = g.world.journals[g.world.journal_of(pmid, hashed)], g.year_of(pmid)
    text = f"{journal.abbreviation}. {year};{year - journal.founded}:{(hashed >> 20) % 2000 + 1}."
    pmcid = pmcid_of(pmid, hashed)
    return Cited(f"<Reference><Citation>{text}</Citation><ArticleIdList>",
                 f'<ArticleId IdType="pubmed">{pmid}</ArticleId>',
                 f'<ArticleId IdType="doi">{doi_of(journal.prefix, pmid)}</ArticleId>',
                 f'<ArticleId IdType="pmc">{pmcid}</ArticleId>' if pmcid else "")


def _cited_reference(g: Gen, pmid: int) -> str:
    """A reference to an article of the corpus: its PMID and/or DOI (and sometimes PMCID), as the record has them."""
    parts, rng, policy = g.cited_parts(pmid), g.rng, g.policy
    roll = rng.random()
    if roll < policy.doi_only:
        return f"{parts.head}{parts.doi}</ArticleIdList></Reference>"
    ids = parts.pubmed + parts.doi if roll < policy.doi_only + policy.with_doi else parts.pubmed
    if parts.pmc and rng.random() < 0.3:
        ids += parts.pmc
    return f"{parts.head}{ids}</ArticleIdList></Reference>"


def _external_pmid(rng: random.Random, first_pmid: int) -> int:
    """A PMID below the corpus: 30% from a thousand "classics" cited again and again, the rest anywhere."""
    if rng.random() < 0.3:
        return 1 + mix(int(1000 * rng.random() ** 2)) % (first_pmid - 1)
    return draw_int(rng, 1, first_pmid - 1)


def _external_reference(g: Gen) -> str:
    """A work outside the corpus: text only (10%), PMID (50%), PMID and DOI (20%) or DOI only (20%)."""
    rng, world = g.rng, g.world
    roll = rng.random() if g.first > 1 else 0.9  # no PMID lies below PMID 1
    key = _external_pmid(rng, g.first) if 0.1 <= roll < 0.8 else draw_int(rng, 1, 999_999_999)
    journal, h = world.journals[world.journal_of(key)], mix(key ^ 0xE7)
    page = h % 1500 + 1
    text = f"{journal.abbreviation}. {1950 + h % 75};{(h >> 12) % 150 + 1}:{page}-{page + (h >> 24) % 15 + 1}."
    if roll < 0.1:
        return f"<Reference><Citation>{text}</Citation></Reference>"
    if roll < 0.8:
        ids = f'<ArticleId IdType="pubmed">{key}</ArticleId>'
        if roll >= 0.6:
            ids += f'<ArticleId IdType="doi">10.{journal.prefix}/ext.{key}</ArticleId>'
    else:
        ids = f'<ArticleId IdType="doi">10.{journal.prefix}/ext.d{key}</ArticleId>'
    return f"<Reference><Citation>{text}</Citation><ArticleIdList>{ids}</ArticleIdList></Reference>"
