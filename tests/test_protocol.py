"""The SPARQL 1.1 Protocol at /sparql: one test per case of the W3C protocol manifest's query and
bad-query tests, run on every store back end, plus negotiation, errors and CORS."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF

from legiongraph import Config, MemoryStore, OxigraphStore
from legiongraph.stores import SparqlStore
from legiongraph.web import create_app

D = "http://kasei.us/2009/09/sparql/data/data{}.rdf"
FOAF_DOC = URIRef("http://xmlns.com/foaf/0.1/Document")
SRJ = "application/sparql-results+json"


@pytest.fixture(scope="module", params=["oxigraph", "memory", "sparql"])
def w3c(request, tmp_path_factory):
    """An app serving the W3C protocol test data: data1-3.rdf as named graphs."""
    ds = Dataset()
    for i in (1, 2, 3):
        ds.graph(URIRef(D.format(i))).add((URIRef(D.format(i)), RDF.type, FOAF_DOC))
    config = Config(store=request.param) if request.param != "sparql" else None
    if request.param == "oxigraph":
        store = OxigraphStore(tmp_path_factory.mktemp("w3c") / "store", read_only=False)
    elif request.param == "sparql":
        # The session's Virtuoso also holds the article: this store keeps its own graph registry.
        config = request.getfixturevalue("virtuoso").config()
        store = SparqlStore(config, read_only=False, registry="urn:x-legiongraph:test:protocol")
    else:
        store = MemoryStore()
    store.replace_all(ds)
    app = create_app(config, store=store)
    return app.test_client()


def q(text: str) -> str:
    return quote(text, safe="")


def boolean(response) -> bool:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == SRJ
    return json.loads(response.get_data())["boolean"]


# -- the query tests of the W3C manifest ---------------------------------------------------------

def test_query_post_form(w3c):
    r = w3c.post(f"/sparql?default-graph-uri={q(D.format(0))}", data="query=ASK%20%7B%7D",
                 content_type="application/x-www-form-urlencoded")
    assert boolean(r) is True


def test_query_dataset_default_graphs_get(w3c):
    text = f"ASK {{ <{D.format(1)}> a ?type . <{D.format(2)}> a ?type . }}"
    r = w3c.get(f"/sparql?query={q(text)}&default-graph-uri={q(D.format(1))}"
                f"&default-graph-uri={q(D.format(2))}")
    assert boolean(r) is True


def test_query_dataset_default_graphs_post(w3c):
    text = f"ASK {{ <{D.format(1)}> a ?type . <{D.format(2)}> a ?type . }}"
    r = w3c.post(f"/sparql?default-graph-uri={q(D.format(1))}&default-graph-uri={q(D.format(2))}",
                 data=text, content_type="application/sparql-query")
    assert boolean(r) is True


def test_query_dataset_named_graphs_post(w3c):
    text = f"ASK {{ GRAPH ?g1 {{ <{D.format(1)}> a ?type }} GRAPH ?g2 {{ <{D.format(2)}> a ?type }} }}"
    r = w3c.post(f"/sparql?named-graph-uri={q(D.format(1))}&named-graph-uri={q(D.format(2))}",
                 data=text, content_type="application/sparql-query")
    assert boolean(r) is True


def test_query_dataset_named_graphs_get(w3c):
    text = f"ASK {{ GRAPH ?g1 {{ <{D.format(1)}> a ?type }} GRAPH ?g2 {{ <{D.format(2)}> a ?type }} }}"
    r = w3c.get(f"/sparql?query={q(text)}&named-graph-uri={q(D.format(1))}"
                f"&named-graph-uri={q(D.format(2))}")
    assert boolean(r) is True


def test_query_dataset_full(w3c):
    text = ("SELECT ?g ?x ?s { ?x ?y ?o GRAPH ?g { ?s ?p ?o } }")
    r = w3c.post(f"/sparql?default-graph-uri={q(D.format(3))}&named-graph-uri={q(D.format(1))}"
                 f"&named-graph-uri={q(D.format(2))}", data=text,
                 content_type="application/sparql-query", headers={"Accept": SRJ})
    assert r.status_code == 200
    bindings = json.loads(r.get_data())["results"]["bindings"]
    got = sorted((b["g"]["value"], b["x"]["value"], b["s"]["value"]) for b in bindings)
    assert got == sorted([(D.format(1), D.format(3), D.format(1)),
                          (D.format(2), D.format(3), D.format(2))])


def test_query_multiple_dataset_protocol_wins_over_from(w3c):
    text = (f"ASK FROM <{D.format(3)}> {{ GRAPH ?g1 {{ <{D.format(1)}> a ?type }} "
            f"GRAPH ?g2 {{ <{D.format(2)}> a ?type }} }}")
    r = w3c.post(f"/sparql?named-graph-uri={q(D.format(1))}&named-graph-uri={q(D.format(2))}",
                 data=text, content_type="application/sparql-query")
    assert boolean(r) is True


def test_query_get(w3c):
    assert boolean(w3c.get(f"/sparql?query={q('ASK {}')}&default-graph-uri={q(D.format(0))}")) is True


def test_query_post_direct(w3c):
    r = w3c.post(f"/sparql?default-graph-uri={q(D.format(0))}", data="ASK {}",
                 content_type="application/sparql-query")
    assert boolean(r) is True


@pytest.mark.parametrize(("accept", "expected"), [
    ("application/sparql-results+xml, application/sparql-results+json, text/csv, "
     "text/tab-separated-values", "application/sparql-results+xml"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/csv", "text/csv"),
])
def test_query_content_type_select(w3c, accept, expected):
    r = w3c.post("/sparql", data="SELECT (1 AS ?value) {}", content_type="application/sparql-query",
                 headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == f"{expected}; charset=utf-8"
    body = r.get_data(as_text=True)
    assert "value" in body and "1" in body


def test_query_content_type_ask(w3c):
    r = w3c.post("/sparql", data="ASK {}", content_type="application/sparql-query",
                 headers={"Accept": "application/sparql-results+xml, application/sparql-results+json"})
    assert r.mimetype == "application/sparql-results+xml"
    root = ET.fromstring(r.get_data())
    assert root.find("{http://www.w3.org/2005/sparql-results#}boolean").text == "true"


@pytest.mark.parametrize("text", ["DESCRIBE <http://example.org/>",
                                  "CONSTRUCT { <s> <p> 1 } WHERE {}".replace("<s>", "<http://e/s>")
                                  .replace("<p>", "<http://e/p>")])
def test_query_content_type_describe_and_construct(w3c, text):
    r = w3c.post("/sparql", data=text, content_type="application/sparql-query",
                 headers={"Accept": "application/rdf+xml, text/turtle, application/n-triples"})
    assert r.status_code == 200
    assert r.mimetype == "application/rdf+xml"
    Graph().parse(data=r.get_data(as_text=True), format="xml")


# -- the bad-query tests of the W3C manifest -----------------------------------------------------

def test_bad_query_method(w3c):
    r = w3c.put(f"/sparql?query={q('ASK {}')}", content_type="application/x-www-form-urlencoded")
    assert r.status_code == 405
    assert set(r.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


def test_bad_multiple_queries(w3c):
    r = w3c.get(f"/sparql?query={q('ASK {}')}&query={q('SELECT * {}')}")
    assert (r.status_code, r.get_data(as_text=True)) == (
        400, "more than one 'query' parameter: send exactly one query\n")


def test_bad_query_wrong_media_type(w3c):
    r = w3c.post("/sparql", data="ASK {}", content_type="text/plain")
    assert r.status_code == 415
    assert "unsupported media type text/plain" in r.get_data(as_text=True)


def test_bad_query_missing_form_type(w3c):
    r = w3c.post("/sparql", data="query=ASK%20%7B%7D", headers={"Content-Type": ""})
    assert r.status_code == 400
    assert "needs a Content-Type" in r.get_data(as_text=True)


def test_bad_query_missing_direct_type(w3c):
    r = w3c.post("/sparql", data="ASK {}", headers={"Content-Type": ""})
    assert r.status_code == 400


def test_bad_query_non_utf8(w3c):
    r = w3c.post("/sparql", data="ASK {}".encode("utf-16"),
                 content_type="application/sparql-query; charset=UTF-16")
    assert (r.status_code, r.get_data(as_text=True)) == (
        400, "the query must be encoded in UTF-8, not utf-16\n")


def test_bad_query_non_utf8_bytes_without_charset(w3c):
    r = w3c.post("/sparql", data="ASK {}".encode("utf-16"), content_type="application/sparql-query")
    assert (r.status_code, r.get_data(as_text=True)) == (400, "the query body is not valid UTF-8\n")


def test_bad_query_syntax_names_line_and_column(w3c):
    r = w3c.get(f"/sparql?query={q('ASK {')}")
    assert r.status_code == 400
    assert r.mimetype == "text/plain"
    assert r.get_data(as_text=True).startswith("SPARQL syntax error at line 1, column")


# -- updates, negotiation, service description, CORS ---------------------------------------------

@pytest.mark.parametrize("how", ["get", "form", "direct", "query"])
def test_updates_are_refused_as_read_only(w3c, how):
    update = "INSERT DATA { <http://e/s> <http://e/p> <http://e/o> }"
    if how == "get":
        r = w3c.get(f"/sparql?update={q(update)}")
    elif how == "form":
        r = w3c.post("/sparql", data={"update": update})
    elif how == "direct":
        r = w3c.post("/sparql", data=update, content_type="application/sparql-update")
    else:
        r = w3c.get(f"/sparql?query={q(update)}")
    assert r.status_code == 403
    assert r.get_data(as_text=True) == "this endpoint is read-only: SPARQL Update is not accepted\n"
    count = w3c.get(f"/sparql?query={q('SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }')}")
    assert json.loads(count.get_data())["results"]["bindings"][0]["n"]["value"] == "3"


def test_not_acceptable_is_406_with_a_message(w3c):
    r = w3c.get(f"/sparql?query={q('ASK {}')}", headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert "none of the accepted media types" in r.get_data(as_text=True)


@pytest.mark.parametrize(("accept", "expected"), [
    ("text/csv;q=0.5, application/sparql-results+json;q=0.9", SRJ),
    ("text/*", "text/csv"),
    ("*/*", SRJ),
    ("application/sparql-results+json;q=0, */*;q=0.1", "application/sparql-results+xml"),
])
def test_accept_q_values_and_wildcards(w3c, accept, expected):
    r = w3c.get(f"/sparql?query={q('SELECT * {}')}", headers={"Accept": accept})
    assert r.mimetype == expected


@pytest.mark.parametrize("padding", [0, 2000])
def test_accept_is_weighed_alike_when_remembered_and_when_too_long_to_remember(w3c, padding):
    # Negotiation is cached per Accept header (up to 1 KiB): asked twice, or past the cache's
    # length, the same header must choose the same format.
    extra = "".join(f", application/x-pad{i};q=0.01" for i in range(padding // 30))
    for accept, expected in [(f"text/csv;q=0.5, application/sparql-results+xml;q=0.9{extra}",
                              "application/sparql-results+xml"),
                             (f"application/sparql-results+json;q=0, text/*;q=0.2{extra}", "text/csv")]:
        for _ in range(2):
            r = w3c.get(f"/sparql?query={q('SELECT * {}')}", headers={"Accept": accept})
            assert r.mimetype == expected, accept[:80]


@pytest.mark.parametrize(("name", "expected"), [("json", SRJ), ("tsv", "text/tab-separated-values"),
                                                ("xml", "application/sparql-results+xml")])
def test_format_parameter_overrides_accept(w3c, name, expected):
    r = w3c.get(f"/sparql?query={q('ASK {}')}&format={name}", headers={"Accept": "text/csv"})
    assert r.mimetype == expected


@pytest.mark.parametrize(("accept", "fmt"), [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                                             ("application/n-triples", "nt"), ("application/trig", "trig"),
                                             ("application/n-quads", "nquads")])
def test_construct_in_every_graph_format(w3c, accept, fmt):
    text = "CONSTRUCT { ?s a ?t } WHERE { GRAPH ?g { ?s a ?t } }"
    r = w3c.get(f"/sparql?query={q(text)}", headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == f"{accept}; charset=utf-8"
    parsed = Dataset()
    parsed.parse(data=r.get_data(as_text=True), format=fmt)
    assert {s for s, _, _, _ in parsed.quads((None, RDF.type, FOAF_DOC, None))} == {
        URIRef(D.format(i)) for i in (1, 2, 3)}


def test_service_description_names_the_endpoint_the_client_used(w3c):
    # Another Host name than loopback's is refused unless trusted (tests/test_web_edge.py).
    r = w3c.get("/sparql", base_url="http://localhost:8080", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    g = Graph().parse(data=r.get_data(as_text=True), format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoints = set(g.objects(None, URIRef(sd + "endpoint")))
    # the SPARQL service and the read-only Graph Store beside it
    assert endpoints == {URIRef("http://localhost:8080/sparql"), URIRef("http://localhost:8080/store")}
    assert (None, URIRef(sd + "supportedLanguage"), URIRef(sd + "SPARQL11Query")) in g
    assert (None, URIRef(sd + "feature"), URIRef(sd + "UnionDefaultGraph")) in g
    names = set(g.objects(None, URIRef(sd + "name")))
    assert names == {URIRef(D.format(i)) for i in (1, 2, 3)}
    triples = {int(o) for o in g.objects(None, URIRef("http://rdfs.org/ns/void#triples"))}
    assert triples == {1, 3}


def test_service_description_is_content_negotiated(w3c):
    r = w3c.get("/sparql", headers={"Accept": "application/ld+json"})
    assert r.mimetype == "application/ld+json"
    assert r.headers["Vary"] == "Accept, Accept-Encoding"
    assert w3c.get("/sparql", headers={"Accept": "image/png"}).status_code == 406


def test_cors_headers_and_preflight(w3c):
    r = w3c.options("/sparql", headers={"Origin": "https://elsewhere.example",
                                        "Access-Control-Request-Method": "POST"})
    assert r.status_code == 204
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    get = w3c.get(f"/sparql?query={q('ASK {}')}")
    assert get.headers["Access-Control-Allow-Origin"] == "*"
