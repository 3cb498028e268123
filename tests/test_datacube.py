"""The statistics satisfy the W3C Data Cube integrity constraints IC-1 to IC-21.

The constraints and the normalization algorithm are the SPARQL of the Recommendation's section 11
(https://www.w3.org/TR/vocab-data-cube/#wf), kept as data files in tests/fixtures/datacube/; they
run over the union of every graph of the built store, after normalization.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from legiongraph.publish.export import store_quads

FIXTURES = Path(__file__).parent / "fixtures" / "datacube"
CONSTRAINTS = sorted(p.stem for p in FIXTURES.glob("ic-*.rq"))
QB = "http://purl.org/linked-data/cube#"
_PARENT_CHILD = """
PREFIX qb: <http://purl.org/linked-data/cube#> PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT DISTINCT ?p ?inverse WHERE {
  ?list a qb:HierarchicalCodeList ; qb:parentChildProperty ?pcp .
  OPTIONAL { ?pcp owl:inverseOf ?q }
  BIND(COALESCE(?q, ?pcp) AS ?p) BIND(BOUND(?q) AS ?inverse)
}"""


def _normalize(store: ox.Store) -> None:
    """Run the Recommendation's normalization algorithm (section 11.2) on the store."""
    text = (FIXTURES / "normalize.ru").read_text(encoding="utf-8")
    prefixes = "\n".join(line for line in text.splitlines() if line.startswith("PREFIX "))
    for update in re.split(r"^;$", text, flags=re.MULTILINE):
        body = "\n".join(line for line in update.splitlines() if not line.startswith("PREFIX "))
        store.update(prefixes + "\n" + body)


@pytest.fixture(scope="module")
def normalized(oxigraph_store) -> ox.Store:
    store = ox.Store()
    # The constraints read one graph: the union of every named graph of the store.
    store.extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                 for q in store_quads(oxigraph_store, ["all"]))
    _normalize(store)
    return store


def _queries(name: str, store: ox.Store) -> list[str]:
    """Return the constraint's ASK queries; IC-20 and IC-21 are templates over $p."""
    text = (FIXTURES / f"{name}.rq").read_text(encoding="utf-8")
    if "$p" not in text:
        return [text]
    inverse = name == "ic-21"
    return [text.replace("$p", row["p"].value) for row in store.query(_PARENT_CHILD)
            if row["inverse"].value == ("true" if inverse else "false")]


def test_the_statistics_are_data_cube_observations(normalized):
    observations = list(normalized.query(f"SELECT ?o WHERE {{ ?o a <{QB}Observation> }}"))
    datasets = list(normalized.query(f"SELECT DISTINCT ?d WHERE {{ ?o <{QB}dataSet> ?d }}"))
    assert len(observations) > 10 and len(datasets) >= 2


@pytest.mark.parametrize("name", CONSTRAINTS)
def test_data_cube_integrity_constraint_holds(name, normalized):
    for query in _queries(name, normalized):
        assert not normalized.query(query), f"{name} is violated (tests/fixtures/datacube/{name}.rq)"
