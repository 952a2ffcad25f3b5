"""The benchmark's steps on one corpus: kg's load, the store's own limit, the rdflib baseline, the oc_ocdm peer,
an incremental load and canned-query latencies; each load in a child process, measured alone."""

from __future__ import annotations

import dataclasses
import json
import random
import shutil
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import kg
from kg.bench import corpus
from kg.bench.measure import machine, run, size_bytes
from kg.errors import KgError
from kg.graph import KnowledgeGraph
from kg.queries import ParamType

FIRST_PMID = 10_000_001
ENTITY_QUERIES = ("resolve-identifier", "article-metadata", "article-authors", "citing-articles", "cited-articles",
                  "citation-neighbourhood")
RDFLIB_MAX_QUADS = 6_000_000  # rdflib holds about 1.8 KiB a quad in memory: beyond this it would not fit here
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@dataclass(frozen=True, slots=True)
class Options:
    """What to measure. ``work`` holds the corpora and stores (big: about 1 GB per 100,000 articles)."""

    articles: int
    work: Path
    seed: int = 1
    density: str = "dense"  # kg.bench.corpus.kinds.DENSITIES
    peer_python: str | None = None
    peer_limit: float = 600.0
    rdflib_max: int = 100_000
    baseline: Path | None = None
    query_runs: int = 20
    profile: bool = False
    queries_only: bool = False  # step (f) alone, on the store a previous run left in ``work``
    increment: int = 1000  # step (e)'s new articles


