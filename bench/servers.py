"""Start and stop the servers under test on loopback ports, and time queries against them.

Every request goes to 127.0.0.1 and has a timeout; every process started here is stopped by its
own process id.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import statistics
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

_GRAPH_FORMS = re.compile(r"^\s*(CONSTRUCT|DESCRIBE)\b", re.IGNORECASE | re.MULTILINE)


def free_port() -> int:
    """Return a free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def accept_for(query: str) -> str:
    """Return the media type to ask for: Turtle for graph results, SPARQL JSON otherwise."""
    body = "\n".join(line for line in query.splitlines() if not line.lstrip().startswith("#"))
    return "text/turtle" if _GRAPH_FORMS.search(body) else "application/sparql-results+json"


def post_query(url: str, query: str, timeout: float) -> int:
    """POST one query as a form; return the size of the answer in bytes (raise on HTTP errors)."""
    data = urllib.parse.urlencode({"query": query}).encode()
    request = urllib.request.Request(url, data=data, headers={
        "Accept": accept_for(query), "Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return len(response.read())


def percentile(values: Sequence[float], q: float) -> float:
    """Return the q-th percentile (0-100) of some timings, by linear interpolation."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[max(0, min(98, round(q) - 1))]


@dataclass
class Timing:
    """Repeated timings of one query, in milliseconds; ``capped`` when it ran past the cap."""

    runs: list[float] = field(default_factory=list)
    capped: bool = False
    error: str | None = None

    def summary(self) -> dict:
        """Return p50/p95 and the run count, or why there are none."""
        if self.error:
            return {"error": self.error}
        if self.capped:
            return {"capped": True, "runs": len(self.runs)}
        return {"p50_ms": statistics.median(self.runs), "p95_ms": percentile(self.runs, 95),
                "runs": len(self.runs)}


def time_calls(call: Callable[[], object], repeats: int, budget: float) -> list[float]:
    """Call once to warm up, then up to ``repeats`` times within ``budget`` seconds; return ms.

    A query whose warm-up alone takes longer than the budget is not repeated: its one (cold) run
    is the figure.
    """
    start = time.perf_counter()
    call()
    first = (time.perf_counter() - start) * 1000
    if first > budget * 1000:
        return [first]
    runs: list[float] = []
    deadline = time.perf_counter() + budget
    while len(runs) < repeats and (len(runs) < 3 or time.perf_counter() < deadline):
        start = time.perf_counter()
        call()
        runs.append((time.perf_counter() - start) * 1000)
    return runs


def wait_until_up(url: str, process: subprocess.Popen, timeout: float) -> float:
    """Poll a SPARQL endpoint until it answers; return the seconds it took to come up."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode} before answering")
        with contextlib.suppress(OSError, urllib.error.URLError):
            post_query(url, "ASK {}", timeout=5)
            return time.perf_counter() - start
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


@contextlib.contextmanager
def running(command: Sequence[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """Run a server in its own process group; stop that group (and only it) afterwards."""
    with log.open("wb") as out:
        process = subprocess.Popen(list(command), env={**os.environ, **env}, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        try:
            yield process
        finally:
            stop(process)


def stop(process: subprocess.Popen) -> None:
    """Stop a server started by :func:`running` and the worker processes of its group."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _status_kb(pid: int, key: str) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                todo += [int(child) for child in task.read_text().split()]
    return pids


def _rollup_kb(pid: int) -> dict[str, int]:
    """Return a process's /proc/PID/smaps_rollup figures in KiB (empty once it is gone)."""
    figures: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
            key, _, rest = line.partition(":")
            parts = rest.split()
            if parts and parts[0].isdigit():
                figures[key.strip()] = int(parts[0])
    return figures


def _memory_of(pid: int) -> dict:
    """Return one process's RSS, PSS (shared pages split among their sharers) and USS, in MB."""
    rollup = _rollup_kb(pid)
    uss = rollup.get("Private_Clean", 0) + rollup.get("Private_Dirty", 0)
    return {"pid": pid, "command": _command(pid), "rss_mb": _status_kb(pid, "VmRSS") / 1024,
            "pss_mb": rollup.get("Pss", 0) / 1024, "uss_mb": uss / 1024}


def tree_memory_mb(pid: int) -> dict:
    """Return the memory of a process and its descendants now (RSS, PSS, USS) and at peak (MB).

    RSS counts the pages forked workers share once per worker; PSS divides each shared page among
    its sharers, so the sum of PSS is what the processes take together.
    """
    pids = _tree(pid)
    each = [_memory_of(p) for p in pids]
    return {"rss_mb": sum(e["rss_mb"] for e in each), "pss_mb": sum(e["pss_mb"] for e in each),
            "uss_mb": sum(e["uss_mb"] for e in each),
            "peak_rss_mb": sum(_status_kb(p, "VmHWM") for p in pids) / 1024,
            "processes": len(pids), "per_process": each}



def _command(pid: int) -> str:
    with contextlib.suppress(OSError):
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        return " ".join(a.decode(errors="replace") for a in args if a)[:120]
    return "?"
