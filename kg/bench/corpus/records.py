"""The elements of one PubmedArticle but its authors and references: dates, journal issue, pages, text and ids."""

from __future__ import annotations

import math
import random

from kg.bench.corpus.draws import draw_int, draw_words
from kg.bench.corpus.identifiers import pmcid_of
from kg.bench.corpus.kinds import Kind
from kg.bench.corpus.world import Journal, World

_FIRST_YEAR, LAST_YEAR, _GROWTH = 1975, 2025, 0.04  # ~4% more articles each year, as in MEDLINE
_SPREAD = math.expm1(_GROWTH * (LAST_YEAR - _FIRST_YEAR + 1))
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_SEASONS = ("Spring", "Summer", "Fall", "Winter")
_LANGUAGES = ("ger", "fre", "spa", "chi", "jpn", "rus", "ita", "por")
_STRUCTURES = ((("BACKGROUND", "BACKGROUND"), ("RESULTS", "RESULTS"), ("CONCLUSIONS", "CONCLUSIONS")),
               (("BACKGROUND", "BACKGROUND"), ("METHODS", "METHODS"), ("RESULTS", "RESULTS"),
                ("CONCLUSIONS", "CONCLUSIONS")),
               (("BACKGROUND", "BACKGROUND"), ("OBJECTIVE", "OBJECTIVE"), ("METHODS", "METHODS"),
                ("RESULTS", "RESULTS"), ("CONCLUSION", "CONCLUSIONS")))


# --- dates ------------------------------------------------------------------------------------------------------

def year_at(position: int, span: int) -> int:
    """Years follow the positions of the first ``span`` articles (growing output per year); later ones are new."""
    if position >= span:
        return LAST_YEAR
    share = (position + 0.5) / span
    return min(LAST_YEAR, _FIRST_YEAR + int(math.log1p(share * _SPREAD) / _GROWTH))


def revised(rng: random.Random, year: int) -> str:
    """The DateRevised element: up to three years after publication."""
    revised_year = min(LAST_YEAR, year + draw_int(rng, 0, 3))
    return (f"<DateRevised><Year>{revised_year}</Year><Month>{draw_int(rng, 1, 12):02d}</Month>"
            f"<Day>{draw_int(rng, 1, 28):02d}</Day></DateRevised>")


def _pub_date(rng: random.Random, year: int) -> str:
    """Mostly a full date or year and month; sometimes a year alone or a MedlineDate."""
    roll, month = rng.random(), draw_int(rng, 0, 11)
    if roll < 0.03:
        span = f"Dec-{year + 1} Jan" if month == 11 else f"{_MONTHS[month]}-{_MONTHS[month + 1]}"
        return f"<MedlineDate>{year} {span}</MedlineDate>"
    if roll < 0.04:
        return f"<MedlineDate>{year} {_SEASONS[draw_int(rng, 0, 3)]}</MedlineDate>"
    if roll < 0.09:
        return f"<Year>{year}</Year>"
    if roll < 0.40:
        return f"<Year>{year}</Year><Month>{_MONTHS[month]}</Month>"
    return f"<Year>{year}</Year><Month>{_MONTHS[month]}</Month><Day>{draw_int(rng, 1, 28):02d}</Day>"


def history(rng: random.Random, year: int) -> str:
    """The History element: one date for pubmed, medline and entrez."""
    date = f"<Year>{year}</Year><Month>{draw_int(rng, 1, 12)}</Month><Day>{draw_int(rng, 1, 28)}</Day>"
    return "".join(("<History>", f'<PubMedPubDate PubStatus="pubmed">{date}</PubMedPubDate>',
                    f'<PubMedPubDate PubStatus="medline">{date}</PubMedPubDate>',
                    f'<PubMedPubDate PubStatus="entrez">{date}</PubMedPubDate>', "</History>"))


# --- journal issue and pages ------------------------------------------------------------------------------------

def journal_element(rng: random.Random, journal: Journal, year: int) -> str:
    """The Journal element: ISSNs, volume, usually an issue, the publication date, title and abbreviation."""
    issue = f"<Issue>{draw_int(rng, 1, 12)}</Issue>" if rng.random() < 0.85 else ""
    return (f'<Journal>{journal.issns}<JournalIssue CitedMedium="Print"><Volume>{year - journal.founded}</Volume>'
            f"{issue}<PubDate>{_pub_date(rng, year)}</PubDate></JournalIssue>{journal.names}</Journal>")


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


