"""The SPARQL 1.1 Protocol at /sparql: query by GET and POST, content negotiation, errors.

See https://www.w3.org/TR/sparql11-protocol/. Without a query, GET returns the Service
Description. The endpoint is read-only: updates are refused with 403. Its limits (README,
"Security model"): request body 413, URL 414, queries per client 429, SERVICE allow-list 400,
time limit 503, result rows and bytes (truncated, with the ``X-Legiongraph-Truncated`` header).
"""

from __future__ import annotations

from urllib.parse import parse_qs

from flask import Blueprint, Response, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import RequestEntityTooLarge

from ..config import Config
from ..errors import LegiongraphError, TooLarge, UpdateRefused
from ..formats import GRAPH_FORMATS, RESULT_FORMATS, Format, serialize_graph
from ..iris import PREFIXES
from ..publish.servicedesc import service_description
from ..query.service import Answer, request_for
from .conneg import negotiate, prefers_html
from .context import get_config, get_executor, get_limiter, get_statistics
from .errors import error_response, internal_error, plain_error

__all__ = ["PARAMETERS", "TRUNCATED_HEADER", "body_limit", "bp", "cors"]

bp = Blueprint("protocol", __name__)

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
READ_ONLY = "this endpoint is read-only: SPARQL Update is not accepted"
TRUNCATED_HEADER = "X-Legiongraph-Truncated"
#: The parameters /sparql understands; any other is refused with 400 rather than ignored.
#: ``output`` and ``results`` are other names for ``format`` (Fuseki's; SPARQLWrapper sends all three).
PARAMETERS: tuple[str, ...] = ("query", "default-graph-uri", "named-graph-uri", "format", "output",
                               "results")
# Percent-encoding makes a form-encoded query up to three times longer than the query itself.
_FORM_OVERHEAD = 3


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
    return negotiate(formats, override)


def body_limit(config: Config) -> int:
    """Return the largest request body /sparql reads: room for a form-encoded maximal query."""
    return _FORM_OVERHEAD * config.max_query_bytes + 4096


def _body(limit: int) -> bytes:
    """Read the request body, refusing with 413 one longer than ``limit`` before reading it all."""
    length = request.content_length
    if length is not None and length > limit:
        raise TooLarge(f"the request body is {length} bytes; this endpoint accepts at most {limit}")
    request.max_content_length = limit  # also stops a chunked body with no Content-Length
    try:
        return request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise TooLarge(f"the request body is over {limit} bytes; this endpoint accepts at most "
                       f"{limit}") from None


def _is_update(params: dict[str, list[str]]) -> bool:
    # Parameter names are case-sensitive in the protocol, but an update in any case is refused.
    return any(name.strip().lower() == "update" for name in params)


def _check_size(text: str, config: Config) -> str:
    size = len(text.encode("utf-8"))
    if size > config.max_query_bytes:
        raise TooLarge(f"the query is {size} bytes; this endpoint accepts queries of at most "
                       f"{config.max_query_bytes} bytes")
    return text


def _read_request(config: Config) -> tuple[str | None, dict[str, list[str]]]:
    """Return the query text (None for a service-description request) and the parameters."""
    url = _params(request.query_string, "query string")
    if request.method in ("GET", "HEAD"):  # HEAD is GET without the body
        if _is_update(url):
            raise UpdateRefused(READ_ONLY)
        queries = url.get("query", [])
        if len(queries) > 1:
            raise BadRequest(400, "more than one 'query' parameter: send exactly one query")
        return (_check_size(queries[0], config) if queries else None), url
    mimetype = request.mimetype
    if mimetype == FORM:
        body = _params(_body(body_limit(config)), "request body")
        if _is_update(body) or _is_update(url):
            raise UpdateRefused(READ_ONLY)
        queries = body.get("query", []) + url.get("query", [])
        if len(queries) != 1:
            raise BadRequest(400, "a form POST needs exactly one 'query' parameter"
                             if not queries else "more than one 'query' parameter: send exactly one")
        merged = {**url, **{k: v for k, v in body.items() if k != "query"}}
        return _check_size(queries[0], config), merged
    if mimetype == QUERY:
        charset = request.mimetype_params.get("charset", "utf-8").lower()
        if charset not in ("utf-8", "utf8"):
            raise BadRequest(400, f"the query must be encoded in UTF-8, not {charset}")
        if _is_update(url):
            raise UpdateRefused(READ_ONLY)
        if "query" in url:
            raise BadRequest(400, "a direct POST carries the query in its body, not in 'query='")
        try:
            text = _body(config.max_query_bytes).decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequest(400, "the query body is not valid UTF-8") from None
        if not text.strip():
            raise BadRequest(400, "the request body is empty: send a SPARQL query")
        return _check_size(text, config), url
    if mimetype == UPDATE:
        raise UpdateRefused(READ_ONLY)
    if not mimetype:
        raise BadRequest(400, f"a POST needs a Content-Type: {FORM} or {QUERY}")
    raise BadRequest(415, f"unsupported media type {mimetype}; send {FORM} or {QUERY}")


