"""Load test of the endpoint: do normal queries keep their latency while slow ones are killed?

Starts ``legiongraph serve`` on a free loopback port (or uses ``--url``), then runs four phases of
``--duration`` seconds each:

1. baseline: ``--clients`` clients run the named competency queries (all but the federated ones,
   which a server without a SERVICE allow-list refuses) in a loop, each pausing ``--think``
   seconds between queries;
2. under attack: the same, plus one client that sends a query that never finishes in time
   (a three-way cross product) back to back, each killed at the time limit;
3. memory bomb: the same, plus one client that sends a 1 KB query doubling a string with nested
   ``CONCAT`` back to back, each stopped at the worker memory limit (``--max-worker-memory``);
4. slow headers: the same, plus 100 connections from one address that trickle a request's
   headers a byte a second and never finish them.

Every client speaks from its own loopback address (127.0.0.10, .11, … and .200 for the slow one),
so that the per-client concurrency limit treats them as the different clients they stand for.
It prints, per phase, p50/p95/p99 latency and the error rate of the normal queries, and what the
slow queries got. Standard library only; loopback only; bounded in time.

Usage: ``python bench/load.py [--duration 20] [--clients 3] [--think 0.2] [--timeout 5]``
(``make loadtest``). The time limit is short so that the slow client's queries are killed often.
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from legiongraph import Resources, list_queries

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
# 16 bytes doubled 30 times: 16 GiB of string from a 1 KB query, unless the memory limit stops it.
BOMB = ('SELECT (STRLEN(?x30) AS ?n) WHERE { BIND("aaaaaaaaaaaaaaaa" AS ?x0) '
        + " ".join(f"BIND(CONCAT(?x{i}, ?x{i}) AS ?x{i + 1})" for i in range(30)) + " }")
SLOW_HEADERS = 100


@dataclass
class Tally:
    """Latencies (seconds) and statuses of one kind of request in one phase."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, status: int, message: str) -> None:
        """Record one request; for an error, its message."""
        with self.lock:
            self.latencies.append(seconds)
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if status != 200:
                self.errors[message] = self.errors.get(message, 0) + 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(base: str, text: str, source: str, timeout: float = 120) -> tuple[int, str]:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout,
                                      source_address=(source, 0))
    try:
        conn.request("POST", "/sparql", body=text.encode("utf-8"),
                     headers={"Content-Type": "application/sparql-query"})
        response = conn.getresponse()
        body = response.read()
        message = body[:200].decode("utf-8", "replace").strip() if response.status != 200 else ""
        return response.status, message
    except OSError as exc:
        return 0, f"no answer: {exc}"  # counted as an error
    finally:
        conn.close()


def _client(base: str, queries: list[str], source: str, think: float, stop: threading.Event,
            tally: Tally, offset: int) -> None:
    i = offset
    while not stop.is_set():
        started = time.perf_counter()
        status, message = _get(base, queries[i % len(queries)], source)
        tally.add(time.perf_counter() - started, status, message)
        i += 1
        stop.wait(think)


def _trickle(base: str, stop: threading.Event, tally: Tally) -> None:
    """Hold SLOW_HEADERS connections from one address, each sending a header byte a second."""
    parts = urlsplit(base)
    held: list[socket.socket] = []
    for _ in range(SLOW_HEADERS):
        try:
            sock = socket.create_connection((parts.hostname, parts.port), timeout=5,
                                            source_address=("127.0.0.201", 0))
            sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
            held.append(sock)
        except OSError as exc:
            tally.add(0.0, 0, f"connection refused or failed: {type(exc).__name__}")
    with tally.lock:
        tally.statuses[-1] = len(held)  # connections held open
    while not stop.wait(1.0):
        for sock in list(held):
            try:
                sock.sendall(b"a")
            except OSError:
                held.remove(sock)  # the server closed it: what channel_timeout is for
    with tally.lock:
        tally.statuses[-2] = len(held)  # still open at the end of the phase
    for sock in held:
        sock.close()


def _phase(base: str, queries: list[str], clients: int, think: float, duration: float,
           attacker: str | None = None) -> tuple[Tally, Tally]:
    """Run the normal clients for a while, with one attacker: "slow", "bomb" or "headers"."""
    normal, attack = Tally(), Tally()
    stop = threading.Event()
    threads = [threading.Thread(target=_client, args=(base, queries, f"127.0.0.{10 + n}", think, stop,
                                                      normal, n * 7), daemon=True)
               for n in range(clients)]
    if attacker in ("slow", "bomb"):
        text = SLOW if attacker == "slow" else BOMB
        threads.append(threading.Thread(target=_client, args=(base, [text], "127.0.0.200", 0.0, stop,
                                                              attack, 0), daemon=True))
    elif attacker == "headers":
        threads.append(threading.Thread(target=_trickle, args=(base, stop, attack), daemon=True))
    for thread in threads:
        thread.start()
    time.sleep(duration)
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    return normal, attack


