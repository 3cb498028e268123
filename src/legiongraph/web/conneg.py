"""Content negotiation shared by the endpoint, the Graph Store and the resolvable IRIs."""

from __future__ import annotations

import functools

from flask import request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from ..formats import Format, by_name

__all__ = ["negotiate", "prefers_html"]


def negotiate(formats: tuple[Format, ...], override: str | None) -> Format | None:
    """Pick the format the client prefers: highest q-value, then the client's own order.

    A known ``format=`` value wins; an unknown one (another client's name for a type) falls back
    to ``Accept``. Wildcards count (``text/*``, ``*/*``); ``q=0`` excludes; a format's aliases
    (``application/xml``, ``text/plain`` ...) count when the client names them. Among equally
    acceptable formats the one the client names first wins, then the server's order.
    """
    if override:
        chosen = by_name(override, formats)
        if chosen is not None:
            return chosen
    header = request.headers.get("Accept", "")
    if len(header) > _CACHED_HEADER:
        return _negotiated(header, formats)
    return _negotiated_once(header, formats)


def _negotiated(header: str, formats: tuple[Format, ...]) -> Format | None:
    accept = parse_accept_header(header, MIMEAccept)
    if not accept:
        return formats[0]
    named = [value.lower() for value, _ in accept]
    explicit = {value.lower(): q for value, q in accept}

    def position(fmt: Format) -> int:
        return min((named.index(t) for t in fmt.media_types if t in named), default=len(named))

    def quality(fmt: Format) -> float:
        # Aliases count only when named: a wildcard must not revive a type excluded with q=0.
        return max([accept.quality(fmt.media_type),
                    *(explicit[t] for t in fmt.media_types[1:] if t in explicit)])

    scored = [(quality(f), f) for f in formats]
    best = max(q for q, _ in scored)
    if best <= 0:
        return None
    tied = [f for q, f in scored if q == best]
    return min(tied, key=position)


# Clients send a handful of distinct Accept headers: each is parsed and weighed once, not on every
# request (about a fifth of the endpoint's own time on a small query); the answer depends on
# nothing else. Only headers of ordinary length are kept, so the cache stays under 1 MB.
_CACHED_HEADER = 1024
_negotiated_once = functools.lru_cache(maxsize=256)(_negotiated)


def prefers_html(formats: tuple[Format, ...]) -> bool:
    """Tell whether the client (a browser) prefers HTML to every one of ``formats``."""
    accept = request.accept_mimetypes
    return bool(accept) and accept.quality("text/html") > max(
        accept.quality(f.media_type) for f in formats)
