"""One table turns legiongraph errors into HTTP responses with a plain-text message."""

from __future__ import annotations

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from ..errors import LegiongraphError, http_status_for

__all__ = ["init_app", "plain_error"]


def plain_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """Return an error response whose body is one plain-text message."""
    response = Response(message.rstrip("\n") + "\n", status=status,
                        content_type="text/plain; charset=utf-8")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def init_app(app: Flask) -> None:
    """Register the error handlers."""

    @app.errorhandler(LegiongraphError)
    def _legiongraph_error(exc: LegiongraphError) -> Response:
        return plain_error(http_status_for(exc), str(exc))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        response = plain_error(exc.code or 500, f"{exc.name}: {exc.description}")
        for key, value in exc.get_headers():
            if key.lower() != "content-type":
                response.headers[key] = value
        return response
