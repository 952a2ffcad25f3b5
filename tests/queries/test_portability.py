"""The author and journal queries use nothing Oxigraph-only: rdflib's SPARQL 1.1 engine, a second and independent
implementation, gives the same rows on the same graph. The graph is tiny (rdflib takes minutes per query on the
samples of the other tests): an ORCID's two works, one citing the other, and a third article citing both, from
the 2021 slice (stated by two sources), with the seed page and the PubMed record of one of its citing articles."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib

from conftest import AUTHORS_SOURCE, TEST_DATA
from kg.queries import bind
from samples import overlapping_files, scan

ORCID = "0000-0002-6207-094X"
CASES = [(name, {"author": author, **extra}) for author in (f"orcid:{ORCID}", "Carella P", "Corsi F")
         for name, extra in (("author-publications-per-year", {}), ("author-most-cited-works", {}),
                             ("author-metrics", {}), ("author-metrics", {"self_citations": "exclude"}),
                             ("citing-authors", {}), ("author-journals", {}))]
CASES += [(name, {"journal": journal, **extra}) for journal in ("Plant Cell", "Magnes Res", "J Appl Crystallogr")
          for name, extra in (("journal-most-cited-articles", {}), ("journal-citation-distribution", {}),
                              ("journal-citation-flows", {}), ("journal-impact-window", {"year": "2019", "window": "1"}),
                              ("journal-impact-window", {"year": "2025", "window": "14"}))]
CASES += [("citation-neighbourhood", {"article": "pmid:21933757", "depth": depth}) for depth in ("1", "2")]
CASES += [("citation-path", {"start": "pmid:39917195", "end": "pmid:21933757", "max_len": n}) for n in ("1", "4")]
CASES += [("related-articles", {"article": "pmid:39917195"})]


@pytest.fixture(scope="module")
def engines(tmp_path_factory, pubmed_dir: Path, seed_page: Path):
    from kg import KnowledgeGraph

    folder = tmp_path_factory.mktemp("portability")
    source = pubmed_dir / AUTHORS_SOURCE
    entries = list(scan(source))
    works = {e.pmid for e in entries if ORCID in e.orcids}
    chosen = works | {e.pmid for e in entries if e.cites & works}
    assert len(works) == 2 and len(chosen) == 3
    with KnowledgeGraph(folder / "store") as kg:
        kg.load(overlapping_files(source, folder, chosen) + [seed_page, TEST_DATA / "pubmed_39917195.xml"])
        kg.export(folder / "graph.nt", format="ntriples")  # the union of the sources, as the queries see it
        yield kg, rdflib.Graph().parse(folder / "graph.nt", format="nt")


def _plain(rows) -> list[tuple]:
    values = [tuple(None if v is None else v.toPython() if isinstance(v, rdflib.Literal) else str(v) for v in row)
              for row in rows]
    return sorted(values, key=repr)


@pytest.mark.parametrize(("name", "params"), CASES, ids=[f"{n}-{'-'.join(p.values())}" for n, p in CASES])
def test_rdflib_gives_the_same_rows(engines, name, params):
    kg, graph = engines
    text = bind(kg.queries[name], params, kg._resolve)
    ours = kg.store.query(text).rows
    assert _plain(ours) == _plain(graph.query(text))
    assert ours or name == "citing-authors"  # the others give rows for every case here
