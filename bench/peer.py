"""rdflib-endpoint (FastAPI + rdflib), the server a user would otherwise pick, on the same data.

It lives in its own virtual environment (``bench/.venv-rdflib-endpoint``) so that its
dependencies cannot change ours. It answers in its event loop, so a query that runs past the cap
keeps it busy: the server is then restarted, and the size's time budget bounds the restarts.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
from collections.abc import Sequence
from pathlib import Path

from servers import Timing, free_port, post_query, running, stop, time_calls, tree_memory_mb, wait_until_up

VERSION = "0.6.3"
VENV = Path(__file__).resolve().parent / ".venv-rdflib-endpoint"


def ensure_venv() -> Path:
    """Create the peer's virtual environment once; return its ``rdflib-endpoint`` program."""
    program = VENV / "bin" / "rdflib-endpoint"
    if not program.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "--quiet", f"rdflib-endpoint[cli]=={VERSION}"],
                       check=True)
    return program


def bench_peer(data: Path, queries: Sequence[tuple[str, str]], repeats: int, cap: float, budget: float,
               log: Path) -> dict:
    """Serve ``data`` (N-Quads) with rdflib-endpoint and time every query; cap each at ``cap`` s."""
    program = ensure_venv()
    deadline = time.monotonic() + budget
    results: dict[str, dict] = {}
    startups: list[float] = []
    memory: dict = {}
    pending = list(queries)
    failure = None
    while pending and time.monotonic() < deadline:
        port = free_port()
        url = f"http://127.0.0.1:{port}/"
        command = [str(program), "serve", "--host", "127.0.0.1", "--port", str(port), str(data)]
        with running(command, {}, log) as process:
            try:
                startups.append(wait_until_up(url, process, timeout=max(60.0, deadline - time.monotonic())))
            except RuntimeError as exc:  # still parsing when the budget ran out, or it died
                failure = str(exc)
                break
            while pending and time.monotonic() < deadline:
                name, text = pending.pop(0)
                timing = Timing()
                try:
                    timing.runs = time_calls(lambda u=url, t=text: post_query(u, t, timeout=cap),
                                             repeats, budget=min(cap, 5.0))
                except (TimeoutError, urllib.error.URLError) as exc:
                    if "timed out" not in str(exc):
                        timing.error = str(exc)[:200]
                        results[name] = timing.summary()
                        continue
                    timing.capped = True
                    results[name] = timing.summary()
                    memory = tree_memory_mb(process.pid)
                    stop(process)  # it would go on computing the query and answer no one else
                    break
                results[name] = timing.summary()
            else:
                memory = tree_memory_mb(process.pid)
    for name, _ in pending:
        results[name] = {"skipped": failure or f"the {budget:.0f} s budget for rdflib-endpoint ran out"}
    return {"queries": results, "startup_s": startups, "restarts": len(startups) - 1, "memory": memory,
            "cap_s": cap, "version": VERSION}
