"""Write the golden answer of every named query (or of those named) from a fresh in-memory build.

Review every changed file by hand against the sources before committing it: a golden file is a
claim about what the data says, not a snapshot.

    python scripts/update_golden.py [NAME ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

from legiongraph import MemoryStore, Resources, compile_dataset, list_queries
from legiongraph.fsutil import atomic_write_bytes

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from test_queries import render  # noqa: E402


def main(names: list[str]) -> int:
    """Regenerate the golden files; print which changed."""
    resources = Resources()
    dataset, report = compile_dataset(resources)
    if not report.conforms:
        print(report.text(), file=sys.stderr)
        return 1
    store = MemoryStore()
    store.replace_all(dataset)
    for query in list_queries(resources):
        if names and query.name not in names:
            continue
        path = ROOT / "tests" / "golden" / f"{query.name}.tsv"
        text = render(store.query(query.text))
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if text != old:
            atomic_write_bytes(path, text.encode("utf-8"))
            print(f"{'updated' if old else 'created'} {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
