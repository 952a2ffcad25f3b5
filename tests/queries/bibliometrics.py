"""What the author and journal queries must answer, worked out in plain Python from the records the readers
produce: no SPARQL and no store. Identity follows MAPPING.md, not kg's code: records and references naming a
common PMID, PMCID or DOI are one article, except that two holding different PMIDs (or PMCIDs) never are, and an
identifier that would join them joins nothing (a conflict); an ORCID is one person across articles; an author
without one is one person per article and position."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote

from kg.records import Article, Author, Citation, Identifier, Scheme

ARTICLE_SCHEMES = (Scheme.PMID, Scheme.PMCID, Scheme.DOI)  # also the order kg keys an article's node by


def fold(text: str) -> str:
    """Case and accents folded, spaces collapsed."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def name_key(author: Author) -> str:
    """Family name, first initial and suffix ("Wise JP Sr" is not "Wise JP"), or the whole name of a collective,
    folded."""
    if author.family:
        return fold(f"{author.family} {(author.given or author.initials or '')[:1]} {(author.suffix or '').rstrip('.')}")
    return fold(author.display_name)


def shown_name(author: Author) -> str:
    """The name as the graph gives it, PubMed's "Family Initials" whatever the source (initials from the given name
    where the source gives none), which the author parameter matches."""
    if author.name:
        return author.name
    parts = [part for part in re.split(r"[\s.\-\u2010]+", author.given or "") if part and part[0].isalpha()]
    initials = author.initials or "".join(part[0].upper() for part in ([p for p in parts if p[0].isupper()] or parts))
    if author.family and initials:
        return " ".join(p for p in (author.family, initials, author.suffix) if p)
    return author.display_name


def year(node: Node) -> int | None:
    """An article's year: the earliest its dates state."""
    return min((d.year for d in node.dates), default=None)


@dataclass
class Person:
    """One agent: an ORCID, or one author entry (article, position)."""

    orcid: str | None = None
    names: set[str] = field(default_factory=set)
    families: set[str] = field(default_factory=set)
    keys: set[str] = field(default_factory=set)


@dataclass
class Node:
    """One article as the graph must hold it, from every record and reference that names it."""

    ids: set[tuple[Scheme, str]] = field(default_factory=set)
    dates: list = field(default_factory=list)
    journals: set[str] = field(default_factory=set)  # NLM abbreviations (MedlineTA), the journal's key here
    roles: dict[tuple[int, str], set[object]] = field(default_factory=lambda: defaultdict(set))  # → person ids
    citing: set[object] = field(default_factory=set)  # node ids of the articles citing it
    cited: set[object] = field(default_factory=set)

    @property
    def pmid(self) -> str | None:
        return min((v for s, v in self.ids if s is Scheme.PMID), default=None)

    @property
    def max_date(self) -> str | None:
        """The latest date as text (what the rankings break ties by)."""
        return max((d.isoformat() for d in self.dates), default=None)


