"""The descriptions behind the Linked Data pages, over every store back end."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from legiongraph.iris import BASE, ID, LG, LGV, ORG, SCHEMA
from legiongraph.publish.describe import date_span, describe_resource, resource_graph
from legiongraph.publish.display import curie, local_path, valid_iri
from legiongraph.publish.ontology_doc import ONTOLOGY_IRI, describe_ontology, ontology_graph

GLAVKOM = "Glavkom: Putin's International Legion (17 May 2025)"


@pytest.fixture(scope="session")
def zyazyulchik(oxigraph_store) -> str:
    rows = oxigraph_store.query(
        'SELECT ?p WHERE { ?p <https://schema.org/name> "Maksim Zyazyulchik"@en }').rows
    assert len(rows) == 1
    return str(rows[0][0])


class CountingStore:
    """Wraps a store and counts the queries run on it."""

    def __init__(self, store):
        self.store, self.queries = store, 0

    def query(self, sparql):
        self.queries += 1
        return self.store.query(sparql)


def _statement(description, label_part):
    found = [s for s in description.statements if label_part in s.node.label]
    assert len(found) == 1, [s.node.label for s in description.statements]
    return found[0]


def test_person_description(store, zyazyulchik):
    d = describe_resource(store, zyazyulchik)
    assert d is not None
    assert d.label == "Maksim Zyazyulchik"
    assert d.path == "/id/" + zyazyulchik[len(str(ID)):]
    assert d.comment.startswith("Belarusian fighter of PMC Redut")
    types = {v.term.value: v for v in d.types}
    assert not types[str(LG.Combatant)].inferred
    assert types[str(SCHEMA.Person)].inferred
    props = {g.predicate.value: g for g in d.properties}
    assert d.properties[0].predicate.value == str(RDFS.label)
    assert props[str(SCHEMA.nationality)].predicate.label == "nationality"
    [belarus] = props[str(SCHEMA.nationality)].values
    assert (belarus.term.label, belarus.term.path) == ("Belarus", "/id/country/BY")
    assert belarus.graphs == ("lgg:source/glavkom-2025-05-17",)
    member_of = {v.term.label: v for v in props[str(ORG.memberOf)].values}
    assert member_of["PMC Redut"].inferred and member_of["PMC Redut"].graphs == ("lgg:inferred",)
    assert {"lgg:inferred", "lgg:source/glavkom-2025-05-17"} == set(d.graphs)


def test_statements_carry_sources_and_certainty(store, zyazyulchik):
    d = describe_resource(store, zyazyulchik)
    capture = _statement(d, "Capture of the first Belarusian")
    assert capture.kind == "event"
    assert [t.label for t in capture.types] == ["capture"]
    assert [t.label for t in capture.roles] == ["captive"]
    assert capture.date == "2022 – 2023"
    assert [t.label for t in capture.provenance.documents] == [GLAVKOM]
    assert [t.label for t in capture.provenance.claimants] == ["Glavkom"]
    assert [(t.label, t.path) for t in capture.provenance.certainty] == [
        ("reported", "/def/certainty/reported")]
    sentencing = _statement(d, "sentenced to 10 years")
    assert [t.label for t in sentencing.places] == ["Ukraine"]
    assert [t.label for t in sentencing.roles] == ["defendant"]
    redut = _statement(d, "mercenary of PMC Redut")
    assert redut.kind == "membership"
    assert [t.label for t in redut.related] == ["PMC Redut"]
    assert [t.label for t in redut.types] == ["mercenary"]
    claim = _statement(d, "SBU: the first Belarusian prisoner")
    assert claim.kind == "claim"
    assert [t.label for t in claim.provenance.certainty] == ["alleged"]
    # the cited source is listed as cited, not again as a document (it is a sub-property)
    assert [t.label for t in claim.provenance.cited] == [
        "SBU statement on a captured Belarusian Redut fighter as a Belarusian intelligence agent"]
    assert [t.label for t in claim.provenance.documents] == [GLAVKOM]
    assert [t.label for t in claim.provenance.claimants] == ["Security Service of Ukraine"]
    dated = [s.begin for s in d.statements if s.begin]
    assert dated == sorted(dated) and d.statements[0].begin == "2022-01-01"


def test_country_observations_and_external_links(store):
    d = describe_resource(store, str(ID["country/BY"]))
    assert d.label == "Belarus"
    assert {(x.site, x.url) for x in d.external} == {
        ("Wikidata", "http://www.wikidata.org/entity/Q184"),
        ("GeoNames", "https://sws.geonames.org/630336/")}
    pows = _statement(d, "prisoners of war with citizenship of Belarus")
    assert pows.kind == "observation"
    assert pows.date == "2025-05-02"
    assert {t.label for t in pows.related} == {"7", "exactly"}
    office = _statement(d, "Yablochkova")
    assert (office.begin, office.end) == ("2023-04-01", "2024-05-31")
    assert office.provenance.cited and office.provenance.claimants


def test_own_provenance_of_a_claim(store):
    d = describe_resource(store, str(ID["claim/c06"]))
    assert [t.label for t in d.provenance.certainty] == ["alleged"]
    assert [t.label for t in d.provenance.documents] == [GLAVKOM]
    assert len(d.provenance.cited) == 1
    assert not describe_resource(store, str(ID["country/BY"])).provenance


def test_concept_and_unknown_resources(store):
    d = describe_resource(store, str(LGV["certainty/assumed"]))
    assert d.label == "assumed"
    assert d.comment.startswith("The information is a supposition")
    assert describe_resource(store, str(ID["person/zzzzzzzz"])) is None
    assert describe_resource(store, str(ID["x> } ; DROP ALL ; {"])) is None
    assert len(resource_graph(store, str(ID["person/zzzzzzzz"]))) == 0
    assert len(resource_graph(store, "not an iri")) == 0


def test_few_queries_per_description(store, zyazyulchik):
    counting = CountingStore(store)
    describe_resource(counting, zyazyulchik)
    assert counting.queries <= 5


def test_resource_graph(store, zyazyulchik):
    me = URIRef(zyazyulchik)
    graph = resource_graph(store, zyazyulchik)
    assert (me, SCHEMA.name, Literal("Maksim Zyazyulchik", lang="en")) in graph
    assert (me, ORG.memberOf, ID["org/pmc-redut"]) in graph  # inferred, included
    assert (ID["event/e05"], LG.captive, me) in graph  # incoming
    assert (ID["country/BY"], RDFS.label, Literal("Belarus", lang="en")) in graph  # object label
    for s, p, o in graph:
        assert me in (s, o) or p == RDFS.label, (s, p, o)


def test_display_helpers():
    assert local_path(str(ID["person/abc"])) == "/id/person/abc"
    assert local_path(str(LG.Combatant)) == "/ontology#Combatant"
    assert local_path(ONTOLOGY_IRI) == "/ontology"
    assert local_path(BASE + "graph/inferred") is None
    assert local_path("https://schema.org/Person") is None
    assert curie(str(LGV["certainty/assumed"])) == "lgv:certainty/assumed"
    assert curie(str(ID["country/BY"])) == "lgid:country/BY"
    assert valid_iri(str(ID["person/abc"])) and not valid_iri(str(ID["a b"]))


def test_ontology_description(store):
    o = describe_ontology(store)
    assert o.header.label == "legiongraph ontology"
    classes = {c.anchor: c for c in o.classes}
    combatant = classes["Combatant"]
    assert combatant.term.label == "Combatant"
    assert combatant.term.path == "/ontology#Combatant"
    assert combatant.comment.startswith("A person who served")
    assert {t.value for t in combatant.supers} == {str(SCHEMA.Person), "http://www.w3.org/ns/prov#Agent"}
    captive = {p.anchor: p for p in o.properties}["captive"]
    assert [t.label for t in captive.supers] == ["has actor"]
    assert [t.curie for t in captive.domain] == ["sem:Event"]
    assert all(str(t.term.value).startswith(str(LG)) for t in o.classes + o.properties)
    schemes = {s.term.value: s for s in o.schemes}
    certainty = schemes[str(LGV["certainty"])]
    assert {c.term.label for c in certainty.concepts} == {
        "reported", "alleged", "assumed", "confirmed", "denied"}


def test_ontology_graph(store):
    graph = ontology_graph(store)
    assert (LG.Combatant, RDF.type, OWL.Class) in graph
    assert (LGV["certainty/assumed"], SKOS.prefLabel, Literal("assumed", lang="en")) in graph
    assert not list(graph.triples((ID["country/BY"], None, None)))


@pytest.mark.parametrize(("begin", "end", "shown"), [
    ("2025-11-01", "2025-11-30", "2025-11"), ("2024-02-01", "2024-02-29", "2024-02"),
    ("2025-02-01", "2025-02-28", "2025-02"), ("2024-01-01", "2024-12-31", "2024"),
    ("2022-01-01", "2023-12-31", "2022 – 2023"), ("2023-04-01", "2024-05-31", "2023-04 – 2024-05"),
    ("2025-11-02", "2025-11-30", "2025-11-02 – 2025-11-30"),
    ("2024-02-01", "2024-02-28", "2024-02-01 – 2024-02-28"),
    ("2025-05-02", "2025-05-17", "2025-05-02 – 2025-05-17")])
def test_a_period_dated_to_a_month_or_year_shows_as_such_not_as_its_last_day(begin, end, shown):
    assert date_span(begin, end) == shown
