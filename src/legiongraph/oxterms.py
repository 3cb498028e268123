"""Conversion between pyoxigraph terms and rdflib terms, in both directions.

Oxigraph types plain literals as xsd:string while rdflib keeps them untyped; the conversion maps
one to the other so that merging never duplicates a triple. Literals keep their lexical form:
rdflib's normalisation would turn ``"none"^^xsd:boolean`` into ``"false"`` (merging it with a real
``false``) and ``"2025-05-17Z"^^xsd:date`` into ``"2025-05-17"``, so pySHACL, exports and answers
would see something other than what the store holds.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from .errors import LoadError

__all__ = ["from_ox", "to_ox"]

_XSD_STRING = str(XSD.string)


def from_ox(term: object) -> Node | None:
    """Convert a pyoxigraph term to the equivalent rdflib term."""
    if term is None or isinstance(term, ox.DefaultGraph):
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value, datatype=None if datatype == _XSD_STRING else URIRef(datatype),
                       normalize=False)
    raise LoadError(f"unsupported term from Oxigraph: {term!r}")


def to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Convert an rdflib term to the equivalent pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise LoadError(f"unsupported term for Oxigraph: {term!r}")
