"""Linked Data pages: every instance, concept and the ontology at its local path, by content negotiation.

``/id/<rest>`` serves ``https://w3id.org/legiongraph/id/<rest>``, ``/def/<rest>`` the concept
schemes and concepts, ``/ontology`` the ontology. Each answers 200 directly (no 303) with
``Vary: Accept``. The representation is chosen by ``?format=`` when given, else by the Accept
header: HTML only when the client prefers text/html to every RDF format (browsers do); a missing
Accept header, ``*/*`` or a tie get Turtle. Nothing acceptable gives 406, an unknown IRI 404.

A page lists incoming links and statements ``page_size`` at a time (``?page=N``). Answers are
cached (the served store is read-only) and each client may have ``client_concurrency`` pages
being made at once, like queries, in slots of their own.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import quote

from flask import (
    Blueprint,
    Response,
    copy_current_request_context,
    current_app,
    g,
    render_template,
    request,
)
from rdflib import Graph

from ..errors import QueryTimeout, RateLimited
from ..formats import GRAPH_FORMATS, Format, by_name, serialize_graph
from ..iris import ID, LGV, PREFIXES
from ..publish.describe import describe_resource, incoming_count, resource_graph
from ..publish.ontology_doc import ONTOLOGY_IRI, describe_ontology, ontology_graph
from .context import get_config, get_page_cache, get_page_limiter, get_store
from .errors import error_response, plain_error
from .pagecache import CachedPage, store_version

__all__ = ["OFFERS", "bounded", "bp"]

bp = Blueprint("pages", __name__)

HTML = "html"
_MACHINE: dict[str, Format] = {f.name: f for f in GRAPH_FORMATS
                               if f.name in ("turtle", "jsonld", "nt", "rdfxml")}
_TITLES = {HTML: "HTML", "turtle": "Turtle", "jsonld": "JSON-LD", "nt": "N-Triples", "rdfxml": "RDF/XML"}
_MEDIA = {HTML: "text/html", **{name: f.media_type for name, f in _MACHINE.items()}}
#: Media types offered, in the server's order of preference: Turtle wins ties and */*.
OFFERS: dict[str, str] = {
    "text/turtle": "turtle", "text/html": HTML, "application/ld+json": "jsonld",
    "application/n-triples": "nt", "application/rdf+xml": "rdfxml", "application/json": "jsonld",
}
_T = TypeVar("_T")
_POOL_LOCK = threading.Lock()
_MACHINE_PAGES = 10  # a page for machines holds this many pages' worth of incoming links
_ECHO = 200  # characters of a client's Accept header or format= quoted back in a 406


def _format_param(name: str) -> str | None:
    """Return the format named by a ``format=`` value (short name, alias or media type)."""
    key = name.strip().lower()
    if key in (HTML, "htm", "text/html"):
        return HTML
    fmt = by_name(key, tuple(_MACHINE.values()))
    return fmt.name if fmt else None


def choose_format() -> str | None:
    """Return the format this request asks for, or None when no available one fits."""
    if "format" in request.args:
        return _format_param(request.args["format"])
    if not request.accept_mimetypes:
        return "turtle"
    best = request.accept_mimetypes.best_match(list(OFFERS))
    return OFFERS[best] if best else None


def _url(fmt: str) -> str:
    return f"{request.script_root}{quote(request.path)}?format={fmt}"


def _headers(chosen: str | None) -> dict[str, str]:
    links = [f'<{_url(name)}>; rel="alternate"; type="{media}"'
             for name, media in _MEDIA.items() if name != chosen]
    headers = {"Vary": "Accept", "Link": ", ".join(links)}
    if chosen:
        headers["Content-Location"] = _url(chosen)
    return headers


def _not_acceptable() -> Response:
    if "format" in request.args:
        asked = f"format={_shorten(request.args['format'])!r} is not a known format"
    else:
        asked = f"nothing in 'Accept: {_shorten(request.headers.get('Accept', ''))}' fits"
    return plain_error(406, f"Not Acceptable: {asked}. {request.path} is available as "
                            f"{', '.join(_MEDIA.values())} (or ask with ?format={'|'.join(_MEDIA)}).",
                       _headers(None))


def _shorten(text: str) -> str:
    return text if len(text) <= _ECHO else text[:_ECHO] + f"… ({len(text)} characters)"


def _not_found(iri: str) -> Response:
    return plain_error(404, f"Not Found: <{iri}> is not described in this graph.", {"Vary": "Accept"})


def downloads() -> list[dict[str, str]]:
    """Return the machine-readable versions of the current page, for the template."""
    return [{"title": _TITLES[name], "href": _url(name), "type": f.media_type}
            for name, f in _MACHINE.items()]


def _page_number() -> int | None:
    """Return the ``page=`` of the request (1 when absent), or None when it is not a page number."""
    text = request.args.get("page", "1")
    return int(text) if text.isdigit() and 0 < len(text) <= 6 and int(text) >= 1 else None


def _negotiated(iri: str, html: Callable[[], str | None], graph: Callable[[], Graph]) -> Response:
    """Answer from the cache, or make the answer in one of the client's page slots."""
    chosen = choose_format()
    if chosen is None:
        return _not_acceptable()
    page = _page_number()
    if page is None:
        return plain_error(400, f"Bad Request: page={_shorten(request.args['page'])!r}: expected "
                                "a page number from 1", {"Vary": "Accept"})
    cache = get_page_cache()
    key = (store_version(get_store()), request.script_root, request.path, chosen, str(page))
    cached = cache.get(key)
    if cached is None:
        def make() -> CachedPage:
            response = _make(iri, chosen, html, graph)
            done = CachedPage(response.status_code, response.get_data(), response.content_type,
                              tuple(response.headers.items()))
            if response.status_code in (200, 404):
                cache.put(key, done)  # also when the client was given up on: the next one gets it
            return done

        try:
            cached = bounded(make)
        except (RateLimited, QueryTimeout) as exc:
            return error_response(exc)
    answer = Response(cached.body, cached.status, content_type=cached.content_type)
    for name, value in cached.headers:
        if name.lower() not in ("content-type", "content-length"):
            answer.headers[name] = value
    return answer


