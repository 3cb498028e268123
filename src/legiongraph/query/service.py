"""Answer one SPARQL request in a negotiated format: the core of the endpoint, without HTTP.

The query gate (:func:`inspected`) parses the query, refuses updates and any SERVICE whose
endpoint is not on the allow-list, and checks that a format fits. :func:`answer` runs it first,
then the query, and caps the answer at the request's row and byte limits, saying so rather than
cutting silently. The endpoint builds requests with :func:`request_for`, unparsed, so that the
parse (which takes minutes for some crafted 50 KB queries) runs in the query worker, under the
time limit, and never in the server process; :func:`prepare` parses at once, for library use.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from rdflib import Graph

from ..errors import LegiongraphError, NotAcceptable, QueryError, ServiceRefused
from ..formats import Format, serialize_graph
from ..iris import PREFIXES
from ..stores.base import Store
from ..stores.results import Capped, QueryResult, serialize_result, write_capped
from .sparqlgate import QueryInfo, explain_failure, inspect_query, with_prefixes

__all__ = [
    "Answer",
    "NotAcceptable",
    "SparqlRequest",
    "answer",
    "check_services",
    "inspected",
    "prepare",
    "request_for",
]


@dataclass(frozen=True)
class SparqlRequest:
    """A query with its protocol dataset, the formats the client accepts and the limits.

    ``info`` is None until the query gate has parsed and checked the query (:func:`inspected`).
    """

    text: str
    info: QueryInfo | None = None
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    result_format: Format | None = None
    graph_format: Format | None = None
    base_iri: str | None = None
    #: the most rows (triples for CONSTRUCT/DESCRIBE) and bytes an answer may hold; None: no cap
    max_rows: int | None = None
    max_bytes: int | None = None
    #: the SERVICE endpoints the gate lets through
    service_allowlist: tuple[str, ...] = ()

    @property
    def format(self) -> Format:
        """Return the format the answer will be written in (the query must have been inspected)."""
        if self.info is None:
            raise ValueError("the request has not been through the query gate yet")
        fmt = self.graph_format if self.info.returns_graph else self.result_format
        if fmt is None:
            kind = "RDF graphs" if self.info.returns_graph else "query results"
            raise NotAcceptable(f"none of the accepted media types can carry {kind} "
                                f"of a {self.info.form} query")
        return fmt


@dataclass
class Answer:
    """The serialised answer to a request.

    ``rows`` counts the rows (or triples) sent; ``truncated_by`` names the limit that cut the
    answer short (``max_rows`` or ``max_result_bytes``), None when it is complete.
    """

    body: bytes
    format: Format
    kind: str
    rows: int = 0
    truncated: bool = False
    notes: list[str] = field(default_factory=list)
    truncated_by: str | None = None
    limit: int | None = None


def request_for(
    text: str,
    *,
    default_graphs: Sequence[str] | None = None,
    named_graphs: Sequence[str] | None = None,
    result_format: Format | None = None,
    graph_format: Format | None = None,
    base_iri: str | None = None,
    service_allowlist: Collection[str] = (),
    max_rows: int | None = None,
    max_bytes: int | None = None,
) -> SparqlRequest:
    """Build a request without parsing its query; :func:`answer` puts it through the gate."""
    return SparqlRequest(
        text=text,
        default_graphs=tuple(default_graphs) if default_graphs is not None else None,
        named_graphs=tuple(named_graphs) if named_graphs is not None else None,
        result_format=result_format,
        graph_format=graph_format,
        base_iri=base_iri,
        max_rows=max_rows,
        max_bytes=max_bytes,
        service_allowlist=tuple(service_allowlist),
    )


def inspected(request: SparqlRequest) -> SparqlRequest:
    """Put a request through the query gate: parse it, refuse updates and SERVICE calls that are
    not allow-listed, and fail when no accepted format fits; return it with its ``info``.

    Any SERVICE is refused unless its endpoint IRI is exactly one of the request's
    ``service_allowlist``; a SERVICE whose endpoint is a variable is always refused. A request that
    already carries ``info`` was inspected before and is returned as it is.
    """
    if request.info is not None:
        return request
    info = inspect_query(request.text, request.base_iri)
    check_services(info, request.service_allowlist)
    checked = replace(request, info=info)
    _ = checked.format
    return checked


def prepare(text: str, **options: Any) -> SparqlRequest:
    """Parse and check a query at once (see :func:`request_for` for the options)."""
    return inspected(request_for(text, **options))


def check_services(info: QueryInfo, allowlist: Collection[str]) -> None:
    """Raise ServiceRefused unless every SERVICE endpoint of a query is on the allow-list."""
    for endpoint in info.services:
        if endpoint.startswith("?"):
            raise ServiceRefused(f"SERVICE {endpoint} is refused: this endpoint sends queries only "
                                 "to allow-listed endpoints, named by IRI, never by a variable")
        if endpoint not in allowlist:
            allowed = ", ".join(f"<{a}>" for a in allowlist) or "none are allowed"
            raise ServiceRefused(f"SERVICE <{endpoint}> is refused: this endpoint does not send "
                                 f"queries to other servers (allow-listed endpoints: {allowed})")


def _graph_of(result: QueryResult) -> Graph:
    return result.graph if result.graph is not None else Graph()


def answer(store: Store, request: SparqlRequest) -> Answer:
    """Gate a request, run it on a store and serialise the answer within the request's limits."""
    request = inspected(request)
    try:
        return _run(store, request)
    except QueryError:
        # Engines word syntax errors each their own way: where rdflib cannot read the query either,
        # its message (line, column, what was expected) is the one the client gets.
        explain_failure(request.text, request.base_iri)
        raise


