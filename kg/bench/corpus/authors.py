"""The AuthorList of one article: pooled names that repeat, ORCID holders fixed by a person index, collectives."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from kg.bench.corpus.identifiers import mix, orcid_of
from kg.bench.corpus.kinds import Kind

if TYPE_CHECKING:
    from kg.bench.corpus.article import Gen

_AUTHOR_SIGMA, _MAX_AUTHORS = 0.7, 30  # author counts are lognormal around each kind's median, clipped at 30
_ORCID_SHARE, _COLLECTIVE_SHARE = 0.15, 0.02  # ~55% of the other authors have an affiliation (see _author)
_LETTERS = "ABCDEFGHIJKLMNOPRSTVW"


def author_list(g: Gen, kind: Kind) -> str:
    """Lognormal around the kind's median, 1-30 slots; ~15% ORCID holders; now and then a collective."""
    rng = g.rng
    count = min(_MAX_AUTHORS, max(1, int(rng.lognormvariate(math.log(kind.authors), _AUTHOR_SIGMA))))
    collective = rng.random() < _COLLECTIVE_SHARE
    if collective and count == _MAX_AUTHORS:
        count -= 1
    parts = [_person(g) if rng.random() < _ORCID_SHARE else _author(g) for _ in range(count)]
    if collective:
        name = " ".join(word.capitalize() for word in rng.choices(g.world.keywords, k=2))
        parts.append(f'<Author ValidYN="Y"><CollectiveName>{name} Study Group</CollectiveName></Author>')
    g.authors += len(parts)
    return f'<AuthorList CompleteYN="Y">{"".join(parts)}</AuthorList>'


def _author(g: Gen) -> str:
    """An author without ORCID: names drawn from the (Zipf-weighted) pools, so they repeat across articles."""
    world, bits = g.world, g.rng.getrandbits(64)  # one draw, cut in pieces: 15+15+14 bits index the pools
    middle = _LETTERS[((bits >> 51) & 63) % len(_LETTERS)] if (bits >> 44) & 127 < 45 else ""  # 45/128: ~35%
    affiliation = world.institutions[(bits >> 30) & 0x3FFF] if (bits >> 57) < 70 else None  # 70/128: ~55%
    return _author_xml(world.families[bits & 0x7FFF], world.givens[(bits >> 15) & 0x7FFF], middle, affiliation, None)


def _person(g: Gen) -> str:
    """An ORCID holder: a person (a few sign many articles) whose name and institution are fixed by the index."""
    person = int(g.persons * g.rng.random() ** 1.5)
    world, h = g.world, mix(person)
    middle = _LETTERS[h % len(_LETTERS)] if (h >> 8) % 3 == 0 else ""
    affiliation = world.institutions[(h >> 16) % len(world.institutions)] if (h >> 12) % 8 else None
    g.orcids += 1
    return _author_xml(world.families[(h >> 24) % len(world.families)], world.givens[(h >> 44) % len(world.givens)],
                       middle, affiliation, orcid_of(person))


def _author_xml(family: str, given: str, middle: str, affiliation: str | None, orcid_id: str | None) -> str:
    fore = f"{given} {middle}" if middle else given
    identifier = f'<Identifier Source="ORCID">https://orcid.org/{orcid_id}</Identifier>' if orcid_id else ""
    where = f"<AffiliationInfo><Affiliation>{affiliation}</Affiliation></AffiliationInfo>" if affiliation else ""
    return (f'<Author ValidYN="Y"><LastName>{family}</LastName><ForeName>{fore}</ForeName>'
            f"<Initials>{given[0]}{middle}</Initials>{identifier}{where}</Author>")
