"""The SPARQL 1.1 Graph Store HTTP Protocol at ``/store``, read-only (``GET``/``HEAD``).

See https://www.w3.org/TR/sparql11-http-rdf-update/. ``/store?graph=IRI`` gives one named graph,
``/store?default`` the default graph (the union of all named graphs, as at ``/sparql``), in any RDF
format the endpoint serves, by ``Accept`` or ``format=``. Quad formats (TriG, N-Quads) keep the
graph's name; the default graph's triples are written in the default graph. The store is
read-only: ``PUT``, ``POST``, ``DELETE`` and ``PATCH`` get 405. Oxigraph's server serves the
protocol at the same path.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, request
from rdflib import URIRef

from ..formats import GRAPH_FORMATS
from ..publish.canonical import canonicalize, quads_of
from ..publish.export import EXPORT_FORMATS, serialize
from . import download
from .conneg import negotiate
from .context import get_store
from .errors import plain_error

__all__ = ["PATH", "bp", "graph_quads"]

bp = Blueprint("graphstore", __name__)

PATH = "/store"
_ALLOW = "GET, HEAD, OPTIONS"
_READ_ONLY = ("this Graph Store is read-only: graphs are read with GET or HEAD "
              "(/store?graph=IRI or /store?default); nothing can be written")


def graph_quads(graph: str | None) -> list[ox.Quad] | None:
    """Return a named graph's quads (the union default graph's for None), None if it is absent."""
    store = get_store()
    if graph is None:
        quads = quads_of(store.to_dataset(store.graphs()))
        return canonicalize(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                            for q in quads)
    if URIRef(graph) not in set(store.graphs()):
        return None
    return canonicalize(quads_of(store.to_dataset([URIRef(graph)])))


def _which() -> tuple[str | None, str | None]:
    """Return (graph IRI or None for the default graph, error message)."""
    unknown = sorted(set(request.args) - {"graph", "default", "format"})
    if unknown:
        return None, (f"unknown parameter {', '.join(repr(n) for n in unknown)}: "
                      f"{PATH} takes graph=IRI or default, and optionally format")
    graphs = request.args.getlist("graph")
    if ("default" in request.args) == bool(graphs) or len(graphs) > 1:
        return None, f"{PATH} needs exactly one of graph=IRI or default"
    if graphs and not graphs[0].strip():
        return None, "graph= is empty: give the IRI of a named graph"
    return (graphs[0] if graphs else None), None


@bp.get(PATH, provide_automatic_options=False)
def read() -> Response:
    """Return one graph in the negotiated RDF format."""
    graph, problem = _which()
    if problem:
        return plain_error(400, problem)
    fmt = negotiate(GRAPH_FORMATS, request.args.get("format"))
    if fmt is None:
        return plain_error(406, "Not Acceptable: graphs are available as "
                           + ", ".join(f.media_type for f in GRAPH_FORMATS), {"Vary": "Accept"})
    if graph is None and not EXPORT_FORMATS[fmt.name].quads:
        # A triple format merges the graphs: the default graph is the dump already made.
        dump = download.dump("legiongraph" + EXPORT_FORMATS[fmt.name].suffix)
        response = Response(dump, content_type=fmt.content_type)
        response.headers["Vary"] = "Accept"
        return response
    quads = graph_quads(graph)
    if quads is None:
        return plain_error(404, f"Not Found: there is no named graph <{graph}> in this store "
                                f"(the Service Description at /sparql lists them)")
    response = Response(serialize(quads, EXPORT_FORMATS[fmt.name]), content_type=fmt.content_type)
    response.headers["Vary"] = "Accept"
    return response


# Writes are routed here for a message that says why; OPTIONS is answered here so that its Allow
# lists what works, not every method routed.
@bp.route(PATH, methods=["PUT", "POST", "DELETE", "PATCH", "OPTIONS"], provide_automatic_options=False)
def write() -> Response:
    """Refuse every write: the served store is read-only."""
    if request.method == "OPTIONS":
        return Response(status=204, headers={"Allow": _ALLOW})
    return plain_error(405, _READ_ONLY, {"Allow": _ALLOW})
