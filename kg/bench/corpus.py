"""A seeded synthetic PubMed XML corpus (and an increment citing it), written record by record with flat memory."""

from __future__ import annotations

import functools
import gzip
import math
import operator
import random
import sys
import time
from array import array
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, NamedTuple

# The "world" every corpus draws from (vocabulary, names, institutions, publishers, journals) comes from this fixed
# seed, so a corpus and its increment share journals and people; the ``seed`` argument drives the articles.
_WORLD_SEED = 20_250_101
_M64 = (1 << 64) - 1
_FIRST_YEAR, _LAST_YEAR, _GROWTH = 1975, 2025, 0.04  # ~4% more articles each year, as in MEDLINE
_SPREAD = math.expm1(_GROWTH * (_LAST_YEAR - _FIRST_YEAR + 1))
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_SEASONS = ("Spring", "Summer", "Fall", "Winter")
_AUTHOR_SIGMA, _MAX_AUTHORS = 0.7, 30  # author counts are lognormal around each kind's median, clipped at 30
_REFERENCE_MU, _REFERENCE_SIGMA = math.log(16.0), 0.65  # reference list length before the 5..60 clip
_ORCID_SHARE, _COLLECTIVE_SHARE = 0.15, 0.02  # ~55% of the other authors have an affiliation (see _author)
_EXTERNAL_SHARE = 0.10  # references to works outside the corpus (PMIDs below first_pmid, or DOI/text only)
_HOT_SHARE = 0.5  # citations drawn from the recently written or cited; the rest by preferential attachment
_FLUSH_CHARS = 1 << 20
_BIG_ENDIAN = sys.byteorder == "big"

_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
         '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
         '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n<PubmedArticleSet>\n')
_TAIL = "</PubmedArticleSet>\n"

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
_LANGUAGES = ("ger", "fre", "spa", "chi", "jpn", "rus", "ita", "por")
_STRUCTURES = ((("BACKGROUND", "BACKGROUND"), ("RESULTS", "RESULTS"), ("CONCLUSIONS", "CONCLUSIONS")),
               (("BACKGROUND", "BACKGROUND"), ("METHODS", "METHODS"), ("RESULTS", "RESULTS"),
                ("CONCLUSIONS", "CONCLUSIONS")),
               (("BACKGROUND", "BACKGROUND"), ("OBJECTIVE", "OBJECTIVE"), ("METHODS", "METHODS"),
                ("RESULTS", "RESULTS"), ("CONCLUSION", "CONCLUSIONS")))
_LETTERS = "ABCDEFGHIJKLMNOPRSTVW"


