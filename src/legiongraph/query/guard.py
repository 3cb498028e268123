"""The second layer against outbound requests: an audit hook that refuses, while a query runs,
any socket, URL, file or program the query has no business reaching.

The first layer is the query gate (:mod:`legiongraph.query.sparqlgate` and :func:`service.prepare`),
which refuses SERVICE from the parsed query. This guard catches whatever the gate might miss, in
code that goes through Python: ``socket.connect``, ``socket.getaddrinfo`` (so not even a DNS
lookup leaves), ``urllib.Request``, ``open`` / ``os.open`` outside the allowed folders, file
removal and renaming, and starting processes. It raises :class:`Blocked` (a ``PermissionError``)
inside the operation and records it, so that the query is refused even when a library swallows
the error (rdflib's ``SERVICE SILENT`` does).

What it cannot see: native code that makes its own system calls. pyoxigraph's SPARQL engine is
Rust; its SERVICE client opens sockets without telling Python, and RocksDB opens files the same
way. For those, every query worker of a local store also asks the Linux kernel, with a seccomp
filter, to refuse it any new IPv4 or IPv6 socket (:mod:`legiongraph.query.seccomp`), and may reach no
host at all: allow-listed SERVICE calls are made by the server process on its behalf
(:mod:`legiongraph.query.servicerelay`). A worker of the ``sparql`` store reaches its store's server,
guarded by this hook alone. PEP 578 hooks are no sandbox against code that is already running in
the process: they guard against a query making a library reach out, not against a compromised
interpreter.

The hook is added to a process once and cannot be removed. It does nothing outside a guarded
scope: :func:`scope` guards the calling thread with a policy (the server's inline executor), and
:func:`enforce_everywhere` guards every thread (a query worker process, which does nothing else).
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import site
import socket
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ..config import Config
from ..errors import OutboundRefused

__all__ = [
    "Blocked",
    "GuardPolicy",
    "enforce_everywhere",
    "enforced_policy",
    "install",
    "policy_for",
    "refusal",
    "scope",
]

_DEFAULT_PORTS = {"http": 80, "https": 443}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_DNS_TTL = 60.0

# Events that start a program: a query has no reason to start one.
_PROCESS_EVENTS = frozenset({
    "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
    "os.forkpty", "os.startfile", "pty.spawn", "webbrowser.open",
})
# Events that change the file system; their first argument(s) are paths.
_WRITE_EVENTS = frozenset({
    "os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.truncate", "os.chmod", "os.chown",
    "os.symlink", "os.link", "os.utime", "shutil.rmtree", "shutil.copyfile", "shutil.move",
    "shutil.copytree",
})
_NETWORK_EVENTS = frozenset({
    "socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex",
    "socket.gethostbyaddr", "socket.getnameinfo", "socket.sendto", "socket.sendmsg",
    "socket.bind", "urllib.Request", "http.client.connect", "ftplib.connect", "smtplib.connect",
    "imaplib.open", "poplib.connect", "nntplib.connect", "telnetlib.Telnet.open",
})
_WATCHED = _PROCESS_EVENTS | _WRITE_EVENTS | _NETWORK_EVENTS | {"open"}


class Blocked(PermissionError):
    """Raised inside an operation the guard refuses."""


@dataclass(frozen=True)
class GuardPolicy:
    """What a query may reach: network destinations and folders it may read or write."""

    #: (host, port) pairs; port None allows any port on that host
    hosts: frozenset[tuple[str, int | None]] = frozenset()
    #: folders (resolved, absolute) under which files may be opened for reading
    read_paths: tuple[str, ...] = ()
    #: folders under which files may be created or written
    write_paths: tuple[str, ...] = ()

    def allows_host(self, host: str, port: int | None = None) -> bool:
        """Tell whether a host name (as written, not resolved) and port may be reached."""
        host = host.lower().strip("[]").rstrip(".")
        return any(h == host and (p is None or port is None or p == port) for h, p in self.hosts)


def _endpoint(url: str) -> tuple[str, int | None] | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.hostname.lower().rstrip("."), port or _DEFAULT_PORTS[parts.scheme.lower()]


def _real(path: str | os.PathLike[str]) -> str:
    return os.path.realpath(os.path.abspath(os.fspath(path)))


def _python_paths() -> list[str]:
    """Folders Python and its packages are read from: imports and data files of libraries."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             str(Path(__file__).resolve().parents[1])}
    with contextlib.suppress(AttributeError):  # virtualenv's old site module lacks these
        paths.update(site.getsitepackages())
        paths.add(site.getusersitepackages())
    # Import path entries, but never the working directory (an empty or relative entry), which
    # may hold anything at all.
    cwd = os.getcwd()
    for entry in sys.path:
        if entry and os.path.isabs(entry) and os.path.isdir(entry) and _real(entry) != _real(cwd):
            paths.add(entry)
    return sorted(_real(p) for p in paths if p)


def policy_for(config: Config, extra_read: Iterable[str | os.PathLike[str]] = ()) -> GuardPolicy:
    """Return the policy for serving a config: its allow-listed SERVICE hosts, its SPARQL store
    server, its store folder, Python's own folders and the few device files libraries open."""
    hosts = set()
    for url in (*config.service_allowlist, config.sparql_endpoint or ""):
        endpoint = _endpoint(url)
        if endpoint is not None:
            hosts.add(endpoint)
    read = [*_python_paths(), _real(config.store_path), *(_real(p) for p in extra_read)]
    pid = os.getpid()
    read += ["/proc/self", "/proc/thread-self", f"/proc/{pid}", "/dev/null", "/dev/urandom",
             "/dev/random", "/dev/zero"]
    return GuardPolicy(hosts=frozenset(hosts), read_paths=tuple(sorted(set(read))),
                       write_paths=("/dev/null",))


