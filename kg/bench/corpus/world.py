"""The world every corpus draws from (vocabulary, names, institutions, publishers, journals), from a fixed seed.

The fixed seed makes a corpus and its increment share journals and people; a corpus's own ``seed`` drives only its
articles.
"""

from __future__ import annotations

import functools
import math
import random
from typing import NamedTuple

from kg.bench.corpus.identifiers import issn, mix, permute

_WORLD_SEED = 20_250_101

_FUNCTION_WORDS = ("the", "of", "and", "in", "to", "a", "with", "for", "was", "were", "is", "by", "on", "from",
                   "that", "as", "at", "patients", "are", "or", "be", "this", "an", "these", "study", "after",
                   "between", "not", "than", "we", "which", "but", "during", "both", "higher", "lower")
_TOKENS = ("p &lt; 0.05", "p &lt; 0.001", "95% CI", "n = 124", "(OR = 1.8)", "&amp;", "(n = 42)", "12%", "two",
           "three", "in vivo", "versus", "p &gt; 0.1", "(HR 0.72)")
_ONSETS = ("b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "cl", "cr", "dr",
           "fl", "gr", "pl", "pr", "sc", "sp", "st", "tr", "ph", "th", "ch")
_VOWELS = ("a", "e", "i", "o", "u", "ia", "io", "ea", "ou", "y", "a", "e", "i", "o")
_ENDINGS = ("", "", "", "", "n", "l", "r", "s", "x", "m", "t", "ase", "itis", "osis", "ide", "ine", "al", "ic", "in")
_ACCENTS = (("e", "é"), ("o", "ö"), ("a", "á"), ("u", "ü"), ("n", "ñ"))
_FIELDS = ("Medicine", "Surgery", "Pediatrics", "Epidemiology", "Pharmacology", "Neurology", "Oncology",
           "Cardiology", "Biochemistry", "Microbiology", "Psychiatry", "Radiology", "Public Health", "Genetics",
           "Immunology", "Nursing", "Physiology", "Pathology")
_INSTITUTION_KINDS = ("University", "University Hospital", "Medical Center", "Research Institute", "Medical School")
_COUNTRIES = ("United States", "England", "Germany", "China", "Japan", "France", "Canada", "Italy", "Spain",
              "Netherlands", "Australia", "Brazil", "India", "Korea", "Sweden", "Switzerland", "Denmark", "Iran")


class Journal(NamedTuple):
    """A journal's ready-made XML pieces and the facts records derive from it."""

    issns: str  # the ISSN elements that open <Journal>
    names: str  # <Title> and <ISOAbbreviation>, which close it
    info: str  # <MedlineJournalInfo> and <CitationSubset>
    abbreviation: str
    prefix: int  # the publisher's DOI prefix
    issn: str  # for PIIs
    founded: int  # volume = year - founded


# --- pools ------------------------------------------------------------------------------------------------------

def _zipf_table(items: list, size: int, offset: float = 2.0) -> list:
    """Exactly ``size`` entries, ``items`` repeated in proportion to 1/(rank+offset) (each at least once, so
    ``size`` must exceed ``len(items)``): a uniform pick from the table is a Zipf-like pick from ``items``."""
    weights = [1.0 / (rank + offset) for rank in range(len(items))]
    scale = (size - len(items)) / sum(weights)
    table: list = []
    for item, weight in zip(items, weights):
        table.extend([item] * (1 + int(weight * scale)))
    return table + items[len(items) - (size - len(table)):] if len(table) < size else table


def _pseudo_word(rng: random.Random, low: int, high: int) -> str:
    syllables = (rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(rng.randint(low, high)))
    return "".join(syllables) + rng.choice(_ENDINGS)


def _distinct(rng: random.Random, count: int, make) -> list[str]:
    """``count`` distinct strings from ``make(rng)``, in the order first made."""
    found: dict[str, None] = {}
    while len(found) < count:
        found.setdefault(make(rng), None)
    return list(found)


def _family(rng: random.Random) -> str:
    name = _pseudo_word(rng, 1, 3).capitalize()
    roll = rng.random()
    if roll < 0.05:
        plain, accented = rng.choice(_ACCENTS)
        name = name.replace(plain, accented, 1)
    elif roll < 0.08:
        name = f"{name}-{_pseudo_word(rng, 1, 2).capitalize()}"
    elif roll < 0.10:
        name = rng.choice(("de ", "van ", "O'", "Mc")) + name
    return name


def _institution(rng: random.Random) -> str:
    place, city = _pseudo_word(rng, 2, 3).capitalize(), _pseudo_word(rng, 1, 3).capitalize()
    return (f"Department of {rng.choice(_FIELDS)}, {place} {rng.choice(_INSTITUTION_KINDS)}, {city}, "
            f"{rng.choice(_COUNTRIES)}.")


# --- journals ---------------------------------------------------------------------------------------------------

def _publisher_prefix(rank: int) -> int:
    """Distinct DOI prefixes: 4 digits for the 40 biggest publishers, 5 digits for the rest."""
    return 1000 + rank * 409 % 9000 if rank < 40 else 10_000 + permute(rank, 90_000, 17)


