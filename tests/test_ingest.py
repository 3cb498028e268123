"""Adding, replacing and retracting sources in a built store: `legiongraph ingest`, `sources`, `retract`.

Every test starts from a fresh Oxigraph copy of the article's built store. The incremental work is
checked against the full pipeline (:func:`legiongraph.pipeline.build.compile_dataset`): the same inferred
graph after an ingest, the same violations for sources that do not conform.
"""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from legiongraph import Config, OxigraphStore
from legiongraph.cli import main
from legiongraph.errors import LoadError, ResourceNotFound, StoreError, ValidationFailed
from legiongraph.iris import GRAPH_INFERRED, ID, LG, ORG, SCHEMA, source_graph
from legiongraph.linking.duplicates import name_key, probable_duplicates, similarity
from legiongraph.linking.gazetteer import GEO, GRAPH_GAZETTEER
from legiongraph.pipeline.activitylog import GRAPH_LOG
from legiongraph.pipeline.build import compile_dataset
from legiongraph.pipeline.gazetteerchange import gazetteer_replacement
from legiongraph.pipeline.ingest import ingest, list_sources, retract
from legiongraph.pipeline.privacy import PROFILE_GRAPH
from legiongraph.stores import MemoryStore

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
PREFIXES = """\
@prefix lg: <https://w3id.org/legiongraph/ontology#> .
@prefix schema: <https://schema.org/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix sem: <http://semanticweb.cs.vu.nl/2009/11/sem/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix qb: <http://purl.org/linked-data/cube#> .
@prefix sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#> .
@prefix sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix evtype: <https://w3id.org/legiongraph/def/event-type/> .
@prefix certainty: <https://w3id.org/legiongraph/def/certainty/> .
@prefix role: <https://w3id.org/legiongraph/def/role/> .
BASE <https://w3id.org/legiongraph/id/>
"""
PROVENANCE = ("prov:wasDerivedFrom <doc/test-report-2025-06> ; prov:wasAttributedTo <org/glavkom> ; "
              "lg:certainty certainty:reported")
DOCUMENT = """
<doc/test-report-2025-06> a lg:SourceDocument ;
    rdfs:label "Test report of June 2025 (made up for the tests)"@en ;
    schema:datePublished "2025-06-02"^^xsd:date ;
    schema:publisher <org/glavkom> .
"""
# A new captured Belarusian in PMC Wagner, captured near Bakhmut: everything else already exists.
CAPTURE = PREFIXES + DOCUMENT + f"""
<person/t2st2abc> a lg:Combatant ;
    rdfs:label "Test Prisoner One"@en ;
    schema:name "Test Prisoner One"@en ;
    schema:nationality <country/BY> .

<membership/test-m01> a org:Membership ;
    rdfs:label "Test prisoner as a fighter of PMC Wagner"@en ;
    org:member <person/t2st2abc> ; org:organization <org/pmc-wagner> ; org:role role:mercenary ;
    {PROVENANCE} .

<event/test-e01> a sem:Event ;
    rdfs:label "Capture of the test prisoner near Bakhmut"@en ;
    sem:eventType evtype:capture ;
    lg:captive <person/t2st2abc> ; lg:captor <org/armed-forces-of-ukraine> ;
    sem:hasPlace <place/bakhmut> ;
    sem:hasEarliestBeginTimeStamp "2025-05-20"^^xsd:date ; sem:hasLatestEndTimeStamp "2025-05-20"^^xsd:date ;
    {PROVENANCE} .
"""
# Says again what the article asserts, asserts what is only entailed so far, and adds a membership
# of the article's first Belarusian prisoner: entailments about resources that already exist.
ECHO = PREFIXES + DOCUMENT + f"""
<person/q35dvy4q> schema:nationality <country/BY> ; a schema:Person .

<membership/test-m02> a org:Membership ;
    rdfs:label "First Belarusian prisoner in PMC Wagner, as the test report has it"@en ;
    org:member <person/q35dvy4q> ; org:organization <org/pmc-wagner> ;
    {PROVENANCE} .
"""


