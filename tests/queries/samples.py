"""Small real samples for the query tests: chosen PubmedArticle records of a big PubMed file, copied as they are
into new files (two overlapping ones, so that every statement of the overlap is made by two sources), with the
dates of some records removed to have undated works."""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from kg.readers import detect, open_input
from kg.records import Article, Citation

_DATES = ("MedlineCitation/Article/Journal/JournalIssue/PubDate/*", "MedlineCitation/Article/ArticleDate",
          "PubmedData/History")


@dataclass(frozen=True, slots=True)
class Entry:
    """What choosing a sample needs of one PubmedArticle, read with lxml alone (the kg reader is 3x slower)."""

    pmid: str
    journal: str | None  # MedlineTA
    orcids: frozenset[str]
    cites: frozenset[str]  # the PMIDs of its references


def scan(source: Path) -> Iterator[Entry]:
    """One Entry per PubmedArticle of a gzipped PubMed file."""
    for element in _articles(source):
        orcids = {(i.text or "").strip().rsplit("/", 1)[-1] for i in element.iterfind(
            "MedlineCitation/Article/AuthorList/Author/Identifier[@Source='ORCID']")}
        cites = {(i.text or "").strip() for i in element.iterfind(
            "PubmedData/ReferenceList/Reference/ArticleIdList/ArticleId[@IdType='pubmed']")}
        yield Entry(element.findtext("MedlineCitation/PMID"),
                    element.findtext("MedlineCitation/MedlineJournalInfo/MedlineTA"),
                    frozenset(orcids - {""}), frozenset(cites - {""}))


def _articles(source: Path) -> Iterator[etree._Element]:
    """Each PubmedArticle element of a gzipped file, cleared once the caller is done with it."""
    with gzip.open(source, "rb") as raw:
        for _, element in etree.iterparse(raw, tag="PubmedArticle", resolve_entities=False, no_network=True,
                                          load_dtd=False):
            yield element
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]


def read_records(paths: Iterable[Path]) -> list[Article | Citation]:
    """Every Article and Citation the kg readers produce from ``paths``."""
    records: list[Article | Citation] = []
    for path in paths:
        stream, head = open_input(path)
        records.extend(r for r in detect(head, str(path)).read(stream, str(path)) if isinstance(r, (Article, Citation)))
    return records


def undated(pmid: str) -> bool:
    """The records whose dates a sample removes: one in five, by PMID, the same in every file."""
    return int(pmid) % 5 == 0


def write_subsets(source: Path, subsets: dict[Path, set[str]], *, undate: Callable[[str], bool] = undated) -> None:
    """Copies the ``PubmedArticle`` elements of each subset's PMIDs (every version of each) from ``source`` into
    the subset's file, removing the dates of those ``undate`` picks."""
    outs = {path: path.open("wb") for path in subsets}
    try:
        for out in outs.values():
            out.write(b'<?xml version="1.0" encoding="utf-8"?>\n<PubmedArticleSet>\n')
        for element in _articles(source):
            pmid = element.findtext("MedlineCitation/PMID")
            targets = [outs[path] for path, pmids in subsets.items() if pmid in pmids]
            if not targets:
                continue
            if undate(pmid):
                for path in _DATES:
                    for found in element.findall(path):
                        found.getparent().remove(found)
            text = etree.tostring(element, encoding="utf-8") + b"\n"
            for out in targets:
                out.write(text)
        for out in outs.values():
            out.write(b"</PubmedArticleSet>\n")
    finally:
        for out in outs.values():
            out.close()


def overlapping_files(source: Path, folder: Path, pmids: set[str]) -> list[Path]:
    """Two files: the first two thirds of ``pmids`` (in order) and the last two thirds; the middle third is in
    both, so its statements come from two sources (the union graph holds them twice)."""
    ordered = sorted(pmids, key=int)
    third = len(ordered) // 3
    paths = [folder / "first.xml", folder / "second.xml"]
    write_subsets(source, {paths[0]: set(ordered[: 2 * third]), paths[1]: set(ordered[third:])})
    return paths
