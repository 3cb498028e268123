"""``/download``: the whole dataset as files, with sizes and SHA-256, linked as ``void:dataDump``.

The exports are made on demand from the served store, the first time anyone asks, and kept for
the application's life: the served store is read-only, so they cannot go stale, and a deployment
needs no extra build step or folder. They hold every named graph, inferred included (what the
endpoint serves), exactly as ``legiongraph export --graphs all --format F`` writes them.
"""

from __future__ import annotations

import gzip
import threading
from dataclasses import dataclass

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request

from ..publish.canonical import sha256_hex
from ..publish.export import DOWNLOAD_FILES, EXPORT_FORMATS, jsonld_context, serialize, store_quads
from .context import get_store

__all__ = ["bp", "dump"]

bp = Blueprint("download", __name__)

_KEY = "legiongraph-downloads"
CONTEXT_FILE = "context.jsonld"
GZIP = "application/gzip"


@dataclass(frozen=True)
class _File:
    name: str
    media_type: str
    data: bytes
    sha256: str


def _files() -> dict[str, _File]:
    """Return the exports of the served store, making them on the first call."""
    state = current_app.extensions.setdefault(_KEY, {"lock": threading.Lock(), "files": None})
    with state["lock"]:  # one request makes them; the others wait rather than redo the work
        if state["files"] is None:
            quads = store_quads(get_store(), ["all"])
            files = {}
            for name, fmt in DOWNLOAD_FILES.items():
                data = serialize(quads, EXPORT_FORMATS[fmt])
                files[name] = _File(name, EXPORT_FORMATS[fmt].media_type, data, sha256_hex(data))
                # Pre-compressed too (mtime 0: the same bytes, and SHA-256, on every start).
                packed = gzip.compress(data, compresslevel=9, mtime=0)
                files[name + ".gz"] = _File(name + ".gz", GZIP, packed, sha256_hex(packed))
            context = jsonld_context()
            files[CONTEXT_FILE] = _File(CONTEXT_FILE, "application/ld+json", context, sha256_hex(context))
            state["files"] = files
        return state["files"]


def _metered_files() -> dict[str, _File]:
    """Return the exports, made in one of the client's page slots within the time limit."""
    from .pages import bounded  # RateLimited (429) or QueryTimeout (503) past the limits

    return bounded(_files)


def dump(name: str) -> bytes:
    """Return the bytes of one export (``legiongraph.nt``...), making the exports if needed."""
    return _files()[name].data


@bp.get("/download")
def listing() -> Response:
    """List the exports with their sizes and SHA-256 (HTML, or JSON for ``?format=json``)."""
    files = _metered_files()
    canonical = files["legiongraph.nq"].sha256  # the N-Quads export is the canonical form
    entries = [{"name": f.name, "url": request.url_root + "download/" + f.name,
                "mediaType": f.media_type, "bytes": len(f.data), "sha256": f.sha256}
               for f in files.values()]
    if request.args.get("format") == "json" or (
            request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"):
        return jsonify({"canonicalSha256": canonical, "files": entries})
    return Response(render_template("download.html", canonical=canonical, entries=entries),
                    mimetype="text/html")


@bp.get("/download/<name>")
def file(name: str) -> Response:
    """Serve one export."""
    found = _metered_files().get(name)
    if found is None:
        abort(404, description=f"no download named {name!r}; see /download")
    charset = "" if found.media_type == GZIP else "; charset=utf-8"
    response = Response(found.data, content_type=f"{found.media_type}{charset}")
    response.headers["Content-Disposition"] = f'attachment; filename="{found.name}"'
    response.set_etag(found.sha256)
    return response.make_conditional(request)