class _Local(threading.local):
    def __init__(self) -> None:
        self.policy: GuardPolicy | None = None
        self.busy = False
        self.blocked: list[str] | None = None


_local = _Local()
_everywhere: GuardPolicy | None = None
_installed = False
_install_lock = threading.Lock()
_resolved: dict[str, tuple[float, frozenset[str]]] = {}


def install() -> None:
    """Add the audit hook to this process, once; it does nothing until a scope is guarded."""
    global _installed
    with _install_lock:
        if not _installed:
            sys.addaudithook(_hook)
            _installed = True


def enforce_everywhere(policy: GuardPolicy) -> None:
    """Guard every thread of this process from now on (a query worker does nothing else)."""
    global _everywhere
    install()
    _everywhere = policy


def enforced_policy() -> GuardPolicy | None:
    """Return the policy guarding every thread of this process, if any."""
    return _everywhere


@contextlib.contextmanager
def scope(policy: GuardPolicy) -> Iterator[list[str]]:
    """Guard the calling thread for the block; yield the list of what was refused in it."""
    install()
    blocked: list[str] = []
    previous = (_local.policy, _local.blocked)
    _local.policy, _local.blocked = policy, blocked
    try:
        yield blocked
    finally:
        _local.policy, _local.blocked = previous


def refusal(blocked: list[str]) -> OutboundRefused:
    """Return the error for a query that tried to reach what the guard refused."""
    return OutboundRefused("the query tried to reach " + blocked[0] +
                           "; this endpoint never fetches, reads or runs anything for a query")


def _hook(event: str, args: tuple) -> None:
    if event not in _WATCHED:
        return
    policy = _local.policy or _everywhere
    if policy is None or _local.busy:
        return
    _local.busy = True
    try:
        why = _check(policy, event, args)
    except Exception as exc:  # a check that fails must refuse, never let the operation through
        why = f"{event} (unchecked: {type(exc).__name__})"
    finally:
        _local.busy = False
    if why is None:
        return
    if _local.blocked is not None:
        _local.blocked.append(why)
    raise Blocked(f"refused by legiongraph's query guard: {why}")


def _check(policy: GuardPolicy, event: str, args: tuple) -> str | None:
    """Return why an event is refused, or None when it is allowed."""
    if event == "open":
        path, mode, flags = (*args, None, None, None)[:3]
        if isinstance(path, int) or path is None:
            return None  # an already open descriptor
        writing = bool(mode and any(c in str(mode) for c in "wax+")) or bool(
            isinstance(flags, int) and flags & _WRITE_FLAGS)
        return _check_path(policy, path, writing)
    if event in _WRITE_EVENTS:
        for path in args[:2]:
            if isinstance(path, str | bytes | os.PathLike):
                why = _check_path(policy, path, True)
                if why:
                    return why
        return None
    if event in _PROCESS_EVENTS:
        return f"a program ({event})"
    return _check_network(policy, event, args)


def _check_path(policy: GuardPolicy, path: object, writing: bool) -> str | None:
    try:
        real = _real(os.fsdecode(path))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return f"the file {path!r}"
    allowed = policy.write_paths if writing else policy.read_paths
    if any(real == p or real.startswith(p.rstrip("/") + "/") for p in allowed):
        return None
    return f"the file {real}" + (" (for writing)" if writing else "")


def _check_network(policy: GuardPolicy, event: str, args: tuple) -> str | None:
    if event == "urllib.Request":
        url = str(args[0])
        endpoint = _endpoint(url)
        if endpoint is None or not policy.allows_host(*endpoint):
            return f"the URL {url}"
        return None
    if event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex",
                 "socket.gethostbyaddr", "http.client.connect", "ftplib.connect",
                 "smtplib.connect", "imaplib.open", "poplib.connect", "nntplib.connect",
                 "telnetlib.Telnet.open"):
        first = 1 if event.endswith(("connect", ".open")) else 0  # those pass the object first
        host = args[first] if len(args) > first else None
        port = args[first + 1] if len(args) > first + 1 else None
        if isinstance(host, bytes):
            host = host.decode("ascii", "replace")
        port = port if isinstance(port, int) else None
        if host is None or not policy.allows_host(str(host), port):
            return f"the host {host}" + (f" port {port}" if port else "")
        return None
    if event == "socket.getnameinfo":
        return _check_address(policy, args[0])
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg", "socket.bind"):
        address = args[1] if len(args) > 1 else None
        if event == "socket.bind":
            return f"a listening socket at {address!r}"
        return _check_address(policy, address)
    return f"the network ({event})"


def _check_address(policy: GuardPolicy, address: object) -> str | None:
    if not isinstance(address, tuple) or len(address) < 2:
        return f"the socket address {address!r}"  # Unix sockets and anything else
    host, port = str(address[0]), address[1]
    if policy.allows_host(host, port):
        return None
    for name, allowed_port in policy.hosts:
        if (allowed_port is None or allowed_port == port) and _ip_of(host) in _addresses(name):
            return None
    return f"the address {host} port {port}"


def _ip_of(host: str) -> str:
    try:
        return str(ipaddress.ip_address(host.split("%")[0]))
    except ValueError:
        return host


def _addresses(name: str) -> frozenset[str]:
    """Resolve an allowed host name (cached a minute) so that a connect to its address passes."""
    now = time.monotonic()
    cached = _resolved.get(name)
    if cached and now - cached[0] < _DNS_TTL:
        return cached[1]
    try:
        found = frozenset(_ip_of(info[4][0]) for info in socket.getaddrinfo(name, None))
    except OSError:
        found = frozenset()
    _resolved[name] = (now, found)
    return found