def bounded(make: Callable[[], _T]) -> _T:
    """Make an answer in one of the client's page slots, waiting at most ``query_timeout``.

    Raises RateLimited when the client has no slot free, QueryTimeout past the time limit.

    A page is made in this process, where a store query cannot be stopped: past the time limit
    the client gets 503 while the page is finished in the background, still holding the client's
    slot, so that nobody can pile up such pages.
    """
    slot = get_page_limiter().slot(request.remote_addr or "unknown")
    slot.__enter__()  # raises RateLimited at once when the client has no slot free

    def run() -> _T:
        try:
            return make()
        finally:
            slot.__exit__(None, None, None)

    future = _pool().submit(copy_current_request_context(run))
    seconds = get_config().query_timeout
    try:
        return future.result(timeout=seconds)
    except concurrent.futures.TimeoutError:
        raise QueryTimeout(f"the answer took longer than {seconds:g} s to make and was given up; "
                           "try again later") from None


def _pool() -> concurrent.futures.ThreadPoolExecutor:
    # A few threads per application: pages past the time limit cannot take more than these.
    state = current_app.extensions.setdefault("legiongraph-pages", {})
    with _POOL_LOCK:
        if "pool" not in state:
            state["pool"] = concurrent.futures.ThreadPoolExecutor(8, thread_name_prefix="lg-page")
        return state["pool"]


def _make(iri: str, chosen: str, html: Callable[[], str | None], graph: Callable[[], Graph]) -> Response:
    """Answer with the representation the request asks for, or a 404 error."""
    if chosen == HTML:
        body = html()
        if body is None:
            return _not_found(iri)
        return Response(body, 200, headers=_headers(chosen), content_type="text/html; charset=utf-8")
    data = graph()
    if not len(data):
        return _not_found(iri)
    fmt = _MACHINE[chosen]
    headers = _headers(chosen)
    if g.get("next_page"):
        headers["Link"] += f', <{_url(chosen)}&page={g.next_page}>; rel="next"'
    return Response(serialize_graph(data, fmt, PREFIXES), 200, headers=headers,
                    content_type=fmt.content_type)


def _resource(iri: str) -> Response:
    def html() -> str | None:
        description = describe_resource(get_store(), iri, page=_page_number() or 1,
                                        page_size=get_config().page_size)
        if description is None:
            return None
        return render_template("resource.html", d=description, downloads=downloads())

    def graph() -> Graph:
        # Machines get ten times a page's links at a time, and a Link to the next lot.
        page, size = _page_number() or 1, get_config().page_size * _MACHINE_PAGES
        if incoming_count(get_store(), iri) > page * size:
            g.next_page = page + 1
        return resource_graph(get_store(), iri, page=page, page_size=size)

    return _negotiated(iri, html, graph)


@bp.get("/id/<path:rest>")
def instance(rest: str) -> Response:
    """Serve an instance IRI (person, place, organisation, event, claim...)."""
    return _resource(str(ID) + rest)


@bp.get("/def/", defaults={"rest": ""})
@bp.get("/def/<path:rest>")
def concept(rest: str) -> Response:
    """Serve a SKOS concept scheme or concept, or the vocabularies' root."""
    return _resource(str(LGV) + rest)


@bp.get("/ontology")
def ontology() -> Response:
    """Serve the ontology: its classes, properties and concept schemes."""
    def html() -> str | None:
        description = describe_ontology(get_store())
        if description is None:
            return None
        return render_template("ontology.html", o=description, d=description.header,
                               downloads=downloads())

    return _negotiated(ONTOLOGY_IRI, html, lambda: ontology_graph(get_store()))
