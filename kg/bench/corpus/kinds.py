"""The kinds of article (research, review, case report, trial, letter, editorial): how common, and their shape."""

from __future__ import annotations

import math
import random
from typing import NamedTuple

_REFERENCE_SIGMA = 0.65  # the spread of reference list lengths (lognormal)


class Density(NamedTuple):
    """How many articles have a reference list, and how long the lists are."""

    share: float  # multiplies each kind's chance of a reference list
    median: float  # the typical list length, before each kind's scale
    shortest: int
    longest: int


# The dense corpus: about 61 % of articles with a list, 12.5 references an article; a graph that is mostly
# citations, to load-test the citation machinery.
DENSE = Density(1.0, 16.0, 5, 60)
# PubMed as a whole, as measured in ../shared/data: the 2020 baseline file (older records) has a reference list in
# 10.7 % of its 30,000 records (15.2 references a list), the 2021 update file (recent ones) in 45.8 % of 4,000
# (41.9 a list). Their midpoint: 28 % of articles (0.46 of the dense share) with lists of ~25 (median 20).
PUBMED = Density(0.46, 20.0, 1, 200)
DENSITIES = {"dense": DENSE, "pubmed": PUBMED}


class Kind(NamedTuple):
    """One kind of article: its share of the corpus, its publication types and its typical parts."""

    share: float
    types: str  # the PublicationTypeList element
    abstract: float  # chance of an abstract
    references: float  # chance of a reference list
    reference_scale: float  # multiplies the typical reference list length
    authors: float  # median author count


def _types(*names: tuple[str, str]) -> str:
    items = "".join(f'<PublicationType UI="{ui}">{name}</PublicationType>' for ui, name in names)
    return f"<PublicationTypeList>{items}</PublicationTypeList>"


_ARTICLE = ("D016428", "Journal Article")
_KINDS = (
    Kind(0.70, _types(_ARTICLE), 0.93, 0.62, 1.0, 6.0),
    Kind(0.10, _types(_ARTICLE, ("D016454", "Review")), 0.95, 0.85, 2.2, 4.0),
    Kind(0.06, _types(_ARTICLE, ("D002363", "Case Reports")), 0.85, 0.55, 0.7, 5.0),
    Kind(0.04, _types(_ARTICLE, ("D016449", "Randomized Controlled Trial")), 1.0, 0.7, 1.0, 9.0),
    Kind(0.05, _types(("D016422", "Letter")), 0.10, 0.35, 0.3, 2.0),
    Kind(0.05, _types(("D016421", "Editorial")), 0.05, 0.30, 0.4, 1.3),
)


def pick_kind(rng: random.Random) -> Kind:
    """A kind, drawn by its share."""
    roll = rng.random()
    for kind in _KINDS:
        roll -= kind.share
        if roll < 0:
            return kind
    return _KINDS[0]


def has_references(rng: random.Random, kind: Kind, density: Density) -> bool:
    """Whether an article of this kind has a reference list."""
    return rng.random() < kind.references * density.share


def reference_count(rng: random.Random, kind: Kind, density: Density) -> int:
    """How many references a list of this kind holds: lognormal, scaled by the kind, clipped to the density's
    range."""
    drawn = int(rng.lognormvariate(math.log(density.median), _REFERENCE_SIGMA) * kind.reference_scale)
    return min(density.longest, max(density.shortest, drawn))
