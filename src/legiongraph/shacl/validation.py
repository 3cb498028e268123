"""SHACL validation, the one front door: a maintained engine by default, pySHACL as the reference.

Two engines give the same :class:`ValidationReport` (tests/test_w3c_shacl.py,
tests/test_shacl_differential.py; the few places where they differ are pySHACL's lenient reading of
ill-typed literals, listed there):

* ``"shacl"`` (the default): the ``shacl`` package, a Rust engine that implements all of SHACL Core;
  the data reaches it as N-Triples text, straight from the working store at build time;
* ``"pyshacl"``: pySHACL over rdflib graphs, the reference.

``"sparql"``, the name of the shape compiler this engine replaced, is kept as an alias of
``"shacl"`` so that a configuration file that names it still works (docs/validation.md).

Every result keeps the shape's ``sh:message`` (or a message generated from the constraint for a
shape without one) and the focus node's label. Validation is only ever called with parsed graphs
or a store, never with a string that an engine would treat as a location to fetch.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import shacl
from pyshacl import validate as pyshacl_validate
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from ..errors import LoadError, ShapesError
from ..oxterms import from_ox
from ..progress import QUIET, Progress

__all__ = ["DEFAULT_VALIDATOR", "ENGINES", "ValidationReport", "Violation", "alias_note", "engine_for",
           "store_ntriples", "validate", "validate_store"]

DEFAULT_VALIDATOR = "shacl"
#: validator name -> engine; "sparql" is the former default's name, kept as an alias
ENGINES = {"shacl": "shacl", "pyshacl": "pyshacl", "sparql": "shacl"}


@dataclass(frozen=True)
class Violation:
    """One SHACL result: which node, which property, which shape, and what is wrong."""

    focus: Node
    message: str
    severity: str
    #: the property, when the result path is one predicate (None for complex paths: see path_text)
    path: Node | None = None
    value: Node | None = None
    #: the shape that produced the result (a blank node for a nested property shape)
    shape: Node | None = None
    focus_label: str | None = None
    #: the local name of the constraint component, e.g. "MinCountConstraintComponent"
    component: str | None = None
    #: the nearest shape with an IRI that holds ``shape`` (``shape`` itself when named)
    root_shape: Node | None = None
    #: the result path in SPARQL property-path syntax, complex paths included
    path_text: str | None = None

    def describe(self) -> str:
        """Return the violation as one readable line."""
        who = f"{self.focus_label} <{self.focus}>" if self.focus_label else f"<{self.focus}>"
        if isinstance(self.path, URIRef):
            where = f" [{_short(self.path)}]"
        else:
            where = f" [{self.path_text}]" if self.path_text else ""
        value = f" (value: {self.value})" if self.value is not None else ""
        return f"{self.severity}: {who}{where}: {self.message}{value}"


def _short(term: Node | None) -> str:
    text = str(term)
    for sep in ("#", "/"):
        if sep in text:
            return text.rsplit(sep, 1)[1] or text
    return text


def _order(v: Violation) -> tuple[str, ...]:
    return (str(v.focus), v.message, str(v.path), str(v.value), str(v.shape))


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


def alias_note(validator: str) -> str | None:
    """Return a note saying what an alias validator name runs, None for an engine's own name."""
    if validator != "sparql":
        return None
    return ("validator 'sparql' is an alias of 'shacl': the shape compiler it named was replaced "
            "by the shacl engine; write validator = \"shacl\" (docs/validation.md)")


def engine_for(validator: str) -> str:
    """Return the engine a validator name selects, or raise ShapesError naming the choices."""
    try:
        return ENGINES[validator]
    except KeyError:
        raise ShapesError(f"validator: expected one of {', '.join(ENGINES)}, got {validator!r}") from None


# -- the shacl engine ---------------------------------------------------------------------------

_TERM_SUBJECT = b"<urn:x:s> <urn:x:p> "
_XSD_STRING = str(XSD.string)


