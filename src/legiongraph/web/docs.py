"""``/docs/``: the documentation site, served from the local build so that nothing links outward."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, redirect, send_from_directory

from ..resources import Resources

__all__ = ["bp"]

bp = Blueprint("docs", __name__)


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
    return send_from_directory(site, name, max_age=300)
