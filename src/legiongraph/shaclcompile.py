"""Compile SHACL Core shapes into SPARQL patterns that find their validation results.

Only the SHACL Core features legiongraph's shapes use are supported (see ``_ALLOWED``); any other
construct raises :class:`~legiongraph.errors.ShapesError` naming the shape and the component, so
that a caller can fall back to pySHACL. The semantics are pySHACL's, the reference, down to what it
puts in ``sh:value`` and how many results it reports.

Oxigraph evaluates joins of whole sets fast but per-row lookups (``EXISTS``, nested loops) slowly,
so every check is written with sets: the candidates are restricted by ``FILTER`` (tests of the
term alone), by a join with the set of nodes that pass, or by ``MINUS`` the set of nodes that fail
(:meth:`Compiler.restrict`). A :class:`Plan` holds one exact query per kind of result
(:class:`CompiledQuery`) and a few batched *detectors* that scan the store once for many checks,
ignoring the focus nodes, and name the queries that may find something; in conforming data most
exact queries never run.

A SPARQL condition on a single term is written to be true only if pySHACL certainly agrees that the
term passes. Where they can disagree (ill-typed literals under ``sh:datatype``, Python vs. XPath
regular expressions under ``sh:pattern``, comparisons under ``sh:minInclusive``,
``sh:lessThanOrEquals``) the query reports more and a :class:`Check` carries an exact Python
re-check that follows pySHACL's behaviour, the reference.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from .errors import ShapesError
from .shaclterms import (
    all_of,
    any_of,
    compare_sparql,
    datatype_passes,
    datatype_sparql,
    language_passes,
    le_sparql,
    node_kind_passes,
    pattern_sparql,
    python_regex,
    range_passes,
    show_node,
    sparql_term,
    string_value,
)

__all__ = ["LABEL", "Check", "CompiledQuery", "Compiler", "Item", "Plan", "Shape", "Vars"]

_LEAVES = (SH["class"], SH.datatype, SH.nodeKind, SH["in"], SH.pattern, SH.languageIn,
           SH.minInclusive, SH.maxInclusive, SH.node, SH["or"], SH.hasValue)
_SINGLE = {SH.datatype, SH.nodeKind, SH["in"], SH.languageIn, SH.minCount, SH.maxCount,
           SH.uniqueLang, SH.qualifiedMinCount, SH.qualifiedMaxCount}
_PARAMS = set(_LEAVES) | _SINGLE | {SH.flags, SH.lessThanOrEquals, SH.property, SH.qualifiedValueShape}
_ALLOWED = _PARAMS | {SH.targetClass, SH.targetSubjectsOf, SH.path, SH.message, SH.severity,
                      SH.deactivated, SH.name, SH.description, SH.order, SH.group, SH.inversePath,
                      SH.oneOrMorePath, SH.declare, SH.prefix, SH.namespace}
_NODE_KINDS = {SH.IRI: "isIRI({0})", SH.Literal: "isLiteral({0})", SH.BlankNode: "isBlank({0})",
               SH.BlankNodeOrIRI: "(isBlank({0}) || isIRI({0}))",
               SH.BlankNodeOrLiteral: "(isBlank({0}) || isLiteral({0}))",
               SH.IRIOrLiteral: "(isIRI({0}) || isLiteral({0}))"}
_MAX_COUNT = 6
_TYPE, _SUB, LABEL = f"<{RDF.type}>", f"<{RDFS.subClassOf}>", f"<{RDFS.label}>"


@dataclass(frozen=True)
class Check:
    """How one query row turns into one validation result."""

    shape: Node  # sh:sourceShape
    message: str
    severity: URIRef
    path: Node | None  # sh:resultPath
    value: str | None  # the variable that gives sh:value, if any
    flag: str | None = None  # the variable that is true when this check fails; None: always
    #: exact Python test of the row; True means the row is not a failure after all
    passes: Callable[[dict[str, Node | None]], bool] | None = None


@dataclass(frozen=True)
class CompiledQuery:
    """One exact SELECT query (focus nodes included) and the checks its rows are read with."""

    shape: Node
    sparql: str
    checks: tuple[Check, ...]
    key: tuple[str, ...]  # the variables that identify a row (the rest is ?label)


@dataclass(frozen=True)
class Plan:
    """What validation runs: exact queries, and detectors that say which of them to run.

    Each detector is a SELECT whose ``?q`` values are indexes into ``queries``; a query no detector
    covers is in ``always``. Running every query gives the same results, only slower.
    """

    queries: tuple[CompiledQuery, ...]
    detectors: tuple[str, ...]
    always: frozenset[int]


@dataclass
class Shape:
    node: Node
    path: Node | None = None
    sparql_path: str | None = None
    severity: URIRef = SH.Violation
    message: str | None = None
    deactivated: bool = False
    params: dict[URIRef, list[Node]] = field(default_factory=dict)

    def one(self, param: URIRef) -> Node | None:
        values = self.params.get(param, [])
        return values[0] if values else None


def _short(term: Node) -> str:
    return "sh:" + str(term)[len(str(SH)):] if str(term).startswith(str(SH)) else f"<{term}>"



class Vars:
    def __init__(self) -> None:
        self.count = 0

    def new(self) -> str:
        self.count += 1
        return f"?x{self.count}"


def _distinct_select(var: str, pattern: str) -> str:
    return f"{{ SELECT DISTINCT {var} WHERE {{ {pattern} }} }}"


def _counted(var: str, pattern: str, value: str, test: str) -> str:
    return (f"{{ SELECT {var} WHERE {{ {pattern} }} GROUP BY {var} "
            f"HAVING(COUNT(DISTINCT {value}) {test}) }}")


# An item is one condition on a node: ("filter", expression) tests the term alone; ("set", pattern,
# positive) joins with the nodes that pass (positive) or fail; ("shape", Shape) and ("or", shapes)
# nest. Items are built for a variable name, and restrict() applies them to a candidate pattern.
Item = tuple


class Compiler:
    def __init__(self, graph: Graph) -> None:
        self.g = graph
        self.shapes: dict[Node, Shape] = {}
        self.stack: list[Node] = []

    # ----------------------------------------------------------------- reading the shapes graph
    def owner(self, node: Node) -> Node:
        """The named node a blank node hangs from, for error messages."""
        seen: set[Node] = set()
        while isinstance(node, BNode) and node not in seen:
            seen.add(node)
            parent = next(self.g.subjects(None, node), None)
            if parent is None:
                break
            node = parent
        return node

    def refuse(self, node: Node, what: str) -> ShapesError:
        owner = self.owner(node)
        inside = "" if owner == node else f" (inside {show_node(owner)})"
        return ShapesError(f"shape {show_node(node)}{inside}: {what} is not supported by the SPARQL "
                           "validator; validate with pySHACL instead")

    def check_graph(self) -> None:
        """Refuse every SHACL predicate this compiler does not implement, wherever it is used."""
        problems = [str(self.refuse(s, _short(p))) for s, p, _ in self.g
                    if str(p).startswith(str(SH)) and p not in _ALLOWED]
        classes = set(self.g.subjects(RDFS.subClassOf, RDFS.Class)) | {RDFS.Class}
        for kind in (SH.NodeShape, SH.PropertyShape):
            for shape in self.g.subjects(RDF.type, kind):
                if any(t in classes for t in self.g.objects(shape, RDF.type)):
                    problems.append(str(self.refuse(shape, "an implicit class target")))
        if problems:
            raise ShapesError("\n".join(sorted(set(problems))))

    def shape(self, node: Node) -> Shape:
        if node in self.shapes:
            return self.shapes[node]
        if isinstance(node, Literal):
            raise ShapesError(f"a literal {node!r} is used as a shape")
        shape = Shape(node)
        for p, o in self.g.predicate_objects(node):
            if p in _PARAMS:
                shape.params.setdefault(p, []).append(o)
        for param, values in shape.params.items():
            if param in _SINGLE and len(values) > 1:
                raise ShapesError(f"shape {show_node(node)}: more than one {_short(param)}")
        paths = list(self.g.objects(node, SH.path))
        if len(paths) > 1:
            raise ShapesError(f"shape {show_node(node)}: more than one sh:path")
        if paths:
            shape.path, shape.sparql_path = paths[0], self.path(paths[0], node)
        severities = set(self.g.objects(node, SH.severity))
        messages = set(self.g.objects(node, SH.message))
        deactivated = set(self.g.objects(node, SH.deactivated))
        if len(severities) > 1:
            raise ShapesError(f"shape {show_node(node)}: more than one sh:severity")
        if len(messages) > 1:
            raise self.refuse(node, "more than one sh:message")
        if len(deactivated) > 1 or any(not isinstance(d, Literal) for d in deactivated):
            raise ShapesError(f"shape {show_node(node)}: sh:deactivated takes one boolean literal")
        shape.severity = next(iter(severities), SH.Violation)
        shape.message = str(next(iter(messages))) if messages else None
        shape.deactivated = bool(deactivated and next(iter(deactivated)).value)
        if shape.path is None:
            for param in (SH.minCount, SH.maxCount, SH.uniqueLang, SH.lessThanOrEquals,
                          SH.qualifiedValueShape):
                if param in shape.params:
                    raise self.refuse(node, f"{_short(param)} on a node shape")
        elif SH.property in shape.params:
            raise self.refuse(node, "sh:property on a property shape")
        self.shapes[node] = shape
        return shape

    def path(self, path: Node, where: Node) -> str:
        if isinstance(path, URIRef):
            return sparql_term(path, where)
        if isinstance(path, BNode):
            preds = set(self.g.predicates(path, None))
            if preds == {SH.inversePath}:
                return f"^{self.path(self.g.value(path, SH.inversePath), where)}"
            if preds == {SH.oneOrMorePath}:
                return f"({self.path(self.g.value(path, SH.oneOrMorePath), where)})+"
            kind = "a sequence path" if RDF.first in preds else "a path using " + ", ".join(
                sorted(_short(p) for p in preds))
            raise self.refuse(where, kind)
        raise ShapesError(f"shape {show_node(where)}: sh:path must be an IRI or a path node")

    def items_of(self, head: Node, shape: Node, param: URIRef) -> list[Node]:
        try:
            return list(Collection(self.g, head))
        except Exception:  # rdflib raises various errors for a broken list
            raise ShapesError(f"shape {show_node(shape)}: {_short(param)} needs an RDF list") from None

    def sub(self, node: Node, param: URIRef) -> Shape:
        shape = self.shape(node)
        if param == SH.node and shape.path is not None:
            raise ShapesError(f"sh:node {show_node(node)} is a property shape")
        if param == SH.property and shape.path is None:
            raise ShapesError(f"sh:property {show_node(node)} has no sh:path")
        return shape

    def members(self, shape: Shape, head: Node) -> list[Shape]:
        members = [self.shape(m) for m in self.items_of(head, shape.node, SH["or"])]
        if not members:
            raise ShapesError(f"shape {show_node(shape.node)}: sh:or needs a non-empty list")
        return members

    def leaves(self, shape: Shape) -> list[tuple[URIRef, Node]]:
        """The parameters that test each value node on its own, in a fixed order."""
        out = [(p, a) for p in _LEAVES for a in shape.params.get(p, [])
               if not (p == SH.hasValue and shape.path is not None)]
        return out

    def cardinality(self, shape: Shape, param: URIRef) -> int | None:
        value = shape.one(param)
        if value is None:
            return None
        if not (isinstance(value, Literal) and value.datatype == XSD.integer and value.value >= 0):
            raise ShapesError(f"shape {show_node(shape.node)}: {_short(param)} must be an integer >= 0")
        if value.value > _MAX_COUNT:
            raise self.refuse(shape.node, f"{_short(param)} above {_MAX_COUNT}")
        return int(value.value)

    def flags(self, shape: Shape) -> str:
        return str(shape.one(SH.flags) or "")

    def langs(self, shape: Shape, head: Node) -> set[str]:
        langs = set()
        for item in self.items_of(head, shape.node, SH.languageIn):
            if not isinstance(item, Literal) or not isinstance(item.value, str):
                raise ShapesError(f"shape {show_node(shape.node)}: sh:languageIn takes strings")
            langs.add(str(item.value).lower())
        return langs

    def enter(self, shape: Shape) -> None:
        if shape.severity != SH.Violation:
            raise self.refuse(shape.node, f"sh:severity {_short(shape.severity)} on a shape used "
                                          "by sh:node, sh:or or sh:qualifiedValueShape")
        if shape.node in self.stack:
            raise self.refuse(shape.node, "a recursive shape")

    # --------------------------------------------------------------- conditions on one term
    def term_expr(self, shape: Shape, param: URIRef, arg: Node, var: str) -> str | None:
        """A SPARQL test of the term alone, true only if pySHACL certainly passes it (or None)."""
        node = shape.node
        if param == SH.datatype:
            return datatype_sparql(var, arg, node)
        if param == SH.nodeKind:
            if arg not in _NODE_KINDS:
                raise ShapesError(f"shape {show_node(node)}: unknown sh:nodeKind {arg}")
            return _NODE_KINDS[arg].format(var)
        if param == SH["in"]:
            members = self.items_of(arg, node, param)
            return "(" + " || ".join(f"sameTerm({var}, {sparql_term(m, node)})"
                                     for m in members) + ")" if members else "false"
        if param == SH.pattern:
            return pattern_sparql(var, arg, self.flags(shape))
        if param == SH.languageIn:
            langs = self.langs(shape, arg)
            tagged = f'isLiteral({var}) && LANG({var}) != ""'
            if "*" in langs:
                return f"({tagged})"
            listed = ", ".join(sparql_term(Literal(x), node) for x in sorted(langs)) or '""'
            return (f"({tagged} && (LCASE(LANG({var})) IN ({listed}) || "
                    f'LCASE(STRBEFORE(CONCAT(LANG({var}), "-"), "-")) IN ({listed})))')
        if param in (SH.minInclusive, SH.maxInclusive):
            return compare_sparql(var, ">=" if param == SH.minInclusive else "<=", arg, node)
        if param == SH.hasValue:
            return f"sameTerm({var}, {sparql_term(arg, node)})"
        if param in (SH.node, SH["or"]):
            shapes = [self.sub(arg, param)] if param == SH.node else self.members(shape, arg)
            exprs = [self.shape_expr(s, var) for s in shapes]
            if any(e is None for e in exprs):
                return None
            return exprs[0] if param == SH.node else any_of(exprs)
        return None  # sh:class needs the graph

    def shape_expr(self, shape: Shape, var: str) -> str | None:
        """A term-only SPARQL test of conformance to a shape that needs no graph, else None."""
        if shape.deactivated:
            return "true"
        if shape.path is not None or SH.property in shape.params:
            return None
        self.enter(shape)
        self.stack.append(shape.node)
        try:
            exprs = [self.term_expr(shape, p, a, var) for p, a in self.leaves(shape)]
        finally:
            self.stack.pop()
        return None if any(e is None for e in exprs) else all_of(exprs)

    def term_passes(self, shape: Shape, param: URIRef, arg: Node) -> Callable[[Node], bool] | None:
        """pySHACL's own test of one term against one parameter (None if it needs the graph)."""
        if param == SH.datatype:
            return lambda v: datatype_passes(v, arg)
        if param == SH.pattern:
            regex = python_regex(arg, self.flags(shape))
            return lambda v: not isinstance(v, BNode) and bool(regex.search(string_value(v)))
        if param in (SH.minInclusive, SH.maxInclusive):
            sign = 1 if param == SH.minInclusive else -1
            return lambda v: range_passes(v, arg, sign)
        if param == SH.nodeKind:
            return lambda v: node_kind_passes(v, arg)
        if param == SH["in"]:
            members = set(self.items_of(arg, shape.node, param))
            return lambda v: v in members
        if param == SH.languageIn:
            langs = self.langs(shape, arg)
            return lambda v: language_passes(v, langs)
        if param == SH.hasValue:
            return lambda v: v == arg
        if param == SH.node:
            return self.shape_passes(self.sub(arg, param))
        if param == SH["or"]:
            tests = [self.shape_passes(m) for m in self.members(shape, arg)]
            return None if None in tests else (lambda v: any(t(v) for t in tests))
        return None

    def shape_passes(self, shape: Shape) -> Callable[[Node], bool] | None:
        if shape.deactivated:
            return lambda v: True
        if shape.path is not None or SH.property in shape.params:
            return None
        tests = [self.term_passes(shape, p, a) for p, a in self.leaves(shape)]
        return None if None in tests else (lambda v: all(t(v) for t in tests))

    def recheck(self, shape: Shape, param: URIRef, arg: Node) -> Callable[[Node], bool] | None:
        """The exact Python re-check of a reported value, where SPARQL may report too much."""
        if param in (SH["class"], SH.nodeKind, SH["in"], SH.languageIn, SH.hasValue):
            return None  # the SPARQL test is exact
        if param == SH["or"]:
            # A value is reported only if no member certainly passed. The members that need the
            # graph are exact, so the value passes if a member decidable from the term passes.
            tests = [t for t in (self.shape_passes(m) for m in self.members(shape, arg)) if t]
            return (lambda v: any(t(v) for t in tests)) if tests else None
        return self.term_passes(shape, param, arg)

    # ------------------------------------------------------------------ the set algebra
    def leaf_item(self, shape: Shape, param: URIRef, arg: Node, var: str, vs: Vars) -> Item:
        expr = self.term_expr(shape, param, arg, var)
        if expr is not None:
            return ("filter", expr)
        if param == SH["class"]:
            t = vs.new()
            return ("set", _distinct_select(var, f"{t} {_SUB}* {sparql_term(arg, shape.node)} . "
                                                 f"{var} {_TYPE} {t}"), True)
        if param == SH.node:
            return ("shape", self.sub(arg, param))
        return ("or", self.members(shape, arg))

    def items(self, shape: Shape, var: str, vs: Vars) -> list[Item]:
        """Every condition a node (bound to ``var``) must meet to conform to ``shape``."""
        out = [self.leaf_item(shape, p, a, var, vs) for p, a in self.leaves(shape)
               if shape.path is None]
        out += [("shape", self.sub(p, SH.property)) for p in shape.params.get(SH.property, [])]
        if shape.path is not None:
            out += self.value_items(shape, var, vs)
            out += [item for _, item in self.property_items(shape, var, vs)]
        return out

    def value_items(self, shape: Shape, var: str, vs: Vars) -> list[Item]:
        """Every value of the path passes the shape's per-value parameters."""
        leaves = self.leaves(shape)
        if not leaves:
            return []
        value = vs.new()
        failing = self.fail_values(shape, leaves, f"{var} {shape.sparql_path} {value} .", value, vs)
        return [("set", _distinct_select(var, failing), False)]

    def fail_values(self, shape: Shape, leaves: list, candidates: str, value: str, vs: Vars) -> str:
        items = [self.leaf_item(shape, p, a, value, vs) for p, a in leaves]
        return self.restrict(items, False, candidates, value, vs)

    def property_items(self, shape: Shape, var: str, vs: Vars) -> list[tuple[str, Item]]:
        """The conditions on the focus node of a property shape, one per reported result kind."""
        path, node, out = shape.sparql_path, shape.node, []
        y = vs.new()
        scan = f"{var} {path} {y} ."
        low, high = self.cardinality(shape, SH.minCount), self.cardinality(shape, SH.maxCount)
        if low:
            out.append(("min", ("set", _distinct_select(var, scan) if low == 1
                                else _counted(var, scan, y, f">= {low}"), True)))
        if high is not None:
            out.append(("max", ("set", _distinct_select(var, scan) if high == 0
                                else _counted(var, scan, y, f"> {high}"), False)))
        for h in shape.params.get(SH.hasValue, []):
            out.append(("hasValue", ("set", _distinct_select(
                var, f"{var} {path} {sparql_term(h, node)} ."), True)))
        q_low = self.cardinality(shape, SH.qualifiedMinCount)
        q_high = self.cardinality(shape, SH.qualifiedMaxCount)
        q_shapes = shape.params.get(SH.qualifiedValueShape, [])
        if bool(q_shapes) != (q_low is not None or q_high is not None):
            raise ShapesError(f"shape {show_node(node)}: sh:qualifiedValueShape and a qualified count "
                              "go together")
        for q in q_shapes:
            q_shape = self.shape(q)
            v = vs.new()
            passing = self.restrict([("shape", q_shape)], True, f"{var} {path} {v} .", v, vs)
            if q_low:
                out.append(("qmin", ("set", _distinct_select(var, passing) if q_low == 1
                                     else _counted(var, passing, v, f">= {q_low}"), True)))
            if q_high is not None:
                out.append(("qmax", ("set", _counted(var, passing, v, f"> {q_high}"), False)))
        if self.unique_lang(shape):
            out.append(("uniqueLang", ("set", _distinct_select(var, self.same_lang(shape, var, vs)),
                                       False)))
        for other in shape.params.get(SH.lessThanOrEquals, []):
            a, b = vs.new(), vs.new()
            out.append(("lessThanOrEquals", ("set", _distinct_select(
                var, f"{{ SELECT {var} {a} WHERE {{ {var} {path} {a} }} }} "
                     f"{{ SELECT {var} {b} WHERE {{ {var} {sparql_term(other, node)} {b} }} }} "
                     f"FILTER(!COALESCE({le_sparql(a, b)}, false))"), False)))
        return out

    def same_lang(self, shape: Shape, var: str, vs: Vars, lang: str | None = None) -> str:
        a, lang = vs.new(), lang or vs.new()
        return (f"{{ SELECT {var} {lang} WHERE {{ {var} {shape.sparql_path} {a} "
                f'FILTER(isLiteral({a}) && LANG({a}) != "") BIND(LCASE(LANG({a})) AS {lang}) }} '
                f"GROUP BY {var} {lang} HAVING(COUNT(DISTINCT {a}) > 1) }}")

    def unique_lang(self, shape: Shape) -> bool:
        value = shape.one(SH.uniqueLang)
        if value is not None and not (isinstance(value, Literal) and isinstance(value.value, bool)):
            raise ShapesError(f"shape {show_node(shape.node)}: sh:uniqueLang takes a boolean")
        return bool(value is not None and value.value)

    def restrict(self, items: list[Item], passing: bool, rows: str, var: str, vs: Vars) -> str:
        """A group pattern: the rows of ``rows`` whose ``var`` meets all ``items`` (``passing``)
        or fails one of them. Failing is a superset and passing a subset of pySHACL's answer."""
        filters = [i[1] for i in items if i[0] == "filter"]
        others = [i for i in items if i[0] != "filter"]
        if not passing and others and (filters or len(others) > 1):
            return f"{{ {rows} }} MINUS {{ {self.restrict(items, True, rows, var, vs)} }}"
        if filters:
            test = f"COALESCE({all_of(filters)}, false)"
            rows = f"{rows} FILTER({test if passing else '!' + test})"
        for item in others:
            rows = self.restrict_one(item, passing, rows, var, vs)
        return rows

    def restrict_one(self, item: Item, passing: bool, rows: str, var: str, vs: Vars) -> str:
        kind = item[0]
        if kind == "set":
            keep = item[2] == passing  # join with the set, or take it away
            return f"{{ {rows} }} {item[1]}" if keep else f"{{ {rows} }} MINUS {item[1]}"
        if kind == "shape":
            shape = item[1]
            if shape.deactivated:
                return rows if passing else f"{rows} FILTER(false)"
            self.enter(shape)
            self.stack.append(shape.node)
            try:
                return self.restrict(self.items(shape, var, vs), passing, rows, var, vs)
            finally:
                self.stack.pop()
        members = item[1]
        if any(m.deactivated for m in members):
            return rows if passing else f"{rows} FILTER(false)"
        if passing:
            return f"{{ {rows} }} MINUS {{ {self.restrict_one(item, False, rows, var, vs)} }}"
        for member in members:  # fails every member, one after the other
            rows = self.restrict_one(("shape", member), False, rows, var, vs)
        return rows

    # --------------------------------------------------------------- reporting and detection
    def focus(self, shape: Shape) -> str:
        parts = [f"{{ ?c {_SUB}* {sparql_term(c, shape.node)} . ?f {_TYPE} ?c }}"
                 for c in self.g.objects(shape.node, SH.targetClass)]
        parts += [f"{{ ?f {sparql_term(p, shape.node)} ?o }}"
                  for p in self.g.objects(shape.node, SH.targetSubjectsOf)]
        return _distinct_select("?f", " UNION ".join(sorted(parts)))

    def check(self, shape: Shape, value: str | None, flag: str | None = None,
              passes: Callable[[dict], bool] | None = None) -> Check:
        if shape.message is None:
            raise self.refuse(shape.node, "a shape without sh:message that reports results "
                                          "(pySHACL writes its own messages)")
        return Check(shape.node, shape.message, shape.severity, shape.path, value, flag, passes)
