"""Incremental reasoning and validation: what replacing some source graphs does to a built store.

A built store is closed (its inferred graph holds every OWL 2 RL entailment of its asserted graphs)
and conforms to the shapes. :func:`plan_change` computes, without loading the store, what replacing
some source graphs (adding one, re-ingesting one, or retracting one: replacing it by nothing) does:

1. **Reasoning.** Entailments of the new content come from the new triples and the stored
   triples they join with through the ontology's joins (:class:`~legiongraph.reasoning.ruleindex.RuleIndex`),
   fetched until no new resource appears. Entailments of removed triples are handled by
   delete-and-rederive: everything the removed triples could entail is a suspect; a suspect stays if
   it follows from what remains around its resources (their outgoing triples, one incoming triple
   per predicate, the property chains that start at them). Schema-level entailments never change,
   as a source may not extend the ontology.
2. **Validation.** Only the resources whose triples change, and those whose shapes look at them
   (a membership pointing at an organisation whose type changed, places below a place whose
   containment changed), are validated, on a small graph holding everything the shapes read about
   them (:class:`~legiongraph.shacl.shapeindex.ShapeIndex`).

Both steps see exactly what a full rebuild would: tests/test_ingest.py compares the inferred
graph and the violations with :func:`legiongraph.pipeline.build.compile_dataset`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from ..iris import GRAPH, GRAPH_INFERRED, GRAPH_ONTOLOGY
from ..progress import QUIET, Progress
from ..reasoning.reasoner import DEFAULT_REASONER, infer
from ..reasoning.ruleindex import SCHEMA_NAMESPACES, RuleIndex
from ..shacl.shapeindex import ShapeIndex
from ..shacl.validation import DEFAULT_VALIDATOR, Violation, validate
from ..stores.base import Store
from .storeview import StoreView, Triple

__all__ = ["Delta", "Schema", "plan_change"]

_LOCAL = GRAPH["local"]  # the graph name the local reasoning puts its input in
_SCHEMA_PREDICATES = {RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range,
                      OWL.equivalentClass, OWL.equivalentProperty, OWL.inverseOf,
                      OWL.propertyChainAxiom, OWL.disjointWith, OWL.onProperty}


@dataclass(frozen=True)
class Schema:
    """What a change is reasoned over and validated with: the store's ontology, the shapes, the engines."""

    rules: RuleIndex
    subclass: frozenset[Triple]
    #: the resources the ontology graph describes (classes, properties, concepts, schemes)
    terms: frozenset[Node]
    shapes: Graph
    index: ShapeIndex
    reasoner: str = DEFAULT_REASONER
    #: the configured SHACL engine, as a build uses it (``validator`` in the configuration)
    validator: str = DEFAULT_VALIDATOR

    @classmethod
    def load(cls, store: Store, shapes: Graph, reasoner: str = DEFAULT_REASONER,
             validator: str = DEFAULT_VALIDATOR) -> Schema:
        """Read the ontology graph from the store and index it with the shapes."""
        ontology = StoreView(store).graph(GRAPH_ONTOLOGY)
        terms = frozenset(s for s in ontology.subjects() if isinstance(s, URIRef))
        return cls(RuleIndex.from_ontology(ontology),
                   frozenset(ontology.triples((None, RDFS.subClassOf, None))), terms,
                   shapes, ShapeIndex.from_shapes(shapes), reasoner, validator)


@dataclass
class Delta:
    """What a change writes, and what validating it found."""

    replace: dict[URIRef, set[Triple]]
    add_inferred: set[Triple] = field(default_factory=set)
    remove_inferred: set[Triple] = field(default_factory=set)
    violations: list[Violation] = field(default_factory=list)
    focus: set[Node] = field(default_factory=set)
    unchanged: bool = False
    #: rows read from the store (triples, mostly) to reason and validate, in how many queries
    read: int = 0
    queries: int = 0


def _nodes(triples: Iterable[Triple]) -> set[Node]:
    """Return the resources of some triples: subjects and objects, not classes or literals."""
    found: set[Node] = set()
    for s, p, o in triples:
        found.add(s)
        if p != RDF.type and not isinstance(o, Literal):
            found.add(o)
    return {n for n in found if not str(n).startswith(SCHEMA_NAMESPACES)}


def _entail(schema: Schema, data: set[Triple]) -> set[Triple]:
    """Return what OWL RL entails from the ontology's axioms and some triples, minus the input."""
    dataset = Dataset()
    onto = dataset.graph(GRAPH_ONTOLOGY)
    for triple in schema.rules.axioms:
        onto.add(triple)
    local = dataset.graph(_LOCAL)
    for triple in data:
        local.add(triple)
    return set(infer(dataset, schema.reasoner))


def _partners(view: StoreView, rules: RuleIndex, nodes: set[Node]) -> set[Triple]:
    if rules.joins_everything:
        return view.out(nodes) | view.into(nodes, None)
    return view.out(nodes, rules.join_out) | view.into(nodes, rules.join_in)


def _reason(view: StoreView, schema: Schema, seed: set[Triple]) -> tuple[set[Triple], set[Triple]]:
    """Return the seed plus the stored triples it joins with, and what they entail."""
    data = set(seed)
    done: set[Node] = set()
    frontier = _nodes(seed)
    while True:
        while frontier - done:
            frontier -= done
            done |= frontier
            found = _partners(view, schema.rules, frontier) - data
            data |= found
            frontier = _nodes(found)
        derived = _entail(schema, data)
        # An entailment may reach a resource whose joins were not fetched yet: fetch and redo.
        frontier = _nodes(derived) - done
        if not frontier:
            return data, derived
        done |= frontier
        found = _partners(view, schema.rules, frontier) - data
        if not found:
            return data, derived
        data |= found
        frontier = _nodes(found)


