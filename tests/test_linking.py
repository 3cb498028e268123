"""Reconciliation with Wikidata and GeoNames, the review file, and the links graph: all against
the local stand-in of the Wikidata Query Service (tests/fixtures/wikidata/standin.ttl)."""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from legiongraph import OxigraphStore
from legiongraph.cli import main
from legiongraph.errors import LoadError, QueryError, ValidationFailed
from legiongraph.linking import (
    GRAPH_LINKS,
    KINDS,
    Row,
    SparqlClient,
    apply_review,
    link_coverage,
    merge,
    read_entities,
    read_review,
    reconcile_geonames,
    reconcile_wikidata,
    write_review,
)
from legiongraph.linking.apply import P625, WKT_LITERAL
from legiongraph.linking.names import base_forms, similarity, skeleton, variants
from legiongraph.pipeline.build import load_shapes
from legiongraph.publish.servicedesc import graph_statistics, service_description
from legiongraph.resources import Resources

ID = "https://w3id.org/legiongraph/id/"
WD = "http://www.wikidata.org/entity/"
LG = "https://w3id.org/legiongraph/ontology#"
STANDIN = Path(__file__).parent / "fixtures" / "wikidata" / "standin.ttl"


@pytest.mark.parametrize("ours, theirs", [("Zyazyulchik", "Zjazjulcik"), ("Gerilovich", "Herylovych"),
                                          ("Mariyinka", "Marinka"), ("Kyiv", "Kiev")])
def test_romanisations_of_one_name_match(ours, theirs):
    assert skeleton(ours) == skeleton(theirs)
    assert similarity(ours, theirs) == 0.9
    assert similarity(ours, ours.upper()) == 1.0


def test_look_up_variants_include_other_romanisations():
    assert "Andriy Herylovych" in variants("Andriy Gerilovich")
    assert "Maksim Zjazjulcik" in variants("Maksim Zyazyulchik")
    assert "Marinka" in variants("Mariyinka")
    assert "Kyiv" in variants("Kiev")
    assert variants("Bakhmut")[0] == "Bakhmut"
    assert similarity("Bakhmut", "Bakhmach") < 0.8


def test_labels_lack_our_bracketed_qualifiers_and_hyphens():
    assert base_forms("3rd Motorized Rifle Division (Russia)") == ["3rd Motorized Rifle Division (Russia)",
                                                                   "3rd Motorized Rifle Division"]
    assert base_forms("Kim Jong-un") == ["Kim Jong-un", "Kim Jong Un"]
    assert variants("Kim Jong-un")[:2] == ["Kim Jong-un", "Kim Jong Un"]
    assert base_forms("Bakhmut") == ["Bakhmut"]


@pytest.fixture(scope="module")
def entities(oxigraph_store):
    found = read_entities(oxigraph_store, ("place", "organisation", "person", "combatant"))
    return {str(e.iri).removeprefix(ID): e for e in found}


def test_every_entity_class_the_article_mentions_can_be_reconciled(oxigraph_store):
    default = {str(e.iri).removeprefix(ID) for e in read_entities(oxigraph_store)}
    for name in ("place/bakhmut", "place/mariyinka", "place/toretsk-district", "place/druzhkivka",
                 "place/donetsk-oblast", "place/kursk-oblast", "place/voronezh", "place/saratov",
                 "place/moscow", "place/samarkand", "place/mogilev-region",
                 "place/sergievskoye-training-ground", "org/pmc-wagner", "org/pmc-redut", "org/sbu",
                 "org/hur", "org/coordination-hq-treatment-of-pows", "org/kcna", "org/yonhap",
                 "org/radio-liberty", "org/3rd-motorized-rifle-division",
                 "org/46th-separate-airmobile-brigade", "person/qymsw4pa", "person/ms5i2465",
                 "person/fidpsos6"):
        assert name in default
    # prisoners of war are reconciled only when asked for by name; informal groups never
    assert "person/q35dvy4q" not in default
    assert "org/belarusian-journalists" not in default


def test_entities_carry_names_and_country(entities):
    bakhmut = entities["place/bakhmut"]
    assert (bakhmut.label, str(bakhmut.country), bakhmut.country_code) == ("Bakhmut", WD + "Q212", "UA")
    assert entities["org/pmc-wagner"].country == URIRef(WD + "Q159")
    assert entities["person/fidpsos6"].country_code == "KP"
    assert "Marinka" in entities["place/mariyinka"].names
    assert entities["place/sergievskoye-training-ground"].cls == URIRef(LG + "TrainingGround")


