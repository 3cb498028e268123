"""Link coverage per class: how many entities are linked to Wikidata, reviewed, pending, rejected."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef

from ..stores.base import Store
from .entities import KINDS

__all__ = ["Coverage", "link_coverage"]

_QUERY = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX lg: <https://w3id.org/legiongraph/ontology#>
SELECT ?class (COUNT(DISTINCT ?e) AS ?entities) (COUNT(DISTINCT ?linked) AS ?wikidata)
       (COUNT(DISTINCT ?reviewed) AS ?reviewedN) (COUNT(DISTINCT ?pending) AS ?pendingN)
       (COUNT(DISTINCT ?rejected) AS ?rejectedN)
WHERE {
  VALUES ?class { %s }
  GRAPH ?g { ?e a ?class } FILTER(?g != <https://w3id.org/legiongraph/graph/inferred>)
  OPTIONAL { ?e skos:exactMatch|skos:closeMatch ?w
             FILTER(STRSTARTS(STR(?w), "http://www.wikidata.org/entity/")) BIND(?e AS ?linked) }
  OPTIONAL { ?l a lg:Link ; rdf:subject ?e ; lg:reviewDecision ?d
             FILTER(?d != "pending") BIND(?e AS ?reviewed) }
  OPTIONAL { ?p a lg:Link ; rdf:subject ?e ; lg:reviewDecision "pending" BIND(?e AS ?pending) }
  OPTIONAL { ?r a lg:Link ; rdf:subject ?e ; lg:reviewDecision "reject" .
             FILTER NOT EXISTS { ?a a lg:Link ; rdf:subject ?e ; lg:reviewDecision ?ad
                                 FILTER(?ad IN ("exact", "close")) }
             BIND(?e AS ?rejected) }
} GROUP BY ?class ORDER BY ?class
"""


@dataclass(frozen=True)
class Coverage:
    """Link counts for one class.

    ``pending`` entities have a proposal awaiting review; ``rejected`` ones had every reviewed
    candidate rejected.
    """

    cls: URIRef
    entities: int
    wikidata: int
    reviewed: int
    pending: int
    rejected: int


def link_coverage(store: Store) -> list[Coverage]:
    """Count, per linkable class, entities with a Wikidata link and the state of their review."""
    classes = " ".join(f"<{c}>" for k in KINDS.values() for c in k.classes)
    return [Coverage(row[0], *(int(n) for n in row[1:])) for row in store.query(_QUERY % classes).rows]
