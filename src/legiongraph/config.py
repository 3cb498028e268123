"""The frozen configuration object: defaults, then a TOML file, then environment, then flags.

Nothing reads configuration at import time; callers build a :class:`Config` with
:func:`load_config` and pass it explicitly.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import re
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import ConfigError

__all__ = ["REASONERS", "STORE_KINDS", "VALIDATORS", "Config", "default_home", "default_store_path",
           "load_config"]

ENV_PREFIX = "LEGIONGRAPH_"
STORE_KINDS = ("oxigraph", "memory", "sparql")
VALIDATORS = ("shacl", "pyshacl", "sparql")
REASONERS = ("owlrl", "reasonable", "rules")


def default_home() -> Path:
    """Return the default folder for the built store: ``$XDG_DATA_HOME/legiongraph``."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "legiongraph"


def default_store_path() -> Path:
    """Return the default store: a source checkout's ``var/store``, else under :func:`default_home`."""
    # `make run`, `legiongraph` and `legiongraph serve` from one checkout must read one store, and
    # two checkouts must never read each other's; an installed package has no checkout to use.
    root = Path(__file__).resolve().parents[2]
    if (root / "pyproject.toml").is_file() and (root / "src" / "legiongraph").is_dir():
        return root / "var" / "store"
    return default_home() / "store"


@dataclass(frozen=True)
class Config:
    """Every setting legiongraph reads; build one with :func:`load_config`."""

    # where the graph lives
    store: str = "oxigraph"
    store_path: Path = field(default_factory=default_store_path)
    data_dir: Path | None = None
    # a SPARQL 1.1 server (store = "sparql"): query, update and Graph Store Protocol endpoints
    sparql_endpoint: str | None = None
    sparql_update_endpoint: str | None = None
    sparql_graph_store: str | None = None
    sparql_user: str | None = None
    sparql_password: str | None = None
    # the pipeline
    # "rules" (compiled from the ontology, run inside pyoxigraph) and "reasonable" give owlrl's
    # entailments for this ontology at a fraction of the cost (tests/test_reasoners.py); "owlrl"
    # is the reference. "rules" refuses an ontology with OWL constructs it does not compile.
    reasoner: str = "rules"
    # "shacl" (the shacl package, all of SHACL Core, fed from the working store) gives pySHACL's
    # results (tests/test_w3c_shacl.py, tests/test_shacl_differential.py); "pyshacl" is the reference;
    # "sparql", the former default, is an alias of "shacl" (docs/validation.md).
    validator: str = "shacl"
    # who is recorded in the activity log (graph lgg:log) for ingest and retract, unless the
    # command says --as NAME; None records the operating-system user name
    analyst: str | None = None
    # serving
    host: str = "127.0.0.1"
    port: int = 8000
    # More workers than one client may use (client_concurrency), so that one client cannot take
    # them all; each worker is stopped and replaced past max_worker_memory bytes (docs/security.md).
    workers: int = 3
    max_worker_memory: int = 2 * 1024 ** 3
    query_timeout: float = 30.0
    max_rows: int = 100_000
    max_result_bytes: int = 64 * 1024 * 1024
    max_query_bytes: int = 64 * 1024
    max_url_bytes: int = 16 * 1024
    client_concurrency: int = 2
    service_allowlist: tuple[str, ...] = ()
    public: bool = False
    # the web edge (docs/security.md): waitress closes a connection idle this many seconds, holds
    # at most connection_limit connections and client_connections from one address; X-Forwarded-For
    # is read only from trusted_proxies; absolute URLs use public_base_url, and other Host names
    # than trusted_hosts (plus loopback and the listening host) are refused.
    channel_timeout: int = 20
    connection_limit: int = 200
    client_connections: int = 16
    trusted_proxies: tuple[str, ...] = ()
    public_base_url: str | None = None
    trusted_hosts: tuple[str, ...] = ()
    # Linked Data pages list at most this many incoming links / statements per page.
    page_size: int = 200
    # the key of the keyed hash that re-mints combatants' IRIs in a public build; never commit it
    public_iri_key: str | None = None
    # who made and who publishes the data, as archive descriptions (DCAT, RO-Crate) and the
    # ontology name them: agents with IRIs, and a contact point (a mailto: or web address). An
    # ORCID iD (https://orcid.org/…) names a person, a ROR IRI (https://ror.org/…) an organisation;
    # RO-Crate recommends them where they exist, and both are checked here (docs/exports.md).
    creator_name: str = "legiongraph developers"
    creator_iri: str = "https://w3id.org/legiongraph/id/agent/developers"
    publisher_name: str = "legiongraph project"
    publisher_iri: str = "https://w3id.org/legiongraph/id/agent/project"
    contact_url: str = "https://w3id.org/legiongraph/"

    def __post_init__(self) -> None:
        if self.store not in STORE_KINDS:
            raise ConfigError(f"store: expected one of {', '.join(STORE_KINDS)}, got {self.store!r}")
        if self.store == "sparql" and not self.sparql_endpoint:
            raise ConfigError("sparql_endpoint: the 'sparql' store needs the URL of a SPARQL endpoint")
        if self.reasoner not in REASONERS:
            raise ConfigError(f"reasoner: expected one of {', '.join(REASONERS)}, got {self.reasoner!r}")
        if self.validator not in VALIDATORS:
            raise ConfigError(f"validator: expected one of {', '.join(VALIDATORS)}, got {self.validator!r}")
        if not 0 < self.port < 65536:
            raise ConfigError(f"port: expected 1-65535, got {self.port}")
        if not self.query_timeout > 0:
            raise ConfigError(f"query_timeout: expected a positive number of seconds, "
                              f"got {self.query_timeout}")
        if not 1 <= self.workers <= 64:
            raise ConfigError(f"workers: expected 1-64 query worker processes, got {self.workers}")
        if self.max_worker_memory < 64 * 1024 ** 2:
            raise ConfigError(f"max_worker_memory: expected at least 67108864 bytes (64 MiB) per "
                              f"query worker, got {self.max_worker_memory}")
        for name in ("max_rows", "max_result_bytes", "max_query_bytes", "max_url_bytes",
                     "client_concurrency", "channel_timeout", "connection_limit",
                     "client_connections", "page_size"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name}: expected a positive integer, got {getattr(self, name)}")

        for entry in self.trusted_proxies:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ConfigError(f"trusted_proxies: expected IP addresses or networks such as "
                                  f"127.0.0.1 or 10.0.0.0/8, got {entry!r}") from None
        if self.public_base_url is not None and not self.public_base_url.startswith(
                ("http://", "https://")):
            raise ConfigError(f"public_base_url: expected an http(s) URL such as "
                              f"https://example.org/legiongraph, got {self.public_base_url!r}")
        for name in ("creator_iri", "publisher_iri", "contact_url"):
            if not getattr(self, name).startswith(("http://", "https://", "mailto:")):
                raise ConfigError(f"{name}: expected an http(s) or mailto: IRI, "
                                  f"got {getattr(self, name)!r}")
        for name in ("creator_iri", "publisher_iri"):
            _check_persistent_id(name, getattr(self, name))

    def replace(self, **changes: Any) -> Config:
        """Return a copy with some settings changed."""
        return dataclasses.replace(self, **changes)


