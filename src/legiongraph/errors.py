"""The exceptions legiongraph raises, and how each maps to a CLI exit code and an HTTP status.

Every error derives from :class:`LegiongraphError`. Messages name the file, line, term or field
involved so that an analyst can act on them without a traceback.

Exit codes (documented in the README):

====  ==========================================================
0     success (``validate``: the data conforms)
1     the data does not conform to the shapes
2     a file or query could not be read or parsed; bad arguments
3     the store is missing, locked or inconsistent
4     any other legiongraph error
====  ==========================================================
"""

from __future__ import annotations

__all__ = [
    "EXIT_CODES",
    "HTTP_STATUS",
    "ConfigError",
    "LegiongraphError",
    "LoadError",
    "MemoryLimitHit",
    "NotAcceptable",
    "OutboundRefused",
    "PortInUse",
    "QueryError",
    "QueryTimeout",
    "RateLimited",
    "ReasoningError",
    "ResourceNotFound",
    "ServerBusy",
    "ServiceRefused",
    "ShapesError",
    "StoreError",
    "TooLarge",
    "UpdateRefused",
    "UrlTooLong",
    "ValidationFailed",
    "exit_code_for",
    "http_status_for",
]


class LegiongraphError(Exception):
    """Root of every error legiongraph raises on purpose."""

    #: seconds after which the client may try again (HTTP ``Retry-After``), when it may
    retry_after: int | None = None


class ConfigError(LegiongraphError):
    """A configuration file, environment variable or flag has a bad value."""


class PortInUse(ConfigError):
    """``serve`` cannot listen on the configured host and port: another program holds it."""


class ResourceNotFound(LegiongraphError):
    """A named ontology file, data file or query does not exist."""


class LoadError(LegiongraphError):
    """An RDF file cannot be read or parsed; the message names the file and line."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None):
        super().__init__(message)
        self.path = path
        self.line = line


class ValidationFailed(LegiongraphError):
    """The data does not conform to the SHACL shapes; ``report`` holds every violation."""

    def __init__(self, message: str, report: object = None):
        super().__init__(message)
        self.report = report


class ReasoningError(LegiongraphError):
    """The ontology holds an axiom the chosen reasoner does not implement; ``axiom`` names it.

    The compiled rules (reasoner ``rules``) raise it before writing anything, so that a caller can
    use the ``reasonable`` or ``owlrl`` reasoner instead.
    """

    def __init__(self, message: str, *, axiom: tuple | None = None):
        super().__init__(message)
        self.axiom = axiom


class ShapesError(LegiongraphError):
    """The SHACL shapes cannot be read by the validator, or a validator name is unknown."""


class QueryError(LegiongraphError):
    """A SPARQL query is malformed or cannot be run."""


class UpdateRefused(QueryError):
    """A SPARQL Update was sent to a read-only endpoint or command."""


class NotAcceptable(QueryError):
    """No format the client accepts fits the query's kind of result."""


class OutboundRefused(QueryError):
    """A query tried to reach another server, a file or a program; the endpoint never does."""


class ServiceRefused(OutboundRefused):
    """A query's SERVICE names an endpoint that is not on the configured allow-list."""


class TooLarge(QueryError):
    """A request body or query is larger than the configured limit."""


class UrlTooLong(QueryError):
    """A request URL is longer than the configured limit."""


class QueryTimeout(LegiongraphError):
    """A query ran past its time limit and was stopped, or no worker was free in time."""

    # A worker is free again at once; a client retrying the same query will hit the limit again.
    retry_after = 5


class ServerBusy(LegiongraphError):
    """Every query worker (or every /sparql slot of the server) is taken: try again shortly."""

    retry_after = 1


class MemoryLimitHit(LegiongraphError):
    """A query took its worker past ``max_worker_memory``; the worker was stopped and replaced."""

    retry_after = 5


class RateLimited(LegiongraphError):
    """A client already has as many queries running as it may."""

    retry_after = 1


class StoreError(LegiongraphError):
    """The store is missing, cannot be opened, or a write to it failed."""

    # Over HTTP this is a query worker that died or a store briefly unavailable.
    retry_after = 5


# Most specific class first: the first match wins.
EXIT_CODES: tuple[tuple[type[LegiongraphError], int], ...] = (
    (ValidationFailed, 1),
    (LoadError, 2),
    (QueryError, 2),
    (ConfigError, 2),
    (ShapesError, 2),
    (ReasoningError, 2),
    (ResourceNotFound, 2),
    (QueryTimeout, 4),
    (ServerBusy, 4),
    (MemoryLimitHit, 4),
    (RateLimited, 4),
    (StoreError, 3),
    (LegiongraphError, 4),
)

HTTP_STATUS: tuple[tuple[type[LegiongraphError], int], ...] = (
    (UpdateRefused, 403),
    (NotAcceptable, 406),
    (OutboundRefused, 400),
    (TooLarge, 413),
    (UrlTooLong, 414),
    (QueryError, 400),
    (LoadError, 400),
    (ValidationFailed, 422),
    (ResourceNotFound, 404),
    (ConfigError, 500),
    (ShapesError, 500),
    (ReasoningError, 500),
    (QueryTimeout, 503),
    (ServerBusy, 503),
    (MemoryLimitHit, 503),
    (RateLimited, 429),
    (StoreError, 503),
    (LegiongraphError, 500),
)


def _lookup(table: tuple[tuple[type[LegiongraphError], int], ...], error: BaseException) -> int:
    for cls, code in table:
        if isinstance(error, cls):
            return code
    return table[-1][1]


def exit_code_for(error: BaseException) -> int:
    """Return the CLI exit code for an error."""
    return _lookup(EXIT_CODES, error)


def http_status_for(error: BaseException) -> int:
    """Return the HTTP status code for an error."""
    return _lookup(HTTP_STATUS, error)
