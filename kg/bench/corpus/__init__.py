"""A seeded synthetic PubMed XML corpus (and an increment citing it), written record by record with flat memory.

The modules follow the data flow: ``identifiers`` (check digits, per-PMID identifiers) → ``world`` (the shared
pools) → ``kinds`` and ``popularity`` (what an article is, whom it cites) → ``records``, ``authors`` and
``references`` (its XML elements, with ``draws`` for fast seeded picks) → ``article`` (one PubmedArticle) →
``writer`` (the file, gzip, the stats).
"""

from __future__ import annotations

from kg.bench.corpus.identifiers import issn, orcid
from kg.bench.corpus.writer import CorpusStats, write_corpus, write_increment

__all__ = ["CorpusStats", "issn", "orcid", "write_corpus", "write_increment"]
