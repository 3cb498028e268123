"""Where a request's time goes, layer by layer, in one process (issue 18's serving floor).

Times the same query (``ASK {}`` and the named queries given) through each layer the endpoint adds,
on one built store: raw pyoxigraph (query and serialise), the answer path of a query worker run
inline (:func:`legiongraph.query.service.answer`: gate, engine, serialisation), the same through
the worker pool (:class:`~legiongraph.query.executor.ProcessExecutor`: the hop to a killable worker
and back), and a form POST to ``/sparql`` through Flask's test client, inline and with the worker
pool. What waitress and the socket add on top is what ``bench/serving.py`` measures beside
Oxigraph's own server.

Usage: ``python bench/layers.py STORE [--query NAME ...] [--runs 300]``. Medians in milliseconds; the layers
are timed in turn, round by round, so that the machine's noise falls on each alike.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
from flask.testing import FlaskClient

from legiongraph import Resources, list_queries
from legiongraph.config import load_config
from legiongraph.formats import RESULT_FORMATS
from legiongraph.query.executor import ProcessExecutor
from legiongraph.query.service import SparqlRequest, answer, request_for
from legiongraph.stores import open_store
from legiongraph.stores.base import Store
from legiongraph.web import create_app

BASE = "http://localhost/sparql"
ACCEPT = {"Accept": RESULT_FORMATS[0].media_type}


def medians_ms(calls: tuple[Callable[[], object], ...], runs: int) -> list[float]:
    """Return each call's median time in milliseconds, the calls interleaved round by round."""
    # Interleaved so that the machine's noise falls on every layer alike, not on one layer's run.
    for _ in range(max(1, runs // 10)):
        for call in calls:
            call()
    times: list[list[float]] = [[] for _ in calls]
    for _ in range(runs):
        for call, kept in zip(calls, times, strict=True):
            started = time.perf_counter()
            call()
            kept.append((time.perf_counter() - started) * 1000)
    return [statistics.median(kept) for kept in times]


def _calls(text: str, request: SparqlRequest, raw: ox.Store, store: Store,
           pool: ProcessExecutor, clients: tuple[FlaskClient, FlaskClient]) -> tuple[Callable, ...]:
    inline_client, pool_client = clients
    return (
        lambda: raw.query(text, use_default_graph_as_union=True).serialize(
            format=ox.QueryResultsFormat.JSON),
        lambda: answer(store, request),
        lambda: pool.run(request),
        lambda: inline_client.post("/sparql", data={"query": text}, headers=ACCEPT),
        lambda: pool_client.post("/sparql", data={"query": text}, headers=ACCEPT),
    )


def main() -> None:
    """Print each layer's median for each query."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--query", action="append", default=[], help="a named query (repeatable)")
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    named = {q.name: q.text for q in list_queries(Resources(None))}
    texts = {"ASK {}": "ASK {}", **{name: named[name] for name in args.query}}
    config = load_config(store_path=str(args.store))
    raw = ox.Store.read_only(str(args.store))
    store = open_store(config, read_only=True)
    pool = ProcessExecutor(config, workers=config.workers, timeout=config.query_timeout)
    clients = (create_app(config, store=store).test_client(),
               create_app(config, store=store, executor=pool).test_client())
    layers = ("raw pyoxigraph", "answer inline", "worker pool", "Flask inline", "Flask + pool")
    print(f"{'query':<28}" + "".join(f"{name:>16}" for name in layers))
    try:
        for name, text in texts.items():
            request = request_for(text, result_format=RESULT_FORMATS[0], base_iri=BASE,
                                  max_rows=config.max_rows, max_bytes=config.max_result_bytes)
            calls = _calls(text, request, raw, store, pool, clients)
            figures = medians_ms(calls, args.runs)
            print(f"{name:<28}" + "".join(f"{ms:16.3f}" for ms in figures))
    finally:
        pool.close()


if __name__ == "__main__":
    main()
