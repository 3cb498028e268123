"""The ontology as a document: its lg: classes and properties and the SKOS concept schemes.

:func:`ontology_graph` is what machines get at ``/ontology``: the whole ``lgg:ontology`` graph, that
is the ontology and the concept schemes as loaded. :func:`describe_ontology` feeds the HTML page.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from ..iris import BASE, LG
from ..stores.base import Store
from .describe import ResourceDescription, describe_resource
from .display import Term, fetch_labels, make_term, sparql_prefixes

__all__ = ["ONTOLOGY_IRI", "Concept", "ConceptScheme", "OntologyDescription", "OntologyTerm",
           "describe_ontology", "ontology_graph"]

ONTOLOGY_IRI = BASE + "ontology"
_FIELDS = {RDF.type: "kinds", RDFS.label: "label", RDFS.comment: "comment",
           RDFS.subClassOf: "supers", RDFS.subPropertyOf: "supers", RDFS.domain: "domain",
           RDFS.range: "range", OWL.inverseOf: "inverse"}
_CLASS_TYPES = (OWL.Class, RDFS.Class)


@dataclass
class OntologyTerm:
    """A class or property of the lg: namespace with its label, comment and axioms."""

    term: Term
    anchor: str
    comment: str | None
    kinds: list[Term]
    supers: list[Term]
    domain: list[Term]
    range: list[Term]
    inverse: list[Term]


@dataclass
class Concept:
    """A SKOS concept with its definition and notation."""

    term: Term
    definition: str | None
    notation: str | None


@dataclass
class ConceptScheme:
    """A SKOS concept scheme with its concepts."""

    term: Term
    definition: str | None
    concepts: list[Concept]


@dataclass
class OntologyDescription:
    """What the ontology page shows: the header, the classes, the properties, the schemes."""

    header: ResourceDescription
    classes: list[OntologyTerm]
    properties: list[OntologyTerm]
    schemes: list[ConceptScheme]


def ontology_graph(store: Store) -> Graph:
    """Return the ontology graph (ontology and concept schemes) for machines."""
    result = store.query(f"{sparql_prefixes()}CONSTRUCT {{ ?s ?p ?o }} "
                         "WHERE { GRAPH lgg:ontology { ?s ?p ?o } }")
    return result.graph if result.graph is not None else Graph()


def _terms(store: Store) -> dict[Node, dict[str, list[Node]]]:
    """Fetch the documented axioms of every lg: term, in one query."""
    preds = ", ".join(f"<{p}>" for p in _FIELDS)
    rows = store.query(f"{sparql_prefixes()}SELECT ?t ?p ?o WHERE {{ GRAPH lgg:ontology {{ ?t ?p ?o }} "
                       f'FILTER(STRSTARTS(STR(?t), "{LG}") && ?p IN ({preds})) }}').rows
    found: dict[Node, dict[str, list[Node]]] = defaultdict(lambda: defaultdict(list))
    for t, p, o in rows:
        found[t][_FIELDS[p]].append(o)
    return found


def _schemes(store: Store) -> dict[Node, dict[Node, dict[Node, str]]]:
    """Fetch every concept scheme and its concepts with their labels, in one query."""
    rows = store.query(
        f"{sparql_prefixes()}SELECT ?s ?c ?p ?o WHERE {{ GRAPH lgg:ontology {{ "
        "?s a skos:ConceptScheme . { ?s ?p ?o BIND(?s AS ?c) } UNION { ?c skos:inScheme ?s . ?c ?p ?o } "
        "FILTER(?p IN (skos:prefLabel, skos:definition, skos:notation)) } }").rows
    found: dict[Node, dict[Node, dict[Node, str]]] = defaultdict(lambda: defaultdict(dict))
    for s, c, p, o in rows:
        if getattr(o, "language", None) in (None, "", "en") or p not in found[s][c]:
            found[s][c][p] = str(o)
    return found


def _first(values: list[Node]) -> str | None:
    english = [v for v in values if getattr(v, "language", None) in (None, "", "en")]
    return str(sorted(english or values, key=str)[0]) if values else None


def _labelled(node: Node, props: dict[Node, str]) -> Term:
    return make_term(node, {node: props[SKOS.prefLabel]} if SKOS.prefLabel in props else {})


def describe_ontology(store: Store) -> OntologyDescription | None:
    """Return the ontology page's content, or None when the store holds no ontology."""
    header = describe_resource(store, ONTOLOGY_IRI)
    if header is None:
        return None
    terms, schemes = _terms(store), _schemes(store)
    refs = [o for fields in terms.values() for name, vs in fields.items() if name not in
            ("label", "comment") for o in vs]
    labels = fetch_labels(store, refs)
    for t, fields in terms.items():
        if fields.get("label"):
            labels[t] = _first(fields["label"]) or str(t)

    def listed(values: list[Node]) -> list[Term]:
        return [make_term(v, labels) for v in sorted(set(values), key=str)]

    classes, properties = [], []
    for t, fields in sorted(terms.items(), key=lambda kv: str(kv[0])):
        if not isinstance(t, URIRef) or not fields.get("kinds"):
            continue
        doc = OntologyTerm(make_term(t, labels), str(t)[len(str(LG)):], _first(fields.get("comment", [])),
                           *(listed(fields.get(name, [])) for name in ("kinds", "supers", "domain",
                                                                        "range", "inverse")))
        (classes if any(k in _CLASS_TYPES for k in fields["kinds"]) else properties).append(doc)
    docs = []
    for s, members in schemes.items():
        concepts = [Concept(_labelled(c, props), props.get(SKOS.definition), props.get(SKOS.notation))
                    for c, props in sorted(members.items(), key=lambda kv: str(kv[0])) if c != s]
        docs.append(ConceptScheme(_labelled(s, members.get(s, {})),
                                  members.get(s, {}).get(SKOS.definition), concepts))
    docs.sort(key=lambda d: d.term.label.lower())
    return OntologyDescription(header, classes, properties, docs)
