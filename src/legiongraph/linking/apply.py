"""Turn the reviewed rows into the links graph: accepted links as skos:exactMatch or
skos:closeMatch triples, and one lg:Link per reviewed or pending proposal saying how it was found,
its score, the decision and when it was applied.

An accepted Wikidata place also brings its coordinates: the item's own ``wdt:P625`` triple, copied
as the endpoint returned it with the candidate, and an ``rdf:Statement`` recording that copy (source
dataset and date). A map of our places then needs no SERVICE call: Oxigraph sends a SERVICE
pattern without the rows found so far, so asking Wikidata for the coordinates of a few places
would ask it for every coordinate it has.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from ..errors import LoadError, ValidationFailed
from ..iris import LG, PREFIXES, mint
from ..pipeline.privacy import is_public
from ..shacl.validation import validate
from ..stores.base import Store
from .review import Row
from .targets import GRAPH_LINKS, WIKIDATA, target_of

__all__ = ["P625", "WKT_LITERAL", "ApplyResult", "apply_review", "links_graph"]

WDT = Namespace("http://www.wikidata.org/prop/direct/")
P625 = WDT.P625
WKT_LITERAL = URIRef("http://www.opengis.net/ont/geosparql#wktLiteral")

_PREDICATES = {"exact": SKOS.exactMatch, "close": SKOS.closeMatch}
_KNOWN = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX lg: <https://w3id.org/legiongraph/ontology#>
SELECT DISTINCT ?e ?combatant WHERE {
  ?e rdfs:label ?l . BIND(EXISTS { ?e a lg:Combatant } AS ?combatant)
}"""


@dataclass(frozen=True)
class ApplyResult:
    """What an apply wrote: links per decision (and ``coordinates``: places whose Wikidata
    coordinates were copied), and the links graph itself."""

    counts: dict[str, int]
    graph: Graph


def _link_iri(row: Row) -> URIRef:
    digest = hashlib.sha256(f"{row.entity} {row.candidate_iri}".encode()).hexdigest()[:16]
    return mint("link", digest)


def links_graph(rows: Iterable[Row], today: dt.date) -> Graph:
    """Return the links graph for the rows that name a candidate."""
    g = Graph()
    for prefix in ("lg", "lgid", "skos", "dcterms", "rdf", "rdfs", "xsd", "wd"):
        g.bind(prefix, PREFIXES[prefix])
    g.bind("gn", "https://sws.geonames.org/")
    g.bind("wdt", str(WDT))
    g.bind("geo", "http://www.opengis.net/ont/geosparql#")
    for row in rows:
        if not row.candidate_iri:
            continue
        target = target_of(row.candidate_iri)
        entity, candidate = URIRef(row.entity), URIRef(row.candidate_iri)
        predicate = _PREDICATES.get(row.decision, SKOS.exactMatch)
        if row.decision in _PREDICATES:
            g.add((entity, predicate, candidate))
        link = _link_iri(row)
        decision = row.decision or "pending"
        g.add((link, RDF.type, LG.Link))
        g.add((link, RDFS.label, Literal(f"{row.label} = {row.candidate_label or row.candidate_iri} "
                                         f"({target.title}, {decision})", lang="en")))
        g.add((link, RDF.subject, entity))
        g.add((link, RDF.predicate, predicate))
        g.add((link, RDF.object, candidate))
        g.add((link, LG.linkTarget, target.dataset))
        g.add((link, LG.matchMethod, Literal(target.method)))
        g.add((link, LG.matchScore, Literal(Decimal(f"{row.score:.3f}"), datatype=XSD.decimal)))
        g.add((link, LG.reviewDecision, Literal(decision)))
        g.add((link, DCTERMS.date, Literal(today.isoformat(), datatype=XSD.date)))
        if row.decision in _PREDICATES and row.coordinates and target is WIKIDATA:
            _copy_coordinates(g, row, today)
    return g


def _copy_coordinates(g: Graph, row: Row, today: dt.date) -> None:
    item = URIRef(row.candidate_iri)
    if (item, P625, None) in g:
        return  # two of our entities accepted the same item: one copy
    point = Literal(row.coordinates, datatype=WKT_LITERAL)
    g.add((item, P625, point))
    record = mint("link", "p625/" + hashlib.sha256(str(item).encode()).hexdigest()[:16])
    qid = str(item).removeprefix(WIKIDATA.uri_space)
    g.add((record, RDF.type, RDF.Statement))
    g.add((record, RDFS.label, Literal(f"Coordinates of {row.candidate_label or qid} ({qid}), "
                                       "copied from Wikidata (P625)", lang="en")))
    g.add((record, RDF.subject, item))
    g.add((record, RDF.predicate, P625))
    g.add((record, RDF.object, point))
    g.add((record, DCTERMS.source, WIKIDATA.dataset))
    g.add((record, DCTERMS.date, Literal(today.isoformat(), datatype=XSD.date)))


def apply_review(store: Store, rows: list[Row], shapes: Graph, *, source: str,
                 today: dt.date | None = None) -> ApplyResult:
    """Validate the links graph against the shapes and replace it in the store in one transaction.

    Every row must name an entity of the store. Under the public profile no combatant is linked.
    """
    known = {str(e): bool(c) for e, c in store.query(_KNOWN).rows}
    public = is_public(store.graphs())
    for row in rows:
        if row.entity not in known:
            raise LoadError(f"{source}, line {row.line}, field entity: <{row.entity}> is not in the "
                            "store", path=source, line=row.line)
        if public and known[row.entity] and row.decision in _PREDICATES:
            raise LoadError(f"{source}, line {row.line}: <{row.entity}> is a protected combatant and "
                            "this store was built under the public profile: no link to them is "
                            "published", path=source, line=row.line)
    graph = links_graph(rows, today or dt.date.today())
    report = validate(graph, shapes)
    if not report.conforms:
        raise ValidationFailed(f"{source}: the links do not conform to the shapes; nothing was "
                               f"written\n{report.text()}", report)
    store.replace_graphs([(GRAPH_LINKS, graph)])
    counts = {"exact": 0, "close": 0, "reject": 0, "pending": 0}
    for row in rows:
        if row.candidate_iri:
            counts[row.decision or "pending"] += 1
    counts["coordinates"] = len(set(graph.subjects(P625, None)))
    return ApplyResult(counts, graph)
