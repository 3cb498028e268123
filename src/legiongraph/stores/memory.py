"""The in-memory back end: an rdflib Dataset, optionally kept in an N-Quads file.

Meant for tests and tiny graphs: rdflib's SPARQL engine is far slower than Oxigraph's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import rdflib.plugins.sparql
from rdflib import Dataset, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue

from ..errors import QueryError, StoreError
from ..fsutil import atomic_write_bytes
from ..parsing import parse_into
from .base import Store, Triple, _check_patch
from .results import QueryResult

__all__ = ["MemoryStore"]

FILE_NAME = "dataset.nq"


class MemoryStore(Store):
    """An rdflib Dataset whose default graph is the union of its named graphs."""

    kind = "memory"

    def __init__(self, path: Path | None = None, *, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else None
        self.read_only = read_only
        self._ds = Dataset(default_union=True)
        if self.path is not None:
            file = self.path / FILE_NAME
            if file.exists():
                parse_into(self._ds, file.read_bytes(), "nquads", str(file))
            elif read_only:
                raise StoreError(f"{file}: no store here; run 'legiongraph build' first")

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a query on rdflib's engine; FROM and the protocol dataset never load anything."""
        # rdflib would otherwise fetch or open any FROM / FROM NAMED IRI it does not hold.
        rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False
        try:
            prepared = prepareQuery(sparql, base=base_iri)
            if default_graphs is not None or named_graphs is not None:
                prepared.algebra["datasetClause"] = (
                    [CompValue("DatasetClause", default=URIRef(g)) for g in default_graphs or ()]
                    + [CompValue("DatasetClause", named=URIRef(g)) for g in named_graphs or ()]
                ) or [CompValue("DatasetClause", named=URIRef("urn:x-legiongraph:empty"))]
            answer = self._ds.query(prepared)
        except Exception as exc:  # rdflib raises many unrelated types for bad queries
            raise QueryError(f"query failed: {exc}") from None
        if answer.type == "ASK":
            return QueryResult("ASK", boolean=bool(answer.askAnswer))
        if answer.type == "SELECT":
            variables = [str(v) for v in answer.vars]
            rows = [tuple(row) for row in answer]
            return QueryResult("SELECT", variables=variables, rows=rows)
        return QueryResult("CONSTRUCT", graph=answer.graph)

    def graphs(self) -> list[URIRef]:
        """Return the non-empty named graphs, sorted."""
        return sorted(ctx.identifier for ctx in self._ds.graphs()
                      if ctx.identifier != DATASET_DEFAULT_GRAPH_ID and len(ctx))

    def count(self, graph: URIRef | None = None) -> int:
        """Count quads in one graph or in all named graphs."""
        if graph is not None:
            return len(self._ds.graph(graph))
        return sum(len(self._ds.graph(g)) for g in self.graphs())

    def _save(self) -> None:
        if self.read_only:
            raise StoreError(f"{self.path}: the store is open read-only")
        if self.path is not None:
            data = self._ds.serialize(format="nquads", encoding="utf-8")
            atomic_write_bytes(self.path / FILE_NAME, data)

    def replace_all(self, dataset: Dataset) -> None:
        """Replace the content and save it."""
        fresh = Dataset(default_union=True)
        for ctx in dataset.graphs():
            if ctx.identifier != DATASET_DEFAULT_GRAPH_ID:
                target = fresh.graph(ctx.identifier)
                for triple in ctx:
                    target.add(triple)
        previous, self._ds = self._ds, fresh
        try:
            self._save()
        except BaseException:
            self._ds = previous
            raise

    def replace_graphs(self, graphs: Iterable[tuple[URIRef, Iterable[tuple]]]) -> None:
        """Replace named graphs and save."""
        fresh = Dataset(default_union=True)
        for quad in self._ds.quads((None, None, None, None)):
            fresh.add(quad)
        for name, triples in graphs:
            fresh.remove_graph(fresh.graph(name))
            target = fresh.graph(name)
            for triple in triples:
                target.add(triple)
        self.replace_all(fresh)

    def patch(
        self,
        replace: Mapping[URIRef, Iterable[Triple]] | None = None,
        remove: Mapping[URIRef, Iterable[Triple]] | None = None,
        add: Mapping[URIRef, Iterable[Triple]] | None = None,
    ) -> None:
        """Apply the change to a copy and swap it in when saved."""
        removals, additions = _check_patch(remove, add)
        fresh = Dataset(default_union=True)
        for quad in self._ds.quads((None, None, None, None)):
            fresh.add(quad)
        for name, triples in (replace or {}).items():
            fresh.remove_graph(fresh.graph(name))
            target = fresh.graph(name)
            for triple in triples:
                target.add(triple)
        for name, triples in removals.items():
            for triple in triples:
                fresh.graph(name).remove(triple)
        for name, triples in additions.items():
            target = fresh.graph(name)
            for triple in triples:
                target.add(triple)
        self.replace_all(fresh)

    def to_dataset(self, graphs: Iterable[URIRef] | None = None) -> Dataset:
        """Return a copy of the content (or some graphs)."""
        wanted = set(self.graphs()) if graphs is None else set(graphs)
        ds = Dataset(default_union=True)
        for name in wanted:
            target = ds.graph(name)
            for triple in self._ds.graph(name):
                target.add(triple)
        return ds
