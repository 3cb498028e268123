"""Time the search index on a built store: `python bench/search_index.py STORE_DIR`.

Not part of `make test` or `make bench`. Build a 1M-triple store first, for example:
`legiongraph synth -n 1000000 --out DIR/data/sources/synth-1000000.trig` (next to copies of
data/sources/), then `legiongraph --data-dir DIR --store-path STORE_DIR build`. Writes the index
file as `legiongraph serve` does (in this process, to a temporary folder), then times searches
in it, by kind of query (prefixes, whole names, misspellings). Reports CPU time, which, unlike
wall time, does not depend on what else runs on the machine.
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
        queries: list[tuple[str, str]] = []
        for _ in range(args.sample):
            kind = random.choices(list(counts), weights=list(counts.values()))[0]
            entry = index.members(kind, offset=random.randrange(counts[kind]), limit=1)[0]
            label = entry.label
            word = label.split()[0]
            # A typist's slip: the third and fourth letters swapped, the rest of the name right.
            swapped = label[:2] + label[3] + label[2] + label[4:] if len(label) > 4 else label
            queries += [("prefix", word[:3]), ("prefix", word[:6]), ("whole name", label),
                        ("last letter wrong", label[:-1] + "x"), ("letters swapped", swapped)]
        queries += [("fixed", q) for q in ("Herylovych", "Zjazjulcik", "Marinka", "wagn", "zz")]
        times: dict[str, list[float]] = {}
        for form, text in queries:
            cpu = time.thread_time()
            index.search(text, 8)
            times.setdefault(form, []).append((time.thread_time() - cpu) * 1000)
        every = sorted(t for kept in times.values() for t in kept)
        print(f"{len(every)} searches, cpu each: median {statistics.median(every):.1f} ms, "
              f"p95 {every[int(len(every) * 0.95)]:.1f} ms, max {every[-1]:.1f} ms")
        for form, kept in times.items():
            print(f"  {form}: {len(kept)} searches, median {statistics.median(kept):.1f} ms, "
                  f"max {max(kept):.1f} ms")
        print(f"max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")


if __name__ == "__main__":
    main()
