"""Differential tests of the SPARQL SHACL validator (:mod:`legiongraph.shaclsparql`) against pySHACL.

pySHACL, through :func:`legiongraph.validation.validate`, is the reference: on every fixture of
tests/fixtures/shapes/ (built into a data graph as tests/test_shapes.py does), on the built article,
on synthetic data with injected violations and on literals chosen to split hairs, the compiled
queries must report the same results (focus, path, message, value, source shape, severity, and as
many of each) on the in-memory Oxigraph store and on the memory store.

The reference validates the data the store holds (``store.to_dataset()``): Oxigraph keeps typed
literals in canonical form ("-5.0"^^xsd:decimal comes back as "-5"), so a reported sh:value can differ
from the file's spelling while naming the same value.

rdflib's SPARQL parser needs several seconds for the compiled queries, and MemoryStore parses every
query it gets; this module caches rdflib's ``prepareQuery`` (a pure function of the query text) so
that the memory store can be checked on every fixture in reasonable time.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS, XSD

import legiongraph.stores.memory as memory_module
from legiongraph.build import load_shapes, union
from legiongraph.errors import ShapesError, exit_code_for, http_status_for
from legiongraph.iris import GRAPH_ONTOLOGY
from legiongraph.loading import load_dataset
from legiongraph.reasoning import add_inferred
from legiongraph.resources import Resources
from legiongraph.shaclsparql import Plan, compile_shapes, run_plan, validate_store
from legiongraph.shaclterms import SAFE_LEXICAL, datatype_passes
from legiongraph.stores.base import Store
from legiongraph.stores.memory import MemoryStore
from legiongraph.stores.oxigraph import OxigraphStore
from legiongraph.synth import synthesize
from legiongraph.validation import ValidationReport, validate
from test_shapes import CASES, FIXTURE_GRAPH, Case, Schema, _data_graph, _parse_fixture
from test_shapes import schema as schema  # the module-scoped fixture, re-exported

STORES = ("oxigraph", "memory")
LG = Namespace("https://w3id.org/legiongraph/ontology#")
SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
LGSH = "https://w3id.org/legiongraph/shapes#"


@pytest.fixture(scope="module", autouse=True)
def parse_once() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(memory_module, "prepareQuery",
                      functools.cache(memory_module.prepareQuery))
        yield


@pytest.fixture(scope="module")
def plan(schema: Schema) -> Plan:
    return compile_shapes(schema.shapes)


def make_store(kind: str, dataset: Dataset) -> Store:
    store = OxigraphStore(None, read_only=False) if kind == "oxigraph" else MemoryStore()
    store.replace_all(dataset)
    return store


def rows(report: ValidationReport) -> list[tuple]:
    """The results as comparable tuples, a multiset in a stable order."""
    return sorted((str(v.focus), str(v.path), v.message, repr(v.value), str(v.shape), v.severity)
                  for v in report.violations)


def assert_same(store: Store, shapes: Graph, plan: Plan | None = None) -> ValidationReport:
    """Validate the store with SPARQL and its content with pySHACL; the reports must agree."""
    data = union(store.to_dataset())
    expected = validate(data, shapes)
    got = run_plan(store, plan) if plan is not None else validate_store(store, shapes)
    assert rows(got) == rows(expected), _diff(got, expected)
    assert got.conforms == expected.conforms
    for violation in got.violations:  # one of the focus node's labels, as pySHACL picks one
        labels = {str(label) for label in data.objects(violation.focus, RDFS.label)}
        assert violation.focus_label in labels if labels else violation.focus_label is None
    return got


def _diff(got: ValidationReport, expected: ValidationReport) -> str:
    extra = [r for r in rows(got) if r not in rows(expected)]
    missing = [r for r in rows(expected) if r not in rows(got)]
    return "SPARQL only:\n" + "\n".join(map(str, extra)) + "\npySHACL only:\n" + "\n".join(map(str, missing))


# --------------------------------------------------------------------------- every fixture
@functools.cache
def _fixture_dataset(case: Case, schema: Schema) -> Dataset:
    """What tests/test_shapes.py validates, as a dataset: the fixture's own triples sit in a second
    named graph too, so the union holds them twice (queries must not count them twice)."""
    fixture = _parse_fixture(case.path)
    dataset = Dataset()
    everything = dataset.graph(GRAPH_ONTOLOGY)
    for triple in _data_graph(schema, fixture):
        everything.add(triple)
    own = dataset.graph(FIXTURE_GRAPH)
    for triple in fixture:
        own.add(triple)
    return dataset


@pytest.mark.parametrize("kind", STORES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_fixture_matches_pyshacl(case: Case, kind: str, schema: Schema, plan: Plan) -> None:
    report = assert_same(make_store(kind, _fixture_dataset(case, schema)), schema.shapes, plan)
    assert report.conforms == case.conforming
    if not case.conforming:
        assert any(v.focus == case.focus and v.message == case.message for v in report.violations)


# --------------------------------------------------------------------------- the built article
@pytest.mark.parametrize("name", ["oxigraph_store", "memory_store"])
def test_built_article_conforms(name: str, request: pytest.FixtureRequest, compiled, resources) -> None:
    report = validate_store(request.getfixturevalue(name), load_shapes(resources))
    assert report.conforms and not report.violations, report.text()
    assert compiled[1].conforms  # pySHACL agrees (the build validated the same dataset)


# --------------------------------------------------------------------------- synthetic data
@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    """The article plus 3000 synthetic triples, reasoned over as the build does."""
    path = tmp_path_factory.mktemp("synth") / "synth-3000.trig"
    synthesize(path, 3000, seed=11)
    dataset = load_dataset(Resources(), [path])
    add_inferred(dataset)
    return dataset


def _copy(dataset: Dataset) -> Dataset:
    out = Dataset()
    for ctx in dataset.graphs():
        target = out.graph(ctx.identifier)
        for triple in ctx:
            target.add(triple)
    return out


class Mutator:
    """Injects violations into a copy of a dataset, each on a node no other mutation touched."""

    def __init__(self, dataset: Dataset, seed: int) -> None:
        self.dataset, self.rng, self.used = _copy(dataset), random.Random(seed), set()
        self.added = self.dataset.graph(URIRef("https://w3id.org/legiongraph/graph/source/mutations"))

    def pick(self, predicate: URIRef, obj: URIRef | None = None) -> tuple:
        found = sorted({(s, o) for ctx in self.dataset.graphs() for s, o in ctx.subject_objects(predicate)
                        if (obj is None or o == obj) and s not in self.used})
        subject, value = self.rng.choice(found)
        self.used.add(subject)
        return subject, value

    def remove(self, pattern: tuple) -> None:
        for ctx in self.dataset.graphs():
            ctx.remove(pattern)

    def replace(self, subject: URIRef, predicate: URIRef, new: object) -> None:
        self.remove((subject, predicate, None))
        self.added.add((subject, predicate, new))


def _drop_label(m: Mutator) -> str:
    person, _ = m.pick(RDF.type, SCHEMA.Person)
    m.remove((person, RDFS.label, None))
    return "LabelShape-label"


def _second_organization(m: Mutator) -> str:
    membership, org = m.pick(ORG.organization)
    others = sorted({s for ctx in m.dataset.graphs() for s in ctx.subjects(RDF.type, ORG.Organization)
                     if s != org})
    m.added.add((membership, ORG.organization, m.rng.choice(others)))
    return "MembershipShape-organization"


def _birth_date_text(m: Mutator) -> str:
    person, date = m.pick(SCHEMA.birthDate)
    m.replace(person, SCHEMA.birthDate, Literal(str(date)))
    return "PersonShape-birthDate"


def _nationality_not_country(m: Mutator) -> str:
    person, _ = m.pick(SCHEMA.nationality)
    m.added.add((person, SCHEMA.nationality, URIRef("https://w3id.org/legiongraph/id/org/glavkom")))
    return "PersonShape-nationality"


def _iso_lower_case(m: Mutator) -> str:
    country, code = m.pick(LG.isoAlpha2)
    m.replace(country, LG.isoAlpha2, Literal(str(code).lower()))
    return "CountryShape-isoAlpha2"


def _swapped_dates(m: Mutator) -> str:
    event, _ = m.pick(SEM.hasEarliestBeginTimeStamp)
    m.replace(event, SEM.hasEarliestBeginTimeStamp, Literal("2099-12-31", datatype=XSD.date))
    return "EventTimeSpanShape-order"


def _end_only(m: Mutator) -> str:
    event, _ = m.pick(SEM.hasEarliestBeginTimeStamp)
    m.remove((event, SEM.hasEarliestBeginTimeStamp, None))
    return "EventTimeSpanShape"


def _ill_typed_age(m: Mutator) -> str:
    statement, _ = m.pick(LG.ageInYears)
    m.replace(statement, LG.ageInYears, Literal("twenty", datatype=XSD.integer))
    return "AgeStatementShape-ageInYears"


def _spaced_age(m: Mutator) -> str:
    """A lexical form rdflib accepts and SPARQL cannot vouch for: no result, after a re-check."""
    statement, age = m.pick(LG.ageInYears)
    m.replace(statement, LG.ageInYears, Literal(f" {age} ", datatype=XSD.integer))
    return ""


def _unknown_certainty(m: Mutator) -> str:
    claim, _ = m.pick(LG.certainty)
    m.replace(claim, LG.certainty, URIRef("https://w3id.org/legiongraph/def/certainty/sure"))
    return "ProvenanceShape-certainty"


def _two_english_labels(m: Mutator) -> str:
    concept, _ = m.pick(RDF.type, SKOS.Concept)
    m.added.add((concept, SKOS.prefLabel, Literal("another name", lang="EN")))
    return "ConceptShape-prefLabel"


MUTATIONS: list[Callable[[Mutator], str]] = [
    _drop_label, _second_organization, _birth_date_text, _nationality_not_country, _iso_lower_case,
    _swapped_dates, _end_only, _ill_typed_age, _spaced_age, _unknown_certainty, _two_english_labels]


# rdflib's SPARQL engine takes seconds a run on synthetic data: the memory store is checked once.
@pytest.mark.parametrize("kind", ["oxigraph"])
def test_synthetic_data_conforms(kind: str, synthetic: Dataset, schema: Schema, plan: Plan) -> None:
    report = assert_same(make_store(kind, synthetic), schema.shapes, plan)
    assert report.conforms and not report.violations


@pytest.mark.parametrize(("seed", "kind"), [(1, "oxigraph"), (2, "oxigraph"), (1, "memory")])
def test_synthetic_data_with_injected_violations(kind: str, seed: int, synthetic: Dataset,
                                                 schema: Schema, plan: Plan) -> None:
    mutator = Mutator(synthetic, seed)
    expected = {LGSH + name for name in (mutate(mutator) for mutate in MUTATIONS) if name}
    store = make_store(kind, mutator.dataset)
    report = assert_same(store, schema.shapes, plan)
    assert not report.conforms
    assert expected <= {str(v.shape) for v in report.violations}, report.text()
    if kind == "oxigraph":  # the detectors are sound: running every exact query finds no more
        assert rows(run_plan(store, plan, detect=False)) == rows(report)


# --------------------------------------------------------------------------- single terms
EDGE_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> . @prefix ex: <http://example.org/> .
ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:p ; sh:message "node" ;
  sh:property ex:date , ex:int , ex:dec , ex:nn , ex:code , ex:codei , ex:dur , ex:le , ex:lang ,
    ex:str , ex:lstr , ex:any .
ex:date sh:path ex:date ; sh:datatype xsd:date ; sh:message "date" .
ex:int sh:path ex:int ; sh:datatype xsd:integer ; sh:minInclusive 0 ; sh:message "int" .
ex:dec sh:path ex:dec ; sh:datatype xsd:decimal ; sh:maxInclusive 1 ; sh:message "dec" .
ex:nn sh:path ex:nn ; sh:or ( [ sh:datatype xsd:nonNegativeInteger ] [ sh:datatype xsd:integer ] ) ;
  sh:minInclusive 0 ; sh:message "nn" .
ex:code sh:path ex:code ; sh:pattern "^[A-Z]{2}$" ; sh:message "code" .
ex:codei sh:path ex:code ; sh:pattern "^[a-z]{2}$" ; sh:flags "i" ; sh:message "codei" .
ex:dur sh:path ex:dur ; sh:datatype xsd:duration ; sh:message "dur" .
ex:le sh:path ex:begin ; sh:lessThanOrEquals ex:end ; sh:message "le" .
ex:lang sh:path ex:label ; sh:languageIn ( "en" "uk" ) ; sh:uniqueLang true ; sh:message "lang" .
ex:str sh:path ex:str ; sh:datatype xsd:string ; sh:maxCount 2 ; sh:message "str" .
ex:lstr sh:path ex:label ; sh:datatype rdf:langString ; sh:message "lstr" .
ex:any sh:path ex:any ; sh:datatype ex:custom ; sh:nodeKind sh:Literal ; sh:message "any" .
"""
EDGE_DATA = """
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix ex: <http://example.org/> .
ex:a ex:p 1 ;
  ex:date "2024-02-29"^^xsd:date , "2023-02-29"^^xsd:date , "2024-01-01Z"^^xsd:date ,
    "2024-1-1"^^xsd:date , "0999-01-01"^^xsd:date , "2024-01-01T10:00:00"^^xsd:date , "x" ;
  ex:int " 5"^^xsd:integer , "1_000"^^xsd:integer , "-3"^^xsd:integer , "abc"^^xsd:integer ,
    "5"^^xsd:string , 7 , "7.0"^^xsd:decimal , "+0"^^xsd:integer ;
  ex:dec 1.0 , 1.5 , "1e0"^^xsd:decimal , ".5"^^xsd:decimal , 2 ;
  ex:nn "-0"^^xsd:nonNegativeInteger , "-1"^^xsd:nonNegativeInteger , "05"^^xsd:nonNegativeInteger ,
    -4 , "4"^^xsd:byte ;
  ex:code "UA" , "UA\\n" , "ua" , <http://example.org/UA> , "UA"@en , "U" ;
  ex:dur "P10Y"^^xsd:duration , "P"^^xsd:duration , "10Y"^^xsd:duration , "PT"^^xsd:duration ,
    "-P1Y2M"^^xsd:duration , "P1W"^^xsd:duration ;
  ex:label "a"@en , "b"@EN , "c"@en-GB , "d"@de , "e" , "f"@uk-Latn ;
  ex:str "x" , "y"@en , "z"^^xsd:string , 3 ;
  ex:any "q"^^ex:custom , "r" , ex:notLiteral .
ex:b1 ex:p 1 ; ex:begin "2024-01-02"^^xsd:date , "2024-01-01"^^xsd:date ; ex:end "2024-01-01"^^xsd:date .
ex:b2 ex:p 1 ; ex:begin "x" , "z" ; ex:end "y" .
ex:b3 ex:p 1 ; ex:begin ex:iri , ex:zzz ; ex:end ex:iri .
ex:b4 ex:p 1 ; ex:begin 5 ; ex:end "6" .
ex:b5 ex:p 1 ; ex:begin 5 , 7 ; ex:end 6.5 .
ex:c ex:p 1 ; ex:begin "2024-01-01"^^xsd:date ; ex:end "2024-01-01"^^xsd:date .
ex:d ex:p 1 ; ex:begin 2 ; ex:end 10 ; ex:str "one" , "two" , "three" .
"""


