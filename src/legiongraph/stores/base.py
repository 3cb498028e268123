"""The small interface every store back end implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence

from rdflib import BNode, Dataset, URIRef
from rdflib.term import Node

from ..errors import StoreError
from .results import QueryResult

__all__ = ["Store", "Triple"]

Triple = tuple[Node, Node, Node]


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

    def patch(
        self,
        replace: Mapping[URIRef, Iterable[Triple]] | None = None,
        remove: Mapping[URIRef, Iterable[Triple]] | None = None,
        add: Mapping[URIRef, Iterable[Triple]] | None = None,
    ) -> None:
        """Change the store in one transaction: replace whole graphs, then remove and add triples.

        ``replace`` maps a named graph to its new content (no triples: the graph is dropped).
        ``remove`` and ``add`` map a named graph to triples taken out of it or put into it, in
        that order, leaving its other triples alone; removing an absent triple or adding a present
        one changes nothing. ``remove`` holds no blank nodes (an update cannot name them): the
        graphs that hold blank nodes are the source graphs, which are replaced whole. Readers see
        the store before or after the whole change, never in between; on failure nothing changes.

        Incremental ingest and retract (:mod:`legiongraph.pipeline.ingest`) write through this method: the
        source graph goes in ``replace``, the entailments it adds and takes away in ``add`` and
        ``remove`` for the inferred graph. This default reads the graphs named in ``remove`` and
        ``add`` and rewrites them with :meth:`replace_graphs`, so it is as atomic as that method
        but copies whole graphs; back ends override it with something proportional to the change.
        """
        content = {name: set(triples) for name, triples in (replace or {}).items()}
        remove, add = _check_patch(remove, add)
        for name in set(remove) | set(add):
            if name not in content:
                content[name] = set(self.to_dataset([name]).graph(name))
            content[name] = (content[name] - remove.get(name, set())) | add.get(name, set())
        self.replace_graphs(content.items())

    @abstractmethod
    def to_dataset(self, graphs: Iterable[URIRef] | None = None) -> Dataset:
        """Return the content (or some named graphs) as an rdflib Dataset."""

    def close(self) -> None:  # noqa: B027 - most back ends hold nothing to release
        """Release the store's resources."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _check_patch(
    remove: Mapping[URIRef, Iterable[Triple]] | None,
    add: Mapping[URIRef, Iterable[Triple]] | None,
) -> tuple[dict[URIRef, set[Triple]], dict[URIRef, set[Triple]]]:
    """Return the removals and additions of a patch as sets; refuse blank nodes in removals."""
    removals = {name: set(triples) for name, triples in (remove or {}).items()}
    for name, triples in removals.items():
        if any(isinstance(t, BNode) for triple in triples for t in triple):
            raise StoreError(f"cannot remove triples with blank nodes from <{name}>; replace the graph")
    return removals, {name: set(triples) for name, triples in (add or {}).items()}
