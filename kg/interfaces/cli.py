"""The ``kg`` command: a thin shell over KnowledgeGraph; maps errors to exit codes (1 bad input, 2 usage)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

from kg.version import __version__
from kg.errors import KgError, MissingParameter, StoreBusy
from kg.graph import KnowledgeGraph, Remote, credentials
from kg.queries import catalogue
from kg.readers import READERS
from kg.readers.limits import MAX_BYTES
from rdflib import Literal

from kg.results import OutputFormat, Result
from kg.store.oxigraph import EXPORT_FORMATS
from kg.store.shards import MANIFEST
from kg.workers import Job, run_isolated

EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
DEFAULT_TIMEOUT = 60.0
_POLL = 0.5  # seconds between attempts to open a store another process writes to (--wait)


def _target_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    """The store options, accepted before the command (``defaults``: with their defaults) and after it (without
    defaults, so that one given before is kept)."""
    def default(value: object) -> object:
        return value if defaults else argparse.SUPPRESS
    parser.add_argument("--store", metavar="DIR", type=Path, default=default(Path(os.environ.get("KG_STORE", "kg-store"))),
                        help="the embedded store's folder, created on first use (default: $KG_STORE or ./kg-store)")
    parser.add_argument("--base-iri", metavar="IRI", default=default(os.environ.get("KG_BASE_IRI")),
                        help="base of the IRIs minted for a new store (default: https://kg.example.org/); "
                             "fixed once the store exists")
    parser.add_argument("--wait", metavar="SECONDS", type=float, default=default(0.0),
                        help="when another kg process is writing to the store, wait this long for it (default: 0, "
                        "fail at once); sources, export, query and sparql read a snapshot and never wait")
    parser.add_argument("--endpoint", metavar="URL", default=default(os.environ.get("KG_ENDPOINT")),
                        help="a remote SPARQL 1.1 store's query endpoint instead of the embedded store (default: "
                        "$KG_ENDPOINT); e.g. Virtuoso's http://HOST:8890/sparql")
    parser.add_argument("--update-endpoint", metavar="URL", default=default(os.environ.get("KG_UPDATE_ENDPOINT")),
                        help="its SPARQL Update endpoint (default: the query endpoint; Virtuoso: /sparql-auth)")
    parser.add_argument("--graph-store", metavar="URL", default=default(os.environ.get("KG_GRAPH_STORE")),
                        help="its Graph Store Protocol endpoint, for batched writes (Virtuoso: "
                        "/sparql-graph-crud-auth); without it, writes go as INSERT DATA")
    parser.add_argument("--user", metavar="USER", default=default(os.environ.get("KG_USER")),
                        help="the user to write as; the password comes from $KG_PASSWORD or --password-file, a "
                        "bearer token from $KG_TOKEN, never from the command line")
    parser.add_argument("--password-file", metavar="FILE", type=Path, default=default(None),
                        help="a file whose first line is the password (else $KG_PASSWORD)")
    parser.add_argument("--isql", metavar="HOST:PORT", default=default(os.environ.get("KG_ISQL")),
                        help="Virtuoso's SQL port, for kg load --bulk (default: $KG_ISQL, else the endpoint's host "
                        "and 1111)")


def _target(args: argparse.Namespace) -> Path | Remote:
    """The embedded store's folder, or the remote store the options name."""
    if not getattr(args, "endpoint", None):
        return args.store
    password, token = credentials(args.password_file)
    return Remote(args.endpoint, args.update_endpoint, args.graph_store, args.user, password, token, args.isql)


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    _target_options(common, defaults=False)
    guarded = argparse.ArgumentParser(add_help=False)
    guarded.add_argument("--timeout", metavar="SECONDS", type=float, default=DEFAULT_TIMEOUT,
                         help=f"stop the query after this long, exit code 1 (default: {DEFAULT_TIMEOUT:g}; 0: none)")
    guarded.add_argument("--allow-service", action="store_true",
                         help="let SERVICE reach other SPARQL endpoints (refused by default: a query could make "
                         "kg send requests to any address); the --timeout bounds the remote calls too")
    parser = argparse.ArgumentParser(prog="kg", description="Load bibliographic records into an OpenCitations-"
                                     "model RDF graph and query it.")
    parser.add_argument("--version", action="version", version=f"kg {__version__}")
    _target_options(parser, defaults=True)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    load = sub.add_parser("load", parents=[common], help="load files, folders or - (stdin) into the store",
                          description="Load sources into the store, each into its own named graph. The format "
                          "is detected from the content; .gz is decompressed. Loading an unchanged file again "
                          "does nothing; a changed file replaces what it stated before.")
    load.add_argument("paths", nargs="*", metavar="PATH", help="a file, a folder (all its files) or - for stdin")
    load.add_argument("--bulk", metavar="DIR", type=Path,
                      help="load the shards kg export --shards wrote with the store's own bulk loader (Virtuoso's "
                      "over isql, as dba, when the server shares this disk and DIR is in its DirsAllowed), instead "
                      "of PATHs")
    load.add_argument("--format", choices=sorted(READERS), help="skip detection and read every input as this")
    load.add_argument("--quiet", action="store_true", help="no progress bar and no report")
    load.add_argument("--max-bytes", metavar="SIZE", type=_size, default=MAX_BYTES,
                      help="the most kg reads of one source, e.g. 500M or 2G: a longer one fails, and /dev/zero or a "
                      "pipe that never ends stops there (default: 16G)")
    load.add_argument("--strict", action="store_true",
                      help="stop at the first bad record instead of skipping it and loading the rest")

    query = sub.add_parser("query", parents=[common, guarded], help="run a canned query (kg query --list shows them)",
                           description="Run a canned query from the catalogue with typed parameters.")
    query.add_argument("name", nargs="?", help="the query's name")
    query.add_argument("--list", action="store_true", help="list the catalogue: name, title, parameters")
    query.add_argument("--param", "-p", action="append", default=[], metavar="KEY=VALUE",
                       help="a parameter, e.g. --param article=pmid:21933757 (repeatable)")
    query.add_argument("--format", "-f", choices=[f.value for f in OutputFormat], default="table")

    sparql = sub.add_parser("sparql", parents=[common, guarded], help="run any SPARQL query",
                            description="Run a SPARQL 1.1 query over the union of all loaded sources (or the graphs "
                            "its FROM and FROM NAMED clauses name): SELECT and ASK as results, CONSTRUCT and "
                            "DESCRIBE as subject, predicate, object rows.")
    sparql.add_argument("text", metavar="TEXT|@FILE", help="the query, or @path to a file holding it")
    sparql.add_argument("--format", "-f", choices=[f.value for f in OutputFormat], default="table")
    sources = sub.add_parser("sources", parents=[common], help="list the loaded sources",
                             description="List the loaded sources: file name, format, status (complete, or "
                             "incomplete after an interrupted load: load it again to complete it), triples, "
                             "when loaded, and the named graph holding what it stated.")
    sources.add_argument("--format", "-f", choices=[f.value for f in OutputFormat], default="table")
    unload = sub.add_parser("unload", parents=[common], help="remove what one source stated",
                            description="Remove exactly what one source stated (its named graph) and keep the "
                            "counts right; what other sources state of the same articles stays.")
    unload.add_argument("source", metavar="SOURCE", help="the source's path, file name or graph IRI")
    export = sub.add_parser("export", parents=[common], help="write the graph to an RDF file",
                            description="Write the store to a file for other semantic-web tools or another store's "
                            "bulk loader. nquads and trig keep each source's named graph; the other formats "
                            "write the union of all sources as one graph.")
    export.add_argument("output", type=Path, metavar="FILE|DIR", help="the file (.gz: gzipped), or with --shards "
                        "or --shard-size the folder of shards")
    export.add_argument("--format", "-f", choices=sorted(EXPORT_FORMATS), default="nquads")
    sharded = export.add_mutually_exclusive_group()
    sharded.add_argument("--shards", metavar="N", type=_positive,
                         help="write N gzipped N-Quads files of about equal quads, and manifest.json (for bulk "
                         "loaders)")
    sharded.add_argument("--shard-size", metavar="BYTES", type=_positive,
                         help="write gzipped N-Quads files of at most BYTES uncompressed each, and manifest.json")
    validate = sub.add_parser("validate", parents=[common], help="check the store against kg's SHACL shapes",
                              description="Check every article (or a random sample) with everything it reaches "
                              "against ontologies/shapes.ttl (or --shapes FILE) with pySHACL, a batch at a time. "
                              "Prints the violations by rule with examples; exits 1 when there is any.")
    validate.add_argument("--sample", type=_positive, metavar="N", help="check N articles drawn at random (big stores)")
    validate.add_argument("--seed", type=int, default=0, help="the random draw's seed (default 0)")
    validate.add_argument("--shapes", type=Path, metavar="FILE", help="a SHACL shapes file instead of kg's")
    validate.add_argument("--format", "-f", choices=("table", "json", "turtle"), default="table",
                          help="table for people, json, or turtle: the standard SHACL validation report")
    infer = sub.add_parser("infer", parents=[common], help="materialise what the profile entails",
                           description="Write what the application profile entails (inverse properties, "
                           "super-classes, super-properties such as cito:cites) into the graph 'inferred', "
                           "replacing what an earlier run wrote; 'kg unload inferred' drops it.")
    infer.add_argument("--sample", type=_positive, metavar="N", help="only for N articles drawn at random")
    infer.add_argument("--seed", type=int, default=0)
    serve = sub.add_parser("serve", parents=[common], help="serve the graph over HTTP (SPARQL, API, pages)",
                           description="Serve the store: the SPARQL 1.1 Protocol at /sparql, the canned queries at "
                           "/api (OpenAPI at /openapi.json), every minted IRI as linked data, and a page at /. "
                           "Read-only unless $KG_UPDATE_TOKEN or --update-token-file gives an update token.")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1 only)")
    serve.add_argument("--port", type=int, default=7878)
    serve.add_argument("--timeout", metavar="SECONDS", type=float, default=DEFAULT_TIMEOUT,
                       help=f"a query's time limit; its worker process is ended then (default: {DEFAULT_TIMEOUT:g})")
    serve.add_argument("--max-rows", metavar="N", type=int, default=10_000,
                       help="rows (or triples) of one answer; a longer one is cut and says so (default: 10000; 0: "
                       "no limit)")
    serve.add_argument("--workers", type=int, default=4, help="query worker processes (default: 4)")
    serve.add_argument("--max-waiting", metavar="N", type=int, default=32,
                       help="queries that wait for a worker beyond those running; more get 503 (default: 32)")
    serve.add_argument("--max-body", metavar="BYTES", type=int, default=10 << 20,
                       help="the largest request body: query, form, graph or file (default: 10 MiB)")
    serve.add_argument("--cors", nargs="+", default=[], metavar="ORIGIN",
                       help="origins whose pages may call the server (e.g. https://yasgui.example; * for any)")
    serve.add_argument("--update-token-file", type=Path, metavar="FILE",
                       help="a file holding the update token (else $KG_UPDATE_TOKEN; neither: read-only)")
    serve.add_argument("--allow-service", action="store_true",
                       help="let queries use SERVICE and updates LOAD: any caller could then make the server "
                       "send requests to any address (off by default)")
    bench = sub.add_parser("bench", help="measure kg against the store's limit and its peers",
                           description="Generate a seeded synthetic PubMed corpus and measure, side by side: kg load "
                           "end to end, pyoxigraph's bulk loader alone, rdflib, the oc_ocdm peer, an incremental "
                           "load and every canned query. Writes bench-N.json and bench-N.md.")
    bench.add_argument("what", nargs="?", choices=["serve", "virtuoso"],
                       help="serve: load-test `kg serve` (and Oxigraph's server, with --oxigraph) on --store; "
                       "virtuoso: load the corpus (or --baseline FILE alone) into a private Virtuoso by the Graph "
                       "Store Protocol, INSERT DATA and shards + its bulk loader beside the embedded load, and time "
                       "every canned query on both (needs virtuoso-opensource)")
    bench.add_argument("--store", type=Path, help="kg bench serve: the store to serve (e.g. WORK/store-10000)")
    bench.add_argument("--clients", type=int, default=8, help="kg bench serve: concurrent clients (default: 8)")
    bench.add_argument("--seconds", type=float, default=20.0, help="kg bench serve: seconds per workload")
    bench.add_argument("--workers", type=int, default=4,
                       help="kg bench serve: kg serve's query workers (default: 4, as kg serve)")
    bench.add_argument("--oxigraph", metavar="COMMAND",
                       help="kg bench serve: the `oxigraph` command (PyPI oxigraph, in the benchmark's own "
                       "environment only), to measure its server on the same store and requests")
    bench.add_argument("--articles", type=int, default=10_000, help="corpus size (e.g. 10000, 100000, 1000000)")
    bench.add_argument("--work", type=Path, default=Path("bench-work"), help="folder for corpora and stores")
    bench.add_argument("--out", type=Path, default=Path("bench-report"), help="folder for the report")
    bench.add_argument("--seed", type=int, default=1)
    bench.add_argument("--density", choices=["dense", "pubmed"], default="dense",
                       help="the corpus's citations: dense (61%% of articles with a reference list, 12.5 references "
                       "an article: a citation-heavy load) or pubmed (calibrated on the real baseline and update "
                       "files: 28%%, 7.5 an article; what fits a million articles on one disk). Default: dense")
    bench.add_argument("--peer-python", metavar="PYTHON",
                       help="a Python with oc-ocdm installed, to measure the peer (skipped without it)")
    bench.add_argument("--baseline", type=Path, help="a real PubMed file to measure end to end as well")
    bench.add_argument("--profile", action="store_true", help="profile kg load and put the top functions in the report")
    bench.add_argument("--queries-only", action="store_true",
                       help="measure only the canned queries (f), on the store an earlier run left in --work "
                       "(after changing the queries); writes bench-N-queries.json and .md")
    return parser


