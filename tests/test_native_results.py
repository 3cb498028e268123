"""Oxigraph's own result writer (the endpoint's fast path) says what legiongraph's writer says."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from legiongraph.formats import RESULT_FORMATS, by_name
from legiongraph.queries import list_queries
from legiongraph.resources import Resources
from legiongraph.results import serialize_result
from legiongraph.service import answer as answer_request
from legiongraph.service import prepare
from legiongraph.sparqlgate import inspect_query

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
    native = oxigraph_store.select_serialized(query.text, "json")
    assert native is not None
    body, rows = native
    general = serialize_result(oxigraph_store.query(query.text), "json").encode()
    assert _json_rows(body) == _json_rows(general)
    assert rows == len(json.loads(general)["results"]["bindings"])


@pytest.mark.parametrize("query", SELECTS[:5], ids=lambda q: q.name)
def test_native_xml_equals_legiongraph_xml(query, oxigraph_store) -> None:
    body, _ = oxigraph_store.select_serialized(query.text, "xml")
    general = serialize_result(oxigraph_store.query(query.text), "xml").encode()
    assert _xml_rows(body) == _xml_rows(general)


def test_an_answer_over_the_row_cap_takes_the_path_that_says_so(oxigraph_store) -> None:
    text = "SELECT ?s WHERE { ?s a ?c } LIMIT 10"
    assert oxigraph_store.select_serialized(text, "json", max_rows=3) is None
    got = answer_request(oxigraph_store, prepare(text, result_format=JSON, max_rows=3))
    doc = json.loads(got.body)
    assert len(doc["results"]["bindings"]) == 3
    assert doc["legiongraph"] == {"truncated": True, "reason": "max_rows", "limit": 3, "rows": 3}


def test_an_answer_over_the_byte_cap_takes_the_path_that_says_so(oxigraph_store) -> None:
    text = "SELECT ?s WHERE { ?s a ?c } LIMIT 50"
    assert oxigraph_store.select_serialized(text, "json", max_bytes=500) is None
    got = answer_request(oxigraph_store, prepare(text, result_format=JSON, max_bytes=500))
    assert got.truncated_by == "max_result_bytes" and len(got.body) <= 500


def test_answers_within_the_caps_come_from_the_native_writer(oxigraph_store) -> None:
    text = "SELECT ?s WHERE { ?s a ?c } LIMIT 4"
    got = answer_request(oxigraph_store, prepare(text, result_format=JSON, max_rows=4))
    assert got.body == oxigraph_store.select_serialized(text, "json")[0]
    assert got.rows == 4 and not got.truncated
