"""The serving floor and serving memory (issue 18): our endpoint beside Oxigraph's own server.

Serves one built store with ``legiongraph serve`` and with ``oxigraph serve-read-only
--union-default-graph`` at once, then times, interleaved (A, B, B, A, ...) so that a neighbour's
load falls on both alike:

- the fixed cost of a request: ``ASK {}`` and a small SELECT, over a keep-alive connection and
  over a new connection per request (``--floor N`` requests each, in blocks);
- every named query that runs locally, with the same client as ``bench/run.py`` (a new connection
  per request, form POST), ``--rounds`` times each; the median of the per-query ratios and how
  many queries are within 1.5x + 2 ms;
- our start-up: seconds until ``/sparql`` answers and until the search index is ready (the first
  ``/search/suggest`` answer), then a few searches and browse pages, timed once each;
- the memory of each server's processes after the queries and pages: RSS, PSS and USS from
  ``/proc/PID/smaps_rollup`` (PSS shares the pages forked workers have in common fairly).

Usage: ``python bench/serving.py STORE [--rounds 5] [--floor 500] [--workers 3] [--json OUT]``.
Every process it starts is stopped by its own process id.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from servers import (
    accept_for,
    free_port,
    post_query,
    running,
    tree_memory_mb,
    wait_until_up,
)

from legiongraph.query.queries import list_queries
from legiongraph.resources import Resources

BIN = Path(sys.executable).parent
SMALL_SELECT = "SELECT ?s WHERE { ?s a <http://schema.org/Person> } LIMIT 5"


def _requests(port: int, path: str, query: str, count: int, keep_alive: bool) -> list[float]:
    """Send ``count`` form POSTs of one query; return the milliseconds of each."""
    body = urllib.parse.urlencode({"query": query})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept_for(query)}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times = []
    for _ in range(count):
        if not keep_alive:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        started = time.perf_counter()
        conn.request("POST", path, body, headers)
        response = conn.getresponse()
        data = response.read()
        times.append((time.perf_counter() - started) * 1000)
        if response.status != 200:
            raise RuntimeError(f"{path} answered {response.status}: {data[:200]!r}")
        if not keep_alive:
            conn.close()
    conn.close()
    return times


def floor(ours: tuple[int, str], theirs: tuple[int, str], count: int) -> dict:
    """Time ASK {} and a small SELECT on both servers, in interleaved blocks."""
    out = {}
    for label, query in (("ASK {}", "ASK {}"), ("small SELECT", SMALL_SELECT)):
        for keep_alive in (True, False):
            a: list[float] = []
            b: list[float] = []
            for block in range(6):
                first, second = (ours, theirs) if block % 2 == 0 else (theirs, ours)
                for port, path in (first, second):
                    times = _requests(port, path, query, max(1, count // 6), keep_alive)
                    (a if (port, path) == ours else b).extend(times)
            key = f"{label}, {'keep-alive' if keep_alive else 'new connection'}"
            out[key] = {"ours_ms": statistics.median(a), "oxigraph_ms": statistics.median(b)}
    return out


def _timed(url: str, text: str) -> float | str:
    """Return the milliseconds one query took, or why it failed (a 503 past the time limit)."""
    started = time.perf_counter()
    try:
        post_query(url, text, timeout=300)
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"
    except OSError as exc:
        return str(exc)[:100]
    return (time.perf_counter() - started) * 1000


def named(ours: str, theirs: str, queries: list[tuple[str, str]], rounds: int) -> dict:
    """Time every query on both servers, alternating which goes first; return medians per query.

    The first run of each query on each server warms it and is the figure only with
    ``rounds`` 0.
    """
    runs: dict[str, tuple[list, list]] = {name: ([], []) for name, _ in queries}
    for name, text in queries:
        runs[name][0].append(_timed(ours, text))
        runs[name][1].append(_timed(theirs, text))
    for rnd in range(rounds):
        for i, (name, text) in enumerate(queries):
            if rnd == 0:
                for side in (0, 1):
                    runs[name][side].clear()
            order = (0, 1) if (rnd + i) % 2 == 0 else (1, 0)
            for side in order:
                runs[name][side].append(_timed((ours, theirs)[side], text))
    out: dict[str, dict] = {}
    for name, (a, b) in runs.items():
        failed = [r for r in a + b if isinstance(r, str)]
        if failed:
            out[name] = {"error": failed[0], "ours": a, "oxigraph": b}
            continue
        ma, mb = statistics.median(a), statistics.median(b)
        out[name] = {"ours_ms": ma, "oxigraph_ms": mb, "ratio": ma / mb, "within": ma <= 1.5 * mb + 2.0}
    return out


#: searches and browse pages a visitor would open; the person lists are the longest
PAGES = ("/search/suggest?q=an", "/search/suggest?q=Herylovych",
         "/search?q=synthetic+person+12&format=json", "/search?q=Synthetic+persn+12&format=json",
         "/id/person/", "/id/person/?sort=country&order=desc&page=2", "/id/org/?sort=country",
         "/id/country/")


def _get_ms(base: str, path: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(base + path, timeout=300) as response:
        response.read()
    return (time.perf_counter() - started) * 1000


def startup_and_pages(base: str, up_s: float) -> dict:
    """Wait until the search index answers; then time each of PAGES once."""
    started = time.perf_counter()
    _get_ms(base, "/search/suggest?q=a")
    ready = up_s + time.perf_counter() - started
    return {"sparql_up_s": up_s, "search_ready_s": ready,
            "pages_ms": {path: _get_ms(base, path) for path in PAGES}}


def main() -> None:
    """Run both servers on the store and print the floor, the named queries and the memory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--rounds", type=int, default=5,
                        help="timed runs of each query after a warm-up (0: the warm-up is the figure)")
    parser.add_argument("--floor", type=int, default=600, help="requests per floor measurement")
    parser.add_argument("--workers", type=int, default=None, help="query workers (default: config)")
    parser.add_argument("--no-queries", action="store_true", help="only the floor and the memory")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    our_port, ox_port = free_port(), free_port()
    # the time limit of bench/run.py, so that the slowest queries at 1M and more are answered
    env = {"LEGIONGRAPH_STORE_PATH": str(args.store.resolve()), "LEGIONGRAPH_QUERY_TIMEOUT": "120"}
    if args.workers:
        env["LEGIONGRAPH_WORKERS"] = str(args.workers)
    ours = [str(BIN / "legiongraph"), "serve", "--host", "127.0.0.1", "--port", str(our_port)]
    theirs = [str(BIN / "oxigraph"), "serve-read-only", "--location", str(args.store),
              "--union-default-graph", "--bind", f"127.0.0.1:{ox_port}", "--timeout-s", "120"]
    our_url, ox_url = f"http://127.0.0.1:{our_port}/sparql", f"http://127.0.0.1:{ox_port}/query"
    logs = Path("/tmp") / f"legiongraph-serving-{our_port}"
    logs.mkdir(exist_ok=True)
    queries = [(q.name, q.text) for q in list_queries(Resources())
               if "# requires: service" not in q.text]
    result: dict = {"store": str(args.store), "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    with running(ours, env, logs / "ours.log") as a, running(theirs, {}, logs / "oxigraph.log") as b:
        up = wait_until_up(our_url, a, timeout=300)
        result["startup"] = startup_and_pages(f"http://127.0.0.1:{our_port}", up)
        wait_until_up(ox_url, b, timeout=300)
        result["floor"] = floor((our_port, "/sparql"), (ox_port, "/query"), args.floor)
        if not args.no_queries:
            result["queries"] = named(our_url, ox_url, queries, args.rounds)
        result["pages_after_ms"] = {path: _get_ms(f"http://127.0.0.1:{our_port}", path) for path in PAGES}
        result["memory"] = {"ours": tree_memory_mb(a.pid), "oxigraph": tree_memory_mb(b.pid)}
    start = result["startup"]
    print(f"start-up: /sparql answers after {start['sparql_up_s']:.1f} s, the search index after "
          f"{start['search_ready_s']:.1f} s")
    for path, ms in start["pages_ms"].items():
        after = result["pages_after_ms"][path]
        print(f"page {path:<48} first {ms:8.1f} ms, after the queries {after:8.1f} ms")
    for key, row in result["floor"].items():
        print(f"floor {key:<32} ours {row['ours_ms']:7.3f} ms   oxigraph {row['oxigraph_ms']:7.3f} ms")
    if "queries" in result:
        rows = result["queries"]
        for name, row in sorted(rows.items()):
            if "error" in row:
                print(f"{name:<36} failed: {row['error']} (ours {row['ours']}, oxigraph {row['oxigraph']})")
                continue
            print(f"{name:<36} {row['ours_ms']:9.2f} {row['oxigraph_ms']:9.2f} {row['ratio']:6.2f}x"
                  f"{'' if row['within'] else '  OVER 1.5x+2ms'}")
        ratio = statistics.median(r["ratio"] for r in rows.values() if "ratio" in r)
        within = sum(r.get("within", False) for r in rows.values())
        result["median_ratio"], result["within"] = ratio, within
        print(f"median of per-query ratios {ratio:.3f}x (target 1.15x); within 1.5x + 2 ms: "
              f"{within} of {len(rows)}")
    for side, mem in result["memory"].items():
        print(f"memory {side}: RSS {mem['rss_mb']:.0f} MB, PSS {mem['pss_mb']:.0f} MB, "
              f"USS {mem['uss_mb']:.0f} MB in {len(mem['per_process'])} processes")
        for proc in mem["per_process"]:
            print(f"    pid {proc['pid']:>7}  RSS {proc['rss_mb']:6.0f}  PSS {proc['pss_mb']:6.0f}  "
                  f"USS {proc['uss_mb']:6.0f}  {proc['command'][:70]}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
