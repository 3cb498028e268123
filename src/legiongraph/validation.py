"""SHACL validation with pySHACL, and a report an analyst can read.

Validation is only ever called with parsed graphs, never with a string that pySHACL would treat
as a location to fetch.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyshacl import validate as pyshacl_validate
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS, SH
from rdflib.term import Node

from .errors import LoadError

__all__ = ["ValidationReport", "Violation", "validate"]


@dataclass(frozen=True)
class Violation:
    """One SHACL result: which node, which property, which shape, and what is wrong."""

    focus: Node
    message: str
    severity: str
    path: Node | None = None
    value: Node | None = None
    shape: Node | None = None
    focus_label: str | None = None

    def describe(self) -> str:
        """Return the violation as one readable line."""
        who = f"{self.focus_label} <{self.focus}>" if self.focus_label else f"<{self.focus}>"
        where = f" [{_short(self.path)}]" if isinstance(self.path, URIRef) else ""
        value = f" (value: {self.value})" if self.value is not None else ""
        return f"{self.severity}: {who}{where}: {self.message}{value}"


def _short(term: Node | None) -> str:
    text = str(term)
    for sep in ("#", "/"):
        if sep in text:
            return text.rsplit(sep, 1)[1] or text
    return text


@dataclass
class ValidationReport:
    """The outcome of a validation run."""

    conforms: bool
    violations: list[Violation] = field(default_factory=list)

    def text(self) -> str:
        """Return the report as readable text, one violation a line."""
        if self.conforms:
            return "Conforms: the data satisfies every shape.\n"
        lines = [f"Does not conform: {len(self.violations)} problem(s)."]
        lines += ["  " + v.describe() for v in self.violations]
        return "\n".join(lines) + "\n"


def _one(results: Graph, node: Node, prop: URIRef) -> Node | None:
    return next(results.objects(node, prop), None)


def validate(data: Graph, shapes: Graph) -> ValidationReport:
    """Validate a parsed data graph against parsed shapes, without inference."""
    if not isinstance(data, Graph) or not isinstance(shapes, Graph):
        raise LoadError("validate() takes parsed rdflib graphs, never a location")
    conforms, results, _ = pyshacl_validate(
        data, shacl_graph=shapes, inference="none", advanced=False, allow_warnings=True,
    )
    violations = []
    # Only top-level results: pySHACL nests the details of sh:node failures under sh:detail.
    for node in results.objects(None, SH.result):
        focus = _one(results, node, SH.focusNode)
        severity = _one(results, node, SH.resultSeverity)
        label = next(data.objects(focus, RDFS.label), None)
        violations.append(Violation(
            focus=focus,
            message=str(_one(results, node, SH.resultMessage) or "constraint violated"),
            severity=_short(severity) if severity else "Violation",
            path=_one(results, node, SH.resultPath),
            value=_one(results, node, SH.value),
            shape=_one(results, node, SH.sourceShape),
            focus_label=str(label) if label is not None else None,
        ))
    violations.sort(key=lambda v: (str(v.focus), v.message, str(v.path)))
    return ValidationReport(conforms=bool(conforms), violations=violations)