def _source(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _line_of(path: Path, start: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return 1 + next(i for i, line in enumerate(lines) if line.startswith(start))


def _dump(store_path: Path) -> list[bytes]:
    """The store's quads as sorted N-Quads lines, without the activity log (which only grows)."""
    store = ox.Store.read_only(str(store_path))
    log = f"<{GRAPH_LOG}> .".encode()
    try:
        return sorted(line for line in store.dump(format=ox.RdfFormat.N_QUADS).splitlines()
                      if not line.endswith(log))
    finally:
        del store


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def config(article_store: Path, tmp_path: Path) -> Config:
    """A fresh copy of the article's store, and a data folder (not created yet) to write sources to."""
    shutil.copytree(article_store, tmp_path / "store")
    (tmp_path / "in").mkdir()
    return Config(store_path=tmp_path / "store", data_dir=tmp_path / "data")


def test_ingest_adds_the_graph_and_its_entailments_and_queries_see_them(config, tmp_path):
    path = _source(tmp_path / "in", "test-capture-2025-06.ttl", CAPTURE)
    report = ingest(config, [path])
    assert not report.problems and report.added_inferred > 0
    person, graph = ID["person/t2st2abc"], source_graph("test-capture-2025-06")
    with OxigraphStore(config.store_path) as store:
        assert graph in store.graphs() and store.count(graph) == 27
        inferred = store.to_dataset([GRAPH_INFERRED]).graph(GRAPH_INFERRED)
        assert (person, RDF.type, SCHEMA.Person) in inferred
        assert (person, ORG.memberOf, ID["org/pmc-wagner"]) in inferred
        rows = store.query(f"""SELECT ?name WHERE {{ ?p <{ORG.memberOf}> <{ID['org/pmc-wagner']}> ;
            a <{SCHEMA.Person}> ; <{SCHEMA.name}> ?name }}""").rows
    assert (Literal("Test Prisoner One", lang="en"),) in rows
    # The analyst's file is kept as written, next to the packaged sources it now joins.
    folder = config.data_dir / "data" / "sources"
    assert (folder / "test-capture-2025-06.ttl").read_bytes() == path.read_bytes()
    assert (folder / "glavkom-2025-05-17.trig").exists()


def test_ingest_gives_a_full_builds_entailments_and_retract_undoes_it(config, tmp_path, resources):
    before = _dump(config.store_path)
    capture = _source(tmp_path / "in", "test-capture-2025-06.ttl", CAPTURE)
    echo = _source(tmp_path / "in", "test-echo-2025-06.ttl", ECHO)
    ingest(config, [capture, echo])
    full, report = compile_dataset(resources, [capture, echo])
    assert report.conforms
    with OxigraphStore(config.store_path) as store:
        ingested = store.to_dataset()
    for graph in (GRAPH_INFERRED, source_graph("test-capture-2025-06"), source_graph("test-echo-2025-06")):
        assert set(ingested.graph(graph)) == set(full.graph(graph)), graph
    # Asserted now, so no longer an entailment; retracting the source makes it one again.
    assert (ID["person/q35dvy4q"], RDF.type, SCHEMA.Person) not in ingested.graph(GRAPH_INFERRED)
    retract(config, "test-echo-2025-06")
    retract(config, "test-capture-2025-06")
    assert _dump(config.store_path) == before
    assert not (config.data_dir / "data" / "sources" / "test-echo-2025-06.ttl").exists()


def test_reingesting_the_same_file_changes_nothing(config, tmp_path):
    path = _source(tmp_path / "in", "test-capture-2025-06.ttl", CAPTURE)
    ingest(config, [path])
    store, files = _dump(config.store_path), _files(config.data_dir)
    report = ingest(config, [path])
    assert report.unchanged and "nothing to change" in report.text()
    assert (_dump(config.store_path), _files(config.data_dir)) == (store, files)


def test_reingesting_an_edited_file_equals_ingesting_it_afresh(config, article_store, tmp_path):
    first = _source(tmp_path / "in", "test-capture-2025-06.ttl", CAPTURE)
    ingest(config, [first])
    edited = CAPTURE.replace("org:organization <org/pmc-wagner>", "org:organization <org/pmc-redut>")
    edited = edited.replace("sem:hasPlace <place/bakhmut> ;", "")
    path = _source(tmp_path / "in", "test-capture-2025-06.ttl", edited)
    report = ingest(config, [path])
    assert report.removed_inferred > 0 and report.sources[0].previous == 27
    fresh = Config(store_path=tmp_path / "fresh", data_dir=tmp_path / "fresh-data")
    shutil.copytree(article_store, fresh.store_path)
    ingest(fresh, [path])
    assert _dump(config.store_path) == _dump(fresh.store_path)


BROKEN = PREFIXES + DOCUMENT + f"""
<person/t2st2bad> a lg:Combatant ;
    rdfs:label "Test Prisoner Two"@en ;
    schema:nationality "Belarus" .

<event/test-e02> a sem:Event ;
    rdfs:label "Capture of the second test prisoner"@en ;
    sem:eventType evtype:capture ;
    lg:captive <person/t2st2bad> ;
    sem:hasPlace <org/pmc-wagner> ;
    {PROVENANCE} .
"""


def test_a_failed_ingest_changes_nothing_and_names_every_problem(config, tmp_path):
    ingest(config, [_source(tmp_path / "in", "test-capture-2025-06.ttl", CAPTURE)])
    store, files = _dump(config.store_path), _files(config.data_dir)
    path = _source(tmp_path / "in", "test-broken-2025-06.ttl", BROKEN)
    with pytest.raises(ValidationFailed) as caught:
        ingest(config, [path])
    assert (_dump(config.store_path), _files(config.data_dir)) == (store, files)
    text = str(caught.value)
    person_line, event_line = _line_of(path, "<person/t2st2bad>"), _line_of(path, "<event/test-e02>")
    assert f"{path}, line {person_line}, nationality: schema:nationality does not point to a country" in text
    assert f"{path}, line {event_line}, hasPlace: sem:hasPlace does not point to a place" in text
    assert "nothing was written" in text and "(Test Prisoner Two lgid:person/t2st2bad" in text
    assert len(caught.value.report.problems) == 2


def test_dry_run_changes_nothing_and_warns_of_a_probable_duplicate(config, tmp_path):
    store = _dump(config.store_path)
    path = _source(tmp_path / "in", "test-duplicate-2025-06.ttl", CAPTURE.replace(
        "Test Prisoner One", "Maksym Ziaziulchyk"))
    report = ingest(config, [path], dry_run=True)
    assert _dump(config.store_path) == store and not config.data_dir.exists()
    assert not report.problems and report.dry_run and "Dry run: nothing was written." in report.text()
    (warning,) = [w for w in report.warnings if "probable duplicate" in w]
    assert "'Maksym Ziaziulchyk'" in warning and "'Maksim Zyazyulchik'" in warning
    assert "person/q35dvy4q" in warning
    (summary,) = report.sources
    assert summary.classes == {"lg:Combatant": 1, "lg:SourceDocument": 1, "org:Membership": 1, "sem:Event": 1}
    assert ID["person/t2st2abc"] in summary.new_entities
    assert {ID["country/BY"], ID["org/pmc-wagner"], ID["place/bakhmut"]} <= set(summary.matched_entities)


# Sources that break the shapes only together with what the store holds.
TOUCHING = {
    "test-chain": PREFIXES + """
<place/test-village> a schema:City ; rdfs:label "Test village"@en ;
    schema:containedInPlace <place/test-district> .
<place/test-district> a schema:AdministrativeArea ; rdfs:label "Test district"@en .
<place/test-town> a schema:City ; rdfs:label "Test town"@en ;
    schema:containedInPlace <place/donetsk-oblast> .
""",
    "test-second-name": PREFIXES + '<person/q35dvy4q> schema:name "Maksym Ziaziulchyk"@en .\n',
    "test-second-type": PREFIXES + "<event/e05> sem:eventType evtype:publication .\n",
    "test-age-at-person": PREFIXES + DOCUMENT + f"""
<age/test-a01> a lg:AgeStatement ; rdfs:label "Age at a person, by mistake"@en ;
    lg:ageInYears 30 ; lg:ageAtEvent <person/q35dvy4q> ; {PROVENANCE} .
""",
    "test-observation": PREFIXES + DOCUMENT + f"""
<obs/foreign-pow-by-citizenship/test> a qb:Observation ; rdfs:label "A negative count"@en ;
    qb:dataSet <dataset/foreign-pow-by-citizenship> ; sdmx-measure:obsValue -1 ;
    sdmx-dimension:refArea <country/BY> ; sdmx-dimension:refPeriod "2025-05-02"^^xsd:date ;
    {PROVENANCE} .
""",
}


def test_incremental_validation_finds_what_a_full_run_finds(config, tmp_path, resources):
    files = []
    for fixture in sorted(FIXTURES.glob("*.violating.ttl")):
        name = "fx-" + re.sub(r"[^a-z0-9-]+", "-", fixture.name.removesuffix(".violating.ttl").lower())
        files.append(_source(tmp_path / "in", f"{name}.ttl", fixture.read_text(encoding="utf-8")))
    files += [_source(tmp_path / "in", f"{name}.ttl", text) for name, text in TOUCHING.items()]
    report = ingest(config, files, dry_run=True)
    _, full = compile_dataset(resources, files)
    incremental = {(v.focus, v.message) for v in report.violations}
    assert incremental == {(v.focus, v.message) for v in full.violations}
    focus = {f for f, _ in incremental}
    # Resources the store already held, found through the new triples and their entailments:
    assert {ID["person/q35dvy4q"], ID["event/e05"], ID["place/test-village"]} <= focus
    assert ID["place/test-town"] not in focus  # its chain reaches Ukraine through the store


def test_retract_refuses_to_break_another_sources_resources(config, tmp_path):
    unit = _source(tmp_path / "in", "test-unit.ttl", PREFIXES + """
<org/test-brigade> a lg:MilitaryUnit ; rdfs:label "Test brigade"@en .
""")
    member = _source(tmp_path / "in", "test-member.ttl", PREFIXES + DOCUMENT + f"""
<membership/test-m03> a org:Membership ; rdfs:label "Test membership"@en ;
    org:member <person/q35dvy4q> ; org:organization <org/test-brigade> ; {PROVENANCE} .
""")
    ingest(config, [unit, member])
    store, files = _dump(config.store_path), _files(config.data_dir)
    with pytest.raises(ValidationFailed) as caught:
        retract(config, "test-unit")
    assert (_dump(config.store_path), _files(config.data_dir)) == (store, files)
    # What a full run over the article and test-member.ttl alone reports (checked once by hand
    # with compile_dataset; not repeated here, a full run costs seconds):
    (violation,) = caught.value.report.violations
    assert (violation.focus, violation.path) == (ID["membership/test-m03"], ORG.organization)
    message = "already in the graph, organization: The membership needs exactly one org:organization"
    assert message in str(caught.value)


def test_sources_lists_each_source_with_its_date_and_counts(config, tmp_path):
    ingest(config, [_source(tmp_path / "in", "test-capture-2025-06.ttl", CAPTURE)])
    with OxigraphStore(config.store_path) as store:
        found = {s.name: s for s in list_sources(store)}
    assert set(found) == {"glavkom-2025-05-17", "test-capture-2025-06"}
    test = found["test-capture-2025-06"]
    assert (test.triples, test.persons, test.events, test.date) == (27, 1, 1, "2025-06-02")
    assert test.document == ID["doc/test-report-2025-06"]
    assert found["glavkom-2025-05-17"].date == "2025-05-17"


def test_ingest_refuses_to_extend_the_ontology(config, tmp_path):
    path = _source(tmp_path / "in", "test-schema.ttl", PREFIXES + """
lg:Combatant rdfs:label "Fighter"@en .
<org/test-x> a lg:MilitaryUnit ; rdfs:label "X"@en ; rdfs:subClassOf <org/pmc-wagner> .
""")
    report = ingest(config, [path], dry_run=True)
    texts = [p.text() for p in report.problems]
    first = len(PREFIXES.splitlines()) + 2
    assert any(t.startswith(f"{path}, line {first}, label: a source describes people") for t in texts)
    assert any(t.startswith(f"{path}, line {first + 1}, subClassOf: ") for t in texts)


def test_cli_ingest_sources_retract(config, tmp_path, capsys):
    def run(*argv: str) -> tuple[int, str, str]:
        try:
            main(["--store-path", str(config.store_path), "--data-dir", str(tmp_path), *argv])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        out, err = capsys.readouterr()
        return code, out, err

    config.data_dir.mkdir()
    good = _source(tmp_path / "in", "test-capture-2025-06.ttl", CAPTURE)
    code, out, _ = run("ingest", "--dry-run", str(good))
    assert code == 0 and "new entities (4)" in out and "Dry run: nothing was written." in out
    bad = _source(tmp_path / "in", "test-broken-2025-06.ttl", BROKEN)
    code, _, err = run("ingest", str(bad))
    assert code == 1 and f"{bad}, line {_line_of(bad, '<person/t2st2bad>')}, nationality: " in err
    broken = _source(tmp_path / "in", "test-syntax.ttl", PREFIXES + "<a> <b> .\n")
    code, _, err = run("ingest", str(broken))
    assert code == 2 and f"{broken}, line {len(PREFIXES.splitlines()) + 1}" in err
    assert run("ingest", str(good))[0] == 0
    code, out, _ = run("sources")
    assert code == 0 and re.search(r"test-capture-2025-06\s+2025-06-02\s+27\s+1\s+1", out)
    code, out, _ = run("retract", "test-capture-2025-06")
    assert code == 0 and "Retracted." in out
    code, _, err = run("retract", "test-capture-2025-06")
    assert code == 2 and "no source named 'test-capture-2025-06'" in err


def test_an_unreadable_file_stops_everything_before_the_store_is_opened(tmp_path):
    config = Config(store_path=tmp_path / "missing-store", data_dir=tmp_path / "data")
    with pytest.raises(LoadError, match=r"Bad_Name\.ttl: a source file name must be a lower-case slug"):
        ingest(config, [_source(tmp_path, "Bad_Name.ttl", PREFIXES)])
    with pytest.raises(ResourceNotFound):
        retract(config, "Not A Slug")


def test_ingest_refuses_a_public_store(config, tmp_path):
    with OxigraphStore(config.store_path, read_only=False) as store:
        store.patch(add={PROFILE_GRAPH: [(PROFILE_GRAPH, LG.profile, Literal("public"))]})
    path = _source(tmp_path / "in", "test-capture-2025-06.ttl", CAPTURE)
    with pytest.raises(StoreError, match="built with the public profile"):
        ingest(config, [path])


def test_patch_replaces_removes_and_adds_in_one_change(tmp_path):
    a, b, c = (URIRef(f"urn:x:{n}") for n in "abc")
    inferred, source = GRAPH_INFERRED, source_graph("x")
    for store in (OxigraphStore(tmp_path / "ox", read_only=False), MemoryStore(tmp_path / "mem")):
        store.patch(replace={source: [(a, b, c)]}, add={inferred: [(a, a, a), (b, b, b)]})
        store.patch(replace={source: [(c, c, c)]}, remove={inferred: [(a, a, a)]},
                    add={inferred: [(c, b, a)]})
        ds = store.to_dataset()
        assert set(ds.graph(source)) == {(c, c, c)}
        assert set(ds.graph(inferred)) == {(b, b, b), (c, b, a)}
        store.patch(replace={source: []})
        assert source not in store.graphs()
        store.close()


def test_transliterated_names_match():
    assert name_key("Maksym Ziaziulchyk") == name_key("Maksim Zyazyulchik") == name_key("Максим Зязюльчик")
    assert similarity("Artur Yefremov", "Artur Efremov") == 1.0
    assert similarity("Zyazyulchik Maksim", "Maksym Ziaziulchyk") == 1.0
    assert similarity("Andriy Gerilovich", "Andrii Herylovych") >= 0.85
    assert similarity("Maksim Zapeka", "Maksim Zyazyulchik") < 0.85
    assert similarity("Synthetic person 12", "Synthetic person 13") == 0.0


def test_probable_duplicates_are_reported_once_per_pair():
    a, b, c = (URIRef(f"urn:x:{n}") for n in "abc")
    found = probable_duplicates({a: ["Maksym Ziaziulchyk"], b: ["Maksim Zyazyulchik"]},
                                {c: ["Maksim Zyazyulchik", "Zyazyulchik"]})
    assert [(d.new, d.existing, d.both_new) for d in found] == [(a, b, True), (a, c, False), (b, c, False)]
    assert "also new in these sources" in found[0].describe()


def test_ingest_and_retract_use_the_configured_validator(config, tmp_path, monkeypatch):
    """Regression: ingest and retract validated with the default engine whatever `validator` said."""
    from legiongraph.pipeline import incremental

    engines: list[str] = []
    validate = incremental.validate

    def spy(data, shapes, validator="shacl", **options):
        engines.append(validator)
        return validate(data, shapes, validator, **options)

    monkeypatch.setattr(incremental, "validate", spy)
    pyshacl = config.replace(validator="pyshacl")
    broken = _source(tmp_path / "in", "test-broken-2025-06.ttl", BROKEN)
    with pytest.raises(ValidationFailed) as caught:
        ingest(pyshacl, [broken])
    # pySHACL's results carry the shapes' own messages, with file and line, as the default's do.
    assert sorted(p.text() for p in caught.value.report.problems) == sorted(
        p.text() for p in ingest(config, [broken], dry_run=True).problems)
    assert "schema:nationality does not point to a country" in str(caught.value)
    assert engines == ["pyshacl", "shacl"]
    engines.clear()
    ingest(pyshacl, [_source(tmp_path / "in", "test-capture-2025-06.ttl", CAPTURE)])
    retract(pyshacl, "test-capture-2025-06")
    assert engines == ["pyshacl", "pyshacl"]


# --------------------------------------------------------------------------- the gazetteer graph
KHARKIV = """\
source:
  id: kharkiv-2025-07
  label: Example report on a capture near Kharkiv (July 2025)
  publisher: Glavkom
  published: 2025-07
defaults: {claimant: Glavkom, certainty: reported}
places:
  - id: kharkiv
    label: Kharkiv
    type: city
    in: Ukraine
persons:
  - key: kenyan
    label: Kenyan citizen captured in July 2025
    nationality: Kenya
events:
  - id: kharkiv-e01
    label: Capture of a Kenyan soldier near Kharkiv (July 2025)
    type: capture
    captive: kenyan
    captor: Armed Forces of Ukraine
    place: Kharkiv
    date: 2025-07-01..2025-07-10
"""


def _points(store_path: Path) -> dict[str, str]:
    with OxigraphStore(store_path) as store:
        rows = store.query(f"""SELECT ?place ?wkt WHERE {{ GRAPH <{GRAPH_GAZETTEER}> {{
            ?place <{GEO.hasGeometry}> ?g . ?g <{GEO.asWKT}> ?wkt }} }}""").rows
    return {str(place).rsplit("/", 1)[1]: str(wkt) for place, wkt in rows}


def test_ingest_maps_a_new_city_as_a_rebuild_would_and_retract_takes_its_point_away(config, tmp_path,
                                                                                     resources):
    before = _dump(config.store_path)
    report = ingest(config, [_source(tmp_path / "in", "kharkiv-2025-07.yaml", KHARKIV)])
    assert "gazetteer graph updated as a rebuild would: 1 city located (GeoNames, offline)" in report.notes
    assert _points(config.store_path)["kharkiv"] == "Point(36.25475 49.98177)"
    written = config.data_dir / "data" / "sources" / "kharkiv-2025-07.trig"
    full, _ = compile_dataset(resources, [written])
    with OxigraphStore(config.store_path) as store:
        ingested = store.to_dataset()
    for graph in (GRAPH_GAZETTEER, GRAPH_INFERRED):
        assert set(ingested.graph(graph)) == set(full.graph(graph)), graph
    report = retract(config, "kharkiv-2025-07")
    assert "gazetteer graph updated as a rebuild would: 1 city no longer located (GeoNames, offline)" \
        in report.notes
    assert _dump(config.store_path) == before


def test_a_revision_renaming_a_city_the_gazetteer_cannot_match_removes_its_point(config, tmp_path):
    ingest(config, [_source(tmp_path / "in", "kharkiv-2025-07.yaml", KHARKIV)])
    renamed = KHARKIV.replace("    label: Kharkiv\n", "    label: Kharkiv outskirts\n")
    ingest(config, [_source(tmp_path / "in", "kharkiv-2025-07.yaml", renamed.replace(
        "place: Kharkiv", "place: Kharkiv outskirts"))])
    assert "kharkiv" not in _points(config.store_path)
    assert _points(config.store_path)["bakhmut"] == "Point(37.99886 48.59419)"


def test_a_source_that_describes_no_place_leaves_the_gazetteer_alone(config, tmp_path):
    report = ingest(config, [_source(tmp_path / "in", "test-capture-2025-06.ttl", CAPTURE)])
    assert not [n for n in report.notes if "gazetteer" in n]
    with OxigraphStore(config.store_path) as store:
        assert gazetteer_replacement(store, {source_graph("test-capture-2025-06"): set()}) == {}


def test_a_revision_moving_a_city_to_another_country_gives_the_rebuilds_gazetteer(config, tmp_path,
                                                                                    resources):
    ingest(config, [_source(tmp_path / "in", "kharkiv-2025-07.yaml", KHARKIV)])
    moved = _source(tmp_path / "in", "kharkiv-2025-07.yaml", KHARKIV.replace("in: Ukraine", "in: Russia"))
    report = ingest(config, [moved])
    assert "gazetteer graph updated as a rebuild would: 1 city no longer located (GeoNames, offline)" \
        in report.notes
    full, _ = compile_dataset(resources, [config.data_dir / "data" / "sources" / "kharkiv-2025-07.trig"])
    with OxigraphStore(config.store_path) as store:
        gazetteer = set(store.to_dataset([GRAPH_GAZETTEER]).graph(GRAPH_GAZETTEER))
    assert gazetteer == set(full.graph(GRAPH_GAZETTEER))
    assert "kharkiv" not in _points(config.store_path)