def _schema_level(triple: Triple) -> bool:
    _, p, o = triple
    return p in _SCHEMA_PREDICATES or (p == RDF.type and str(o).startswith(SCHEMA_NAMESPACES))


def plan_change(store: Store, schema: Schema, replace: Mapping[URIRef, Iterable[Triple]],
                progress: Progress = QUIET) -> Delta:
    """Compute the entailments and violations of replacing some named graphs; write nothing."""
    new = {g: set(triples) for g, triples in replace.items()}
    whole = StoreView(store)
    old = {g: set(whole.graph(g)) for g in new}
    delta = Delta(replace=new)
    if all(_same(old[g], new[g]) for g in new):
        delta.unchanged = True
        return delta
    added = set().union(*new.values())
    held = whole.where(set().union(*old.values()) - added)
    # A removed triple another graph still asserts stays asserted.
    removed = {t for t, graphs in held.items() if not (graphs - set(new) - {GRAPH_INFERRED})}
    removed |= {t for g in new for t in old[g] - added if _has_blank(t)}
    suspects: set[Triple] = set()
    if removed:
        progress.step(f"finding what {len(removed)} removed triple(s) entailed")
        before = StoreView(store, asserted_only=True)
        _, derived = _reason(before, schema, removed)
        suspects = {t for t, gs in whole.where(derived).items() if GRAPH_INFERRED in gs}
        _count(delta, before)
    progress.step(f"reasoning over {len(added)} new triple(s) and what they touch")
    after = StoreView(store, skip=new, asserted_only=True)
    seed = set(added)
    if suspects or removed:
        around = {n for n in _nodes(suspects | removed) if isinstance(n, URIRef)}
        seed |= after.out(around) | after.sample_into(around) | after.into(around, schema.rules.chain_in)
    data, derived = _reason(after, schema, seed)
    closure = data | derived
    gone = suspects - closure
    candidates = {t for t in derived if not _schema_level(t)}
    current = StoreView(store, skip=new)
    current.dropped = gone
    delta.add_inferred = candidates - current.present(candidates)
    now_asserted = {t for t, gs in whole.where(added).items() if GRAPH_INFERRED in gs}
    delta.remove_inferred = gone | now_asserted
    progress.step("validating what changed")
    # Triples a replaced graph keeps change nothing; a blank node's are new in every parse.
    kept = set().union(*old.values()) & added
    changed = (added - kept) | delta.add_inferred | removed | gone
    current.dropped = delta.remove_inferred
    delta.focus, delta.violations = _validate(current, schema, added | delta.add_inferred, changed)
    for view in (whole, after, current):
        _count(delta, view)
    return delta


def _count(delta: Delta, view: StoreView) -> None:
    delta.read += view.rows
    delta.queries += view.queries


def _same(old: set[Triple], new: set[Triple]) -> bool:
    if len(old) != len(new):
        return False
    if not any(_has_blank(t) for t in old | new):
        return old == new
    return isomorphic(_graph(old), _graph(new))


def _graph(triples: Iterable[Triple]) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


def _has_blank(triple: Triple) -> bool:
    return isinstance(triple[0], BNode) or isinstance(triple[2], BNode)


def _affected(view: StoreView, index: ShapeIndex, local: Graph, changed: set[Triple]) -> set[Node]:
    """Return the resources to validate: those of the changed triples and those that look at them."""
    focus = _nodes(changed)
    # A resource whose types or read properties changed is looked at by what points to it.
    looked_at = {s for s, p, _ in changed if p in index.value_reads}
    for _ in range(index.depth):
        if not looked_at:
            break
        pointing = {s for s, _, _ in view.into(looked_at, index.value_paths)}
        pointing |= {o for s, _, o in view.out(looked_at, index.inverse_value_paths) if s in looked_at}
        for s in looked_at:
            for p in index.value_paths:
                pointing.update(local.subjects(p, s))
            for p in index.inverse_value_paths:
                pointing.update(local.objects(s, p))
        looked_at = pointing - focus
        focus |= pointing
    chained = {s for s, p, _ in changed if p in index.repeated or p == RDF.type}
    focus |= view.referrers(chained, index.repeated)
    return focus


def _validate(view: StoreView, schema: Schema, local_triples: set[Triple],
              changed: set[Triple]) -> tuple[set[Node], list[Violation]]:
    """Validate the affected resources on a graph holding everything the shapes read about them."""
    index = schema.index
    local = _graph(local_triples)
    focus = _affected(view, index, local, changed)
    data = _graph(local_triples | schema.subclass)
    fetched = view.out(focus, index.forward) | view.into(focus, index.inverse)
    level, reached = set(focus), set(focus)
    for _ in range(index.depth):
        for triple in fetched:
            data.add(triple)
        values = {o for s in level for p, o in data.predicate_objects(s)
                  if p != RDF.type and not isinstance(o, Literal)}
        values |= {s for o in level for p in index.inverse for s in data.subjects(p, o)}
        level = values - reached
        reached |= level
        fetched = view.out(level, index.forward)
    for triple in fetched | view.chains(reached, index.repeated, index.forward):
        data.add(triple)
    report = validate(data, schema.shapes, schema.validator)
    return focus, [v for v in report.violations if v.focus in focus]
