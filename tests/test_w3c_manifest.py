"""Run the W3C SPARQL 1.1 Protocol manifest itself (query and bad-query tests) when the shared
reference copy is present beside the project; test_protocol.py covers every case without it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF

from conftest import SHARED

MANIFEST = SHARED / "w3c" / "sparql11-protocol" / "manifest.ttl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")

pytestmark = pytest.mark.skipif(not MANIFEST.exists(), reason=f"{MANIFEST} is not present")


def _cases() -> list[tuple[str, URIRef]]:
    if not MANIFEST.exists():
        return []
    g = Graph().parse(MANIFEST, format="turtle")
    manifest = next(g.subjects(RDF.type, MF.Manifest))
    entries = Collection(g, next(g.objects(manifest, MF.entries)))
    names = [(str(e).rsplit("#", 1)[1], e) for e in entries]
    return [(n, e) for n, e in names if n.startswith(("query_", "bad_query_", "bad_multiple_queries"))]


@pytest.fixture(scope="module")
def manifest() -> Graph:
    return Graph().parse(MANIFEST, format="turtle")


@pytest.fixture(scope="module", params=["oxigraph", "memory", "sparql"])
def client(request, manifest, tmp_path_factory):
    """An app holding every graph the manifest's tests load (ut:graphData)."""
    from rdflib import Dataset

    from legiongraph import Config, MemoryStore, OxigraphStore
    from legiongraph.stores import SparqlStore
    from legiongraph.web import create_app

    ds = Dataset()
    for data in set(manifest.objects(None, UT.graphData)):
        file = Path(str(next(manifest.objects(data, UT.graph))).replace("file://", ""))
        name = URIRef(str(next(manifest.objects(data, RDFS_LABEL))))
        source = MANIFEST.parent / file.name
        target = ds.graph(name)
        for triple in Graph().parse(source, format="nt"):
            target.add(triple)
    config = Config(store=request.param) if request.param != "sparql" else None
    if request.param == "oxigraph":
        store = OxigraphStore(tmp_path_factory.mktemp("manifest") / "s", read_only=False)
    elif request.param == "sparql":
        # The session's Virtuoso also holds the article: this store keeps its own graph registry.
        config = request.getfixturevalue("virtuoso").config()
        store = SparqlStore(config, read_only=False, registry="urn:x-legiongraph:test:manifest")
    else:
        store = MemoryStore()
    store.replace_all(ds)
    return create_app(config, store=store).test_client()


@pytest.mark.parametrize(("name", "entry"), _cases(), ids=[n for n, _ in _cases()])
def test_manifest_case(manifest: Graph, client, name: str, entry: URIRef):
    action = next(manifest.objects(entry, MF.action))
    requests = Collection(manifest, next(manifest.objects(action, HT.requests)))
    for req in requests:
        method = str(next(manifest.objects(req, HT.methodName)))
        path = str(next(manifest.objects(req, HT.absolutePath))).replace("/sparql/", "/sparql", 1)
        headers = {}
        for header_list in manifest.objects(req, HT.headers):
            for h in Collection(manifest, header_list):
                headers[str(next(manifest.objects(h, HT.fieldName)))] = str(
                    next(manifest.objects(h, HT.fieldValue)))
        body = None
        for b in manifest.objects(req, HT.body):
            encoding = str(next(manifest.objects(b, CNT.characterEncoding), "UTF-8"))
            body = str(next(manifest.objects(b, CNT.chars))).encode(encoding.lower())
        content_type = headers.pop("content-type", None)
        response = client.open(path, method=method, data=body, headers=headers,
                               content_type=content_type)
        resp = next(manifest.objects(req, HT.resp))
        allowed = {str(s).rsplit("#StatusCode", 1)[1][0] for s in manifest.objects(resp, MF.expectedStatus)}
        assert str(response.status_code)[0] in allowed, (name, response.status_code, response.get_data())
        expected_bool = next(manifest.objects(resp, MF.expectedBoolean), None)
        if expected_bool is not None:
            assert json.loads(response.get_data())["boolean"] is expected_bool.toPython()
        fmt = next(manifest.objects(resp, MF.expectedFormat), None)
        if fmt is not None and str(fmt) == "RDF":
            assert response.mimetype in ("application/rdf+xml", "text/turtle", "application/n-triples")
