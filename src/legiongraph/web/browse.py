"""Browse lists: ``/id/person/``, ``/id/org/``, ``/id/place/``, ``/id/event/`` and ``/id/country/``
list their members with labels and countries, a page at a time, sorted by label or country.

The lists read the search index (:mod:`legiongraph.web.search`), which already holds every
member's label, kind and country, sorted both ways.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from flask import Blueprint, Response, render_template, request

from ..publish.search import KINDS, SORTS
from .context import get_config
from .errors import plain_error
from .search import get_index

__all__ = ["bp"]

bp = Blueprint("browse", __name__)

_PLURALS = {"country": "countries"}


def _browse(kind: str) -> Response:
    index = get_index()
    sort = request.args.get("sort", "label")
    if sort not in SORTS:
        sort = "label"
    descending = request.args.get("order", "asc") == "desc"
    size = get_config().page_size
    total = index.count(kind)
    pages = max(1, math.ceil(total / size))
    page = request.args.get("page", 1, type=int)
    if not 1 <= page <= pages:
        plural = _PLURALS.get(kind, f"{kind}s")
        return plain_error(404, f"/id/{kind}/ has no page {page}: its {total} {plural} fill "
                                f"{pages} page{'s' if pages > 1 else ''} of {size}; ask for page=1 "
                                f"to page={pages}")
    # The index sorts and cuts the page, so that a list of 600,000 persons is never read whole.
    shown = index.members(kind, sort, descending, offset=(page - 1) * size, limit=size)
    html = render_template("browse.html", kind=kind, title=KINDS[kind][1], word=KINDS[kind][0],
                           many=_PLURALS.get(kind),
                           members=shown, total=total, page=page, pages=pages, sort=sort,
                           order="desc" if descending else "asc", first=(page - 1) * size + 1,
                           countries=index.countries())
    return Response(html, content_type="text/html; charset=utf-8")


def _view(kind: str) -> Callable[[], Response]:
    def view() -> Response:
        return _browse(kind)
    view.__name__ = f"list_{kind}"
    view.__doc__ = f"List the {KINDS[kind][1].lower()} with their labels, a page at a time."
    return view


for _kind in KINDS:
    bp.add_url_rule(f"/id/{_kind}/", view_func=_view(_kind), methods=["GET"])
