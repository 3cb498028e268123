"""The fast reasoner (reasonable) gives exactly the reference reasoner's (owlrl) inferred graph."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from legiongraph import Config
from legiongraph.errors import ConfigError
from legiongraph.iris import BASE, GRAPH_INFERRED, GRAPH_ONTOLOGY, ID, LG, ORG, SCHEMA
from legiongraph.loading import format_for, load_dataset, parse_graph
from legiongraph.reasoning import add_inferred, infer
from legiongraph.synth import synthesize

SYNTH_TRIPLES = 2000


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


def test_reasonable_is_the_default():
    assert Config().reasoner == "reasonable"


def test_same_inferred_graph_on_the_article(resources):
    dataset = load_dataset(resources)
    reference, fast = infer(dataset, "owlrl"), infer(dataset, "reasonable")
    assert len(_abox(reference)) > 1000
    assert _abox(fast) == _abox(reference)
    _assert_same(reference, fast)  # the schema-level entailments agree too


def test_same_inferred_graph_on_synthetic_data(resources, tmp_path):
    source = tmp_path / "synth-test.trig"
    synthesize(source, SYNTH_TRIPLES, seed=7)
    dataset = _ontology_and(resources, source)
    reference, fast = infer(dataset, "owlrl"), infer(dataset, "reasonable")
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


def test_chain_inverse_and_plain_literals(resources, tmp_path, reasoner="reasonable"):
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
