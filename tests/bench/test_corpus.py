"""kg.bench.corpus: a seeded synthetic PubMed corpus that kg's own reader reads whole, with realistic skew."""

from __future__ import annotations

import gzip
import hashlib
import statistics
import subprocess
import sys
import textwrap
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from kg.bench.corpus import CorpusStats, issn, orcid, write_corpus, write_increment
from kg.identifiers import normalise
from kg.readers import open_input, pubmed_xml
from kg.records import Article, Scheme, Skipped

FIRST = 10_000_001
BIG = 3_000  # the corpus the distribution tests look at
INCREMENT = 400
MEMORY_ARTICLES = 50_000


# --- helpers and fixtures ---------------------------------------------------------------------------------------

def _read(path: Path) -> list:
    stream, _ = open_input(path)
    return list(pubmed_xml.read(stream, str(path)))


def _ids(identifiers) -> dict[Scheme, str]:
    return {i.scheme: i.value for i in identifiers}


def _pmid(article: Article) -> int:
    return int(_ids(article.identifiers)[Scheme.PMID])


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module", autouse=True)
def memory_run(tmp_path_factory):
    """Start the 50,000-article memory measurement first, so it runs beside the other tests (2 cores or more)."""
    script = textwrap.dedent(f"""
        from pathlib import Path
        from kg.bench.corpus import write_corpus

        def peak_kib():  # VmHWM starts afresh at exec; ru_maxrss keeps pytest's peak when it is higher
            with open("/proc/self/status", encoding="ascii") as status:
                return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))

        write_corpus(Path("{tmp_path_factory.mktemp('tiny')}/warm.xml"), articles=50)  # imports, world, buffers
        base = peak_kib()
        stats = write_corpus(Path("{tmp_path_factory.mktemp('memory')}/m.xml.gz"), articles={MEMORY_ARTICLES})
        peak = peak_kib()
        print(base // 1024, peak // 1024, stats.articles, stats.bytes, stats.xml_bytes)
    """)
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    yield process
    if process.poll() is None:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> tuple[CorpusStats, list[Article]]:
    path = tmp_path_factory.mktemp("big") / "corpus.xml.gz"
    stats = write_corpus(path, articles=BIG)
    records = _read(path)
    assert not [r for r in records if isinstance(r, Skipped)]
    return stats, records


@pytest.fixture(scope="module")
def increment(tmp_path_factory, big) -> tuple[CorpusStats, list[Article]]:
    path = tmp_path_factory.mktemp("increment") / "increment.xml.gz"
    stats = write_increment(path, articles=INCREMENT, existing=BIG)
    return stats, _read(path)


# --- determinism ------------------------------------------------------------------------------------------------

def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    first = write_corpus(tmp_path / "a.xml.gz", articles=300)
    write_corpus(tmp_path / "b.xml.gz", articles=300)  # another name: gzip stores no name and no time
    write_corpus(tmp_path / "c.xml.gz", articles=300, seed=2)
    plain = write_corpus(tmp_path / "a.xml", articles=300)
    assert _sha(tmp_path / "a.xml.gz") == _sha(tmp_path / "b.xml.gz")
    assert _sha(tmp_path / "a.xml.gz") != _sha(tmp_path / "c.xml.gz")
    assert gzip.decompress((tmp_path / "a.xml.gz").read_bytes()) == (tmp_path / "a.xml").read_bytes()
    assert first.bytes == (tmp_path / "a.xml.gz").stat().st_size < plain.bytes == plain.xml_bytes == first.xml_bytes


def test_compress_flag_overrides_the_name(tmp_path):
    write_corpus(tmp_path / "packed.xml", articles=5, compress=True)
    write_corpus(tmp_path / "plain.xml.gz", articles=5, compress=False)
    assert (tmp_path / "packed.xml").read_bytes()[:2] == b"\x1f\x8b"
    assert (tmp_path / "plain.xml.gz").read_bytes().startswith(b"<?xml")


