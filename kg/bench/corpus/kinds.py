"""The kinds of article (research, review, case report, trial, letter, editorial): how common, and their shape."""

from __future__ import annotations

import math
import random
from typing import NamedTuple

_REFERENCE_MU, _REFERENCE_SIGMA = math.log(16.0), 0.65  # reference list length before the 5..60 clip


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


def reference_count(rng: random.Random, kind: Kind) -> int:
    """How many references a list of this kind holds: lognormal, scaled by the kind, clipped to 5..60."""
    return min(60, max(5, int(rng.lognormvariate(_REFERENCE_MU, _REFERENCE_SIGMA) * kind.reference_scale)))
