"""OWL 2 RL entailments: what must be entailed, and that they land in the inferred graph only."""

from rdflib import Dataset, Graph, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from legiongraph.iris import GRAPH_INFERRED, GRAPH_ONTOLOGY, LG, ORG, SCHEMA, SEM
from legiongraph.parsing import format_for, parse_graph
from legiongraph.reasoning import add_inferred, infer

EX = Namespace("https://w3id.org/legiongraph/id/")
SAMPLE = """
@prefix lg: <https://w3id.org/legiongraph/ontology#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix sem: <http://semanticweb.cs.vu.nl/2009/11/sem/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix lgid: <https://w3id.org/legiongraph/id/> .
lgid:p1 a lg:Combatant ; rdfs:label "a combatant" .
lgid:m1 a org:Membership ; org:member lgid:p1 ; org:organization lgid:u1 .
lgid:u1 a lg:MilitaryUnit ; org:subOrganizationOf lgid:f1 .
lgid:f1 a lg:ArmedFormation .
lgid:e1 a sem:Event ; lg:captive lgid:p1 ; lg:captor lgid:f1 .
"""


def _with_ontology(resources, extra: str) -> Dataset:
    ds = Dataset()
    onto = ds.graph(GRAPH_ONTOLOGY)
    for res in resources.ontology():
        for triple in parse_graph(res.read_bytes(), format_for(res.name), res.location):
            onto.add(triple)
    data = ds.graph(URIRef("https://w3id.org/legiongraph/graph/source/sample"))
    data.parse(data=extra, format="turtle")
    return ds


def test_specific_entailments_of_the_ontology(resources):
    inferred = infer(_with_ontology(resources, SAMPLE))
    expected = [
        (EX["p1"], RDF.type, SCHEMA.Person),             # lg:Combatant subClassOf schema:Person
        (EX["p1"], ORG.memberOf, EX["u1"]),              # from the org:Membership (property chain)
        (EX["u1"], ORG.hasMember, EX["p1"]),             # inverse of org:memberOf
        (EX["f1"], ORG.hasSubOrganization, EX["u1"]),    # inverse of org:subOrganizationOf
        (EX["u1"], RDF.type, ORG.Organization),          # lg:MilitaryUnit -> org:Organization
        (EX["e1"], SEM.hasActor, EX["p1"]),              # lg:captive subPropertyOf sem:hasActor
        (EX["e1"], SEM.hasActor, EX["f1"]),              # lg:captor subPropertyOf sem:hasActor
    ]
    for triple in expected:
        assert triple in inferred, triple


def test_inferred_graph_holds_no_asserted_and_no_trivial_triples(resources, dataset):
    inferred = dataset.graph(GRAPH_INFERRED)
    assert len(inferred) > 0
    asserted = Graph()
    for ctx in dataset.graphs():
        if ctx.identifier != GRAPH_INFERRED:
            for triple in ctx:
                asserted.add(triple)
    assert not [t for t in inferred if t in asserted][:5]
    assert not list(inferred.triples((None, OWL.sameAs, None)))
    assert not list(inferred.triples((None, RDF.type, OWL.Thing)))
    assert not [s for s, _, o in inferred.triples((None, RDFS.subClassOf, None)) if s == o]


def test_reasoning_again_gives_the_same_inferred_graph(resources):
    ds = _with_ontology(resources, SAMPLE)
    first = add_inferred(ds)
    snapshot = set(ds.graph(GRAPH_INFERRED))
    second = add_inferred(ds)
    assert first == second
    assert set(ds.graph(GRAPH_INFERRED)) == snapshot


def test_article_combatants_are_entailed_to_be_persons(dataset):
    combatants = set(dataset.subjects(RDF.type, LG.Combatant))
    assert combatants
    inferred = dataset.graph(GRAPH_INFERRED)
    for person in combatants:
        assert (person, RDF.type, SCHEMA.Person) in dataset
    assert any((p, RDF.type, SCHEMA.Person) in inferred for p in combatants)
