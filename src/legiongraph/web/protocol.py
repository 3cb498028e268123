"""The SPARQL 1.1 Protocol at /sparql: query by GET and POST, content negotiation, errors.

See https://www.w3.org/TR/sparql11-protocol/. Without a query, GET returns the Service
Description. The endpoint is read-only: updates are refused with 403.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from flask import Blueprint, Response, request
from werkzeug.datastructures import MIMEAccept

from ..formats import GRAPH_FORMATS, RESULT_FORMATS, Format, by_name, serialize_graph
from ..iris import PREFIXES
from ..service import NotAcceptable, prepare
from ..servicedesc import service_description
from .context import get_executor, get_statistics
from .errors import plain_error

__all__ = ["bp"]

bp = Blueprint("protocol", __name__)

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
READ_ONLY = "this endpoint is read-only: SPARQL Update is not accepted"


class BadRequest(Exception):
    """A protocol violation, answered with a status and a plain message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _params(raw: bytes, where: str) -> dict[str, list[str]]:
    try:
        text = raw.decode("ascii")
        return parse_qs(text, keep_blank_values=True, strict_parsing=False,
                        encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise BadRequest(400, f"the {where} is not valid UTF-8 once percent-decoded") from None


def _accept() -> MIMEAccept:
    return request.accept_mimetypes


def _negotiate(formats: tuple[Format, ...], override: str | None) -> Format | None:
    """Pick the format the client prefers: highest q-value, then the client's own order.

    Wildcards count (``text/*``, ``*/*``); ``q=0`` excludes. Among equally acceptable formats the
    one the client names first wins, then the server's order (JSON before XML).
    """
    if override:
        return by_name(override, formats)
    accept = _accept()
    if not accept:
        return formats[0]
    named = [value.lower() for value, _ in accept]
    scored = [(accept.quality(f.media_type), f) for f in formats]
    best = max(q for q, _ in scored)
    if best <= 0:
        return None
    tied = [f for q, f in scored if q == best]
    return min(tied, key=lambda f: named.index(f.media_type) if f.media_type in named else len(named))


def _read_request() -> tuple[str | None, dict[str, list[str]]]:
    """Return the query text (None for a service-description request) and the parameters."""
    url = _params(request.query_string, "query string")
    if request.method == "GET":
        if "update" in url:
            raise BadRequest(403, READ_ONLY)
        queries = url.get("query", [])
        if len(queries) > 1:
            raise BadRequest(400, "more than one 'query' parameter: send exactly one query")
        return (queries[0] if queries else None), url
    mimetype = request.mimetype
    if mimetype == FORM:
        body = _params(request.get_data(cache=True), "request body")
        if "update" in body or "update" in url:
            raise BadRequest(403, READ_ONLY)
        queries = body.get("query", []) + url.get("query", [])
        if len(queries) != 1:
            raise BadRequest(400, "a form POST needs exactly one 'query' parameter"
                             if not queries else "more than one 'query' parameter: send exactly one")
        merged = {**url, **{k: v for k, v in body.items() if k != "query"}}
        return queries[0], merged
    if mimetype == QUERY:
        charset = request.mimetype_params.get("charset", "utf-8").lower()
        if charset not in ("utf-8", "utf8"):
            raise BadRequest(400, f"the query must be encoded in UTF-8, not {charset}")
        if "query" in url:
            raise BadRequest(400, "a direct POST carries the query in its body, not in 'query='")
        try:
            text = request.get_data(cache=True).decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequest(400, "the query body is not valid UTF-8") from None
        if not text.strip():
            raise BadRequest(400, "the request body is empty: send a SPARQL query")
        return text, url
    if mimetype == UPDATE:
        raise BadRequest(403, READ_ONLY)
    if not mimetype:
        raise BadRequest(400, f"a POST needs a Content-Type: {FORM} or {QUERY}")
    raise BadRequest(415, f"unsupported media type {mimetype}; send {FORM} or {QUERY}")


def _cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
    response.headers["Access-Control-Expose-Headers"] = "Content-Type, Vary"
    response.headers["Access-Control-Max-Age"] = "86400"
    return response


def _service_description(fmt_override: str | None) -> Response:
    fmt = _negotiate(GRAPH_FORMATS, fmt_override)
    if fmt is None:
        return plain_error(406, "the service description is available as " +
                           ", ".join(f.media_type for f in GRAPH_FORMATS))
    graph = service_description(request.base_url, get_statistics())
    body = serialize_graph(graph, fmt, PREFIXES)
    response = Response(body, content_type=fmt.content_type)
    response.headers["Vary"] = "Accept"
    return response


@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"])
def sparql() -> Response:
    """Answer a SPARQL query, or describe the service when there is none."""
    if request.method == "OPTIONS":
        return _cors(Response(status=204))
    try:
        text, params = _read_request()
    except BadRequest as exc:
        return _cors(plain_error(exc.status, str(exc)))
    override = (params.get("format") or [None])[0]
    if text is None:
        return _cors(_service_description(override))
    try:
        prepared = prepare(
            text,
            default_graphs=params.get("default-graph-uri"),
            named_graphs=params.get("named-graph-uri"),
            result_format=_negotiate(RESULT_FORMATS, override),
            graph_format=_negotiate(GRAPH_FORMATS, override),
            base_iri=request.base_url,
        )
    except NotAcceptable as exc:
        return _cors(plain_error(406, str(exc)))
    result = get_executor().run(prepared)
    response = Response(result.body, content_type=result.format.content_type)
    response.headers["Vary"] = "Accept"
    return _cors(response)
