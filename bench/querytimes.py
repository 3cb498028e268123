"""Time every named query once on a built store, in-process on raw pyoxigraph, each stopped at a cap.

``python bench/querytimes.py STORE [--cap 90] [NAME ...]`` prints one tab-separated line per query:
name, wall seconds, CPU seconds, rows (or triples) read, and the 1-minute load average when it
ended. Each query runs in a fresh child process on the store opened read-only (union default
graph, as the endpoint serves it) and every result is read; a query past the cap is killed and
shown as ``>CAP``. Federated queries (SERVICE) are skipped: all traffic stays on the machine.
This is how the 10M figures in docs/performance.md were taken, without `make bench`'s repeats.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import time
from multiprocessing.connection import Connection

import pyoxigraph as ox

from legiongraph.query.queries import list_queries
from legiongraph.resources import Resources


def _federated(text: str) -> bool:
    body = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    return bool(re.search(r"\bSERVICE\b", body, re.IGNORECASE))


def _run(store_path: str, text: str, conn: Connection) -> None:
    store = ox.Store.read_only(store_path)
    cpu, wall = time.process_time(), time.perf_counter()
    answer = store.query(text, use_default_graph_as_union=True)
    rows = int(bool(answer)) if isinstance(answer, ox.QueryBoolean) else sum(1 for _ in answer)
    conn.send((time.perf_counter() - wall, time.process_time() - cpu, rows))


def main() -> None:
    """Parse the arguments and time the queries."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("store")
    parser.add_argument("names", nargs="*", help="only these named queries")
    parser.add_argument("--cap", type=float, default=90.0, help="seconds after which a query is killed")
    args = parser.parse_intermixed_args()
    ctx = multiprocessing.get_context("fork")
    for query in list_queries(Resources()):
        if args.names and query.name not in args.names:
            continue
        if _federated(query.text):
            print(f"{query.name}\tfederated, skipped", flush=True)
            continue
        parent, child = ctx.Pipe()
        worker = ctx.Process(target=_run, args=(args.store, query.text, child))
        worker.start()
        if parent.poll(args.cap):
            wall, cpu, rows = parent.recv()
            print(f"{query.name}\t{wall:.2f}\t{cpu:.2f}\t{rows}\t{os.getloadavg()[0]:.1f}", flush=True)
        else:
            worker.kill()
            print(f"{query.name}\t>{args.cap:g}\t-\t-\t{os.getloadavg()[0]:.1f}", flush=True)
        worker.join()


if __name__ == "__main__":
    main()
