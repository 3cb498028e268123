"""The query UI: YASGUI pointed at the SPARQL endpoint, the named queries as examples, and charts.

Every script and style sheet is served from this application (YASGUI is copied into
``static/vendor/yasgui`` by ``make vendor``), so the pages work on a machine with no internet.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request, send_from_directory, url_for
from werkzeug.exceptions import HTTPException

from ..iris import BASE, PREFIXES
from ..query.queries import NamedQuery, list_queries
from .context import get_resources
from .errors import plain_error

__all__ = ["CHART_QUERY", "DEFAULT_QUERY", "GROUPS", "MAP_COUNTRY_QUERY", "MAP_PLACE_QUERY",
           "TIMELINE_QUERY", "bp", "grouped", "query_topic"]

bp = Blueprint("ui", __name__, static_folder="static", static_url_path="/static")

#: The named query whose rows the bar chart draws.
CHART_QUERY = "pow-by-country"

#: What a fresh YASGUI tab shows below the project's prefixes.
DEFAULT_QUERY = """\
# The events in the graph, dated ones first, earliest first. Pick an example on the left for more.
SELECT ?begin ?end ?label ?type ?event
WHERE {
  ?event a sem:Event ;
         rdfs:label ?label .
  OPTIONAL { ?event sem:eventType/skos:prefLabel ?type FILTER(LANG(?type) = "en") }
  OPTIONAL { ?event sem:hasEarliestBeginTimeStamp ?begin }
  OPTIONAL { ?event sem:hasLatestEndTimeStamp ?end }
}
ORDER BY (!BOUND(?begin)) ?begin ?end STR(?label)
LIMIT 100
"""

#: The events of the timeline: dates, kind of event and certainty, undated ones included.
TIMELINE_QUERY = """\
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
PREFIX lg: <https://w3id.org/legiongraph/ontology#>

SELECT ?event ?label ?begin ?end ?typeLabel ?certaintyLabel
WHERE {
  ?event a sem:Event ;
         rdfs:label ?label .
  FILTER(LANG(?label) = "en" || LANG(?label) = "")
  OPTIONAL { ?event sem:hasEarliestBeginTimeStamp ?begin }
  OPTIONAL { ?event sem:hasLatestEndTimeStamp ?end }
  OPTIONAL {
    ?event sem:eventType ?type .
    ?type skos:prefLabel ?typeLabel .
    FILTER(LANG(?typeLabel) = "en")
  }
  OPTIONAL {
    ?event lg:certainty ?certainty .
    ?certainty skos:prefLabel ?certaintyLabel .
    FILTER(LANG(?certaintyLabel) = "en")
  }
}
ORDER BY ?begin ?end STR(?label)
"""


#: The prisoner table with each country's ISO 3166-1 numeric code, the key of its Natural Earth shape.
MAP_COUNTRY_QUERY = """\
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#>
PREFIX schema: <https://schema.org/>
PREFIX lg: <https://w3id.org/legiongraph/ontology#>

SELECT ?country ?countryLabel ?iso ?prisoners
WHERE {
  ?obs a qb:Observation ;
       qb:dataSet <https://w3id.org/legiongraph/id/dataset/foreign-pow-by-citizenship> ;
       sdmx-dimension:refPeriod "2025-05-02"^^xsd:date ;
       sdmx-dimension:refArea ?country ;
       sdmx-measure:obsValue ?value .
  ?country a schema:Country ;
           rdfs:label ?countryLabel ;
           lg:isoNumeric ?iso .
  FILTER(LANG(?countryLabel) = "en")
  BIND(xsd:integer(?value) AS ?prisoners)
}
ORDER BY DESC(?prisoners) STR(?countryLabel)
"""

#: Every place with its coordinates if it has any: from a reviewed Wikidata link (wdt:P625 in the
#: links graph) or from the offline gazetteer (geo:hasGeometry in the gazetteer graph).
MAP_PLACE_QUERY = """\
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX geo: <http://www.opengis.net/ont/geosparql#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>

SELECT ?place ?placeLabel ?wkt ?source
WHERE {
  ?place a/rdfs:subClassOf* schema:Place ;
         rdfs:label ?placeLabel .
  FILTER(STRSTARTS(STR(?place), "https://w3id.org/legiongraph/id/place/"))
  FILTER(LANG(?placeLabel) = "en" || LANG(?placeLabel) = "")
  OPTIONAL {
    {
      ?place skos:exactMatch|skos:closeMatch ?source .
      FILTER(STRSTARTS(STR(?source), "http://www.wikidata.org/entity/"))
      ?source wdt:P625 ?wkt .
    } UNION {
      ?place geo:hasGeometry ?geometry .
      ?geometry geo:asWKT ?wkt ;
                dcterms:source ?source .
    }
  }
}
ORDER BY STR(?placeLabel) STR(?source)
"""


def prefix_block() -> str:
    """Return the project's prefixes as SPARQL PREFIX lines."""
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())


