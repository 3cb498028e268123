"""A bounded cache of rendered Linked Data pages, keyed by the served store's version.

The served store is opened read-only, so a page rendered once stays right for as long as that
store is served; the version in the key (the store object and its directory's modification time)
keeps a cache that outlived a store from answering for another one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from ..stores.base import Store

__all__ = ["CachedPage", "PageCache", "store_version"]


@dataclass(frozen=True)
class CachedPage:
    """A finished answer: status, body, content type and headers."""

    status: int
    body: bytes
    content_type: str
    headers: tuple[tuple[str, str], ...]


def store_version(store: Store) -> str:
    """Return a text that changes whenever a different store, or a rebuilt one, is served."""
    path = getattr(store, "path", None)
    stamp = ""
    if isinstance(path, Path):
        try:
            stamp = str(path.stat().st_mtime_ns)
        except OSError:
            stamp = "gone"
    return f"{id(store)}:{stamp}"


class PageCache:
    """Keep the most recently used answers, at most ``max_bytes`` of bodies in all."""

    def __init__(self, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple[str, ...], CachedPage] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[str, ...]) -> CachedPage | None:
        """Return the cached answer for a key, or None."""
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple[str, ...], page: CachedPage) -> None:
        """Keep an answer, dropping the least recently used ones past the byte budget."""
        if len(page.body) > self.max_bytes // 4:
            return  # one huge answer would flush everything else
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._items[key] = page
            self._bytes += len(page.body)
            while self._bytes > self.max_bytes and self._items:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= len(dropped.body)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