def _size(text: str) -> int:
    """A size in bytes: ``500M``, ``2G``, ``64K`` or a number of bytes."""
    scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(text[-1:].upper(), 1)
    number = text[:-1] if scale > 1 else text
    if not number.isdigit() or int(number) < 1:
        raise argparse.ArgumentTypeError(f"a size such as 500M, 2G or 1048576, not {text!r}")
    return int(number) * scale


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"a whole number from 1 up, not {text!r}")
    return int(text)


def _params(pairs: list[str], parser: argparse.ArgumentParser) -> dict[str, str]:
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            parser.error(f"--param takes KEY=VALUE, got {pair!r}")
        params[key.strip()] = value
    return params


def _term(value: object) -> Literal | None:
    return None if value is None else Literal(value)


def _list() -> str:
    lines = []
    for q in catalogue().values():
        shown = [f"{p.name}:{'|'.join(p.choices) or p.type.value}" + (f"={p.default}" if p.default else "")
                 for p in q.params if not p.alternative]
        alternatives = " | ".join(f"{p.name}:{p.type.value}" for p in q.params if p.alternative)
        params = ", ".join(([f"one of {alternatives}"] if alternatives else []) + shown)
        lines.append(f"{q.name:<24} {q.title}\n{'':<24} params: {params or '-'}")
    return "\n".join(lines) + "\n"


