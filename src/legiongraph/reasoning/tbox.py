"""Compile the ontology's axioms into closed tables for the OWL 2 RL rules of :mod:`.rules`.

The terminology is small (about a thousand triples), so its closure is computed here once, in
Python: the sub-class and sub-property hierarchies (``scm-sco``, ``scm-spo``, ``scm-eqc1/2``,
``scm-eqp1/2``, ``scm-cls``), domains and ranges carried up the classes and down the properties
(``scm-dom1/2``, ``scm-rng1/2``). What is left for the instance data are then one-premise rules
whose conclusions are already closed, a table lookup each, plus the joins of property chains and
transitive properties:

* a class gives its instances every class in :attr:`Rules.types` (``cax-sco``, ``cax-eqc1/2``);
* a property triple entails the triples of :attr:`Rules.images`, each the same pair or the reversed
  pair with another predicate (``prp-spo1``, ``prp-eqp1/2``, ``prp-inv1/2``, ``prp-symp``), and the
  types of :attr:`Rules.subject_types` and :attr:`Rules.object_types` (``prp-dom``, ``prp-rng``
  applied to every one of those triples, then ``cax-sco``).

Axioms are read from every asserted graph, as owlrl reads them. An OWL construct from which
OWL 2 RL entails what these rules do not (``owl:sameAs``, functional and inverse-functional
properties, keys, restrictions, ``owl:unionOf``, ``owl:intersectionOf``, ``owl:oneOf``) raises
:class:`~.errors.ReasoningError` naming the axiom, so that a caller can use the ``reasonable`` or
``owlrl`` reasoner instead; so does an ontology whose instance rules would entail axioms (a
sub-property of ``rdf:type``, a range ``owl:Class``...). Axioms that only detect inconsistencies
(disjointness, irreflexive and asymmetric properties...) entail nothing and are accepted: owlrl
reports their violations apart, never in the inferred graph.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

import pyoxigraph as ox

from ..errors import ReasoningError

N = TypeVar("N")  # any hashable node: Oxigraph terms here, rdflib terms in ruleindex

__all__ = [
    "AXIOM_PREDICATES",
    "AXIOM_TYPES",
    "UNSUPPORTED_PREDICATES",
    "UNSUPPORTED_TYPES",
    "Rules",
    "closure",
    "compile_rules",
]

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_NS = "http://www.w3.org/2000/01/rdf-schema#"
OWL_NS = "http://www.w3.org/2002/07/owl#"
BUILTIN = (RDF_NS, RDFS_NS, OWL_NS, "http://www.w3.org/2001/XMLSchema#")

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Triple = tuple[Term, Term, Term]
Step = tuple[Term, bool]  # a property and whether it is read backwards


def _rdf(name: str) -> ox.NamedNode:
    return ox.NamedNode(RDF_NS + name)


def _rdfs(name: str) -> ox.NamedNode:
    return ox.NamedNode(RDFS_NS + name)


def _owl(name: str) -> ox.NamedNode:
    return ox.NamedNode(OWL_NS + name)


TYPE, FIRST, REST, NIL = _rdf("type"), _rdf("first"), _rdf("rest"), _rdf("nil")
SUBCLASS, SUBPROPERTY, DOMAIN, RANGE = (_rdfs("subClassOf"), _rdfs("subPropertyOf"),
                                        _rdfs("domain"), _rdfs("range"))
INVERSE, EQ_CLASS, EQ_PROPERTY, CHAIN = (_owl("inverseOf"), _owl("equivalentClass"),
                                         _owl("equivalentProperty"), _owl("propertyChainAxiom"))
CLASS, THING, NOTHING = _owl("Class"), _owl("Thing"), _owl("Nothing")
TRANSITIVE, SYMMETRIC, SAME_AS = (_owl("TransitiveProperty"), _owl("SymmetricProperty"),
                                  _owl("sameAs"))

#: the predicates and classes (as objects of rdf:type) whose triples the compiled rules read
AXIOM_PREDICATES = (SUBCLASS, SUBPROPERTY, DOMAIN, RANGE, INVERSE, EQ_CLASS, EQ_PROPERTY, CHAIN)
AXIOM_TYPES = (CLASS, TRANSITIVE, SYMMETRIC)
#: OWL vocabulary from which OWL 2 RL (and owlrl) entails triples the compiled rules do not, and
#: the rules it would need. The rest of OWL either only detects inconsistencies (disjointness,
#: irreflexive and asymmetric properties, owl:differentFrom, negative assertions, owl:complementOf:
#: owlrl reports those as errors, never in the inferred graph) or has no OWL 2 RL rule at all; a
#: reflexive ``x owl:sameAs x`` (rule eq-ref, which an owlrl closure is full of) entails nothing.
UNSUPPORTED_PREDICATES = {_owl(name): rule for name, rule in (
    ("sameAs", "eq-sym, eq-trans, eq-rep-s/p/o"), ("hasKey", "prp-key"),
    ("onProperty", "cls-svf1/2, cls-avf, cls-hv1/2, cls-maxc2, cls-maxqc3/4 (restrictions)"),
    ("onProperties", "restrictions"), ("onClass", "cls-maxqc3/4"),
    ("someValuesFrom", "cls-svf1/2, scm-svf1/2"), ("allValuesFrom", "cls-avf, scm-avf1/2"),
    ("hasValue", "cls-hv1/2, scm-hv"), ("maxCardinality", "cls-maxc2"),
    ("maxQualifiedCardinality", "cls-maxqc3/4"), ("unionOf", "cls-uni, scm-uni"),
    ("intersectionOf", "cls-int1/2, scm-int"), ("oneOf", "cls-oo"))}
UNSUPPORTED_TYPES = {_owl(name): rule for name, rule in (
    ("FunctionalProperty", "prp-fp"), ("InverseFunctionalProperty", "prp-ifp"),
    ("Restriction", "cls-* (restrictions)"))}
# Terms of the three vocabularies with no OWL 2 RL semantics: ordinary predicates to the rules.
_ANNOTATIONS = frozenset({_rdfs("label"), _rdfs("comment"), _rdfs("seeAlso"), _rdfs("isDefinedBy"),
                          _owl("versionInfo"), _owl("deprecated"), _owl("priorVersion"),
                          _owl("backwardCompatibleWith"), _owl("incompatibleWith")})
# Classes whose instances the rules may entail: nothing follows from them (``_worth_keeping``
# drops the first four).
_HARMLESS_CLASSES = frozenset({THING, _rdfs("Resource"), _owl("NamedIndividual"), _rdfs("Class"),
                               _rdfs("Literal"), _rdfs("Datatype"), _rdf("Property"),
                               _owl("ObjectProperty"), _owl("DatatypeProperty"),
                               _owl("AnnotationProperty"), _rdf("Statement"), _rdf("List")})
TRIVIAL_TYPES = frozenset({THING, _rdfs("Resource"), _owl("NamedIndividual"), _rdfs("Class")})


def _schema_term(term: Term) -> bool:
    return isinstance(term, ox.NamedNode) and term.value.startswith((RDF_NS, RDFS_NS, OWL_NS))


def name(term: Term) -> str:
    """Return a term in the compact form error messages use."""
    if isinstance(term, ox.NamedNode):
        for prefix, ns in (("rdf:", RDF_NS), ("rdfs:", RDFS_NS), ("owl:", OWL_NS)):
            if term.value.startswith(ns):
                return prefix + term.value[len(ns):]
    return str(term)


def unsupported(triple: Triple, rule: str, where: str = "") -> ReasoningError:
    """Return the error for an axiom the compiled rules do not implement."""
    s, p, o = triple
    place = f" (in {where})" if where else ""
    return ReasoningError(f"ontology: the axiom {name(s)} {name(p)} {name(o)}{place} needs OWL 2 RL "
                          f"rule {rule}, which the compiled rules do not implement; use the "
                          f"'reasonable' or 'owlrl' reasoner", axiom=triple)


def closure(edges: dict[N, set[N]]) -> dict[N, set[N]]:
    """Return, for each node, every node reachable in one step or more."""
    reach: dict[N, set[N]] = {}
    for start in edges:
        seen: set[N] = set()
        todo = list(edges[start])
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(edges.get(node, ()))
        reach[start] = seen
    return reach


@dataclass(frozen=True)
class Rules:
    """The ontology compiled: closed tables for the instance rules, and the schema entailments."""

    #: class -> the other classes its instances have (never the trivial ones)
    types: dict[Term, frozenset[ox.NamedNode]]
    #: predicate -> every (predicate, reversed) its triples entail, itself included
    entails: dict[Term, frozenset[Step]]
    #: predicate -> the classes the subject / the object of its triples have
    subject_types: dict[Term, frozenset[ox.NamedNode]]
    object_types: dict[Term, frozenset[ox.NamedNode]]
    #: property chains: the super-property and its steps
    chains: tuple[tuple[Term, tuple[Step, ...]], ...]
    transitive: frozenset[Term]
    #: what the schema rules entail from the axioms (asserted triples and trivial ones included)
    schema: frozenset[Triple]

    def images(self, predicate: Term) -> list[Step]:
        """Return what a triple entails other than itself: (named predicate, reversed) pairs."""
        return [(q, rev) for q, rev in self.entails.get(predicate, ())
                if isinstance(q, ox.NamedNode) and (q, rev) != (predicate, False)]

    def joined(self) -> frozenset[Term]:
        """Return the properties on which chains and transitive properties join triples."""
        return frozenset({p for _, steps in self.chains for p, _ in steps} | self.transitive)

    def sources(self, prop: Term) -> list[Step]:
        """Return the (predicate, reversed) whose triples entail the given property's triples."""
        return [(p, rev) for p, steps in self.entails.items() for q, rev in steps if q == prop]


