"""Timed pipeline steps, each run in a fresh process so that its peak memory is its own.

``python bench/steps.py build DATA_DIR STORE`` builds the store from a data folder (the packaged
ontology and reference data, the folder's ``data/sources``) and prints one JSON object: seconds
for parse, reason, validate and load, the triple counts and the peak resident memory.

``python bench/steps.py ingest DATA_DIR STORE FILE`` adds one source file to that built store with
``legiongraph.ingest`` and prints the same kind of object.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from legiongraph.build import graph_counts, load_shapes, union
from legiongraph.config import Config
from legiongraph.loading import load_dataset
from legiongraph.reasoning import add_inferred
from legiongraph.resources import Resources
from legiongraph.stores import open_store
from legiongraph.validation import validate


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def build(data_dir: Path, store_path: Path) -> dict:
    """Run the build's steps one by one, as legiongraph.build.build does, timing each."""
    config = Config(store_path=store_path, data_dir=data_dir)
    resources = Resources(data_dir)
    times: dict[str, float] = {}
    start = time.perf_counter()
    dataset = load_dataset(resources)
    times["parse"] = time.perf_counter() - start
    mark = time.perf_counter()
    inferred = add_inferred(dataset, config.reasoner)
    times["reason"] = time.perf_counter() - mark
    mark = time.perf_counter()
    report = validate(union(dataset), load_shapes(resources))
    times["validate"] = time.perf_counter() - mark
    if not report.conforms:
        raise SystemExit("the benchmark data does not conform:\n" + report.text()[:4000])
    mark = time.perf_counter()
    with open_store(config, read_only=False) as store:
        store.replace_all(dataset)
    times["load"] = time.perf_counter() - mark
    times["total"] = time.perf_counter() - start
    counts = graph_counts(dataset)
    return {"seconds": times, "reasoner": config.reasoner, "triples": sum(counts.values()),
            "inferred": inferred, "peak_rss_mb": _peak_mb()}


def ingest(data_dir: Path, store_path: Path, source: Path) -> dict:
    """Add one source file to a built store through legiongraph's incremental ingest."""
    from legiongraph.ingest import ingest as run_ingest

    config = Config(store_path=store_path, data_dir=data_dir)
    start = time.perf_counter()
    report = run_ingest(config, [source])
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "added_inferred": report.added_inferred, "validated": report.validated,
            "method": "legiongraph.ingest.ingest", "peak_rss_mb": _peak_mb()}


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "build":
        result = build(Path(args[0]), Path(args[1]))
    elif command == "ingest":
        result = ingest(Path(args[0]), Path(args[1]), Path(args[2]))
    else:
        raise SystemExit(f"unknown step {command!r}")
    print(json.dumps(result))
