"""The benchmark report: the results as JSON, and a Markdown page with the ratios and the targets."""

from __future__ import annotations

import json
from pathlib import Path

# (what, the check on the results, the target's words)
TARGETS = (
    ("a/b triples/s", lambda r: _ratio(r, "kg_load", "store_limit", "triples_per_s"), 0.5, "≥ 0.5 of the store's limit"),
    ("a/d records/s", lambda r: _ratio(r, "kg_load", "peer", "records_per_s"), 50.0, "≥ 50× the oc_ocdm peer"),
)


def _ratio(results: dict, a: str, b: str, key: str) -> float | None:
    try:
        return results[a][key] / results[b][key]
    except (KeyError, ZeroDivisionError, TypeError):
        return None


def write(results: dict, out: Path) -> tuple[Path, Path]:
    """Writes ``bench-N.json`` and ``bench-N.md`` into ``out``; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    stem = out / (f"bench-{results['articles']}" + ("-queries" if "kg_load" not in results else ""))
    stem.with_suffix(".json").write_text(json.dumps(results, indent=2, default=str))
    stem.with_suffix(".md").write_text(markdown(results))
    return stem.with_suffix(".json"), stem.with_suffix(".md")


def markdown(r: dict) -> str:
    m = r["machine"]
    lines = [f"# kg bench: {r['articles']:,} synthetic articles ({r.get('density', 'dense')} corpus, seed {r['seed']}), "
             f"{r['started']}", "",
             f"Machine: {m['cores']} cores, {m['memory_mib']:,} MiB, {m['processor']}, Python {m['python']}; "
             + ", ".join(f"{k} {v}" for k, v in m["versions"].items() if v), "",
             f"Corpus: {r['corpus']['bytes'] / 1e6:,.1f} MB of gzipped PubMed XML, "
             f"{r['corpus'].get('references', 0):,} references, {r['corpus'].get('orcids', 0):,} ORCIDs."]
    if "kg_load" in r:
        lines += _loads(r)
    lines += _incremental(r) + _queries(r)
    if r.get("kg_load", {}).get("profile"):
        lines += ["", "Where (a)'s time goes (cProfile, top functions by own time):", "", "```",
                  r["kg_load"]["profile"], "```"]
    return "\n".join(lines) + "\n"


def _loads(r: dict) -> list[str]:
    lines = ["", "| step | seconds | records/s | triples/s | peak RSS (MiB) | store (MB) |", "|---|---|---|---|---|---|"]
    for key, label in (("kg_load", "(a) kg load, end to end"), ("store_limit", "(b) pyoxigraph bulk_load alone"),
                       ("rdflib", "(c) rdflib Dataset parse"), ("peer", "(d) oc_ocdm GraphSet + Storer"),
                       ("real_file", "kg load, real 30,000-article baseline file")):
        if key in r and "error" not in r[key]:
            lines.append(_row(label, r[key]))
        elif key in r:
            lines.append(f"| {label} | failed: {r[key]['error'][:120]} | | | | |")
    lines += ["", "| ratio | value | target | met |", "|---|---|---|---|"]
    for name, check, threshold, words in TARGETS:
        value = check(r)
        met = "n/a" if value is None else ("yes" if value >= threshold else f"no ({value / threshold:.0%} of it)")
        lines.append(f"| {name} | {'n/a' if value is None else f'{value:.2f}'} | {words} | {met} |")
    return lines


def _row(label: str, s: dict) -> str:
    rate = s.get("records_per_s")
    triples = s.get("triples_per_s")
    store = s.get("store_bytes")
    return (f"| {label} | {s.get('seconds', 0):.1f} | {'' if rate is None else f'{rate:,.0f}'} | "
            f"{'' if not triples else f'{triples:,.0f}'} | {s.get('peak_rss_mib', 0):,.0f} | "
            f"{'' if store is None else f'{store / 1e6:,.0f}'} |")


def _incremental(r: dict) -> list[str]:
    inc = r.get("incremental")
    if not inc:
        return []
    new = inc.get("articles", 1000)
    ok = inc["new_articles_found"] == new and inc["stale_counts"] == 0
    return ["", f"(e) {new:,} new articles into the {r['articles']:,}-article store: {inc['seconds']:.1f} s "
                f"(target < 10 s at 1 M); {inc['new_articles_found']} of {new:,} found, "
                f"{inc['references_checked']:,} cited articles checked, {inc['stale_counts']} stale counts: "
                f"{'consistent' if ok else 'NOT consistent'}."]


def _queries(r: dict) -> list[str]:
    queries = r.get("queries")
    if not queries:
        return []
    lines = ["", "(f) canned queries on the big store, 20 runs each with varied parameters (5 for a query without "
             "parameters):", "",
             "| query | kind | p50 ms | p95 ms | rows (mean) | target |", "|---|---|---|---|---|---|"]
    for name, q in queries.items():
        limit = 20 if q["kind"] == "entity" else 2000
        met = "met" if q["p50_ms"] <= limit else f"missed ({q['p50_ms'] / limit:.1f}× the limit)"
        lines.append(f"| {name} | {q['kind']} | {q['p50_ms']:.1f} | {q['p95_ms']:.1f} | {q['mean_rows']:.1f} | "
                     f"p50 ≤ {limit:,} ms: {met} |")
    return lines