# The article's entities of each class and the stand-in item each must be proposed first, with its
# score: 1 for the same name (label, alias, or ours without its bracketed qualifier), 0.9 for another
# romanisation or, for Toretsk district, a city where an administrative area was expected.
ARTICLE_PLACES = {
    "place/bakhmut": ("Q900001", 1.0), "place/mariyinka": ("Q900003", 1.0),
    "place/toretsk-district": ("Q900006", 0.9), "place/druzhkivka": ("Q900007", 1.0),
    "place/donetsk-oblast": ("Q900010", 1.0), "place/kursk-oblast": ("Q900011", 1.0),
    "place/voronezh": ("Q900008", 1.0), "place/saratov": ("Q900009", 1.0),
    "place/moscow": ("Q900013", 1.0), "place/samarkand": ("Q900015", 1.0),
    "place/mogilev-region": ("Q900016", 1.0), "place/sergievskoye-training-ground": ("Q900018", 1.0),
}
ARTICLE_ORGANISATIONS = {
    "org/pmc-wagner": ("Q900040", 1.0), "org/pmc-redut": ("Q900043", 1.0), "org/sbu": ("Q900044", 1.0),
    "org/hur": ("Q900045", 1.0), "org/coordination-hq-treatment-of-pows": ("Q900047", 1.0),
    "org/kcna": ("Q900048", 1.0), "org/yonhap": ("Q900041", 1.0), "org/radio-liberty": ("Q900049", 1.0),
    "org/3rd-motorized-rifle-division": ("Q900050", 1.0),
    "org/46th-separate-airmobile-brigade": ("Q900051", 1.0),
    "org/air-assault-forces-of-ukraine": ("Q900052", 1.0),
    "org/combined-rifle-brigade-air-force": ("Q900053", 1.0),
}
ARTICLE_PUBLIC_FIGURES = {
    "person/qymsw4pa": ("Q900030", 1.0),  # Vladimir Putin
    "person/ms5i2465": ("Q900031", 1.0),  # Volodymyr Zelensky; Wikidata writes Zelenskyy
    "person/fidpsos6": ("Q900032", 1.0),  # Kim Jong-un; the label is Kim Jong Un
}
# Combatants, reconciled only when asked for by name: the two whose names are spelled otherwise.
ARTICLE_COMBATANTS = {
    "person/q35dvy4q": ("Q900020", 0.9),  # Zyazyulchik -> Zjazjulcik
    "person/eeevadax": ("Q900021", 0.9),  # Gerilovich -> Herylovych
}
ARTICLE = {**ARTICLE_PLACES, **ARTICLE_ORGANISATIONS, **ARTICLE_PUBLIC_FIGURES, **ARTICLE_COMBATANTS}
# Named by the article but not in the stand-in: an unnamed unit and a recruiting office.
NOT_IN_STANDIN = ("org/sabotage-reconnaissance-group", "org/yablochkova-street-contract-office")

# The Wikidata classes that linking.entities names, with their English labels, as checked offline
# against public Wikidata queries (see the README's Linking section). The stand-in must use the
# same numbers for the same classes.
WIKIDATA_CLASSES = {
    "Q486972": "human settlement", "Q515": "city", "Q56061": "administrative territorial entity",
    "Q82794": "geographic region", "Q618123": "geographical feature", "Q2221906": "geographic location",
    "Q245016": "military base", "Q43229": "organization", "Q176799": "military unit",
    "Q8473": "military", "Q327333": "government agency", "Q47913": "intelligence agency",
    "Q41487": "court", "Q192283": "news agency", "Q11032": "newspaper", "Q14350": "radio station",
    "Q1331793": "media company", "Q5": "human",
}


@pytest.fixture(scope="module")
def standin_graph() -> Graph:
    return Graph().parse(STANDIN)


def test_type_constraints_use_the_verified_wikidata_classes_and_the_standin_agrees(standin_graph):
    used = {q for kind in KINDS.values()
            for q in (*kind.required, *(c for cs in kind.preferred.values() for c in cs))}
    assert used == set(WIKIDATA_CLASSES)
    for qid, label in WIKIDATA_CLASSES.items():
        assert standin_graph.value(URIRef(WD + qid), URIRef("http://www.w3.org/2000/01/rdf-schema#label")) \
            == Literal(label, lang="en"), qid


