"""Where queries run: inline for tests and tools, or in worker processes that are killed on time.

A running Oxigraph query cannot be interrupted from Python (it releases the GIL and ignores
signals), so the endpoint runs each query in a worker process with the store open read-only.
When a query passes its time limit the worker is killed and replaced; other clients are served by
the other workers meanwhile.

Both executors run queries under :mod:`legiongraph.query.guard`: a worker guards its whole process and
has the kernel refuse it IP sockets (a worker whose store is a remote SPARQL server excepted: it
runs no query engine of its own), the inline executor the thread that runs the query. A worker
that cannot install the kernel filter refuses to start, and says why in the log.

Memory is bounded twice: the worker's address space (``RLIMIT_AS``: the limit plus room for the
mappings a store reserves but never fills), and a watchdog in the parent that reads the busy
worker's resident size while it waits and kills the worker past ``max_worker_memory``. Either way
the client gets a 503 saying the memory limit was hit, and a fresh worker takes the dead one's
place. A request finding no idle worker is answered 503 with ``Retry-After`` at once, rather than
holding a server thread for as long as a query may run.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import queue
import resource
import select
import signal
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import replace
from multiprocessing.connection import Connection

from ..config import Config
from ..errors import LegiongraphError, MemoryLimitHit, QueryTimeout, ServerBusy, StoreError
from ..stores import open_store
from ..stores.base import Store
from . import guard
from .seccomp import FilterUnavailable, deny_ip_sockets
from .service import Answer, SparqlRequest, answer, inspected
from .servicerelay import fetch_service, rewrite_services
from .sparqlgate import PREDECLARED, inspect_query

__all__ = ["Executor", "InlineExecutor", "ProcessExecutor", "memory_limit_message"]

log = logging.getLogger("legiongraph.query.executor")

# Address space a worker may map beyond its memory limit: RocksDB, Rust's allocator and thread
# stacks reserve far more than they touch (a fresh worker maps ~400 MB to hold ~60 MB).
_ADDRESS_HEADROOM = 1024 ** 3
# How often the parent reads a busy worker's resident size.
_WATCH_INTERVAL = 0.05
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def memory_limit_message(limit: int) -> str:
    """Return what a client is told when a query hits a worker's memory limit."""
    return (f"the query went past the memory limit of a query worker ({limit // 1024 ** 2} MiB, "
            "setting max_worker_memory) and was stopped; try a smaller query")


def _rss(pid: int) -> int:
    """Return a process's resident size in bytes (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


class Executor(ABC):
    """Runs prepared SPARQL requests against the served store."""

    @abstractmethod
    def run(self, request: SparqlRequest) -> Answer:
        """Answer one request."""

    def close(self) -> None:  # noqa: B027 - the inline executor holds nothing
        """Stop any workers."""


def guarded_answer(store: Store, request: SparqlRequest, policy: guard.GuardPolicy) -> Answer:
    """Answer a request with the guard on in this thread; refuse it if it reached for anything."""
    with guard.scope(policy) as blocked:
        try:
            result = answer(store, request)
        except Exception:
            # The library may have turned the refusal into its own error (or swallowed it, as
            # SERVICE SILENT does): what the guard recorded is the real reason.
            if blocked:
                raise guard.refusal(blocked) from None
            raise
    if blocked:
        raise guard.refusal(blocked)
    return result


class InlineExecutor(Executor):
    """Run queries in the calling thread, without a time limit; guarded when given a policy."""

    def __init__(self, store: Store, policy: guard.GuardPolicy | None = None) -> None:
        self.store = store
        self.policy = policy

    def run(self, request: SparqlRequest) -> Answer:
        """Answer one request in this thread."""
        if self.policy is None:
            return answer(self.store, request)
        return guarded_answer(self.store, request, self.policy)


def _heap_trimmer() -> Callable[[int], object]:
    """Return a function that hands the C heap's free memory back to the system (glibc only)."""
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return lambda *_: None


