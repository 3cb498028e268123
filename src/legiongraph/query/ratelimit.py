"""Per-client and server-wide limits on concurrent requests, so that one client cannot take every
worker and queries cannot take every server thread."""

from __future__ import annotations

import contextlib
import ipaddress
import threading
from collections import Counter
from collections.abc import Iterator

from ..errors import RateLimited, ServerBusy

__all__ = ["ClientLimiter", "client_key"]


def client_key(address: str | None) -> str:
    """Return the key a client is counted under: its IPv4 address, or its IPv6 /64 network.

    One IPv6 host commonly holds a whole /64, so counting single IPv6 addresses would give it
    billions of allowances. An IPv4 address mapped into IPv6 counts as that IPv4 address.
    """
    if not address:
        return "unknown"
    try:
        ip = ipaddress.ip_address(address.split("%")[0].strip("[]"))
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


class ClientLimiter:
    """Let each client have at most ``per_client`` requests in progress, and all clients together
    at most ``total`` (None: no overall cap).

    A request over a limit is refused at once rather than queued: a queue would hold a server
    thread per waiting request, which is what the limits are there to prevent. Clients are
    counted by :func:`client_key` (IPv4 address, IPv6 /64).
    """

    def __init__(self, per_client: int, total: int | None = None) -> None:
        if per_client < 1:
            raise ValueError("per_client must be at least 1")
        if total is not None and total < 1:
            raise ValueError("total must be at least 1")
        self.per_client = per_client
        self.total = total
        self._running: Counter[str] = Counter()
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def slot(self, client: str | None) -> Iterator[None]:
        """Hold one of the client's slots for the block; raise RateLimited (the client's) or
        ServerBusy (the server's) if none is free."""
        key = client_key(client)
        with self._lock:
            if self._running[key] >= self.per_client:
                raise RateLimited(f"too many queries at once from this client: at most "
                                  f"{self.per_client} may run at a time; try again when one is done")
            if self.total is not None and sum(self._running.values()) >= self.total:
                raise ServerBusy(f"the server is running as many queries as it takes at once "
                                 f"({self.total}); try again in a moment")
            self._running[key] += 1
        try:
            yield
        finally:
            with self._lock:
                self._running[key] -= 1
                if self._running[key] <= 0:
                    del self._running[key]

    def running(self, client: str | None) -> int:
        """Return how many requests a client (or the network it is counted under) has in progress."""
        with self._lock:
            return self._running[client_key(client)]

    def in_progress(self) -> int:
        """Return how many requests are in progress over all clients."""
        with self._lock:
            return sum(self._running.values())
