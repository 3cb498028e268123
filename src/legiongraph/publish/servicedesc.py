"""The SPARQL 1.1 Service Description of the endpoint, with VoID statistics per graph."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urljoin

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SH, SKOS, VOID, XSD

from ..formats import GRAPH_FORMATS, RESULT_FORMATS
from ..iris import BASE, LG, LGV, ORG, PREFIXES, QB, SCHEMA, SDMX_DIM, SDMX_MEASURE, SEM
from ..linking.targets import GRAPH_LINKS, TARGETS
from ..stores.base import Store

__all__ = ["DATASET_IRI", "LICENSE_IRI", "VOCABULARIES", "GraphStats", "graph_statistics",
           "service_description"]

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

DATASET_IRI = BASE + "dataset"
LICENSE_IRI = "https://creativecommons.org/licenses/by/4.0/"
# The vocabularies whose terms the data uses (void:vocabulary names namespaces).
VOCABULARIES = tuple(str(ns) for ns in (
    LG, LGV, SCHEMA, ORG, SEM, QB, SDMX_DIM, SDMX_MEASURE, "http://www.w3.org/ns/prov#",
    "http://www.w3.org/2004/02/skos/core#", "http://purl.org/dc/terms/",
    "http://www.w3.org/2006/time#"))

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
# Links in the links graph, per link predicate and target dataset (by IRI prefix).
_SPACES = " ".join(f'"{t.uri_space}"' for t in TARGETS)
_LINKSETS = f"""
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?p ?space (COUNT(*) AS ?n) WHERE {{
  GRAPH <{GRAPH_LINKS}> {{ ?s ?p ?o FILTER(?p IN (skos:exactMatch, skos:closeMatch)) }}
  VALUES ?space {{ {_SPACES} }}
  FILTER(STRSTARTS(STR(?o), ?space))
}} GROUP BY ?p ?space ORDER BY ?p ?space
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
    #: VoID linksets of the links graph: (link predicate, target's IRI prefix, number of links)
    linksets: tuple[tuple[URIRef, str, int], ...] = ()


def graph_statistics(store: Store) -> list[GraphStats]:
    """Compute VoID statistics for the union default graph (first) and every named graph."""
    classes = {row[0]: (int(row[1]), int(row[2])) for row in store.query(_CLASSES).rows}
    union = store.query(_UNION).rows[0]
    union_classes = store.query(_UNION_CLASSES).rows[0]
    stats = [GraphStats(None, int(union[0]), int(union_classes[1]), int(union_classes[0]),
                        int(union[2]), int(union[1]), int(union[3]))]
    for g, triples, subjects, properties, objects in store.query(_STATS).rows:
        n_classes, entities = classes.get(g, (0, 0))
        linksets = tuple((p, str(space), int(n)) for p, space, n in store.query(_LINKSETS).rows
                         ) if g == GRAPH_LINKS else ()
        stats.append(GraphStats(g, int(triples), entities, n_classes, int(properties),
                                int(subjects), int(objects), linksets))
    return stats


def _void(graph: Graph, node: BNode | URIRef, stats: GraphStats) -> None:
    graph.add((node, RDF.type, SD.Graph))
    graph.add((node, RDF.type, VOID.Dataset))
    for prop, value in ((VOID.triples, stats.triples), (VOID.entities, stats.entities),
                        (VOID.classes, stats.classes), (VOID.properties, stats.properties),
                        (VOID.distinctSubjects, stats.distinct_subjects),
                        (VOID.distinctObjects, stats.distinct_objects)):
        graph.add((node, prop, Literal(value, datatype=XSD.integer)))


def service_description(endpoint: str, stats: list[GraphStats], title: str = "legiongraph",
                        dumps: Sequence[str] | None = None) -> Graph:
    """Describe the endpoint: languages, formats, features, the default dataset and its dumps.

    ``dumps`` are the URLs of whole-dataset downloads (``void:dataDump``); by default the exports
    the server offers under ``download/`` beside the endpoint.
    """
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
    # SD has no term for a Graph Store: name it as a second service that conforms to the protocol.
    graph_store = BNode("graph-store")
    g.add((graph_store, RDF.type, SD.Service))
    g.add((graph_store, SD.endpoint, URIRef(urljoin(endpoint, "store"))))
    g.add((graph_store, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-http-rdf-update/")))
    g.add((graph_store, RDFS.comment, Literal(
        "The SPARQL 1.1 Graph Store HTTP Protocol, read-only: GET ?graph=IRI or ?default.", lang="en")))
    for fmt in (*RESULT_FORMATS, *GRAPH_FORMATS):
        g.add((service, SD.resultFormat, FORMATS_NS[_FORMAT_IRIS[fmt.name]]))
    # The prefixes every query may use undeclared (SD has no term: SHACL's prefix declarations).
    for name, namespace in sorted(PREFIXES.items()):
        declaration = BNode(f"prefix-{name}")
        g.add((service, SH.declare, declaration))
        g.add((declaration, SH.prefix, Literal(name)))
        g.add((declaration, SH.namespace, Literal(str(namespace), datatype=XSD.anyURI)))
    # The default dataset is the dataset the archive and /dataset describe: one IRI, so that
    # VoID and DCAT consumers can join the Service Description with the other descriptions.
    dataset = URIRef(DATASET_IRI)
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, VOID.sparqlEndpoint, URIRef(endpoint)))
    g.add((dataset, DCTERMS.license, URIRef(LICENSE_IRI)))
    g.add((dataset, VOID.uriSpace, Literal(BASE)))
    for vocabulary in VOCABULARIES:
        g.add((dataset, VOID.vocabulary, URIRef(vocabulary)))
    g.add((dataset, DCTERMS.title, Literal(title, lang="en")))
    g.add((dataset, RDFS.comment, Literal(
        "The default graph is the union of all named graphs, including the graph of OWL 2 RL "
        "entailments, which are materialised at build time.", lang="en")))
    if dumps is None:
        from .export import DOWNLOAD_FILES

        dumps = [urljoin(endpoint, "download/" + name) for name in DOWNLOAD_FILES]
    for dump in dumps:
        g.add((dataset, VOID.dataDump, URIRef(dump)))
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
        for number, (predicate, space, links) in enumerate(item.linksets):
            _linkset(g, inner, dataset, predicate, space, links, f"{index}-{number}")
    return g


def _linkset(g: Graph, graph: BNode, dataset: BNode | URIRef, predicate: URIRef, space: str,
             links: int, key: str) -> None:
    """Describe the links of one predicate to one dataset as a VoID Linkset within the graph."""
    target = next(t for t in TARGETS if t.uri_space == space)
    linkset = BNode(f"linkset-{key}")
    g.add((graph, VOID.subset, linkset))
    g.add((linkset, RDF.type, VOID.Linkset))
    g.add((linkset, VOID.subjectsTarget, dataset))
    g.add((linkset, VOID.objectsTarget, target.dataset))
    g.add((linkset, VOID.target, dataset))
    g.add((linkset, VOID.target, target.dataset))
    g.add((linkset, VOID.linkPredicate, predicate))
    g.add((linkset, VOID.triples, Literal(links, datatype=XSD.integer)))
    g.add((target.dataset, RDF.type, VOID.Dataset))
    g.add((target.dataset, DCTERMS.title, Literal(target.title, lang="en")))
    g.add((target.dataset, VOID.uriSpace, Literal(target.uri_space)))
    g.bind("skos", SKOS)