def _limit_memory(limit: int) -> None:
    """Bound this process's address space, so an allocation past it fails instead of swapping."""
    ceiling = limit + _ADDRESS_HEADROOM
    with contextlib.suppress(ValueError, OSError):  # a hard limit set lower by the admin wins
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            ceiling = min(ceiling, hard)
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))


def _relayed(request: SparqlRequest, conn: Connection, config: Config) -> SparqlRequest:
    """Gate a request and put the solutions of its allow-listed SERVICE calls, fetched by the
    server process, in place of the clauses: the worker itself has no network."""
    if config.store == "sparql":
        return request  # the remote store runs the query, SERVICE included
    checked = inspected(request)
    if checked.info is None or not checked.info.services:
        return checked

    def fetch(endpoint: str, query: str) -> bytes:
        conn.send(("service", (endpoint, query)))
        status, payload = conn.recv()
        if status != "service-ok":
            raise payload
        return payload

    text = rewrite_services(checked.text, PREDECLARED, fetch)
    return replace(checked, text=text, info=replace(checked.info, services=()))


def _worker_main(config: Config, conn: Connection) -> None:
    """Serve requests from one pipe until it closes; runs in the worker process."""
    # A large answer leaves its freed buffers in the heap: given back after each answer, so that a
    # worker's resident size follows what it holds, not the largest answer it ever wrote.
    trim = _heap_trimmer()
    try:
        store = open_store(config, read_only=True)
    except LegiongraphError as exc:
        conn.send(("error", exc))
        return
    # The gate's first reading of a SERVICE query parses with rdflib, whose first parse fills its
    # packrat caches (about 30 ms): paid here rather than by a client's first federated query.
    inspect_query("ASK { SERVICE <urn:x-legiongraph:warm-up> { } }")
    # The kernel refuses IP sockets whatever the allow-list: Rust code (Oxigraph's SERVICE
    # client) is invisible to the audit hook, and the gate must not be the only wall. A worker of
    # the sparql store needs them for its store, and runs no query engine of its own.
    try:
        deny_ip_sockets(ip_sockets=config.store == "sparql")
    except FilterUnavailable as exc:
        message = (f"the query worker refuses to start: the kernel socket filter could not be "
                   f"installed ({exc})")
        log.error(message)
        conn.send(("error", StoreError(message)))
        return
    # From here on this process only runs queries: guard every thread of it. A worker of a local
    # store reaches no host: the server process makes its allow-listed SERVICE calls.
    policy = guard.policy_for(config)
    if config.store != "sparql":
        policy = replace(policy, hosts=frozenset())
    guard.enforce_everywhere(policy)
    _limit_memory(config.max_worker_memory)
    conn.send(("ready", None))
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        try:
            conn.send(("ok", guarded_answer(store, _relayed(request, conn, config), policy)))
        except LegiongraphError as exc:
            conn.send(("error", exc))
        except MemoryError:
            # The heap is in an unknown state: report, then leave for a fresh worker.
            conn.send(("error", MemoryLimitHit(memory_limit_message(config.max_worker_memory))))
            return
        except Exception as exc:  # report, never die silently: the parent would wait in vain
            conn.send(("error", LegiongraphError(f"the query failed: {type(exc).__name__}: {exc}")))
        del request
        trim(0)


class _Worker:
    def __init__(self, ctx: multiprocessing.context.BaseContext, config: Config) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(config, child), daemon=True,
                                   name="legiongraph-query-worker")
        self.process.start()
        child.close()
        # One poll object for the worker's life: Connection.poll builds a selector on every call.
        self.poller = select.poll()
        self.poller.register(self.conn.fileno(), select.POLLIN)
        status, payload = self.conn.recv()
        if status != "ready":
            self.stop()
            raise payload

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)


