"""CSV tables and YAML records compile the same against a store (ingest) as against a Graph.

Ingest resolves a file's names with a few SPARQL lookups (pipeline.storenames.StoreKnown) instead
of reading the whole store into an rdflib Graph; `legiongraph check` and the tests still compile
against a Graph (authoring.known.GraphKnown). Every file here is compiled both ways and the
N-Triples, line origins, warnings and error messages compared.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDFS

from legiongraph import MemoryStore
from legiongraph.authoring import compile_source
from legiongraph.authoring.known import GraphKnown, close_length
from legiongraph.errors import LoadError
from legiongraph.iris import ID, source_graph
from legiongraph.pipeline.build import union
from legiongraph.pipeline.storenames import StoreKnown

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# A later report naming two new Belarusian fighters, with names, ISO codes, places, a claim, a
# figure and shared periods: the kind of record the 1M/10M timings in docs/performance.md ingest.
REPORT = """\
source:
  id: made-up-glavkom-2025-12
  type: NewsArticle
  label: "MADE UP: two more Belarusians captured near Bakhmut (December 2025)"
  publisher: Glavkom
  published: 2025-12-03
defaults: {claimant: Glavkom, certainty: reported, admiralty: B2}
persons:
  - {key: first, label: Ivan Testovich, name: Ivan Testovich, nationality: Belarus,
     origin: Mogilev Region, birth_date: '1995', ages: [{age: 30, as_of: 2025-12-01, label: Age 30}]}
  - {key: second, label: Pyotr Primerov, nationality: BY}
memberships:
  - {label: Ivan Testovich in PMC Wagner, member: first, organisation: PMC Wagner, role: mercenary,
     during: 2025-06..2025-11}
  - {label: Pyotr Primerov in PMC Redut, member: second, organisation: pmc redut, role: mercenary,
     during: "2025"}
events:
  - {label: Capture near Bakhmut, type: capture, captive: [first, second],
     captor: Armed Forces of Ukraine, place: Bakhmut, date: 2025-11-20..2025-11-30}
claims:
  - {label: Testovich in Wagner, subject: first, predicate: org:memberOf, object: PMC Wagner}
statistics:
  - id: foreign-pow-total
    observations: [{value: 170, qualifier: more than, as_of: 2025-12,
                    claimant: Coordination Headquarters}]
"""
TABLE = """\
---
source: {id: made-up-chq-2025-12, label: "MADE UP: figures", author: Coordination Headquarters,
         published: 2025-12-16}
defaults: {claimant: Coordination Headquarters}
---
counted,area,value,as_of
foreign-pow-total,,171,2025-12-15
foreign-pow-by-citizenship,Tajikistan,16,2025-12-15
foreign-pow-by-citizenship,NK,2,2025-12-15
foreign-pow-by-citizenship,blr,8,2025-12-15
foreign-pow-by-citizenship,Sri  Lanka,6,2025-12-01..2025-12-15
"""
# The article's Maksim Zapeka, linked: his stored names decide which spellings are new.
LINKED = """\
source: {id: chq-interview-2025-11, type: NewsArticle, label: "MADE UP: interview", published: 2025-11,
         publisher: Example Outlet}
defaults: {claimant: Coordination Headquarters}
organisations: [{label: Example Outlet, type: media}]
persons: [{key: zapeka, same_as: lgid:person/oxiwoak7, label: Maksim Zapeka, name: Maksym Zapeka}]
memberships:
  - {label: Zapeka in Wagner, member: zapeka, organisation: PMC Wagner, role: mercenary, during: 2025-11}
statistics:
  - id: foreign-pow-total
    observations: [{value: 150, qualifier: nearly, as_of: 2025-11, spokesperson: Zapeka}]
