"""Writing a corpus or an increment: the streamed (optionally gzip) file, the arguments checked, the stats."""

from __future__ import annotations

import gzip
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from kg.bench.corpus.article import Gen
from kg.bench.corpus.kinds import DENSITIES
from kg.bench.corpus.popularity import Existing, Popularity
from kg.bench.corpus.references import Policy
from kg.bench.corpus.world import journal_count, shared_world

_FLUSH_CHARS = 1 << 20
_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
         '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
         '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n<PubmedArticleSet>\n')
_TAIL = "</PubmedArticleSet>\n"


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


def _write(path: Path, compress: bool | None, gen: Gen, pmids: range) -> CorpusStats:
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
                 compress: bool | None = None, density: str = "dense") -> CorpusStats:
    """Write ``articles`` PubmedArticle records with PMIDs from ``first_pmid``; gzip when the name ends in .gz.

    Same arguments, same bytes. References cite earlier articles (preferential attachment) or outside works, as
    often as ``density`` says (kg.bench.corpus.kinds: ``dense``, or ``pubmed``, calibrated on real files).
    """
    _check(articles, first_pmid)
    if density not in DENSITIES:
        raise ValueError(f"density is one of {', '.join(DENSITIES)}, not {density!r}")
    gen = Gen(seed, shared_world(journal_count(articles)), first_pmid, articles, Popularity(first_pmid),
              Policy(doi_only=0.0, with_doi=0.55), DENSITIES[density])
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
    gen = Gen(seed, shared_world(journal_count(existing)), first_pmid, existing, Existing(first_pmid, existing),
              Policy(doi_only=0.1, with_doi=0.8))
    start = first_pmid + existing
    return _write(Path(path), None, gen, range(start, start + articles))
