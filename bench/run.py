"""Benchmark legiongraph at several sizes; write bench/results/results.{json,md} and print ratios.

For each size N (triples of synthetic data, ``legiongraph.authoring.synth``) it

1. builds the store from Turtle/TriG in a fresh process: load, reason, validate, write, peak memory;
2. serves it with ``legiongraph serve`` (waitress and query worker processes) on a loopback port and
   times every named competency query over HTTP (p50/p95 over repeated runs), and the server's memory;
3. times the same queries in this process on the raw pyoxigraph store the endpoint serves from;
4. adds one new ~100-triple source with ``legiongraph.pipeline.ingest`` (validation and reasoning included);
5. serves the same quads (asserted and inferred) with rdflib-endpoint and times the same queries,
   each capped;
6. serves the same store directory with Oxigraph's own Rust server (``oxigraph serve-read-only``,
   from the ``oxigraph`` package) and times the same queries: the floor for any HTTP endpoint;
7. bulk-loads the same files with raw pyoxigraph, the floor for the build (time, memory, disk).

Ratios compare figures measured in the same run on the same machine; absolute times vary.
Usage: ``python bench/run.py --sizes 10000 100000 1000000`` (``make bench``; ``BENCH_SIZES``
chooses the sizes there).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pyoxigraph as ox
from peer import bench_peer
from report import write_results
from servers import (
    Timing,
    free_port,
    post_query,
    running,
    time_calls,
    tree_memory_mb,
    wait_until_up,
)

from legiongraph.authoring.synth import synthesize
from legiongraph.fsutil import atomic_write_bytes
from legiongraph.progress import Progress
from legiongraph.publish.searchfile import store_version
from legiongraph.query.queries import list_queries
from legiongraph.resources import Resources

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
INGEST_TRIPLES = 100


class Settings(NamedTuple):
    """How hard to time the queries at one size."""

    repeats: int
    query_budget: float
    query_cap: float
    peer: bool


SMALL = Settings(repeats=20, query_budget=10.0, query_cap=60.0, peer=True)
# From 10M the run must fit in an hour: 3 runs of a slow query, the endpoint's own 30 s time limit,
# and no rdflib-endpoint (it took 110 s and several GB to parse 1M quads).
LARGE_SIZE = 5_000_000
LARGE = Settings(repeats=3, query_budget=5.0, query_cap=30.0, peer=False)


def for_size(size: int, args: argparse.Namespace) -> argparse.Namespace:
    """Return the arguments for one size: flags given win, otherwise that size's defaults."""
    base = LARGE if size >= LARGE_SIZE else SMALL
    resolved = argparse.Namespace(**vars(args))
    resolved.repeats = args.repeats if args.repeats is not None else base.repeats
    resolved.query_budget = args.query_budget if args.query_budget is not None else base.query_budget
    resolved.query_cap = args.query_cap if args.query_cap is not None else base.query_cap
    resolved.no_peer = args.no_peer or not base.peer
    return resolved


def _federated(text: str) -> bool:
    """Tell whether a named query uses SERVICE (or says it requires it)."""
    if re.search(r"^#\s*requires:.*\bservice\b", text, re.IGNORECASE | re.MULTILINE):
        return True
    body = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    return bool(re.search(r"\bSERVICE\b", body, re.IGNORECASE))


