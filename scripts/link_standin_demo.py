"""Run the linking flow propose -> review -> apply -> query offline, against the stand-in for Wikidata.

The stand-in (tests/fixtures/wikidata/standin.ttl) is TEST DATA in Wikidata's shape, with made-up
item numbers from Q900000 up: the links this demo makes are not real links. So it works in its own
folder (default var/link-demo: a store of the article's graph, the stand-in's store, the review file
and the answer cache) and never touches the store `make run` serves.

Each step is a `legiongraph` command, printed with its output:

1. build the article's graph into var/link-demo/store;
2. load the stand-in into var/link-demo/standin and serve it on a loopback port;
3. `link --endpoint` against it, which writes var/link-demo/link-review.csv;
4. play the analyst: write a decision in each row (the rule is in ``decide`` below);
5. `link --apply`, `stats`, the map of capture places, and the federated population query with its
   SERVICE IRI pointed at the stand-in.

    .venv/bin/python scripts/link_standin_demo.py [--workdir var/link-demo] [--port 8001]
"""

from __future__ import annotations

import argparse
import csv
import io
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STANDIN = ROOT / "tests" / "fixtures" / "wikidata" / "standin.ttl"
LEGIONGRAPH = Path(sys.executable).parent / "legiongraph"
WIKIDATA = "https://query.wikidata.org/sparql"
# Rows of the review file shown in full (the others are counted).
SHOWN = ("place/bakhmut", "place/toretsk-district", "org/sabotage-reconnaissance-group")


def show(command: list[str], before: str = "") -> None:
    """Print a command as a reader would type it from the repository's root."""
    words = [".venv/bin/legiongraph" if w == str(LEGIONGRAPH) else w for w in command]
    print("$ " + before + " ".join(w.replace(str(ROOT) + "/", "") for w in words), flush=True)


def run(command: list[str], stdin: str | None = None, quiet: bool = False, before: str = "") -> str:
    """Run a command from the repository's root; print it and its output; stop on failure."""
    show(command, before)
    done = subprocess.run(command, cwd=ROOT, input=stdin, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    if not quiet:
        print(done.stdout, end="", flush=True)
    return done.stdout


def wait_for(endpoint: str, server: subprocess.Popen, seconds: float = 60) -> None:
    """Wait until the endpoint answers an ASK query, or stop."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the stand-in server stopped (exit {server.returncode})")
        try:
            with urllib.request.urlopen(f"{endpoint}?query=ASK%7B%7D", timeout=5) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    sys.exit(f"the stand-in server did not answer at {endpoint} within {seconds:.0f} s")


def decide(row: dict[str, str], first: bool) -> str:
    """Play the analyst: accept an entity's first candidate when the names agree (score 1), mark
    Toretsk district close to the city of Toretsk, reject the runners-up (the river Bakhmut, the
    city of Kursk), and leave Primorsky Krai pending, to show a pending row."""
    if not row["candidate_iri"] or row["entity"].endswith("/place/primorsky-krai"):
        return ""
    if not first:
        return "reject"
    if row["entity"].endswith("/place/toretsk-district"):
        return "close"
    return "exact" if float(row["score"]) == 1 else ""


def review(path: Path) -> None:
    """Write a decision in every row of the review file and print some rows."""
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    seen: set[str] = set()
    for row in rows:
        row["decision"] = decide(row, row["entity"] not in seen)
        seen.add(row["entity"])
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    decided: dict[str, int] = {}
    for row in rows:
        if row["candidate_iri"]:
            decided[row["decision"] or "pending"] = decided.get(row["decision"] or "pending", 0) + 1
    print(f"# decisions written: {', '.join(f'{n} {d}' for d, n in sorted(decided.items()))}")
    lines = buffer.getvalue().splitlines()
    print(f"$ grep -E '^entity,|{'|'.join(SHOWN)}' {path}")
    print("\n".join([lines[0], *(line for line in lines[1:] if any(f"/{s}," in line for s in SHOWN))]))


def main() -> int:
    """Run the demo; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "link-demo")
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args()
    work = args.workdir.resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    if work.is_relative_to(ROOT):
        work = work.relative_to(ROOT)  # commands run from the root: shorter paths in the output
    store = ["--store-path", str(work / "store")]
    standin = ["--store-path", str(work / "standin")]
    endpoint = f"http://127.0.0.1:{args.port}/sparql"

    print("# 1. The article's graph, in a store of its own")
    out = run([str(LEGIONGRAPH), *store, "build"], quiet=True)
    print(next(line for line in out.splitlines() if line.startswith("Built")))
    print("\n# 2. The stand-in for the Wikidata Query Service (test data), on loopback")
    run([str(LEGIONGRAPH), *standin, "load", str(STANDIN), "--graph", "https://example.org/wikidata-standin"])
    show([str(LEGIONGRAPH), *standin, "serve", "--port", str(args.port), "&"])
    server = subprocess.Popen([str(LEGIONGRAPH), *standin, "serve", "--port", str(args.port)], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(endpoint, server)
        review_file = work / "link-review.csv"
        print("\n# 3. Propose")
        run([str(LEGIONGRAPH), *store, "link", "--endpoint", endpoint, "--review", str(review_file),
             "--cache", str(work / "cache"), "--delay", "0"])
        print("\n# 4. Review")
        review(review_file)
        print("\n# 5. Apply, and see the coverage")
        run([str(LEGIONGRAPH), *store, "link", "--apply", str(review_file)])
        stats = run([str(LEGIONGRAPH), *store, "stats"], quiet=True)
        print(stats[stats.index("Link coverage"):], end="")
        print("\n# 6. Query: the capture places on a map, from the copied coordinates (no SERVICE)")
        run([str(LEGIONGRAPH), *store, "query", "capture-places-map"])
        print("\n# 7. Query: population from the stand-in through SERVICE (federated)")
        text = (ROOT / "queries" / "pow-per-million-inhabitants.rq").read_text(encoding="utf-8")
        run([str(LEGIONGRAPH), *store, "query", "-"], stdin=text.replace(WIKIDATA, endpoint),
            before=f"sed 's#{WIKIDATA}#{endpoint}#' queries/pow-per-million-inhabitants.rq | ")
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
