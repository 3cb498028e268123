"""The web face: SPARQL 1.1 Protocol endpoint, query UI and Linked Data pages.

Only this package imports Flask; it translates requests into calls on the core library.
"""

from __future__ import annotations

from flask import Flask

from ..config import Config
from ..executor import Executor, InlineExecutor, ProcessExecutor
from ..stores.base import Store
from .context import init_app as init_context

__all__ = ["create_app"]


def create_app(config: Config, *, store: Store | None = None,
               executor: Executor | None = None) -> Flask:
    """Build the Flask application that serves the configured store (or the one given).

    Queries run in worker processes that are killed at the time limit, unless a store object is
    given (tests, tools), in which case they run inline on it; an explicit executor wins.
    """
    from . import errors, pages, protocol, ui

    app = Flask(__name__)
    app.config["LEGIONGRAPH"] = config
    if executor is None:
        executor = (InlineExecutor(store) if store is not None else
                    ProcessExecutor(config, workers=config.workers, timeout=config.query_timeout))
    init_context(app, store, executor)
    errors.init_app(app)
    app.register_blueprint(protocol.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(ui.bp)
    return app
