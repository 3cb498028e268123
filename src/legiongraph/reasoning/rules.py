"""OWL 2 RL reasoning inside a pyoxigraph store, with rules compiled from the ontology.

:func:`reason_store` gives the inferred graph owlrl gives (``reasoning.infer(dataset, "owlrl")``)
for this project's ontology, in seconds at a million triples: the terminology is closed in Python
(:mod:`.tbox`), and each instance-level rule becomes one SPARQL query that the store answers on its
encoded terms, so that only the new triples are ever turned into Python objects.

1. The axioms are read from every asserted graph (every named graph but the inferred one) and
   compiled; an unsupported one raises :class:`~.errors.ReasoningError` before anything changes.
2. The inferred graph is emptied. Property chains (``prp-spo2``) and transitive properties
   (``prp-trp``, a chain of one property twice) are joined by queries whose conclusions go into
   the inferred graph, again until nothing is new when a conclusion can feed another join.
3. One query per entailed class and one per entailed predicate read the asserted graphs and those
   conclusions and return only the triples that no graph holds yet: the one-premise rules need a
   single pass, because the compiled tables are closed.
4. The schema-level entailments (``scm-*``) are added, and what an analyst never asks for (blank
   nodes, the RDF, RDFS, OWL and XSD terms themselves, trivial types) is left out, as
   ``reasoning._worth_keeping`` does.

Reading is done with ``Store.query`` (a snapshot; an update's transaction is several times slower
on disk) and writing with ``Store.bulk_extend``. The store's default graph is not read: legiongraph
keeps every triple in a named graph.

Oxigraph follows RDF 1.1: ``"x"`` and ``"x"^^xsd:string`` are one term, so an entailed plain
literal never duplicates an asserted typed one (owlrl, on rdflib terms, would keep both).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

from ..errors import ReasoningError
from ..iris import GRAPH_INFERRED
from ..progress import QUIET, Progress
from .tbox import (
    AXIOM_PREDICATES,
    AXIOM_TYPES,
    BUILTIN,
    SAME_AS,
    TRIVIAL_TYPES,
    TYPE,
    UNSUPPORTED_PREDICATES,
    UNSUPPORTED_TYPES,
    Rules,
    Term,
    Triple,
    compile_rules,
    unsupported,
)

__all__ = ["INFERRED", "read_rules", "reason_store"]

INFERRED = ox.NamedNode(str(GRAPH_INFERRED))
_REFLEXIVE = frozenset(ox.NamedNode(iri) for iri in (
    "http://www.w3.org/2002/07/owl#sameAs", "http://www.w3.org/2002/07/owl#equivalentClass",
    "http://www.w3.org/2002/07/owl#equivalentProperty",
    "http://www.w3.org/2000/01/rdf-schema#subClassOf",
    "http://www.w3.org/2000/01/rdf-schema#subPropertyOf"))
_SUBCLASS = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
_THING = ox.NamedNode("http://www.w3.org/2002/07/owl#Thing")
_MAX_ROUNDS = 64  # a transitive property doubles the length of its paths in each round


def _asserted(store: ox.Store, s: Term | None, p: Term | None, o: Term | None) -> list[ox.Quad]:
    return [q for q in store.quads_for_pattern(s, p, o, None)
            if q.graph_name != INFERRED and not isinstance(q.graph_name, ox.DefaultGraph)]


def read_rules(store: ox.Store) -> Rules:
    """Read the axioms of a store's asserted graphs and compile them; refuse unsupported ones."""
    refused = [(None, p, None, rule) for p, rule in UNSUPPORTED_PREDICATES.items()]
    refused += [(None, TYPE, cls, rule) for cls, rule in UNSUPPORTED_TYPES.items()]
    for s, p, o, rule in refused:
        for quad in _asserted(store, s, p, o):
            if quad.subject != quad.object or p != SAME_AS:  # x owl:sameAs x entails nothing
                raise unsupported((quad.subject, quad.predicate, quad.object), rule,
                                  str(quad.graph_name))
    axioms: set[Triple] = set()
    for predicate in AXIOM_PREDICATES:
        axioms.update((q.subject, q.predicate, q.object) for q in _asserted(store, None, predicate, None))
    for cls in AXIOM_TYPES:
        axioms.update((q.subject, q.predicate, q.object) for q in _asserted(store, None, TYPE, cls))

    def objects(node: Term, predicate: Term) -> list[Term]:
        return list(dict.fromkeys(q.object for q in _asserted(store, node, predicate, None)))

    return compile_rules(axioms, objects)


