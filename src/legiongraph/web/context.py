"""Per-application and per-request resources: the config, the store, the named queries."""

from __future__ import annotations

import threading

from flask import Flask, current_app, g

from ..config import Config
from ..publish.servicedesc import GraphStats, graph_statistics
from ..query.executor import Executor
from ..query.ratelimit import ClientLimiter
from ..resources import Resources
from ..stores import open_store
from ..stores.base import Store
from .pagecache import PageCache

__all__ = [
    "get_config",
    "get_executor",
    "get_limiter",
    "get_page_cache",
    "get_page_limiter",
    "get_resources",
    "get_statistics",
    "get_store",
    "init_app",
]

_KEY = "legiongraph"


class _AppState:
    """What one application shares between requests: the store is opened once, read-only."""

    def __init__(self, config: Config, store: Store | None, executor: Executor) -> None:
        self.config = config
        self.executor = executor
        # No more /sparql requests in progress than workers: the rest get a 503 at once, so that
        # queries never hold the server threads that pages and static files need.
        self.limiter = ClientLimiter(config.client_concurrency, total=config.workers)
        # Pages and downloads have their own slots, so that browsing never takes a query's.
        self.page_limiter = ClientLimiter(config.client_concurrency)
        self.page_cache = PageCache()
        self.resources = Resources(config.data_dir)
        self._store = store
        self._lock = threading.Lock()
        self._statistics: list[GraphStats] | None = None

    def store(self) -> Store:
        with self._lock:
            if self._store is None:
                self._store = open_store(self.config, read_only=True)
            return self._store

    def statistics(self) -> list[GraphStats]:
        # The served store is read-only, so its statistics are computed once.
        if self._statistics is None:
            self._statistics = graph_statistics(self.store())
        return self._statistics


def init_app(app: Flask, store: Store | None, executor: Executor) -> None:
    """Attach the shared state to an application."""
    app.extensions[_KEY] = _AppState(app.config["LEGIONGRAPH"], store, executor)


def get_executor() -> Executor:
    """Return what runs the application's queries."""
    return _state().executor


def get_limiter() -> ClientLimiter:
    """Return the per-client concurrency limiter of the SPARQL endpoint."""
    return _state().limiter


def get_page_limiter() -> ClientLimiter:
    """Return the per-client concurrency limiter of the Linked Data pages and downloads."""
    return _state().page_limiter


def get_page_cache() -> PageCache:
    """Return the cache of rendered pages."""
    return _state().page_cache


def _state() -> _AppState:
    return current_app.extensions[_KEY]


def get_config() -> Config:
    """Return the application's configuration."""
    return _state().config


def get_resources() -> Resources:
    """Return the resources (queries, ontology) the application reads."""
    return _state().resources


def get_statistics() -> list[GraphStats]:
    """Return the VoID statistics of the served store."""
    return _state().statistics()


def get_store() -> Store:
    """Return the store for this request."""
    if "store" not in g:
        g.store = _state().store()
    return g.store