#: The topics of the example list, in the order the page shows them (``# group:`` in each .rq).
GROUPS = ("prisoners", "persons and units", "events", "statistics and disagreements",
          "sources and claims", "linking")
_GROUP_HEADER = re.compile(r"^#\s*(group|order):\s*(.+?)\s*$", re.IGNORECASE)


def query_topic(query: NamedQuery) -> tuple[str, int]:
    """Return the group and order a query's ``# group:`` and ``# order:`` headers give it."""
    found: dict[str, str] = {}
    for line in query.text.splitlines():
        if not line.startswith("#"):
            break
        match = _GROUP_HEADER.match(line)
        if match:
            found[match.group(1).lower()] = match.group(2)
    order = found.get("order", "")
    return found.get("group", "other"), int(order) if order.isdigit() else 10_000


def grouped(queries: list[NamedQuery]) -> list[tuple[str, list[NamedQuery]]]:
    """Return the queries by topic, topics in the GROUPS order, each in its headers' order."""
    by_group: dict[str, list[NamedQuery]] = {}
    for query in sorted(queries, key=lambda q: (query_topic(q)[1], q.name)):
        by_group.setdefault(query_topic(query)[0], []).append(query)
    rank = {name: i for i, name in enumerate(GROUPS)}
    return sorted(by_group.items(), key=lambda item: (rank.get(item[0], len(GROUPS)), item[0]))


def _query_json(query: NamedQuery) -> dict[str, str]:
    group, _ = query_topic(query)
    return {"name": query.name, "title": query.title, "description": query.description,
            "text": query.text, "group": group}


def _links() -> dict[str, str]:
    """Return the URLs the page scripts need: the endpoint, the query list and the local IRIs."""
    return {
        "endpoint": url_for("protocol.sparql", _external=True),
        "queries": url_for("ui.queries"),
        "iriBase": BASE + "id/",
        "localBase": request.script_root + "/id/",
        "worldShapes": url_for("ui.static", filename="vendor/map/countries-110m.json"),
    }


@bp.get("/")
def index() -> str:
    """Show YASGUI with the project's prefixes and every named query as an example."""
    groups = grouped(list_queries(get_resources()))
    config: dict[str, Any] = {
        **_links(),
        "prefixes": PREFIXES,
        "defaultQuery": prefix_block() + "\n" + DEFAULT_QUERY,
        "examples": [_query_json(q) for _, members in groups for q in members],
    }
    return render_template("index.html", groups=groups, config=config,
                           count=sum(len(members) for _, members in groups))


@bp.get("/charts")
def charts() -> str:
    """Show the prisoner table as a bar chart and the events on a timeline."""
    config = {**_links(), "chartQuery": CHART_QUERY, "timelineQuery": TIMELINE_QUERY}
    return render_template("charts.html", config=config, timeline_query=TIMELINE_QUERY,
                           chart_query=CHART_QUERY)


@bp.get("/map")
def world_map() -> str:
    """Show the prisoner table as a world choropleth and the places that have coordinates."""
    config = {**_links(), "countryQuery": MAP_COUNTRY_QUERY, "placeQuery": MAP_PLACE_QUERY}
    return render_template("map.html", config=config)


@bp.get("/favicon.ico")
def favicon() -> Response:
    """Serve the site's icon where browsers look for it first."""
    return send_from_directory(bp.static_folder or "static", "favicon.svg", mimetype="image/svg+xml",
                               max_age=86_400)


@bp.app_errorhandler(404)
def not_found(exc: HTTPException) -> Response:
    """Answer a browser's 404 with a page in the site's look; other clients get the plain message."""
    if request.accept_mimetypes.best_match(["text/plain", "text/html"]) == "text/html":
        return Response(render_template("not_found.html", path=request.path), status=404,
                        mimetype="text/html")
    return plain_error(404, f"{exc.name}: {exc.description}")


@bp.get("/queries.json")
def queries() -> Response:
    """List the named queries with their title, description and text."""
    return jsonify([_query_json(q) for q in list_queries(get_resources())])
