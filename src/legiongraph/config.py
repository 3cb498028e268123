"""The frozen configuration object: defaults, then a TOML file, then environment, then flags.

Nothing reads configuration at import time; callers build a :class:`Config` with
:func:`load_config` and pass it explicitly.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import ConfigError

__all__ = ["STORE_KINDS", "Config", "default_home", "load_config"]

ENV_PREFIX = "LEGIONGRAPH_"
STORE_KINDS = ("oxigraph", "memory")


def default_home() -> Path:
    """Return the default folder for the built store: ``$XDG_DATA_HOME/legiongraph``."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "legiongraph"


@dataclass(frozen=True)
class Config:
    """Every setting legiongraph reads; build one with :func:`load_config`."""

    store: str = "oxigraph"
    store_path: Path = field(default_factory=lambda: default_home() / "store")
    data_dir: Path | None = None
    reasoner: str = "owlrl"
    host: str = "127.0.0.1"
    port: int = 8000
    query_timeout: float = 30.0
    workers: int = 2

    def __post_init__(self) -> None:
        if self.store not in STORE_KINDS:
            raise ConfigError(
                f"store: expected one of {', '.join(STORE_KINDS)}, got {self.store!r}"
            )
        if self.reasoner not in ("owlrl",):
            raise ConfigError(f"reasoner: expected 'owlrl', got {self.reasoner!r}")
        if not 0 < self.port < 65536:
            raise ConfigError(f"port: expected 1-65535, got {self.port}")
        if not self.query_timeout > 0:
            raise ConfigError(f"query_timeout: expected a positive number of seconds, "
                              f"got {self.query_timeout}")
        if not 1 <= self.workers <= 64:
            raise ConfigError(f"workers: expected 1-64 query worker processes, got {self.workers}")

    def replace(self, **changes: Any) -> Config:
        """Return a copy with some settings changed."""
        return dataclasses.replace(self, **changes)


def _coerce(name: str, value: Any, origin: str) -> Any:
    kinds = {f.name: f for f in fields(Config)}
    if name not in kinds:
        known = ", ".join(sorted(kinds))
        raise ConfigError(f"{origin}: unknown setting {name!r} (known: {known})")
    if value is None:
        return None
    if name in ("store_path", "data_dir"):
        return Path(value).expanduser()
    kind = {"port": int, "workers": int, "query_timeout": float}.get(name)
    if kind is not None:
        try:
            return kind(value)
        except (TypeError, ValueError):
            expected = "an integer" if kind is int else "a number"
            raise ConfigError(f"{origin}: {name}: expected {expected}, got {value!r}") from None
    return str(value)


def load_config(
    file: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    **flags: Any,
) -> Config:
    """Build the configuration from defaults, a TOML file, ``LEGIONGRAPH_*`` variables and flags.

    ``file`` defaults to ``$LEGIONGRAPH_CONFIG`` when set. Flags whose value is ``None`` are
    ignored, so a CLI can pass every option through unchanged.
    """
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    file = file or env.get(ENV_PREFIX + "CONFIG")
    if file:
        path = Path(file)
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
        except FileNotFoundError:
            raise ConfigError(f"{path}: configuration file not found") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
        section = data.get("legiongraph", data)
        for key, value in section.items():
            values[key] = _coerce(key, value, str(path))
    for f in fields(Config):
        key = ENV_PREFIX + f.name.upper()
        if key in env:
            values[f.name] = _coerce(f.name, env[key], key)
    for key, value in flags.items():
        if value is not None:
            values[key] = _coerce(key, value, f"--{key.replace('_', '-')}")
    return Config(**values)
