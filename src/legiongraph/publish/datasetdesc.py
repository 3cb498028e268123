"""The dataset IRI's description (``/dataset``, ``/.well-known/void``) and a named graph's VoID.

The dataset ``https://w3id.org/legiongraph/dataset`` is described in VoID: title, licence, its
SPARQL endpoint, URI space, vocabularies, dumps and statistics, one ``void:subset`` per named graph.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, VOID, XSD

from ..iris import BASE, PREFIXES
from .archivedesc import DATASET, DESCRIPTION, LICENSE, TITLE
from .servicedesc import GraphStats

__all__ = ["dataset_graph", "graph_void"]

SD = "http://www.w3.org/ns/sparql-service-description#"
#: the vocabularies the data uses, besides the project's own ontology
VOCABULARIES = ("schema", "org", "sem", "prov", "qb", "skos", "dcterms", "time")


def _counts(g: Graph, node: URIRef, stats: GraphStats) -> None:
    for prop, value in ((VOID.triples, stats.triples), (VOID.entities, stats.entities),
                        (VOID.classes, stats.classes), (VOID.properties, stats.properties),
                        (VOID.distinctSubjects, stats.distinct_subjects),
                        (VOID.distinctObjects, stats.distinct_objects)):
        g.add((node, prop, Literal(value, datatype=XSD.integer)))


def graph_void(name: URIRef, stats: GraphStats | None, endpoint: str) -> Graph:
    """Describe one named graph as a VoID dataset queried at ``endpoint``."""
    g = Graph()
    g.add((name, RDF.type, VOID.Dataset))
    g.add((name, RDF.type, URIRef(SD + "Graph")))
    g.add((name, VOID.sparqlEndpoint, URIRef(endpoint)))
    if stats is not None:
        _counts(g, name, stats)
    return g


def dataset_graph(endpoint: str, stats: list[GraphStats], dumps: Sequence[str],
                  graph_store: str) -> Graph:
    """Describe the dataset: what it is, where to query and download it, and its graphs."""
    g = Graph()
    g.bind("void", VOID)
    g.bind("dcterms", DCTERMS)
    ds = URIRef(DATASET)
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, DCTERMS.title, Literal(TITLE, lang="en")))
    g.add((ds, DCTERMS.description, Literal(DESCRIPTION, lang="en")))
    g.add((ds, DCTERMS.license, URIRef(LICENSE)))
    g.add((ds, VOID.sparqlEndpoint, URIRef(endpoint)))
    g.add((ds, VOID.uriSpace, Literal(BASE)))
    g.add((ds, VOID.vocabulary, URIRef(BASE + "ontology#")))
    for prefix in VOCABULARIES:
        g.add((ds, VOID.vocabulary, URIRef(PREFIXES[prefix])))
    for dump in dumps:
        g.add((ds, VOID.dataDump, URIRef(dump)))
    _counts(g, ds, stats[0])
    for item in stats[1:]:
        if item.name is None:
            continue
        g.add((ds, VOID.subset, item.name))
        g += graph_void(item.name, item, endpoint)
        g.add((item.name, VOID.dataDump, URIRef(f"{graph_store}?graph={quote(str(item.name), safe='')}")))
    return g