@pytest.mark.parametrize("kind", STORES)
def test_hair_splitting_literals_match_pyshacl(kind: str) -> None:
    shapes = Graph().parse(data=EDGE_SHAPES, format="turtle")
    dataset = Dataset()
    target = dataset.graph(URIRef("http://example.org/g"))
    for triple in Graph().parse(data=EDGE_DATA, format="turtle"):
        target.add(triple)
    store = make_store(kind, dataset)
    report = assert_same(store, shapes)
    assert len(report.violations) > 20
    plan = compile_shapes(shapes)
    assert rows(run_plan(store, plan, detect=False)) == rows(report)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
@pytest.mark.parametrize("datatype", sorted(SAFE_LEXICAL), ids=lambda d: d.split("#")[1])
def test_safe_lexical_forms_pass_pyshacl(datatype: URIRef, data: st.DataObject) -> None:
    """A literal the SPARQL queries let pass without a re-check passes pySHACL's sh:datatype."""
    lexical = data.draw(st.from_regex(SAFE_LEXICAL[datatype], fullmatch=True))
    assert datatype_passes(Literal(lexical, datatype=datatype), datatype)


# --------------------------------------------------------------------------- refusals
PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix schema: <https://schema.org/> .
@prefix lgsh: <https://w3id.org/legiongraph/shapes#> .
"""


@pytest.mark.parametrize(("extra", "component"), [
    ("sh:property [ sh:path schema:name ; sh:minLength 2 ; sh:message 'm' ]", "sh:minLength"),
    ("sh:sparql [ sh:select 'SELECT $this WHERE { }' ]", "sh:sparql"),
    ("sh:targetNode schema:x", "sh:targetNode"),
    ("sh:not [ sh:class schema:Place ]", "sh:not"),
    ("sh:closed true", "sh:closed"),
    ("sh:property [ sh:path ( schema:a schema:b ) ; sh:minCount 1 ; sh:message 'm' ]", "sequence path"),
    ("sh:property [ sh:path [ sh:zeroOrMorePath schema:a ] ; sh:minCount 1 ; sh:message 'm' ]",
     "sh:zeroOrMorePath"),
    ("sh:property [ sh:path schema:name ; sh:minCount 1 ]", "without sh:message"),
])
def test_unsupported_construct_names_the_shape(extra: str, component: str) -> None:
    shapes = Graph().parse(data=PREFIXES + "lgsh:Bad a sh:NodeShape ; sh:targetClass schema:Person ; "
                           f"sh:message 'bad' ; {extra} .", format="turtle")
    with pytest.raises(ShapesError) as caught:
        compile_shapes(shapes)
    assert LGSH + "Bad" in str(caught.value)
    assert component in str(caught.value)
    with pytest.raises(ShapesError):
        validate_store(MemoryStore(), shapes)


def test_shapes_error_exit_code_and_status() -> None:
    assert exit_code_for(ShapesError("x")) == 2
    assert http_status_for(ShapesError("x")) == 500


def test_every_targeted_shape_is_compiled(schema: Schema, plan: Plan) -> None:
    reported = {q.shape for q in plan.queries}
    for shape in set(schema.shapes.subjects(SH.targetClass, None)) | set(
            schema.shapes.subjects(SH.targetSubjectsOf, None)):
        owned = {shape, *schema.shapes.objects(shape, SH.property)}
        assert owned & reported, f"no query reports {shape}"