@pytest.fixture(scope="module")
def proposals(entities, wikidata_standin, tmp_path_factory):
    client = SparqlClient(wikidata_standin, min_interval=0, cache_dir=tmp_path_factory.mktemp("cache"))
    chosen = [entities[n] for n in (*ARTICLE, *NOT_IN_STANDIN, "place/kyiv")]
    rows = reconcile_wikidata(client, chosen)
    by_entity: dict[str, list[Row]] = {}
    for row in rows:
        by_entity.setdefault(row.entity.removeprefix(ID), []).append(row)
    return client, chosen, by_entity


def _candidates(rows: list[Row]) -> list[tuple[str, float]]:
    return [(r.candidate_iri.removeprefix(WD), r.score) for r in rows]


_SPARQL_CHECK = """PREFIX wdt: <http://www.wikidata.org/prop/direct/>
SELECT ?class ?country WHERE {
  VALUES ?class { %s }
  <%s> wdt:P31/wdt:P279* ?class .
  OPTIONAL { <%s> (wdt:P17|wdt:P27|(wdt:P131/wdt:P17)) ?country }
}"""


@pytest.mark.parametrize("name", ARTICLE, ids=str)
def test_every_entity_the_article_names_gets_its_candidate_first(name, proposals, entities, standin_graph):
    _, _, rows = proposals
    expected = ARTICLE[name]
    assert _candidates(rows[name])[0] == expected
    # the expected item is of a class the entity's kind requires, and in the entity's country
    entity = entities[name]
    item = WD + expected[0]
    required = " ".join(f"<{WD}{q}>" for q in entity.kind.required)
    found = list(standin_graph.query(_SPARQL_CHECK % (required, item, item)))
    assert found, f"{item} is not of a class {entity.kind.name} requires"
    if entity.country is not None:
        assert {row[1] for row in found} == {entity.country}


def test_each_class_of_the_article_is_covered():
    classes = {n.split("/")[0] for n in ARTICLE}
    assert classes == {"place", "org", "person"}
    assert len(ARTICLE_PLACES) == 12 and len(ARTICLE_PUBLIC_FIGURES) == 3


def test_places_bring_their_coordinates_and_nothing_else_does(proposals):
    _, _, rows = proposals
    assert rows["place/bakhmut"][0].coordinates == "Point(38.0 48.6)"
    assert rows["place/bakhmut"][1].coordinates == ""  # the river has none in the stand-in
    assert all(r.coordinates.startswith("Point(") for n in ARTICLE_PLACES for r in rows[n][:1])
    assert all(r.coordinates == "" for n in (*ARTICLE_ORGANISATIONS, *ARTICLE_PUBLIC_FIGURES)
               for r in rows[n])


def test_ambiguous_label_ranks_the_expected_type_first(proposals):
    _, _, rows = proposals
    assert _candidates(rows["place/bakhmut"]) == [("Q900001", 1.0), ("Q900002", 0.9)]
    assert rows["place/bakhmut"][0].candidate_label == "Bakhmut"
    assert rows["place/bakhmut"][0].description == "city in Donetsk Oblast, Ukraine (test item)"
    assert rows["place/bakhmut"][1].description == "river in Ukraine (test item)"
    assert rows["place/bakhmut"][0].decision == ""
    # Kursk Oblast is also called Kursk: the oblast first, the city of that name second
    assert _candidates(rows["place/kursk-oblast"]) == [("Q900011", 1.0), ("Q900012", 0.9)]


def test_candidate_in_the_wrong_country_is_dropped(proposals, entities, wikidata_standin):
    _, _, rows = proposals
    # Q900004 is a Marinka in Russia; Q900003 is in Ukraine through P131 only
    assert _candidates(rows["place/mariyinka"]) == [("Q900003", 1.0)]
    assert _candidates(rows["place/moscow"]) == [("Q900013", 1.0)]  # not Moscow, Idaho (Q900014)
    assert _candidates(rows["org/pmc-wagner"]) == [("Q900040", 1.0)]  # not Wagner of Germany (Q900042)
    # without a country to check, the namesakes are proposed too: the country is what drops them
    client = SparqlClient(wikidata_standin, min_interval=0)
    names = ("place/mariyinka", "place/moscow", "org/pmc-wagner")
    anywhere = [replace(entities[n], country=None) for n in names]
    found = {r.candidate_iri.removeprefix(WD) for r in reconcile_wikidata(client, anywhere)}
    assert {"Q900004", "Q900014", "Q900042"} <= found


