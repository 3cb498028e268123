"""The public profile withholds prisoners' names, birth dates, ages and personal details below the
query layer: the served store does not hold them, so no query can get around it."""

from __future__ import annotations

import re

import pytest
from rdflib import Dataset
from rdflib.namespace import RDFS, SKOS

from legiongraph import Config, MemoryStore, OxigraphStore
from legiongraph.errors import ConfigError
from legiongraph.iris import ID, LG, SCHEMA, mint_public_person
from legiongraph.pipeline.privacy import is_public, protected_persons, public_view
from legiongraph.web import create_app

POW = """SELECT ?c (SUM(?v) AS ?n) WHERE {
  ?o <http://purl.org/linked-data/cube#dataSet>
       <https://w3id.org/legiongraph/id/dataset/foreign-pow-by-citizenship> ;
     <http://purl.org/linked-data/sdmx/2009/measure#obsValue> ?v ;
     <http://purl.org/linked-data/sdmx/2009/dimension#refArea> ?c } GROUP BY ?c ORDER BY ?c"""
KEY = "a key for the tests only"
FULL_ZYAZYULCHIK = "https://w3id.org/legiongraph/id/person/q35dvy4q"
ZYAZYULCHIK = str(mint_public_person(FULL_ZYAZYULCHIK, KEY))  # his IRI in the public build


@pytest.fixture(scope="module")
def names(dataset) -> list[str]:
    """Every name and name part of a protected person, as the full dataset holds them."""
    found = set()
    for person in protected_persons(dataset):
        for prop in (SCHEMA.name, SKOS.altLabel):
            for value in dataset.objects(person, prop):
                found.add(str(value))
                found.update(w for w in str(value).split() if len(w) > 2)
    assert {"Zyazyulchik", "Gerilovich", "Zapeka", "Yefremov", "Adila", "Baek"} <= found
    return sorted(found)


@pytest.fixture(scope="module", params=["oxigraph", "memory"])
def public_store(request, dataset, tmp_path_factory):
    view = public_view(dataset, KEY)
    if request.param == "oxigraph":
        store = OxigraphStore(tmp_path_factory.mktemp("public") / "store", read_only=False)
    else:
        store = MemoryStore()
    store.replace_all(view)
    return store


def _leaks(text: str, names: list[str]) -> list[str]:
    """Return the names that stand in a text as whole words (case-sensitive: "Ri" is a name, "ERI" not)."""
    return [n for n in names if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text)]


def test_no_name_survives_in_any_graph(public_store, names):
    rows = public_store.query("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isLiteral(?o)) }").rows
    leaks = [(str(s), str(p), str(o)) for s, p, o in rows if _leaks(str(o), names)]
    assert leaks == []


def test_no_birth_date_age_or_description_of_a_prisoner(public_store):
    rows = public_store.query(f"""SELECT ?p ?o WHERE {{
        ?person a <{LG.Combatant}> ; ?p ?o .
        FILTER(?p IN (<{SCHEMA.birthDate}>, <{LG.ageStatement}>, <{SCHEMA.name}>, <{SCHEMA.description}>,
                      <{SKOS.altLabel}>, <{LG.originPlace}>)) }}""").rows
    assert rows == []
    assert public_store.query(f"ASK {{ ?a a <{LG.AgeStatement}> }}").boolean is False
    assert public_store.query(f"ASK {{ ?a <{LG.ageInYears}> ?n }}").boolean is False


def test_property_paths_graph_and_string_functions_find_nothing(public_store, names):
    pattern = "|".join(n for n in names if re.fullmatch(r"[A-Za-z]{4,}", n))
    for query in (
        f"SELECT ?x WHERE {{ <{ZYAZYULCHIK}> (<{SCHEMA.name}>|<{RDFS.label}>|<{SKOS.altLabel}>)+ ?x "
        f"FILTER(REGEX(STR(?x), \"{pattern}\", \"i\")) }}",
        f"SELECT ?x WHERE {{ GRAPH ?g {{ ?s ?p ?x }} FILTER(REGEX(STR(?x), \"{pattern}\", \"i\")) }}",
        f"SELECT ?s WHERE {{ ?s ?p ?o FILTER(REGEX(STR(?s), \"{pattern}\", \"i\")) }}",
        'SELECT ?s WHERE { ?s ?p ?o FILTER(CONTAINS(LCASE(STR(?s)), "zyazyulchik") || '
        'STRSTARTS(ENCODE_FOR_URI(STR(?o)), "Maksim")) }',
    ):
        assert public_store.query(query).rows == [], query


def test_describe_and_construct_of_a_prisoner_reveal_no_name(public_store, names):
    for query in (f"DESCRIBE <{ZYAZYULCHIK}>",
                  f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {{ <{ZYAZYULCHIK}> ?p ?o BIND(<{ZYAZYULCHIK}> AS ?s) }}"
                  f" UNION {{ ?s ?p <{ZYAZYULCHIK}> }} UNION {{ ?s ?q <{ZYAZYULCHIK}> . ?s ?p ?o }} }}"):
        graph = public_store.query(query).graph
        text = graph.serialize(format="nt")
        assert _leaks(text, names) == [], query


