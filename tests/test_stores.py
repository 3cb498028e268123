from pathlib import Path

import pytest
from rdflib import Dataset, Literal, URIRef

from legiongraph.errors import QueryError, StoreError
from legiongraph.iris import GRAPH_INFERRED, GRAPH_ONTOLOGY, GRAPH_REFERENCE
from legiongraph.stores import MemoryStore, OxigraphStore

EX = "http://example.org/"


def _dataset(n: int, graph: str = EX + "g") -> Dataset:
    ds = Dataset()
    g = ds.graph(URIRef(graph))
    for i in range(n):
        g.add((URIRef(f"{EX}s{i}"), URIRef(EX + "p"), Literal(i)))
    return ds


def test_every_store_holds_the_same_graphs(oxigraph_store, memory_store):
    assert oxigraph_store.graphs() == memory_store.graphs()
    for graph in oxigraph_store.graphs():
        assert oxigraph_store.count(graph) == memory_store.count(graph), graph
    assert {GRAPH_ONTOLOGY, GRAPH_REFERENCE, GRAPH_INFERRED} <= set(oxigraph_store.graphs())


def test_default_graph_is_the_union_of_named_graphs(store):
    result = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    distinct_triples = int(result.rows[0][0])
    assert distinct_triples > 0
    graphs = store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { GRAPH ?g { ?s ?p ?o } } }")
    assert distinct_triples == int(graphs.rows[0][0])


def test_plain_literals_come_back_without_xsd_string(store):
    result = store.query(
        'SELECT ?l WHERE { <https://w3id.org/legiongraph/id/country/UA> '
        '<https://w3id.org/legiongraph/ontology#isoAlpha2> ?l }')
    assert result.rows == [(Literal("UA"),)]


@pytest.mark.parametrize("kind", [OxigraphStore, MemoryStore])
def test_malformed_query_raises_query_error(kind, tmp_path: Path):
    store = kind(None, read_only=False)
    with pytest.raises(QueryError):
        store.query("SELECT WHERE {")


@pytest.mark.parametrize("kind", [OxigraphStore, MemoryStore])
def test_store_persists_and_reopens_read_only(kind, tmp_path: Path):
    path = tmp_path / "store"
    writer = kind(path, read_only=False)
    writer.replace_all(_dataset(5))
    writer.close()
    reader = kind(path, read_only=True)
    assert reader.count() == 5
    with pytest.raises(StoreError, match="read-only"):
        reader.replace_all(_dataset(1))


@pytest.mark.parametrize("kind", [OxigraphStore, MemoryStore])
def test_replace_graphs_leaves_other_graphs_alone(kind, tmp_path: Path):
    store = kind(tmp_path / "store", read_only=False)
    store.replace_all(_dataset(3, EX + "a"))
    store.replace_graphs([(URIRef(EX + "b"), [(URIRef(EX + "x"), URIRef(EX + "p"),
                                                Literal("new\n\"quoted\"", lang="en"))])])
    assert store.count(URIRef(EX + "a")) == 3
    assert store.count(URIRef(EX + "b")) == 1
    store.replace_graphs([(URIRef(EX + "a"), [])])
    assert store.count(URIRef(EX + "a")) == 0
    assert store.count(URIRef(EX + "b")) == 1


@pytest.mark.parametrize("kind", [OxigraphStore, MemoryStore])
def test_missing_store_tells_how_to_build_it(kind, tmp_path: Path):
    with pytest.raises(StoreError, match="run 'legiongraph build' first"):
        kind(tmp_path / "nothing", read_only=True)


def test_rebuild_replaces_the_oxigraph_directory_whole(tmp_path: Path):
    path = tmp_path / "store"
    store = OxigraphStore(path, read_only=False)
    store.replace_all(_dataset(4))
    store.replace_all(_dataset(2))
    assert store.count() == 2
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "store"]
    assert leftovers == []


def test_interrupted_swap_is_recovered_on_open(tmp_path: Path):
    path = tmp_path / "store"
    store = OxigraphStore(path, read_only=False)
    store.replace_all(_dataset(4))
    store.close()
    # simulate a crash between moving the old store aside and moving the new one in
    path.rename(tmp_path / ".lg-tmp-store.old")
    assert OxigraphStore(path, read_only=True).count() == 4


FROM_QUERIES = {
    "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/legiongraph/graph/reference> WHERE { ?s ?p ?o }":
        GRAPH_REFERENCE,
    "select (count(*) as ?n) from <https://w3id.org/legiongraph/graph/ontology> { ?s ?p ?o } # FROM <x>":
        GRAPH_ONTOLOGY,
}


@pytest.mark.parametrize("text", list(FROM_QUERIES))
def test_oxigraph_honours_a_query_s_own_from(text, oxigraph_store, memory_store):
    """Regression: Oxigraph's union-default-graph switch made it ignore the query's FROM."""
    expected = oxigraph_store.count(FROM_QUERIES[text])
    assert int(oxigraph_store.query(text).rows[0][0]) == expected
    assert int(memory_store.query(text).rows[0][0]) == expected


def test_from_inside_a_string_or_iri_keeps_the_union(oxigraph_store):
    text = 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(?o != "FROM" && ?s != <http://x/FROM>) }'
    assert int(oxigraph_store.query(text).rows[0][0]) > oxigraph_store.count(GRAPH_REFERENCE)


class _NoWholeScan:
    """A pyoxigraph store that refuses to be gone over whole, as at ten million quads it should not be."""

    def __init__(self, store):
        self._store = store

    def __iter__(self):
        raise AssertionError("the whole store was iterated to read some graphs")

    def __getattr__(self, name):
        return getattr(self._store, name)


def test_reading_some_graphs_of_an_oxigraph_store_does_not_go_over_the_whole_store(oxigraph_store):
    """Regression: to_dataset([graph]) went over every quad (minutes at 10M triples, in ingest)."""
    wrapped = OxigraphStore.over(_NoWholeScan(oxigraph_store._store))  # type: ignore[arg-type]
    read = wrapped.to_dataset([GRAPH_ONTOLOGY, URIRef(EX + "absent")])
    assert {g.identifier for g in read.graphs() if len(g)} == {GRAPH_ONTOLOGY}
    assert len(read.graph(GRAPH_ONTOLOGY)) == oxigraph_store.count(GRAPH_ONTOLOGY) > 100