_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
ORCID_PREFIX = "https://orcid.org/"
ROR_PREFIX = "https://ror.org/"


def _check_persistent_id(name: str, iri: str) -> None:
    """Refuse an ORCID or ROR IRI whose form or check digits are wrong (a typo or a made-up ID)."""
    if iri.startswith(ORCID_PREFIX):
        digits = iri.removeprefix(ORCID_PREFIX).replace("-", "")
        ok = re.fullmatch(r"[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]",
                          iri.removeprefix(ORCID_PREFIX)) is not None
        if ok:  # ISO 7064 MOD 11-2, as ORCID computes its last character
            total = 0
            for digit in digits[:15]:
                total = (total + int(digit)) * 2
            check = (12 - total % 11) % 11
            ok = digits[15] == ("X" if check == 10 else str(check))
        if not ok:
            raise ConfigError(f"{name}: {iri!r} is no valid ORCID iD (expected "
                              f"{ORCID_PREFIX}0000-0000-0000-000X with a matching check digit)")
    elif iri.startswith(ROR_PREFIX):
        ror = iri.removeprefix(ROR_PREFIX)
        ok = re.fullmatch(f"0[{_CROCKFORD}]{{6}}[0-9]{{2}}", ror) is not None
        if ok:  # ROR's check: 98 - (n * 100 mod 97), n the base-32 (Crockford) number
            number = 0
            for char in ror[1:7]:
                number = number * 32 + _CROCKFORD.index(char)
            ok = int(ror[7:]) == 98 - (number * 100) % 97
        if not ok:
            raise ConfigError(f"{name}: {iri!r} is no valid ROR ID (expected {ROR_PREFIX} and nine "
                              "lower-case characters, the last two digits checking the others)")


_HINTS = typing.get_type_hints(Config)


def _coerce(name: str, value: Any, origin: str) -> Any:
    if name not in _HINTS:
        known = ", ".join(sorted(_HINTS))
        raise ConfigError(f"{origin}: unknown setting {name!r} (known: {known})")
    if value is None:
        return None
    hint = _HINTS[name]
    if isinstance(hint, types.UnionType):  # X | None: coerce to X
        hint = next(t for t in typing.get_args(hint) if t is not type(None))
    kind = typing.get_origin(hint) or hint
    try:
        if kind is Path:
            return Path(value).expanduser()
        if kind is bool:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
                raise ValueError(value)
            return text in ("1", "true", "yes", "on")
        if kind is tuple:
            items = value if isinstance(value, list | tuple) else str(value).split()
            return tuple(str(item).strip().rstrip(",") for item in items if str(item).strip())
        if kind in (int, float):
            if isinstance(value, bool):
                raise ValueError(value)
            return kind(value)
        return str(value)
    except (TypeError, ValueError):
        expected = {int: "an integer", float: "a number", bool: "true or false"}.get(kind, "a value")
        raise ConfigError(f"{origin}: {name}: expected {expected}, got {value!r}") from None


def load_config(
    file: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    **flags: Any,
) -> Config:
    """Build the configuration from defaults, a TOML file, ``LEGIONGRAPH_*`` variables and flags.

    ``file`` defaults to ``$LEGIONGRAPH_CONFIG`` when set. Flags whose value is ``None`` are
    ignored, so a CLI can pass every option through unchanged. List settings
    (``service_allowlist``) are a TOML array, or space-separated in the environment.
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