def _bench(args: argparse.Namespace) -> int:
    from kg.bench import report
    from kg.bench.run import Options, bench

    if args.what == "serve":
        from kg.bench import serve

        if args.store is None or not args.store.is_dir():
            print("kg: kg bench serve needs --store DIR, a loaded store (kg bench --articles N leaves one in "
                  "WORK/store-N)", file=sys.stderr)
            return EXIT_USAGE
        found = serve.bench_serve(serve.Options(args.store.resolve(), clients=args.clients, seconds=args.seconds,
                                                oxigraph=args.oxigraph, workers=args.workers), log=lambda line: print(line, file=sys.stderr))
        for path in serve.report(found, args.out):
            print(path)
        return EXIT_OK
    if args.what == "virtuoso":
        return _bench_virtuoso(args)
    options = Options(args.articles, args.work, seed=args.seed, density=args.density, peer_python=args.peer_python,
                      baseline=args.baseline, profile=args.profile, queries_only=args.queries_only)
    try:
        results = bench(options, log=lambda line: print(line, file=sys.stderr))
    except FileNotFoundError as exc:
        print(f"kg: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for path in report.write(results, args.out):
        print(path)
    return EXIT_OK


def _bench_virtuoso(args: argparse.Namespace) -> int:
    from kg.bench import remote
    from kg.bench.run import Options, _corpus

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)
    if args.baseline is not None:
        source, label, articles = args.baseline, "real-" + args.baseline.name.split(".")[0], None
    else:
        options = Options(args.articles, args.work, seed=args.seed, density=args.density)
        args.work.mkdir(parents=True, exist_ok=True)
        suffix = "" if args.density == "dense" else "-" + args.density  # as kg bench names its corpora
        source = args.work / f"corpus-{args.articles}-{args.seed}{suffix}.xml.gz"
        _corpus(options, source, log)
        label, articles = f"{args.articles}{suffix}", args.articles
    results = remote.bench_virtuoso(source, args.work, label=label, articles=articles, log=log,
                                    save=lambda partial: remote.write(partial, args.out))
    for path in remote.write(results, args.out):
        print(path)
    return EXIT_OK