class ProcessExecutor(Executor):
    """A fixed pool of worker processes; a query past its time or memory limit kills its worker.

    ``wait`` is how long a request waits for an idle worker before a ServerBusy (503); 0, the
    default, answers at once.
    """

    def __init__(self, config: Config, workers: int = 3, timeout: float = 30.0,
                 wait: float = 0.0, max_memory: int | None = None) -> None:
        self.config = config
        self.timeout = timeout
        self.wait = wait
        self.max_memory = config.max_worker_memory if max_memory is None else max_memory
        self.size = max(1, workers)
        self._ctx = multiprocessing.get_context("forkserver")
        # Last in, first out: the worker that answered last takes the next query, so that a warm
        # worker (its block cache, heap and CPU caches) answers a steady stream of queries and the
        # others stay small, rather than every query finding the coldest worker.
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        for _ in range(self.size):
            self._add()

    def _add(self) -> None:
        try:
            worker = _Worker(self._ctx, self.config)
        except LegiongraphError as exc:
            log.error("a query worker did not start: %s", exc)
            raise
        with self._lock:
            self._all.add(worker)
        self._idle.put(worker)

    def _take(self) -> _Worker:
        try:
            if self.wait <= 0:
                return self._idle.get_nowait()
            return self._idle.get(timeout=self.wait)
        except queue.Empty:
            raise ServerBusy(f"all {self.size} query workers are busy; try again in a moment") from None

    def run(self, request: SparqlRequest) -> Answer:
        """Answer one request in a worker; kill the worker past the time or memory limit."""
        worker = self._take()
        deadline = time.monotonic() + self.timeout
        try:
            worker.conn.send(request)
            while True:
                self._await(worker, deadline)
                status, payload = worker.conn.recv()
                if status != "service":
                    break
                worker.conn.send(self._relay(*payload, deadline))
        except (QueryTimeout, MemoryLimitHit, EOFError, OSError) as exc:
            died_of = self._died_of_memory(worker)
            self._replace(worker)
            if isinstance(exc, QueryTimeout | MemoryLimitHit):
                raise
            if died_of:
                raise MemoryLimitHit(memory_limit_message(self.max_memory)) from None
            raise StoreError("the query worker stopped unexpectedly") from None
        if status == "error" and isinstance(payload, MemoryLimitHit):
            self._replace(worker)  # it left after a MemoryError
            raise payload
        self._idle.put(worker)
        if status == "error":
            raise payload
        return payload

    def _relay(self, endpoint: str, query: str, deadline: float) -> tuple[str, object]:
        """Make a worker's SERVICE call if its endpoint is allow-listed; return the reply."""
        try:
            return "service-ok", fetch_service(endpoint, query, self.config.service_allowlist,
                                               deadline - time.monotonic())
        except LegiongraphError as exc:
            return "service-error", exc

    def _await(self, worker: _Worker, deadline: float) -> None:
        """Wait for the worker's next message, watching its resident size; raise past either limit."""
        pid = worker.process.pid or 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise QueryTimeout(f"the query ran past the {self.timeout:g} s time limit "
                                   "and was stopped")
            if worker.poller.poll(min(_WATCH_INTERVAL, remaining) * 1000):
                return
            if _rss(pid) > self.max_memory:
                log.warning("query worker %s passed max_worker_memory (%d bytes): stopped", pid,
                            self.max_memory)
                raise MemoryLimitHit(memory_limit_message(self.max_memory))

    @staticmethod
    def _died_of_memory(worker: _Worker) -> bool:
        """Tell whether a worker that went away was killed for memory (an abort on a failed
        allocation under RLIMIT_AS, or the kernel's OOM killer)."""
        worker.process.join(timeout=1)
        return worker.process.exitcode in (-signal.SIGABRT, -signal.SIGKILL)

    def _replace(self, worker: _Worker) -> None:
        worker.stop()
        with self._lock:
            self._all.discard(worker)
        self._add()

    def close(self) -> None:
        """Stop every worker."""
        with self._lock:
            workers, self._all = list(self._all), set()
        for worker in workers:
            worker.stop()

    @property
    def pids(self) -> list[int]:
        """Return the process ids of the live workers."""
        with self._lock:
            return sorted(w.process.pid for w in self._all if w.process.pid is not None)