def _term(text: str | None, cache: dict[str, Node]) -> Node | None:
    """Read one term the engine wrote in N-Triples syntax."""
    if text is None:
        return None
    if text not in cache:
        line = _TERM_SUBJECT + text.encode() + b" ."
        term = next(iter(ox.parse(line, format=ox.RdfFormat.N_TRIPLES))).object
        if isinstance(term, ox.Literal) and not term.language:
            # As written: rdflib would rewrite "2011-01-01"^^xsd:dateTime, an ill-typed value, into a
            # valid one.
            datatype = None if term.datatype.value == _XSD_STRING else URIRef(term.datatype.value)
            cache[text] = Literal(term.value, datatype=datatype, normalize=False)
        else:
            cache[text] = from_ox(term)
    return cache[text]


def _generated_message(result: shacl.Result) -> str:
    """Say which constraint failed, for a shape without sh:message."""
    name = result.component.removesuffix("ConstraintComponent")
    where = f" on {result.path}" if result.path else ""
    return f"the value does not satisfy sh:{name[:1].lower()}{name[1:]}{where}"


def _compile(shapes: Graph) -> shacl.Shapes:
    try:
        return shacl.Shapes.from_text(shapes.serialize(format="nt", encoding="utf-8").decode(),
                                      format="ntriples")
    except ValueError as exc:
        raise ShapesError(f"the SHACL shapes cannot be read: {exc}") from None


def _run_shacl(compiled: shacl.Shapes, ntriples: str | Path,
               allow_warnings: bool) -> tuple[bool, list[shacl.Result]]:
    try:
        if isinstance(ntriples, Path):
            report = compiled.validate_file(str(ntriples), allow_warnings=allow_warnings)
        else:
            report = compiled.validate_text(ntriples, format="ntriples", allow_warnings=allow_warnings)
    except ValueError as exc:
        raise LoadError(f"the data to validate cannot be read: {exc}") from None
    return report.conforms, report.results


def _violations(results: Iterable[shacl.Result], labels: dict[Node, str]) -> list[Violation]:
    cache: dict[str, Node] = {}
    found = []
    for r in results:
        focus = _term(r.focus_node, cache)
        path = _term(r.path, cache) if r.path and r.path.startswith("<") and r.path.endswith(">") \
            and " " not in r.path and r.path.count("<") == 1 else None
        found.append(Violation(
            focus=focus,
            message=r.message or _generated_message(r),
            severity=r.severity,
            path=path,
            value=_term(r.value, cache),
            shape=_term(r.source_shape, cache),
            focus_label=labels.get(focus),
            component=r.component,
            root_shape=_term(r.root_shape, cache),
            path_text=r.path,
        ))
    found.sort(key=_order)
    return found


def _labels_in(data: Graph, nodes: Iterable[Node]) -> dict[Node, str]:
    labels = {}
    for node in nodes:
        found = [str(label) for label in data.objects(node, RDFS.label)]
        if found:
            labels[node] = min(found)
    return labels


def _focus_nodes(results: Iterable[shacl.Result]) -> set[Node]:
    cache: dict[str, Node] = {}
    return {_term(r.focus_node, cache) for r in results}


# -- pySHACL, the reference ----------------------------------------------------------------------

def _one(results: Graph, node: Node, prop: URIRef) -> Node | None:
    return next(results.objects(node, prop), None)


_UNARY_PATHS = ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "({})*"), (SH.oneOrMorePath, "({})+"),
                (SH.zeroOrOnePath, "({})?"))


def _path_text(graph: Graph, node: Node | None, depth: int = 0) -> str | None:
    """Write a SHACL path in SPARQL property-path syntax (pySHACL gives the path node only)."""
    if node is None or depth > 20:
        return None
    if isinstance(node, URIRef):
        return f"<{node}>"
    for prop, form in _UNARY_PATHS:
        inner = graph.value(node, prop)
        if inner is not None:
            return form.format(_path_text(graph, inner, depth + 1))
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(str(_path_text(graph, n, depth + 1))
                              for n in Collection(graph, alternatives)) + ")"
    if graph.value(node, RDF.first) is not None:
        return "(" + "/".join(str(_path_text(graph, n, depth + 1)) for n in Collection(graph, node)) + ")"
    return None


