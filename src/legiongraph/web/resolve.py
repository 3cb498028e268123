"""IRIs that resolve: the ontology's version IRI, the dataset, every named graph, /.well-known/void.

``/ontology/<version>`` serves the ontology when ``<version>`` is its ``owl:versionIRI`` (and what
is said of another IRI under ``/ontology/``, such as an imported module);
``/dataset`` and ``/.well-known/void`` the VoID description of the dataset; ``/graph/<name>`` a
named graph's triples (the HTML page shows them a page at a time). Each answers with HTML when
the client prefers it (a browser) and otherwise with RDF, by ``Accept`` or ``format=``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from urllib.parse import quote

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request, url_for
from rdflib import BNode, Graph, Literal, URIRef

from ..formats import GRAPH_FORMATS, Format, serialize_graph
from ..iris import BASE, PREFIXES
from ..publish.archivedesc import DATASET
from ..publish.datasetdesc import dataset_graph
from ..publish.describe import resource_graph
from ..publish.export import DOWNLOAD_FILES, EXPORT_FORMATS, serialize
from ..publish.ontology_doc import ONTOLOGY_IRI
from . import graphstore, pages
from .conneg import negotiate, prefers_html
from .context import get_statistics, get_store
from .errors import plain_error

__all__ = ["PAGE_SIZE", "bp", "html_triples", "local_path"]

bp = Blueprint("iris", __name__)

#: Triples per HTML page of a named graph.
PAGE_SIZE = 500
_PAGE = ("SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} ORDER BY ?s ?p ?o "
         "LIMIT {limit} OFFSET {offset}")
_VERSION = f"SELECT ?v WHERE {{ <{ONTOLOGY_IRI}> <http://www.w3.org/2002/07/owl#versionIRI> ?v }}"


def local_path(iri: str) -> str | None:
    """Return the path at which this server serves a project IRI, None for another IRI."""
    if not iri.startswith(BASE):
        return None
    return "/" + iri[len(BASE):]


def _cell(term: object) -> dict[str, str | None]:
    if isinstance(term, URIRef | ox.NamedNode):
        iri = str(term) if isinstance(term, URIRef) else term.value
        return {"text": iri, "href": local_path(iri) or iri}
    if isinstance(term, BNode | ox.BlankNode):
        return {"text": f"_:{term if isinstance(term, BNode) else term.value}", "href": None}
    if isinstance(term, Literal):
        return {"text": str(term) + (f"@{term.language}" if term.language else ""), "href": None}
    if isinstance(term, ox.Literal):
        return {"text": term.value + (f"@{term.language}" if term.language else ""), "href": None}
    return {"text": str(term), "href": None}


def _downloads() -> list[dict[str, str]]:
    path = quote(request.path)
    return [{"title": f.name, "href": f"{request.script_root}{path}?format={f.name}",
             "type": f.media_type} for f in GRAPH_FORMATS]


def html_triples(title: str, iri: str, intro: str, triples: list[tuple] | Callable[[int], list[tuple]],
                 *, total: int | None = None) -> Response:
    """Render triples as an HTML page; given a function of the offset and the total, a page of
    ``PAGE_SIZE`` at a time (only that page is read)."""
    paginate = callable(triples)
    if total is None:
        total = 0 if callable(triples) else len(triples)
    pages_n = max(1, math.ceil(total / PAGE_SIZE)) if paginate else 1
    try:
        page = min(max(1, int(request.args.get("page", "1"))), pages_n)
    except ValueError:
        return plain_error(400, f"page={request.args['page']!r} is not a page number")
    shown = triples((page - 1) * PAGE_SIZE) if callable(triples) else triples
    body = render_template(
        "triples.html", title=title, iri=iri, intro=intro, downloads=_downloads(),
        rows=[[_cell(t) for t in triple[:3]] for triple in shown], page=page, pages=pages_n,
        total=total, first=(page - 1) * PAGE_SIZE + 1 if shown else 0,
        last=(page - 1) * PAGE_SIZE + len(shown))
    response = Response(body, content_type="text/html; charset=utf-8")
    response.headers["Vary"] = "Accept"
    return response


def _negotiated(html: Callable[[], Response], rdf: Callable[[Format], bytes]) -> Response:
    asked = request.args.get("format")
    if (asked or "").strip().lower() in ("html", "text/html") or (not asked and prefers_html(GRAPH_FORMATS)):
        return html()
    fmt = negotiate(GRAPH_FORMATS, asked)
    if fmt is None:
        return plain_error(406, f"Not Acceptable: {request.path} is available as text/html, "
                           + ", ".join(f.media_type for f in GRAPH_FORMATS), {"Vary": "Accept"})
    response = Response(rdf(fmt), content_type=fmt.content_type)
    response.headers["Vary"] = "Accept"
    return response


def _graph_store_url() -> str:
    return request.url_root.rstrip("/") + graphstore.PATH


def _dataset() -> Graph:
    dumps = [request.url_root + "download/" + name for name in DOWNLOAD_FILES]
    return dataset_graph(url_for("protocol.sparql", _external=True), get_statistics(), dumps,
                         _graph_store_url())


def _sorted(graph: Iterable[tuple]) -> list[tuple]:
    return sorted(graph, key=lambda t: tuple(str(x) for x in t))


@bp.get("/dataset")
def dataset() -> Response:
    """Describe the dataset in VoID: endpoint, dumps, licence, statistics, named graphs."""
    graph = _dataset()
    return _negotiated(
        lambda: html_triples("The legiongraph dataset", DATASET,
                             "Its VoID description: where to query and download it, and what "
                             "each named graph holds.", _sorted(graph)),
        lambda fmt: serialize_graph(graph, fmt, PREFIXES))


@bp.get("/.well-known/void")
def void() -> Response:
    """Serve the dataset's VoID description at the well-known location (RFC 8615)."""
    return dataset()


