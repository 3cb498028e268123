"""Where queries run: inline for tests and tools, or in worker processes that are killed on time.

A running Oxigraph query cannot be interrupted from Python (it releases the GIL and ignores
signals), so the endpoint runs each query in a worker process with the store open read-only.
When a query passes its time limit the worker is killed and replaced; other clients are served by
the other workers meanwhile.

Both executors run queries under :mod:`legiongraph.guard`: a worker guards its whole process (and,
when it needs no network, has the kernel refuse it IP sockets), the inline executor the thread
that runs the query.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import queue
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from multiprocessing.connection import Connection

from . import guard
from .config import Config
from .errors import LegiongraphError, QueryTimeout, StoreError
from .seccomp import deny_ip_sockets
from .service import Answer, SparqlRequest, answer
from .sparqlgate import inspect_query
from .stores import open_store
from .stores.base import Store

__all__ = ["Executor", "InlineExecutor", "ProcessExecutor"]


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
    # Build rdflib's query grammar now rather than in a client's first query (about a second).
    inspect_query("ASK {}")
    # From here on this process only runs queries: guard every thread of it.
    policy = guard.policy_for(config)
    guard.enforce_everywhere(policy)
    if not policy.hosts:
        # Needing no network at all, let the kernel refuse it too: Rust code (Oxigraph's SERVICE
        # client) is invisible to the audit hook.
        deny_ip_sockets()
    conn.send(("ready", None))
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        try:
            conn.send(("ok", guarded_answer(store, request, policy)))
        except LegiongraphError as exc:
            conn.send(("error", exc))
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
    """A fixed pool of worker processes; a query past its time limit kills its worker."""

    def __init__(self, config: Config, workers: int = 2, timeout: float = 30.0,
                 wait: float | None = None) -> None:
        self.config = config
        self.timeout = timeout
        self.wait = timeout if wait is None else wait
        self._ctx = multiprocessing.get_context("forkserver")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        for _ in range(max(1, workers)):
            self._add()

    def _add(self) -> None:
        worker = _Worker(self._ctx, self.config)
        with self._lock:
            self._all.add(worker)
        self._idle.put(worker)

    def run(self, request: SparqlRequest) -> Answer:
        """Answer one request in a worker; kill the worker if it runs past the time limit."""
        try:
            worker = self._idle.get(timeout=self.wait)
        except queue.Empty:
            raise QueryTimeout("all query workers are busy; try again later") from None
        try:
            worker.conn.send(request)
            if not worker.conn.poll(self.timeout):
                raise QueryTimeout(f"the query ran past the {self.timeout:g} s time limit "
                                   "and was stopped")
            status, payload = worker.conn.recv()
        except (QueryTimeout, EOFError, OSError) as exc:
            self._replace(worker)
            if isinstance(exc, QueryTimeout):
                raise
            raise StoreError("the query worker stopped unexpectedly") from None
        self._idle.put(worker)
        if status == "error":
            raise payload
        return payload

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
