"""What the SHACL shapes read around a focus node, so that a few nodes can be validated alone.

Validating the resources a new source touches, instead of the whole graph, needs a small graph that
holds everything the shapes look at for those resources: their own properties, the types and
properties of the values those properties point to (``sh:class``, ``sh:node``,
``sh:qualifiedValueShape``), the places reached by a ``sh:oneOrMorePath``, the resources that
point to them through a ``sh:inversePath``. :class:`ShapeIndex` lists those predicates once from
the shapes graph, and also the reverse: which resources must be validated again when a resource's
types or properties change, because a shape of theirs looks at it.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

__all__ = ["ShapeIndex"]

# Constraints that look at the data of a value node, not just at the value itself.
_VALUE_READERS = (SH["class"], SH.node, SH.qualifiedValueShape, SH["or"], SH["and"], SH.xone,
                  SH["not"])
_LISTS = (SH["or"], SH["and"], SH.xone)
_REPEATED = (SH.oneOrMorePath, SH.zeroOrMorePath, SH.zeroOrOnePath)
# Nesting deeper than this is not followed; the project's shapes nest two levels.
_MAX_DEPTH = 6


@dataclass(frozen=True)
class ShapeIndex:
    """The predicates the shapes read, sorted by the direction in which they are followed."""

    #: predicates read on a focus node and on value nodes (forward); rdf:type always
    forward: frozenset[URIRef]
    #: predicates read backwards from a focus node (sh:inversePath, sh:targetObjectsOf)
    inverse: frozenset[URIRef]
    #: predicates followed any number of steps (sh:oneOrMorePath and the like)
    repeated: frozenset[URIRef]
    #: forward predicates whose values are looked into (their types or properties)
    value_paths: frozenset[URIRef]
    #: inverse predicates whose values (the resources pointing in) are looked into
    inverse_value_paths: frozenset[URIRef]
    #: predicates the shapes read on value nodes (rdf:type for sh:class, and nested paths)
    value_reads: frozenset[URIRef]
    #: how many value hops away from a focus node the shapes look
    depth: int

    @classmethod
    def from_shapes(cls, shapes: Graph) -> ShapeIndex:
        """Index a parsed shapes graph."""
        forward: set[URIRef] = {RDF.type, RDFS.subClassOf}
        inverse: set[URIRef] = set(_uris(shapes.objects(None, SH.targetObjectsOf)))
        forward.update(_uris(shapes.objects(None, SH.targetSubjectsOf)))
        repeated: set[URIRef] = set()
        value_paths: set[URIRef] = set()
        inverse_value_paths: set[URIRef] = set()
        value_reads: set[URIRef] = set()
        for shape, path in shapes.subject_objects(SH.path):
            fwd, inv, rep = _path_predicates(shapes, path)
            forward |= fwd | rep
            inverse |= inv
            repeated |= rep
            if any(shapes.value(shape, c) is not None for c in _VALUE_READERS):
                value_paths |= fwd | rep
                inverse_value_paths |= inv
                value_reads |= _reads(shapes, shape)
        value_reads |= repeated
        roots = [s for s in shapes.subjects(RDF.type, SH.NodeShape)]
        depth = max((_depth(shapes, s, 0) for s in roots), default=1)
        return cls(frozenset(forward), frozenset(inverse), frozenset(repeated),
                   frozenset(value_paths), frozenset(inverse_value_paths), frozenset(value_reads),
                   max(depth, 1))


def _uris(nodes: object) -> list[URIRef]:
    return [n for n in nodes if isinstance(n, URIRef)]  # type: ignore[attr-defined]


def _path_predicates(shapes: Graph, path: Node) -> tuple[set[URIRef], set[URIRef], set[URIRef]]:
    """Return the forward, inverse and repeated predicates in a SHACL property path."""
    if isinstance(path, URIRef):
        return {path}, set(), set()
    fwd: set[URIRef] = set()
    inv: set[URIRef] = set()
    rep: set[URIRef] = set()
    target = shapes.value(path, SH.inversePath)
    if target is not None:
        f, i, r = _path_predicates(shapes, target)
        return i, f | r, set()
    for prop in _REPEATED:
        target = shapes.value(path, prop)
        if target is not None:
            f, i, r = _path_predicates(shapes, target)
            return set(), i, f | r
    alternatives = shapes.value(path, SH.alternativePath)
    members = Collection(shapes, alternatives) if alternatives is not None else (
        Collection(shapes, path) if shapes.value(path, RDF.first) is not None else [])
    for member in members:
        f, i, r = _path_predicates(shapes, member)
        # A sequence reads values of values: treat its steps as followed any number of times.
        rep |= f | r
        inv |= i
    return fwd, inv, rep


def _nested(shapes: Graph, shape: Node) -> list[Node]:
    """Return the shapes a shape applies to the same node (logic lists, sh:node, sh:property)."""
    found: list[Node] = []
    for prop in _LISTS:
        for head in shapes.objects(shape, prop):
            found.extend(Collection(shapes, head))
    for prop in (SH["not"], SH.node, SH.property, SH.qualifiedValueShape):
        found.extend(shapes.objects(shape, prop))
    return found


def _reads(shapes: Graph, prop_shape: Node) -> set[URIRef]:
    """Return the predicates a property shape's value constraints read on its value nodes."""
    reads: set[URIRef] = set()
    todo = _nested(shapes, prop_shape)
    if shapes.value(prop_shape, SH["class"]) is not None:
        reads.add(RDF.type)
    seen: set[Node] = set()
    while todo:
        shape = todo.pop()
        if shape in seen or len(seen) > 1000:
            continue
        seen.add(shape)
        if shapes.value(shape, SH["class"]) is not None:
            reads.add(RDF.type)
        path = shapes.value(shape, SH.path)
        if path is not None:
            fwd, inv, rep = _path_predicates(shapes, path)
            reads |= fwd | inv | rep
        todo.extend(_nested(shapes, shape))
    return reads


def _depth(shapes: Graph, shape: Node, level: int) -> int:
    """Return how many value hops the shape and the shapes it uses read, at most _MAX_DEPTH."""
    if level >= _MAX_DEPTH:
        return level
    if shapes.value(shape, SH.path) is None:
        return max([*(_depth(shapes, n, level) for n in _nested(shapes, shape)), level])
    # A property shape: its value constraints look one hop further.
    reads = any(shapes.value(shape, c) is not None for c in _VALUE_READERS)
    inner = [_depth(shapes, n, level + 1) for n in _nested(shapes, shape) if isinstance(n, BNode | URIRef)]
    return max([*inner, level + 1 if reads else level])
