"""Oxigraph's own result writer (the endpoint's fast path) says what legiongraph's writer says."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from legiongraph.formats import GRAPH_FORMATS, RESULT_FORMATS, by_name
from legiongraph.query.queries import list_queries
from legiongraph.query.service import answer as answer_request
from legiongraph.query.service import prepare
from legiongraph.query.sparqlgate import inspect_query
from legiongraph.resources import Resources
from legiongraph.stores.results import serialize_result

SRX = "{http://www.w3.org/2005/sparql-results#}"
JSON = by_name("json", RESULT_FORMATS)
SELECTS = [q for q in list_queries(Resources()) if "SERVICE" not in q.text and
           inspect_query(q.text).form == "SELECT"]


def _json_rows(body: bytes) -> tuple[list[str], list[str]]:
    doc = json.loads(body)
    rows = [json.dumps(b, sort_keys=True) for b in doc["results"]["bindings"]]
    return doc["head"]["vars"], sorted(rows)


def _xml_rows(body: bytes) -> tuple[list[str], list[str]]:
    root = ET.fromstring(body)
    names = [v.get("name") for v in root.iter(SRX + "variable")]
    rows = []
    for result in root.iter(SRX + "result"):
        rows.append(sorted((b.get("name"), [(c.tag, c.text, sorted(c.attrib.items())) for c in b])
                           for b in result))
    return names, sorted(map(str, rows))


@pytest.mark.parametrize("query", SELECTS, ids=lambda q: q.name)
def test_native_json_equals_legiongraph_json(query, oxigraph_store) -> None:
    native = oxigraph_store.serialized(query.text, "json")
    assert native is not None and native.truncated_by is None
    body, rows = native.body, native.rows
    general = serialize_result(oxigraph_store.query(query.text), "json").encode()
    assert _json_rows(body) == _json_rows(general)
    assert rows == len(json.loads(general)["results"]["bindings"])


@pytest.mark.parametrize("query", SELECTS[:5], ids=lambda q: q.name)
def test_native_xml_equals_legiongraph_xml(query, oxigraph_store) -> None:
    body = oxigraph_store.serialized(query.text, "xml").body
    general = serialize_result(oxigraph_store.query(query.text), "xml").encode()
    assert _xml_rows(body) == _xml_rows(general)


def test_an_answer_over_the_row_cap_is_cut_and_says_so(oxigraph_store) -> None:
    text = "SELECT ?s WHERE { ?s a ?c } LIMIT 10"
    got = answer_request(oxigraph_store, prepare(text, result_format=JSON, max_rows=3))
    doc = json.loads(got.body)
    assert len(doc["results"]["bindings"]) == 3
    assert doc["legiongraph"] == {"truncated": True, "reason": "max_rows", "limit": 3, "rows": 3}


def test_an_answer_over_the_byte_cap_is_cut_and_says_so(oxigraph_store) -> None:
    text = "SELECT ?s WHERE { ?s a ?c } LIMIT 50"
    got = answer_request(oxigraph_store, prepare(text, result_format=JSON, max_bytes=800))
    assert got.truncated_by == "max_result_bytes" and len(got.body) <= 800 + 120  # plus the note
    doc = json.loads(got.body)
    assert 0 < len(doc["results"]["bindings"]) == got.rows < 50
    assert doc["legiongraph"]["reason"] == "max_result_bytes"


def test_answers_within_the_caps_come_from_the_native_writer(oxigraph_store) -> None:
    text = "SELECT ?s WHERE { ?s a ?c } LIMIT 4"
    got = answer_request(oxigraph_store, prepare(text, result_format=JSON, max_rows=4))
    assert got.body == oxigraph_store.serialized(text, "json").body
    assert got.rows == 4 and not got.truncated


CONSTRUCTS = [q for q in list_queries(Resources()) if "SERVICE" not in q.text and
              inspect_query(q.text).form in ("CONSTRUCT", "DESCRIBE")]


@pytest.mark.parametrize("fmt", ["nt", "turtle"])
@pytest.mark.parametrize("query", CONSTRUCTS, ids=lambda q: q.name)
def test_native_graph_answers_equal_legiongraph_graphs(query, fmt: str, oxigraph_store) -> None:
    written = oxigraph_store.serialized(query.text, fmt)
    native = Graph().parse(data=written.body, format="nt" if fmt == "nt" else "turtle")
    general = oxigraph_store.query(query.text).graph
    assert isomorphic(native, general)
    assert written.rows == len(general) > 0


def test_a_graph_answer_over_the_row_cap_is_cut(oxigraph_store) -> None:
    text = "CONSTRUCT { ?s a ?c } WHERE { ?s a ?c }"
    turtle = by_name("turtle", GRAPH_FORMATS)
    got = answer_request(oxigraph_store, prepare(text, graph_format=turtle, max_rows=7))
    assert got.truncated_by == "max_rows" and got.rows == 7
    assert len(Graph().parse(data=got.body, format="turtle")) == 7