def _validate(graph: KnowledgeGraph, args: argparse.Namespace) -> int:
    from kg.ontology.validate import load_shapes, render, validate

    from tqdm import tqdm

    shapes = load_shapes(args.shapes) if args.shapes else None
    with tqdm(total=args.sample, unit=" articles", leave=False, disable=not sys.stderr.isatty()) as bar:
        found = validate(graph.store, graph.minter, shapes=shapes, sample_size=args.sample, seed=args.seed,
                         keep_report=args.format == "turtle", progress=bar.update)
    sys.stdout.write(render(found, args.format))
    return EXIT_OK if found.conforms else EXIT_BAD_INPUT


def _run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.command == "bench":
        return _bench(args)
    if args.command in ("query", "sparql"):
        return _query(args, parser)
    if args.command == "serve":
        return _serve(args)
    if args.command == "load" and (not args.paths) == (args.bulk is None):
        parser.error("kg load takes PATHs or --bulk DIR, one of them")
    if (served := _served(args)) is not None:
        return served
    if args.command == "load":
        code, text = _load(args)
        if text:
            print(text, file=sys.stderr)
        return code
    with _open(args, read_only=args.command in ("sources", "export")) as graph:  # a snapshot, even during a load
        if args.command != "sources":  # which lists every source's status itself
            _note_interrupted(graph)
        if args.command == "sources":
            columns = ("label", "format", "status", "triples", "loaded", "graph")
            rows = [tuple(_term(s.get(c)) for c in columns) for s in graph.sources()]
            sys.stdout.write(Result(columns, rows).render(OutputFormat(args.format)))
            return EXIT_OK
        if args.command == "unload":
            removed = graph.unload(args.source)
            print(f"unloaded {args.source}: {removed} triples removed", file=sys.stderr)
            return EXIT_OK
        if args.command == "validate":
            return _validate(graph, args)
        if args.command == "infer":
            from kg.ontology.infer import infer
            written = infer(graph.store, graph.minter, sample_size=args.sample, seed=args.seed)
            print(f"inferred: {written} statements in {graph.minter.base}graph/inferred", file=sys.stderr)
            return EXIT_OK
        if args.command == "export" and (args.shards or args.shard_size):
            manifest = graph.export_shards(args.output, shards=args.shards, shard_size=args.shard_size)
            print(f"exported {manifest.quads} quads in {len(manifest.files)} shards: {args.output / MANIFEST}",
                  file=sys.stderr)
            return EXIT_OK
        if args.command == "export":
            graph.export(args.output, format=args.format)
            return EXIT_OK
    return EXIT_OK