def test_candidate_of_the_wrong_type_is_never_proposed(proposals, entities, wikidata_standin):
    _, _, rows = proposals
    assert _candidates(rows["org/pmc-redut"]) == [("Q900043", 1.0)]  # not the village Redut (Q900019)
    client = SparqlClient(wikidata_standin, min_interval=0)
    village = replace(entities["place/moscow"], names=("Redut",), label="Redut")
    assert _candidates(reconcile_wikidata(client, [village])) == [("Q900019", 1.0)]


@pytest.mark.parametrize("name, spelling, item", [
    ("person/q35dvy4q", "Maksim Zyazyulchik", "Q900020"),
    ("person/eeevadax", "Andriy Gerilovich", "Q900021"),
    ("place/mariyinka", "Mariyinka", "Q900003"),
    ("place/kyiv", "Kiev", "Q900005"),
], ids=["Zyazyulchik-Zjazjulcik", "Gerilovich-Herylovych", "Mariyinka-Marinka", "Kiev-Kyiv"])
def test_transliteration_variants_find_the_item(name, spelling, item, entities, wikidata_standin):
    # only our spelling, which is no label or alias of the item: the look-up needs the variant
    entity = replace(entities[name], names=(spelling,), label=spelling)
    client = SparqlClient(wikidata_standin, min_interval=0)
    assert _candidates(reconcile_wikidata(client, [entity])) == [(item, 0.9)]


def test_no_candidate_gives_a_row_without_candidate(proposals):
    _, _, rows = proposals
    for name in NOT_IN_STANDIN:
        [row] = rows[name]
        assert (row.candidate_iri, row.score, row.description) == ("", 0.0, "no candidate found")


def test_second_run_asks_nothing(proposals, wikidata_standin):
    client, chosen, rows = proposals
    assert client.requests == len(chosen)
    again = SparqlClient(wikidata_standin, min_interval=0, cache_dir=client.cache_dir)
    assert reconcile_wikidata(again, chosen[:3]) == [r for n in list(ARTICLE)[:3] for r in rows[n]]
    assert again.requests == 0


class _Flaky(BaseHTTPRequestHandler):
    answers: ClassVar = [(429, b"slow down"), (503, b"busy"),
                         (200, b'{"head":{"vars":[]},"results":{"bindings":[]}}')]
    seen: ClassVar[list[str]] = []

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.seen.append(self.headers["User-Agent"])
        status, body = self.answers[min(len(self.seen) - 1, len(self.answers) - 1)]
        self.send_response(status)
        self.send_header("Retry-After", "7")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_client_backs_off_on_429_and_503_and_names_itself():
    server = HTTPServer(("127.0.0.1", 0), _Flaky)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    waits: list[float] = []
    _Flaky.seen.clear()
    try:
        client = SparqlClient(f"http://127.0.0.1:{server.server_port}/sparql", min_interval=0,
                              sleep=waits.append)
        assert client.select("SELECT * {}") == []
        assert waits == [7.0, 7.0] and client.requests == 3
        assert all(ua.startswith("legiongraph-link/") for ua in _Flaky.seen)
        _Flaky.seen.clear()
        with pytest.raises(QueryError, match=r"HTTP 429"):
            SparqlClient(client.endpoint, min_interval=0, retries=0, sleep=waits.append).select("ASK {}")
    finally:
        server.shutdown()
        server.server_close()


def test_review_merge_keeps_decisions_and_never_reproposes_a_rejection(proposals):
    _, _, rows = proposals
    bakhmut = rows["place/bakhmut"]
    reviewed = [Row(**{**r.__dict__, "decision": "reject"}) if r.candidate_iri.endswith("Q900002") else r
                for r in bakhmut]
    merged = merge(reviewed, bakhmut, {(bakhmut[0].entity, "wikidata")})
    assert [(r.candidate_iri.removeprefix(WD), r.decision) for r in merged] == [("Q900001", ""),
                                                                              ("Q900002", "reject")]
    accepted = [Row(**{**bakhmut[0].__dict__, "decision": "exact"})]
    assert merge(accepted, bakhmut, {(bakhmut[0].entity, "wikidata")}) == accepted


