"""Run every sht:Validate test of the W3C SHACL Core suite under the default validator and pySHACL.

The suite is read where it is (``../shared/w3c/shacl-core/`` beside the repository); nothing of it is
copied into the project. Each test compares ``conforms`` and the result set (focus node, path,
source shape, value, severity) with the report the test expects; blank-node labels are ignored
(a blank node compares as ``_``, and a complex path, a blank node in the report, as ``_``).
"""

from __future__ import annotations

import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import rdflib
from rdflib import BNode, Graph, Namespace
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from conftest import SHARED
from legiongraph.shacl.validation import DEFAULT_VALIDATOR, ValidationReport, validate

SUITE = SHARED / "w3c" / "shacl-core"
MANIFEST = SUITE / "manifest.ttl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")

pytestmark = pytest.mark.skipif(not MANIFEST.exists(), reason=f"{MANIFEST} is not present")

#: pySHACL's known deviations from the suite, with the reason (the default validator has none)
PYSHACL_DEVIATIONS = {
    "property/uniqueLang-002": "pySHACL reads sh:uniqueLang \"1\"^^xsd:boolean as true and applies the "
                               "constraint; the suite says only the literal true activates it",
}

Result = tuple[object, ...]


@dataclass(frozen=True)
class W3CTest:
    """One sht:Validate test: its graphs and the report it expects."""

    name: str
    data: Path
    shapes: Path
    conforms: bool
    results: Counter[Result]


def _parse(path: Path) -> Graph:
    """Parse a test file keeping every literal as written.

    rdflib otherwise rewrites literals to canonical form, and so turns the ill-typed
    ``"none"^^xsd:boolean`` of property/or-datatypes-001 into a valid ``false`` and the ``"1"`` of
    property/uniqueLang-002 into the ``true`` that activates the constraint.
    """
    normalize = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False
    try:
        # Some tests hold ill-typed literals on purpose; rdflib warns about each of them.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return Graph().parse(path, format="turtle", publicID=path.as_uri())
    finally:
        rdflib.NORMALIZE_LITERALS = normalize


def _key(term: Node | None) -> object:
    return "_" if isinstance(term, BNode) else term


def _expected(report: Graph, node: Node) -> Counter[Result]:
    found: Counter[Result] = Counter()
    for r in report.objects(node, SH.result):
        one = {p: report.value(r, p) for p in (SH.focusNode, SH.resultPath, SH.sourceShape,
                                               SH.value, SH.resultSeverity)}
        found[(_key(one[SH.focusNode]), _key(one[SH.resultPath]), _key(one[SH.sourceShape]),
               _key(one[SH.value]), str(one[SH.resultSeverity]).rsplit("#", 1)[-1])] += 1
    return found


def _file(node: Node, here: Path) -> Path:
    return Path(str(node).removeprefix("file://")) if str(node).startswith("file://") else here


def _tests() -> list[W3CTest]:
    if not MANIFEST.exists():
        return []
    tests = []
    top = _parse(MANIFEST)
    for folder in sorted(top.objects(None, MF.include)):
        for test_file in sorted(_parse(_file(folder, MANIFEST)).objects(None, MF.include)):
            path = _file(test_file, MANIFEST)
            graph = _parse(path)
            for entries in graph.objects(None, MF.entries):
                for test in Collection(graph, entries):
                    if (test, RDF.type, SHT.Validate) not in graph:
                        continue
                    action, result = graph.value(test, MF.action), graph.value(test, MF.result)
                    name = f"{path.parent.name}/{str(test).rsplit('/', 1)[-1]}"
                    tests.append(W3CTest(
                        name=name,
                        data=_file(graph.value(action, SHT.dataGraph), path),
                        shapes=_file(graph.value(action, SHT.shapesGraph), path),
                        conforms=graph.value(result, SH.conforms).toPython(),
                        results=_expected(graph, result),
                    ))
    return tests


TESTS = _tests()


def _got(report: ValidationReport) -> Counter[Result]:
    found: Counter[Result] = Counter()
    for v in report.violations:
        path = v.path if v.path is not None else ("_" if v.path_text else None)
        found[(_key(v.focus), path, _key(v.shape), _key(v.value), v.severity)] += 1
    return found


def _run(test: W3CTest, validator: str) -> None:
    report = validate(_parse(test.data), _parse(test.shapes), validator, allow_warnings=False)
    assert report.conforms == test.conforms
    assert _got(report) == test.results


def test_the_suite_has_all_98_core_validate_tests() -> None:
    assert len(TESTS) == 98


@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_default_validator_passes_w3c_core_test(test: W3CTest) -> None:
    _run(test, DEFAULT_VALIDATOR)


@pytest.mark.parametrize("test", [
    pytest.param(t, marks=pytest.mark.xfail(strict=True, reason=PYSHACL_DEVIATIONS[t.name]))
    if t.name in PYSHACL_DEVIATIONS else t for t in TESTS
], ids=[t.name for t in TESTS])
def test_pyshacl_passes_w3c_core_test(test: W3CTest) -> None:
    _run(test, "pyshacl")
