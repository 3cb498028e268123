"""The ``sparql`` back end: any SPARQL 1.1 server over HTTP (Virtuoso, Fuseki, GraphDB, QLever …).

Servers differ in what their default graph is: Virtuoso's holds every graph it has, its own
system graphs included; Fuseki's is a graph of its own unless told otherwise. So the store never
relies on it. It records the graphs it manages in one registry graph on the server, and sends
every query with the Protocol's ``default-graph-uri`` and ``named-graph-uri`` set to those graphs:
the default graph is their union, ``GRAPH ?g`` sees only them, and other data on the server stays
out of every answer. The query text is sent as written.

Writes load the new content into fresh staging graphs (Graph Store Protocol PUT when
``sparql_graph_store`` is set, SPARQL Update otherwise) and then switch it in with one update
request that moves the staging graphs into place and updates the registry. A failed load leaves the
old content untouched; the switch is atomic where the server runs an update request in one
transaction (Fuseki, GraphDB, RDF4J, Oxigraph), not on Virtuoso, which commits operation by
operation. One writer at a time.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Iterable, Sequence

from rdflib import BNode, Dataset, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

from ..config import Config
from ..errors import ConfigError, LegiongraphError, StoreError
from .base import Store
from .results import QueryResult, term_to_tsv
from .sparqlhttp import SparqlHttp, scan_query

__all__ = ["REGISTRY", "SparqlStore"]

#: the graph where the store lists the graphs it manages
REGISTRY = "urn:x-legiongraph:dataset"
_EMPTY = "urn:x-legiongraph:empty"  # names no graph: stands for an empty list of graphs
_STAGING = "urn:x-legiongraph:staging:"
_SD = "http://www.w3.org/ns/sparql-service-description#"
_IRI = re.compile(r"[^<>\"{}|^`\\\x00-\x20]+")

Triple = tuple[Node, Node, Node]


def _iri(value: str) -> str:
    if not _IRI.fullmatch(value):
        raise StoreError(f"not an IRI the store can use as a graph name: {value!r}")
    return f"<{value}>"


def _has_bnode(triple: Triple) -> bool:
    return isinstance(triple[0], BNode) or isinstance(triple[2], BNode)


def _components(quads: list[tuple[Triple, URIRef]]) -> list[list[tuple[Triple, URIRef]]]:
    """Group quads with blank nodes so that quads sharing a blank node stay together."""
    parent: dict[Node, Node] = {}

    def root(node: Node) -> Node:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for (s, _, o), _ in quads:
        if isinstance(s, BNode) and isinstance(o, BNode):
            parent[root(s)] = root(o)
    groups: dict[Node, list[tuple[Triple, URIRef]]] = {}
    for quad in quads:
        (s, _, o), _ = quad
        groups.setdefault(root(s if isinstance(s, BNode) else o), []).append(quad)
    return list(groups.values())


def _quad_block(quads: Iterable[tuple[Triple, URIRef]]) -> str:
    """Write quads as GRAPH blocks; blank nodes get labels that are unique in the request."""
    labels: dict[Node, str] = {}
    by_graph: dict[URIRef, list[str]] = {}

    def term(t: Node) -> str:
        if isinstance(t, BNode):
            return labels.setdefault(t, f"_:b{len(labels)}")
        return term_to_tsv(t)

    for (s, p, o), graph in quads:
        by_graph.setdefault(graph, []).append(f"{term(s)} {term(p)} {term(o)} .")
    return "\n".join(f"GRAPH {_iri(g)} {{\n" + "\n".join(lines) + "\n}" for g, lines in by_graph.items())


class SparqlStore(Store):
    """A SPARQL 1.1 server reached over HTTP; opened read-only unless asked otherwise."""

    kind = "sparql"

    def __init__(self, config: Config, *, read_only: bool = True, registry: str = REGISTRY,
                 chunk_triples: int = 5000) -> None:
        if not config.sparql_endpoint:
            raise ConfigError("sparql_endpoint: the 'sparql' store needs the URL of a SPARQL endpoint")
        self.endpoint = config.sparql_endpoint
        self.read_only = read_only
        self.registry = registry
        self.chunk_triples = max(1, chunk_triples)
        self._http = SparqlHttp(
            config.sparql_endpoint, config.sparql_update_endpoint or config.sparql_endpoint,
            config.sparql_graph_store, user=config.sparql_user, password=config.sparql_password,
            timeout=config.query_timeout, write_timeout=max(600.0, config.query_timeout))
        if read_only and self._recorded() is None:
            raise StoreError(f"{self.endpoint}: no legiongraph data on this server (no registry "
                             f"graph <{registry}>); run 'legiongraph build' first")

    # -- reading ----------------------------------------------------------------------------------

    def _recorded(self) -> list[str] | None:
        """Return the managed graphs as the registry lists them, or None without a registry."""
        result = self._http.query(
            f"SELECT ?g WHERE {{ GRAPH {_iri(self.registry)} {{ {_iri(self.registry)} a <{_SD}Dataset> "
            f"OPTIONAL {{ {_iri(self.registry)} <{_SD}namedGraph> ?g }} }} }}",
            form="SELECT", default_graphs=[_EMPTY], named_graphs=[self.registry])
        if not result.rows:
            return None
        return sorted({str(g) for (g,) in result.rows if isinstance(g, URIRef)})

    def _managed(self) -> list[str]:
        # Read on every call: another process (a rebuild) may have changed the graphs meanwhile.
        return self._recorded() or []

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a query on the server over the managed graphs (or the chosen ones among them)."""
        shape = scan_query(sparql)
        managed = self._managed()
        if default_graphs is None and named_graphs is None and shape.has_dataset:
            default_graphs, named_graphs = self._from_clauses(sparql, base_iri)
        if default_graphs is None and named_graphs is None:
            default, named = managed, managed
        else:
            allowed = set(managed)
            default = [g for g in default_graphs or () if g in allowed]
            named = [g for g in named_graphs or () if g in allowed]
        if base_iri and _IRI.fullmatch(base_iri):
            # The Protocol has no base parameter; a leading BASE, on the same line so that line
            # numbers in errors stay right, resolves relative IRIs exactly as a base would.
            sparql = f"BASE <{base_iri}> {sparql}"
        return self._http.query(sparql, form=shape.form, default_graphs=default or [_EMPTY],
                                named_graphs=named or [_EMPTY])

    @staticmethod
    def _from_clauses(sparql: str, base_iri: str | None) -> tuple[list[str] | None, list[str] | None]:
        """Return the query's FROM / FROM NAMED graphs, to send them as Protocol parameters."""
        from rdflib.plugins.sparql import prepareQuery

        try:  # rdflib's parser is slow: only queries that name graphs pay for it
            clauses = prepareQuery(sparql, base=base_iri).algebra.get("datasetClause") or []
        except Exception:  # rdflib raises assorted types; let the server judge such a query
            return None, None
        return ([str(c.default) for c in clauses if c.get("default") is not None],
                [str(c.named) for c in clauses if c.get("named") is not None])

    def graphs(self) -> list[URIRef]:
        """Return the managed named graphs, sorted."""
        return [URIRef(g) for g in self._managed()]

    def count(self, graph: URIRef | None = None) -> int:
        """Count quads in one managed graph or in all of them."""
        managed = self._managed()
        return self._count(managed if graph is None else [g for g in managed if g == str(graph)])

    def _count(self, named: list[str]) -> int:
        if not named:
            return 0
        result = self._http.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                                  form="SELECT", default_graphs=[_EMPTY], named_graphs=named)
        return int(result.rows[0][0]) if result.rows else 0

    def to_dataset(self, graphs: Iterable[URIRef] | None = None) -> Dataset:
        """Copy the content (or some graphs) into an rdflib Dataset."""
        managed = self._managed()
        wanted = managed if graphs is None else sorted({str(g) for g in graphs} & set(managed))
        ds = Dataset(default_union=True)
        if not wanted:
            return ds
        result = self._http.query("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }",
                                  form="SELECT", default_graphs=[_EMPTY], named_graphs=wanted)
        for g, s, p, o in result.rows:
            ds.graph(g).add((s, p, o))
        expected = self._count(wanted)
        if len(result.rows) != expected:
            raise StoreError(f"{self.endpoint}: the server sent {len(result.rows)} of {expected} "
                             f"triples; it limits the rows of an answer (Virtuoso: ResultSetMaxRows)")
        return ds

    # -- writing ----------------------------------------------------------------------------------

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError(f"{self.endpoint}: the store is open read-only")

    def replace_all(self, dataset: Dataset) -> None:
        """Replace every managed graph by the dataset's named graphs."""
        self._writable()
        content: dict[str, list[Triple]] = {g: [] for g in self._managed()}
        for ctx in dataset.graphs():
            if ctx.identifier != DATASET_DEFAULT_GRAPH_ID:
                content[str(ctx.identifier)] = list(ctx)
        self._replace(content)

    def replace_graphs(self, graphs: Iterable[tuple[URIRef, Iterable[tuple]]]) -> None:
        """Replace some named graphs, leaving the others alone."""
        self._writable()
        self._replace({str(name): list(triples) for name, triples in graphs})

    def _replace(self, content: dict[str, list[Triple]]) -> None:
        for name in content:
            _iri(name)
        token = uuid.uuid4().hex
        staged = {name: f"{_STAGING}{token}:{i}" for i, (name, triples) in enumerate(content.items())
                  if triples}
        try:
            self._upload({staged[name]: content[name] for name in staged})
            before = set(self._managed())
            after = (before - set(content)) | set(staged)
            ops = [f"MOVE {_iri(staged[name])} TO {_iri(name)}" if name in staged
                   else f"DROP SILENT GRAPH {_iri(name)}" for name in content]
            # Add to the registry before removing from it, so that it never looks empty midway.
            reg = _iri(self.registry)
            added = "".join(f" ; <{_SD}namedGraph> {_iri(g)}" for g in sorted(after - before))
            ops.append(f"INSERT DATA {{ GRAPH {reg} {{ {reg} a <{_SD}Dataset>{added} }} }}")
            removed = "".join(f"{reg} <{_SD}namedGraph> {_iri(g)} . " for g in sorted(before - after))
            if removed:
                ops.append(f"DELETE DATA {{ GRAPH {reg} {{ {removed}}} }}")
            self._http.update(" ;\n".join(ops))
        except BaseException:
            for graph in staged.values():
                with contextlib.suppress(LegiongraphError):
                    self._http.update(f"DROP SILENT GRAPH {_iri(graph)}")
            raise

    def _upload(self, graphs: dict[str, list[Triple]]) -> None:
        """Load triples into (empty) graphs, in requests of at most ``chunk_triples`` triples."""
        quads = [(triple, URIRef(name)) for name, triples in graphs.items() for triple in triples]
        if self._http.graph_store_url:
            for name, triples in graphs.items():
                body = "".join(" ".join(term_to_tsv(t) for t in triple) + " .\n"
                               for triple in triples if not _has_bnode(triple))
                if body:
                    self._http.put_graph(name, body.encode("utf-8"))
            # A graph-by-graph upload cannot keep one blank node across two requests or graphs.
            groups = _components([q for q in quads if _has_bnode(q[0])])
        else:
            groups = [[q] for q in quads if not _has_bnode(q[0])]
            groups += _components([q for q in quads if _has_bnode(q[0])])
        # INSERT … WHERE {} rather than INSERT DATA: in a template a blank node label stands for
        # one new node across every graph of the request, and Virtuoso 7 refuses blank nodes and
        # xsd:duration literals in INSERT DATA. Triples sharing a blank node stay in one request;
        # otherwise a request fills one graph, as Virtuoso 7.2 fails (SR002) on blank nodes in
        # two GRAPH blocks of one template.
        batch: list[tuple[Triple, URIRef]] = []
        batch_graphs: set[URIRef] = set()
        for group in sorted(groups, key=lambda quads: sorted({g for _, g in quads})):
            graphs_of = {g for _, g in group}
            if batch and (graphs_of != batch_graphs or len(batch) + len(group) > self.chunk_triples):
                self._http.update(f"INSERT {{\n{_quad_block(batch)}\n}} WHERE {{}}")
                batch = []
            batch, batch_graphs = batch + group, graphs_of
        if batch:
            self._http.update(f"INSERT {{\n{_quad_block(batch)}\n}} WHERE {{}}")
