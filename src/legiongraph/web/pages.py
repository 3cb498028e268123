"""Linked Data pages: every instance, concept and the ontology at its local path, by content negotiation.

``/id/<rest>`` serves ``https://w3id.org/legiongraph/id/<rest>``, ``/def/<rest>`` the concept
schemes and concepts, ``/ontology`` the ontology. Each answers 200 directly (no 303) with
``Vary: Accept``. The representation is chosen by ``?format=`` when given, else by the Accept
header: HTML only when the client prefers text/html to every RDF format (browsers do); a missing
Accept header, ``*/*`` or a tie get Turtle. Nothing acceptable gives 406, an unknown IRI 404.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from flask import Blueprint, Response, render_template, request
from rdflib import Graph

from ..describe import describe_resource, resource_graph
from ..formats import GRAPH_FORMATS, Format, by_name, serialize_graph
from ..iris import ID, LGV, PREFIXES
from ..ontology_doc import ONTOLOGY_IRI, describe_ontology, ontology_graph
from .context import get_store
from .errors import plain_error

__all__ = ["OFFERS", "bp"]

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
        asked = f"format={request.args['format']!r} is not a known format"
    else:
        asked = f"nothing in 'Accept: {request.headers.get('Accept', '')}' fits"
    return plain_error(406, f"Not Acceptable: {asked}. {request.path} is available as "
                            f"{', '.join(_MEDIA.values())} (or ask with ?format={'|'.join(_MEDIA)}).",
                       _headers(None))


def _not_found(iri: str) -> Response:
    return plain_error(404, f"Not Found: <{iri}> is not described in this graph.", {"Vary": "Accept"})


def downloads() -> list[dict[str, str]]:
    """Return the machine-readable versions of the current page, for the template."""
    return [{"title": _TITLES[name], "href": _url(name), "type": f.media_type}
            for name, f in _MACHINE.items()]


def _negotiated(iri: str, html: Callable[[], str | None], graph: Callable[[], Graph]) -> Response:
    """Answer with the representation the request asks for, or a 404 or 406 error."""
    chosen = choose_format()
    if chosen is None:
        return _not_acceptable()
    if chosen == HTML:
        body = html()
        if body is None:
            return _not_found(iri)
        return Response(body, 200, headers=_headers(chosen), content_type="text/html; charset=utf-8")
    data = graph()
    if not len(data):
        return _not_found(iri)
    fmt = _MACHINE[chosen]
    return Response(serialize_graph(data, fmt, PREFIXES), 200, headers=_headers(chosen),
                    content_type=fmt.content_type)


def _resource(iri: str) -> Response:
    def html() -> str | None:
        description = describe_resource(get_store(), iri)
        if description is None:
            return None
        return render_template("resource.html", d=description, downloads=downloads())

    return _negotiated(iri, html, lambda: resource_graph(get_store(), iri))


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
