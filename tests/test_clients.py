"""Real SPARQL clients against the live server: SPARQLWrapper, rdflib's SPARQLStore and curl."""

from __future__ import annotations

import shutil
import subprocess
from urllib.parse import quote

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, TURTLE, SPARQLWrapper

POW = """PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#>
PREFIX qb: <http://purl.org/linked-data/cube#>
SELECT (SUM(?v) AS ?total) WHERE {
  ?o qb:dataSet <https://w3id.org/legiongraph/id/dataset/foreign-pow-by-citizenship> ;
     sdmx-measure:obsValue ?v }"""


def test_sparqlwrapper_select_json(live_server):
    client = SPARQLWrapper(f"{live_server}/sparql")
    client.setQuery(POW)
    client.setReturnFormat(JSON)
    result = client.query().convert()
    assert result["results"]["bindings"][0]["total"]["value"] == "81"


def test_sparqlwrapper_post_csv(live_server):
    client = SPARQLWrapper(f"{live_server}/sparql")
    client.setMethod("POST")
    client.setQuery(POW)
    client.setReturnFormat(CSV)
    assert client.query().convert().decode("utf-8").splitlines() == ["total", "81"]


def test_sparqlwrapper_construct_turtle(live_server):
    client = SPARQLWrapper(f"{live_server}/sparql")
    client.setQuery("CONSTRUCT { ?c <http://www.w3.org/2000/01/rdf-schema#label> ?l } WHERE { "
                    "<https://w3id.org/legiongraph/id/country/UA> "
                    "<http://www.w3.org/2000/01/rdf-schema#label> ?l BIND(<https://w3id.org/"
                    "legiongraph/id/country/UA> AS ?c) }")
    client.setReturnFormat(TURTLE)
    graph = Graph().parse(data=client.query().convert(), format="turtle")
    assert (URIRef("https://w3id.org/legiongraph/id/country/UA"),
            URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("Ukraine", lang="en")) in graph


def test_rdflib_sparqlstore(live_server):
    graph = Graph(store=SPARQLStore(f"{live_server}/sparql", returnFormat="json"))
    rows = list(graph.query("ASK { ?a a <https://schema.org/NewsArticle> }"))
    assert rows == [True]
    countries = graph.query("SELECT (COUNT(?c) AS ?n) WHERE { ?c a <https://schema.org/Country> }")
    assert [int(r[0]) for r in countries] == [249]


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_as_in_the_readme(live_server):
    out = subprocess.run(
        ["curl", "-s", "-H", "Accept: text/csv", f"{live_server}/sparql?query={quote(POW)}"],
        check=True, capture_output=True, text=True, timeout=30).stdout
    assert out.splitlines() == ["total", "81"]
