"""The fast reasoners (rules, reasonable) give exactly the reference reasoner's (owlrl) inferred graph."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from legiongraph import Config
from legiongraph.authoring.synth import synthesize
from legiongraph.errors import ConfigError, ReasoningError, exit_code_for, http_status_for
from legiongraph.iris import BASE, GRAPH_INFERRED, GRAPH_ONTOLOGY, ID, LG, ORG, SCHEMA
from legiongraph.oxterms import to_ox
from legiongraph.parsing import format_for, parse_graph
from legiongraph.pipeline.loading import load_dataset
from legiongraph.reasoning import add_inferred, infer
from legiongraph.reasoning.rules import INFERRED, reason_store

SYNTH_TRIPLES = 2000
FAST = ("rules", "reasonable")


def _abox(graph: Graph) -> set:
    """Instance-level triples: those whose subject is an instance, not an ontology or vocabulary term."""
    return {t for t in graph if str(t[0]).startswith(str(ID))}


def _ontology_and(resources, source: Path) -> Dataset:
    ds = Dataset()
    onto = ds.graph(GRAPH_ONTOLOGY)
    for res in resources.ontology():
        for triple in parse_graph(res.read_bytes(), format_for(res.name), res.location):
            onto.add(triple)
    data = ds.graph(URIRef(BASE + "graph/source/" + source.stem))
    for triple in parse_graph(source.read_bytes(), "trig", str(source)):
        data.add(triple)
    return ds


def _assert_same(reference: Graph, fast: Graph) -> None:
    missing, extra = set(reference) - set(fast), set(fast) - set(reference)
    assert not missing and not extra, (sorted(missing)[:10], sorted(extra)[:10])


@pytest.fixture(scope="module")
def article(resources) -> tuple[Dataset, Graph]:
    """The article's dataset and owlrl's inferred graph for it, computed once."""
    dataset = load_dataset(resources)
    return dataset, infer(dataset, "owlrl")


@pytest.fixture(scope="module")
def synthetic(resources, tmp_path_factory) -> tuple[Dataset, Graph]:
    source = tmp_path_factory.mktemp("synth") / "synth-test.trig"
    synthesize(source, SYNTH_TRIPLES, seed=7)
    dataset = _ontology_and(resources, source)
    return dataset, infer(dataset, "owlrl")


def test_rules_is_the_default():
    assert Config().reasoner == "rules"


@pytest.mark.parametrize("reasoner", FAST)
def test_same_inferred_graph_on_the_article(article, reasoner):
    dataset, reference = article
    fast = infer(dataset, reasoner)
    assert len(_abox(reference)) > 1000
    assert _abox(fast) == _abox(reference)
    _assert_same(reference, fast)  # the schema-level entailments agree too


@pytest.mark.parametrize("reasoner", FAST)
def test_same_inferred_graph_on_synthetic_data(synthetic, reasoner):
    dataset, reference = synthetic
    fast = infer(dataset, reasoner)
    abox = _abox(reference)
    assert len(abox) > SYNTH_TRIPLES / 4
    # the property chain that reasonable lacks: every membership entails org:memberOf
    assert any(p == ORG.memberOf for _, p, _ in abox)
    assert _abox(fast) == abox
    _assert_same(reference, fast)


SAMPLE = """
@prefix lg: <https://w3id.org/legiongraph/ontology#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix lgid: <https://w3id.org/legiongraph/id/> .
lgid:p1 a lg:Combatant .
lgid:m1 a org:Membership ; org:member lgid:p1 ; org:organization lgid:u1 .
lgid:u1 a lg:MilitaryUnit .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
lgid:c1 lg:isoNumeric "804" ; rdfs:comment "typed"^^xsd:string .
"""


@pytest.mark.parametrize("reasoner", FAST)
def test_chain_inverse_and_plain_literals(resources, tmp_path, reasoner):
    source = tmp_path / "sample.ttl"
    source.write_text(SAMPLE)
    dataset = _ontology_and(resources, source)
    count = add_inferred(dataset, reasoner)
    inferred = dataset.graph(GRAPH_INFERRED)
    assert (ID["p1"], ORG.memberOf, ID["u1"]) in inferred      # property chain
    assert (ID["u1"], ORG.hasMember, ID["p1"]) in inferred     # its inverse
    assert (ID["p1"], RDF.type, SCHEMA.Person) in inferred     # sub-class
    # lg:isoNumeric is a sub-property of skos:notation: the entailed literal stays plain, so the
    # inferred triple is one triple, not a second copy typed xsd:string
    assert (ID["c1"], SKOS.notation, Literal("804")) in inferred
    assert len(list(inferred.triples((ID["c1"], SKOS.notation, None)))) == 1
    assert (ID["c1"], LG.isoNumeric, Literal("804")) not in inferred
    # an explicitly typed xsd:string literal is not re-entailed as a plain one
    assert not list(inferred.triples((ID["c1"], RDFS.comment, None)))
    assert add_inferred(dataset, reasoner) == count


def test_unknown_reasoner_is_a_config_error(resources):
    with pytest.raises(ConfigError, match="reasoner"):
        infer(Dataset(), "hermit")


# OWL constructs the project's ontology does not use (yet) but the compiled rules implement:
# equivalent classes and properties, symmetric and transitive properties, a chain with an inverse
# step, a chain whose conclusion feeds another chain; and axioms from which OWL 2 RL entails
# nothing, only inconsistencies (owlrl reports those apart, never in the inferred graph).
CONSTRUCTS = """
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <https://example.org/> .
ex:A a owl:Class ; owl:equivalentClass ex:B .
ex:B rdfs:subClassOf ex:C .
ex:C a owl:Class .
ex:near a owl:ObjectProperty, owl:SymmetricProperty ; rdfs:domain ex:A .
ex:partOf a owl:TransitiveProperty ; rdfs:range ex:C ; owl:inverseOf ex:hasPart .
ex:within rdfs:subPropertyOf ex:partOf .
ex:knows owl:equivalentProperty ex:acquainted ; rdfs:domain ex:Person .
ex:Person rdfs:subClassOf ex:Agent .
ex:uncle owl:propertyChainAxiom ( ex:parent ex:brother ) .
ex:grandUncle owl:propertyChainAxiom ( ex:parent ex:uncle ) .
ex:colleague owl:propertyChainAxiom ( ex:employer [ owl:inverseOf ex:employer ] ) .
ex:parent rdfs:domain ex:Person .
ex:A owl:disjointWith ex:Person .
ex:brother a owl:IrreflexiveProperty, owl:AsymmetricProperty .
ex:C owl:sameAs ex:C .
"""
CONSTRUCT_DATA = """
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix ex: <https://example.org/> .
ex:a1 a ex:B ; ex:near ex:a2 .
ex:r1 ex:within ex:r2 . ex:r2 ex:partOf ex:r3 . ex:r3 ex:within ex:r4 .
ex:p1 ex:knows ex:p2 ; ex:parent ex:p3 ; ex:employer ex:org .
ex:p3 ex:parent ex:p4 ; ex:brother ex:p5 .
ex:p4 ex:brother ex:p6 .
ex:p7 ex:employer ex:org .
ex:p1 ex:near "a literal" .
ex:a1 owl:differentFrom ex:a2 ; a ex:Person .
"""


def _small(ontology: str, data: str) -> Dataset:
    ds = Dataset()
    ds.graph(GRAPH_ONTOLOGY).parse(data=ontology, format="turtle")
    ds.graph(URIRef(BASE + "graph/source/sample")).parse(data=data, format="turtle")
    return ds


def test_rules_agree_with_owlrl_on_constructs_the_ontology_does_not_use():
    dataset = _small(CONSTRUCTS, CONSTRUCT_DATA)
    reference, fast = infer(dataset, "owlrl"), infer(dataset, "rules")
    ex = "https://example.org/"
    for s, p, o in [("r1", "partOf", "r4"), ("r4", "hasPart", "r1"), ("a2", "near", "a1"),
                    ("p1", "grandUncle", "p6"), ("p1", "colleague", "p7"), ("p1", "acquainted", "p2")]:
        assert (URIRef(ex + s), URIRef(ex + p), URIRef(ex + o)) in reference, (s, p, o)
    _assert_same(reference, fast)


def _store(dataset: Dataset, path: Path | None = None) -> ox.Store:
    store = ox.Store(str(path) if path else None)
    for ctx in dataset.graphs():
        graph = to_ox(ctx.identifier)
        store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), graph) for s, p, o in ctx)
    return store


def test_reason_store_replaces_the_inferred_graph(article, tmp_path):
    dataset, reference = article
    store = _store(dataset, tmp_path / "store")  # on disk, as the build keeps it
    stale = ox.Quad(ox.NamedNode(str(ID["stale"])), to_ox(RDF.type), to_ox(SCHEMA.Person), INFERRED)
    store.add(stale)
    count = reason_store(store)
    assert count == len(reference)
    assert stale not in store
    assert reason_store(store) == count


PREFIXES = """
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix lg: <https://w3id.org/legiongraph/ontology#> .
@prefix lgid: <https://w3id.org/legiongraph/id/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix sem: <http://semanticweb.cs.vu.nl/2009/11/sem/> .
@prefix schema: <https://schema.org/> .
"""


@pytest.mark.parametrize(("axiom", "named"), [
    ("schema:Person owl:hasKey ( lg:personId ) .", "owl:hasKey"),
    ("lg:Fighter owl:intersectionOf ( lg:Combatant lg:Mercenary ) .", "owl:intersectionOf"),
    ("org:memberOf a owl:FunctionalProperty .", "owl:FunctionalProperty"),
    ("lgid:p1 owl:sameAs lgid:p2 .", "owl:sameAs"),
    ("lg:Fighter owl:unionOf ( lg:Combatant lg:Mercenary ) .", "owl:unionOf"),
    ("lg:Captor owl:equivalentClass [ a owl:Restriction ; owl:onProperty lg:captor ; "
     "owl:someValuesFrom sem:Event ] .", "owl:onProperty"),
    ("lg:kind rdfs:subPropertyOf rdf:type .", "rdf:type"),
    ("lg:defines rdfs:range owl:Class .", "owl:Class"),
])
def test_an_unsupported_axiom_is_refused_by_name(resources, tmp_path, axiom, named):
    source = tmp_path / "sample.ttl"
    source.write_text(SAMPLE)
    dataset = _ontology_and(resources, source)
    dataset.graph(GRAPH_ONTOLOGY).parse(data=PREFIXES + axiom, format="turtle")
    with pytest.raises(ReasoningError, match=named) as caught:
        infer(dataset, "rules")
    assert caught.value.axiom is not None
    assert (exit_code_for(caught.value), http_status_for(caught.value)) == (2, 500)
    # the store is left as it was: nothing is written before the axioms are compiled
    store = _store(dataset)
    before = len(store)
    with pytest.raises(ReasoningError, match=named):
        reason_store(store)
    assert len(store) == before