def _federated(text: str) -> bool:
    return any(w.upper() == "SERVICE" for w in text.replace("{", " ").split())


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _row(name: str, tally: Tally) -> str:
    n = len(tally.latencies)
    errors = n - tally.statuses.get(200, 0)
    ms = [x * 1000 for x in tally.latencies]
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(tally.statuses.items()))
    return (f"| {name} | {n} | {_pct(ms, 50):.0f} | {_pct(ms, 95):.0f} | {_pct(ms, 99):.0f} | "
            f"{(statuses and f'{100 * errors / n:.1f} %') or '-'} | {statuses} |")


def _start_server(timeout: float, workers: int, memory: int) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {**os.environ, "LEGIONGRAPH_QUERY_TIMEOUT": str(timeout), "LEGIONGRAPH_WORKERS": str(workers),
           "LEGIONGRAPH_MAX_WORKER_MEMORY": str(memory)}
    proc = subprocess.Popen([sys.executable, "-m", "legiongraph", "serve", "--port", str(port)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("legiongraph serve stopped: " + (proc.stdout.read() if proc.stdout else ""))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                pass
            if _get(base, "ASK {}", "127.0.0.1", timeout=10)[0] == 200:
                return proc, base
        except OSError:
            pass
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGTERM)
    raise SystemExit("legiongraph serve did not start within 60 s")


def main(argv: list[str] | None = None) -> None:
    """Run the two phases and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="an endpoint already running (default: start one)")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per phase")
    parser.add_argument("--clients", type=int, default=3, help="clients sending normal queries")
    parser.add_argument("--think", type=float, default=0.2, help="pause between a client's queries")
    parser.add_argument("--timeout", type=float, default=5.0, help="query time limit of the server started")
    parser.add_argument("--workers", type=int, default=3, help="query workers of the server started")
    parser.add_argument("--max-worker-memory", type=int, default=512 * 1024 ** 2,
                        help="memory limit per query worker of the server started, in bytes")
    args = parser.parse_args(argv)

    # Federated examples (SERVICE to Wikidata) are refused unless allow-listed: left out here.
    queries = [q.text for q in list_queries(Resources()) if not _federated(q.text)]
    proc = None
    base = args.url
    if base is None:
        proc, base = _start_server(args.timeout, args.workers, args.max_worker_memory)
    try:
        _phase(base, queries, args.clients, args.think, 2.0)  # warm up
        baseline, _ = _phase(base, queries, args.clients, args.think, args.duration)
        loaded, attack = _phase(base, queries, args.clients, args.think, args.duration, "slow")
        bombed, bombs = _phase(base, queries, args.clients, args.think, args.duration, "bomb")
        trickled, trickles = _phase(base, queries, args.clients, args.think, args.duration, "headers")
    finally:
        if proc is not None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    print(f"{len(queries)} named queries, {args.clients} clients pausing {args.think:g} s, "
          f"{args.duration:g} s per phase, {args.workers} workers, {args.timeout:g} s time limit, "
          f"{os.cpu_count()} CPUs")
    print()
    print("| phase | requests | p50 ms | p95 ms | p99 ms | errors | statuses |")
    print("|---|---|---|---|---|---|---|")
    print(_row("normal queries, alone", baseline))
    print(_row("normal queries, with a slow client", loaded))
    print(_row("slow queries (killed at the limit)", attack))
    print(_row("normal queries, with a memory-bomb client", bombed))
    print(_row("memory bombs (stopped at the memory limit)", bombs))
    print(_row(f"normal queries, with {SLOW_HEADERS} slow-header connections", trickled))
    print(f"\nslow-header connections: {trickles.statuses.get(-1, 0)} opened, "
          f"{trickles.statuses.get(-2, 0)} still open at the end of the phase")
    for name, tally in (("alone", baseline), ("with a slow client", loaded), ("slow", attack),
                        ("with a memory bomb", bombed), ("bomb", bombs),
                        ("with slow headers", trickled), ("slow headers", trickles)):
        for message, count in sorted(tally.errors.items()):
            print(f"\n{name}: {count} x {message}", end="")
    print()
    if baseline.latencies and loaded.latencies:
        ratio = statistics.median(loaded.latencies) / statistics.median(baseline.latencies)
        print(f"\nmedian latency of normal queries with the slow client / alone: {ratio:.2f}")


if __name__ == "__main__":
    main()
