"""Waitress as ``legiongraph serve`` runs it: idle connections closed, connections per address
capped (an IPv6 /64 counts as one address), an oversized body refused before it is read.

Waitress's own ``connection_limit`` is global: 101 connections trickling headers from one address
used to leave no room for anyone else. Each address here may hold ``client_connections``
connections; one more is answered ``503`` and closed at once. Addresses in ``trusted_proxies`` are
exempt (every client of a reverse proxy shares its address; the proxy limits per client itself).
"""

from __future__ import annotations

import contextlib
import ctypes
import ipaddress
import threading
from collections import Counter
from typing import Any

from waitress.channel import HTTPChannel
from waitress.server import create_server

from ..config import Config
from .protocol import body_limit

__all__ = ["make_server", "return_freed_memory", "waitress_settings"]

_BUSY = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
         b"Retry-After: 5\r\nConnection: close\r\nContent-Length: 71\r\n\r\n"
         b"too many connections from this address at once; close some and retry\n")


def waitress_settings(config: Config, threads: int) -> dict[str, Any]:
    """Return the waitress adjustments for a configuration."""
    return {
        "host": config.host, "port": config.port, "threads": threads, "ident": "legiongraph",
        # a slow client's idle connection is closed after channel_timeout seconds
        "channel_timeout": config.channel_timeout,
        # waitress looks for idle connections every cleanup_interval seconds (30 by default)
        "cleanup_interval": max(1, min(30, config.channel_timeout // 2)),
        "connection_limit": config.connection_limit,
        # waitress refuses a larger Content-Length with 413 before reading a byte of the body
        # (">=": one more than the largest body any route accepts)
        "max_request_body_size": body_limit(config) + 1,
        "clear_untrusted_proxy_headers": False,  # the edge middleware reads X-Forwarded-For
    }


def _channel_class(config: Config) -> type[HTTPChannel]:
    proxies = [ipaddress.ip_network(p, strict=False) for p in config.trusted_proxies]
    limit = config.client_connections
    counts: Counter[str] = Counter()
    lock = threading.Lock()

    def key(address: str) -> str:
        # One IPv6 host usually holds a whole /64: count its connections together.
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return address
        return str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else address

    def exempt(address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in proxies)

    class LimitedChannel(HTTPChannel):
        """An HTTP channel that counts the connections of its address."""

        counted: str | None = None

        def __init__(self, server: Any, sock: Any, addr: Any, adj: Any, map: Any = None) -> None:
            raw = addr[0] if isinstance(addr, tuple) else str(addr)
            address = key(raw)
            over = False
            if not exempt(raw):
                with lock:
                    over = counts[address] >= limit
                    if not over:
                        counts[address] += 1
            if over:
                with contextlib.suppress(OSError):
                    sock.send(_BUSY)
                sock.close()
                return
            self.counted = None if exempt(raw) else address
            super().__init__(server, sock, addr, adj, map)

        def del_channel(self, map: Any = None) -> None:
            if self.counted is not None:
                with lock:
                    counts[self.counted] -= 1
                    if counts[self.counted] <= 0:
                        del counts[self.counted]
                self.counted = None
            super().del_channel(map)

    return LimitedChannel


_M_MMAP_THRESHOLD = -3  # glibc's malloc.h


def return_freed_memory() -> bool:
    """Make this process give large freed buffers back to the system at once; say if it could."""
    # glibc raises its mmap threshold to the largest buffer freed so far (up to 32 MiB), and a
    # buffer under the threshold stays in the heap once freed: query answers passing through the
    # server grew it from 65 to 195 MB PSS at 1M triples, and would grow it with the store. A
    # fixed threshold keeps every buffer of 128 KiB or more in a mapping of its own.
    try:
        return bool(ctypes.CDLL(None).mallopt(_M_MMAP_THRESHOLD, 128 * 1024))
    except (OSError, AttributeError):  # not glibc
        return False


def make_server(app: Any, config: Config, threads: int = 8) -> Any:
    """Return a waitress server for the app with the configuration's limits; call ``run()``."""
    server = create_server(app, **waitress_settings(config, threads))
    server.channel_class = _channel_class(config)
    return server