def test_review_merge_gives_a_decided_row_from_an_older_file_its_coordinates(proposals):
    _, _, rows = proposals
    fresh = rows["place/bakhmut"]
    older = [replace(fresh[0], decision="exact", coordinates="")]  # written before coordinates existed
    merged = merge(older, fresh, {(fresh[0].entity, "wikidata")})
    assert [(r.decision, r.coordinates) for r in merged] == [("exact", "Point(38.0 48.6)")]


def test_review_file_round_trip_and_errors_name_line_and_field(proposals, tmp_path):
    _, _, rows = proposals
    path = tmp_path / "review.csv"
    flat = [r for group in rows.values() for r in group]
    write_review(path, flat)
    assert [replace(r, line=None) for r in read_review(path)] == flat
    text = path.read_text(encoding="utf-8").splitlines()
    assert text[0] == ("entity,label,target,candidate_iri,candidate_label,description,coordinates,score,"
                       "decision")
    bakhmut = next(line for line in text if "/Q900001," in line)
    assert ',"city in Donetsk Oblast, Ukraine (test item)",Point(38.0 48.6),1.000,' in bakhmut
    text[1] = text[1].removesuffix(",") + ",maybe"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(LoadError, match=r"review\.csv, line 2, field decision: 'maybe' is not one of"):
        read_review(path)


def test_review_file_rejects_coordinates_that_are_no_point_on_earth(tmp_path):
    path = tmp_path / "review.csv"
    head = "entity,label,target,candidate_iri,candidate_label,description,coordinates,score,decision\n"
    for bad in ("48.6 38.0", "Point(38.0 98.6)", "<http://www.wikidata.org/entity/Q405> Point(1 2)"):
        path.write_text(head + f"{ID}place/bakhmut,Bakhmut,wikidata,{WD}Q900001,Bakhmut,,{bad},1,exact\n",
                        encoding="utf-8")
        with pytest.raises(LoadError, match=r"line 2, field coordinates: .* is not a Wikidata point"):
            read_review(path)


def test_review_file_written_before_the_coordinates_column_is_still_read(tmp_path):
    path = tmp_path / "review.csv"
    path.write_text("entity,label,target,candidate_iri,candidate_label,description,score,decision\n"
                    f"{ID}place/bakhmut,Bakhmut,wikidata,{WD}Q900001,Bakhmut,city,1.000,exact\n",
                    encoding="utf-8")
    [row] = read_review(path)
    assert (row.candidate_iri, row.coordinates, row.decision, row.line) == (WD + "Q900001", "", "exact", 2)


@pytest.fixture
def writable(dataset, tmp_path) -> OxigraphStore:
    store = OxigraphStore(None, read_only=False)
    store.replace_all(dataset)
    return store


def test_apply_writes_accepted_links_with_provenance_and_remembers_rejections(proposals, writable):
    _, _, rows = proposals
    bakhmut = rows["place/bakhmut"]
    reviewed = [Row(**{**bakhmut[0].__dict__, "decision": "exact", "line": 2}),
                Row(**{**bakhmut[1].__dict__, "decision": "reject", "line": 3}),
                Row(**{**rows["org/pmc-wagner"][0].__dict__, "decision": "close", "line": 4}),
                Row(**{**rows["place/kyiv"][0].__dict__, "line": 5})]
    result = apply_review(writable, reviewed, load_shapes(Resources()), source="r.csv",
                          today=dt.date(2025, 6, 1))
    assert result.counts == {"exact": 1, "close": 1, "reject": 1, "pending": 1, "coordinates": 1}
    g = writable.to_dataset([GRAPH_LINKS]).graph(GRAPH_LINKS)
    bakhmut_iri = URIRef(ID + "place/bakhmut")
    assert set(g.objects(bakhmut_iri, SKOS.exactMatch)) == {URIRef(WD + "Q900001")}
    assert set(g.objects(URIRef(ID + "org/pmc-wagner"), SKOS.closeMatch)) == {URIRef(WD + "Q900040")}
    assert (URIRef(ID + "place/kyiv"), None, None) not in g  # pending: no link asserted
    [accepted] = [link for link in g.subjects(RDF.object, URIRef(WD + "Q900001"))]
    assert g.value(accepted, URIRef(LG + "reviewDecision")) == Literal("exact")
    assert g.value(accepted, URIRef(LG + "matchScore")).toPython() == 1
    assert g.value(accepted, URIRef("http://purl.org/dc/terms/date")) == Literal("2025-06-01",
                                                                                  datatype=XSD.date)
    assert "P31/P279*" in str(g.value(accepted, URIRef(LG + "matchMethod")))
    [rejected] = [link for link in g.subjects(RDF.object, URIRef(WD + "Q900002"))]
    assert g.value(rejected, URIRef(LG + "reviewDecision")) == Literal("reject")

    coverage = {str(c.cls).rsplit("/", 1)[-1].rsplit("#", 1)[-1]: c for c in link_coverage(writable)}
    city = coverage["City"]
    assert (city.wikidata, city.reviewed, city.pending, city.rejected) == (1, 1, 1, 0)
    assert coverage["PrivateMilitaryCompany"].wikidata == 1

    description = service_description("http://127.0.0.1/sparql", graph_statistics(writable))
    linksets = {(str(p), int(n)) for p, n in description.query(
        "PREFIX void: <http://rdfs.org/ns/void#> SELECT ?p ?n WHERE { ?l a void:Linkset ; "
        "void:linkPredicate ?p ; void:triples ?n ; void:objectsTarget <https://www.wikidata.org/> }")}
    assert linksets == {(str(SKOS.exactMatch), 1), (str(SKOS.closeMatch), 1)}


