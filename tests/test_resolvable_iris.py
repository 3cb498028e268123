"""IRIs that resolve (issue 16): the ontology's version IRI, the dataset, the named graphs and
/.well-known/void answer with a page and with RDF, and every IRI minted under
https://w3id.org/legiongraph/ in the built store resolves on a running server."""

from __future__ import annotations

import http.client
from urllib.parse import quote, urlsplit

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import OWL, RDF, VOID

from legiongraph.iris import BASE, GRAPH_ONTOLOGY
from legiongraph.web.resolve import PAGE_SIZE, local_path

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
_IRIS = f"""
SELECT DISTINCT ?iri WHERE {{
  {{ ?iri ?p ?o }} UNION {{ ?s ?p ?iri }} UNION {{ ?s ?iri ?o }}
  FILTER(isIRI(?iri) && STRSTARTS(STR(?iri), "{BASE}"))
}}"""


class Client:
    """One keep-alive connection to the live server."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)

    def get(self, path: str, accept: str = "text/turtle") -> tuple[int, str, bytes]:
        self.conn.request("GET", path, headers={"Accept": accept})
        response = self.conn.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()


@pytest.fixture(scope="module")
def web(live_server):
    client = Client(live_server)
    yield client
    client.conn.close()


def _path(iri: str) -> str:
    local = local_path(iri)
    assert local is not None
    # A fragment never reaches the server: lg:Person is served with the ontology's page.
    return quote(local.split("#", 1)[0])


def test_every_minted_iri_resolves(web, oxigraph_store):
    # Every IRI in a triple, and the names of the graphs, which appear in none.
    iris = {str(row[0]) for row in oxigraph_store.query(_IRIS).rows}
    iris |= {str(g) for g in oxigraph_store.graphs()}
    paths = sorted({_path(iri) for iri in iris})
    assert len(paths) > 500
    failed = {}
    for path in paths:
        status, _, body = web.get(path)
        if status != 200:
            failed[path] = (status, body[:120])
    assert not failed, f"{len(failed)} of {len(paths)} minted IRIs do not resolve: {failed}"
    kinds = {p.split("/")[1] for p in paths}
    assert {"id", "def", "ontology", "graph"} <= kinds


@pytest.mark.parametrize("path", ["/dataset", "/.well-known/void"])
def test_dataset_iri_answers_void_and_a_page(web, oxigraph_store, path):
    status, ctype, body = web.get(path)
    assert (status, ctype) == (200, "text/turtle; charset=utf-8")
    g = Graph().parse(data=body.decode("utf-8"), format="turtle")
    ds = URIRef(BASE + "dataset")
    assert (ds, RDF.type, VOID.Dataset) in g
    assert {str(o) for o in g.objects(ds, VOID.subset)} == {str(n) for n in oxigraph_store.graphs()}
    assert any(str(o).endswith("/sparql") for o in g.objects(ds, VOID.sparqlEndpoint))
    assert any(str(o).endswith("/download/legiongraph.nq") for o in g.objects(ds, VOID.dataDump))
    total = int(next(g.objects(ds, VOID.triples)))
    assert total == len(oxigraph_store.query("SELECT * WHERE { ?s ?p ?o }").rows)
    status, ctype, page = web.get(path, BROWSER)
    assert (status, ctype) == (200, "text/html; charset=utf-8")
    assert b"The legiongraph dataset" in page and b"/graph/ontology" in page


def test_ontology_version_iri_resolves(web, oxigraph_store):
    version = next(str(r[0]) for r in oxigraph_store.query(
        f"SELECT ?v WHERE {{ <{BASE}ontology> <{OWL.versionIRI}> ?v }}").rows)
    assert version == BASE + "ontology/0.1.0"
    status, ctype, body = web.get("/ontology/0.1.0")
    assert (status, ctype) == (200, "text/turtle; charset=utf-8")
    g = Graph().parse(data=body.decode("utf-8"), format="turtle")
    assert (URIRef(BASE + "ontology"), OWL.versionIRI, URIRef(version)) in g
    status, ctype, page = web.get("/ontology/0.1.0", BROWSER)
    assert (status, ctype) == (200, "text/html; charset=utf-8")
    assert b"<html" in page
    missing, _, message = web.get("/ontology/9.9.9")
    assert missing == 404 and b"ontology/0.1.0" in message and b"<" + BASE.encode() in message


@pytest.mark.parametrize(("accept", "parser"), [("text/turtle", "turtle"), ("application/n-quads", "nquads"),
                                                ("application/ld+json", "json-ld"),
                                                ("application/rdf+xml", "xml")])
def test_named_graph_iri_gives_its_triples(web, oxigraph_store, accept, parser):
    expected = oxigraph_store.to_dataset([GRAPH_ONTOLOGY]).graph(GRAPH_ONTOLOGY)
    status, ctype, body = web.get("/graph/ontology", accept)
    assert (status, ctype) == (200, f"{accept}; charset=utf-8")
    parsed = Dataset()
    parsed.parse(data=body.decode("utf-8"), format=parser)
    assert len({(s, p, o) for s, p, o, _ in parsed.quads((None, None, None, None))}) == len(expected)


def test_named_graph_page_is_paginated(web, oxigraph_store):
    graph = max(oxigraph_store.graphs(), key=oxigraph_store.count)
    total = oxigraph_store.count(graph)
    assert total > PAGE_SIZE
    path = _path(str(graph))
    status, _, first = web.get(path, BROWSER)
    assert status == 200
    assert first.count(b"<tr><td>") == PAGE_SIZE
    assert f"of {total} (page 1 of ".encode() in first and b'rel="next"' in first
    last_page = -(-total // PAGE_SIZE)
    status, _, last = web.get(f"{path}?page={last_page}", BROWSER)
    assert last.count(b"<tr><td>") == total - (last_page - 1) * PAGE_SIZE
    assert b'rel="prev"' in last and b'rel="next"' not in last


def test_unknown_graph_iri_is_404(web):
    status, _, body = web.get("/graph/no-such-graph")
    assert status == 404
    assert b"<https://w3id.org/legiongraph/graph/no-such-graph> is not a named graph" in body
