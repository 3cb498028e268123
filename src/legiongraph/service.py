"""Answer one SPARQL request in a negotiated format: the core of the endpoint, without HTTP."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rdflib import Graph

from .errors import QueryError
from .formats import Format, serialize_graph
from .iris import PREFIXES
from .results import QueryResult, serialize_result
from .sparqlgate import QueryInfo, inspect_query
from .stores.base import Store

__all__ = ["Answer", "NotAcceptable", "SparqlRequest", "answer", "prepare"]


class NotAcceptable(QueryError):
    """No format the client accepts fits the query's kind of result."""


@dataclass(frozen=True)
class SparqlRequest:
    """A parsed query with its protocol dataset and the formats the client accepts."""

    text: str
    info: QueryInfo
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    result_format: Format | None = None
    graph_format: Format | None = None
    base_iri: str | None = None

    @property
    def format(self) -> Format:
        """Return the format the answer will be written in."""
        fmt = self.graph_format if self.info.returns_graph else self.result_format
        if fmt is None:
            kind = "RDF graphs" if self.info.returns_graph else "query results"
            raise NotAcceptable(f"none of the accepted media types can carry {kind} "
                                f"of a {self.info.form} query")
        return fmt


@dataclass
class Answer:
    """The serialised answer to a request."""

    body: bytes
    format: Format
    kind: str
    rows: int = 0
    truncated: bool = False
    notes: list[str] = field(default_factory=list)


def prepare(
    text: str,
    *,
    default_graphs: Sequence[str] | None = None,
    named_graphs: Sequence[str] | None = None,
    result_format: Format | None = None,
    graph_format: Format | None = None,
    base_iri: str | None = None,
) -> SparqlRequest:
    """Parse and check a query; fail early when no accepted format fits it."""
    request = SparqlRequest(
        text=text,
        info=inspect_query(text, base_iri),
        default_graphs=tuple(default_graphs) if default_graphs is not None else None,
        named_graphs=tuple(named_graphs) if named_graphs is not None else None,
        result_format=result_format,
        graph_format=graph_format,
        base_iri=base_iri,
    )
    _ = request.format
    return request


def _graph_of(result: QueryResult) -> Graph:
    return result.graph if result.graph is not None else Graph()


def answer(store: Store, request: SparqlRequest) -> Answer:
    """Run a prepared request on a store and serialise the answer."""
    fmt = request.format
    result = store.query(request.text, default_graphs=request.default_graphs,
                         named_graphs=request.named_graphs, base_iri=request.base_iri)
    if result.kind == "CONSTRUCT":
        graph = _graph_of(result)
        return Answer(serialize_graph(graph, fmt, PREFIXES), fmt, "graph", rows=len(graph))
    body = serialize_result(result, fmt.name).encode("utf-8")
    return Answer(body, fmt, result.kind.lower(), rows=len(result.rows))