def _open(args: argparse.Namespace, *, read_only: bool = False) -> KnowledgeGraph:
    """The store, read-only (a snapshot) or to write; a store another kg process writes to is waited for up to
    ``--wait`` seconds, saying so once, then StoreBusy."""
    deadline, told = time.monotonic() + args.wait, False
    while True:
        try:
            return KnowledgeGraph(_target(args), base_iri=args.base_iri, read_only=read_only)
        except StoreBusy:
            if time.monotonic() >= deadline:
                raise
            if not told:
                print(f"kg: {args.store}: another kg process is writing to the store; waiting for it (up to "
                      f"{args.wait:g} s)", file=sys.stderr)
                told = True
            time.sleep(min(_POLL, max(deadline - time.monotonic(), 0)))


def _note_interrupted(graph: KnowledgeGraph) -> None:
    """One line per source that a killed load or unload left half done, saying how to finish it."""
    for source in graph.sources():
        if source.get("status") == "incomplete":
            print(f"kg: note: {source.get('label')} is incomplete (a load is under way, or was interrupted or "
                  f"failed): load it again to complete it", file=sys.stderr)
        elif source.get("status") == "unloading":
            print(f"kg: note: {source.get('label')} is half unloaded (an unload was interrupted): kg unload "
                  f"{source.get('label')} finishes it, kg load restores it", file=sys.stderr)