def _list(objects: Callable[[Term, Term], list[Term]], head: Term, axiom: Triple) -> list[Term]:
    items: list[Term] = []
    seen = set()
    while head != NIL:
        first, rest = objects(head, FIRST), objects(head, REST)
        if len(first) != 1 or len(rest) != 1 or head in seen:
            raise unsupported(axiom, "prp-spo2 on a well-formed RDF list")
        seen.add(head)
        items.append(first[0])
        head = rest[0]
    return items


def compile_rules(axioms: Iterable[Triple], lists: Callable[[Term, Term], list[Term]]) -> Rules:
    """Compile axiom triples; ``lists(node, predicate)`` reads the RDF lists they point to."""
    by_predicate: dict[Term, list[Triple]] = defaultdict(list)
    for triple in axioms:
        by_predicate[triple[1]].append(triple)
    typed: dict[Term, set[Term]] = defaultdict(set)
    for s, _, o in by_predicate[TYPE]:
        typed[o].add(s)

    # the class hierarchy: scm-cls, scm-eqc1, scm-sco
    sup: dict[Term, set[Term]] = defaultdict(set)
    for s, _, o in by_predicate[SUBCLASS]:
        sup[s].add(o)
    for s, _, o in by_predicate[EQ_CLASS]:
        sup[s].add(o)
        sup[o].add(s)
    for cls in typed[CLASS]:
        sup[cls].add(THING)
        sup[NOTHING].add(cls)
    classes = closure(sup)

    # the property hierarchy: scm-spo, scm-eqp1
    subp: dict[Term, set[Term]] = defaultdict(set)
    for s, _, o in by_predicate[SUBPROPERTY]:
        subp[s].add(o)
    for s, _, o in by_predicate[EQ_PROPERTY]:
        subp[s].add(o)
        subp[o].add(s)
    props = closure(subp)

    schema: set[Triple] = set()
    for relation, pairs in ((SUBCLASS, classes), (SUBPROPERTY, props)):
        equivalent = EQ_CLASS if relation == SUBCLASS else EQ_PROPERTY
        for a, above in pairs.items():
            schema.update((a, relation, b) for b in above)
            schema.update((a, equivalent, b) for b in above if a in pairs.get(b, ()))  # scm-eqc2/eqp2
    # scm-dom1/2, scm-rng1/2: a property has the domains of its super-properties and their supers
    closed: dict[Term, dict[Term, set[Term]]] = {}
    for relation in (DOMAIN, RANGE):
        direct: dict[Term, set[Term]] = defaultdict(set)
        for p, _, c in by_predicate[relation]:
            direct[p].add(c)
        result: dict[Term, set[Term]] = defaultdict(set)
        for p in set(direct) | set(props):
            for q in {p} | props.get(p, set()):
                for c in direct.get(q, ()):
                    result[p].add(c)
                    result[p].update(classes.get(c, ()))
        closed[relation] = result
        schema.update((p, relation, c) for p, cs in result.items() for c in cs)

    # what a property triple entails: prp-spo1, prp-eqp1/2, prp-inv1/2, prp-symp, closed
    inverses: dict[Term, set[Term]] = defaultdict(set)
    for s, _, o in by_predicate[INVERSE]:
        inverses[s].add(o)
        inverses[o].add(s)
    symmetric = typed[SYMMETRIC]
    chains = []
    for axiom in by_predicate[CHAIN]:
        steps = []
        for element in _list(lists, axiom[2], axiom):
            inner = lists(element, INVERSE) if isinstance(element, ox.BlankNode) else []
            steps.append((inner[0], True) if len(inner) == 1 else (element, False))
        if steps:
            chains.append((axiom[0], tuple(steps)))
    mentioned = {p for head, steps in chains for p in (head, *(q for q, _ in steps))}
    entails: dict[Term, frozenset[Step]] = {}
    for start in (set(props) | set(inverses) | symmetric | set(closed[DOMAIN]) | set(closed[RANGE])
                  | typed[TRANSITIVE] | mentioned):
        seen: set[Step] = set()
        todo: list[Step] = [(start, False)]
        while todo:
            step = todo.pop()
            if step in seen:
                continue
            seen.add(step)
            prop, rev = step
            todo.extend((q, rev) for q in props.get(prop, ()))
            todo.extend((q, not rev) for q in inverses.get(prop, ()))
            if prop in symmetric:
                todo.append((prop, not rev))
        entails[start] = frozenset(seen)

    def named(found: Iterable[Term]) -> frozenset[ox.NamedNode]:
        return frozenset(c for c in found if isinstance(c, ox.NamedNode) and c not in TRIVIAL_TYPES)

    subject_types, object_types = {}, {}
    for prop, steps in entails.items():
        for table, forward, backward in ((subject_types, DOMAIN, RANGE), (object_types, RANGE, DOMAIN)):
            found = set()
            for q, rev in steps:
                found |= closed[backward if rev else forward].get(q, set())
            if named(found):
                table[prop] = named(found)
    # owl:Nothing is below every class, and refused as a type: it gives no rule
    types = {c: named(above - {c}) for c, above in classes.items()
             if c != NOTHING and named(above - {c})}
    rules = Rules(types, entails, subject_types, object_types, tuple(chains),
                  frozenset(typed[TRANSITIVE]), frozenset(schema))
    _check_closed(rules)
    return rules