def bench(options: Options, *, log=print) -> dict:
    """Runs every step and returns the results (what the report is written from)."""
    options.work.mkdir(parents=True, exist_ok=True)
    results: dict = {"machine": machine(), "articles": options.articles, "seed": options.seed,
                     "density": options.density, "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    dense = options.density == "dense"  # the dense corpus keeps the names earlier runs left
    source = options.work / f"corpus-{options.articles}-{options.seed}{'' if dense else '-' + options.density}.xml.gz"
    store = options.work / f"store-{options.articles}"
    if options.queries_only:
        if not (store.is_dir() and source.exists()):
            raise FileNotFoundError(f"--queries-only measures the store of an earlier run, and {options.work} holds "
                                    f"no {store.name} with its {source.name}: run kg bench --articles "
                                    f"{options.articles} --work {options.work} first")
        results["corpus"] = _corpus(options, source, log)
        results["queries"] = _queries(store, options, log)
        return results
    results["corpus"] = _corpus(options, source, log)
    results["kg_load"] = _kg_load(source, store, options.articles, log, profile=options.profile)
    nquads = options.work / f"export-{options.articles}.nq"
    results["store_limit"] = _store_limit(store, nquads, options.work / "store-limit", log)
    if options.articles <= options.rdflib_max and results["store_limit"]["quads"] <= RDFLIB_MAX_QUADS:
        results["rdflib"] = _rdflib(nquads, log)
    elif options.articles <= options.rdflib_max:
        results["rdflib"] = {"error": f"not run: {results['store_limit']['quads']:,} quads would need about "
                             f"{results['store_limit']['quads'] * 1.8e-3:,.0f} MiB in rdflib (measured 1.8 KiB a "
                             f"quad at 10,000 articles); this machine has {results['machine']['memory_mib']:,} MiB"}
    if options.peer_python:
        results["peer"] = _peer(options, source, log)
    results["incremental"] = _incremental(options, store, log)
    results["queries"] = _queries(store, options, log)
    if options.baseline and options.baseline.is_file():
        results["real_file"] = _kg_load(options.baseline, options.work / "store-real", None, log)
    nquads.unlink(missing_ok=True)
    return results


def _corpus(options: Options, path: Path, log) -> dict:
    if not path.exists():
        log(f"writing a {options.articles}-article corpus to {path}")
        stats = corpus.write_corpus(path, articles=options.articles, seed=options.seed, first_pmid=FIRST_PMID,
                                    density=options.density)
        path.with_suffix(".json").write_text(json.dumps(dataclasses.asdict(stats)))
    return {"file": path.name, "bytes": path.stat().st_size, **json.loads(path.with_suffix(".json").read_text())}


def _kg(*args: str) -> list[str]:
    return [sys.executable, "-m", "kg", *args]


def _kg_load(source: Path, store: Path, articles: int | None, log, *, profile: bool = False) -> dict:
    shutil.rmtree(store, ignore_errors=True)
    log(f"(a) kg load {source.name}")
    done = run(_kg("load", "--quiet", "--store", str(store), str(source)))
    if done.returncode != 0:
        raise RuntimeError(f"kg load failed: {done.stderr.strip()}")
    with KnowledgeGraph(store) as graph:
        quads = int(graph.store.query(COUNT_ALL, union=False).rows[0][0])
        records = articles or int(graph.sparql(
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?a <http://purl.org/spar/fabio/hasPubMedId> ?p } "
            "FILTER EXISTS { ?a <http://purl.org/dc/terms/title> ?t } }").rows[0][0])
    out = {"seconds": done.seconds, "peak_rss_mib": done.peak_rss_mib, "quads": quads, "records": records,
           "records_per_s": records / done.seconds, "triples_per_s": quads / done.seconds,
           "store_bytes": size_bytes(store)}
    if profile:
        out["profile"] = _profile(source, store.with_name(store.name + "-profile"))
    return out


def _profile(source: Path, store: Path) -> str:
    shutil.rmtree(store, ignore_errors=True)
    stats = store.with_suffix(".prof")
    run([sys.executable, "-m", "cProfile", "-o", str(stats), "-m", "kg", "load", "--quiet", "--store", str(store),
         str(source)])
    import io
    import pstats
    text = io.StringIO()
    pstats.Stats(str(stats), stream=text).sort_stats("tottime").print_stats(15)
    shutil.rmtree(store, ignore_errors=True)
    return text.getvalue().split("\n\n", 1)[-1].strip()


def _store_limit(store: Path, nquads: Path, limit_store: Path, log) -> dict:
    log("(b) export as N-Quads, then pyoxigraph's bulk loader alone")
    exported = run(_kg("export", "--store", str(store), "--format", "nquads", str(nquads)))
    shutil.rmtree(limit_store, ignore_errors=True)
    code = ("import sys, pyoxigraph as ox; s = ox.Store(sys.argv[1]); "
            "s.bulk_load(path=sys.argv[2], format=ox.RdfFormat.N_QUADS); s.flush(); print(len(s))")
    done = run([sys.executable, "-c", code, str(limit_store), str(nquads)])
    quads = int(done.stdout.split()[-1])
    result = {"seconds": done.seconds, "peak_rss_mib": done.peak_rss_mib, "quads": quads,
              "triples_per_s": quads / done.seconds, "store_bytes": size_bytes(limit_store),
              "export_seconds": exported.seconds, "nquads_bytes": nquads.stat().st_size}
    shutil.rmtree(limit_store, ignore_errors=True)
    return result


def _rdflib(nquads: Path, log) -> dict:
    log("(c) rdflib Dataset parsing the same N-Quads")
    # rdflib's literal normalisation cannot render a valid negative duration with years and days ("-P1Y2M3D", a
    # citation made before the cited article's date): parsing is measured without it
    done = run([sys.executable, "-c", "import sys, rdflib; rdflib.NORMALIZE_LITERALS = False; d = rdflib.Dataset(); "
                "d.parse(sys.argv[1], format='nquads'); print(sum(len(g) for g in d.graphs()))", str(nquads)])
    quads = int(done.stdout.split()[-1]) if done.returncode == 0 else 0
    return {"seconds": done.seconds, "peak_rss_mib": done.peak_rss_mib, "quads": quads,
            "triples_per_s": quads / done.seconds, "returncode": done.returncode}


def _peer(options: Options, source: Path, log) -> dict:
    log(f"(d) the oc_ocdm peer, at most {options.peer_limit:.0f} s")
    outdir, result = options.work / "peer-out", options.work / "peer.json"
    shutil.rmtree(outdir, ignore_errors=True)
    checkout = str(Path(kg.__file__).resolve().parent.parent)
    done = run([options.peer_python, "-m", "kg.bench.peer", str(source), str(outdir), "--time-limit",
                str(options.peer_limit), "--json", str(result)], env={"PYTHONPATH": checkout})
    shutil.rmtree(outdir, ignore_errors=True)
    if done.returncode != 0:
        return {"error": done.stderr.strip()[-500:]}
    return {**json.loads(result.read_text()), "peak_rss_mib": done.peak_rss_mib}


def _incremental(options: Options, store: Path, log) -> dict:
    log(f"(e) {options.increment:,} new articles citing the corpus, into the big store")
    path = options.work / f"increment-{options.articles}-{options.increment}.xml.gz"
    corpus.write_increment(path, articles=options.increment, existing=options.articles, seed=options.seed + 1,
                           first_pmid=FIRST_PMID)
    done = run(_kg("load", "--quiet", "--store", str(store), str(path)))
    new = [str(FIRST_PMID + options.articles + i) for i in range(options.increment)]
    with KnowledgeGraph(store) as graph:
        found = graph.query("citation-counts", articles=" ".join(f"pmid:{p}" for p in new))
        touched = graph.sparql(f"SELECT DISTINCT ?cited WHERE {{ VALUES ?p {{ {' '.join(chr(34) + p + chr(34) for p in new)} }}"
                               " ?a <http://purl.org/spar/fabio/hasPubMedId> ?p ; <http://purl.org/spar/cito/cites> ?cited }")
        stale = _stale_counts(graph, [str(r[0]) for r in touched.rows])
    return {"articles": options.increment, "seconds": done.seconds, "peak_rss_mib": done.peak_rss_mib,
            "returncode": done.returncode, "new_articles_found": len(found), "references_checked": len(touched),
            "stale_counts": stale}


def _stale_counts(graph: KnowledgeGraph, articles: list[str]) -> int:
    """How many of ``articles`` have a materialised citation count that differs from a fresh count."""
    stale = 0
    for start in range(0, len(articles), 500):
        values = " ".join(f"<{a}>" for a in articles[start:start + 500])
        rows = graph.sparql(f"SELECT ?a (COUNT(DISTINCT ?c) AS ?n) (MAX(?m) AS ?stored) WHERE {{ VALUES ?a {{ {values} }}"
                            " ?c <http://purl.org/spar/cito/cites> ?a OPTIONAL { ?a "
                            "<https://w3id.org/kg-loader/ns#citationCount> ?m } } GROUP BY ?a").rows
        stale += sum(1 for _, n, m in rows if m is None or int(n) != int(m))
    return stale


def _queries(store: Path, options: Options, log) -> dict:
    log(f"(f) every canned query, {options.query_runs} runs each with varied parameters (5 without parameters)")
    rng = random.Random(options.seed)
    out = {}
    with KnowledgeGraph(store) as graph:
        pools = _pools(graph, options.articles, rng)
        for name, query in sorted(graph.queries.items()):
            times, rows = [], []
            varied = [p for p in query.params if p.default is None and p.name not in ("limit", "offset")]
            # a query without parameters asks the same thing each time: a few runs tell its time
            alternatives = [p for p in varied if p.alternative]
            try:
                for i in range((options.query_runs if varied else min(options.query_runs, 5)) + 1):
                    chosen = [p for p in varied if not p.alternative or p is alternatives[i % len(alternatives)]]
                    params = {p.name: _value(p.type, pools, rng) for p in chosen}
                    started = time.perf_counter()
                    result = graph.query(name, **params)
                    if i:  # the first run warms the caches and is not counted
                        times.append((time.perf_counter() - started) * 1000)
                        rows.append(len(result))
            except KgError as exc:  # a store that cannot answer it (the report says so)
                out[name] = {"error": str(exc)[:300], "kind": "entity" if name in ENTITY_QUERIES else "aggregate"}
                log(f"    {name}: failed: {str(exc)[:120]}")
                continue
            times.sort()
            out[name] = {"p50_ms": statistics.median(times), "p95_ms": times[int(0.95 * (len(times) - 1))],
                         "max_ms": times[-1], "mean_rows": statistics.mean(rows),
                         "kind": "entity" if name in ENTITY_QUERIES else "aggregate"}
            log(f"    {name}: p50 {out[name]['p50_ms']:.1f} ms")
    return out


def _pools(graph: KnowledgeGraph, articles: int, rng: random.Random) -> dict[ParamType, list[str]]:
    def sample(scheme: str, prefix: str) -> list[str]:
        rows = graph.sparql("SELECT DISTINCT ?v WHERE { ?id <http://purl.org/spar/datacite/usesIdentifierScheme> "
                            f"<http://purl.org/spar/datacite/{scheme}> ; "
                            "<http://www.essepuntato.it/2010/06/literalreification/hasLiteralValue> ?v } ORDER BY ?v LIMIT 5000").rows
        return [prefix + str(r[0]) for r in rows] or [prefix + "0000-0002-1825-0097"]
    pmids = [f"pmid:{FIRST_PMID + rng.randrange(articles)}" for _ in range(5000)]
    return {ParamType.IDENTIFIER: pmids, ParamType.AUTHOR: sample("orcid", "orcid:"),
            ParamType.JOURNAL: sample("issn", "issn:")}


def _value(kind: ParamType, pools: dict[ParamType, list[str]], rng: random.Random) -> str:
    if kind is ParamType.IDENTIFIERS:
        return " ".join(rng.sample(pools[ParamType.IDENTIFIER], 100))
    if kind in pools:
        return rng.choice(pools[kind])
    return "1" if kind is ParamType.INTEGER else "x"