def _load(args: argparse.Namespace) -> tuple[int, str]:
    """Loads, and says what to print: the load report, or with --quiet the failures alone. Ctrl-C ends the
    process at once, as a SIGKILL would (a killed load leaves its source incomplete, and loading it again
    completes it), instead of after the bulk loader's chunk, the counts and the merging (10 s and more)."""
    def interrupted(signum, frame) -> None:
        sys.stderr.write("kg: interrupted\n")
        sys.stderr.flush()
        os._exit(EXIT_INTERRUPTED)
    previous = signal.signal(signal.SIGINT, interrupted)
    try:
        with _open(args) as graph:
            _note_interrupted(graph)
            if args.bulk is not None:
                started = time.perf_counter()
                manifest = graph.load_shards(args.bulk)
                return EXIT_OK, "" if args.quiet else (f"bulk-loaded {manifest.quads} quads from "
                                                        f"{len(manifest.files)} shards in "
                                                        f"{time.perf_counter() - started:.1f} s")
            report = graph.load(args.paths, format=args.format, progress=not args.quiet, strict=args.strict,
                                max_bytes=args.max_bytes)
    finally:
        signal.signal(signal.SIGINT, previous)
    failures = [f"kg: {s.error}" for s in report.sources if s.status == "failed"]  # one line each, report or not
    text = "\n".join(failures if args.quiet else [report.render(), *failures])
    return (EXIT_BAD_INPUT if report.failed else EXIT_OK), text


def _served(args: argparse.Namespace) -> int | None:
    """On a store that `kg serve` holds: a load goes through the server (with $KG_UPDATE_TOKEN), anything else
    that writes fails at once saying how to load; None when no server holds the store."""
    from kg.interfaces.server.serve import load_through, served_by

    if getattr(args, "endpoint", None):
        return None
    info = served_by(args.store)
    if info is None or args.command == "bench":
        return None
    token = os.environ.get("KG_UPDATE_TOKEN", "").strip()
    if getattr(args, "bulk", None) is not None:
        raise KgError(f"the store is served by kg serve at {info['url']} (pid {info['pid']}): stop the server to "
                      "bulk-load into it", source=str(args.store))
    if args.command != "load" or not token:
        raise KgError(f"the store is served by kg serve at {info['url']} (pid {info['pid']}): "
                      + ("set $KG_UPDATE_TOKEN to the server's update token and kg load sends the files "
                         f"through it (POST {info['url']}load?name=FILE)" if args.command == "load" else
                         "stop the server to change the store, or query it through the server"),
                      source=str(args.store))
    failed = False
    for path, status, report in load_through(info, args.paths, token):
        failed |= status != 200
        print(report if status in (200, 422) else f"kg: {path}: the server answered {status or 'nothing'}: "
              f"{report}", file=sys.stderr)
    return EXIT_BAD_INPUT if failed else EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    from kg.interfaces.server.app import Settings
    from kg.interfaces.server.serve import serve, token

    serve(Settings(args.store.resolve(), host=args.host, port=args.port, timeout=args.timeout or 10 ** 9,
                   max_rows=args.max_rows, workers=args.workers, max_waiting=args.max_waiting,
                   max_body=args.max_body, cors=tuple(args.cors), token=token(args.update_token_file),
                   allow_service=args.allow_service, base_iri=args.base_iri,
                   remote=target if isinstance(target := _target(args), Remote) else None))
    return EXIT_OK


def _query(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """kg query and kg sparql: the query runs in a child process, ended at the deadline or on Ctrl-C."""
    if args.command == "query" and args.list:
        sys.stdout.write(_list())
        return EXIT_OK
    if args.command == "query":
        if not args.name:
            parser.error("kg query needs a query NAME or --list")
        job = Job(name=args.name, params=_params(args.param, parser))
    else:
        job = Job(text=_query_text(args.text), allow_service=args.allow_service)
    # SIGINT stops the query even when kg was started with it ignored (a shell's background job, `nohup`): as
    # `kg load` does, the handler is set here rather than inherited
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        result = run_isolated(job, store=_target(args), base_iri=args.base_iri, timeout=args.timeout or None)
    finally:
        signal.signal(signal.SIGINT, previous)
    sys.stdout.write(result.render(OutputFormat(args.format)))
    return EXIT_OK


def _query_text(text: str) -> str:
    if not text.startswith("@"):
        return text
    try:
        return Path(text[1:]).read_text(encoding="utf-8")
    except OSError as exc:
        raise KgError(f"cannot read the query file: {exc.strerror}", source=text[1:]) from exc
    except UnicodeDecodeError as exc:
        raise KgError(f"the query file is not UTF-8 text (byte {exc.start})", source=text[1:]) from exc


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``kg`` console script; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return _run(args, parser)
    except MissingParameter as exc:
        print(f"kg: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KgError as exc:
        print(f"kg: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("kg: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
