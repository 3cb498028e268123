"""Which stored triples OWL 2 RL rules can combine with new ones: the joins of the ontology.

Most OWL 2 RL rules have one instance-level premise (sub-class, sub-property, domain, range,
inverse), so what they entail from a triple mentions only that triple's resources. A few rules
join two instance triples on a shared resource: a property chain (``org:memberOf`` from a
membership's ``org:member`` and ``org:organization``), a transitive property, a functional or
inverse-functional property, an ``owl:someValuesFrom`` restriction. Adding a triple can only
entail something about resources further away through those joins. :class:`RuleIndex` reads the
ontology once and says, for a resource at a join, which predicates to fetch going out of it and
coming into it, so that incremental reasoning fetches a handful of triples instead of the graph.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from ..errors import LoadError
from .tbox import closure

__all__ = ["RuleIndex", "axioms"]

# Predicates of the RDF, RDFS and OWL namespaces that carry no OWL RL semantics, and classes whose
# rdf:type triples only declare a term (the same cut as tests/test_shapes.py).
_NOT_AXIOMS = {RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy, OWL.versionInfo,
               OWL.versionIRI, OWL.imports}
_DECLARATIONS = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
                 OWL.Ontology, OWL.NamedIndividual, RDF.Property, RDFS.Class}
SCHEMA_NAMESPACES = (str(RDF), str(RDFS), str(OWL))
# Axioms from which OWL RL derives owl:sameAs, whose rules join on every position of every triple.
_SAME_AS = (OWL.FunctionalProperty, OWL.InverseFunctionalProperty)
_SAME_AS_PREDICATES = (OWL.maxCardinality, OWL.maxQualifiedCardinality, OWL.hasKey, OWL.sameAs)


def axioms(ontology: Graph) -> Graph:
    """Return the triples of the ontology that OWL RL rules can use as premises."""
    found = Graph()
    for s, p, o in ontology:
        if not str(p).startswith(SCHEMA_NAMESPACES) or p in _NOT_AXIOMS:
            continue
        if p == RDF.type and (o in _DECLARATIONS or not str(o).startswith(SCHEMA_NAMESPACES)):
            continue
        found.add((s, p, o))
    return found


@dataclass(frozen=True)
class RuleIndex:
    """The ontology's axioms and the predicates on which its rules join instance triples."""

    axioms: Graph
    #: at a join resource, fetch the stored triples going out of it with these predicates
    join_out: frozenset[URIRef]
    #: at a join resource, fetch the stored triples coming into it with these predicates
    join_in: frozenset[URIRef]
    #: to re-derive a property chain's conclusion from its first resource, follow these fully
    chain_out: frozenset[URIRef]
    chain_in: frozenset[URIRef]
    #: True when the ontology can entail owl:sameAs: every triple is then a join
    joins_everything: bool

    @classmethod
    def from_ontology(cls, ontology: Graph) -> RuleIndex:
        """Index the ontology (asserted; the index closes sub-properties and inverses itself)."""
        ax = axioms(ontology)
        out: set[URIRef] = set()
        inn: set[URIRef] = set()
        chain_out: set[URIRef] = set()
        chain_in: set[URIRef] = set()
        chains: dict[URIRef, list[tuple[URIRef, bool]]] = {}
        for prop, head in ax.subject_objects(OWL.propertyChainAxiom):
            steps = [_step(ax, e) for e in Collection(ax, head)]
            if isinstance(prop, URIRef):
                chains[prop] = steps
            for (p1, inverse1), (p2, inverse2) in itertools.pairwise(steps):
                # The shared resource is the object of a forward step and the subject of the next.
                (out if inverse1 else inn).add(p1)
                (inn if inverse2 else out).add(p2)
            if steps:
                first, inverse = steps[0]
                (chain_in if inverse else chain_out).add(first)
        for prop in _uris(ax.subjects(RDF.type, OWL.TransitiveProperty)):
            out.add(prop)
            inn.add(prop)
        for restriction in ax.subjects(OWL.someValuesFrom, None):
            prop = ax.value(restriction, OWL.onProperty)
            if isinstance(prop, URIRef):
                inn.add(prop)
                out.add(RDF.type)
        for restriction in ax.subjects(OWL.allValuesFrom, None):
            prop = ax.value(restriction, OWL.onProperty)
            if isinstance(prop, URIRef):
                out.update((prop, RDF.type))
        if any(True for _ in ax.subjects(OWL.intersectionOf, None)):
            out.add(RDF.type)
        everything = (any(True for c in _SAME_AS for _ in ax.subjects(RDF.type, c))
                      or any(True for p in _SAME_AS_PREDICATES for _ in ax.triples((None, p, None))))
        subs, inverses, symmetric = _property_relations(ax)
        out, inn = _close(out, inn, subs, inverses, symmetric, chains)
        chain_out, chain_in = _close(chain_out, chain_in, subs, inverses, symmetric, chains)
        return cls(ax, frozenset(out), frozenset(inn), frozenset(chain_out), frozenset(chain_in),
                   everything)


