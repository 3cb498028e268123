"""Exports are deterministic, readable, canonical, and written atomically or to standard output."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Literal, URIRef

from legiongraph.cli import main
from legiongraph.errors import ConfigError, LegiongraphError
from legiongraph.iris import GRAPH_INFERRED, GRAPH_ONTOLOGY, GRAPH_REFERENCE, source_graph
from legiongraph.parsing import parse_quads
from legiongraph.publish.canonical import (
    canonical_nquads,
    canonicalize,
    pyld_canonical_nquads,
    quads_of,
    sha256_hex,
)
from legiongraph.publish.export import (
    DEFAULT_KINDS,
    EXPORT_FORMATS,
    JSONLD_CONTEXT,
    export_format,
    graph_kind,
    select_graphs,
    serialize,
    store_quads,
)

SOURCE = source_graph("glavkom-2025-05-17")
# JSON-LD compaction takes seconds on the whole graph: the heavy tests use the source graph.
FORMATS = list(EXPORT_FORMATS)


@pytest.fixture(scope="module")
def source_quads(oxigraph_store):
    return store_quads(oxigraph_store, ["asserted"])


def _reparse(data: bytes, fmt: str) -> list[ox.Quad]:
    parser = {"turtle": "turtle", "trig": "trig", "nquads": "nquads", "nt": "nt",
              "jsonld": "json-ld", "rdfxml": "xml"}[fmt]
    ds = Dataset()
    for s, p, o, g in parse_quads(data, parser, f"export.{fmt}"):
        ds.graph(g if g is not None else ds.default_graph.identifier).add((s, p, o))
    return quads_of(ds)


def _merged(quads: list[ox.Quad]) -> list[ox.Quad]:
    return [ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads]


def test_graph_kinds_and_default_selection():
    assert graph_kind(GRAPH_ONTOLOGY) == "ontology"
    assert graph_kind(SOURCE) == "asserted"
    assert graph_kind(GRAPH_INFERRED) == "inferred"
    assert graph_kind("https://w3id.org/legiongraph/graph/links") == "links"
    available = [GRAPH_INFERRED, GRAPH_ONTOLOGY, GRAPH_REFERENCE, SOURCE]
    assert select_graphs(available) == [GRAPH_ONTOLOGY, GRAPH_REFERENCE, SOURCE]
    assert "inferred" not in DEFAULT_KINDS
    assert select_graphs(available, ["all"]) == sorted(available)
    assert select_graphs(available, ["inferred"]) == [GRAPH_INFERRED]
    with pytest.raises(ConfigError, match=r"unknown graph kind.*bogus"):
        select_graphs(available, ["bogus"])


def test_format_names_and_aliases():
    assert export_format("ttl").name == "turtle"
    assert export_format("JSON-LD").name == "jsonld"
    with pytest.raises(ConfigError, match="unknown export format 'yaml'"):
        export_format("yaml")


@pytest.fixture(scope="module")
def reloaded_quads(memory_store):
    return store_quads(memory_store, ["asserted"])


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_is_deterministic_across_runs_and_reloads(oxigraph_store, source_quads, reloaded_quads,
                                                         fmt):
    """Twice from Oxigraph, and from the in-memory store (a reload of the same data): same bytes.

    (The ``sparql`` back end is left out: Virtuoso rewrites some literals, xsd:duration among them.)
    """
    first = serialize(source_quads, fmt)
    assert serialize(store_quads(oxigraph_store, ["asserted"]), fmt) == first
    assert serialize(reloaded_quads, fmt) == first


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_reparses_to_the_canonical_hash(source_quads, fmt):
    data = serialize(source_quads, fmt)
    back = _reparse(data, fmt)
    expected = source_quads if EXPORT_FORMATS[fmt].quads else _merged(source_quads)
    assert sha256_hex(canonical_nquads(back)) == sha256_hex(canonical_nquads(expected))


def test_nquads_export_is_the_canonical_form_and_pyld_agrees(source_quads):
    nquads = serialize(source_quads, "nquads")
    assert nquads == canonical_nquads(source_quads)
    assert pyld_canonical_nquads(nquads) == nquads


def test_blank_node_labels_are_stable_whatever_the_input_labels():
    def build(a: str, b: str) -> bytes:
        ds = Dataset()
        g = ds.graph(URIRef("http://example.org/g"))
        s = URIRef("http://example.org/s")
        g.add((s, URIRef("http://example.org/p"), BNode(a)))
        g.add((BNode(a), URIRef("http://example.org/q"), BNode(b)))
        g.add((BNode(b), URIRef("http://example.org/r"), Literal("x")))
        return serialize(canonicalize(quads_of(ds)), "nquads")

    first, second = build("zz1", "aa2"), build("n9", "n1")
    assert first == second
    assert b"_:c14n0" in first


def test_turtle_is_grouped_by_subject_with_prefixes_and_nesting(source_quads):
    text = serialize(source_quads, "turtle").decode()
    assert text.startswith("@prefix dcterms: <http://purl.org/dc/terms/> .\n")
    assert "@prefix lg: <https://w3id.org/legiongraph/ontology#> .\n" in text
    blocks = [b for b in text.split("\n\n")[1:] if b.strip()]
    subjects = [b.splitlines()[0] for b in blocks]
    assert len(subjects) == len(set(subjects)), "one block per resource"
    named = [s.strip("<>") for s in subjects if s.startswith("<")]
    assert named == sorted(named)
    assert any(b.splitlines()[1].startswith("    a ") for b in blocks)
    # An interval used by one membership only is written inside it.
    assert "org:memberDuring [\n" in text
    assert "_:c14n" not in text


def test_trig_names_each_graph_in_a_comment(oxigraph_store):
    quads = store_quads(oxigraph_store, ["ontology", "asserted"])
    text = serialize(quads, "trig").decode()
    assert "# Named graph lgg:ontology: the ontology and its SKOS concept schemes" in text
    assert "# Named graph <https://w3id.org/legiongraph/graph/source/glavkom-2025-05-17>: what one " \
           "source document asserts" in text
    assert "lgg:ontology {\n" in text
    # The property chain of org:memberOf is an RDF list, nested where it is used.
    assert "owl:propertyChainAxiom [\n" in text


def test_jsonld_is_compacted_with_the_published_context(source_quads):
    doc = json.loads(serialize(source_quads, "jsonld"))
    assert doc["@context"] == JSONLD_CONTEXT
    # One named graph: compaction makes it the top-level object.
    assert doc["@id"] == "lgg:source/glavkom-2025-05-17"
    article = next(node for node in doc["@graph"] if node["@id"] == "lgid:doc/glavkom-2025-05-17")
    assert "schema:NewsArticle" in article["@type"]
    assert article["schema:datePublished"] == {"@type": "xsd:date", "@value": "2025-05-17"}


def test_rdfxml_refuses_characters_xml_forbids_naming_the_subject():
    quad = ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"),
                   ox.Literal("bell\x07"), ox.DefaultGraph())
    with pytest.raises(LegiongraphError, match=r"http://example.org/s.*U\+0007"):
        serialize([quad], "rdfxml")


def test_cli_export_to_file_and_stdout(served_config, tmp_path, capsysbinary):
    args = ["--store-path", str(served_config.store_path)]
    out = tmp_path / "out.ttl"
    main([*args, "export", "--format", "ttl", "--graphs", "asserted", "--out", str(out)])
    main([*args, "export", "--format", "ttl", "--graphs", "asserted"])
    assert capsysbinary.readouterr().out == out.read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["out.ttl"], "no temporary file left behind"
    main([*args, "export", "--graphs", "asserted", "--canonical-hash"])
    digest = capsysbinary.readouterr().out.decode().strip()
    main([*args, "export", "--graphs", "asserted", "--format", "nquads", "--out", str(tmp_path / "a.nq")])
    assert digest == sha256_hex((tmp_path / "a.nq").read_bytes())


def test_cli_export_of_a_construct_query(served_config, tmp_path, capsysbinary):
    query = tmp_path / "people.rq"
    query.write_text("PREFIX schema: <https://schema.org/>\n"
                     "CONSTRUCT { ?p schema:name ?n } WHERE { ?p schema:name ?n }\n", encoding="utf-8")
    main(["--store-path", str(served_config.store_path), "export", "--query", str(query),
          "--format", "nt"])
    lines = capsysbinary.readouterr().out.decode().splitlines()
    assert lines == sorted(lines) and lines
    assert all("<https://schema.org/name>" in line for line in lines)


def test_cli_export_refuses_a_select_query(served_config, tmp_path, capsys):
    query = tmp_path / "q.rq"
    query.write_text("SELECT * WHERE { ?s ?p ?o } LIMIT 1\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["--store-path", str(served_config.store_path), "export", "--query", str(query)])
    assert exc.value.code == 2
    assert "q.rq: export needs a CONSTRUCT or DESCRIBE query" in capsys.readouterr().err


def test_download_lists_and_serves_the_exports(client, oxigraph_store):
    listing = client.get("/download?format=json").get_json()
    names = [f["name"] for f in listing["files"]]
    dumps = ["legiongraph.ttl", "legiongraph.trig", "legiongraph.nq", "legiongraph.nt",
             "legiongraph.jsonld", "legiongraph.rdf"]
    # each dump, then the same pre-compressed (issue 16)
    assert names == [n for d in dumps for n in (d, d + ".gz")] + ["context.jsonld"]
    nquads = client.get("/download/legiongraph.nq")
    assert nquads.status_code == 200
    assert nquads.headers["Content-Type"] == "application/n-quads; charset=utf-8"
    assert nquads.data == serialize(store_quads(oxigraph_store, ["all"]), "nquads")
    entry = next(f for f in listing["files"] if f["name"] == "legiongraph.nq")
    assert entry["sha256"] == listing["canonicalSha256"] == sha256_hex(nquads.data)
    assert entry["bytes"] == len(nquads.data)
    assert client.get("/download/nothing.txt").status_code == 404
    page = client.get("/download", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'href="download/legiongraph.trig"' in page and listing["canonicalSha256"] in page


def test_service_description_links_the_dumps(client):
    from rdflib import Graph
    from rdflib.namespace import VOID

    sd = Graph().parse(data=client.get("/sparql", headers={"Accept": "text/turtle"}).data, format="turtle")
    dumps = sorted(str(o) for o in sd.objects(None, VOID.dataDump))
    assert "http://localhost/download/legiongraph.nq" in dumps
    assert "http://localhost/download/legiongraph.trig" in dumps


def test_service_description_names_endpoint_licence_uri_space_and_vocabularies_of_the_dataset(client):
    from rdflib import Graph, URIRef
    from rdflib.namespace import DCTERMS, VOID

    from legiongraph.publish.export import DOWNLOAD_FILES

    sd = Graph().parse(data=client.get("/sparql", headers={"Accept": "text/turtle"}).data, format="turtle")
    dataset = URIRef("https://w3id.org/legiongraph/dataset")
    service_ns = "http://www.w3.org/ns/sparql-service-description#"
    assert (None, URIRef(service_ns + "defaultDataset"), dataset) in sd
    assert sd.value(dataset, VOID.sparqlEndpoint) == URIRef("http://localhost/sparql")
    assert sd.value(dataset, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert str(sd.value(dataset, VOID.uriSpace)) == "https://w3id.org/legiongraph/"
    vocabularies = {str(v) for v in sd.objects(dataset, VOID.vocabulary)}
    assert {"https://w3id.org/legiongraph/ontology#", "https://schema.org/",
            "http://purl.org/linked-data/cube#"} <= vocabularies
    dumps = {str(o) for o in sd.objects(dataset, VOID.dataDump)}
    assert dumps == {f"http://localhost/download/{name}" for name in DOWNLOAD_FILES}
