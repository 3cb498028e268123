"""Loopback helpers for the security tests: a listener that counts every connection made to it,
and an HTTP client that can speak from another loopback address (another "client")."""

from __future__ import annotations

import http.client
import json
import socket
import threading
from collections.abc import Iterable
from urllib.parse import urlsplit

ANSWER = {"head": {"vars": ["x"]},
          "results": {"bindings": [{"x": {"type": "literal", "value": "from the remote endpoint"}}]}}


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections it receives.

    It answers any HTTP request at once with a small SPARQL JSON result, so that a SERVICE call
    that gets through completes (and is counted) instead of hanging the test. The count is taken
    before the answer is sent, so once the query has returned, every connection it made is counted.
    """

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self._count = 0
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self._lock:
                self._count += 1
            with conn:
                conn.settimeout(5)
                data = b""
                try:
                    while b"\r\n\r\n" not in data:
                        chunk = conn.recv(65536)
                        if not chunk:
                            break
                        data += chunk
                    body = json.dumps(ANSWER).encode()
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                                 b"Content-Length: " + str(len(body)).encode() +
                                 b"\r\nConnection: close\r\n\r\n" + body)
                except OSError:
                    pass

    @property
    def connections(self) -> int:
        """Return how many connections reached the listener so far."""
        with self._lock:
            return self._count

    def close(self) -> None:
        """Stop listening."""
        self.sock.close()


def request(base: str, method: str, target: str, *, source: str = "127.0.0.1",
            body: bytes | Iterable[bytes] | None = None, headers: dict[str, str] | None = None,
            timeout: float = 60) -> tuple[int, dict[str, str], str]:
    """Send one HTTP request from a given loopback source address; return status, headers, text.

    An iterable body is sent chunked, without a Content-Length.
    """
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout,
                                      source_address=(source, 0))
    try:
        chunked = body is not None and not isinstance(body, bytes)
        conn.request(method, target, body=body, headers=headers or {}, encode_chunked=chunked)
        response = conn.getresponse()
        return (response.status, {k.lower(): v for k, v in response.getheaders()},
                response.read().decode("utf-8", "replace"))
    finally:
        conn.close()