def test_empty_corpus_is_a_valid_empty_set(tmp_path):
    stats = write_corpus(tmp_path / "empty.xml", articles=0)
    assert stats.articles == stats.references == 0
    assert _read(tmp_path / "empty.xml") == []


# --- what kg's reader makes of it -------------------------------------------------------------------------------

def test_reader_reads_every_record_with_pmid_and_doi(big):
    stats, articles = big
    assert len(articles) == stats.articles == BIG
    assert all(isinstance(a, Article) for a in articles)
    assert [_pmid(a) for a in articles] == list(range(FIRST, FIRST + BIG))
    for article in articles:
        ids = _ids(article.identifiers)
        assert ids[Scheme.DOI] == f"{ids[Scheme.DOI].split('/')[0]}/bench.{ids[Scheme.PMID]}"
        assert article.title and article.date and article.journal and article.publication_types


def test_stats_match_what_the_reader_sees(big):
    stats, articles = big
    assert stats.authors == sum(len(a.authors) for a in articles)
    assert stats.orcids == sum(1 for a in articles for author in a.authors if author.orcid)
    assert stats.references == sum(len(a.references) for a in articles)
    in_corpus = sum(1 for a in articles for r in a.references
                    if int(_ids(r.identifiers).get(Scheme.PMID, 0)) >= FIRST)
    assert stats.references_resolvable == in_corpus
    assert stats.journals == len({a.journal.nlm_id for a in articles}) >= 50


def test_identifiers_validate_and_are_spread_as_specified(big):
    _, articles = big
    share = Counter()
    for article in articles:
        ids = _ids(article.identifiers)
        share["pmc"] += Scheme.PMCID in ids
        share["pii"] += Scheme.PII in ids
        journal = article.journal
        for value in (journal.issn_print, journal.issn_electronic, journal.issn_linking):
            assert value is None or normalise(Scheme.ISSN, value) == value
        assert journal.issn_linking in (journal.issn_print, journal.issn_electronic)
        assert journal.nlm_id and journal.title and journal.iso_abbreviation == journal.nlm_abbreviation
    assert 0.25 < share["pmc"] / BIG < 0.35  # ~30% in PMC
    assert 0.18 < share["pii"] / BIG < 0.32  # ~25% with a PII


def test_check_digit_helpers():
    assert issn(378_595) == "0378-5955"  # 0*8+3*7+7*6+8*5+5*4+9*3+5*2 = 160; 11 - 160 % 11 = 5
    assert orcid(21_694_233) == "0000-0002-1694-233X"  # the example in ORCID's check-digit documentation
    assert normalise(Scheme.ISSN, issn(1234567)) == issn(1234567)


def test_authors_per_article_and_orcids(big):
    _, articles = big
    counts = [len(a.authors) for a in articles]
    assert min(counts) >= 1 and max(counts) <= 30
    assert 3 <= statistics.median(counts) <= 8
    names: dict[str, set] = defaultdict(set)
    slots = 0
    for article in articles:
        for author in article.authors:
            slots += 1
            if author.orcid:
                assert normalise(Scheme.ORCID, author.orcid) == author.orcid
                names[author.orcid].add((author.family, author.given))
    orcid_slots = sum(1 for a in articles for author in a.authors if author.orcid)
    assert 0.10 < orcid_slots / slots < 0.20  # ~15% of slots
    assert all(len(n) == 1 for n in names.values())  # an ORCID always comes with the same name
    assert orcid_slots / len(names) > 2  # ORCID holders sign several articles each
    assert sum(1 for a in articles for author in a.authors if author.name) > 0  # some collectives


def test_names_repeat_across_articles(big):
    _, articles = big
    families = Counter(author.family for a in articles for author in a.authors if author.family)
    assert families.most_common(1)[0][1] > 50
    assert len(families) < sum(families.values()) / 3


