"""Synthetic data: valid against the shapes, deterministic, about the size asked for."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import URIRef
from rdflib.namespace import RDF

from legiongraph.authoring.synth import synthesize
from legiongraph.cli import main
from legiongraph.errors import ConfigError
from legiongraph.iris import LG, ORG, QB, SCHEMA, SEM, is_person_iri, source_graph
from legiongraph.pipeline.build import compile_dataset

N = 2000


@pytest.fixture(scope="module")
def synth_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("synth") / "synth-test.trig"
    result = synthesize(path, N, seed=3)
    return path, result


def test_size_and_one_named_graph(synth_file):
    path, result = synth_file
    quads = list(ox.parse(path=str(path), format=ox.RdfFormat.TRIG))
    assert abs(len(quads) - N) <= 0.03 * N
    assert len(quads) == result.triples
    assert {q.graph_name.value for q in quads} == {str(source_graph("synth-test"))}


def test_conforms_and_has_every_kind_of_resource(resources, synth_file):
    path, result = synth_file
    dataset, report = compile_dataset(resources, [path])
    assert report.conforms, report.text()
    graph = dataset.graph(source_graph("synth-test"))
    persons = set(graph.subjects(RDF.type, LG.Combatant))
    assert len(persons) == result.persons > 20
    assert all(is_person_iri(p) for p in persons)
    nationalities = {o for p in persons for o in graph.objects(p, SCHEMA.nationality)}
    assert URIRef("https://w3id.org/legiongraph/id/country/TJ") in nationalities
    for cls in (ORG.Membership, SEM.Event, QB.Observation, LG.Claim, LG.MilitaryUnit, LG.SourceDocument,
                LG.AgeStatement):
        assert next(graph.subjects(RDF.type, cls), None) is not None, cls
    # units have sub-units, events have places and dates, statements carry a certainty
    assert next(graph.subjects(ORG.subOrganizationOf, None), None) is not None
    assert all(graph.value(e, SEM.hasPlace) is not None and
               graph.value(e, SEM.hasEarliestBeginTimeStamp) is not None
               for e in graph.subjects(RDF.type, SEM.Event))
    assert all(graph.value(c, LG.certainty) is not None for c in graph.subjects(RDF.type, LG.Claim))


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path, synth_file):
    path, _ = synth_file
    again = tmp_path / "synth-test.trig"
    synthesize(again, N, seed=3)
    assert again.read_bytes() == path.read_bytes()
    other = tmp_path / "other" / "synth-test.trig"
    synthesize(other, N, seed=4)
    assert other.read_bytes() != path.read_bytes()


def test_cli_writes_the_file(tmp_path, capsys):
    out = tmp_path / "synth-cli.trig"
    main(["synth", "--triples", "300", "--seed", "2", "--out", str(out)])
    assert "triples" in capsys.readouterr().out
    assert out.read_bytes().startswith(b"# Synthetic legiongraph data")


def test_source_name_must_be_a_slug(tmp_path):
    with pytest.raises(ConfigError, match="slug"):
        synthesize(tmp_path / "Not A Slug.trig", 300)
    assert not list(tmp_path.iterdir())
