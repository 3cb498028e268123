"""One table turns legiongraph errors into HTTP responses with a plain-text message."""

from __future__ import annotations

import logging

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from ..errors import LegiongraphError, http_status_for

__all__ = ["INTERNAL_ERROR", "error_response", "init_app", "internal_error", "plain_error"]

INTERNAL_ERROR = "internal server error: the failure was logged on the server"
_log = logging.getLogger("legiongraph.web")


def plain_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """Return an error response whose body is one plain-text message."""
    response = Response(message.rstrip("\n") + "\n", status=status,
                        content_type="text/plain; charset=utf-8")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def error_response(exc: LegiongraphError) -> Response:
    """Return the response for a legiongraph error: status from the table, Retry-After if any."""
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else None
    return plain_error(http_status_for(exc), str(exc), headers)


def internal_error(exc: BaseException) -> Response:
    """Log an unexpected failure and answer 500 with a message that reveals nothing of it."""
    _log.error("unexpected error answering %s %s", request.method, request.path,
               exc_info=(type(exc), exc, exc.__traceback__))
    return plain_error(500, INTERNAL_ERROR)


def init_app(app: Flask) -> None:
    """Register the error handlers."""

    @app.errorhandler(LegiongraphError)
    def _legiongraph_error(exc: LegiongraphError) -> Response:
        return error_response(exc)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        response = plain_error(exc.code or 500, f"{exc.name}: {exc.description}")
        for key, value in exc.get_headers():
            if key.lower() != "content-type":
                response.headers[key] = value
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        return internal_error(exc)
