"""``/search``: find a resource by any of its names (HTML or JSON), and ``/search/suggest`` for the
header's search box. The index (:mod:`legiongraph.publish.search`) is opened once per application:
an SQLite file beside the served store, written once per version of that store (by a child
process, :mod:`legiongraph.publish.searchfile`); ``legiongraph serve`` opens or writes it before
the first request.
"""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Flask, Response, current_app, jsonify, render_template, request

from ..errors import LegiongraphError
from ..publish.display import page_query
from ..publish.search import KINDS, Hit, SearchIndex
from ..publish.searchfile import open_index
from ..query.queries import resolve_query
from ..query.texttable import plural
from .context import get_resources, get_store

__all__ = ["bp", "get_index", "query_ui_href", "warm"]

bp = Blueprint("search", __name__)

_KEY = "legiongraph-search"
#: the most results the full page and the JSON answer give
MAX_RESULTS = 100
#: what the search box suggests
SUGGESTIONS = 8


class _IndexState:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.index: SearchIndex | None = None


def _state(app: Flask) -> _IndexState:
    return app.extensions.setdefault(_KEY, _IndexState())


def _build(app: Flask) -> SearchIndex:
    state = _state(app)
    with state.lock:  # one build, however many requests arrive meanwhile
        if state.index is None:
            with app.app_context():
                state.index = open_index(get_store())
        return state.index


def get_index() -> SearchIndex:
    """Return the application's search index, opening or writing it on first use."""
    state = _state(current_app)
    return state.index if state.index is not None else _build(current_app._get_current_object())  # type: ignore[attr-defined]


def warm(app: Flask) -> threading.Thread:
    """Start opening or writing the index in the background, so the first search finds it ready."""
    thread = threading.Thread(target=_build, args=(app,), name="search-index", daemon=True)
    thread.start()
    return thread


@bp.app_template_global("query_ui_href")
def query_ui_href(iri: str) -> str:
    """Return the query UI's address with this resource's card or DESCRIBE query in the editor."""
    try:
        card = resolve_query(get_resources(), "person-card").text
    except LegiongraphError:
        card = None
    return f"{request.script_root}/#query={quote(page_query(iri, card), safe='')}"


@bp.app_template_filter("plural")
def _plural(n: int, word: str, many: str | None = None) -> str:
    return plural(n, word, many)


def _hit_json(hit: Hit, index: SearchIndex) -> dict[str, Any]:
    entry = hit.entry
    country = index.countries().get(entry.country) if entry.country else None
    if entry.country and country is None:
        other = index.get(entry.country)
        country = other.label if other else None
    return {
        "iri": entry.iri,
        "label": entry.label,
        "type": entry.kind_label,
        "country": country,
        "countryIri": entry.country,
        "href": request.script_root + entry.path,
        "matched": hit.matched,
        "score": round(hit.score, 3),
    }


def _results() -> tuple[str, str | None, list[dict[str, Any]], int]:
    text = request.args.get("q", "").strip()
    kind = request.args.get("kind") or None
    if kind not in KINDS:
        kind = None
    limit = request.args.get("limit", type=int) or MAX_RESULTS
    index = get_index()
    hits = index.search(text, limit=max(1, min(limit, MAX_RESULTS)), kind=kind)
    return text, kind, [_hit_json(h, index) for h in hits], len(index)


def _wants_json() -> bool:
    if request.args.get("format", "").lower() == "json":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


@bp.get("/search")
def search() -> Response | str:
    """Show the resources whose names match ``q`` (HTML, or JSON by Accept or ``format=json``)."""
    text, kind, results, size = _results()
    if _wants_json():
        response = jsonify({"query": text, "kind": kind, "results": results})
        response.headers["Vary"] = "Accept"
        return response
    html = render_template("search.html", q=text, kind=kind, kinds=KINDS, results=results, size=size)
    return Response(html, headers={"Vary": "Accept"}, content_type="text/html; charset=utf-8")


@bp.get("/search/suggest")
def suggest() -> Response:
    """Return the few best matches for what is typed in the search box, as JSON."""
    text = request.args.get("q", "").strip()
    index = get_index()
    hits = index.search(text, limit=SUGGESTIONS) if text else []
    return jsonify({"query": text, "results": [_hit_json(h, index) for h in hits]})