@dataclass(frozen=True)
class CorpusStats:
    """What a generated file holds and what writing it cost."""

    articles: int
    authors: int  # author slots, collectives included
    orcids: int  # author slots with an ORCID
    journals: int  # distinct journals used
    references: int
    references_resolvable: int  # references to an article of the corpus (for an increment: of the existing one)
    bytes: int  # on disk (compressed when gzip)
    seconds: float
    xml_bytes: int = 0  # uncompressed XML

    @property
    def articles_per_second(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0


# --- identifiers and per-PMID facts (recomputable by any later record, so nothing per article is kept) --------

def _mix(x: int) -> int:
    """The splitmix64 finaliser: a well-spread 64-bit hash of an int."""
    x = (x + 0x9E3779B97F4A7C15) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def _permute(i: int, modulus: int, salt: int) -> int:
    """A bijection of 0..modulus-1 (7919 is a prime not dividing any modulus used here): distinct i, distinct out."""
    return (i * 7919 + salt) % modulus


def issn(body: int) -> str:
    """The ISSN ``NNNN-NNNC`` for a 7-digit body, with its mod-11 check character."""
    digits = f"{body:07d}"
    total = sum(int(d) * w for d, w in zip(digits, range(8, 1, -1)))
    check = (11 - total % 11) % 11
    return f"{digits[:4]}-{digits[4:]}{'X' if check == 10 else check}"


def orcid(body: int) -> str:
    """The ORCID ``NNNN-NNNN-NNNN-NNNC`` for a 15-digit body, with its ISO 7064 11,2 check character."""
    digits = f"{body:015d}"
    total = 0
    for d in digits:
        total = (total + int(d)) * 2
    check = (12 - total % 11) % 11
    full = digits + ("X" if check == 10 else str(check))
    return "-".join(full[i:i + 4] for i in range(0, 16, 4))


@functools.lru_cache(maxsize=1 << 14)  # the busiest ORCID holders sign thousands of articles
def _orcid_of(person: int) -> str:
    """Person ``person``'s ORCID: 0000-000k-… (or the newer 0009-000k-…), distinct for distinct persons."""
    h = _mix(person ^ 0x5EED)
    block = 900_000_000_000 if h % 10 == 0 else 0
    return orcid(block + (1 + h % 3) * 10_000_000 + _permute(person, 10_000_000, 1_234_567))


def _pmcid_of(pmid: int, hashed: int | None = None) -> str | None:
    """About 30% of articles are in PMC; the number is distinct for any 9,000,000 consecutive PMIDs.

    ``hashed`` is ``_mix(pmid)`` when the caller has it already.
    """
    hashed = _mix(pmid) if hashed is None else hashed
    return f"PMC{pmid * 7 % 9_000_000 + 1_000_000}" if (hashed >> 40) % 100 < 30 else None


def _pii_of(pmid: int, journal: _Journal, year: int) -> str | None:
    """An Elsevier-style PII for about a quarter of the articles."""
    h = _mix(pmid ^ 0xBADA55)
    if h % 4:
        return None
    return f"S{journal.issn}({year % 100:02d}){pmid % 100_000:05d}-{'X' if h % 11 == 10 else h % 11 % 10}"


# --- the world: vocabulary, names, institutions, journals -------------------------------------------------------

class _Journal(NamedTuple):
    issns: str  # the ISSN elements that open <Journal>
    names: str  # <Title> and <ISOAbbreviation>, which close it
    info: str  # <MedlineJournalInfo> and <CitationSubset>
    abbreviation: str
    prefix: int  # the publisher's DOI prefix
    issn: str  # for PIIs
    founded: int  # volume = year - founded


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


def _publisher_prefix(rank: int) -> int:
    """Distinct DOI prefixes: 4 digits for the 40 biggest publishers, 5 digits for the rest."""
    return 1000 + rank * 409 % 9000 if rank < 40 else 10_000 + _permute(rank, 90_000, 17)


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


def _journal(rng: random.Random, index: int, title: str, iso: str, prefixes: list[int]) -> _Journal:
    roll = rng.random()
    printed = issn(_permute(2 * index, 10_000_000, 1_000_003)) if roll < 0.75 else None
    online = issn(_permute(2 * index + 1, 10_000_000, 1_000_003)) if roll > 0.25 else None
    issns = "".join(f'<ISSN IssnType="{kind}">{value}</ISSN>'
                    for kind, value in (("Print", printed), ("Electronic", online)) if value)
    nlm = (f"101{_permute(index, 1_000_000, 4321):06d}" if index % 3 == 0
           else f"{_permute(index, 1_000_000, 8765) + 7_000_000:07d}")
    linking = printed or online
    info = (f"<MedlineJournalInfo><Country>{rng.choice(_COUNTRIES)}</Country><MedlineTA>{iso}</MedlineTA>"
            f"<NlmUniqueID>{nlm}</NlmUniqueID><ISSNLinking>{linking}</ISSNLinking></MedlineJournalInfo>"
            "<CitationSubset>IM</CitationSubset>")
    names = f"<Title>{title}</Title><ISOAbbreviation>{iso}</ISOAbbreviation>"
    return _Journal(issns, names, info, iso, rng.choice(prefixes), linking.replace("-", ""),
                    rng.randint(1870, 1974))


class _World:
    """Everything shared by all corpora of a given journal count; built once per count (see ``_world``)."""

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

    def _journals(self, rng: random.Random, count: int, prefixes: list[int]) -> list[_Journal]:
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

        ``hashed`` is ``_mix(pmid)`` when the caller has it already.
        """
        return self.journal_table[(_mix(pmid) if hashed is None else hashed) % len(self.journal_table)]


@functools.lru_cache(maxsize=4)
def _world(journals: int) -> _World:
    return _World(journals)


def _journal_count(articles: int) -> int:
    """About 3,000 journals for a million articles, scaled by the square root, at least 50."""
    return max(50, min(3000, round(3 * math.sqrt(articles))))


def _person_count(articles: int) -> int:
    """ORCID holders: about 0.9 ORCID slots per article spread over persons who each sign several articles."""
    return max(100, articles // 5)


# --- kinds of article -------------------------------------------------------------------------------------------

class _Kind(NamedTuple):
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
    _Kind(0.70, _types(_ARTICLE), 0.93, 0.62, 1.0, 6.0),
    _Kind(0.10, _types(_ARTICLE, ("D016454", "Review")), 0.95, 0.85, 2.2, 4.0),
    _Kind(0.06, _types(_ARTICLE, ("D002363", "Case Reports")), 0.85, 0.55, 0.7, 5.0),
    _Kind(0.04, _types(_ARTICLE, ("D016449", "Randomized Controlled Trial")), 1.0, 0.7, 1.0, 9.0),
    _Kind(0.05, _types(("D016422", "Letter")), 0.10, 0.35, 0.3, 2.0),
    _Kind(0.05, _types(("D016421", "Editorial")), 0.05, 0.30, 0.4, 1.3),
)


def _kind(rng: random.Random) -> _Kind:
    roll = rng.random()
    for kind in _KINDS:
        roll -= kind.share
        if roll < 0:
            return kind
    return _KINDS[0]


# --- whom an article cites --------------------------------------------------------------------------------------

class _Popularity:
    """Earlier articles of the corpus to cite, by preferential attachment: ``pool`` holds each written article once
    and again for every second citation it gets, so a uniform pick favours the much cited. Half the picks come
    from the pool's last 5% (recent articles and those cited lately: what is "hot"), which leaves many articles
    uncited, as in real corpora. ``pool`` is the only state growing with the corpus: 4 bytes per article plus 4
    per second citation (about 25 MB for a million articles)."""

    def __init__(self, first_pmid: int) -> None:
        self.first = first_pmid
        self.pool = array("I")  # PMID offsets
        self._tick = 0

    def pick(self, rng: random.Random, pmid: int, count: int) -> list[int]:
        """``count`` distinct earlier PMIDs, or 0 for a reference outside the corpus."""
        earlier, pool, size = pmid - self.first, self.pool, len(self.pool)
        recent = min(size, max(50, size // 20))
        chosen: list[int] = []
        seen: set[int] = set()
        for _ in range(count):
            if rng.random() < _EXTERNAL_SHARE or len(seen) >= earlier:
                chosen.append(0)
                continue
            for _ in range(50):  # bounded retries keep the draws (and so the output) deterministic
                if rng.random() < _HOT_SHARE:
                    target = self.first + pool[size - 1 - int(recent * rng.random())]
                else:
                    target = self.first + pool[int(size * rng.random())]
                if target not in seen:
                    seen.add(target)
                    chosen.append(target)
                    break
            else:
                chosen.append(0)
        return chosen

    def record(self, pmid: int, cited: list[int]) -> None:
        pool = self.pool
        for target in cited:
            if target:
                self._tick ^= 1
                if self._tick:
                    pool.append(target - self.first)
        pool.append(pmid - self.first)


class _Existing:
    """Articles of an existing corpus to cite from an increment: old ones (the popular ones there) and recent ones."""

    def __init__(self, first_pmid: int, existing: int) -> None:
        self.first, self.existing = first_pmid, existing

    def pick(self, rng: random.Random, pmid: int, count: int) -> list[int]:
        existing = self.existing
        window = max(1, existing // 20)
        chosen: list[int] = []
        seen: set[int] = set()
        for _ in range(min(count, existing)):
            for _ in range(50):
                if rng.random() < 0.3:
                    offset = existing - 1 - int(window * rng.random())
                else:
                    offset = int(existing * rng.random() ** 3)
                if offset not in seen:
                    seen.add(offset)
                    chosen.append(self.first + offset)
                    break
        return chosen

    def record(self, pmid: int, cited: list[int]) -> None:
        """Nothing to remember: the increment cites only the existing corpus."""


# --- one article ------------------------------------------------------------------------------------------------

def _int(rng: random.Random, low: int, high: int) -> int:
    """A uniform integer in low..high (several times faster than ``randint``)."""
    return low + int((high - low + 1) * rng.random())


def _words(rng: random.Random, table: list[str], count: int) -> tuple[str, ...]:
    """``count`` uniform picks from a 65,536-entry table, indexed in C by 16-bit random numbers."""
    indices = array("H", rng.randbytes(2 * count))
    if _BIG_ENDIAN:
        indices.byteswap()  # the same words on every platform
    return operator.itemgetter(*indices)(table) if count > 1 else tuple(table[i] for i in indices)


class _Policy(NamedTuple):
    """How references to corpus articles name them: by DOI alone, by PMID and DOI, else by PMID alone."""

    doi_only: float
    with_doi: float


class _Gen:
    """One file being written: the seeded draws, the shared world, whom to cite, and the running counts."""

    def __init__(self, seed: int, world: _World, first_pmid: int, span: int, cites: _Popularity | _Existing,
                 policy: _Policy) -> None:
        self.rng, self.world, self.first, self.span = random.Random(seed), world, first_pmid, span
        self.persons, self.cites, self.policy = _person_count(span), cites, policy
        self.authors = self.orcids = self.references = self.resolvable = 0
        self.journals_used: set[int] = set()
        self.cited_parts = functools.lru_cache(maxsize=1 << 14)(functools.partial(_cited_parts, self))

    def year_of(self, pmid: int) -> int:
        """Years follow the PMIDs of the first ``span`` articles (growing output per year); later ones are new."""
        position = pmid - self.first
        if position >= self.span:
            return _LAST_YEAR
        share = (position + 0.5) / self.span
        return min(_LAST_YEAR, _FIRST_YEAR + int(math.log1p(share * _SPREAD) / _GROWTH))

    def article(self, pmid: int) -> str:
        rng, world = self.rng, self.world
        index = world.journal_of(pmid)
        self.journals_used.add(index)
        journal, year, kind = world.journals[index], self.year_of(pmid), _kind(rng)
        doi, pii = f"10.{journal.prefix}/bench.{pmid}", _pii_of(pmid, journal, year)
        cited = self.cites.pick(rng, pmid, _reference_count(rng, kind)) if rng.random() < kind.references else None
        text = "".join((
            '<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">', str(pmid), "</PMID>",
            _revised(rng, year), '<Article PubModel="Print">', _journal_element(rng, journal, year),
            "<ArticleTitle>", _title(rng, world), "</ArticleTitle>",
            _pagination(rng, doi, pii), _abstract(rng, world, kind), _authors(self, kind),
            "<Language>", _language(rng), "</Language>", kind.types,
            "</Article>", journal.info, _keywords(rng, world), "</MedlineCitation><PubmedData>", _history(rng, year),
            "<PublicationStatus>ppublish</PublicationStatus>", _article_ids(pmid, doi, pii),
            _reference_list(self, cited), "</PubmedData></PubmedArticle>\n"))
        self.cites.record(pmid, cited or [])
        return text


def _title(rng: random.Random, world: _World) -> str:
    """One sentence of 8 to 20 words."""
    words = list(_words(rng, world.words, _int(rng, 8, 20)))
    words[0] = world.capital[words[0]]
    return " ".join(words) + "."


def _language(rng: random.Random) -> str:
    return "eng" if rng.random() < 0.93 else _LANGUAGES[_int(rng, 0, len(_LANGUAGES) - 1)]


def _reference_count(rng: random.Random, kind: _Kind) -> int:
    return min(60, max(5, int(rng.lognormvariate(_REFERENCE_MU, _REFERENCE_SIGMA) * kind.reference_scale)))


def _revised(rng: random.Random, year: int) -> str:
    revised = min(_LAST_YEAR, year + _int(rng, 0, 3))
    return (f"<DateRevised><Year>{revised}</Year><Month>{_int(rng, 1, 12):02d}</Month>"
            f"<Day>{_int(rng, 1, 28):02d}</Day></DateRevised>")


def _journal_element(rng: random.Random, journal: _Journal, year: int) -> str:
    issue = f"<Issue>{_int(rng, 1, 12)}</Issue>" if rng.random() < 0.85 else ""
    return (f'<Journal>{journal.issns}<JournalIssue CitedMedium="Print"><Volume>{year - journal.founded}</Volume>'
            f"{issue}<PubDate>{_pub_date(rng, year)}</PubDate></JournalIssue>{journal.names}</Journal>")


def _pub_date(rng: random.Random, year: int) -> str:
    """Mostly a full date or year and month; sometimes a year alone or a MedlineDate."""
    roll, month = rng.random(), _int(rng, 0, 11)
    if roll < 0.03:
        span = f"Dec-{year + 1} Jan" if month == 11 else f"{_MONTHS[month]}-{_MONTHS[month + 1]}"
        return f"<MedlineDate>{year} {span}</MedlineDate>"
    if roll < 0.04:
        return f"<MedlineDate>{year} {_SEASONS[_int(rng, 0, 3)]}</MedlineDate>"
    if roll < 0.09:
        return f"<Year>{year}</Year>"
    if roll < 0.40:
        return f"<Year>{year}</Year><Month>{_MONTHS[month]}</Month>"
    return f"<Year>{year}</Year><Month>{_MONTHS[month]}</Month><Day>{_int(rng, 1, 28):02d}</Day>"


def _medline_pages(first: int, last: int) -> str:
    """MEDLINE's abbreviated range: 233-250 is ``233-50``, 1519-1523 is ``1519-23``."""
    start, end = str(first), str(last)
    if first == last:
        return start
    if len(start) == len(end):
        same = 0
        while start[same] == end[same]:
            same += 1
        end = end[same:]
    return f"{start}-{end}"


def _pagination(rng: random.Random, doi: str, pii: str | None) -> str:
    """Pages (abbreviated MedlinePgn, or StartPage/EndPage too), or an article number; then ELocationIDs."""
    roll, locations = rng.random(), ""
    if roll < 0.20:
        number = f"e{_int(rng, 1000, 999_999)}"
        pagination = f"<Pagination><MedlinePgn>{number}</MedlinePgn></Pagination>"
        locations = f'<ELocationID EIdType="pii" ValidYN="Y">{number}</ELocationID>'
    elif roll < 0.25:
        pagination = ""
    else:
        first = _int(rng, 1, 2400)
        last = first + int(rng.expovariate(0.12))
        pages = (f"<StartPage>{first}</StartPage><EndPage>{last}</EndPage><MedlinePgn>{first}-{last}</MedlinePgn>"
                 if roll < 0.40 else f"<MedlinePgn>{_medline_pages(first, last)}</MedlinePgn>")
        pagination = f"<Pagination>{pages}</Pagination>"
    if pii and not locations:
        locations = f'<ELocationID EIdType="pii" ValidYN="Y">{pii}</ELocationID>'
    if rng.random() < 0.75:
        locations += f'<ELocationID EIdType="doi" ValidYN="Y">{doi}</ELocationID>'
    return pagination + locations


def _text(rng: random.Random, world: _World, words: int, sentence: int = 24) -> str:
    """``words`` Zipf-drawn words in sentences of 8 to ``sentence`` words, each capitalised and ended by a stop."""
    drawn, capital = list(_words(rng, world.words, words)), world.capital
    start = 0
    while start < words:
        end = min(words, start + _int(rng, 8, sentence))
        drawn[start] = capital[drawn[start]]
        drawn[end - 1] += "."
        start = end
    return " ".join(drawn)


def _abstract(rng: random.Random, world: _World, kind: _Kind) -> str:
    """150-300 words; about a third structured in 3-5 labelled parts."""
    if rng.random() >= kind.abstract:
        return ""
    words = _int(rng, 150, 300)
    if rng.random() >= 0.35:
        return f"<Abstract><AbstractText>{_text(rng, world, words)}</AbstractText></Abstract>"
    structure = _STRUCTURES[_int(rng, 0, len(_STRUCTURES) - 1)]
    share = words // len(structure)
    parts = "".join(f'<AbstractText Label="{label}" NlmCategory="{category}">{_text(rng, world, share)}</AbstractText>'
                    for label, category in structure)
    return f"<Abstract>{parts}</Abstract>"


def _keywords(rng: random.Random, world: _World) -> str:
    if rng.random() >= 0.35:
        return ""
    items = "".join(f'<Keyword MajorTopicYN="N">{word}</Keyword>'
                    for word in rng.choices(world.keywords, k=_int(rng, 3, 6)))
    return f'<KeywordList Owner="NOTNLM">{items}</KeywordList>'


def _history(rng: random.Random, year: int) -> str:
    date = f"<Year>{year}</Year><Month>{_int(rng, 1, 12)}</Month><Day>{_int(rng, 1, 28)}</Day>"
    return "".join(("<History>", f'<PubMedPubDate PubStatus="pubmed">{date}</PubMedPubDate>',
                    f'<PubMedPubDate PubStatus="medline">{date}</PubMedPubDate>',
                    f'<PubMedPubDate PubStatus="entrez">{date}</PubMedPubDate>', "</History>"))


def _article_ids(pmid: int, doi: str, pii: str | None) -> str:
    pmcid = _pmcid_of(pmid)
    return "".join(('<ArticleIdList><ArticleId IdType="pubmed">', str(pmid), "</ArticleId>",
                    f'<ArticleId IdType="pii">{pii}</ArticleId>' if pii else "",
                    f'<ArticleId IdType="doi">{doi}</ArticleId>',
                    f'<ArticleId IdType="pmc">{pmcid}</ArticleId>' if pmcid else "", "</ArticleIdList>"))


# --- authors ----------------------------------------------------------------------------------------------------

def _authors(g: _Gen, kind: _Kind) -> str:
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


def _author(g: _Gen) -> str:
    """An author without ORCID: names drawn from the (Zipf-weighted) pools, so they repeat across articles."""
    world, bits = g.world, g.rng.getrandbits(64)  # one draw, cut in pieces: 15+15+14 bits index the pools
    middle = _LETTERS[((bits >> 51) & 63) % len(_LETTERS)] if (bits >> 44) & 127 < 45 else ""  # 45/128: ~35%
    affiliation = world.institutions[(bits >> 30) & 0x3FFF] if (bits >> 57) < 70 else None  # 70/128: ~55%
    return _author_xml(world.families[bits & 0x7FFF], world.givens[(bits >> 15) & 0x7FFF], middle, affiliation, None)


def _person(g: _Gen) -> str:
    """An ORCID holder: a person (a few sign many articles) whose name and institution are fixed by the index."""
    person = int(g.persons * g.rng.random() ** 1.5)
    world, h = g.world, _mix(person)
    middle = _LETTERS[h % len(_LETTERS)] if (h >> 8) % 3 == 0 else ""
    affiliation = world.institutions[(h >> 16) % len(world.institutions)] if (h >> 12) % 8 else None
    g.orcids += 1
    return _author_xml(world.families[(h >> 24) % len(world.families)], world.givens[(h >> 44) % len(world.givens)],
                       middle, affiliation, _orcid_of(person))


def _author_xml(family: str, given: str, middle: str, affiliation: str | None, orcid_id: str | None) -> str:
    fore = f"{given} {middle}" if middle else given
    identifier = f'<Identifier Source="ORCID">https://orcid.org/{orcid_id}</Identifier>' if orcid_id else ""
    where = f"<AffiliationInfo><Affiliation>{affiliation}</Affiliation></AffiliationInfo>" if affiliation else ""
    return (f'<Author ValidYN="Y"><LastName>{family}</LastName><ForeName>{fore}</ForeName>'
            f"<Initials>{given[0]}{middle}</Initials>{identifier}{where}</Author>")


# --- references -------------------------------------------------------------------------------------------------

def _reference_list(g: _Gen, cited: list[int] | None) -> str:
    if cited is None:
        return ""
    g.references += len(cited)
    g.resolvable += sum(1 for target in cited if target)
    parts = [_cited_reference(g, target) if target else _external_reference(g) for target in cited]
    return f"<ReferenceList>{''.join(parts)}</ReferenceList>"


class _Cited(NamedTuple):
    """The pieces of a reference to an article of the corpus (cached: popular articles are cited again and again)."""

    head: str  # <Reference> with the citation text, opening the ArticleIdList
    pubmed: str
    doi: str
    pmc: str  # empty when the article is not in PMC


def _cited_parts(g: _Gen, pmid: int) -> _Cited:
    hashed = _mix(pmid)
    journal, year = g.world.journals[g.world.journal_of(pmid, hashed)], g.year_of(pmid)
    text = f"{journal.abbreviation}. {year};{year - journal.founded}:{(hashed >> 20) % 2000 + 1}."
    pmcid = _pmcid_of(pmid, hashed)
    return _Cited(f"<Reference><Citation>{text}</Citation><ArticleIdList>",
                  f'<ArticleId IdType="pubmed">{pmid}</ArticleId>',
                  f'<ArticleId IdType="doi">10.{journal.prefix}/bench.{pmid}</ArticleId>',
                  f'<ArticleId IdType="pmc">{pmcid}</ArticleId>' if pmcid else "")


def _cited_reference(g: _Gen, pmid: int) -> str:
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
        return 1 + _mix(int(1000 * rng.random() ** 2)) % (first_pmid - 1)
    return _int(rng, 1, first_pmid - 1)


def _external_reference(g: _Gen) -> str:
    """A work outside the corpus: text only (10%), PMID (50%), PMID and DOI (20%) or DOI only (20%)."""
    rng, world = g.rng, g.world
    roll = rng.random() if g.first > 1 else 0.9  # no PMID lies below PMID 1
    key = _external_pmid(rng, g.first) if 0.1 <= roll < 0.8 else _int(rng, 1, 999_999_999)
    journal, h = world.journals[world.journal_of(key)], _mix(key ^ 0xE7)
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


# --- writing ----------------------------------------------------------------------------------------------------

class _Output:
    """A buffered (optionally gzip) UTF-8 writer. Compressing and writing run on one helper thread (zlib and file
    writes release the GIL), one chunk at a time, in order, beside the generation; gzip with mtime 0 and no file
    name, so equal input, equal bytes."""

    def __init__(self, path: Path, compress: bool) -> None:
        self._raw: BinaryIO = open(path, "wb")
        self._file: BinaryIO = (gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, compresslevel=1, mtime=0)
                                if compress else self._raw)
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-bench-corpus")
        self._pending: Future | None = None
        self._parts: list[str] = []
        self._chars = 0
        self.xml_bytes = 0

    def write(self, text: str) -> None:
        self._parts.append(text)
        self._chars += len(text)
        if self._chars >= _FLUSH_CHARS:
            self._flush()

    def _flush(self) -> None:
        data = "".join(self._parts).encode("utf-8")
        self._parts, self._chars = [], 0
        self.xml_bytes += len(data)
        self._wait()  # at most one chunk in flight: memory stays flat
        self._pending = self._worker.submit(self._file.write, data)

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def __enter__(self) -> _Output:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if exc[0] is None:
                self._flush()
            self._wait()
        finally:
            self._worker.shutdown(wait=True)
            try:
                if self._file is not self._raw:
                    self._file.close()
            finally:
                self._raw.close()


