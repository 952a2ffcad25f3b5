"""`kg bench virtuoso`: one source loaded into a private Virtuoso three ways (the Graph Store Protocol, INSERT DATA,
shards + Virtuoso's bulk loader) beside the embedded load, each a `kg` command in a child process; then every
canned query's latency on both stores holding the same graph."""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

from kg.bench import virtuoso as private
from kg.bench.measure import machine, run
from kg.graph import KnowledgeGraph, Remote

SHARD_BYTES = 256 << 20  # uncompressed N-Quads per shard
TARGETS = (("gsp", 0.5, "GSP ≥ 50 % of the embedded load"),
           ("bulk", 2.0, "shards + bulk loader ≥ 2× the embedded load"))


def bench_virtuoso(source: Path, work: Path, *, label: str, articles: int | None, save=lambda results: None,
                   log=print) -> dict:
    """Loads ``source`` into a fresh embedded store and into a private Virtuoso the three ways; for a synthetic
    corpus of ``articles`` (None: a real file), times every canned query on both stores. ``save`` is given the
    results after each step. Returns the results."""
    work.mkdir(parents=True, exist_ok=True)
    store, bulk = work / f"store-{label}", work / "virtuoso-bulk"
    shutil.rmtree(work / "virtuoso", ignore_errors=True)
    shutil.rmtree(bulk, ignore_errors=True)
    results: dict = {"machine": machine(), "source": source.name, "label": label,
                     "started": time.strftime("%Y-%m-%d %H:%M:%S"), "loads": {}}
    server = private.start(work / "virtuoso", bulk=bulk, buffers=340_000)  # 2.7 GiB of cache
    server.supervise()
    results["virtuoso_restarts"] = server.crashes  # the report says when the server died and was restarted
    try:
        target = Remote(server.endpoint, server.update_endpoint, server.graph_store, "dba", server.password, None,
                        server.isql)
        loads = results["loads"]
        # the bulk path and the queries first, the slow HTTP loads last: a run cut short keeps the most
        loads["embedded"] = _timed("embedded", ["load", "--quiet", "--store", str(store), str(source)], log,
                                   quads=lambda: _quads(KnowledgeGraph(store, read_only=True)))
        save(results)
        shards = bulk / label
        loads["export_shards"] = _timed("export_shards", ["export", "--store", str(store), "--shard-size",
                                                          str(SHARD_BYTES), str(shards)], log)
        loads["bulk"] = _remote_load(server, target, ["load", "--quiet", "--bulk", str(shards)], "bulk", log)
        save(results)
        if articles:
            results["queries"] = _queries(store, target, articles, log)
            save(results)
        loads["gsp"] = _remote_load(server, target, ["load", "--quiet", str(source)], "gsp", log)
        save(results)
        loads["insert_data"] = _remote_load(server, Remote(target.endpoint, target.update_endpoint, None, "dba",
                                                           server.password), ["load", "--quiet", str(source)],
                                            "insert_data", log)
        save(results)
    finally:
        server.stop()
    shutil.rmtree(bulk, ignore_errors=True)
    return results


def _kg(args: list[str], remote: Remote | None) -> list[str]:
    options = [] if remote is None else ["--endpoint", remote.endpoint, "--update-endpoint", remote.update_endpoint,
                                         "--user", "dba", "--isql", remote.isql or ""] + \
        (["--graph-store", remote.graph_store] if remote.graph_store else [])
    return [sys.executable, "-m", "kg", *options, *args]


def _timed(name: str, args: list[str], log, *, remote: Remote | None = None, quads=None) -> dict:
    log(f"{name}: kg {' '.join(args)}")
    done = run(_kg(args, remote), env={"KG_PASSWORD": remote.password or ""} if remote else None)
    if done.returncode != 0:
        return {"error": done.stderr.strip()[-500:], "seconds": done.seconds}
    out = {"seconds": done.seconds, "peak_rss_mib": done.peak_rss_mib}
    if quads is not None:
        out["quads"] = quads()
        out["triples_per_s"] = out["quads"] / done.seconds
    log(f"    {json.dumps(out)}")
    return out


