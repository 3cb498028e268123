"""Reconciliation with Wikidata and GeoNames, the review file, and the links graph: all against
the local stand-in of the Wikidata Query Service (tests/fixtures/wikidata/standin.ttl)."""

from __future__ import annotations

import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD

from legiongraph import OxigraphStore
from legiongraph.build import load_shapes
from legiongraph.cli import main
from legiongraph.errors import LoadError, QueryError
from legiongraph.linking import (
    GRAPH_LINKS,
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
from legiongraph.linking.names import similarity, skeleton, variants
from legiongraph.resources import Resources
from legiongraph.servicedesc import graph_statistics, service_description

ID = "https://w3id.org/legiongraph/id/"
WD = "http://www.wikidata.org/entity/"
LG = "https://w3id.org/legiongraph/ontology#"


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
    assert variants("Bakhmut")[0] == "Bakhmut"
    assert similarity("Bakhmut", "Bakhmach") < 0.8


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


@pytest.fixture(scope="module")
def proposals(entities, wikidata_standin, tmp_path_factory):
    client = SparqlClient(wikidata_standin, min_interval=0, cache_dir=tmp_path_factory.mktemp("cache"))
    chosen = [entities[n] for n in ("place/bakhmut", "place/mariyinka", "place/kyiv",
                                    "place/sergievskoye-training-ground", "org/pmc-wagner",
                                    "person/qymsw4pa", "person/q35dvy4q", "person/eeevadax")]
    rows = reconcile_wikidata(client, chosen)
    by_entity: dict[str, list[Row]] = {}
    for row in rows:
        by_entity.setdefault(row.entity.removeprefix(ID), []).append(row)
    return client, chosen, by_entity


def _candidates(rows: list[Row]) -> list[tuple[str, float]]:
    return [(r.candidate_iri.removeprefix(WD), r.score) for r in rows]


def test_ambiguous_label_ranks_the_expected_type_first(proposals):
    _, _, rows = proposals
    assert _candidates(rows["place/bakhmut"]) == [("Q900001", 1.0), ("Q900002", 0.9)]
    assert rows["place/bakhmut"][0].candidate_label == "Bakhmut"
    assert rows["place/bakhmut"][0].description == "city in Donetsk Oblast, Ukraine (test item)"
    assert rows["place/bakhmut"][0].decision == ""


def test_candidate_in_the_wrong_country_is_dropped(proposals):
    _, _, rows = proposals
    # Q900004 is a Marinka in Russia; Q900003 is in Ukraine through P131 only
    assert _candidates(rows["place/mariyinka"]) == [("Q900003", 1.0)]


def test_transliteration_variants_find_the_item(proposals):
    _, _, rows = proposals
    assert _candidates(rows["place/kyiv"]) == [("Q900005", 1.0)]
    assert _candidates(rows["person/q35dvy4q"]) == [("Q900020", 0.9)]  # Zyazyulchik -> Zjazjulcik
    assert _candidates(rows["person/eeevadax"]) == [("Q900021", 0.9)]  # Gerilovich -> Herylovych
    assert _candidates(rows["org/pmc-wagner"]) == [("Q900040", 1.0)]
    assert _candidates(rows["person/qymsw4pa"]) == [("Q900030", 1.0)]


def test_no_candidate_gives_a_row_without_candidate(proposals):
    _, _, rows = proposals
    [row] = rows["place/sergievskoye-training-ground"]
    assert (row.candidate_iri, row.score, row.description) == ("", 0.0, "no candidate found")


def test_second_run_asks_nothing(proposals, wikidata_standin):
    client, chosen, rows = proposals
    assert client.requests == len(chosen)
    again = SparqlClient(wikidata_standin, min_interval=0, cache_dir=client.cache_dir)
    assert reconcile_wikidata(again, chosen[:3]) == [r for n in ("place/bakhmut", "place/mariyinka",
                                                                 "place/kyiv") for r in rows[n]]
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


def test_review_file_round_trip_and_errors_name_line_and_field(proposals, tmp_path):
    _, _, rows = proposals
    path = tmp_path / "review.csv"
    flat = [r for group in rows.values() for r in group]
    write_review(path, flat)
    assert [replace(r, line=None) for r in read_review(path)] == flat
    text = path.read_text(encoding="utf-8").splitlines()
    assert text[0] == "entity,label,target,candidate_iri,candidate_label,description,score,decision"
    text[1] = text[1].removesuffix(",") + ",maybe"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(LoadError, match=r"review\.csv, line 2, field decision: 'maybe' is not one of"):
        read_review(path)


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
    import datetime as dt

    result = apply_review(writable, reviewed, load_shapes(Resources()), source="r.csv",
                          today=dt.date(2025, 6, 1))
    assert result.counts == {"exact": 1, "close": 1, "reject": 1, "pending": 1}
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
    assert ("Reconciled 8 entities against wikidata: 4 proposal(s) to review, 5 without candidate"
            in capsys.readouterr().out)
    lines = review.read_text(encoding="utf-8").splitlines()
    accepted = [line.removesuffix(",") + ",exact" if "/Q900001," in line else line for line in lines]
    review.write_text("\n".join(accepted) + "\n", encoding="utf-8")
    main([*base, "--apply", str(review)])
    assert "Wrote 1 exact and 0 close match(es)" in capsys.readouterr().out
    with OxigraphStore(store_path) as store:
        assert store.query(f"ASK {{ GRAPH <{GRAPH_LINKS}> {{ <{ID}place/bakhmut> "
                           f"<{SKOS.exactMatch}> <{WD}Q900001> }} }}").boolean