def _keep(s: Term, p: Term, o: Term) -> bool:
    """Tell whether an entailment is worth keeping (``reasoning._worth_keeping`` on Oxigraph terms)."""
    if type(s) is not ox.NamedNode or type(o) is ox.BlankNode or type(p) is not ox.NamedNode:
        return False
    if s.value.startswith(BUILTIN):
        return False
    if s == o and p in _REFLEXIVE:
        return False
    if p == TYPE and o in TRIVIAL_TYPES:
        return False
    return not (p == _SUBCLASS and o == _THING)


def _edge(rules: Rules, prop: Term, a: str, b: str, graph: str) -> str:
    """Return a pattern matching the pairs (?a, ?b) of a property's triples, entailed ones included."""
    branches = []
    for source, reversed_ in rules.sources(prop):
        if isinstance(source, ox.NamedNode):
            s, o = (b, a) if reversed_ else (a, b)
            branches.append(f"{{ GRAPH {graph} {{ {s} {source} {o} }} }}")
    return " UNION ".join(branches) if branches else "FILTER(false)"


def _new(variables: tuple[str, ...], body: str, held: str) -> str:
    """Return a query for the distinct solutions of a body that no graph holds as a triple yet.

    Both sides of MINUS are sub-queries: Oxigraph then hashes them, several times faster on disk
    than FILTER NOT EXISTS or a plain MINUS, which probe the store once per solution.
    """
    names = " ".join(variables)
    return (f"SELECT {names} WHERE {{ {{ SELECT DISTINCT {names} WHERE {{ {body} }} }} "
            f"MINUS {{ SELECT {names} WHERE {{ GRAPH ?h {{ {held} }} }} }} }}")


def _chain_queries(rules: Rules) -> list[tuple[ox.NamedNode, str]]:
    """Return one query per property chain and transitive property: its new conclusions."""
    joins = list(rules.chains) + [(p, ((p, False), (p, False))) for p in sorted(rules.transitive, key=str)]
    found = []
    for head, steps in joins:
        if not isinstance(head, ox.NamedNode):
            continue
        body = []
        for i, (prop, reversed_) in enumerate(steps):
            a, b = (f"?v{i + 1}", f"?v{i}") if reversed_ else (f"?v{i}", f"?v{i + 1}")
            body.append("{ " + _edge(rules, prop, a, b, f"?g{i}") + " }")
        last = f"?v{len(steps)}"
        found.append((head, _new(("?v0", last), " ".join(body), f"?v0 {head} {last}")))
    return found


def _recursive(rules: Rules) -> bool:
    """Tell whether a join's conclusion can feed a join: transitivity, or chains of chains."""
    joined = rules.joined()
    return bool(rules.transitive) or any(q in joined for head, _ in rules.chains
                                         for q, _ in rules.entails.get(head, ()))


def _type_queries(rules: Rules) -> dict[ox.NamedNode, str]:
    """Return, for each class the rules entail, a query for the resources newly of that class."""
    sources: dict[ox.NamedNode, list[str]] = defaultdict(list)
    for cls, entailed in rules.types.items():
        if isinstance(cls, ox.NamedNode):
            for d in entailed:
                sources[d].append(f"{{ GRAPH ?g {{ ?x a {cls} }} }}")
    # the tables are closed: a predicate's own triples give all the types its images would
    for table, pattern in ((rules.subject_types, "?x {p} ?y"),
                           (rules.object_types, "?y {p} ?x FILTER(!isLiteral(?x))")):
        for p, entailed in table.items():
            if isinstance(p, ox.NamedNode):
                for d in entailed:
                    sources[d].append(f"{{ GRAPH ?g {{ {pattern.format(p=p)} }} }}")
    return {d: _new(("?x",), " UNION ".join(srcs), f"?x a {d}")
            for d, srcs in sorted(sources.items(), key=lambda item: str(item[0]))}