def _write(path: Path, compress: bool | None, gen: _Gen, pmids: range) -> CorpusStats:
    start = time.perf_counter()
    with _Output(path, str(path).endswith(".gz") if compress is None else compress) as out:
        out.write(_HEAD)
        for pmid in pmids:
            out.write(gen.article(pmid))
        out.write(_TAIL)
    return CorpusStats(articles=len(pmids), authors=gen.authors, orcids=gen.orcids, journals=len(gen.journals_used),
                       references=gen.references, references_resolvable=gen.resolvable,
                       bytes=path.stat().st_size, seconds=time.perf_counter() - start, xml_bytes=out.xml_bytes)


def _check(articles: int, first_pmid: int) -> None:
    if articles < 0:
        raise ValueError(f"articles must be zero or more, not {articles}")
    if first_pmid < 1:
        raise ValueError(f"first_pmid must be 1 or more, not {first_pmid}")


def write_corpus(path: Path, *, articles: int, seed: int = 1, first_pmid: int = 10_000_001,
                 compress: bool | None = None) -> CorpusStats:
    """Write ``articles`` PubmedArticle records with PMIDs from ``first_pmid``; gzip when the name ends in .gz.

    Same arguments, same bytes. References cite earlier articles (preferential attachment) or outside works.
    """
    _check(articles, first_pmid)
    gen = _Gen(seed, _world(_journal_count(articles)), first_pmid, articles, _Popularity(first_pmid),
               _Policy(doi_only=0.0, with_doi=0.55))
    return _write(Path(path), compress, gen, range(first_pmid, first_pmid + articles))


def write_increment(path: Path, *, articles: int, existing: int, seed: int = 2,
                    first_pmid: int = 10_000_001) -> CorpusStats:
    """Write ``articles`` new records (PMIDs after those of ``write_corpus(articles=existing)``) citing that corpus.

    The increment shares the corpus's journals and ORCID holders; every reference names an existing article by
    PMID and DOI (80%), PMID alone (10%) or DOI alone (10%).
    """
    _check(articles, first_pmid)
    if existing < 1:
        raise ValueError(f"an increment needs an existing corpus, not {existing} articles")
    gen = _Gen(seed, _world(_journal_count(existing)), first_pmid, existing, _Existing(first_pmid, existing),
               _Policy(doi_only=0.1, with_doi=0.8))
    start = first_pmid + existing
    return _write(Path(path), None, gen, range(start, start + articles))
