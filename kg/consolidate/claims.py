"""The rule of identity on plain identifiers (no store): which records' claims name one article.

A claim is the set of identifiers one record (or one mention of an article: a reference, a citing entry) gives
one article. Claims that share an identifier name one article, transitively, with one exception: a PMID or a
PMCID names exactly one record, so two claims holding different PMIDs (or different PMCIDs) are never one
article, whatever else they share. PubMed itself gives some distinct articles one DOI (PMIDs 420122 and 420123
of the 2020 baseline file). Such an identifier is a conflict: it joins nothing, and a claim that gives only that
identifier stays an article of its own rather than picking one of them.

Joins are tried in a fixed order (PMIDs, then PMCIDs, then DOIs, each by value), so the result depends only on
the set of claims, never on the order the sources came in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from kg.mapping.iris import ARTICLE_KEY_ORDER
from kg.records import Identifier, Scheme

Claim = frozenset[Identifier]


def rank(ident: Identifier) -> tuple[int, int, str]:
    """PMID before PMCID before DOI; the smallest value first (numerically for PMIDs)."""
    return ARTICLE_KEY_ORDER.index(ident.scheme), len(ident.value), ident.value


@dataclass(slots=True)
class Resolution:
    """Each claim's article, named by the best identifier of its group, and the identifiers in conflict."""

    article: dict[Claim, Identifier] = field(default_factory=dict)
    conflicts: set[Identifier] = field(default_factory=set)


class _Groups:
    """Union-find over claim numbers, keeping each group's PMIDs and PMCIDs."""

    def __init__(self, claims: list[Claim]) -> None:
        self.parent = list(range(len(claims)))
        self.single = [{s: {i.value for i in c if i.scheme is s} for s in (Scheme.PMID, Scheme.PMCID)}
                       for c in claims]

    def find(self, item: int) -> int:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def joinable(self, roots: set[int]) -> bool:
        """Whether the groups together hold at most one PMID and at most one PMCID."""
        return all(len(set().union(*(self.single[r][s] for r in roots))) <= 1 for s in (Scheme.PMID, Scheme.PMCID))

    def join(self, roots: set[int]) -> None:
        first, *others = sorted(roots)
        for other in others:
            self.parent[other] = first
            for scheme, values in self.single[other].items():
                self.single[first][scheme] |= values


def resolve(claims: Iterable[Claim]) -> Resolution:
    """Groups the claims by the rule above."""
    ordered = sorted(set(claims), key=lambda c: sorted(map(rank, c)))
    groups = _Groups(ordered)
    holders: dict[Identifier, list[int]] = {}
    for number, claim in enumerate(ordered):
        for ident in claim:
            holders.setdefault(ident, []).append(number)
    result = Resolution()
    for ident in sorted(holders, key=rank):
        roots = {groups.find(n) for n in holders[ident]}
        if len(roots) < 2:
            continue
        if ident.scheme is Scheme.PMID or groups.joinable(roots):  # one PMID is one record, whatever else it holds
            groups.join(roots)
        else:
            result.conflicts.add(ident)
    members: dict[int, set[Identifier]] = {}
    for number, claim in enumerate(ordered):
        members.setdefault(groups.find(number), set()).update(claim)
    for number, claim in enumerate(ordered):
        result.article[claim] = min(members[groups.find(number)], key=rank)
    return result
