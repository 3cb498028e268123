"""Differential tests of the default validator (the ``shacl`` engine) against pySHACL, the reference.

On every fixture of tests/fixtures/shapes/ (built into a data graph as tests/test_shapes.py does),
on the built article, on synthetic data with injected violations of each kind and on literals chosen
to split hairs, :func:`legiongraph.shacl.validation.validate_store` (what the build runs, on a pyoxigraph
store) must report what pySHACL reports on the same triples: the same results (focus, path, message,
value, source shape, severity, and as many of each) and the same ``conforms``.

pySHACL is given the store's triples as rdflib reads them back, so both see the same data; rdflib
writes some literals in canonical form (``" 5 "^^xsd:integer`` as ``"5"``), so values are compared as
rdflib normalises them. Blank-node labels are ignored.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from legiongraph.authoring.synth import synthesize
from legiongraph.iris import GRAPH_ONTOLOGY
from legiongraph.oxterms import from_ox, to_ox
from legiongraph.pipeline.build import load_shapes, union
from legiongraph.pipeline.loading import load_dataset
from legiongraph.reasoning import add_inferred
from legiongraph.resources import Resources
from legiongraph.shacl.validation import ValidationReport, validate, validate_store
from test_shapes import CASES, FIXTURE_GRAPH, Case, Schema, _data_graph, _parse_fixture
from test_shapes import schema as schema  # the module-scoped fixture, re-exported

LG = Namespace("https://w3id.org/legiongraph/ontology#")
SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
LGSH = "https://w3id.org/legiongraph/shapes#"


def make_store(dataset: Dataset) -> ox.Store:
    store = ox.Store()
    named = [ctx for ctx in dataset.graphs()
             if isinstance(ctx.identifier, URIRef) and not str(ctx.identifier).startswith("urn:x-rdflib")]
    store.bulk_extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.NamedNode(str(ctx.identifier)))
                      for ctx in named for s, p, o in ctx)
    return store


def _same(term: Node | None) -> object:
    if isinstance(term, BNode):
        return "_"
    if isinstance(term, Literal):
        return Literal(str(term), lang=term.language, datatype=term.datatype)  # rdflib's canonical form
    return term


def rows(report: ValidationReport) -> list[tuple]:
    """The results as comparable tuples, a multiset in a stable order."""
    return sorted((str(_same(v.focus)), str(v.path), v.message, repr(_same(v.value)), str(_same(v.shape)),
                   v.severity) for v in report.violations)


def assert_same(store: ox.Store, shapes: Graph) -> ValidationReport:
    """Validate the store with the default validator and its content with pySHACL; they must agree."""
    data = Graph()
    for q in store:
        data.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
    expected = validate(data, shapes, "pyshacl")
    got = validate_store(store, shapes)
    assert rows(got) == rows(expected), _diff(got, expected)
    assert got.conforms == expected.conforms
    for violation in got.violations:
        labels = {str(label) for label in data.objects(violation.focus, RDFS.label)}
        assert violation.focus_label == (min(labels) if labels else None)
    return got


def _diff(got: ValidationReport, expected: ValidationReport) -> str:
    extra = [r for r in rows(got) if r not in rows(expected)]
    missing = [r for r in rows(expected) if r not in rows(got)]
    return "shacl only:\n" + "\n".join(map(str, extra)) + "\npySHACL only:\n" + "\n".join(map(str, missing))


# --------------------------------------------------------------------------- every fixture
def _fixture_dataset(case: Case, schema: Schema) -> Dataset:
    """What tests/test_shapes.py validates, as a dataset: the fixture's own triples sit in a second
    named graph too, so the union holds them twice (no result may be counted twice)."""
    fixture = _parse_fixture(case.path)
    dataset = Dataset()
    everything = dataset.graph(GRAPH_ONTOLOGY)
    for triple in _data_graph(schema, fixture):
        everything.add(triple)
    own = dataset.graph(FIXTURE_GRAPH)
    for triple in fixture:
        own.add(triple)
    return dataset


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_fixture_matches_pyshacl(case: Case, schema: Schema) -> None:
    report = assert_same(make_store(_fixture_dataset(case, schema)), schema.shapes)
    assert report.conforms == case.conforming
    if not case.conforming:
        assert any(v.focus == case.focus and v.message == case.message for v in report.violations)


# --------------------------------------------------------------------------- the built article
def test_built_article_conforms(compiled: tuple[Dataset, ValidationReport], resources: Resources) -> None:
    report = assert_same(make_store(compiled[0]), load_shapes(resources))
    assert report.conforms and not report.violations, report.text()
    assert validate(union(compiled[0]), load_shapes(resources), "pyshacl").conforms


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
    """A lexical form with spaces XML Schema collapses: valid for both engines."""
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


def test_synthetic_data_conforms(synthetic: Dataset, schema: Schema) -> None:
    report = assert_same(make_store(synthetic), schema.shapes)
    assert report.conforms and not report.violations


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_synthetic_data_with_injected_violations(seed: int, synthetic: Dataset, schema: Schema) -> None:
    mutator = Mutator(synthetic, seed)
    expected = {LGSH + name for name in (mutate(mutator) for mutate in MUTATIONS) if name}
    report = assert_same(make_store(mutator.dataset), schema.shapes)
    assert not report.conforms
    assert expected <= {str(v.shape) for v in report.violations}, report.text()


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


#: (shape, value as written) -> why the default validator reports it and pySHACL does not. In each
#: case pySHACL reads the literal with Python's lenient parsers, where SHACL defers to XML Schema
#: (lexical spaces) and to XPath/SPARQL (regular expressions, comparisons).
DIVERGENCES = {
    ("code", "UA\n"): "Python's $ also matches before a final newline; XPath's $ only at the end",
    ("codei", "UA\n"): "Python's $ also matches before a final newline; XPath's $ only at the end",
    ("date", "2024-01-01T10:00:00"): "a date-time is not in xsd:date's lexical space",
    ("dec", "1e0"): "an exponent is not in xsd:decimal's lexical space (and an ill-typed value "
                    "fails sh:maxInclusive)",
    ("dur", "P1W"): "weeks are not in xsd:duration's lexical space",
    ("dur", "PT"): "xsd:duration needs at least one number after T",
    ("int", " 5"): "spaces are not in xsd:integer's lexical space (and it fails sh:minInclusive)",
    ("int", "1_000"): "underscores are not in xsd:integer's lexical space (and it fails sh:minInclusive)",
    ("le", "http://example.org/iri"): "SPARQL's <= cannot compare IRIs, which SHACL reports",
}


def test_hair_splitting_literals_match_pyshacl_but_for_its_lenient_parsing() -> None:
    shapes = Graph().parse(data=EDGE_SHAPES, format="turtle")
    store = ox.Store()
    store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode("http://example.org/g"))
                      for q in ox.parse(EDGE_DATA.encode(), format=ox.RdfFormat.TURTLE))
    data = Graph()
    for q in store:
        data.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
    expected = rows(validate(data, shapes, "pyshacl"))
    got = validate_store(store, shapes)
    extra = [v for v in got.violations if rows(ValidationReport(False, [v]))[0] not in expected]
    assert {(str(v.shape).rsplit("/", 1)[1], str(v.value)) for v in extra} == set(DIVERGENCES)
    assert len(extra) == 12  # sh:datatype and a range constraint for three of them
    assert sorted(rows(got)) == sorted(expected + rows(ValidationReport(False, extra)))
    assert len(got.violations) > 20