def _run(store: Store, request: SparqlRequest) -> Answer:
    fmt = request.format
    # The project's prefixes the query uses undeclared (the gate read it with them).
    text = with_prefixes(request.text, request.info) if request.info is not None else request.text
    native = getattr(store, "serialized", None)
    if native is not None and request.info is not None and request.info.form != "ASK":
        try:
            written = native(text, fmt.name, max_rows=request.max_rows, max_bytes=request.max_bytes,
                             default_graphs=request.default_graphs, named_graphs=request.named_graphs,
                             base_iri=request.base_iri)
        except LegiongraphError:
            raise
        except Exception as exc:  # as below: the query's failure, never the server's
            raise QueryError(f"the query failed: {type(exc).__name__}: {exc}") from None
        if written is not None:
            return _answer_from(written, fmt, "graph" if request.info.returns_graph else "select")
    try:
        result = store.query(text, default_graphs=request.default_graphs,
                             named_graphs=request.named_graphs, base_iri=request.base_iri)
    except LegiongraphError:
        raise
    except Exception as exc:
        # Engines evaluate lazily, so some failures surface while the store reads the solutions,
        # past its own error mapping: they are the query's failure, not the server's (never 500).
        raise QueryError(f"the query failed: {type(exc).__name__}: {exc}") from None
    if result.kind == "CONSTRUCT":
        graph = _graph_of(result)
        triples = list(graph) if request.max_rows is not None or request.max_bytes else None

        def write_graph(n: int) -> bytes:
            if triples is None or n >= len(triples):
                return serialize_graph(graph, fmt, PREFIXES)
            part = Graph()
            for triple in triples[:n]:
                part.add(triple)
            return serialize_graph(part, fmt, PREFIXES)

        return _capped(request, fmt, "graph", len(graph), write_graph, None)
    if result.kind == "ASK":
        return Answer(serialize_result(result, fmt.name).encode("utf-8"), fmt, "ask")

    def write_rows(n: int, note: dict | None = None) -> bytes:
        part = result if n >= len(result.rows) else replace(result, rows=result.rows[:n])
        return serialize_result(part, fmt.name, extension=note).encode("utf-8")

    return _capped(request, fmt, "select", len(result.rows), write_rows, fmt.name == "json")


def _capped(request: SparqlRequest, fmt: Format, kind: str, total: int,
            write: Callable[..., bytes], json_note: bool | None) -> Answer:
    """Serialise at most ``max_rows`` rows, then fewer until the body fits ``max_bytes``.

    A truncated SPARQL JSON answer carries a top-level ``"legiongraph"`` object saying so, which
    SPARQL JSON readers ignore; every format says so in the Answer (the endpoint sends a header).
    """
    def body_for(n: int, by: str | None, limit: int | None) -> bytes:
        if json_note and by is not None:
            return write(n, {"truncated": True, "reason": by, "limit": limit, "rows": n})
        return write(n)

    return _answer_from(write_capped(total, body_for, request.max_rows, request.max_bytes), fmt, kind)


def _answer_from(capped: Capped, fmt: Format, kind: str) -> Answer:
    return Answer(capped.body, fmt, kind, rows=capped.rows, truncated=capped.truncated_by is not None,
                  truncated_by=capped.truncated_by, limit=capped.limit)
