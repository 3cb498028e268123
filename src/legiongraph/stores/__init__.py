"""Store back ends behind one small interface; :func:`open_store` picks one from the config."""

from __future__ import annotations

from ..config import Config
from ..errors import ConfigError
from .base import Store
from .memory import MemoryStore
from .oxigraph import OxigraphStore
from .sparql import SparqlStore

__all__ = ["MemoryStore", "OxigraphStore", "SparqlStore", "Store", "open_store"]


def open_store(config: Config, *, read_only: bool = True) -> Store:
    """Open the configured store; the server and queries open it read-only."""
    if config.store == "oxigraph":
        return OxigraphStore(config.store_path, read_only=read_only)
    if config.store == "memory":
        return MemoryStore(config.store_path, read_only=read_only)
    if config.store == "sparql":
        return SparqlStore(config, read_only=read_only)
    raise ConfigError(f"store: unknown back end {config.store!r}")