def test_dates_journals_and_pages(big):
    _, articles = big
    years = [a.date.year for a in articles]
    assert years == sorted(years) and years[0] == 1975 and years[-1] == 2025  # years follow the PMIDs
    assert years.count(2020) > years.count(1980)  # more articles in recent years
    precision = Counter((a.date.month is not None) + (a.date.day is not None) for a in articles)
    assert precision[0] and precision[1] and precision[2]  # year, year-month and full dates
    journals = Counter(a.journal.nlm_id for a in articles)
    sizes = sorted(journals.values())
    assert sizes[-1] >= 5 * statistics.median(sizes)  # a few big journals
    pages = [a.pages for a in articles if a.pages]
    assert len(pages) > 0.9 * BIG
    assert any(p.first.startswith("e") for p in pages)  # article numbers
    assert all(int(p.last) >= int(p.first) for p in pages if p.last and p.first.isdigit())


def test_abstracts_and_titles(big):
    _, articles = big
    abstracts = [a.abstract for a in articles if a.abstract]
    assert 0.75 * BIG < len(abstracts) < 0.95 * BIG
    lengths = [len(text.split()) for text in abstracts]
    assert 150 <= statistics.median(lengths) <= 300
    structured = [text for text in abstracts if text.startswith("BACKGROUND: ")]
    assert 0.2 * len(abstracts) < len(structured) < 0.5 * len(abstracts)
    assert all(8 <= len(a.title.split()) <= 30 for a in articles)  # 8-20 words (a token may hold spaces)
    assert any("<" in text for text in abstracts)  # escaped in the XML, read back as text


# --- references and citations -----------------------------------------------------------------------------------

def test_references_cite_earlier_articles_or_outside_works(big):
    _, articles = big
    by_pmid = {_pmid(a): _ids(a.identifiers) for a in articles}
    outside = with_refs = 0
    for article in articles:
        pmid = _pmid(article)
        with_refs += bool(article.references)
        assert not article.references or 5 <= len(article.references) <= 60
        for reference in article.references:
            ids = _ids(reference.identifiers)
            cited = int(ids.get(Scheme.PMID, 0))
            assert cited < pmid  # never itself, never a later article
            if cited >= FIRST:  # in the corpus: every identifier is the cited record's own
                assert all(by_pmid[cited][scheme] == value for scheme, value in ids.items())
            else:
                outside += 1
    references = sum(len(a.references) for a in articles)
    assert 0.5 < with_refs / BIG < 0.7  # ~60% have a reference list
    assert 0.05 < outside / references < 0.2  # ~10% outside (PMIDs below the corpus, DOI or text only)


