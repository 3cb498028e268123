import csv
import io
import json
import xml.etree.ElementTree as ET

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from legiongraph.stores.results import QueryResult, serialize_result

RESULT = QueryResult(
    "SELECT",
    variables=["who", "name", "n"],
    rows=[
        (URIRef("https://w3id.org/legiongraph/id/person/abcdefgh"), Literal("Рі", lang="ko"),
         Literal("12", datatype=XSD.nonNegativeInteger)),
        (BNode("b0"), Literal('tab\there "q"\nline'), None),
    ],
)


def test_tsv_uses_turtle_syntax_and_escapes_control_characters():
    lines = serialize_result(RESULT, "tsv").split("\n")
    assert lines[0] == "?who\t?name\t?n"
    assert lines[1] == ('<https://w3id.org/legiongraph/id/person/abcdefgh>\t"Рі"@ko\t'
                        '"12"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger>')
    assert lines[2] == '_:b0\t"tab\\there \\"q\\"\\nline"\t'


def test_csv_round_trips_values_and_leaves_unbound_empty():
    rows = list(csv.reader(io.StringIO(serialize_result(RESULT, "csv"))))
    assert rows[0] == ["who", "name", "n"]
    assert rows[1] == ["https://w3id.org/legiongraph/id/person/abcdefgh", "Рі", "12"]
    assert rows[2] == ["_:b0", 'tab\there "q"\nline', ""]


def test_json_follows_the_sparql_results_json_format():
    doc = json.loads(serialize_result(RESULT, "json"))
    assert doc["head"]["vars"] == ["who", "name", "n"]
    first, second = doc["results"]["bindings"]
    assert first["name"] == {"type": "literal", "value": "Рі", "xml:lang": "ko"}
    assert first["n"]["datatype"] == str(XSD.nonNegativeInteger)
    assert "n" not in second
    assert second["who"] == {"type": "bnode", "value": "b0"}


def test_xml_follows_the_sparql_results_xml_format():
    root = ET.fromstring(serialize_result(RESULT, "xml"))
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    assert [v.get("name") for v in root.findall("r:head/r:variable", ns)] == ["who", "name", "n"]
    literal = root.find("r:results/r:result/r:binding[@name='name']/r:literal", ns)
    assert literal.text == "Рі"
    assert literal.get("{http://www.w3.org/XML/1998/namespace}lang") == "ko"


def test_ask_results_in_every_format():
    ask = QueryResult("ASK", boolean=True)
    assert json.loads(serialize_result(ask, "json")) == {"head": {}, "boolean": True}
    assert serialize_result(ask, "tsv") == "?_askResult\ntrue\n"
    assert serialize_result(ask, "table") == "yes\n"


def test_table_shortens_iris_with_the_longest_matching_prefix():
    text = serialize_result(RESULT, "table", {"lgid": "https://w3id.org/legiongraph/id/",
                                              "w3id": "https://w3id.org/"})
    assert "lgid:person/abcdefgh" in text
    assert text.rstrip().endswith("(2 rows)")