def test_apply_copies_the_coordinates_of_accepted_places_with_a_record(proposals, writable):
    _, _, rows = proposals
    reviewed = [replace(rows["place/bakhmut"][0], decision="exact", line=2),
                replace(rows["place/kursk-oblast"][0], decision="close", line=3),
                replace(rows["place/kursk-oblast"][1], decision="reject", line=4),  # the city Kursk
                replace(rows["place/moscow"][0], line=5)]  # pending
    result = apply_review(writable, reviewed, load_shapes(Resources()), source="r.csv",
                          today=dt.date(2025, 6, 1))
    assert result.counts["coordinates"] == 2
    g = writable.to_dataset([GRAPH_LINKS]).graph(GRAPH_LINKS)
    assert {(str(s).removeprefix(WD), str(o)) for s, o in g.subject_objects(P625)} == {
        ("Q900001", "Point(38.0 48.6)"), ("Q900011", "Point(36.2 51.7)")}
    assert g.value(URIRef(WD + "Q900001"), P625).datatype == WKT_LITERAL
    [record] = g.subjects(RDF.subject, URIRef(WD + "Q900001"))
    assert str(record).startswith(ID + "link/p625/")
    assert (record, RDF.type, RDF.Statement) in g
    assert g.value(record, RDF.predicate) == P625
    assert g.value(record, RDF.object) == g.value(URIRef(WD + "Q900001"), P625)
    assert g.value(record, DCTERMS.source) == URIRef("https://www.wikidata.org/")
    assert g.value(record, DCTERMS.date) == Literal("2025-06-01", datatype=XSD.date)
    assert str(g.value(record, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))) == (
        "Coordinates of Bakhmut (Q900001), copied from Wikidata (P625)")


def test_apply_refuses_coordinates_that_break_the_shape(proposals, writable):
    _, _, rows = proposals
    # read_review refuses such a value; a Row made in code reaches the shapes
    row = replace(rows["place/bakhmut"][0], decision="exact", coordinates="Point(38.0)", line=2)
    with pytest.raises(ValidationFailed, match=r"r\.csv: the links do not conform"):
        apply_review(writable, [row], load_shapes(Resources()), source="r.csv")
    assert GRAPH_LINKS not in writable.graphs()


def test_apply_refuses_an_entity_the_store_does_not_hold(writable):
    row = Row(ID + "place/atlantis", "Atlantis", "wikidata", WD + "Q1", "x", "", 1.0, "exact", line=9)
    with pytest.raises(LoadError, match=r"r\.csv, line 9, field entity: <.*atlantis> is not in the store"):
        apply_review(writable, [row], load_shapes(Resources()), source="r.csv")
    assert GRAPH_LINKS not in writable.graphs()


