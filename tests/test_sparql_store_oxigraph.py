"""The `sparql` store on a second engine, Oxigraph's own server (`oxigraph serve`, tests/oxigraph_server.py).

The golden, contract and store tests run on it through the `store` fixture ("sparql-oxigraph");
these tests cover what only a server shows: reads, writes, atomic switches and read-only refusal.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
import uuid

import pytest
from rdflib import Dataset, Literal, URIRef

from legiongraph.errors import QueryError, StoreError
from legiongraph.iris import GRAPH_ONTOLOGY
from legiongraph.stores import SparqlStore, open_store


def _ex() -> str:
    return f"http://example.org/{uuid.uuid4().hex[:8]}/"


def _writer(server, **config) -> SparqlStore:
    return SparqlStore(server.config(**config), read_only=False,
                       registry=f"urn:x-legiongraph:test:{uuid.uuid4().hex}")


def _raw(server, query: str) -> list[dict]:
    """Ask the server directly, with its own default graph."""
    url = server.base + "/query?" + urllib.parse.urlencode({"query": query})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["results"]["bindings"]


def test_open_store_opens_oxigraph_server(oxigraph_server, oxigraph_server_store):
    store = open_store(oxigraph_server.config())
    assert (store.kind, store.read_only) == ("sparql", True)
    assert store.graphs() == oxigraph_server_store.graphs()


def test_oxigraph_server_holds_the_same_graphs_and_counts_as_the_embedded_store(
        oxigraph_store, oxigraph_server_store):
    assert oxigraph_server_store.graphs() == oxigraph_store.graphs()
    for graph in oxigraph_store.graphs():
        assert oxigraph_server_store.count(graph) == oxigraph_store.count(graph), graph
    everything = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert oxigraph_server_store.query(everything).rows == oxigraph_store.query(everything).rows


def test_a_query_naming_another_graph_of_oxigraph_server_finds_nothing_there(oxigraph_server,
                                                                               oxigraph_server_store):
    ex = _ex()
    other = _writer(oxigraph_server)
    foreign = Dataset()
    foreign.graph(URIRef(ex + "foreign")).add((URIRef(ex + "s"), URIRef(ex + "p"), Literal("x")))
    other.replace_all(foreign)
    # Unlike Virtuoso, Oxigraph keeps to the Protocol's dataset: another registry's graph stays out.
    assert oxigraph_server_store.query(f"ASK {{ GRAPH <{ex}foreign> {{ ?s ?p ?o }} }}").boolean is False
    assert URIRef(ex + "foreign") not in oxigraph_server_store.graphs()


@pytest.mark.parametrize("graph_store", [True, False], ids=["graph-store-protocol", "sparql-update"])
def test_replace_all_on_oxigraph_server_drops_graphs_it_no_longer_has(oxigraph_server, graph_store):
    ex = _ex()
    store = _writer(oxigraph_server, graph_store=graph_store)
    first = Dataset()
    for name in ("a", "b"):
        first.graph(URIRef(ex + name)).add((URIRef(ex + "s"), URIRef(ex + "p"), Literal(name, lang="en")))
    store.replace_all(first)
    assert store.graphs() == [URIRef(ex + "a"), URIRef(ex + "b")]
    second = Dataset()
    second.graph(URIRef(ex + "c")).add((URIRef(ex + "s"), URIRef(ex + "p"), Literal('c\n"q"')))
    store.replace_all(second)
    assert store.graphs() == [URIRef(ex + "c")]
    assert _raw(oxigraph_server, f"SELECT * {{ GRAPH <{ex}a> {{ ?s ?p ?o }} }} LIMIT 1") == []
    assert store.query(f"SELECT ?o WHERE {{ <{ex}s> <{ex}p> ?o }}").rows == [(Literal('c\n"q"'),)]


def test_a_failed_load_on_oxigraph_server_keeps_the_old_content(oxigraph_server):
    ex = _ex()
    store = _writer(oxigraph_server, graph_store=False)
    old = Dataset()
    old.graph(URIRef(ex + "a")).add((URIRef(ex + "s"), URIRef(ex + "p"), Literal("old")))
    store.replace_all(old)
    new = Dataset()
    new.graph(URIRef(ex + "a")).add((URIRef(ex + "s"), URIRef(ex + "p"), URIRef(ex + "not an iri")))
    with pytest.raises(StoreError, match=f"{oxigraph_server.base}/update: the SPARQL server failed"):
        store.replace_all(new)
    assert store.query(f"SELECT ?o WHERE {{ <{ex}s> ?p ?o }}").rows == [(Literal("old"),)]
    assert _raw(oxigraph_server, 'SELECT ?g { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), '
                                 '"urn:x-legiongraph:staging:")) } LIMIT 1') == []


def test_read_only_oxigraph_server_store_refuses_writes(oxigraph_server_store, dataset):
    with pytest.raises(StoreError, match="/query: the store is open read-only"):
        oxigraph_server_store.replace_all(dataset)
    with pytest.raises(StoreError, match="read-only"):
        oxigraph_server_store.replace_graphs([(GRAPH_ONTOLOGY, [])])


def test_malformed_query_on_oxigraph_server_is_a_query_error_naming_the_endpoint(oxigraph_server,
                                                                                 oxigraph_server_store):
    with pytest.raises(QueryError, match=f"{oxigraph_server.base}/query: .*HTTP 400"):
        oxigraph_server_store.query("SELECT WHERE {")
