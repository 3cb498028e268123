"""Browse lists: ``/id/person/``, ``/id/org/``, ``/id/place/``, ``/id/event/`` and ``/id/country/``
list their members with labels and countries, a page at a time, sorted by label or country.

The lists read the search index (:mod:`legiongraph.web.search`), which already holds every
member's label, kind and country.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from flask import Blueprint, Response, abort, render_template, request

from ..publish.search import KINDS, Entry
from .context import get_config
from .search import get_index

__all__ = ["SORTS", "bp"]

bp = Blueprint("browse", __name__)

#: ?sort= values
SORTS = ("label", "country")
_PLURALS = {"country": "countries"}


def _sorted(entries: list[Entry], sort: str, descending: bool, countries: dict[str, str]) -> list[Entry]:
    def key(e: Entry) -> tuple[str, str, str]:
        country = countries.get(e.country or "", "")
        first = country if sort == "country" else e.label
        return first.casefold(), e.label.casefold(), e.iri
    ordered = sorted(entries, key=key, reverse=descending)
    if sort == "country":
        # Members without a country come last whichever the direction.
        ordered.sort(key=lambda e: not e.country)
    return ordered


def _browse(kind: str) -> Response:
    index = get_index()
    sort = request.args.get("sort", "label")
    if sort not in SORTS:
        sort = "label"
    descending = request.args.get("order", "asc") == "desc"
    size = get_config().page_size
    countries = {iri: e.label for iri, e in index.by_iri().items() if e.kind == "country"}
    members = _sorted(index.members(kind), sort, descending, countries)
    pages = max(1, math.ceil(len(members) / size))
    page = request.args.get("page", 1, type=int)
    if not 1 <= page <= pages:
        abort(404)
    shown = members[(page - 1) * size: page * size]
    html = render_template("browse.html", kind=kind, title=KINDS[kind][1], word=KINDS[kind][0],
                           many=_PLURALS.get(kind),
                           members=shown, total=len(members), page=page, pages=pages, sort=sort,
                           order="desc" if descending else "asc", first=(page - 1) * size + 1,
                           countries=countries)
    return Response(html, content_type="text/html; charset=utf-8")


def _view(kind: str) -> Callable[[], Response]:
    def view() -> Response:
        return _browse(kind)
    view.__name__ = f"list_{kind}"
    view.__doc__ = f"List the {KINDS[kind][1].lower()} with their labels, a page at a time."
    return view


for _kind in KINDS:
    bp.add_url_rule(f"/id/{_kind}/", view_func=_view(_kind), methods=["GET"])