def _check_closed(rules: Rules) -> None:
    """Refuse ontologies whose instance rules could entail axioms: their closure is not final."""
    for cls, found in (*rules.types.items(), *rules.subject_types.items(),
                       *rules.object_types.items()):
        for c in found:
            if _schema_term(c) and c not in _HARMLESS_CLASSES:
                raise ReasoningError(f"ontology: instance data would be entailed to be of type "
                                     f"{name(c)} (through {name(cls)}); the compiled rules do not "
                                     f"reason about entailed axioms", axiom=(cls, TYPE, c))
    joined = rules.joined() | {head for head, _ in rules.chains}
    for prop, entailed in rules.entails.items():
        semantic = _schema_term(prop) and prop not in _ANNOTATIONS
        if semantic and (len(entailed) > 1 or prop in joined or prop in rules.subject_types
                         or prop in rules.object_types):
            raise ReasoningError(f"ontology: an axiom gives {name(prop)} a super-property, an "
                                 f"inverse, a domain, a range or a chain; the compiled rules do not "
                                 f"reason about the RDF, RDFS and OWL vocabulary itself",
                                 axiom=(prop, SUBPROPERTY, prop))
        for q, _ in entailed:
            if q != prop and _schema_term(q) and q not in _ANNOTATIONS:
                raise ReasoningError(f"ontology: {name(prop)} triples entail {name(q)} triples; the "
                                     f"compiled rules do not reason about entailed axioms",
                                     axiom=(prop, SUBPROPERTY, q))