def test_citation_counts_are_skewed(big):
    """Preferential attachment plus "hot" recent picks, 3,000 articles (seed 1 gives median 2, mean 11.3, top 1%
    holding 25%, 52% with <= 2, 21% uncited). The thresholds leave room for other seeds and small tuning while a
    uniform choice (every article ~11 citations, top 1% ~2%) would fail each of them."""
    _, articles = big
    cites = Counter(int(_ids(r.identifiers).get(Scheme.PMID, 0)) for a in articles for r in a.references)
    counts = sorted(cites.get(pmid, 0) for pmid in range(FIRST, FIRST + BIG))
    total = sum(counts)
    assert sum(counts[-BIG // 100:]) >= 0.15 * total  # the top 1% get at least 15% of citations
    assert statistics.median(counts) <= 3 and total / BIG >= 8  # mean far above median
    assert sum(c <= 5 for c in counts) >= 0.6 * BIG  # most articles get 0-5 citations
    assert sum(c == 0 for c in counts) >= 0.1 * BIG  # many are never cited
    assert counts[-1] >= 100  # while a few get hundreds


def test_different_seeds_keep_the_skew(tmp_path):
    for seed in (7, 8):
        path = tmp_path / f"s{seed}.xml"
        write_corpus(path, articles=1500, seed=seed)
        cites = Counter(int(_ids(r.identifiers).get(Scheme.PMID, 0)) for a in _read(path) for r in a.references)
        counts = sorted(cites.get(pmid, 0) for pmid in range(FIRST, FIRST + 1500))
        assert sum(counts[-15:]) >= 0.15 * sum(counts) and statistics.median(counts) <= 3


def test_increment_cites_only_the_existing_corpus(big, increment):
    _, existing = big
    stats, articles = increment
    by_pmid = {_pmid(a): _ids(a.identifiers) for a in existing}
    assert not [a for a in articles if isinstance(a, Skipped)]
    assert [_pmid(a) for a in articles] == list(range(FIRST + BIG, FIRST + BIG + INCREMENT))
    assert stats.references == stats.references_resolvable == sum(len(a.references) for a in articles) > 0
    named = Counter()
    for article in articles:
        assert article.date.year == 2025
        for reference in article.references:
            ids = _ids(reference.identifiers)
            named[frozenset(ids) & {Scheme.PMID, Scheme.DOI}] += 1
            pmid = int(ids[Scheme.PMID]) if Scheme.PMID in ids else int(ids[Scheme.DOI].rsplit(".", 1)[1])
            assert FIRST <= pmid < FIRST + BIG
            assert all(by_pmid[pmid][scheme] == value for scheme, value in ids.items())
    assert named[frozenset({Scheme.DOI})] and named[frozenset({Scheme.PMID})]  # by DOI alone, by PMID alone
    assert named[frozenset({Scheme.PMID, Scheme.DOI})] > 0.7 * stats.references


def test_increment_shares_journals_and_orcid_holders(big, increment):
    _, existing = big
    _, articles = increment
    old_journals = {a.journal.nlm_id for a in existing}
    assert {a.journal.nlm_id for a in articles} <= old_journals
    old = {(au.orcid, au.family) for a in existing for au in a.authors if au.orcid}
    new = {(au.orcid, au.family) for a in articles for au in a.authors if au.orcid}
    assert len(new & old) > 0.3 * len(new)


def test_pubmed_density_follows_the_real_files(tmp_path, big):
    """The calibrated corpus: about 28 % of articles with a reference list (the real baseline file has 10.7 %, the
    update file 45.8 %), lists of about 25 references; the dense corpus has twice the lists."""
    path = tmp_path / "sparse.xml"
    write_corpus(path, articles=BIG, density="pubmed")
    lists = [len(a.references) for a in _read(path) if a.references]
    dense = [len(a.references) for a in big[1] if a.references]
    assert 0.23 * BIG <= len(lists) <= 0.33 * BIG
    assert 20 <= statistics.mean(lists) <= 32 and max(lists) > 60  # longer lists than the dense corpus's cap
    assert len(dense) > 1.8 * len(lists)


def test_bad_arguments_are_refused(tmp_path):
    with pytest.raises(ValueError):
        write_corpus(tmp_path / "x.xml", articles=-1)
    with pytest.raises(ValueError):
        write_corpus(tmp_path / "x.xml", articles=5, density="sparse")
    with pytest.raises(ValueError):
        write_increment(tmp_path / "x.xml", articles=5, existing=0)


# --- memory -----------------------------------------------------------------------------------------------------

def test_memory_stays_flat(memory_run):
    """50,000 articles (~350 MB of XML) in a subprocess: peak RSS stays under 200 MB and grows little while
    writing (the popularity pool, 4 bytes per entry, and a bounded cache are all that grow)."""
    out, err = memory_run.communicate(timeout=120)
    assert memory_run.returncode == 0, err
    base, peak, articles, size, xml_bytes = map(int, out.split())
    assert articles == MEMORY_ARTICLES and xml_bytes > 2 * size > 0
    assert peak < 200, (base, peak)
    assert peak - base < 60, (base, peak)
