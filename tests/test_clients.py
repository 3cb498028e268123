"""Real SPARQL clients against the live server: SPARQLWrapper, rdflib's SPARQLStore and curl."""

from __future__ import annotations

import json
import shutil
import subprocess
import warnings
from urllib.parse import quote

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDF, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

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


UA = URIRef("https://w3id.org/legiongraph/id/country/UA")
UKRAINE = (UA, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("Ukraine", lang="en"))
CONSTRUCT_UA = ("CONSTRUCT { ?c <http://www.w3.org/2000/01/rdf-schema#label> ?l } WHERE { "
                f"<{UA}> <http://www.w3.org/2000/01/rdf-schema#label> ?l BIND(<{UA}> AS ?c) }}")


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select_in_every_result_format(live_server, fmt, method):
    client = SPARQLWrapper(f"{live_server}/sparql")
    client.setMethod(method)
    client.setQuery(POW)
    client.setReturnFormat(fmt)
    result = client.query().convert()
    if fmt == JSON:
        assert result["results"]["bindings"][0]["total"]["value"] == "81"
    elif fmt == XML:  # a DOM document
        assert [n.firstChild.data for n in result.getElementsByTagName("literal")] == ["81"]
    else:
        header, value = result.decode("utf-8").splitlines()
        assert header == ("total" if fmt == CSV else "?total")
        assert value in ("81", '"81"^^<http://www.w3.org/2001/XMLSchema#integer>')


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("fmt", [TURTLE, N3, RDFXML, RDF, XML, JSONLD, JSON])
def test_sparqlwrapper_construct_in_every_graph_format(live_server, fmt, method):
    # format=rdf+xml and format=n3 used to get 406.
    client = SPARQLWrapper(f"{live_server}/sparql")
    client.setMethod(method)
    client.setQuery(CONSTRUCT_UA)
    client.setReturnFormat(fmt)
    with warnings.catch_warnings():
        # The client's own warnings: it parses RDF/XML into a ConjunctiveGraph, and for RDF and
        # JSON on a CONSTRUCT it says it sends Accept */* (and format=rdf / format=json).
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        result = client.query().convert()
    if isinstance(result, bytes | str):  # Turtle and N3 come back as text
        result = Graph().parse(data=result, format="turtle")
    elif isinstance(result, dict):  # JSON: JSON-LD as a dict
        result = Graph().parse(data=json.dumps(result), format="json-ld")
    assert UKRAINE in result


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