class Corpus:
    """The articles, people, journals and citations that a set of records describes."""

    def __init__(self, records: list[Article | Citation]) -> None:
        mentions = [ids for r in records for ids in _mentions(r)]
        self._root_of_claim = _group(mentions)
        self._roots_of_id: dict[tuple[Scheme, str], set[object]] = defaultdict(set)
        self.nodes: dict[object, Node] = defaultdict(Node)
        keys_of: dict[object, set[tuple[Scheme, str]]] = defaultdict(set)
        for ids in mentions:
            root = self._root_of_claim[frozenset(ids)]
            self.nodes[root].ids.update(ids)
            for key in ids:
                self._roots_of_id[key].add(root)
            keys_of[root].add(next(i for s in ARTICLE_SCHEMES for i in ids if i[0] is s))
        # Articles that kg's graph holds today as more than one node (named by one identifier here, by another
        # there): their citations depend on the node merging that is being changed, so tests leave them out.
        self.unsettled = {root for root, keys in keys_of.items() if len(keys) > 1}
        self.conflicts = {key for key, roots in self._roots_of_id.items() if len(roots) > 1}
        self.people: dict[object, Person] = defaultdict(Person)
        self.roles_of: dict[object, set[tuple[object, int]]] = defaultdict(set)  # person → (node, position)
        self.journal_abbreviations: dict[str, set[str]] = defaultdict(set)
        self.journal_titles: dict[str, set[str]] = defaultdict(set)
        self.journal_issns: dict[str, set[str]] = defaultdict(set)
        for record in records:
            if isinstance(record, Article):
                self._article(record)
            else:
                self._link(_ids(record.citing), _ids(record.cited))

    # -- identity -------------------------------------------------------------------------------------------
    def _find(self, key: tuple[Scheme, str]) -> object:
        """The article one identifier names; for an identifier in conflict, the article it alone names (a stub)."""
        roots = self._roots_of_id.get(key, set())
        if len(roots) == 1:
            return next(iter(roots))
        return self._root_of_claim.get(frozenset([key]), key)

    def node_of_pmid(self, pmid: str) -> object:
        return self._find((Scheme.PMID, pmid))

    def node_of(self, identifiers: tuple[Identifier, ...]) -> object | None:
        ids = _ids(identifiers)
        if not ids:
            return None
        return self._root_of_claim.get(frozenset(ids)) or self._find(ids[0])

    def node_of_iri(self, iri: str) -> object:
        """The article an IRI names: MAPPING.md derives it from an identifier (``.../br/pmid/123``)."""
        scheme, value = iri.rsplit("/", 2)[1:]
        key = (Scheme(scheme), unquote(value))
        return key if key in self.nodes else self._find(key)

    # -- records --------------------------------------------------------------------------------------------
    def _article(self, a: Article) -> None:
        root = self.node_of(a.identifiers)
        if root is None:
            return
        node = self.nodes[root]
        if a.date:
            node.dates.append(a.date)
        if a.journal and (a.journal.nlm_abbreviation or a.journal.iso_abbreviation):
            key = a.journal.nlm_abbreviation or a.journal.iso_abbreviation
            node.journals.add(key)
            j = a.journal
            self.journal_abbreviations[key].update({j.nlm_abbreviation, j.iso_abbreviation} - {None})
            self.journal_titles[key].update({j.title} - {None})
            self.journal_issns[key].update({j.issn_linking, j.issn_print, j.issn_electronic} - {None})
        for position, author in enumerate(a.authors, 1):
            person_id = ("orcid", author.orcid) if author.orcid else ("entry", root, position, name_key(author))
            node.roles[(position, name_key(author))].add(person_id)
            self.roles_of[person_id].add((root, position))
            person = self.people[person_id]
            person.orcid = author.orcid
            person.names.add(shown_name(author))
            person.families.update({author.family} - {None})
            person.keys.add(name_key(author))
        for reference in a.references:
            self._link(_ids(a.identifiers), _ids(reference.identifiers))

    def _link(self, citing: list, cited: list) -> None:
        if not citing or not cited:
            return
        a, b = self._root_of_claim[frozenset(citing)], self._root_of_claim[frozenset(cited)]
        if a != b:  # an article citing itself is not stored
            self.nodes[b].citing.add(a)
            self.nodes[a].cited.add(b)

    # -- people ---------------------------------------------------------------------------------------------
    def people_named(self, value: str) -> set[object]:
        """The people an author parameter names: an ``orcid:`` CURIE, or a name or family name as shown."""
        if value.startswith("orcid:"):
            return {p for p, person in self.people.items() if person.orcid == value.removeprefix("orcid:")}
        return {p for p, person in self.people.items() if value in person.names or value in person.families}

    def works(self, people: set[object]) -> dict[object, tuple[int, int]]:
        """The works of ``people``: node id → (their earliest position in it, its number of authors)."""
        positions: dict[object, int] = {}
        for person in people:
            for root, position in self.roles_of[person]:
                positions[root] = min(position, positions.get(root, position))
        return {root: (position, len(self.nodes[root].roles)) for root, position in positions.items()}

    def same_person(self, a: object, b: object) -> bool:
        """The self-citation rule: the same ORCID, or (unless both have one) a normalised name in common."""
        pa, pb = self.people[a], self.people[b]
        if pa.orcid and pb.orcid:
            return pa.orcid == pb.orcid
        return bool(pa.keys & pb.keys)

    def self_citation(self, citing: object, cited: object) -> bool:
        """True when the two articles share an author (by ``same_person``)."""
        ours = [p for held in self.nodes[citing].roles.values() for p in held]
        theirs = [p for held in self.nodes[cited].roles.values() for p in held]
        return any(self.same_person(a, b) for a in ours for b in theirs)

    def citations(self, work: object, *, self_citations: bool = True) -> set[object]:
        citing = self.nodes[work].citing
        return citing if self_citations else {c for c in citing if not self.self_citation(c, work)}

    def citations_per_year(self, cited: set[object], is_self: Callable[[object, object], bool]
                           ) -> dict[int | None, tuple[int, int]]:
        """Citations received by the ``cited`` articles per year of the citing article (None: undated):
        year → (citing-cited pairs, self-citations among them by ``is_self(citing, cited)``)."""
        counts: dict[int | None, tuple[int, int]] = {}
        for work in cited:
            for citing in self.nodes[work].citing:
                n, own = counts.get(year(self.nodes[citing]), (0, 0))
                counts[year(self.nodes[citing])] = (n + 1, own + is_self(citing, work))
        return counts

    # -- related articles -----------------------------------------------------------------------------------
    def related(self, root: object, *, max_links: int) -> dict[object, tuple[int, int]]:
        """Other article → (co-citations: articles citing both; coupling: articles both cite), leaving out the
        hubs: citing articles with more than ``max_links`` references, references with more citations."""
        co: Counter[object] = Counter()
        coupling: Counter[object] = Counter()
        node = self.nodes[root]
        for via in node.citing:
            if len(self.nodes[via].cited) <= max_links:
                co.update(self.nodes[via].cited - {root})
        for via in node.cited:
            if len(self.nodes[via].citing) <= max_links:
                coupling.update(self.nodes[via].citing - {root})
        return {other: (co[other], coupling[other]) for other in co.keys() | coupling.keys()}

    # -- journals -------------------------------------------------------------------------------------------
    def articles_of(self, journal: str) -> set[object]:
        return {root for root, node in self.nodes.items() if journal in node.journals}

    def abbreviation(self, journal: str) -> str:
        """The abbreviation a query shows for the journal: the lowest it has."""
        return min(self.journal_abbreviations[journal])

    def touches_unsettled(self, roots: set[object]) -> bool:
        """True when a count over these articles' citations, or their references, depends on an unsettled node."""
        return any(r in self.unsettled or self.nodes[r].cited & self.unsettled for r in roots)

    # -- citation network -----------------------------------------------------------------------------------
    def neighbourhood(self, article: object, depth: int, *, hub: int | None = 100) -> dict[tuple[object, object], int]:
        """The citation links around ``article``, (citing, cited) → depth: its own links (depth 1) and, at depth 2,
        every other link of each neighbour, but none through a hub, an article cited more than ``hub`` times (None:
        no hubs): a hub neighbour is not expanded, and a hub article's neighbourhood stops at depth 1."""
        def is_hub(root: object) -> bool:
            return hub is not None and len(self.nodes[root].citing) > hub

        node = self.nodes[article]
        edges = {(article, n): 1 for n in node.cited} | {(n, article): 1 for n in node.citing}
        if depth < 2 or is_hub(article):
            return edges
        for neighbour in node.cited | node.citing:
            if is_hub(neighbour):
                continue
            other = self.nodes[neighbour]
            for edge in [(neighbour, x) for x in other.cited] + [(x, neighbour) for x in other.citing]:
                if article not in edge:
                    edges.setdefault(edge, 2)
        return edges

    def chains(self, start: object, end: object, max_len: int) -> list[tuple[object, ...]]:
        """Every shortest chain start → ... → end following references (start cites the next, ...), of at most
        ``max_len`` citations, as the articles along it; none when start is end."""
        distance = {start: 0}
        frontier = {start}
        for step in range(1, max_len + 1):
            if end in distance or not frontier:
                break
            frontier = {c for a in frontier for c in self.nodes[a].cited if c not in distance}
            distance |= {c: step for c in frontier}
        if start == end or end not in distance:
            return []

        def back(node: object) -> list[tuple[object, ...]]:  # the shortest chains from start to node
            if node == start:
                return [(start,)]
            before = [p for p in self.nodes[node].citing if distance.get(p) == distance[node] - 1]
            return [chain + (node,) for p in before for chain in back(p)]
        return back(end)



