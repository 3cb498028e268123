"""The web edge: which client a request comes from, which host it may name, and the headers every
answer carries.

A request's ``Host`` header is never trusted to write an absolute URL: with ``public_base_url``
set, every request is rewritten to that scheme, host and path before Flask sees it, so the UI's
endpoint, ``sd:endpoint``, download URLs and redirects all name it; a ``Host`` other than the
trusted names is refused. ``X-Forwarded-For`` is read only when the peer is one of
``trusted_proxies``, so that per-client limits see the real client address behind the proxy and
nobody else can choose their own.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from ..config import Config

__all__ = ["SECURITY_HEADERS", "EdgeMiddleware", "client_address", "security_headers"]

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
_Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# No inline script anywhere (the pages keep their scripts in /static); JSON data blocks are not
# script. Styles stay 'self' too; YASGUI sets style attributes, hence 'unsafe-inline' for styles.
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
_LOOPBACK = ("localhost", "127.0.0.1", "::1")
_ECHO = 80  # characters of a refused Host header echoed back


def security_headers(headers: Any) -> None:
    """Add the security headers to a response's headers, keeping any a route set itself."""
    for key, value in SECURITY_HEADERS.items():
        headers.setdefault(key, value)


def _networks(entries: Iterable[str]) -> list[_Network]:
    return [ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip()]


def _within(address: str, networks: list[_Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(remote: str, forwarded_for: str | None, proxies: list[_Network]) -> str:
    """Return the client's address: the peer, or behind trusted proxies the first address they did
    not add (read from the right of ``X-Forwarded-For``, since a client can write its left part)."""
    if not forwarded_for or not _within(remote, proxies):
        return remote
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _within(hop, proxies):
            try:
                return str(ipaddress.ip_address(hop.strip("[]")))
            except ValueError:
                return remote  # a garbled header: count the request against the proxy
    return hops[0] if hops else remote


def _hostname(host: str) -> str:
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class EdgeMiddleware:
    """WSGI middleware applying the host, base URL and proxy rules of a configuration."""

    def __init__(self, app: WSGIApp, config: Config) -> None:
        self.app = app
        self.proxies = _networks(config.trusted_proxies)
        base = urlsplit(config.public_base_url) if config.public_base_url else None
        self.base = base
        hosts = {*_LOOPBACK, *(_hostname(h) for h in config.trusted_hosts)}
        if config.host not in ("0.0.0.0", "::", ""):
            hosts.add(_hostname(config.host))
        if base is not None and base.hostname:
            hosts.add(base.hostname.lower())
        self.hosts = frozenset(hosts)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
        if _hostname(host) not in self.hosts:
            shown = host if len(host) <= _ECHO else host[:_ECHO] + "…"
            body = (f"Bad Request: the Host header names {shown!r}, which this server does not "
                    "answer to (the operator lists its names in trusted_hosts or public_base_url)\n"
                    ).encode()
            start_response("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8"),
                                               ("Content-Length", str(len(body))),
                                               *SECURITY_HEADERS.items()])
            return [body]
        environ["REMOTE_ADDR"] = client_address(environ.get("REMOTE_ADDR", ""),
                                                environ.get("HTTP_X_FORWARDED_FOR"), self.proxies)
        if self.base is not None:
            environ["wsgi.url_scheme"] = self.base.scheme
            environ["HTTP_HOST"] = self.base.netloc
            prefix = self.base.path.rstrip("/")
            path = environ.get("PATH_INFO", "")
            if prefix and path.startswith(prefix + "/"):
                path = path[len(prefix):]  # a proxy that passes the prefix through
            environ["PATH_INFO"] = path
            environ["SCRIPT_NAME"] = prefix
        return self.app(environ, start_response)
