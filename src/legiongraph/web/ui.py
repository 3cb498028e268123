"""The query UI: YASGUI pointed at the SPARQL endpoint, the named queries as examples, and charts.

Every script and style sheet is served from this application (YASGUI is copied into
``static/vendor/yasgui`` by ``make vendor``), so the pages work on a machine with no internet.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request, url_for

from ..iris import BASE, PREFIXES
from ..queries import NamedQuery, list_queries
from .context import get_resources

__all__ = ["CHART_QUERY", "DEFAULT_QUERY", "TIMELINE_QUERY", "bp"]

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


def prefix_block() -> str:
    """Return the project's prefixes as SPARQL PREFIX lines."""
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())


def _query_json(query: NamedQuery) -> dict[str, str]:
    return {"name": query.name, "title": query.title, "description": query.description,
            "text": query.text}


def _links() -> dict[str, str]:
    """Return the URLs the page scripts need: the endpoint, the query list and the local IRIs."""
    return {
        "endpoint": url_for("protocol.sparql", _external=True),
        "queries": url_for("ui.queries"),
        "iriBase": BASE + "id/",
        "localBase": request.script_root + "/id/",
    }


@bp.get("/")
def index() -> str:
    """Show YASGUI with the project's prefixes and every named query as an example."""
    queries = list_queries(get_resources())
    config: dict[str, Any] = {
        **_links(),
        "prefixes": PREFIXES,
        "defaultQuery": prefix_block() + "\n" + DEFAULT_QUERY,
        "examples": [_query_json(q) for q in queries],
    }
    return render_template("index.html", queries=queries, config=config)


@bp.get("/charts")
def charts() -> str:
    """Show the prisoner table as a bar chart and the events on a timeline."""
    config = {**_links(), "chartQuery": CHART_QUERY, "timelineQuery": TIMELINE_QUERY}
    return render_template("charts.html", config=config, timeline_query=TIMELINE_QUERY,
                           chart_query=CHART_QUERY)


@bp.get("/queries.json")
def queries() -> Response:
    """List the named queries with their title, description and text."""
    return jsonify([_query_json(q) for q in list_queries(get_resources())])
