"""A polite SPARQL client for public endpoints: a descriptive User-Agent, a pause between
requests, retries with backoff on 429/503, and a cache on disk so that a second run asks nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import QueryError
from ..fsutil import atomic_write_bytes

__all__ = ["USER_AGENT", "WIKIDATA_SPARQL", "SparqlClient", "default_cache_dir"]

WIKIDATA_SPARQL = "https://query.wikidata.org/sparql"
# The Wikimedia User-Agent policy asks for a name, a version and a way to learn more.
USER_AGENT = ("legiongraph-link/0.1 (entity reconciliation for the legiongraph knowledge graph; "
              "https://w3id.org/legiongraph) Python-urllib")
_RETRY_STATUSES = {429, 502, 503, 504}

Bindings = list[dict[str, dict[str, str]]]


def default_cache_dir() -> Path:
    """Return the default answer cache: ``$XDG_CACHE_HOME/legiongraph/sparql``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "legiongraph" / "sparql"


class SparqlClient:
    """Send SELECT queries to one endpoint, caching each answer by endpoint and query text."""

    def __init__(
        self,
        endpoint: str,
        *,
        cache_dir: Path | None = None,
        min_interval: float = 1.0,
        retries: int = 4,
        timeout: float = 60.0,
        user_agent: str = USER_AGENT,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.endpoint = endpoint
        self.cache_dir = cache_dir
        self.min_interval = min_interval
        self.retries = retries
        self.timeout = timeout
        self.user_agent = user_agent
        self._sleep = sleep
        self._last = 0.0
        #: requests actually sent (not answered from the cache)
        self.requests = 0

    def _cache_file(self, query: str) -> Path | None:
        if self.cache_dir is None:
            return None
        key = hashlib.sha256(f"{self.endpoint}\n{query}".encode()).hexdigest()
        return self.cache_dir / key[:2] / f"{key}.json"

    def select(self, query: str) -> Bindings:
        """Return the bindings of a SELECT query, from the cache when it was asked before."""
        cached = self._cache_file(query)
        if cached is not None and cached.is_file():
            try:
                return json.loads(cached.read_text(encoding="utf-8"))["results"]["bindings"]
            except (OSError, ValueError, KeyError):
                pass  # a damaged cache entry is asked again and overwritten
        body = self._post(query)
        try:
            answer: dict[str, Any] = json.loads(body)
            bindings = answer["results"]["bindings"]
        except (ValueError, KeyError, TypeError):
            raise QueryError(f"{self.endpoint}: the answer is not SPARQL JSON results") from None
        if cached is not None:
            atomic_write_bytes(cached, body)
        return bindings

    def _wait_turn(self) -> None:
        pause = self._last + self.min_interval - time.monotonic()
        if pause > 0:
            self._sleep(pause)
        self._last = time.monotonic()

    def _post(self, query: str) -> bytes:
        data = urllib.parse.urlencode({"query": query}).encode("utf-8")
        headers = {"User-Agent": self.user_agent, "Accept": "application/sparql-results+json",
                   "Content-Type": "application/x-www-form-urlencoded"}
        for attempt in range(self.retries + 1):
            self._wait_turn()
            self.requests += 1
            request = urllib.request.Request(self.endpoint, data=data, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return response.read()
            except urllib.error.HTTPError as exc:
                with exc:  # an HTTPError holds the open response; close it here, not at GC
                    detail = exc.read()[:300].decode("utf-8", "replace").strip()
                if exc.code not in _RETRY_STATUSES or attempt == self.retries:
                    raise QueryError(f"{self.endpoint}: HTTP {exc.code} {exc.reason}: {detail}") from None
                self._sleep(_backoff(exc.headers.get("Retry-After"), attempt))
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                reason = getattr(exc, "reason", exc)
                raise QueryError(f"{self.endpoint}: cannot reach the endpoint ({reason})") from None
        raise QueryError(f"{self.endpoint}: no answer after {self.retries + 1} attempts")


def _backoff(retry_after: str | None, attempt: int) -> float:
    """Return how long to wait before trying again: the server's Retry-After, else 2^attempt s."""
    if retry_after is not None and retry_after.strip().isdigit():
        return min(float(retry_after), 300.0)
    return float(2 ** attempt)
