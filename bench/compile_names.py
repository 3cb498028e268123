"""Time compiling CSV/YAML sources against a built store, as ingest does, and the name lookups.

``python bench/compile_names.py STORE FILE... [--names NAME...]`` opens the store read-only,
compiles each file against it (``pipeline.storenames.StoreKnown``) three times and prints one JSON
object: the seconds of each compile, the triples compiled, the seconds of each NAME's lookup
(``named``) and of the suggestions an unknown NAME gets (``close_names``), and the peak memory.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from legiongraph.authoring import compile_source
from legiongraph.authoring.known import name_key
from legiongraph.errors import LoadError
from legiongraph.pipeline.storenames import StoreKnown
from legiongraph.stores.oxigraph import OxigraphStore


def _timed(call: object) -> tuple[float, object]:
    start = time.perf_counter()
    result = call()  # type: ignore[operator]
    return round(time.perf_counter() - start, 4), result


def main(argv: list[str]) -> dict:
    """Compile the files and look up the names; return the figures."""
    names = argv[argv.index("--names") + 1:] if "--names" in argv else []
    files = argv[1:argv.index("--names")] if "--names" in argv else argv[1:]
    figures: dict = {"store": argv[0], "compile": {}, "named": {}, "close_names": {}}
    with OxigraphStore(Path(argv[0])) as store:
        for file in files:
            runs = []
            for _ in range(3):
                try:
                    seconds, compiled = _timed(lambda f=file: compile_source(f, StoreKnown(store)))
                    triples = len(compiled.graph)  # type: ignore[attr-defined]
                except LoadError as exc:
                    seconds, triples = 0.0, str(exc).splitlines()[-1]
                runs.append(seconds)
            figures["compile"][Path(file).name] = {"seconds": runs, "triples": triples}
        known = StoreKnown(store)
        for name in names:
            seconds, found = _timed(lambda n=name: known.named(n))
            figures["named"][name] = {"seconds": seconds, "found": sorted(map(str, found))}  # type: ignore[call-overload]
            seconds, close = _timed(lambda n=name: known.close_names(name_key(n), 0.75))
            figures["close_names"][name] = {"seconds": seconds, "candidates": len(close)}  # type: ignore[arg-type]
    figures["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return figures


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:]), indent=1))
