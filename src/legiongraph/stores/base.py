"""The small interface every store back end implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence

from rdflib import Dataset, URIRef

from ..results import QueryResult

__all__ = ["Store"]


class Store(ABC):
    """A quad store that answers SPARQL over the union of its named graphs."""

    #: the back end's name, as given to ``--store``
    kind: str = ""

    @abstractmethod
    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a SPARQL query.

        Without a dataset, the default graph is the union of all named graphs. ``default_graphs``
        and ``named_graphs`` (the protocol's ``default-graph-uri`` and ``named-graph-uri``) select
        graphs held in the store and override any FROM clause; unknown graphs are empty.
        ``base_iri`` resolves relative IRIs in the query (the endpoint uses its own URL).
        """

    @abstractmethod
    def graphs(self) -> list[URIRef]:
        """Return the names of the named graphs, sorted."""

    @abstractmethod
    def count(self, graph: URIRef | None = None) -> int:
        """Return the number of quads in one named graph, or in all of them."""

    @abstractmethod
    def replace_all(self, dataset: Dataset) -> None:
        """Replace the whole content by a dataset's named graphs, in one transaction."""

    @abstractmethod
    def replace_graphs(self, graphs: Iterable[tuple[URIRef, Iterable[tuple]]]) -> None:
        """Replace some named graphs by the given triples, in one transaction."""

    @abstractmethod
    def to_dataset(self, graphs: Iterable[URIRef] | None = None) -> Dataset:
        """Return the content (or some named graphs) as an rdflib Dataset."""

    def close(self) -> None:  # noqa: B027 - most back ends hold nothing to release
        """Release the store's resources."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
