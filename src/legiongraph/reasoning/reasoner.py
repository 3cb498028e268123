"""OWL 2 RL reasoning; the entailments go to their own graph, nothing else does.

Three back ends give the same inferred graph for this project's ontology (``tests/test_reasoners.py``
proves it on the article and on generated data):

* ``owlrl``, the pure-Python reference implementation: exact, and slow (minutes at 1M triples);
* ``rules``, the default: rules compiled from the ontology (:mod:`.tbox`) and run as SPARQL
  queries inside a pyoxigraph store (:func:`.rules.reason_store`, which the build calls on its
  store directly). Here the Dataset is copied into an in-memory store and the entailments read
  back. It refuses, with :class:`~.errors.ReasoningError`, an ontology with an OWL construct it
  does not compile (``owl:sameAs``, functional properties, restrictions...): use another back end
  for such an ontology. Oxigraph follows RDF 1.1, so a plain literal and the same literal typed
  ``xsd:string`` are one term to it;
* ``reasonable``, a Rust OWL 2 RL reasoner, about 15 times faster than owlrl on the article and
  more on larger data. It implements neither property chains (``prp-spo2``, which gives
  ``org:memberOf`` from every membership) nor the schema rules that carry domains and ranges up
  the class and down the property hierarchies (``scm-cls``, ``scm-dom1/2``, ``scm-rng1/2``), and it
  types plain literals as ``xsd:string``: this module applies those rules itself and maps the
  literals back, so that merging the entailments never duplicates a triple.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import owlrl
import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

from ..config import REASONERS, Config
from ..errors import ConfigError
from ..iris import GRAPH_INFERRED
from ..oxterms import from_ox, to_ox
from .rules import INFERRED, reason_store

__all__ = ["DEFAULT_REASONER", "add_inferred", "asserted_union", "infer"]

DEFAULT_REASONER = Config.reasoner
_BUILTIN = (str(RDF), str(RDFS), str(OWL), str(XSD))
Triple = tuple[Node, Node, Node]
# Terms looked up once: rdflib's closed namespaces resolve attributes slowly, and these are
# compared against every triple of the closure.
_TYPE, _SUBCLASS, _SUBPROP, _DOMAIN, _RANGE = RDF.type, RDFS.subClassOf, RDFS.subPropertyOf, \
    RDFS.domain, RDFS.range
_CLASS, _THING, _XSD_STRING = OWL.Class, OWL.Thing, XSD.string
_REFLEXIVE = frozenset((OWL.sameAs, OWL.equivalentClass, OWL.equivalentProperty, _SUBCLASS, _SUBPROP))
_TRIVIAL_TYPES = frozenset((_THING, RDFS.Resource, OWL.NamedIndividual, RDFS.Class))
_SCHEMA = frozenset((_SUBCLASS, _SUBPROP, _DOMAIN, _RANGE))


def asserted_union(dataset: Dataset) -> Graph:
    """Return one Graph with every triple of every named graph except the inferred one."""
    union = Graph()
    for ctx in dataset.graphs():
        if ctx.identifier != GRAPH_INFERRED:
            for triple in ctx:
                union.add(triple)
    return union


def _asserted_set(dataset: Dataset) -> set[Triple]:
    """Return the asserted triples as a set: far cheaper to build and probe than a Graph."""
    return {t for ctx in dataset.graphs() if ctx.identifier != GRAPH_INFERRED for t in ctx}


def _worth_keeping(s: object, p: object, o: object) -> bool:
    """Drop the trivial or schema-internal triples OWL RL adds, which no analyst asks for."""
    if isinstance(s, Literal | BNode) or isinstance(p, BNode) or isinstance(o, BNode):
        return False
    if str(s).startswith(_BUILTIN):
        return False
    if s == o and p in _REFLEXIVE:
        return False
    if p == _TYPE and o in _TRIVIAL_TYPES:
        return False
    return not (p == _SUBCLASS and o == _THING)


def _owlrl_closure(asserted: Graph) -> Iterable[Triple]:
    closure = Graph()
    for triple in asserted:
        closure.add(triple)
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics,
        rdfs_closure=False,
        axiomatic_triples=False,
        datatype_axioms=False,
    ).expand(closure)
    return closure


def _plain(triple: tuple) -> Triple:
    """Map reasonable's ``"x"^^xsd:string`` back to the plain literal rdflib and our loaders use."""
    s, p, o = triple
    if type(o) is Literal and o.datatype == _XSD_STRING:
        o = Literal(str(o))
    return s, p, o


def _chains(graph: Graph) -> list[tuple[Node, list[tuple[Node, bool]]]]:
    """Return each property chain axiom as (super-property, [(property, inverted), ...])."""
    chains = []
    for prop, head in graph.subject_objects(OWL.propertyChainAxiom):
        steps = []
        for member in Collection(graph, head):
            inverse = graph.value(member, OWL.inverseOf) if isinstance(member, BNode) else None
            steps.append((inverse, True) if inverse is not None else (member, False))
        if steps:
            chains.append((prop, steps))
    return chains


