"""HTTP caching and compression of what the server sends: ETag, Last-Modified, 304, Range, gzip/br.

The served store is read-only, so everything derived from it (answers to GET queries, Linked Data
pages, Graph Store reads, downloads) changes only when another store is swapped in and the server
restarted. Its validators come from the store's version: a digest of the store's statistics
(triples, subjects, objects per graph) and of the store directory's modification time, and
Last-Modified is that time. Compression (flask-compress) is applied to every textual answer the
client accepts compressed, except a ``Range`` request's part, which is sent as stored.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterable
from datetime import UTC, datetime

from flask import Flask, Response, current_app, request
from flask_compress import Compress
from werkzeug.exceptions import RequestedRangeNotSatisfiable

from .context import get_statistics, get_store
from .errors import plain_error

__all__ = ["CACHEABLE_ENDPOINTS", "COMPRESSED_TYPES", "RANGE_ENDPOINTS", "init_app", "store_version"]

#: The views whose GET answers depend only on the served store (and the request).
CACHEABLE_ENDPOINTS: frozenset[str] = frozenset({
    "protocol.sparql", "pages.instance", "pages.concept", "pages.ontology", "download.listing",
    "download.file", "graphstore.read", "iris.ontology_version", "iris.dataset", "iris.void",
    "iris.graph",
})
#: The views that serve whole files and honour ``Range``: the dumps, and the Graph Store's graphs,
#: which the VoID description lists as dumps too (a download manager resumes either alike).
RANGE_ENDPOINTS: frozenset[str] = frozenset({"download.file", "graphstore.read"})
#: Textual media types worth compressing, besides flask-compress's own list (HTML, CSS, JS, JSON).
COMPRESSED_TYPES: tuple[str, ...] = (
    "text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml",
    "application/trig", "application/n-quads", "application/sparql-results+json",
    "application/sparql-results+xml", "text/csv", "text/tab-separated-values",
)
_KEY = "legiongraph-version"


def _modified(store: object) -> float:
    path = getattr(store, "path", None)
    if path is not None and os.path.exists(path):
        return os.stat(path).st_mtime
    # A store without a directory (in memory, remote) is as new as the application.
    return time.time()


def store_version() -> tuple[str, datetime]:
    """Return the served store's version digest and its modification time, computed once."""
    cached = current_app.extensions.get(_KEY)
    if cached is None:
        store = get_store()
        modified = _modified(store)
        digest = hashlib.sha256(repr((get_statistics(), int(modified))).encode("utf-8"))
        stamp = datetime.fromtimestamp(int(modified), tz=UTC)
        cached = current_app.extensions[_KEY] = (digest.hexdigest()[:20], stamp)
    return cached


def _etag(version: str, response: Response) -> str:
    # One version has many representations: the URL and the negotiated type tell them apart.
    basis = f"{version}\n{request.url}\n{response.headers.get('Content-Type', '')}"
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]


def _add_vary(response: Response, names: Iterable[str]) -> None:
    present = {v.strip().lower() for v in response.headers.get("Vary", "").split(",") if v.strip()}
    for name in names:
        if name.lower() not in present:
            response.vary.add(name)


def init_app(app: Flask) -> None:
    """Compress answers the client accepts compressed and make the store's answers conditional."""
    app.config.setdefault("COMPRESS_REGISTER", False)  # one hook below orders it with Range
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_STREAMS", False)
    compress = Compress()
    compress.init_app(app)
    compress.compress_mimetypes_set |= set(COMPRESSED_TYPES)

    @app.after_request
    def _cache_and_compress(response: Response) -> Response:
        cacheable = (request.method in ("GET", "HEAD") and response.status_code == 200
                     and request.endpoint in CACHEABLE_ENDPOINTS)
        ranged = cacheable and request.endpoint in RANGE_ENDPOINTS
        if cacheable:
            version, modified = store_version()
            if response.get_etag()[0] is None:
                response.set_etag(_etag(version, response))
            response.last_modified = modified
            if ranged and "Range" in request.headers:
                # A part is sent as stored: compressing it would make its byte offsets wrong.
                length = response.calculate_content_length()
                try:
                    return response.make_conditional(request, accept_ranges=True,
                                                     complete_length=length)
                except RequestedRangeNotSatisfiable:
                    return plain_error(416, f"Range Not Satisfiable: {request.headers['Range']!r} "
                                            f"does not fit this file of {length} bytes",
                                       {"Content-Range": f"bytes */{length}"})
        if response.status_code == 200:
            response = compress.after_request(response)
        else:
            _add_vary(response, ["Accept-Encoding"])
        if cacheable:
            response = response.make_conditional(request, accept_ranges=ranged)
        return response