def _ids(identifiers: tuple[Identifier, ...]) -> list[tuple[Scheme, str]]:
    return [(i.scheme, i.value) for i in identifiers if i.scheme in ARTICLE_SCHEMES]


def _rank(key: tuple[Scheme, str]) -> tuple[int, int, str]:
    return ARTICLE_SCHEMES.index(key[0]), len(key[1]), key[1]


def _group(claims: list[list[tuple[Scheme, str]]]) -> dict[frozenset, tuple[Scheme, str]]:
    """Each claim (the identifiers one record or reference gives) → its article, named by the best identifier of
    its group. Identifiers join the claims holding them, PMIDs first, then PMCIDs, then DOIs, smallest first,
    unless the joined claims would hold two PMIDs or two PMCIDs."""
    unique = sorted({frozenset(c) for c in claims}, key=lambda c: sorted(map(_rank, c)))
    parent = list(range(len(unique)))
    members = {n: set(c) for n, c in enumerate(unique)}
    holders: dict[tuple[Scheme, str], set[int]] = defaultdict(set)
    for n, claim in enumerate(unique):
        for key in claim:
            holders[key].add(n)

    def root(n: int) -> int:
        while parent[n] != n:
            n = parent[n]
        return n

    for key in sorted(holders, key=_rank):
        roots = {root(n) for n in holders[key]}
        joined = set().union(*(members[r] for r in roots))
        single = all(len({k for k in joined if k[0] is s}) <= 1 for s in (Scheme.PMID, Scheme.PMCID))
        if len(roots) > 1 and (key[0] is Scheme.PMID or single):
            first, *rest = sorted(roots)
            for other in rest:
                parent[other] = first
                members[first] |= members.pop(other)
    return {claim: min(members[root(n)], key=_rank) for n, claim in enumerate(unique)}


def _mentions(record: Article | Citation) -> list[list[tuple[Scheme, str]]]:
    if isinstance(record, Citation):
        found = [_ids(record.citing), _ids(record.cited)]
    else:
        found = [_ids(record.identifiers)] + [_ids(r.identifiers) for r in record.references]
    return [ids for ids in found if ids]


def h_index(counts: list[int]) -> int:
    """The largest h such that h of the counts are at least h."""
    ordered = sorted(counts, reverse=True)
    return sum(1 for rank, count in enumerate(ordered, 1) if count >= rank)


def distribution(counts: list[int]) -> list[tuple[int, int]]:
    return sorted(Counter(counts).items())
