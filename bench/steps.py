"""Timed pipeline steps, each run in a fresh process so that its peak memory is its own.

``python bench/steps.py build DATA_DIR STORE`` builds the store from a data folder (the packaged
ontology and reference data, the folder's ``data/sources``) and prints one JSON object: seconds
for load (parsing into the working store), reason, validate and write, the triple counts and the
peak resident memory.

``python bench/steps.py ingest DATA_DIR STORE FILE`` adds one source file to that built store with
``legiongraph.pipeline.ingest`` and prints the same kind of object.

``python bench/steps.py rawload DATA_DIR STORE`` is the floor the build is compared with: pyoxigraph's
own ``bulk_load`` of the same files (ontology, reference data, sources) into a new store, with no
reasoning or validation; it prints the seconds, the peak memory and the store's size on disk.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from legiongraph.config import Config
from legiongraph.iris import GRAPH_INFERRED
from legiongraph.pipeline.build import build as build_store


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def build(data_dir: Path, store_path: Path) -> dict:
    """Build the store with legiongraph.pipeline.build.build, which times its own steps."""
    config = Config(store_path=store_path, data_dir=data_dir)
    start = time.perf_counter()
    result = build_store(config)
    seconds = dict(result.seconds)
    seconds["total"] = time.perf_counter() - start
    return {"seconds": seconds, "cpu_seconds": result.cpu_seconds,
            "reasoner": config.reasoner, "validator": config.validator,
            "triples": sum(result.counts.values()), "inferred": result.counts.get(GRAPH_INFERRED, 0),
            "peak_rss_mb": _peak_mb(), "disk_mb": disk_mb(store_path)}


def disk_mb(folder: Path) -> float:
    """Return the size of the files under a folder, in MB."""
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6


def rawload(data_dir: Path, store_path: Path) -> dict:
    """Bulk-load the files a build reads into a new pyoxigraph store, graph by graph as the build does."""
    import pyoxigraph as ox

    from legiongraph.resources import Resources

    resources = Resources(data_dir)
    files = [(res, None) for res in resources.list("sources")]
    files += [(res, "ontology") for res in resources.ontology()]
    files += [(res, "reference") for res in resources.list("reference")]
    start = time.perf_counter()
    store = ox.Store(str(store_path))
    for res, graph in files:
        target = ox.NamedNode(f"https://w3id.org/legiongraph/graph/{graph}") if graph else None
        fmt = ox.RdfFormat.TRIG if res.name.endswith(".trig") else ox.RdfFormat.TURTLE
        store.bulk_load(res.read_bytes(), format=fmt, to_graph=target)
    store.flush()
    seconds = time.perf_counter() - start
    quads = len(store)
    del store
    return {"seconds": seconds, "quads": quads, "peak_rss_mb": _peak_mb(), "disk_mb": disk_mb(store_path)}


def ingest(data_dir: Path, store_path: Path, source: Path) -> dict:
    """Add one source file to a built store through legiongraph's incremental ingest."""
    from legiongraph.pipeline.ingest import ingest as run_ingest

    config = Config(store_path=store_path, data_dir=data_dir)
    start = time.perf_counter()
    report = run_ingest(config, [source])
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "added_inferred": report.added_inferred, "validated": report.validated,
            "method": "legiongraph.pipeline.ingest.ingest", "peak_rss_mb": _peak_mb()}


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "build":
        result = build(Path(args[0]), Path(args[1]))
    elif command == "rawload":
        result = rawload(Path(args[0]), Path(args[1]))
    elif command == "ingest":
        result = ingest(Path(args[0]), Path(args[1]), Path(args[2]))
    else:
        raise SystemExit(f"unknown step {command!r}")
    print(json.dumps(result))