def cors(response: Response) -> Response:
    """Add the headers that let browser clients on other origins use the endpoint."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
    # ETag is not CORS-safelisted: a browser client needs it exposed to send If-None-Match.
    response.headers["Access-Control-Expose-Headers"] = (
        f"Content-Type, Vary, Retry-After, ETag, {TRUNCATED_HEADER}")
    response.headers["Access-Control-Max-Age"] = "86400"
    return response


def _unknown_parameters(params: dict[str, list[str]]) -> str | None:
    unknown = sorted(set(params) - set(PARAMETERS))
    if not unknown:
        return None
    hint = (" (to read a graph, use the Graph Store Protocol: GET /store?graph=IRI or "
            "/store?default)") if {"graph", "default"} & set(unknown) else ""
    return (f"unknown parameter {', '.join(repr(n) for n in unknown)}: /sparql takes "
            f"{', '.join(PARAMETERS)}{hint}")


def _service_description(fmt_override: str | None) -> Response:
    if fmt_override is None and prefers_html(GRAPH_FORMATS):
        from .resolve import html_triples  # a browser that opens the endpoint gets a page

        graph = service_description(request.base_url, get_statistics())
        return html_triples(
            "SPARQL service description", request.base_url,
            "This is the SPARQL 1.1 endpoint: send it queries with ?query= or POST, or use the "
            "query UI at /. What it serves, in RDF:", sorted(graph, key=lambda t: tuple(map(str, t))))
    fmt = _negotiate(GRAPH_FORMATS, fmt_override)
    if fmt is None:
        return plain_error(406, "the service description is available as " +
                           ", ".join(f.media_type for f in GRAPH_FORMATS))
    graph = service_description(request.base_url, get_statistics())
    body = serialize_graph(graph, fmt, PREFIXES)
    response = Response(body, content_type=fmt.content_type)
    response.headers["Vary"] = "Accept"
    return response


def _answer_response(result: Answer) -> Response:
    response = Response(result.body, content_type=result.format.content_type)
    response.headers["Vary"] = "Accept"
    if result.truncated:
        unit = "triples" if result.kind == "graph" else "rows"
        response.headers[TRUNCATED_HEADER] = f"{unit}={result.rows}; {result.truncated_by}={result.limit}"
    return response


def _respond(config: Config) -> Response:
    try:
        text, params = _read_request(config)
    except BadRequest as exc:
        return plain_error(exc.status, str(exc))
    unknown = _unknown_parameters(params)
    if unknown:
        return plain_error(400, unknown)
    override = (params.get("format") or params.get("output") or params.get("results") or [None])[0]
    if text is None:
        return _service_description(override)
    # Not parsed here: the query gate runs in the query worker, under the time limit.
    prepared = request_for(
        text,
        default_graphs=params.get("default-graph-uri"),
        named_graphs=params.get("named-graph-uri"),
        result_format=_negotiate(RESULT_FORMATS, override),
        graph_format=_negotiate(GRAPH_FORMATS, override),
        base_iri=request.base_url,
        service_allowlist=config.service_allowlist,
        max_rows=config.max_rows,
        max_bytes=config.max_result_bytes,
    )
    return _answer_response(get_executor().run(prepared))


@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"])
def sparql() -> Response:
    """Answer a SPARQL query, or describe the service when there is none."""
    if request.method == "OPTIONS":
        return cors(Response(status=204))
    try:
        with get_limiter().slot(request.remote_addr or "unknown"):
            return cors(_respond(get_config()))
    except LegiongraphError as exc:
        return cors(error_response(exc))
    except Exception as exc:  # a bug must still answer a plain 500, never a traceback page
        return cors(internal_error(exc))
