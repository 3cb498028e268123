"""Time the search index on a built store: `python bench/search_index.py STORE_DIR`.

Not part of `make test` or `make bench`. Build a 1M-triple store first, for example:
`legiongraph synth -n 1000000 --out DIR/data/sources/synth-1000000.trig` (next to copies of
data/sources/), then `legiongraph --data-dir DIR --store-path STORE_DIR build`. Writes the index
file as `legiongraph serve` does (in this process, to a temporary folder), then times searches
in it. Reports CPU time, which, unlike wall time, does not depend on what else runs on the machine.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path

from legiongraph.publish.search import KINDS, SearchIndex
from legiongraph.publish.searchfile import write_store_file


def main() -> None:
    """Write the index file of a store, then time prefixes, whole names and misspellings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", help="a built Oxigraph store directory")
    parser.add_argument("--sample", type=int, default=100, help="names to take queries from")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="search-index-") as folder:
        path = Path(folder) / "index.sqlite"
        wall, cpu = time.perf_counter(), time.process_time()
        write_store_file(args.store, path, "bench")
        index = SearchIndex.open(path)
        print(f"index: {len(index)} resources, {index.words} distinct words, "
              f"{path.stat().st_size / 1e6:.0f} MB file; cpu {time.process_time() - cpu:.1f} s, "
              f"wall {time.perf_counter() - wall:.1f} s")
        random.seed(1)
        counts = {kind: index.count(kind) for kind in KINDS}
        queries = []
        for _ in range(args.sample):
            kind = random.choices(list(counts), weights=list(counts.values()))[0]
            entry = index.members(kind, offset=random.randrange(counts[kind]), limit=1)[0]
            word = entry.label.split()[0]
            queries += [word[:3], word[:6], entry.label, entry.label[:-1] + "x"]
        queries += ["Herylovych", "Zjazjulcik", "Marinka", "wagn", "zz"]
        times = []
        for text in queries:
            cpu = time.thread_time()
            index.search(text, 8)
            times.append((time.thread_time() - cpu) * 1000)
        times.sort()
        print(f"{len(times)} searches, cpu each: median {statistics.median(times):.1f} ms, "
              f"p95 {times[int(len(times) * 0.95)]:.1f} ms, max {times[-1]:.1f} ms")
        print(f"max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")


if __name__ == "__main__":
    main()
