"""What a query text never seen before costs over the same text seen before (issue 18).

For each named query that runs locally (the federated ones need a SERVICE allow-list), times the
whole answer path of a query worker (:func:`legiongraph.query.service.answer`: the gate, the engine, the
serialisation) for the query as written, once warm (seen), and with a fresh comment appended each
time (never seen: no cache can help), and reports the medians of each and of their difference.

Usage: ``python bench/newquery.py [--store-path var/store] [--runs 5]``. In process, on the store
``make build`` wrote; loopback is not even needed.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from pathlib import Path

from legiongraph import Resources, list_queries
from legiongraph.formats import GRAPH_FORMATS, RESULT_FORMATS, by_name
from legiongraph.query.service import answer, request_for
from legiongraph.query.sparqlgate import _parsed
from legiongraph.stores.oxigraph import OxigraphStore


def _time(store: OxigraphStore, text: str) -> float:
    request = request_for(text, result_format=RESULT_FORMATS[0],
                          graph_format=by_name("nt", GRAPH_FORMATS), base_iri="http://localhost/sparql")
    started = time.perf_counter()
    answer(store, request)
    return time.perf_counter() - started


def main() -> None:
    """Print seen / never-seen medians per named query, and the median extra cost."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store-path", type=Path, default=Path("var/store"))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    store = OxigraphStore(args.store_path, read_only=True)
    extras, rows = [], []
    for query in list_queries(Resources(None)):
        if "# requires: service" in query.text:
            continue
        _time(store, query.text)  # warm: the seen case
        seen = statistics.median(_time(store, query.text) for _ in range(args.runs))
        new = statistics.median(_time(store, f"{query.text}\n# {uuid.uuid4().hex}")
                                for _ in range(args.runs))
        extras.append(new - seen)
        parse = _parsed.__wrapped__  # rdflib's parse without the cache: the gate's old cost
        started = time.perf_counter()
        parse(query.text, None)
        rows.append((query.name, seen, new, time.perf_counter() - started))
    print(f"{'query':<36} {'seen ms':>9} {'new ms':>9} {'extra ms':>9} {'rdflib ms':>9}")
    for name, seen, new, rdflib in rows:
        print(f"{name:<36} {seen * 1000:9.2f} {new * 1000:9.2f} {(new - seen) * 1000:9.2f} "
              f"{rdflib * 1000:9.2f}")
    seen_ms = statistics.median(r[1] for r in rows) * 1000
    new_ms = statistics.median(r[2] for r in rows) * 1000
    rdflib_ms = statistics.median(r[3] for r in rows) * 1000
    print(f"median over {len(rows)} named queries: seen {seen_ms:.2f} ms, never seen {new_ms:.2f} ms, "
          f"extra {statistics.median(extras) * 1000:.2f} ms (target: at most 5 ms); rdflib's parse, "
          f"which the gate ran on every new query before: {rdflib_ms:.2f} ms")


if __name__ == "__main__":
    main()
