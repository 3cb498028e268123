"""SHACL validation as SPARQL on the store: the shapes are compiled to SELECT queries
(:mod:`legiongraph.shaclcompile`, :mod:`legiongraph.shaclplan`) and run on the union of the
store's named graphs, so that validating a million triples never loads them into rdflib.

pySHACL (:func:`legiongraph.validation.validate`) stays the reference: :func:`validate_store`
returns the same :class:`~legiongraph.validation.ValidationReport`, result for result (top-level
results only, as validation.validate keeps them). Shapes outside the supported subset of SHACL Core
raise :class:`~legiongraph.errors.ShapesError` before any query runs.
"""

from __future__ import annotations

from rdflib import Graph, Literal
from rdflib.namespace import SH, XSD
from rdflib.term import Node

from .progress import QUIET, Progress
from .shaclcompile import Check, CompiledQuery, Plan
from .shaclplan import compile_shapes
from .stores.base import Store
from .validation import ValidationReport, Violation, _short

__all__ = ["Check", "CompiledQuery", "Plan", "compile_shapes", "run_plan", "run_query",
           "validate_store"]

_ALLOWED_SEVERITIES = (SH.Info, SH.Warning)  # validation.validate allows warnings (and infos)


def _true(term: Node | None) -> bool:
    return isinstance(term, Literal) and term.datatype == XSD.boolean and term.value is True


def run_query(store: Store, query: CompiledQuery) -> list[tuple[Check, Violation]]:
    """Run one compiled query and return its results, with the check each comes from."""
    answer = store.query(query.sparql)
    index = {name: i for i, name in enumerate(answer.variables)}
    rows: dict[tuple, set[str]] = {}  # one row per key; the labels of its focus node
    for row in answer.rows:
        key = tuple(row[index[name]] for name in query.key)
        labels = rows.setdefault(key, set())
        label = row[index["label"]]
        if label is not None:
            labels.add(str(label))
    found = []
    for key, labels in rows.items():
        values = dict(zip(query.key, key, strict=True))
        for check in query.checks:
            if check.flag is not None and not _true(values[check.flag]):
                continue
            if check.passes is not None and check.passes(values):
                continue  # SPARQL could not be sure; pySHACL's own test says it passes
            found.append((check, Violation(
                focus=values["f"],
                message=check.message,
                severity=_short(check.severity),
                path=check.path,
                value=values[check.value] if check.value else None,
                shape=check.shape,
                focus_label=min(labels) if labels else None,
            )))
    return found


def run_plan(store: Store, plan: Plan, *, detect: bool = True,
             progress: Progress = QUIET) -> ValidationReport:
    """Run a compiled plan: its detectors, then the exact queries they name (all if not ``detect``)."""
    if detect:
        todo = set(plan.always)
        for detector in plan.detectors:
            answer = store.query(detector)
            todo.update(int(row[0]) for row in answer.rows if row[0] is not None)
    else:
        todo = set(range(len(plan.queries)))
    progress.step(f"validating: {len(todo)} of {len(plan.queries)} SHACL queries to run")
    conforms = True
    violations: list[Violation] = []
    for index in sorted(todo):
        for check, violation in run_query(store, plan.queries[index]):
            violations.append(violation)
            conforms = conforms and check.severity in _ALLOWED_SEVERITIES
    violations.sort(key=lambda v: (str(v.focus), v.message, str(v.path), str(v.value), str(v.shape)))
    return ValidationReport(conforms=conforms, violations=violations)


def validate_store(store: Store, shapes: Graph, progress: Progress = QUIET) -> ValidationReport:
    """Validate the union of every named graph of a store against SHACL shapes, with SPARQL.

    Returns what :func:`legiongraph.validation.validate` returns for the same data. Raises
    :class:`~legiongraph.errors.ShapesError` if the shapes use an unsupported construct.
    """
    plan = compile_shapes(shapes)
    progress.step(f"validating (SHACL compiled to {len(plan.queries)} SPARQL queries and "
                  f"{len(plan.detectors)} detectors)")
    return run_plan(store, plan, progress=progress)
