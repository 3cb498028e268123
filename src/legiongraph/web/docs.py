"""``/docs/``: the documentation site, served from the local build so that nothing links outward."""

from __future__ import annotations

import base64
import hashlib
import re

from flask import Blueprint, Response, abort, current_app, redirect, send_from_directory

from ..resources import Resources
from .edge import SECURITY_HEADERS

__all__ = ["bp"]

bp = Blueprint("docs", __name__)

# The theme's pages carry two small inline scripts; rather than allowing inline script, the policy
# of each page names exactly those scripts by their hash.
_INLINE = re.compile(rb"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>(.*?)</script>", re.S)


def _policy_for(page: bytes) -> str:
    hashes = " ".join("'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'"
                      for body in _INLINE.findall(page))
    base = SECURITY_HEADERS["Content-Security-Policy"]
    return base.replace("script-src 'self'", f"script-src 'self' {hashes}".rstrip(), 1)


@bp.route("/docs")
def docs_root() -> Response:
    """Send /docs to /docs/ so that the site's relative links resolve."""
    return redirect("docs/", code=308)


@bp.route("/docs/", defaults={"name": "index.html"})
@bp.route("/docs/<path:name>")
def docs_file(name: str) -> Response:
    """Send a file of the built documentation site, or 404 saying how to build it."""
    config = current_app.config["LEGIONGRAPH"]
    site = Resources(config.data_dir).docs_site()
    if site is None:
        abort(404, description="The documentation site has not been built here: run `make docs` "
                               "in the legiongraph working copy, then reload this page.")
    if name.endswith("/"):
        name += "index.html"
    # send_from_directory refuses any name that leaves the folder (safe_join).
    response = send_from_directory(site, name, max_age=300)
    if name.endswith(".html"):
        response.direct_passthrough = False
        response.headers["Content-Security-Policy"] = _policy_for(response.get_data())
    return response