GEONAMES_DUMP = "\n".join("\t".join(cols) for cols in [
    ("900101", "Mar'inka", "Mar'inka", "Marinka,Maryinka,Мар'їнка", "47.94", "37.50", "P", "PPLA3", "UA",
     "", "", "", "", "", "9000", "", "150", "Europe/Kyiv", "2024-01-01"),
    ("900102", "Marinka", "Marinka", "", "55.10", "40.00", "P", "PPL", "RU",
     "", "", "", "", "", "300", "", "120", "Europe/Moscow", "2024-01-01"),
    ("900103", "Bakhmutka", "Bakhmutka", "Bakhmut", "48.60", "38.00", "H", "STM", "UA",
     "", "", "", "", "", "0", "", "100", "Europe/Kyiv", "2024-01-01"),
    ("900104", "Bakhmut", "Bakhmut", "Artemivsk,Bachmut", "48.59", "38.00", "P", "PPLA2", "UA",
     "", "", "", "", "", "70000", "", "100", "Europe/Kyiv", "2024-01-01"),
]) + "\n"


def test_geonames_dump_proposes_places_in_the_right_country_and_feature_class(entities, tmp_path):
    dump = tmp_path / "allCountries.txt"
    dump.write_text(GEONAMES_DUMP, encoding="utf-8")
    rows = reconcile_geonames(dump, [entities["place/mariyinka"], entities["place/bakhmut"],
                                     entities["place/samarkand"], entities["org/sbu"]])
    found = {(r.entity.removeprefix(ID), r.candidate_iri, r.score) for r in rows}
    assert found == {("place/mariyinka", "https://sws.geonames.org/900101/", 1.0),
                     ("place/bakhmut", "https://sws.geonames.org/900104/", 1.0),
                     ("place/samarkand", "", 0.0)}
    dump.write_text("900101\tMar'inka\n", encoding="utf-8")
    with pytest.raises(LoadError, match=r"allCountries\.txt, line 1: expected at least 15"):
        reconcile_geonames(dump, [entities["place/mariyinka"]])


def test_cli_proposes_then_applies(wikidata_standin, dataset, tmp_path, capsys):
    store_path = tmp_path / "store"
    writer = OxigraphStore(store_path, read_only=False)
    writer.replace_all(dataset)
    writer.close()
    review = tmp_path / "review.csv"
    base = ["--store-path", str(store_path), "link", "--review", str(review)]
    main([*base, "--class", "schema:City", "--endpoint", wikidata_standin,
          "--cache", str(tmp_path / "cache"), "--delay", "0"])
    assert ("Reconciled 8 entities against wikidata: 9 proposals to review, 0 without candidate"
            in capsys.readouterr().out)
    lines = review.read_text(encoding="utf-8").splitlines()
    accepted = [line.removesuffix(",") + ",exact" if "/Q900001," in line else line for line in lines]
    review.write_text("\n".join(accepted) + "\n", encoding="utf-8")
    main([*base, "--apply", str(review)])
    assert "Wrote 1 exact match and 0 close matches" in capsys.readouterr().out
    with OxigraphStore(store_path) as store:
        assert store.query(f"ASK {{ GRAPH <{GRAPH_LINKS}> {{ <{ID}place/bakhmut> "
                           f"<{SKOS.exactMatch}> <{WD}Q900001> . <{WD}Q900001> <{P625}> "
                           f"\"Point(38.0 48.6)\"^^<{WKT_LITERAL}> }} }}").boolean


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_readme_worked_example_runs_offline_against_the_standin(tmp_path):
    """scripts/link_standin_demo.py gives the docs/linking.md worked example: build, serve the stand-in,
    propose, review, apply, stats, the map query and the federated query, all on loopback."""
    import subprocess
    import sys

    script = Path(__file__).resolve().parent.parent / "scripts" / "link_standin_demo.py"
    # The docs show tables at their natural width, as in a pipe without $COLUMNS.
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    done = subprocess.run([sys.executable, str(script), "--workdir", str(tmp_path / "demo"),
                           "--port", str(_free_port())], capture_output=True, text=True, timeout=600,
                          check=False, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert re.search(r"^Reconciled \d+ entities against wikidata: \d+ proposals? to review", out, re.M)
    assert re.search(r"^Wrote \d+ exact matches and 1 close match to <https://w3id.org/legiongraph/graph/"
                     r"links>, recording 2 rejected and 1 pending proposal$", out, re.M)
    assert re.search(r"^ +8 +8 +8 +0 +0  <https://schema.org/City>$", out, re.M)
    for row in ("lgid:place/bakhmut           Bakhmut           1         wd:Q900001  Point(38.0 48.6)",
                "lgid:place/toretsk-district  Toretsk district  1         wd:Q900006  Point(37.8 48.4)",
                "lgid:country/TJ  Tajikistan    12         10000000    1.2"):
        assert row in out