def test_nationality_unit_and_events_stay(public_store):
    rows = public_store.query(f"""SELECT ?nat ?unit ?label WHERE {{
        <{ZYAZYULCHIK}> <{SCHEMA.nationality}> ?nat ;
        <http://www.w3.org/ns/org#memberOf> ?unit ; <{RDFS.label}> ?label }}""").rows
    assert [(str(n), str(u), str(label)) for n, u, label in rows] == [
        ("https://w3id.org/legiongraph/id/country/BY", "https://w3id.org/legiongraph/id/org/pmc-redut",
         "Combatant, national of Belarus (name withheld)")]
    events = public_store.query(f"SELECT ?e WHERE {{ ?e <http://semanticweb.cs.vu.nl/2009/11/sem/hasActor> "
                                f"<{ZYAZYULCHIK}> }}").rows
    assert len(events) >= 5


def test_aggregate_statistics_are_fully_available(public_store, store):
    assert public_store.query(POW).rows == store.query(POW).rows
    assert is_public(public_store.graphs())
    assert not is_public(store.graphs())


def test_person_page_under_public_profile_shows_no_name(public_store, names):
    app = create_app(Config(public=True), store=public_store)
    page = app.test_client().get("/id/" + ZYAZYULCHIK[len(str(ID)):], headers={"Accept": "text/html"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Combatant, national of Belarus (name withheld)" in html
    assert _leaks(html, names) == []


def test_serve_public_refuses_a_store_with_personal_data(tmp_path, oxigraph_store, capsys):
    from legiongraph.cli import main

    with pytest.raises(SystemExit) as info:
        main(["--store-path", str(oxigraph_store.path), "serve", "--public", "--port", "8799"])
    assert info.value.code == 3
    assert "rebuild it with 'legiongraph build --public'" in capsys.readouterr().err


def test_public_build_without_a_key_is_refused(dataset):
    with pytest.raises(ConfigError, match="public_iri_key: a public build re-mints"):
        public_view(dataset, None)
    with pytest.raises(ConfigError, match="LEGIONGRAPH_PUBLIC_IRI_KEY"):
        public_view(dataset, "  ")


def test_public_build_cli_without_a_key_refuses_before_building(tmp_path, capsys):
    from legiongraph.cli import main

    with pytest.raises(SystemExit) as info:
        main(["--store-path", str(tmp_path / "store"), "build", "--public"])
    assert info.value.code != 0
    assert "public_iri_key" in capsys.readouterr().err
    assert not (tmp_path / "store").exists()


def test_public_person_iris_cannot_be_joined_to_the_published_data(public_store, dataset):
    full = {str(p) for p in protected_persons(dataset)}
    public = {str(row[0]) for row in public_store.query(
        f"SELECT DISTINCT ?p WHERE {{ ?p a <{LG.Combatant}> }}").rows}
    assert len(public) == len(full)
    assert public.isdisjoint(full)  # not one published person IRI survives
    text = "\n".join(str(t) for row in public_store.query(
        "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }").rows for t in row)
    assert not any(iri in text for iri in full)
    # another key gives other IRIs, the same key the same ones
    assert mint_public_person(FULL_ZYAZYULCHIK, KEY) != mint_public_person(FULL_ZYAZYULCHIK, "other")
    assert str(mint_public_person(FULL_ZYAZYULCHIK, KEY)) == ZYAZYULCHIK


def test_labels_about_combatants_are_regenerated_from_types_dates_and_places(public_store):
    labels = {str(s): str(o) for s, o in public_store.query(
        f"SELECT ?s ?l WHERE {{ ?s <{RDFS.label}> ?l FILTER(?s IN (<{ID['event/e05']}>, "
        f"<{ID['event/e09']}>, <{ID['membership/m01']}>, <{ID['claim/c06']}>, "
        f"<{ID['doc/sbu-statement-belarusian-agent']}>)) }}").rows}
    assert labels[str(ID["event/e05"])] == "Event: capture, 2022-01-01 – 2023-12-31"
    assert labels[str(ID["event/e09"])].startswith("Event: court release for exchange")
    assert labels[str(ID["event/e09"])].endswith(", in Kyiv")
    assert labels[str(ID["membership/m01"])] == "Membership: mercenary, with PMC Redut"
    assert labels[str(ID["claim/c06"])].startswith("Claim")
    assert labels[str(ID["doc/sbu-statement-belarusian-agent"])] == "Source document"
    every = " ".join(labels.values())
    for detail in ("Belarusian", "first", "prisoner", "agent", "captured", "Wagner", "artillery"):
        assert detail not in every
    # no label of a record about a combatant keeps any of the full data's wording
    rows = public_store.query(
        f"SELECT ?l WHERE {{ ?s ?x ?c . ?c a <{LG.Combatant}> . ?s <{RDFS.label}> ?l }}").rows
    for (label,) in rows:
        assert re.fullmatch(r"(Event|Membership|Claim|Source document|Record)(: [^,]+)?(, .+)?", str(label))
        for detail in ("Mogilev", "petty offences", "Wagner artillery commander", "Belarusian"):
            assert detail not in str(label)


def test_serve_public_refuses_a_full_store_that_carries_the_public_marker(tmp_path, dataset, capsys):
    from legiongraph.cli import main
    from legiongraph.pipeline.privacy import mark_public

    forged = Dataset()
    for quad in dataset.quads((None, None, None, None)):
        forged.add(quad)
    mark_public(forged)
    store = OxigraphStore(tmp_path / "store", read_only=False)
    store.replace_all(forged)
    assert is_public(store.graphs())
    store.close()
    with pytest.raises(SystemExit) as info:
        main(["--store-path", str(tmp_path / "store"), "serve", "--public", "--port", "8798"])
    assert info.value.code == 3
    err = capsys.readouterr().err
    assert "holds the names and personal details of prisoners (for example <" in err
