"""The authoring formats: CSV tables and YAML source records compile to the article's encoding."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from legiongraph import MemoryStore
from legiongraph.authoring import compile_source, schema
from legiongraph.errors import LoadError
from legiongraph.iris import ID, SCHEMA, is_person_iri, source_graph
from legiongraph.pipeline.build import union
from legiongraph.query.queries import list_queries
from legiongraph.resources import Resources

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
ARTICLE = source_graph("glavkom-2025-05-17")


@pytest.fixture(scope="module")
def existing(dataset) -> Graph:
    return union(dataset)


def _covered_part(dataset, subjects: set) -> Graph:
    part = Graph()
    for s in subjects:
        for triple in dataset.graph(ARTICLE).triples((s, None, None)):
            part.add(triple)
    return part


@pytest.mark.parametrize("name", ["glavkom-2025-05-17-prisoners.csv", "glavkom-2025-05-17-belarusians.yaml"])
def test_example_compiles_to_exactly_the_part_of_the_article_it_covers(dataset, existing, name):
    compiled = compile_source(EXAMPLES / name, existing)
    part = _covered_part(dataset, set(compiled.graph.subjects()))
    _, only_compiled, only_article = graph_diff(to_isomorphic(compiled.graph), to_isomorphic(part))
    assert (sorted(only_compiled), sorted(only_article)) == ([], [])
    assert isomorphic(compiled.graph, part)
    assert len(part) > 300


def test_every_problem_of_a_table_is_reported_with_file_line_and_field(tmp_path, existing):
    table = tmp_path / "stats.csv"
    table.write_text("---\nsource: {id: glavkom-2025-05-17}\ndefaults: {claimant: Glavkom}\n---\n"
                     "counted,area,value,as_of\n"
                     "foreign-pow-by-citizenship,Tajikstan,3,2025-05-02\n"
                     "foreign-pow-by-citizenship,Nepal,many,2025-13-01\n", encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        compile_source(table, existing)
    lines = str(caught.value).splitlines()[1:]
    assert lines == [
        "stats.csv, line 6, field area: unknown country 'Tajikstan'; did you mean Tajikistan (TJ)?",
        "stats.csv, line 7, field as_of: '2025-13-01' is not a date "
        "(expected YYYY-MM-DD, YYYY-MM, YYYY or FROM..TO)",
        "stats.csv, line 7, field value: 'many' is not a count (expected a whole number such as 81 or 1500)",
    ]


def test_yaml_problems_name_line_and_field_and_suggest(tmp_path, existing):
    record = tmp_path / "record.yaml"
    record.write_text("source: {id: glavkom-2025-05-17}\n"
                      "memberships:\n"
                      "  - label: A mercenary\n"
                      "    member: Maksim Zapeka\n"
                      "    organisation: PMC Wagnr\n"
                      "    role: mercenary\n"
                      "    claimant: Glavkom\n"
                      "    certainty: rumoured\n", encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        compile_source(record, existing)
    assert "record.yaml, line 8, field memberships[0].certainty: 'rumoured' is not allowed (expected one " \
           "of: reported, alleged, assumed, confirmed, denied)" in str(caught.value)
    record.write_text(record.read_text().replace("rumoured", "alleged"), encoding="utf-8")
    with pytest.raises(LoadError, match=r"line 5, field memberships\[0\]\.organisation: unknown entity "
                                        r"'PMC Wagnr'; did you mean 'PMC Wagner'\?"):
        compile_source(record, existing)


def test_a_new_person_gets_an_opaque_iri_and_provenance(tmp_path, existing):
    record = tmp_path / "new-source.yaml"
    record.write_text("source: {id: new-source, label: A report, publisher: Glavkom, published: 2025-06}\n"
                      "defaults: {claimant: Glavkom, admiralty: B2}\n"
                      "persons: [{key: him, label: Unnamed Nepali, nationality: NPL}]\n"
                      "events: [{label: Capture, type: capture, captive: him,"
                      " date: 2025-06-01..2025-06-10}]\n",
                      encoding="utf-8")
    graph = compile_source(record, existing).graph
    person = graph.value(predicate=SCHEMA.nationality, object=ID["country/NP"])
    assert is_person_iri(person)
    event = ID["event/new-source/e01"]
    rows = {(str(p).rsplit("/", 1)[-1].rsplit("#", 1)[-1], str(o)) for p, o in graph.predicate_objects(event)}
    assert {("hasEarliestBeginTimeStamp", "2025-06-01"), ("hasLatestEndTimeStamp", "2025-06-10"),
            ("datePrecision", str(URIRef("https://w3id.org/legiongraph/def/date-precision/period"))),
            ("captive", str(person)), ("wasDerivedFrom", str(ID["doc/new-source"])),
            ("sourceReliability", "https://w3id.org/legiongraph/def/admiralty-reliability/B"),
            ("informationCredibility", "https://w3id.org/legiongraph/def/admiralty-credibility/2")} <= rows
    assert (ID["doc/new-source"], URIRef("http://purl.org/dc/terms/issued"),
            Literal("2025-06", datatype=URIRef("http://www.w3.org/2001/XMLSchema#gYearMonth"))) in graph


def test_the_shipped_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(schema())


def test_a_made_up_later_count_shows_in_the_figure_queries(dataset, existing):
    compiled = compile_source(EXAMPLES / "made-up-chq-2025-06.csv", existing)
    store = MemoryStore()  # a copy of the store: the session's own is shared by other tests
    store.replace_all(dataset)
    store.replace_graphs([(source_graph(compiled.name), compiled.graph)])
    queries = {q.name: q.text for q in list_queries(Resources())}

    def totals(name: str) -> list[tuple[str, int]]:
        result = store.query(queries[name])
        rows = [dict(zip(result.variables, row, strict=True)) for row in result.rows]
        return sorted((str(r.get("asOf") or r.get("period")), int(r["value"])) for r in rows
                      if str(r["dataset"]).endswith("/foreign-pow-total"))

    assert totals("figure-over-time") == [("2025-05-02", 81), ("2025-05-02", 83), ("2025-06-16", 96)]
    assert totals("latest-figure-per-claimant") == [("2025-06-16", 96)]
    assert totals("disagreeing-figures") == [("2025-05-02", 81), ("2025-05-02", 83)]


@pytest.mark.parametrize(("written", "kept"), [("18 months", "P1Y6M"), ("P12M", "P1Y"), ("10 years", "P10Y")])
def test_a_sentence_in_months_is_written_as_the_store_keeps_it(written, kept):
    from legiongraph.authoring.values import parse_duration

    assert parse_duration(written) == kept
