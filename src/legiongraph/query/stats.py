"""Counts an analyst checks first: triples per named graph and entities per class."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import URIRef

from ..config import Config
from ..linking.coverage import Coverage, link_coverage
from ..stores.base import Store

__all__ = ["Stats", "compute_stats", "store_location"]

_PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
_PER_CLASS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?class (SAMPLE(?l) AS ?label) (COUNT(DISTINCT ?s) AS ?n) WHERE {
  ?s a ?class .
  OPTIONAL { ?class rdfs:label ?l FILTER(LANG(?l) = "en" || LANG(?l) = "") }
} GROUP BY ?class ORDER BY DESC(?n) ?class
"""


def store_location(config: Config) -> str:
    """Return which store a command reads, e.g. "oxigraph store at /work/var/store"."""
    where = config.sparql_endpoint if config.store == "sparql" else config.store_path
    return f"{config.store} store at {where}"


@dataclass
class Stats:
    """Triples per graph and entities per class."""

    graphs: list[tuple[URIRef, int]]
    classes: list[tuple[URIRef, str | None, int]]
    links: list[Coverage] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Return the number of quads in all named graphs."""
        return sum(n for _, n in self.graphs)

    def text(self) -> str:
        """Return the counts as two aligned tables."""
        lines = ["Triples per named graph:"]
        lines += [f"  {n:>8}  {g}" for g, n in self.graphs]
        lines.append(f"  {self.total:>8}  (all graphs)")
        lines.append("Entities per class:")
        lines += [f"  {n:>8}  {label or ''} <{c}>" for c, label, n in self.classes]
        if self.links:
            lines.append("Link coverage per class (entities, Wikidata-linked, reviewed, pending, rejected):")
            lines += [f"  {c.entities:>4} {c.wikidata:>4} {c.reviewed:>4} {c.pending:>4} {c.rejected:>4}"
                      f"  <{c.cls}>" for c in self.links]
        return "\n".join(lines) + "\n"


def compute_stats(store: Store) -> Stats:
    """Count triples per named graph and entities per class."""
    graphs = [(g, int(n)) for g, n in store.query(_PER_GRAPH).rows]
    classes = [(c, str(label) if label is not None else None, int(n))
               for c, label, n in store.query(_PER_CLASS).rows]
    return Stats(graphs=graphs, classes=classes, links=link_coverage(store))
