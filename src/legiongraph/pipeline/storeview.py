"""Read parts of a store as it will be after a change, with a few batched SPARQL queries.

Incremental ingest never loads the store: it asks for the triples around the resources a change
touches. :class:`StoreView` runs those questions on any back end (:class:`~legiongraph.stores.Store`
answers SPARQL), skipping the named graphs that are about to be replaced and the entailments that
are about to be dropped, so that what it returns is the store as it will be, minus the new content
the caller holds itself.

Blank nodes cannot be named in a query, so the triples of a blank node are fetched in the same
answer as the link to it (two levels deep, which covers the intervals and instants the model
nests). The queries are shaped so that rdflib's engine (the memory store) answers them quickly
too: no ``GRAPH ?g`` around a pattern whose subject is not bound.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from ..iris import GRAPH_INFERRED
from ..stores.base import Store
from ..stores.results import term_to_tsv

__all__ = ["StoreView", "Triple"]

Triple = tuple[Node, Node, Node]
_BATCH = 400


def _chunks(items: Sequence, size: int = _BATCH) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _values(var: str, terms: Iterable[Node]) -> str:
    return f"VALUES ?{var} {{ {' '.join(term_to_tsv(t) for t in terms)} }}"


def _iris(nodes: Iterable[Node]) -> list[URIRef]:
    return sorted({n for n in nodes if isinstance(n, URIRef)})


class StoreView:
    """The store minus some named graphs and minus some inferred triples, read by pattern."""

    def __init__(self, store: Store, skip: Iterable[URIRef] = (), *, asserted_only: bool = False):
        self.store = store
        self.skip = frozenset(skip)
        self.asserted_only = asserted_only
        #: inferred triples to treat as gone
        self.dropped: set[Triple] = set()
        #: how many queries were sent and how many rows came back, for reports and benchmarks
        self.queries = 0
        self.rows = 0

    def _filter(self) -> str:
        excluded = set(self.skip) | ({GRAPH_INFERRED} if self.asserted_only else set())
        if not excluded:
            return ""
        return f"FILTER(?g NOT IN ({', '.join(term_to_tsv(g) for g in sorted(excluded))}))"

    def _rows(self, sparql: str, **options: object) -> list[tuple]:
        self.queries += 1
        rows = self.store.query(sparql, **options).rows  # type: ignore[arg-type]
        self.rows += len(rows)
        return rows

    def _keep(self, rows: Iterable[tuple]) -> set[Triple]:
        kept: set[Triple] = set()
        for s, p, o, g in rows:
            if g == GRAPH_INFERRED and (s, p, o) in self.dropped:
                continue
            kept.add((s, p, o))
        return kept

    def out(self, nodes: Iterable[Node], predicates: Iterable[URIRef] | None = None) -> set[Triple]:
        """Return the triples going out of the resources, and those of blank nodes they point to."""
        preds = sorted(set(predicates)) if predicates is not None else None
        if preds == []:
            return set()
        # A resource has few triples going out: a FILTER is cheaper than a second VALUES table.
        pfilter = f"FILTER(?p IN ({', '.join(term_to_tsv(p) for p in preds)}))" if preds else ""
        found: set[Triple] = set()
        for chunk in _chunks(_iris(nodes)):
            rows = self._rows(f"""SELECT ?s ?p ?o ?g WHERE {{
  {_values("s", chunk)} GRAPH ?g {{ ?s ?p ?o }} {pfilter} {self._filter()}
}}""")
            found |= self._keep(rows)
        links = sorted({(s, p) for s, p, o in found if isinstance(o, BNode)}, key=str)
        if links:
            found = {t for t in found if not isinstance(t[2], BNode)} | self._blank(links)
        return found

    def _blank(self, links: Sequence[tuple[Node, Node]]) -> set[Triple]:
        """Return the links to blank nodes and the blank nodes' triples, two levels deep.

        Everything comes from one answer per batch: a blank node's label holds within an answer
        only (a remote server may label it differently each time).
        """
        found: set[Triple] = set()
        for chunk in _chunks(links):
            pairs = " ".join(f"({term_to_tsv(s)} {term_to_tsv(p)})" for s, p in chunk)
            rows = self._rows(f"""SELECT ?s ?q ?x ?p ?o ?p2 ?o2 WHERE {{
  VALUES (?s ?q) {{ {pairs} }} ?s ?q ?x . FILTER(isBlank(?x)) ?x ?p ?o .
  OPTIONAL {{ ?o ?p2 ?o2 . FILTER(isBlank(?o)) }}
}}""")
            for s, q, x, p, o, p2, o2 in rows:
                found |= {(s, q, x), (x, p, o)}
                if p2 is not None:
                    found.add((o, p2, o2))
        return found

    def into(self, nodes: Iterable[Node], predicates: Iterable[URIRef] | None) -> set[Triple]:
        """Return the triples with these predicates (None: any) coming into the resources."""
        preds = sorted(set(predicates)) if predicates is not None else None
        if preds == []:
            return set()
        found: set[Triple] = set()
        targets = _iris(nodes)
        if preds is None:
            for chunk in _chunks(targets):
                rows = self._rows(f"""SELECT ?s ?p ?o ?g WHERE {{
  {_values("o", chunk)} GRAPH ?g {{ ?s ?p ?o }} {self._filter()}
}}""")
                found |= self._keep(rows)
            return found
        # (object, predicate) pairs: an index lookup each, however many triples the object has.
        pairs = [(o, p) for o in targets for p in preds]
        for chunk in _chunks(pairs):
            values = " ".join(f"({term_to_tsv(o)} {term_to_tsv(p)})" for o, p in chunk)
            rows = self._rows(f"""SELECT ?s ?p ?o ?g WHERE {{
  VALUES (?o ?p) {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} {self._filter()}
}}""")
            found |= self._keep(rows)
        return found

    def sample_into(self, nodes: Iterable[Node]) -> set[Triple]:
        """Return, for each resource, one triple coming into it per predicate."""
        found: set[Triple] = set()
        for chunk in _chunks(_iris(nodes)):
            rows = self._rows(f"""SELECT ?o ?p (SAMPLE(?s) AS ?x) WHERE {{
  {_values("o", chunk)}
  GRAPH ?g {{ ?s ?p ?o }} {self._filter()}
}} GROUP BY ?o ?p""")
            found |= {(x, p, o) for o, p, x in rows}
        return found

    def chains(self, nodes: Iterable[Node], steps: Iterable[URIRef],
               predicates: Iterable[URIRef]) -> set[Triple]:
        """Return the triples, with these predicates, of every resource reached by steps+."""
        return self.out(self._reach(nodes, steps, upwards=True), predicates)

    def referrers(self, nodes: Iterable[Node], steps: Iterable[URIRef]) -> set[Node]:
        """Return the resources from which steps+ reach one of the resources."""
        return self._reach(nodes, steps, upwards=False)

    def _reach(self, nodes: Iterable[Node], steps: Iterable[URIRef], *, upwards: bool) -> set[Node]:
        # The path runs over the whole store, replaced graphs included: a resource reached only
        # through their old triples is one more to look at, and its triples are read through
        # out(), which skips them.
        ordered = sorted(set(steps))
        if not ordered:
            return set()
        path = "|".join(term_to_tsv(s) for s in ordered)
        pattern = f"?s ({path})+ ?x" if upwards else f"?x ({path})+ ?s"
        found: set[Node] = set()
        for chunk in _chunks(_iris(nodes)):
            rows = self._rows(f"SELECT DISTINCT ?x WHERE {{ {_values('s', chunk)} {pattern} }}")
            found |= {row[0] for row in rows}
        return found

    def where(self, triples: Iterable[Triple]) -> dict[Triple, set[URIRef]]:
        """Return, for each triple the store holds (in any graph), the graphs holding it."""
        wanted = sorted({t for t in triples if not any(_blank(x) for x in t)}, key=str)
        found: dict[Triple, set[URIRef]] = {}
        for chunk in _chunks(wanted):
            rows_text = " ".join("(" + " ".join(term_to_tsv(x) for x in t) + ")" for t in chunk)
            rows = self._rows(f"""SELECT ?s ?p ?o ?g WHERE {{
  VALUES (?s ?p ?o) {{ {rows_text} }} GRAPH ?g {{ ?s ?p ?o }}
}}""")
            for s, p, o, g in rows:
                found.setdefault((s, p, o), set()).add(g)
        return found

    def present(self, triples: Iterable[Triple]) -> set[Triple]:
        """Return the triples the view holds."""
        held: set[Triple] = set()
        for triple, graphs in self.where(triples).items():
            kept = graphs - self.skip
            if self.asserted_only or triple in self.dropped:
                kept.discard(GRAPH_INFERRED)
            if kept:
                held.add(triple)
        return held

    def graph(self, name: URIRef) -> Graph:
        """Return one named graph of the store, whole."""
        self.queries += 1
        result = self.store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {term_to_tsv(name)} "
                                  "{ ?s ?p ?o } }")
        graph = result.graph if result.graph is not None else Graph()
        self.rows += len(graph)
        return graph


def _blank(term: Node) -> bool:
    return isinstance(term, BNode)