def _apply_chains(chains: list, triples: Iterable[Triple]) -> set[Triple]:
    """Apply ``prp-spo2`` once: the chain's super-property between the chain's two ends."""
    wanted = {prop for _, steps in chains for prop, _ in steps}
    edges: dict[Node, list[tuple[Node, Node]]] = defaultdict(list)
    for s, p, o in triples:
        if p in wanted:
            edges[p].append((s, o))
    found: set[Triple] = set()
    for target, steps in chains:
        reach: dict[Node, set[Node]] | None = None
        for prop, inverted in steps:
            step: dict[Node, set[Node]] = defaultdict(set)
            for s, o in edges.get(prop, ()):
                a, b = (o, s) if inverted else (s, o)
                step[a].add(b)
            if reach is None:
                reach = step
                continue
            reach = {a: {c for b in bs for c in step.get(b, ())} for a, bs in reach.items()}
        for a, cs in (reach or {}).items():
            found.update((a, target, c) for c in cs)
    return found


def _schema_rules(triples: set[Triple]) -> set[Triple]:
    """Apply ``scm-cls``, ``scm-dom1/2`` and ``scm-rng1/2`` to a fixpoint; return what is new."""
    schema = [t for t in triples if t[1] in _SCHEMA or (t[1] == _TYPE and t[2] == _CLASS)]
    sup: dict[Node, set[Node]] = defaultdict(set)
    subprop: dict[Node, set[Node]] = defaultdict(set)
    for s, p, o in schema:
        if p == _SUBCLASS:
            sup[s].add(o)
        elif p == _SUBPROP:
            subprop[o].add(s)
        elif p == _TYPE:
            sup[s].add(_THING)
    found: set[Triple] = set()
    for relation in (_DOMAIN, _RANGE):
        facts = {(s, o) for s, p, o in schema if p == relation}
        todo = list(facts)
        while todo:
            prop, cls = todo.pop()
            derived = [(prop, c) for c in sup.get(cls, ())] + [(q, cls) for q in subprop.get(prop, ())]
            for pair in derived:
                if pair not in facts:
                    facts.add(pair)
                    todo.append(pair)
        found.update((s, relation, o) for s, o in facts)
    return found - triples


def _reasonable_closure(asserted: set[Triple]) -> Iterable[Triple]:
    import reasonable  # a compiled extension: imported only by those who choose it

    schema = Graph()  # the axioms, to read the property chains' RDF lists
    for triple in asserted:
        if isinstance(triple[0], BNode) or triple[1] in (OWL.propertyChainAxiom, OWL.inverseOf):
            schema.add(triple)
    chains = _chains(schema)
    reasoner = reasonable.PyReasoner()
    # Chain entailments of the asserted data go in first, so that one run usually suffices.
    seed = _apply_chains(chains, asserted) - asserted if chains else set()
    reasoner.from_graph(list(asserted | seed))
    while True:
        # an asserted "x"^^xsd:string stays as it is; only what reasonable retyped is mapped back
        closure = {t if t in asserted else _plain(t) for t in reasoner.reason()}
        extra = _apply_chains(chains, closure) - closure if chains else set()
        if not extra:
            break
        reasoner.from_graph(list(extra))
    return closure | _schema_rules(closure)


def _rules_inferred(dataset: Dataset) -> Graph:
    """Reason with the compiled rules in an in-memory pyoxigraph store; read the entailments back."""
    store = ox.Store()
    for ctx in dataset.graphs():
        if ctx.identifier != GRAPH_INFERRED and len(ctx):
            graph = to_ox(ctx.identifier)  # the default graph too: a named graph to Oxigraph
            store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), graph) for s, p, o in ctx)
    reason_store(store)
    inferred = Graph(identifier=GRAPH_INFERRED)
    for quad in store.quads_for_pattern(None, None, None, INFERRED):
        inferred.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
    return inferred


def infer(dataset: Dataset, reasoner: str = DEFAULT_REASONER) -> Graph:
    """Compute the OWL 2 RL closure of the asserted graphs and return only what is new.

    Raise :class:`~.errors.ReasoningError` when reasoner ``rules`` meets an axiom it does not
    implement.
    """
    if reasoner not in REASONERS:
        raise ConfigError(f"reasoner: expected one of {', '.join(REASONERS)}, got {reasoner!r}")
    if reasoner == "rules":
        return _rules_inferred(dataset)
    if reasoner == "owlrl":
        asserted: Graph | set[Triple] = asserted_union(dataset)
        closure = _owlrl_closure(asserted)
    else:
        asserted = _asserted_set(dataset)
        closure = _reasonable_closure(asserted)
    inferred = Graph(identifier=GRAPH_INFERRED)
    for triple in closure:
        if triple not in asserted and _worth_keeping(*triple):
            inferred.add(triple)
    return inferred


def add_inferred(dataset: Dataset, reasoner: str = DEFAULT_REASONER) -> int:
    """Replace the inferred graph of a dataset with fresh entailments; return their count."""
    inferred = infer(dataset, reasoner)
    dataset.remove_graph(dataset.graph(GRAPH_INFERRED))
    target = dataset.graph(GRAPH_INFERRED)
    for triple in inferred:
        target.add(triple)
    return len(inferred)