def _validate_pyshacl(data: Graph, shapes: Graph, allow_warnings: bool) -> ValidationReport:
    conforms, results, _ = pyshacl_validate(
        data, shacl_graph=shapes, inference="none", advanced=False, allow_warnings=allow_warnings,
    )
    violations = []
    # Only top-level results: pySHACL nests the details of sh:node failures under sh:detail.
    for node in results.objects(None, SH.result):
        focus = _one(results, node, SH.focusNode)
        severity = _one(results, node, SH.resultSeverity)
        component = _one(results, node, SH.sourceConstraintComponent)
        path = _one(results, node, SH.resultPath)
        shape = _one(results, node, SH.sourceShape)
        path_text = _path_text(shapes, path) or _path_text(results, path)
        violations.append(Violation(
            focus=focus,
            message=str(_one(results, node, SH.resultMessage) or "constraint violated"),
            severity=_short(severity) if severity else "Violation",
            path=path if isinstance(path, URIRef) else None,
            value=_one(results, node, SH.value),
            shape=shape,
            focus_label=_labels_in(data, [focus]).get(focus),
            component=_short(component) if component is not None else None,
            root_shape=shape if isinstance(shape, URIRef) else None,
            path_text=path_text,
        ))
    violations.sort(key=_order)
    return ValidationReport(conforms=bool(conforms), violations=violations)


# -- the front door ------------------------------------------------------------------------------

def validate(data: Graph, shapes: Graph, validator: str = DEFAULT_VALIDATOR, *,
             allow_warnings: bool = True) -> ValidationReport:
    """Validate a parsed data graph against parsed shapes, without inference.

    Warnings and infos do not make the data non-conforming unless ``allow_warnings`` is False
    (as the SHACL specification itself defines conformance).
    """
    if not isinstance(data, Graph) or not isinstance(shapes, Graph):
        raise LoadError("validate() takes parsed rdflib graphs, never a location")
    if engine_for(validator) == "pyshacl":
        return _validate_pyshacl(data, shapes, allow_warnings)
    # rdflib writes literals as they were parsed, so "007"^^xsd:int reaches the engine as written.
    text = data.serialize(format="nt", encoding="utf-8").decode()
    conforms, results = _run_shacl(_compile(shapes), text, allow_warnings)
    return ValidationReport(conforms, _violations(results, _labels_in(data, _focus_nodes(results))))


def _store_labels(store: ox.Store, nodes: set[Node]) -> dict[Node, str]:
    named = sorted(str(n) for n in nodes if isinstance(n, URIRef))
    labels: dict[Node, str] = {}
    for start in range(0, len(named), 500):
        values = " ".join(f"<{iri}>" for iri in named[start:start + 500])
        query = (f"SELECT ?f (MIN(STR(?l)) AS ?label) WHERE {{ VALUES ?f {{ {values} }} "
                 f"GRAPH ?g {{ ?f <{RDFS.label}> ?l }} }} GROUP BY ?f")
        for row in store.query(query):
            if row["label"] is not None:
                labels[URIRef(row["f"].value)] = row["label"].value
    return labels


def store_ntriples(store: ox.Store) -> str:
    """Return every triple of every named graph of a store as N-Triples text."""
    parts = [store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=g) for g in store.named_graphs()]
    return b"".join(parts).decode()


def validate_store(store: ox.Store, shapes: Graph, validator: str = DEFAULT_VALIDATOR,
                   progress: Progress = QUIET, triples: Path | None = None) -> ValidationReport:
    """Validate the union of every named graph of a pyoxigraph store against SHACL shapes.

    ``triples``, an N-Triples file (``.nt``) holding exactly the store's triples, spares the
    ``shacl`` engine reading them back out of the store
    (:meth:`legiongraph.pipeline.staging.Staging.validation_triples`).
    """
    if engine_for(validator) == "pyshacl":
        merged = Graph()
        for q in store:
            merged.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
        return _validate_pyshacl(merged, shapes, True)
    compiled = _compile(shapes)
    progress.step(f"validating: {len(compiled)} shapes on the working store")
    data = triples if triples is not None else store_ntriples(store)
    conforms, results = _run_shacl(compiled, data, True)
    return ValidationReport(conforms, _violations(results, _store_labels(store, _focus_nodes(results))))
