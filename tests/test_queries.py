"""Every named query answers exactly as its golden file says, on every store back end."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from legiongraph.query.queries import list_queries, parse_named_query
from legiongraph.resources import Resources
from legiongraph.stores.results import serialize_result
from virtuoso import GOLDEN_DEVIATIONS

GOLDEN = Path(__file__).parent / "golden"
QUERIES = list_queries(Resources())
# Queries that join other endpoints through SERVICE (a "# requires: service" header line) cannot
# run offline; tests/test_federation.py checks their golden files against a local stand-in.
_REQUIRES_SERVICE = re.compile(r"^#\s*requires:\s*service\s*$", re.MULTILINE)
FEDERATED = [q for q in QUERIES if _REQUIRES_SERVICE.search(q.text)]
LOCAL = [q for q in QUERIES if q not in FEDERATED]


def render(result) -> str:
    """Return a result in its golden form: SPARQL TSV, or sorted N-Triples for graphs."""
    if result.kind == "CONSTRUCT":
        lines = result.graph.serialize(format="nt").splitlines()
        return "\n".join(sorted(line for line in lines if line.strip())) + "\n"
    return serialize_result(result, "tsv")


def test_there_are_at_least_25_named_queries():
    assert len(QUERIES) >= 25


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.name)
def test_named_query_has_title_description_and_order(query):
    assert query.title and query.description
    assert len(query.title) <= 100
    if "SELECT" in query.text.upper():
        # golden results are compared line by line: the order must be fixed by the query
        assert "ORDER BY" in query.text.upper(), f"{query.location} has no ORDER BY"


@pytest.mark.parametrize("query", LOCAL, ids=lambda q: q.name)
def test_named_query_answers_as_its_golden_file(store, query, request):
    if request.node.callspec.params["store"] == "sparql" and query.name in GOLDEN_DEVIATIONS:
        raises, reason = GOLDEN_DEVIATIONS[query.name]
        request.applymarker(pytest.mark.xfail(strict=True, raises=raises, reason=reason))
    golden = GOLDEN / f"{query.name}.tsv"
    assert golden.exists(), f"no golden file for {query.name}: run scripts/update_golden.py"
    assert render(store.query(query.text)) == golden.read_text(encoding="utf-8")


def test_every_golden_file_belongs_to_a_query():
    names = {q.name for q in QUERIES}
    orphans = [p.name for p in GOLDEN.glob("*.tsv") if p.stem not in names]
    assert orphans == []


def test_query_without_header_is_refused_with_its_location():
    from legiongraph.errors import LoadError

    with pytest.raises(LoadError, match=r"x\.rq: the header lacks a '# description:' line"):
        parse_named_query("x", "# title: only a title\nASK {}\n", "queries/x.rq")