def _remote_load(server: private.Virtuoso, target: Remote, args: list[str], name: str, log) -> dict:
    server.wipe()
    return _timed(name, args, log, remote=target, quads=lambda: _quads(KnowledgeGraph(target)))


def _quads(graph: KnowledgeGraph) -> int:
    with graph:
        return int(graph.store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").rows[0][0])


def _queries(store: Path, target: Remote, articles: int, log) -> dict:
    from kg.bench.run import Options, _queries as timed

    options = Options(articles, store.parent)  # the same seed: the same parameters on both stores
    log("queries on the embedded store")
    embedded = timed(store, options, log)
    log("queries on Virtuoso (the same graph, loaded by the bulk loader)")
    remote = timed(target, options, log)
    return {name: {"embedded_p50_ms": embedded[name].get("p50_ms"), "virtuoso_p50_ms": remote[name].get("p50_ms"),
                   "rows": embedded[name].get("mean_rows"), "virtuoso_rows": remote[name].get("mean_rows"),
                   "error": remote[name].get("error") or embedded[name].get("error")} for name in embedded}


def markdown(r: dict) -> str:
    """The report: the loads' triples/s with the targets, and the queries side by side."""
    loads, base = r["loads"], r["loads"].get("embedded", {}).get("triples_per_s")
    lines = [f"# kg bench virtuoso: {r['source']} ({r['started']})", "",
             f"Machine: {r['machine']['cores']} cores, {r['machine']['memory_mib']:,} MiB.", "",
             "| way in | seconds | quads | triples/s | × embedded |", "|---|---|---|---|---|"]
    for key, words in (("embedded", "embedded (kg load)"), ("gsp", "Virtuoso, Graph Store Protocol (kg load)"),
                       ("insert_data", "Virtuoso, INSERT DATA (kg load)"), ("export_shards", "kg export --shard-size"),
                       ("bulk", "Virtuoso, shards + bulk loader (kg load --bulk)")):
        step = loads.get(key, {})
        if "error" in step:
            lines.append(f"| {words} | failed: {step['error'].replace(chr(10), ' ')[:150]} | | | |")
        elif step:
            rate = step.get("triples_per_s")
            lines.append(f"| {words} | {step['seconds']:.1f} | {step.get('quads', '')} | "
                         f"{'' if rate is None else f'{rate:,.0f}'} | "
                         f"{'' if rate is None or not base else f'{rate / base:.2f}'} |")
    if r.get("virtuoso_restarts"):
        lines += ["", f"Virtuoso died and was restarted {len(r['virtuoso_restarts'])} time(s) during the run (exit "
                  f"statuses {r['virtuoso_restarts']}); the figures include the restarts."]
    lines += ["", "| target | met |", "|---|---|"]
    for key, ratio, words in TARGETS:
        rate = loads.get(key, {}).get("triples_per_s")
        lines.append(f"| {words} | {'n/a' if not rate or not base else ('yes' if rate / base >= ratio else 'no')} "
                     f"({'n/a' if not rate or not base else f'{rate / base:.2f}×'}) |")
    if r.get("queries"):
        lines += ["", "| query | embedded p50 ms | Virtuoso p50 ms | × | rows (embedded / Virtuoso) |",
                  "|---|---|---|---|---|"]
        for name, q in sorted(r["queries"].items()):
            if q.get("error"):
                reason = q["error"].replace("\n", " ")[:160]
                lines.append(f"| {name} | {q['embedded_p50_ms'] or 0:.1f} | failed: {reason} | | |")
                continue
            lines.append(f"| {name} | {q['embedded_p50_ms']:.1f} | {q['virtuoso_p50_ms']:.1f} | "
                         f"{q['virtuoso_p50_ms'] / max(q['embedded_p50_ms'], 1e-3):.1f} | "
                         f"{q['rows']:.1f} / {q['virtuoso_rows']:.1f} |")
    return "\n".join(lines) + "\n"


def write(results: dict, out: Path) -> tuple[Path, Path]:
    """Writes ``bench-virtuoso-LABEL.json`` and ``.md`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"bench-virtuoso-{results['label']}"
    stem.with_suffix(".json").write_text(json.dumps(results, indent=2, default=str))
    stem.with_suffix(".md").write_text(markdown(results))
    return stem.with_suffix(".json"), stem.with_suffix(".md")