@bp.get("/ontology/<version>")
def ontology_version(version: str) -> Response:
    """Serve the ontology at its version IRI (``owl:versionIRI``), or another ontology module."""
    known = {str(row[0]) for row in get_store().query(_VERSION).rows}
    iri = f"{ONTOLOGY_IRI}/{version}"
    if iri in known:
        return pages.ontology()
    # Another IRI under /ontology/ (an imported module such as the alignments): what is said of it.
    graph = resource_graph(get_store(), iri)
    if not len(graph):
        return plain_error(404, f"Not Found: this server holds ontology version(s) "
                                f"{', '.join(sorted(known)) or 'none'}; <{iri}> is not described")
    return _negotiated(
        lambda: html_triples(f"Ontology module {version}", iri, "What the graph says of it:",
                             _sorted(graph)),
        lambda fmt: serialize_graph(graph, fmt, PREFIXES))


@bp.get("/graph/<path:rest>")
def graph(rest: str) -> Response:
    """Serve a named graph: its triples as RDF, or a page of them as HTML."""
    iri = BASE + "graph/" + rest
    store = get_store()
    if URIRef(iri) not in set(store.graphs()):
        return plain_error(404, f"Not Found: <{iri}> is not a named graph of this store",
                           {"Vary": "Accept"})

    def page(offset: int) -> list[tuple]:
        # Only the page shown is read: a large graph is never loaded whole for its HTML.
        return list(store.query(_PAGE.format(graph=iri, limit=PAGE_SIZE, offset=offset)).rows)

    return _negotiated(
        lambda: html_triples(f"Named graph {rest}", iri,
                             f"The triples of this graph; all of them in one file at "
                             f"{_graph_store_url()}?graph={quote(iri, safe='')}.",
                             page, total=store.count(URIRef(iri))),
        lambda fmt: serialize(graphstore.graph_quads(iri) or [], EXPORT_FORMATS[fmt.name]))
