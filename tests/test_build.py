"""The build: its working store gives what the reference pipeline gives; a rebuild keeps the links."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset
from rdflib.compare import isomorphic

from legiongraph import Config
from legiongraph.errors import ConfigError, LoadError
from legiongraph.linking import GRAPH_LINKS
from legiongraph.linking.apply import apply_review
from legiongraph.linking.review import Row
from legiongraph.pipeline.build import build, check, load_shapes
from legiongraph.shacl.validation import ValidationReport
from legiongraph.stores.oxigraph import OxigraphStore

PLACE_BY_LABEL = """
PREFIX schema: <https://schema.org/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?place WHERE { ?place a schema:Place ; rdfs:label "Bakhmut"@en }
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("build") / "store"
    build(Config(store_path=path))
    return path


def test_the_built_store_holds_what_the_reference_pipeline_computes(built: Path, compiled: tuple) -> None:
    reference: Dataset = compiled[0]
    with OxigraphStore(built) as store:
        stored = store.to_dataset()
        names = store.graphs()
    expected = sorted(g.identifier for g in reference.graphs() if len(g))
    assert names == expected
    for name in names:
        assert isomorphic(stored.graph(name), reference.graph(name)), name


def test_build_reports_the_time_of_each_step(tmp_path: Path) -> None:
    result = build(Config(store_path=tmp_path / "store"))
    assert set(result.seconds) == {"load", "reason", "validate", "write"}
    assert all(s >= 0 for s in result.seconds.values())


def test_rebuild_keeps_the_reviewed_links_graph(tmp_path: Path, resources) -> None:
    config = Config(store_path=tmp_path / "store")
    build(config)
    with OxigraphStore(config.store_path, read_only=False) as store:
        (place,) = (row[0] for row in store.query(PLACE_BY_LABEL).rows)
        row = Row(entity=str(place), label="Bakhmut", target="wikidata",
                  candidate_iri="http://www.wikidata.org/entity/Q182040", candidate_label="Bakhmut",
                  score=0.95, decision="exact", line=2)
        applied = apply_review(store, [row], load_shapes(resources), source="review.csv")
        before = set(store.to_dataset([GRAPH_LINKS]).graph(GRAPH_LINKS))
    assert len(before) == len(applied.graph) > 0

    result = build(config)

    with OxigraphStore(config.store_path) as store:
        after = set(store.to_dataset([GRAPH_LINKS]).graph(GRAPH_LINKS))
    assert after == before
    assert result.counts[GRAPH_LINKS] == len(before)


def test_rebuild_keeps_the_activity_log(tmp_path: Path) -> None:
    from legiongraph.pipeline.activitylog import GRAPH_LOG, read_log
    from legiongraph.pipeline.ingest import ingest

    config = Config(store_path=tmp_path / "store", data_dir=tmp_path / "data", analyst="Test Analyst")
    build(config)
    example = Path(__file__).resolve().parent.parent / "examples" / "made-up-chq-2025-06.csv"
    ingest(config, [example])
    with OxigraphStore(config.store_path) as store:
        before = read_log(store)
    assert [(a.analyst, a.file) for a in before] == [("Test Analyst", "made-up-chq-2025-06.csv")]

    result = build(config)

    with OxigraphStore(config.store_path) as store:
        assert read_log(store) == before
    assert result.counts[GRAPH_LOG] > 0


def test_check_refuses_a_source_file_holding_another_graph_and_names_it(tmp_path: Path) -> None:
    wrong = tmp_path / "extra-report.trig"
    wrong.write_text("<https://w3id.org/legiongraph/graph/source/other> { <http://x/a> <http://x/b> 1 . }\n",
                     encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        check(Config(), [wrong])
    message = str(caught.value)
    assert str(wrong) in message
    assert "exactly one named graph <https://w3id.org/legiongraph/graph/source/extra-report>" in message
    assert "found <https://w3id.org/legiongraph/graph/source/other>" in message


def test_check_names_the_line_of_a_syntax_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken-report.ttl"
    broken.write_text("@prefix x: <http://x/> .\nx:a x:b x:c .\nx:a x:b .\n", encoding="utf-8")
    with pytest.raises(LoadError, match=rf"{broken}, line 3"):
        check(Config(), [broken])


@pytest.mark.parametrize("validator", ["shacl", "sparql", "pyshacl"])
def test_check_conforms_on_the_article_with_either_validator(validator: str) -> None:
    report = check(Config(validator=validator))
    assert isinstance(report, ValidationReport)
    assert report.conforms, report.text()


def test_unknown_validator_is_refused_with_the_choices() -> None:
    with pytest.raises(ConfigError, match="validator: expected one of shacl, pyshacl, sparql, got 'jena'"):
        Config(validator="jena")


COMBATANT = """
PREFIX lg: <https://w3id.org/legiongraph/ontology#>
SELECT ?person WHERE { ?person a lg:Combatant ; <https://schema.org/name> ?name } ORDER BY ?person LIMIT 1
"""


def test_public_rebuild_drops_a_reviewed_link_to_a_combatant(tmp_path: Path, resources) -> None:
    """Regression: a carried-over links graph would have tied a protected person to a Wikidata item."""
    config = Config(store_path=tmp_path / "store")
    build(config)
    with OxigraphStore(config.store_path, read_only=False) as store:
        (person,) = (row[0] for row in store.query(COMBATANT).rows)
        row = Row(entity=str(person), label="someone", target="wikidata",
                  candidate_iri="http://www.wikidata.org/entity/Q4115189", candidate_label="someone",
                  score=0.9, decision="exact", line=2)
        apply_review(store, [row], load_shapes(resources), source="review.csv")
        assert any(person in t for t in store.to_dataset([GRAPH_LINKS]).graph(GRAPH_LINKS))

    build(config.replace(public=True, public_iri_key="a test key"))

    with OxigraphStore(config.store_path) as store:
        about = f"ASK {{ GRAPH <{GRAPH_LINKS}> {{ ?s ?p ?o FILTER(?s = <{person}> || ?o = <{person}>) }} }}"
        assert store.query(about).boolean is False
        item = "<http://www.wikidata.org/entity/Q4115189>"
        assert store.query(f"ASK {{ GRAPH ?g {{ <{person}> ?p {item} }} }}").boolean is False