"""

@pytest.fixture(scope="module")
def existing(dataset: Dataset) -> Graph:
    return union(dataset)


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _compiled(path: Path, existing: object) -> tuple | str:
    try:
        compiled = compile_source(path, existing)  # type: ignore[arg-type]
    except LoadError as exc:
        return str(exc)
    return (sorted(compiled.graph.serialize(format="nt").splitlines()), compiled.warnings,
            sorted(compiled.origins.items()), sorted(compiled.fields.items()))


def _both(path: Path, existing: Graph, store: object) -> tuple:
    return _compiled(path, existing), _compiled(path, StoreKnown(store))  # type: ignore[arg-type]


# A YAML file beside a CSV table of the same name is that table's header, not a source of its own.
@pytest.mark.parametrize("name", sorted(
    p.name for p in EXAMPLES.iterdir()
    if p.suffix == ".csv" or (p.suffix == ".yaml" and not p.with_suffix(".csv").exists())))
def test_the_examples_compile_byte_for_byte_the_same_against_the_store(existing, oxigraph_store, name):
    from_graph, from_store = _both(EXAMPLES / name, existing, oxigraph_store)
    assert isinstance(from_graph, tuple) and len(from_graph[0]) > 10
    assert from_store == from_graph


@pytest.mark.parametrize(("name", "text"), [("made-up-glavkom-2025-12.yaml", REPORT),
                                            ("made-up-chq-2025-12.csv", TABLE),
                                            ("chq-interview-2025-11.yaml", LINKED)])
def test_records_naming_the_articles_entities_compile_the_same_against_both_stores(
        existing, oxigraph_store, memory_store, tmp_path, name, text):
    path = _write(tmp_path, name, text)
    from_graph = _compiled(path, existing)
    assert isinstance(from_graph, tuple), from_graph
    assert _compiled(path, StoreKnown(oxigraph_store)) == from_graph
    assert _compiled(path, StoreKnown(memory_store)) == from_graph


def test_a_linked_persons_stored_names_are_read_from_the_store(existing, oxigraph_store, tmp_path):
    path = _write(tmp_path, "chq-interview-2025-11.yaml", LINKED)
    graph = compile_source(path, StoreKnown(oxigraph_store)).graph
    # "Maksim Zapeka" is his label already; "Maksym Zapeka" is a new spelling of his name.
    assert sorted(str(o) for o in graph.objects(ID["person/oxiwoak7"], URIRef(
        "http://www.w3.org/2004/02/skos/core#altLabel"))) == ["Maksym Zapeka"]


@pytest.mark.parametrize(("field", "written", "expected"), [
    ("organisation", "PMC Wagnr", "unknown entity 'PMC Wagnr'; did you mean 'PMC Wagner'?"),
    ("organisation", "Coordination Headquaters", "unknown entity 'Coordination Headquaters'"),
    ("organisation", "Nothing Like Anything Stored", "unknown entity 'Nothing Like Anything Stored'"),
    ("member", "Zapeca", "unknown entity 'Zapeca'; did you mean 'Zapeka'"),
    ("role", "mercenery", "unknown role 'mercenery'; did you mean mercenary? (expected one of: "),
    ("during", "2025-13", "'2025-13' is not a date"),
])
def test_errors_and_suggestions_are_the_same_against_the_store(existing, oxigraph_store, tmp_path,
                                                                field, written, expected):
    membership = {"member": "Maksim Zapeka", "organisation": "PMC Wagner", "role": "mercenary",
                  "during": "2025"}
    membership[field] = written
    lines = "".join(f"    {k}: \"{v}\"\n" for k, v in membership.items())
    path = _write(tmp_path, "record.yaml", "source: {id: glavkom-2025-05-17}\n"
                  f"defaults: {{claimant: Glavkom}}\nmemberships:\n  - label: A mercenary\n{lines}")
    from_graph, from_store = _both(path, existing, oxigraph_store)
    assert isinstance(from_graph, str) and expected in from_graph
    assert from_store == from_graph


def test_an_unknown_country_suggests_the_same_countries(existing, oxigraph_store, tmp_path):
    path = _write(tmp_path, "stats.csv", "---\nsource: {id: glavkom-2025-05-17}\n"
                  "defaults: {claimant: Glavkom}\n---\ncounted,area,value,as_of\n"
                  "foreign-pow-by-citizenship,Tajikstan,3,2025-05-02\n"
                  "foreign-pow-by-citizenship,Nowhereland,3,2025-05-03\n")
    from_graph, from_store = _both(path, existing, oxigraph_store)
    assert str(from_graph).splitlines()[1:] == [
        "stats.csv, line 6, field area: unknown country 'Tajikstan'; did you mean Tajikistan (TJ)?",
        "stats.csv, line 7, field area: unknown country 'Nowhereland'"]
    assert from_store == from_graph


def _with(dataset: Dataset, triples: list[tuple]) -> MemoryStore:
    store = MemoryStore()
    store.replace_all(dataset)
    store.replace_graphs([(source_graph("extra"), triples)])
    return store


def test_a_name_two_entities_carry_is_refused_the_same_way(dataset, tmp_path):
    other = ID["org/another-wagner"]
    triples = [(other, RDFS.label, Literal("PMC Wagner", lang="en"))]
    store = _with(dataset, triples)
    graph = union(dataset)
    for triple in triples:
        graph.add(triple)
    path = _write(tmp_path, "record.yaml", "source: {id: glavkom-2025-05-17}\ndefaults: {claimant: "
                  "Glavkom}\nmemberships:\n  - {label: A, member: Maksim Zapeka, organisation: pmc wagner}\n")
    from_graph, from_store = _both(path, graph, store)
    assert "'pmc wagner' names more than one entity (<https://w3id.org/legiongraph/id/org/another-wagner>, " \
           "<https://w3id.org/legiongraph/id/org/pmc-wagner>); write the IRI instead" in str(from_graph)
    assert from_store == from_graph


def test_a_name_stored_in_other_letter_case_on_another_entity_yields_to_the_exact_spelling(dataset,
                                                                                          tmp_path):
    # The documented difference: the store is asked for the spelling as written first, and
    # only a name not found that way is compared case-insensitively with every stored name.
    other = ID["org/another-wagner"]
    store = _with(dataset, [(other, RDFS.label, Literal("pmc WAGNER", lang="en"))])
    graph = union(dataset)
    graph.add((other, RDFS.label, Literal("pmc WAGNER", lang="en")))
    assert GraphKnown(graph).named("PMC Wagner") == {ID["org/pmc-wagner"], other}
    assert StoreKnown(store).named("PMC Wagner") == {ID["org/pmc-wagner"]}
    assert StoreKnown(store).named("Pmc Wagner") == {ID["org/pmc-wagner"], other}


@pytest.mark.parametrize(("a", "b"), [("pmc wagnr", "pmc wagner"), ("ab", "abc"), ("abc", "abcde"),
                                      ("abc", "abcdef"), ("a", "")])
def test_the_length_bound_keeps_every_name_difflib_could_suggest(a, b):
    import difflib
    for cutoff in (0.6, 0.75, 0.8):
        if difflib.SequenceMatcher(None, a, b).ratio() >= cutoff:
            assert close_length(a, b, cutoff)
    assert close_length("abc", "abcde", 0.75)  # ratio 0.75 exactly
    assert not close_length("abc", "abcdef", 0.75)


@pytest.mark.parametrize("written", ["korean people's army", "UKRAINIAN SPECIAL SERVICES (UNSPECIFIED)",
                                     "  pmc   redut ", "Yablochkova street, moscow", "tajikistan"])
def test_a_name_in_other_case_and_spacing_is_found_by_the_scan_as_in_a_graph(existing, oxigraph_store,
                                                                            memory_store, written):
    expected = GraphKnown(existing).named(written)
    assert len(expected) == 1
    assert StoreKnown(oxigraph_store).named(written) == expected
    assert StoreKnown(memory_store).named(written) == expected
