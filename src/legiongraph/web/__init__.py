"""The web face: SPARQL 1.1 Protocol endpoint, query UI and Linked Data pages.

Only this package imports Flask; it translates requests into calls on the core library.
"""

from __future__ import annotations

from flask import Flask, Response, request

from ..config import Config
from ..errors import UrlTooLong
from ..query.executor import Executor, InlineExecutor, ProcessExecutor
from ..query.guard import policy_for
from ..stores.base import Store
from .context import init_app as init_context
from .edge import EdgeMiddleware, security_headers

__all__ = ["create_app"]


def create_app(config: Config, *, store: Store | None = None,
               executor: Executor | None = None) -> Flask:
    """Build the Flask application that serves the configured store (or the one given).

    Queries run in worker processes that are killed at the time limit, unless a store object is
    given (tests, tools), in which case they run inline on it under the outbound guard; an
    explicit executor wins.
    """
    from . import browse, caching, docs, download, errors, graphstore, pages, protocol, resolve, search, ui

    app = Flask(__name__)
    app.config["LEGIONGRAPH"] = config
    # A backstop for every route; /sparql checks its own, tighter limits with clearer messages.
    app.config["MAX_CONTENT_LENGTH"] = protocol.body_limit(config)
    if executor is None:
        if store is not None:
            path = getattr(store, "path", None)
            policy = policy_for(config, extra_read=[path] if path is not None else [])
            executor = InlineExecutor(store, policy)
        else:
            executor = ProcessExecutor(config, workers=config.workers, timeout=config.query_timeout)
    init_context(app, store, executor)
    errors.init_app(app)
    caching.init_app(app)

    @app.before_request
    def _url_length() -> Response | None:
        # waitress refuses only URLs near 256 KiB; this endpoint has its own, configurable cap.
        length = sum(len(request.environ.get(key, "")) for key in
                     ("SCRIPT_NAME", "PATH_INFO", "QUERY_STRING")) + 1
        if length > config.max_url_bytes:
            return protocol.cors(errors.error_response(UrlTooLong(
                f"the request URL is {length} bytes long; this endpoint accepts at most "
                f"{config.max_url_bytes}: send a long query by POST")))
        return None

    @app.after_request
    def _security_headers(response: Response) -> Response:
        security_headers(response.headers)
        return response

    # Host checks, public_base_url and trusted proxies apply before Flask reads the request.
    app.wsgi_app = EdgeMiddleware(app.wsgi_app, config)  # type: ignore[method-assign]
    app.register_blueprint(protocol.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(ui.bp)
    app.register_blueprint(download.bp)
    app.register_blueprint(graphstore.bp)
    app.register_blueprint(resolve.bp)
    app.register_blueprint(docs.bp)
    app.register_blueprint(search.bp)
    app.register_blueprint(browse.bp)
    return app