def pagination(rng: random.Random, doi: str, pii: str | None) -> str:
    """Pages (abbreviated MedlinePgn, or StartPage/EndPage too), or an article number; then ELocationIDs."""
    roll, locations = rng.random(), ""
    if roll < 0.20:
        number = f"e{draw_int(rng, 1000, 999_999)}"
        pages = f"<Pagination><MedlinePgn>{number}</MedlinePgn></Pagination>"
        locations = f'<ELocationID EIdType="pii" ValidYN="Y">{number}</ELocationID>'
    elif roll < 0.25:
        pages = ""
    else:
        first = draw_int(rng, 1, 2400)
        last = first + int(rng.expovariate(0.12))
        pages = (f"<StartPage>{first}</StartPage><EndPage>{last}</EndPage><MedlinePgn>{first}-{last}</MedlinePgn>"
                 if roll < 0.40 else f"<MedlinePgn>{_medline_pages(first, last)}</MedlinePgn>")
        pages = f"<Pagination>{pages}</Pagination>"
    if pii and not locations:
        locations = f'<ELocationID EIdType="pii" ValidYN="Y">{pii}</ELocationID>'
    if rng.random() < 0.75:
        locations += f'<ELocationID EIdType="doi" ValidYN="Y">{doi}</ELocationID>'
    return pages + locations


# --- text -------------------------------------------------------------------------------------------------------

def title(rng: random.Random, world: World) -> str:
    """One sentence of 8 to 20 words."""
    words = list(draw_words(rng, world.words, draw_int(rng, 8, 20)))
    words[0] = world.capital[words[0]]
    return " ".join(words) + "."


def _text(rng: random.Random, world: World, words: int, sentence: int = 24) -> str:
    """``words`` Zipf-drawn words in sentences of 8 to ``sentence`` words, each capitalised and ended by a stop."""
    drawn, capital = list(draw_words(rng, world.words, words)), world.capital
    start = 0
    while start < words:
        end = min(words, start + draw_int(rng, 8, sentence))
        drawn[start] = capital[drawn[start]]
        drawn[end - 1] += "."
        start = end
    return " ".join(drawn)


def abstract(rng: random.Random, world: World, kind: Kind) -> str:
    """150-300 words; about a third structured in 3-5 labelled parts."""
    if rng.random() >= kind.abstract:
        return ""
    words = draw_int(rng, 150, 300)
    if rng.random() >= 0.35:
        return f"<Abstract><AbstractText>{_text(rng, world, words)}</AbstractText></Abstract>"
    structure = _STRUCTURES[draw_int(rng, 0, len(_STRUCTURES) - 1)]
    share = words // len(structure)
    parts = "".join(f'<AbstractText Label="{label}" NlmCategory="{category}">{_text(rng, world, share)}</AbstractText>'
                    for label, category in structure)
    return f"<Abstract>{parts}</Abstract>"


def keywords(rng: random.Random, world: World) -> str:
    """A KeywordList of 3 to 6 keywords for about a third of the articles."""
    if rng.random() >= 0.35:
        return ""
    items = "".join(f'<Keyword MajorTopicYN="N">{word}</Keyword>'
                    for word in rng.choices(world.keywords, k=draw_int(rng, 3, 6)))
    return f'<KeywordList Owner="NOTNLM">{items}</KeywordList>'


def language(rng: random.Random) -> str:
    """Mostly English."""
    return "eng" if rng.random() < 0.93 else _LANGUAGES[draw_int(rng, 0, len(_LANGUAGES) - 1)]


# --- ids --------------------------------------------------------------------------------------------------------

def article_ids(pmid: int, doi: str, pii: str | None) -> str:
    """The ArticleIdList: PMID, PII when there is one, DOI, PMCID when in PMC."""
    pmcid = pmcid_of(pmid)
    return "".join(('<ArticleIdList><ArticleId IdType="pubmed">', str(pmid), "</ArticleId>",
                    f'<ArticleId IdType="pii">{pii}</ArticleId>' if pii else "",
                    f'<ArticleId IdType="doi">{doi}</ArticleId>',
                    f'<ArticleId IdType="pmc">{pmcid}</ArticleId>' if pmcid else "", "</ArticleIdList>"))
