"""Content negotiation shared by the endpoint, the Graph Store and the resolvable IRIs."""

from __future__ import annotations

from flask import request

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
    accept = request.accept_mimetypes
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


def prefers_html(formats: tuple[Format, ...]) -> bool:
    """Tell whether the client (a browser) prefers HTML to every one of ``formats``."""
    accept = request.accept_mimetypes
    return bool(accept) and accept.quality("text/html") > max(
        accept.quality(f.media_type) for f in formats)
