"""HTTP conventions against a real server on loopback (issue 16): HEAD, Allow, format aliases,
the read-only Graph Store Protocol, compression, ETag/Last-Modified/304 and Range."""

from __future__ import annotations

import gzip
import http.client
from urllib.parse import quote, urlsplit

import brotli
import pytest
from rdflib import Dataset, Graph, URIRef

from legiongraph.iris import GRAPH_ONTOLOGY

ASK = quote("ASK { ?s ?p ?o }", safe="")
CONSTRUCT = quote("CONSTRUCT { ?s ?p ?o } WHERE { <https://w3id.org/legiongraph/id/country/UA> ?p ?o "
                  "BIND(<https://w3id.org/legiongraph/id/country/UA> AS ?s) }", safe="")
SRJ = "application/sparql-results+json"


def fetch(base: str, method: str, target: str, headers: dict[str, str] | None = None,
          body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    """Send one request; return status, lower-cased headers and the raw (undecoded) body."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.request(method, target, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def article_graph(oxigraph_store) -> str:
    """The named graph of the article's assertions."""
    return next(str(g) for g in oxigraph_store.graphs() if "/graph/source/" in str(g))


# -- HEAD and Allow ---------------------------------------------------------------------------------

ROUTES = [f"/sparql?query={ASK}", "/sparql", "/", "/id/country/UA", "/ontology", "/download",
          "/download/legiongraph.nq", "/store?default", "/dataset", "/.well-known/void",
          "/ontology/0.1.0", "/charts", "/queries.json"]


@pytest.mark.parametrize("target", ROUTES)
def test_head_is_get_without_a_body(live_server, target):
    status, headers, body = fetch(live_server, "GET", target)
    h_status, h_headers, h_body = fetch(live_server, "HEAD", target)
    assert status == 200, body[:300]
    assert (h_status, h_body) == (200, b"")
    assert h_headers["content-type"] == headers["content-type"]
    assert h_headers["content-length"] == headers["content-length"] == str(len(body))
    assert h_headers.get("etag") == headers.get("etag")


def test_head_sparql_no_longer_asks_for_a_content_type(live_server):
    # It used to answer 400 "a POST needs a Content-Type".
    status, headers, body = fetch(live_server, "HEAD", "/sparql", {"Accept": "text/turtle"})
    assert (status, body) == (200, b"")
    assert headers["content-type"].startswith("text/turtle")


@pytest.mark.parametrize("target", ["/sparql", "/store?default", "/id/country/UA", "/download"])
def test_405_allow_lists_exactly_the_methods_that_work(live_server, target):
    status, headers, _ = fetch(live_server, "PUT", target, body=b"x")
    assert status == 405
    allowed = [m.strip() for m in headers["allow"].split(",")]
    assert "HEAD" in allowed and "GET" in allowed and "PUT" not in allowed
    for method in allowed:
        got, _, _ = fetch(live_server, method, target if method != "POST" else
                          f"/sparql?query={ASK}", body=None)
        assert got != 405, method


# -- format aliases (Oxigraph's media-type table, SPARQLWrapper's format= values) -------------------

@pytest.mark.parametrize(("param", "accept", "expected", "parser"), [
    ("format=rdf+xml", "", "application/rdf+xml", "xml"),  # a '+' typed unencoded
    ("format=rdf%2Bxml", "", "application/rdf+xml", "xml"),
    ("format=n3", "", "text/turtle", "turtle"),
    ("format=json-ld", "", "application/ld+json", "json-ld"),
    ("", "application/xml", "application/rdf+xml", "xml"),
    ("", "text/xml", "application/rdf+xml", "xml"),
    ("", "text/plain", "application/n-triples", "nt"),
    ("", "text/n3", "text/turtle", "turtle"),
    ("", "application/x-turtle", "text/turtle", "turtle"),
    ("", "application/json", "application/ld+json", "json-ld"),
    ("format=no-such-format", "application/n-triples", "application/n-triples", "nt"),
])
def test_construct_format_aliases(live_server, param, accept, expected, parser):
    status, headers, body = fetch(live_server, "GET", f"/sparql?query={CONSTRUCT}&{param}",
                                  {"Accept": accept} if accept else {})
    assert status == 200, body
    assert headers["content-type"] == f"{expected}; charset=utf-8"
    graph = Graph().parse(data=body.decode("utf-8"), format=parser)
    assert (URIRef("https://w3id.org/legiongraph/id/country/UA"), None, None) in graph


@pytest.mark.parametrize(("param", "accept", "expected"), [
    ("", "application/json", SRJ),
    ("", "application/xml", "application/sparql-results+xml"),
    ("", "text/xml", "application/sparql-results+xml"),
    ("format=srj", "text/csv", SRJ),
    ("format=turtle", "text/tab-separated-values", "text/tab-separated-values"),  # falls back
])
def test_select_format_aliases(live_server, param, accept, expected):
    status, headers, body = fetch(live_server, "GET", f"/sparql?query={ASK}&{param}", {"Accept": accept})
    assert status == 200, body
    assert headers["content-type"].split(";")[0] == expected
    assert b"true" in body


def test_browser_on_sparql_gets_an_html_service_description(live_server):
    status, headers, body = fetch(live_server, "GET", "/sparql", {
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    text = body.decode("utf-8")
    assert "SPARQL service description" in text
    assert "http://www.w3.org/ns/sparql-service-description#endpoint" in text
    assert "/store" in text


def test_graph_parameter_on_sparql_is_a_400_naming_it(live_server):
    status, _, body = fetch(live_server, "GET", "/sparql?graph=" + quote(str(GRAPH_ONTOLOGY)))
    assert status == 400
    text = body.decode("utf-8")
    assert "unknown parameter 'graph'" in text and "/store?graph=IRI" in text


# -- Graph Store Protocol, read-only --------------------------------------------------------------

FORMATS = [("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld"),
           ("application/rdf+xml", "xml"), ("application/trig", "trig"), ("application/n-quads", "nquads")]


@pytest.mark.parametrize(("accept", "parser"), FORMATS)
def test_graph_store_reads_the_articles_graph_in_every_format(live_server, oxigraph_store,
                                                               article_graph, accept, parser):
    expected = oxigraph_store.to_dataset([URIRef(article_graph)]).graph(URIRef(article_graph))
    status, headers, body = fetch(live_server, "GET", f"/store?graph={quote(article_graph, safe='')}",
                                  {"Accept": accept})
    assert status == 200, body[:300]
    assert headers["content-type"] == f"{accept}; charset=utf-8"
    parsed = Dataset()
    parsed.parse(data=body.decode("utf-8"), format=parser)
    triples = {(s, p, o) for s, p, o, _ in parsed.quads((None, None, None, None))}
    assert len(triples) == len(expected) > 100
    if parser in ("trig", "nquads"):  # quad formats keep the graph's name
        assert {str(c) for _, _, _, c in parsed.quads((None, None, None, None))} == {article_graph}


def test_graph_store_default_graph_is_the_union(live_server, oxigraph_store):
    status, _, body = fetch(live_server, "GET", "/store?default", {"Accept": "application/n-triples"})
    assert status == 200
    lines = {line for line in body.decode("utf-8").splitlines() if line.strip()}
    union = {(s, p, o) for g in oxigraph_store.graphs()
             for s, p, o in oxigraph_store.to_dataset([g]).graph(g)}
    assert len(lines) == len(union)


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_graph_store_refuses_writes_with_405(live_server, article_graph, method):
    status, headers, body = fetch(live_server, method, f"/store?graph={quote(article_graph, safe='')}",
                                  {"Content-Type": "text/turtle"}, b"<a:b> <a:c> <a:d> .")
    assert status == 405
    assert headers["allow"] == "GET, HEAD, OPTIONS"
    assert b"read-only" in body


@pytest.mark.parametrize(("target", "status", "message"), [
    ("/store?graph=" + quote("https://w3id.org/legiongraph/graph/nothing", safe=""), 404,
     "no named graph <https://w3id.org/legiongraph/graph/nothing>"),
    ("/store", 400, "exactly one of graph=IRI or default"),
    ("/store?default&graph=x:y", 400, "exactly one of graph=IRI or default"),
    ("/store?graph=", 400, "graph= is empty"),
    ("/store?default&query=ASK%7B%7D", 400, "unknown parameter 'query'"),
])
def test_graph_store_bad_requests_name_the_problem(live_server, target, status, message):
    got, _, body = fetch(live_server, "GET", target)
    assert got == status
    assert message in body.decode("utf-8")


def test_service_description_names_the_graph_store(live_server):
    _, _, body = fetch(live_server, "GET", "/sparql", {"Accept": "text/turtle"})
    g = Graph().parse(data=body.decode("utf-8"), format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert URIRef(f"{live_server}/store") in set(g.objects(None, URIRef(sd + "endpoint")))


# -- compression ------------------------------------------------------------------------------------

COMPRESSED = [f"/sparql?query={CONSTRUCT}", "/sparql", "/id/country/UA", "/ontology",
              "/download/legiongraph.ttl", "/store?default", "/", "/dataset"]


@pytest.mark.parametrize("target", COMPRESSED)
@pytest.mark.parametrize(("encoding", "decode"), [("gzip", gzip.decompress), ("br", brotli.decompress)])
def test_compressed_when_asked_and_the_same_bytes(live_server, target, encoding, decode):
    _, plain_headers, plain = fetch(live_server, "GET", target)
    status, headers, body = fetch(live_server, "GET", target, {"Accept-Encoding": encoding})
    assert status == 200
    assert headers["content-encoding"] == encoding
    assert "accept-encoding" in headers["vary"].lower()
    assert decode(body) == plain
    assert len(body) < len(plain)
    assert "content-encoding" not in plain_headers


@pytest.mark.parametrize("name", ["legiongraph.nq", "legiongraph.ttl", "legiongraph.jsonld"])
def test_dumps_are_offered_precompressed(live_server, name):
    _, _, plain = fetch(live_server, "GET", f"/download/{name}")
    status, headers, packed = fetch(live_server, "GET", f"/download/{name}.gz")
    assert status == 200
    assert headers["content-type"] == "application/gzip"
    assert gzip.decompress(packed) == plain
    _, _, listing = fetch(live_server, "GET", "/download?format=json")
    assert f'"{name}.gz"'.encode() in listing


# -- caching --------------------------------------------------------------------------------------

CACHED = [f"/sparql?query={ASK}", "/id/country/UA", "/download/legiongraph.nq", "/store?default",
          "/dataset", f"/graph/{quote('ontology')}"]


@pytest.mark.parametrize("target", CACHED)
def test_conditional_get_answers_304(live_server, target):
    status, headers, _ = fetch(live_server, "GET", target)
    assert status == 200
    etag, modified = headers["etag"], headers["last-modified"]
    assert etag.startswith('"') and modified.endswith("GMT")
    again, same, body = fetch(live_server, "GET", target, {"If-None-Match": etag})
    assert (again, body) == (304, b"")
    assert same["etag"] == etag
    since, _, _ = fetch(live_server, "GET", target, {"If-Modified-Since": modified})
    assert since == 304
    changed, _, _ = fetch(live_server, "GET", target, {"If-None-Match": '"another-version"'})
    assert changed == 200


def test_etag_differs_between_representations(live_server):
    _, turtle, _ = fetch(live_server, "GET", "/id/country/UA", {"Accept": "text/turtle"})
    _, nt, _ = fetch(live_server, "GET", "/id/country/UA", {"Accept": "application/n-triples"})
    assert turtle["etag"] != nt["etag"]


def test_compressed_answer_is_conditional_too(live_server):
    _, headers, _ = fetch(live_server, "GET", "/download/legiongraph.ttl", {"Accept-Encoding": "gzip"})
    status, _, body = fetch(live_server, "GET", "/download/legiongraph.ttl",
                            {"Accept-Encoding": "gzip", "If-None-Match": headers["etag"]})
    assert (status, body) == (304, b"")


def test_downloads_honour_range(live_server):
    _, headers, whole = fetch(live_server, "GET", "/download/legiongraph.nq")
    assert headers["accept-ranges"] == "bytes"
    status, part_headers, part = fetch(live_server, "GET", "/download/legiongraph.nq",
                                       {"Range": "bytes=100-199", "Accept-Encoding": "gzip"})
    assert status == 206
    assert part == whole[100:200]
    assert part_headers["content-range"] == f"bytes 100-199/{len(whole)}"
    assert "content-encoding" not in part_headers
    tail_status, _, tail = fetch(live_server, "GET", "/download/legiongraph.nq", {"Range": "bytes=-10"})
    assert (tail_status, tail) == (206, whole[-10:])


def test_graph_store_downloads_listed_as_void_dumps_honour_range(live_server):
    target = "/store?graph=https%3A%2F%2Fw3id.org%2Flegiongraph%2Fgraph%2Fontology"
    _, headers, whole = fetch(live_server, "GET", target, {"Accept": "application/n-triples"})
    assert headers["accept-ranges"] == "bytes"
    status, part_headers, part = fetch(live_server, "GET", target,
                                       {"Accept": "application/n-triples", "Range": "bytes=10-59",
                                        "Accept-Encoding": "gzip"})
    assert (status, part) == (206, whole[10:60])
    assert part_headers["content-range"] == f"bytes 10-59/{len(whole)}"


def test_unsatisfiable_range_is_416_with_the_length(live_server):
    _, _, whole = fetch(live_server, "GET", "/download/legiongraph.nq")
    status, headers, body = fetch(live_server, "GET", "/download/legiongraph.nq",
                                  {"Range": f"bytes={len(whole) + 10}-"})
    assert status == 416
    assert headers["content-range"] == f"bytes */{len(whole)}"
    assert b"Range Not Satisfiable" in body


_SAMPLES = {"filename": "legiongraph.css", "name": "legiongraph.nq", "version": "0.1.0"}
_REST = {"pages.instance": "country/UA", "iris.graph": "ontology", "pages.concept": ""}
_QUERY = {"graphstore.read": "?default", "search.search": "?q=Ukraine", "search.suggest": "?q=Ukr"}


def test_head_matches_get_on_every_route_the_app_has(live_server, app):
    checked = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        values = {arg: _REST.get(rule.endpoint, "country/UA") if arg == "rest" else _SAMPLES.get(arg, "x")
                  for arg in rule.arguments}
        target = rule.build(values, append_unknown=False)[1] + _QUERY.get(rule.endpoint, "")
        status, headers, body = fetch(live_server, "GET", target)
        h_status, h_headers, h_body = fetch(live_server, "HEAD", target)
        assert (h_status, h_body) == (status, b""), target
        assert h_headers.get("content-type") == headers.get("content-type"), target
        if "content-length" in headers:
            assert h_headers.get("content-length") == headers["content-length"] == str(len(body)), target
        checked.append((target, status))
    assert len(checked) >= 20
    assert dict(checked)["/sparql"] == 200


def test_cors_exposes_etag_so_browser_clients_can_revalidate(live_server):
    _, headers, _ = fetch(live_server, "GET", f"/sparql?query={ASK}", {"Origin": "https://elsewhere.example"})
    assert "ETag" in headers["access-control-expose-headers"]
    assert "HEAD" in headers["access-control-allow-methods"]


def test_unknown_parameter_in_a_form_post_is_a_400_too(live_server):
    status, _, body = fetch(live_server, "POST", "/sparql", {
        "Content-Type": "application/x-www-form-urlencoded"}, b"query=ASK%7B%7D&graph=x%3Ay")
    assert status == 400
    assert "unknown parameter 'graph'" in body.decode("utf-8")


def test_head_of_a_bad_query_is_the_same_400_without_a_body(live_server):
    target = "/sparql?query=" + quote("ASK {", safe="")
    status, headers, body = fetch(live_server, "GET", target)
    h_status, h_headers, h_body = fetch(live_server, "HEAD", target)
    assert (status, h_status, h_body) == (400, 400, b"")
    assert h_headers["content-length"] == headers["content-length"] == str(len(body))