def _image_queries(rules: Rules) -> dict[ox.NamedNode, str]:
    """Return, for each predicate the rules entail, a query for its new (subject, object) pairs."""
    sources: dict[ox.NamedNode, list[str]] = defaultdict(list)
    for p in rules.entails:
        if isinstance(p, ox.NamedNode):
            for q, reversed_ in rules.images(p):
                pattern = f"?y {p} ?x FILTER(!isLiteral(?x))" if reversed_ else f"?x {p} ?y"
                sources[q].append(f"{{ GRAPH ?g {{ {pattern} }} }}")
    return {q: _new(("?x", "?y"), " UNION ".join(srcs), f"?x {q} ?y")
            for q, srcs in sorted(sources.items(), key=lambda item: str(item[0]))}


def _join(store: ox.Store, rules: Rules, progress: Progress) -> list[Triple]:
    """Write the conclusions of chains and transitive properties to the inferred graph."""
    queries = _chain_queries(rules)
    recursive = _recursive(rules)
    found: list[Triple] = []
    for _ in range(_MAX_ROUNDS):
        new: set[Triple] = set()
        for head, query in queries:
            # A literal cannot be a subject in RDF: OWL 2 chains object properties, and owlrl's
            # generalised triples with a literal subject are dropped from its inferred graph.
            new.update((row[0], head, row[1]) for row in store.query(query)
                       if not isinstance(row[0], ox.Literal))
        if not new:
            return found
        store.bulk_extend(ox.Quad(s, p, o, INFERRED) for s, p, o in new)
        found.extend(new)
        progress.step(f"rules: {len(new)} triple(s) from property chains")
        if not recursive:
            return found
    raise ReasoningError(f"rules: property chains still entailed new triples after {_MAX_ROUNDS} "
                         f"rounds", axiom=None)


def _expand(store: ox.Store, rules: Rules) -> Iterable[ox.Quad]:
    """Yield what the one-premise rules entail from every triple in the store, not yet held."""
    for cls, query in _type_queries(rules).items():
        for row in store.query(query):
            x = row[0]
            if type(x) is ox.NamedNode and not x.value.startswith(BUILTIN):
                yield ox.Quad(x, TYPE, cls, INFERRED)
    for predicate, query in _image_queries(rules).items():
        for row in store.query(query):
            x, y = row[0], row[1]
            if type(x) is ox.NamedNode and type(y) is not ox.BlankNode \
                    and not x.value.startswith(BUILTIN):
                yield ox.Quad(x, predicate, y, INFERRED)


def _held(store: ox.Store, triple: Triple) -> bool:
    return bool(_asserted(store, *triple))


def reason_store(store: ox.Store, progress: Progress = QUIET) -> int:
    """Replace the inferred graph of a store with the OWL 2 RL entailments of its named graphs.

    The result is what ``reasoning.infer(dataset, "owlrl")`` returns for the same graphs; return
    the number of inferred triples. Raise :class:`~.errors.ReasoningError`, leaving the store as
    it was, when the ontology holds an axiom the compiled rules do not implement.
    """
    progress.step("rules: compiling the ontology")
    rules = read_rules(store)
    store.clear_graph(INFERRED)
    progress.step("rules: joining property chains")
    joined = _join(store, rules, progress)
    progress.step("rules: applying the class and property rules")
    entailed = list(_expand(store, rules))
    store.bulk_extend(entailed)
    dropped = [ox.Quad(*t, INFERRED) for t in joined if not _keep(*t)]
    for quad in dropped:
        store.remove(quad)
    schema = [ox.Quad(*t, INFERRED) for t in rules.schema if _keep(*t) and not _held(store, t)]
    store.extend(schema)
    # No triple is counted twice: each query returns distinct triples of its own predicate or
    # class that no graph held, and the schema rules entail no rdf:type nor instance predicate.
    count = len(joined) - len(dropped) + len(entailed) + len(schema)
    progress.step(f"rules: {count} inferred triple(s)")
    return count
