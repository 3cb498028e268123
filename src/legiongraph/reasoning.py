"""OWL 2 RL reasoning with owlrl; the entailments go to their own graph, nothing else does."""

from __future__ import annotations

import owlrl
from rdflib import BNode, Dataset, Graph, Literal
from rdflib.namespace import OWL, RDF, RDFS, XSD

from .iris import GRAPH_INFERRED

__all__ = ["add_inferred", "asserted_union", "infer"]

_BUILTIN = (str(RDF), str(RDFS), str(OWL), str(XSD))


def asserted_union(dataset: Dataset) -> Graph:
    """Return one Graph with every triple of every named graph except the inferred one."""
    union = Graph()
    for ctx in dataset.graphs():
        if ctx.identifier != GRAPH_INFERRED:
            for triple in ctx:
                union.add(triple)
    return union


def _worth_keeping(s: object, p: object, o: object) -> bool:
    """Drop the trivial or schema-internal triples OWL RL adds, which no analyst asks for."""
    if isinstance(s, Literal | BNode) or isinstance(o, BNode):
        return False
    if str(s).startswith(_BUILTIN):
        return False
    if p in (OWL.sameAs, OWL.equivalentClass, OWL.equivalentProperty, RDFS.subClassOf,
             RDFS.subPropertyOf) and s == o:
        return False
    if p == RDF.type and o in (OWL.Thing, RDFS.Resource, OWL.NamedIndividual, RDFS.Class):
        return False
    return not (p == RDFS.subClassOf and o == OWL.Thing)


def infer(dataset: Dataset) -> Graph:
    """Compute the OWL 2 RL closure of the asserted graphs and return only what is new."""
    closure = asserted_union(dataset)
    before = set(closure)
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics,
        rdfs_closure=False,
        axiomatic_triples=False,
        datatype_axioms=False,
    ).expand(closure)
    inferred = Graph(identifier=GRAPH_INFERRED)
    for triple in closure:
        if triple not in before and _worth_keeping(*triple):
            inferred.add(triple)
    return inferred


def add_inferred(dataset: Dataset) -> int:
    """Replace the inferred graph of a dataset with fresh entailments; return their count."""
    inferred = infer(dataset)
    dataset.remove_graph(dataset.graph(GRAPH_INFERRED))
    target = dataset.graph(GRAPH_INFERRED)
    for triple in inferred:
        target.add(triple)
    return len(inferred)


