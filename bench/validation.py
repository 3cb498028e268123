"""Validation benchmark: each SHACL engine on the flattened graph (asserted plus inferred) of synthetic data.

``python bench/validation.py prepare SIZE WORK`` writes WORK/data-dir (the article and SIZE synthetic
triples, as bench/run.py makes it) and WORK/flat.nt, the union of every named graph after the build's
loading and rules reasoning, as N-Triples.

``python bench/validation.py engine NAME WORK`` validates WORK/flat.nt with one engine in this process
and prints one JSON object: the seconds to read the data and validate it, the number of results,
whether it conforms, and the peak resident memory. NAME is ``shacl`` (the default validator),
``pyshacl`` (the reference, over an rdflib graph) or ``pyshacl-turbo`` (measured for the decision in
docs/validation.md, if it is installed; it is not a dependency).

``python bench/validation.py all SIZE WORK [ENGINE...]`` does both, each engine in a fresh process so
that its peak memory is its own, and prints one JSON object per engine.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from legiongraph.config import Config
from legiongraph.pipeline.build import load_shapes
from legiongraph.resources import Resources


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _cpu() -> float:
    """Return the CPU seconds this process used, all threads: the machine is shared, wall time varies."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def prepare(size: int, work: Path) -> dict:
    """Write the data folder and the flattened graph that the engines validate."""
    from run import prepare_data_dir

    from legiongraph.pipeline.build import _reason
    from legiongraph.pipeline.staging import Staging
    from legiongraph.progress import QUIET
    from legiongraph.shacl.validation import store_ntriples

    data = prepare_data_dir(work, size, QUIET)
    staging = Staging()
    staging.load(Resources(data))
    _reason(staging, Config().reasoner, QUIET)
    text = store_ntriples(staging.store)
    (work / "flat.nt").write_text(text, encoding="utf-8")
    return {"size": size, "triples": text.count("\n")}


def engine(name: str, work: Path) -> dict:
    """Validate the flattened graph with one engine and time it."""
    shapes = load_shapes(Resources())
    path = work / "flat.nt"
    start, cpu_start = time.perf_counter(), _cpu()
    if name == "shacl":
        from legiongraph.shacl.validation import validate_store

        store = ox.Store()
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("urn:x:flat"))
        loaded, cpu_loaded = time.perf_counter(), _cpu()
        report = validate_store(store, shapes)
        conforms, results = report.conforms, len(report.violations)
    elif name == "pyshacl":
        from rdflib import Graph

        from legiongraph.shacl.validation import validate

        data = Graph().parse(path, format="nt")
        loaded, cpu_loaded = time.perf_counter(), _cpu()
        report = validate(data, shapes, "pyshacl")
        conforms, results = report.conforms, len(report.violations)
    elif name == "pyshacl-turbo":
        import pyoxigraph  # noqa: F401 - pyshacl_turbo reads a pyoxigraph store
        import pyshacl_turbo

        store = ox.Store()
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
        loaded, cpu_loaded = time.perf_counter(), _cpu()
        conforms, _, _ = pyshacl_turbo.validate(store, shacl_graph=shapes, inference="none",
                                                allow_warnings=True, allow_infos=True)
        results = -1
    else:
        raise SystemExit(f"unknown engine {name!r}: expected shacl, pyshacl or pyshacl-turbo")
    end, cpu_end = time.perf_counter(), _cpu()
    return {"engine": name, "read_seconds": loaded - start, "validate_seconds": end - loaded,
            "read_cpu_seconds": cpu_loaded - cpu_start, "validate_cpu_seconds": cpu_end - cpu_loaded,
            "conforms": bool(conforms), "results": results, "peak_rss_mb": _peak_mb()}


def main() -> None:
    command, *args = sys.argv[1:]
    if command == "prepare":
        print(json.dumps(prepare(int(args[0]), Path(args[1]))))
    elif command == "engine":
        print(json.dumps(engine(args[0], Path(args[1]))))
    elif command == "all":
        size, work, engines = int(args[0]), Path(args[1]), args[2:] or ["shacl"]
        work.mkdir(parents=True, exist_ok=True)
        for step in (["prepare", str(size)], *(["engine", e] for e in engines)):
            done = subprocess.run([sys.executable, __file__, *step, str(work)], check=True,
                                  capture_output=True, text=True)
            print(done.stdout.strip(), flush=True)
    else:
        raise SystemExit("usage: validation.py prepare SIZE WORK | engine NAME WORK | "
                         "all SIZE WORK [ENGINE...]")


if __name__ == "__main__":
    main()