def _uris(nodes: Iterable[Node]) -> list[URIRef]:
    return [n for n in nodes if isinstance(n, URIRef)]


def _step(ax: Graph, element: Node) -> tuple[URIRef, bool]:
    """Return a chain step's property and whether the step is its inverse."""
    if isinstance(element, URIRef):
        return element, False
    inner = ax.value(element, OWL.inverseOf)
    if isinstance(inner, URIRef):
        return inner, True
    raise LoadError(f"ontology: a property chain step is neither a property nor the inverse of one "
                    f"({element!r}); OWL 2 RL allows no other")


def _property_relations(ax: Graph) -> tuple[dict[URIRef, set[URIRef]], dict[URIRef, set[URIRef]],
                                            set[URIRef]]:
    """Return each property's sub-properties (transitively), its inverses, and the symmetric ones."""
    direct: dict[URIRef, set[URIRef]] = {}
    for sub, sup in ax.subject_objects(RDFS.subPropertyOf):
        if isinstance(sub, URIRef) and isinstance(sup, URIRef):
            direct.setdefault(sup, set()).add(sub)
    for a, b in ax.subject_objects(OWL.equivalentProperty):
        if isinstance(a, URIRef) and isinstance(b, URIRef):
            direct.setdefault(a, set()).add(b)
            direct.setdefault(b, set()).add(a)
    subs = closure(direct)
    inverses: dict[URIRef, set[URIRef]] = {}
    for a, b in ax.subject_objects(OWL.inverseOf):
        if isinstance(a, URIRef) and isinstance(b, URIRef):
            inverses.setdefault(a, set()).add(b)
            inverses.setdefault(b, set()).add(a)
    return subs, inverses, set(_uris(ax.subjects(RDF.type, OWL.SymmetricProperty)))


def _close(out: set[URIRef], inn: set[URIRef], subs: dict[URIRef, set[URIRef]],
           inverses: dict[URIRef, set[URIRef]], symmetric: set[URIRef],
           chains: dict[URIRef, list[tuple[URIRef, bool]]]) -> tuple[set[URIRef], set[URIRef]]:
    """Add every predicate whose triples entail a join triple: sub-properties, inverses, chains."""
    out, inn = set(out), set(inn)
    while True:
        before = (len(out), len(inn))
        for head, steps in chains.items():
            # A chain's conclusion starts at its first resource and ends at its last one.
            if head in out and steps:
                (inn if steps[0][1] else out).add(steps[0][0])
            if head in inn and steps:
                (out if steps[-1][1] else inn).add(steps[-1][0])
        for prop in list(out):
            out |= subs.get(prop, set())
            inn |= inverses.get(prop, set())
            if prop in symmetric:
                inn.add(prop)
        for prop in list(inn):
            inn |= subs.get(prop, set())
            out |= inverses.get(prop, set())
            if prop in symmetric:
                out.add(prop)
        if (len(out), len(inn)) == before:
            return out, inn