def _step(*args: str) -> dict:
    """Run one bench/steps.py step in a fresh process and return its JSON result."""
    out = subprocess.run([sys.executable, str(HERE / "steps.py"), *args], capture_output=True, text=True,
                         check=False, timeout=3600)
    if out.returncode != 0:
        raise RuntimeError(f"steps.py {args[0]} failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def prepare_data_dir(work: Path, size: int, progress: Progress) -> Path:
    """Make a data folder with the article and N synthetic triples as its sources."""
    data = work / "data-dir"
    sources = data / "data" / "sources"
    if data.exists():
        shutil.rmtree(data)
    sources.mkdir(parents=True)
    for res in Resources().list("sources"):
        atomic_write_bytes(sources / res.name, res.read_bytes())
    progress.step(f"{size}: synthesizing")
    synthesize(sources / f"synth-{size}.trig", size, seed=1)
    return data


def _raw_worker(store_path: str, queries: list[tuple[str, str]], repeats: int, budget: float,
                conn: Connection) -> None:
    """Time queries on the raw store, sending one summary per query; runs in a child process."""
    store = ox.Store.read_only(store_path)

    def run(text: str) -> int:
        answer = store.query(text, use_default_graph_as_union=True)
        if isinstance(answer, ox.QueryBoolean):
            return int(bool(answer))
        return sum(1 for _ in answer)  # read every solution or triple, as the endpoint does

    for _name, text in queries:
        timing = Timing()
        try:
            timing.runs = time_calls(lambda t=text: run(t), repeats, budget)
        except (SyntaxError, OSError, ValueError) as exc:
            timing.error = str(exc)[:200]
        conn.send(timing.summary())


def _time_raw(store_path: Path, queries: list[tuple[str, str]], repeats: int, budget: float,
              cap: float) -> dict:
    """Time the queries on the raw pyoxigraph store the endpoint serves from, reading every result.

    They run in a child process because a pyoxigraph query cannot be interrupted: one that runs
    past ``cap`` seconds is reported as capped and the child replaced.
    """
    ctx = multiprocessing.get_context("fork")
    results: dict[str, dict] = {}
    pending = list(queries)
    while pending:
        parent, child = ctx.Pipe()
        worker = ctx.Process(target=_raw_worker, args=(str(store_path), pending, repeats, budget, child))
        worker.start()
        child.close()
        while pending:
            name, _ = pending[0]
            if not parent.poll(cap + budget * 2):
                results[name] = {"capped": True, "runs": 0}
                pending.pop(0)
                worker.kill()
                break
            results[name] = parent.recv()
            pending.pop(0)
        worker.join(timeout=10)
    return results


def _time_gate(queries: list[tuple[str, str]]) -> dict:
    """Time the endpoint's query gate alone on texts it has not seen, as a new query pays it."""
    from legiongraph.query.sparqlgate import inspect_query

    # the uncached parse: workers remember recent verdicts, so this is what a new query costs
    inspect_query = getattr(inspect_query, "__wrapped__", inspect_query)
    results = {}
    for name, text in queries:
        timing = Timing()
        try:
            timing.runs = time_calls(lambda t=text: inspect_query(t, None), 5, budget=2.0)
        except Exception as exc:  # the gate refuses some queries; report which and why
            timing.error = f"{type(exc).__name__}: {exc}"[:200]
        results[name] = timing.summary()
    return results


def _time_http(command: list[str], env: dict[str, str], url: str, queries: list[tuple[str, str]],
               repeats: int, budget: float, cap: float, log: Path,
               settle: Callable[[], float | None] | None = None) -> dict:
    """Start a SPARQL server, let it settle, time every query over HTTP, and measure its memory."""
    results = {}
    with running(command, env, log) as process:
        startup = wait_until_up(url, process, timeout=300)
        settled = settle() if settle is not None else None
        idle = tree_memory_mb(process.pid)
        for name, text in queries:
            timing = Timing()
            try:
                timing.runs = time_calls(lambda t=text: post_query(url, t, timeout=cap + 30), repeats,
                                         budget)
            except urllib.error.HTTPError as exc:
                # 503 (ours) or 500 naming a timeout (Oxigraph's): stopped at the time limit
                timing.capped = exc.code in (500, 503) and (exc.code == 503 or b"imeout" in exc.read())
                timing.error = None if timing.capped else f"HTTP {exc.code}"
            except OSError as exc:
                timing.error = str(exc)[:200]
            results[name] = timing.summary()
        serving = tree_memory_mb(process.pid)
    return {"queries": results, "startup_s": startup, "settle_s": settled, "memory_idle": idle,
            "memory_serving": serving}


def _search_index_written(store_path: Path, timeout: float = 900.0) -> float | None:
    """Wait until the server's first start has written the store's search index; return the wait.

    The server writes it in a child process when a store is first served (two minutes at 10M):
    timing queries meanwhile would measure that child's use of a core, not the steady state.
    """
    target = store_path.with_name(store_path.name + ".search-index") / f"{store_version(store_path)}.sqlite"
    started = time.monotonic()
    while not target.exists():
        if time.monotonic() - started > timeout:
            return None
        time.sleep(0.2)
    return time.monotonic() - started


def _time_endpoint(store_path: Path, data_dir: Path, queries: list[tuple[str, str]], repeats: int,
                   budget: float, cap: float, work: Path) -> dict:
    """Serve the store with `legiongraph serve` and time every query over HTTP."""
    port = free_port()
    env = {"LEGIONGRAPH_STORE_PATH": str(store_path), "LEGIONGRAPH_DATA_DIR": str(data_dir),
           "LEGIONGRAPH_QUERY_TIMEOUT": str(cap)}
    command = [str(BIN / "legiongraph"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    return _time_http(command, env, f"http://127.0.0.1:{port}/sparql", queries, repeats, budget, cap,
                      work / "serve.log", settle=lambda: _search_index_written(store_path))


def _time_oxigraph_server(store_path: Path, queries: list[tuple[str, str]], repeats: int,
                          budget: float, cap: float, work: Path) -> dict:
    """Serve the same store directory with Oxigraph's own server, the floor for any HTTP endpoint."""
    port = free_port()
    # The union default graph is what our endpoint serves; the Rust server's own timeout is the cap.
    command = [str(BIN / "oxigraph"), "serve-read-only", "--location", str(store_path),
               "--union-default-graph", "--bind", f"127.0.0.1:{port}", "--timeout-s", str(int(cap))]
    return _time_http(command, {}, f"http://127.0.0.1:{port}/query", queries, repeats, budget, cap,
                      work / "oxigraph-server.log")


def _export(store_path: Path, target: Path) -> None:
    """Dump every quad of the built store to N-Quads, for the peer server."""
    store = ox.Store.read_only(str(store_path))
    store.dump(str(target), format=ox.RdfFormat.N_QUADS)
    del store


def bench_size(size: int, args: argparse.Namespace, queries: list[tuple[str, str]],
               progress: Progress) -> dict:
    """Run every measurement at one size."""
    work = args.work / str(size)
    store_path, data_dir, built = work / "store", work / "data-dir", work / "build.json"
    reused = args.reuse and built.exists()
    if reused:
        progress.step(f"{size}: reusing the store and build figures in {work}")
        build = json.loads(built.read_text())
    else:
        work.mkdir(parents=True, exist_ok=True)
        prepare_data_dir(work, size, progress)
        progress.step(f"{size}: building (load, reason, validate, write)")
        build = _step("build", str(data_dir), str(store_path))
        progress.step(f"{size}: raw pyoxigraph bulk_load of the same files (the build's floor)")
        build["raw_load"] = _step("rawload", str(data_dir), str(work / "raw-store"))
        shutil.rmtree(work / "raw-store", ignore_errors=True)
        atomic_write_bytes(built, json.dumps(build).encode())
    result: dict = {"size": size, "build": build, "build_reused": reused, "repeats": args.repeats,
                    "query_budget_s": args.query_budget, "query_cap_s": args.query_cap,
                    "measured": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    progress.step(f"{size}: timing {len(queries)} queries over HTTP")
    result["endpoint"] = _time_endpoint(store_path, data_dir, queries, args.repeats, args.query_budget,
                                        args.query_cap, work)
    progress.step(f"{size}: timing the same queries on Oxigraph's own server (same store)")
    result["oxigraph_server"] = _time_oxigraph_server(store_path, queries, args.repeats, args.query_budget,
                                                      args.query_cap, work)
    progress.step(f"{size}: timing the same queries on raw pyoxigraph")
    result["raw"] = _time_raw(store_path, queries, args.repeats, args.query_budget, args.query_cap)
    result["gate"] = _time_gate(queries)
    if not args.no_peer:
        progress.step(f"{size}: rdflib-endpoint on the same quads (cap {args.peer_cap:g} s a query)")
        dump = work / "all.nq"
        _export(store_path, dump)
        try:
            result["peer"] = bench_peer(dump, queries, min(args.repeats, 5), args.peer_cap, args.peer_budget,
                                        work / "peer.log")
        except (OSError, RuntimeError, subprocess.SubprocessError) as exc:  # keep what was measured
            result["peer_error"] = str(exc)[:500]
        dump.unlink()
    progress.step(f"{size}: adding one {INGEST_TRIPLES}-triple source")
    # a new source each time, also when a kept store already holds an earlier run's addition
    done = len(list((data_dir / "data" / "sources").glob(f"synth-add-{size}*")))
    extra = work / (f"synth-add-{size}.trig" if not done else f"synth-add-{size}-{done + 1}.trig")
    synthesize(extra, INGEST_TRIPLES, seed=2 + done)
    try:
        result["ingest"] = _step("ingest", str(data_dir), str(store_path), str(extra))
    except RuntimeError as exc:
        result["ingest"] = {"error": str(exc)[-1000:]}
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return result


def main() -> None:
    """Parse the arguments and run the benchmark."""
    env_sizes = os.environ.get("BENCH_SIZES", "").split()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[int(s) for s in env_sizes] or
                        [10_000, 100_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=None,
                        help=f"timed runs per query (after a warm-up); default {SMALL.repeats}, "
                             f"{LARGE.repeats} from {LARGE_SIZE:,} triples")
    parser.add_argument("--query-budget", type=float, default=None,
                        help="seconds per query after which fewer runs are made (at least 3); default "
                             f"{SMALL.query_budget:g}, {LARGE.query_budget:g} from {LARGE_SIZE:,} triples")
    parser.add_argument("--query-cap", type=float, default=None,
                        help="legiongraph and raw pyoxigraph: seconds after which a query is stopped; "
                             f"default {SMALL.query_cap:g}, from {LARGE_SIZE:,} triples "
                             f"{LARGE.query_cap:g} (the endpoint's default time limit)")
    parser.add_argument("--peer-cap", type=float, default=10.0, help="rdflib-endpoint: seconds per query")
    parser.add_argument("--peer-budget", type=float, default=1800.0,
                        help="rdflib-endpoint: seconds per size, restarts included")
    parser.add_argument("--no-peer", action="store_true",
                        help=f"skip rdflib-endpoint (always skipped from {LARGE_SIZE:,} triples: it would "
                             "parse every quad into memory)")
    parser.add_argument("--work", type=Path, default=HERE / "work", help="scratch folder")
    parser.add_argument("--results", type=Path, default=HERE / "results")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument("--merge", type=Path, default=None,
                        help="an earlier results.json whose other sizes to include in the report "
                             "(default: RESULTS/results.json when it exists)")
    parser.add_argument("--no-merge", action="store_true",
                        help="report only the sizes measured in this run")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse a store and its build figures kept by an earlier --keep run")
    args = parser.parse_args()
    progress = Progress()
    named = list_queries(Resources())
    # Federated queries would reach outside this machine: the benchmark sends loopback traffic only.
    queries = [(q.name, q.text) for q in named if not _federated(q.text)]
    excluded = sorted(q.name for q in named if _federated(q.text))
    started = time.time()
    sizes = [bench_size(size, for_size(size, args), queries, progress) for size in args.sizes]
    merge = None if args.no_merge else (args.merge or args.results / "results.json")
    if merge is not None and merge.exists():
        # sizes measured by an earlier run (10M alone takes half an hour) stay beside the new ones
        earlier = json.loads(merge.read_text())["sizes"]
        sizes = sorted(sizes + [s for s in earlier if s["size"] not in args.sizes], key=lambda s: s["size"])
    meta = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
            "wall_s": time.time() - started, "cpus": os.cpu_count(), "python": sys.version.split()[0],
            "pyoxigraph": ox.__version__, "queries": len(queries),
            "excluded_federated_queries": excluded,
            "command": "python bench/run.py --sizes " + " ".join(str(s["size"]) for s in sizes)}
    summary = write_results(args.results, meta, sizes)
    print(summary)
    if not args.keep:
        shutil.rmtree(args.work, ignore_errors=True)


if __name__ == "__main__":
    main()