def _abbreviate(word: str) -> str:
    return word.capitalize() if len(word) <= 6 else word[:5].capitalize()


def _journal_names(rng: random.Random, words: list[str]) -> tuple[str, str]:
    """A title and its ISO abbreviation, in PubMed's sentence case."""
    a, b = rng.choice(words), rng.choice(words)
    pattern = rng.randrange(6)
    if pattern == 0:
        return f"Journal of {a} {b}", f"J {_abbreviate(a)} {_abbreviate(b)}"
    if pattern == 1:
        return f"{a.capitalize()} {b} research", f"{_abbreviate(a)} {_abbreviate(b)} Res"
    if pattern == 2:
        return f"International journal of {a}", f"Int J {_abbreviate(a)}"
    if pattern == 3:
        return f"Annals of {a} {b}", f"Ann {_abbreviate(a)} {_abbreviate(b)}"
    if pattern == 4:
        return f"Clinical {a} and {b}", f"Clin {_abbreviate(a)} {_abbreviate(b)}"
    return f"{a.capitalize()} reports", f"{_abbreviate(a)} Rep"


def _journal(rng: random.Random, index: int, title: str, iso: str, prefixes: list[int]) -> Journal:
    roll = rng.random()
    printed = issn(permute(2 * index, 10_000_000, 1_000_003)) if roll < 0.75 else None
    online = issn(permute(2 * index + 1, 10_000_000, 1_000_003)) if roll > 0.25 else None
    issns = "".join(f'<ISSN IssnType="{kind}">{value}</ISSN>'
                    for kind, value in (("Print", printed), ("Electronic", online)) if value)
    nlm = (f"101{permute(index, 1_000_000, 4321):06d}" if index % 3 == 0
           else f"{permute(index, 1_000_000, 8765) + 7_000_000:07d}")
    linking = printed or online
    info = (f"<MedlineJournalInfo><Country>{rng.choice(_COUNTRIES)}</Country><MedlineTA>{iso}</MedlineTA>"
            f"<NlmUniqueID>{nlm}</NlmUniqueID><ISSNLinking>{linking}</ISSNLinking></MedlineJournalInfo>"
            "<CitationSubset>IM</CitationSubset>")
    names = f"<Title>{title}</Title><ISOAbbreviation>{iso}</ISOAbbreviation>"
    return Journal(issns, names, info, iso, rng.choice(prefixes), linking.replace("-", ""),
                   rng.randint(1870, 1974))


# --- the world --------------------------------------------------------------------------------------------------

class World:
    """Everything shared by all corpora of a given journal count; built once per count (see ``shared_world``)."""

    def __init__(self, journals: int) -> None:
        rng = random.Random(_WORLD_SEED)
        self.plain = _distinct(rng, 4000, lambda r: _pseudo_word(r, 1, 4))
        ranked = list(_FUNCTION_WORDS) + [w for pair in zip(self.plain, _TOKENS) for w in pair]
        self.words = _zipf_table(ranked + self.plain[len(_TOKENS):], 1 << 16)
        self.capital = {word: word[0].upper() + word[1:] for word in self.words}
        self.keywords = _zipf_table(self.plain, 1 << 14, offset=20.0)
        self.families = _zipf_table(_distinct(rng, 4000, _family), 1 << 15, offset=5.0)
        self.givens = _zipf_table(_distinct(rng, 2500, lambda r: _pseudo_word(r, 1, 3).capitalize()), 1 << 15,
                                  offset=10.0)
        self.institutions = _zipf_table(_distinct(rng, 2000, _institution), 1 << 14, offset=10.0)
        prefixes = _zipf_table([_publisher_prefix(rank) for rank in range(300)], 1 << 12, offset=3.0)
        self.journals = self._journals(rng, journals, prefixes)
        self.journal_table = _zipf_table(list(range(journals)), 1 << 17, offset=5.0)

    def _journals(self, rng: random.Random, count: int, prefixes: list[int]) -> list[Journal]:
        """Journal i is the same whatever ``count`` is: the draws are sequential."""
        journals, titles = [], set()
        while len(journals) < count:
            title, iso = _journal_names(rng, self.plain)
            if title not in titles and iso not in titles:
                titles.update((title, iso))
                journals.append(_journal(rng, len(journals), title, iso, prefixes))
        return journals

    def journal_of(self, pmid: int, hashed: int | None = None) -> int:
        """The journal of an article: a Zipf-like pick fixed by its PMID, so citing records can name it.

        ``hashed`` is ``mix(pmid)`` when the caller has it already.
        """
        return self.journal_table[(mix(pmid) if hashed is None else hashed) % len(self.journal_table)]


@functools.lru_cache(maxsize=4)
def shared_world(journals: int) -> World:
    """The world with ``journals`` journals, built on first use."""
    return World(journals)


def journal_count(articles: int) -> int:
    """About 3,000 journals for a million articles, scaled by the square root, at least 50."""
    return max(50, min(3000, round(3 * math.sqrt(articles))))


def person_count(articles: int) -> int:
    """ORCID holders: about 0.9 ORCID slots per article spread over persons who each sign several articles."""
    return max(100, articles // 5)
