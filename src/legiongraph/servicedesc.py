"""The SPARQL 1.1 Service Description of the endpoint, with VoID statistics per graph."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, VOID, XSD

from .formats import GRAPH_FORMATS, RESULT_FORMATS
from .stores.base import Store

__all__ = ["GraphStats", "graph_statistics", "service_description"]

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS_NS = Namespace("http://www.w3.org/ns/formats/")
ENTAILMENT = Namespace("http://www.w3.org/ns/entailment/")

# W3C format IRIs (https://www.w3.org/ns/formats/) for the formats we serve.
_FORMAT_IRIS = {
    "json": "SPARQL_Results_JSON",
    "xml": "SPARQL_Results_XML",
    "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV",
    "turtle": "Turtle",
    "nt": "N-Triples",
    "jsonld": "JSON-LD",
    "rdfxml": "RDF_XML",
    "trig": "TriG",
    "nquads": "N-Quads",
}

_STATS = """
SELECT ?g (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
       (COUNT(DISTINCT ?p) AS ?properties) (COUNT(DISTINCT ?o) AS ?objects)
WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g
"""
_CLASSES = """
SELECT ?g (COUNT(DISTINCT ?c) AS ?classes) (COUNT(DISTINCT ?e) AS ?entities)
WHERE { GRAPH ?g { ?e a ?c } } GROUP BY ?g ORDER BY ?g
"""
_UNION = """
SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?p) AS ?properties)
       (COUNT(DISTINCT ?o) AS ?objects)
WHERE { ?s ?p ?o }
"""
_UNION_CLASSES = "SELECT (COUNT(DISTINCT ?c) AS ?classes) (COUNT(DISTINCT ?e) AS ?entities) WHERE { ?e a ?c }"


@dataclass(frozen=True)
class GraphStats:
    """VoID statistics of one graph (or of the union when ``name`` is None)."""

    name: URIRef | None
    triples: int
    entities: int
    classes: int
    properties: int
    distinct_subjects: int
    distinct_objects: int


def graph_statistics(store: Store) -> list[GraphStats]:
    """Compute VoID statistics for the union default graph (first) and every named graph."""
    classes = {row[0]: (int(row[1]), int(row[2])) for row in store.query(_CLASSES).rows}
    union = store.query(_UNION).rows[0]
    union_classes = store.query(_UNION_CLASSES).rows[0]
    stats = [GraphStats(None, int(union[0]), int(union_classes[1]), int(union_classes[0]),
                        int(union[2]), int(union[1]), int(union[3]))]
    for g, triples, subjects, properties, objects in store.query(_STATS).rows:
        n_classes, entities = classes.get(g, (0, 0))
        stats.append(GraphStats(g, int(triples), entities, n_classes, int(properties),
                                int(subjects), int(objects)))
    return stats


def _void(graph: Graph, node: BNode | URIRef, stats: GraphStats) -> None:
    graph.add((node, RDF.type, SD.Graph))
    graph.add((node, RDF.type, VOID.Dataset))
    for prop, value in ((VOID.triples, stats.triples), (VOID.entities, stats.entities),
                        (VOID.classes, stats.classes), (VOID.properties, stats.properties),
                        (VOID.distinctSubjects, stats.distinct_subjects),
                        (VOID.distinctObjects, stats.distinct_objects)):
        graph.add((node, prop, Literal(value, datatype=XSD.integer)))


def service_description(endpoint: str, stats: list[GraphStats], title: str = "legiongraph") -> Graph:
    """Describe the endpoint: languages, formats, features and the default dataset."""
    g = Graph()
    g.bind("sd", SD)
    g.bind("void", VOID)
    g.bind("dcterms", DCTERMS)
    service = BNode("service")
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, URIRef(endpoint)))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    g.add((service, SD.defaultEntailmentRegime, ENTAILMENT.Simple))
    for fmt in (*RESULT_FORMATS, *GRAPH_FORMATS):
        g.add((service, SD.resultFormat, FORMATS_NS[_FORMAT_IRIS[fmt.name]]))
    dataset = BNode("dataset")
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, DCTERMS.title, Literal(title, lang="en")))
    g.add((dataset, RDFS.comment, Literal(
        "The default graph is the union of all named graphs, including the graph of OWL 2 RL "
        "entailments, which are materialised at build time.", lang="en")))
    default = BNode("default-graph")
    g.add((dataset, SD.defaultGraph, default))
    _void(g, default, stats[0])
    for index, item in enumerate(stats[1:]):
        named = BNode(f"named-graph-{index}")
        inner = BNode(f"graph-{index}")
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, item.name))
        g.add((named, SD.graph, inner))
        _void(g, inner, item)
    return g
