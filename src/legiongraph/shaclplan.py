"""Plan validation: the exact query of every targeted shape, and batched detectors that say which to run.

:func:`compile_shapes` is the entry point: :class:`~legiongraph.shaclcompile.Compiler` turns each
shape into SPARQL patterns, and the planner here writes them as the queries of a
:class:`~legiongraph.shaclcompile.Plan`.
"""

from __future__ import annotations

import re

from rdflib import Graph
from rdflib.namespace import SH

from .shaclcompile import LABEL, Check, CompiledQuery, Compiler, Item, Plan, Shape, Vars
from .shaclterms import all_of, le_passes, le_sparql, sparql_term

__all__ = ["compile_shapes"]


class _Planner:
    """Writes the exact queries of every targeted shape, and the detectors that cover them."""

    def __init__(self, compiler: Compiler) -> None:
        self.c = compiler
        self.queries: list[CompiledQuery] = []
        self.always: set[int] = set()
        self.value_branches: list[str] = []  # values that may fail, over the whole store
        self.max_branches: list[str] = []  # paths where some node may have two values
        self.min_groups: dict[tuple[str, bool], list[tuple[int, str]]] = {}  # (focus, inverse)

    def add(self, shape: Shape, key: tuple[str, ...], where: str, checks: list[Check],
            flags: tuple[str, ...] = ()) -> int:
        columns = " ".join(f"?{v}" for v in (*key, *flags))
        test = f"FILTER({' || '.join('?' + f for f in flags)})" if flags else ""
        sparql = (f"SELECT {columns} ?label WHERE {{\n  {{ SELECT DISTINCT {columns} WHERE {{\n"
                  f"    {where}\n    {test}\n  }} }}\n  OPTIONAL {{ ?f {LABEL} ?label }}\n}}")
        self.queries.append(CompiledQuery(shape.node, sparql, tuple(checks), (*key, *flags)))
        return len(self.queries) - 1

    def unit(self, shape: Shape, focus: str) -> None:
        """Plan every result ``shape`` reports for the focus nodes ``focus``."""
        if shape.deactivated:
            return
        c, vs = self.c, Vars()
        if shape.path is None:
            rows, value = focus, "?f"
        else:
            rows, value = f"{focus} {{ SELECT ?f ?v WHERE {{ ?f {shape.sparql_path} ?v }} }}", "?v"
        key = ("f",) if shape.path is None else ("f", "v")
        binds, checks, tests = [], [], []
        for param, arg in c.leaves(shape):
            expr = c.term_expr(shape, param, arg, value)
            test = c.recheck(shape, param, arg)
            passes = (lambda row, t=test, col=value[1:]: t(row[col])) if test else None
            shown = None if param == SH.hasValue else value[1:]
            if expr is not None:
                flag = f"k{len(binds)}"
                binds.append(f"BIND(!COALESCE({expr}, false) AS ?{flag})")
                checks.append(c.check(shape, shown, flag, passes))
                tests.append(expr)
                continue
            item = c.leaf_item(shape, param, arg, value, vs)
            q = self.add(shape, key, c.restrict([item], False, rows, value, vs),
                         [c.check(shape, shown, None, passes)])
            self.detect_values(q, shape, [item], vs)
        if binds:
            q = self.add(shape, key, rows + "\n    " + "\n    ".join(binds), checks,
                         tuple(ch.flag for ch in checks))
            self.detect_values(q, shape, [("filter", all_of(tests))], vs)
        for prop in shape.params.get(SH.property, []):
            c.stack.append(shape.node)
            try:
                self.unit(c.sub(prop, SH.property), focus)
            finally:
                c.stack.pop()
        if shape.path is not None:
            self.property_unit(shape, focus, vs)

    def detect_values(self, q: int, shape: Shape, items: list[Item], vs: Vars) -> None:
        if shape.path is None:
            self.always.add(q)  # a node shape's own values are its focus nodes: no shortcut
            return
        scan = f"?f {shape.sparql_path} ?v ."
        self.value_branches.append(f"{{ {self.c.restrict(items, False, scan, '?v', vs)} "
                                   f"BIND({q} AS ?q) }}")

    def property_unit(self, shape: Shape, focus: str, vs: Vars) -> None:
        c, path, node = self.c, shape.sparql_path, shape.node
        for kind, item in c.property_items(shape, "?f", vs):
            if kind == "uniqueLang":
                where = f"{focus} {c.same_lang(shape, '?f', vs, '?lang')}"
                q = self.add(shape, ("f", "lang"), where, [c.check(shape, None)])
            elif kind == "lessThanOrEquals":
                continue  # reported pair by pair below
            else:
                q = self.add(shape, ("f",), c.restrict([item], False, focus, "?f", vs),
                             [c.check(shape, None)])
            simple = re.fullmatch(r"\^?<[^>]+>", path)
            if kind == "min" and simple and c.cardinality(shape, SH.minCount) == 1:
                group = self.min_groups.setdefault((focus, path.startswith("^")), [])
                group.append((q, path.lstrip("^")))
            elif kind == "max" and c.cardinality(shape, SH.maxCount) == 1:
                self.max_branches.append(f"{{ SELECT ({q} AS ?q) WHERE {{ ?f {path} ?v }} "
                                         "HAVING(COUNT(*) > COUNT(DISTINCT ?f)) }")
            else:
                self.always.add(q)
        for other in shape.params.get(SH.lessThanOrEquals, []):
            where = (f"{focus} {{ SELECT ?f ?v WHERE {{ ?f {path} ?v }} }} "
                     f"{{ SELECT ?f ?c WHERE {{ ?f {sparql_term(other, node)} ?c }} }} "
                     f"FILTER(!COALESCE({le_sparql('?v', '?c')}, false))")
            check = c.check(shape, "v", None, lambda row: le_passes(row["v"], row["c"]))
            self.always.add(self.add(shape, ("f", "v", "c"), where, [check]))

    def detectors(self) -> tuple[str, ...]:
        out = []
        if self.value_branches:
            out.append("SELECT DISTINCT ?q WHERE {\n" + "\nUNION\n".join(self.value_branches) + "\n}")
        if self.max_branches:
            out.append("SELECT ?q WHERE {\n" + "\nUNION\n".join(self.max_branches) + "\n}")
        groups = []
        for (focus, inverse), members in self.min_groups.items():
            pairs = " ".join(f"({q} {p})" for q, p in members)
            preds = " ".join(sorted({p for _, p in members}))
            scan = "?o ?p ?f" if inverse else "?f ?p ?o"
            groups.append(f"{{ {focus} VALUES (?q ?p) {{ {pairs} }} "
                          f"MINUS {{ VALUES ?p {{ {preds} }} {scan} }} }}")
        if groups:
            out.append("SELECT DISTINCT ?q WHERE {\n" + "\nUNION\n".join(groups) + "\n}")
        return tuple(out)


def compile_shapes(shapes: Graph) -> Plan:
    """Compile every shape with a target into exact SPARQL queries and the detectors for them.

    Raises :class:`ShapesError`, naming the shape and the component, for anything outside the
    supported subset of SHACL Core.
    """
    compiler = Compiler(shapes)
    compiler.check_graph()
    planner = _Planner(compiler)
    targeted = {s for p in (SH.targetClass, SH.targetSubjectsOf) for s in shapes.subjects(p, None)}
    for node in sorted(targeted, key=str):
        shape = compiler.shape(node)
        planner.unit(shape, compiler.focus(shape))
    return Plan(tuple(planner.queries), planner.detectors(), frozenset(planner.always))
