"""Data-driven tests of the SHACL shapes in ontology/shapes.ttl.

Every file in tests/fixtures/shapes/ is one test case, named after the node shape it exercises:

* ``NAME.conforming.ttl`` (or ``NAME--CASE.conforming.ttl``): validates without any result;
* ``NAME.violating.ttl`` / ``NAME--CASE.violating.ttl``: starts with the comment lines
  ``# focus: <IRI>`` and ``# message: TEXT`` (and optionally ``# path: <IRI>``) naming one expected
  result; every result it produces must come from the shape NAME, its property shapes or the
  shapes they use through sh:node.

A fixture holds instance data only. As in the build, the test puts the ontology and the concept
schemes in the ontology graph and the fixture in a source graph, runs OWL 2 RL reasoning
(:func:`legiongraph.reasoning.infer`) and validates the union of asserted and inferred triples.

OWL RL reasoning over the whole ontology takes about 1.5 s, too long to repeat for well over a
hundred fixtures. So the ontology's own entailments are computed once, and each fixture is reasoned
over together with the closure of the ontology's axioms only (sub-class, sub-property, domain,
range, inverse, chain...: the triples in the RDF, RDFS and OWL namespaces that are not labels,
comments or mere declarations). Labels, definitions and the concepts of the schemes take part in no
OWL RL rule, so the graph that gets validated is the same as with reasoning over the full ontology;
:func:`test_fast_reasoning_matches_full_reasoning` checks that on all fixtures together.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import owlrl
import pytest
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Node

from legiongraph.iris import GRAPH_ONTOLOGY, source_graph
from legiongraph.parsing import format_for, parse_graph
from legiongraph.pipeline.build import load_shapes
from legiongraph.reasoning import infer
from legiongraph.resources import Resources
from legiongraph.shacl.validation import ValidationReport, validate

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
LGSH = "https://w3id.org/legiongraph/shapes#"
FIXTURE_GRAPH = source_graph("shape-fixture")
_FILE_NAME = re.compile(
    r"^(?P<shape>[A-Z][A-Za-z0-9]*Shape)(?:--(?P<case>[a-z0-9][a-z0-9-]*))?"
    r"\.(?P<kind>conforming|violating)\.ttl$"
)
_HEADER = re.compile(r"^#\s*(?P<key>focus|message|path):\s*(?P<value>.*?)\s*$")
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


@dataclass(frozen=True)
class Case:
    """One fixture file and what it expects."""

    path: Path
    shape: URIRef
    conforming: bool
    focus: URIRef | None = None
    message: str | None = None
    result_path: URIRef | None = None

    @property
    def id(self) -> str:
        return self.path.name.removesuffix(".ttl")


def _iri(text: str, where: Path) -> URIRef:
    match = re.fullmatch(r"<([^<>\s]+)>", text)
    if not match:
        raise ValueError(f"{where.name}: expected an <IRI>, got {text!r}")
    return URIRef(match.group(1))


def _read_case(path: Path) -> Case:
    match = _FILE_NAME.match(path.name)
    if not match:
        raise ValueError(f"{path.name}: name it SHAPE.conforming.ttl, SHAPE.violating.ttl or "
                         "SHAPE--case.violating.ttl, SHAPE being a shape's local name")
    shape = URIRef(LGSH + match.group("shape"))
    if match.group("kind") == "conforming":
        return Case(path, shape, conforming=True)
    header: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        found = _HEADER.match(line)
        if found:
            header[found.group("key")] = found.group("value")
    if "focus" not in header or "message" not in header:
        raise ValueError(f"{path.name}: a violating fixture starts with '# focus: <IRI>' and "
                         "'# message: ...' comment lines")
    return Case(
        path, shape, conforming=False,
        focus=_iri(header["focus"], path),
        message=header["message"],
        result_path=_iri(header["path"], path) if "path" in header else None,
    )


def _cases() -> list[Case]:
    return [_read_case(p) for p in sorted(FIXTURES.glob("*.ttl"))]


CASES = _cases()


# Predicates of the RDF, RDFS and OWL namespaces that carry no OWL RL semantics, and classes whose
# rdf:type triples only declare a term.
_NOT_AXIOMS = {RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy, OWL.versionInfo,
               OWL.versionIRI, OWL.imports}
_DECLARATIONS = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
                 OWL.Ontology, OWL.NamedIndividual, RDF.Property, RDFS.Class}
_SCHEMA_NS = (str(RDF), str(RDFS), str(OWL))


def _axioms(ontology: Graph) -> Graph:
    """Return the triples of the ontology that OWL RL rules can use as premises."""
    axioms = Graph()
    for s, p, o in ontology:
        if not str(p).startswith(_SCHEMA_NS) or p in _NOT_AXIOMS:
            continue
        if p == RDF.type and (o in _DECLARATIONS or not str(o).startswith(_SCHEMA_NS)):
            continue
        axioms.add((s, p, o))
    return axioms


def _closure(graph: Graph) -> Graph:
    """Return the full OWL RL closure of a graph, with the settings legiongraph.reasoning uses."""
    closed = Graph()
    for triple in graph:
        closed.add(triple)
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, rdfs_closure=False, axiomatic_triples=False, datatype_axioms=False,
    ).expand(closed)
    return closed


@dataclass(frozen=True)
class Schema:
    """What every fixture is validated with, parsed and reasoned over once per module."""

    ontology: Graph  # ontology and concept schemes, as asserted
    ontology_inferred: Graph  # infer() of the whole ontology alone
    axiom_closure: Graph  # full OWL RL closure of the ontology's axioms, fed to the reasoner
    shapes: Graph


@pytest.fixture(scope="module")
def schema() -> Schema:
    resources = Resources()
    ontology = Graph()
    for res in resources.ontology():
        for triple in parse_graph(res.read_bytes(), format_for(res.name), res.location):
            ontology.add(triple)
    dataset = Dataset()
    target = dataset.graph(GRAPH_ONTOLOGY)
    for triple in ontology:
        target.add(triple)
    return Schema(ontology, infer(dataset), _closure(_axioms(ontology)), load_shapes(resources))


def _parse_fixture(path: Path) -> Graph:
    return parse_graph(path.read_bytes(), format_for(path.name), str(path))


def _data_graph(schema: Schema, data: Graph, *, fast: bool = True) -> Graph:
    """Reason over ontology + data as the build does and return what validation sees."""
    dataset = Dataset()
    onto = dataset.graph(GRAPH_ONTOLOGY)
    for triple in schema.axiom_closure if fast else schema.ontology:
        onto.add(triple)
    source = dataset.graph(FIXTURE_GRAPH)
    for triple in data:
        source.add(triple)
    union = Graph()
    parts = [schema.ontology, data, infer(dataset)]
    if fast:
        parts.append(schema.ontology_inferred)
    for part in parts:
        for triple in part:
            union.add(triple)
    return union


def _validate(schema: Schema, path: Path) -> ValidationReport:
    return validate(_data_graph(schema, _parse_fixture(path)), schema.shapes)


def _owned_shapes(shapes: Graph, shape: URIRef) -> set[Node]:
    """The node shape, its property shapes, and the shapes they use through sh:node.

    pySHACL nests the results of an sh:node shape under the result it causes (sh:detail), and
    legiongraph's report lists them too, so they count as results of the shape under test.
    """
    owned: set[Node] = set()
    todo: list[Node] = [shape]
    while todo:
        current = todo.pop()
        if current not in owned:
            owned.add(current)
            todo.extend(shapes.objects(current, SH.property))
            todo.extend(shapes.objects(current, SH.node))
    return owned


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_fixture(case: Case, schema: Schema) -> None:
    report = _validate(schema, case.path)
    if case.conforming:
        assert report.conforms and not report.violations, report.text()
        return
    assert not report.conforms, f"{case.path.name} conforms but should violate {case.shape}"
    expected = [
        v for v in report.violations
        if v.focus == case.focus and v.message == case.message
        and (case.result_path is None or v.path == case.result_path)
    ]
    assert expected, (
        f"no result with focus <{case.focus}>, path {case.result_path} and message "
        f"{case.message!r}; got:\n{report.text()}"
    )
    owned = _owned_shapes(schema.shapes, case.shape)
    strays = [v for v in report.violations if v.shape not in owned]
    assert not strays, (
        f"{case.path.name} also breaks shapes other than {case.shape}:\n"
        + "\n".join(f"  {v.shape}: {v.describe()}" for v in strays)
    )


def _targeted_node_shapes(shapes: Graph) -> set[URIRef]:
    return {s for p in _TARGETS for s in shapes.subjects(p, None) if isinstance(s, URIRef)}


def test_every_targeted_node_shape_has_fixtures(schema: Schema) -> None:
    covered: dict[URIRef, set[bool]] = {}
    for case in CASES:
        covered.setdefault(case.shape, set()).add(case.conforming)
    targeted = _targeted_node_shapes(schema.shapes)
    missing = sorted(
        f"{s.removeprefix(LGSH)}: needs a {kind} fixture"
        for s in targeted for ok, kind in ((True, "conforming"), (False, "violating"))
        if ok not in covered.get(s, set())
    )
    assert not missing, "\n".join(missing)
    unknown = sorted(c.path.name for c in CASES if c.shape not in targeted)
    assert not unknown, f"fixtures named after no targeted node shape: {unknown}"


def _logic_members(shapes: Graph) -> set[Node]:
    members: set[Node] = set()
    for prop in (SH["or"], SH["and"], SH.xone):
        for head in shapes.objects(None, prop):
            members.update(Collection(shapes, head))
    return members


def _all_shapes(shapes: Graph) -> Iterator[Node]:
    """Every node and property shape that can report a result, plus the named helper shapes.

    Anonymous value alternatives inside sh:or lists or sh:qualifiedValueShape (such as
    ``[ sh:datatype xsd:date ]``) are left out: SHACL reports their failure through the shape
    that holds the sh:or, with that shape's message.
    """
    found: set[Node] = set(_targeted_node_shapes(shapes))
    found.update(shapes.subjects(RDF.type, SH.NodeShape))
    found.update(shapes.subjects(RDF.type, SH.PropertyShape))
    found.update(shapes.subjects(SH.path, None))
    found.update(shapes.objects(None, SH.property))
    found.update(shapes.objects(None, SH.node))
    for member in _logic_members(shapes):
        if isinstance(member, URIRef) or (member, SH.path, None) in shapes:
            found.add(member)
    yield from sorted(found, key=str)


def test_every_shape_has_a_message_and_is_named(schema: Schema) -> None:
    shapes = schema.shapes
    unnamed = [s for s in _all_shapes(shapes) if isinstance(s, BNode)]
    assert not unnamed, f"{len(unnamed)} anonymous shape(s); name them lgsh:..."
    problems = []
    for shape in _all_shapes(shapes):
        for prop in (SH.message, SH.severity):
            if (shape, prop, None) not in shapes:
                problems.append(f"{shape} has no {prop.removeprefix(str(SH))}")
        if not str(shape).startswith(LGSH):
            problems.append(f"{shape} is not in the lgsh: namespace")
    assert not problems, "\n".join(problems)


def test_fast_reasoning_matches_full_reasoning(schema: Schema) -> None:
    """Reasoning from the axioms' closure gives the same graph as reasoning over the ontology."""
    data = Graph()
    for case in CASES:
        for triple in _parse_fixture(case.path):
            data.add(triple)
    fast = _data_graph(schema, data, fast=True)
    full = _data_graph(schema, data, fast=False)
    assert set(fast) == set(full)
