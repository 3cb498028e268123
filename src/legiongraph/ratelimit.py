"""A per-client limit on concurrent requests, so that one client cannot take every worker."""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Iterator

from .errors import RateLimited

__all__ = ["ClientLimiter"]


class ClientLimiter:
    """Let each client (an address) have at most ``per_client`` requests in progress at once.

    A request over the limit is refused at once rather than queued: a queue would hold a server
    thread per waiting request, which is what the limit is there to prevent.
    """

    def __init__(self, per_client: int) -> None:
        if per_client < 1:
            raise ValueError("per_client must be at least 1")
        self.per_client = per_client
        self._running: Counter[str] = Counter()
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def slot(self, client: str) -> Iterator[None]:
        """Hold one of the client's slots for the block; raise RateLimited if none is free."""
        with self._lock:
            if self._running[client] >= self.per_client:
                raise RateLimited(f"too many queries at once from this client: at most "
                                  f"{self.per_client} may run at a time; try again when one is done")
            self._running[client] += 1
        try:
            yield
        finally:
            with self._lock:
                self._running[client] -= 1
                if self._running[client] <= 0:
                    del self._running[client]

    def running(self, client: str) -> int:
        """Return how many requests a client has in progress."""
        with self._lock:
            return self._running[client]
