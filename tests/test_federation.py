"""Federated named queries (``# requires: service``) against a local stand-in of Wikidata.

The queries name https://query.wikidata.org/sparql. Here the SERVICE IRI is replaced by the
stand-in's loopback URL, the endpoint's gate accepts it only once it is allow-listed, and the query
runs in-process on an Oxigraph store (Oxigraph executes SERVICE itself) holding the article's graph
and a links graph made by the propose -> review -> apply flow.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from legiongraph import OxigraphStore
from legiongraph.build import load_shapes
from legiongraph.errors import ServiceRefused
from legiongraph.linking import SparqlClient, apply_review, read_entities, reconcile_wikidata
from legiongraph.resources import Resources
from legiongraph.service import check_services
from legiongraph.sparqlgate import inspect_query
from test_queries import FEDERATED, GOLDEN, render

WIKIDATA = "https://query.wikidata.org/sparql"
CAPTURE_PLACES = ("place/bakhmut", "place/mariyinka", "place/toretsk-district", "place/kursk-oblast")


@pytest.fixture(scope="module")
def linked_store(dataset, wikidata_standin, tmp_path_factory) -> OxigraphStore:
    """The article's graph plus links to the stand-in, each the top candidate, as accepted in review."""
    store = OxigraphStore(None, read_only=False)
    store.replace_all(dataset)
    places = [e for e in read_entities(store, ("place",))
              if str(e.iri).endswith(CAPTURE_PLACES)]
    client = SparqlClient(wikidata_standin, min_interval=0, cache_dir=tmp_path_factory.mktemp("cache"))
    proposals = reconcile_wikidata(client, places)
    best = {}
    for row in proposals:
        best.setdefault(row.entity, row)
    accepted = [replace(row, decision="exact", line=n) for n, row in enumerate(best.values(), start=2)]
    apply_review(store, accepted, load_shapes(Resources()), source="review.csv")
    return store


def test_there_are_federated_queries():
    assert {q.name for q in FEDERATED} >= {"pow-per-million-inhabitants", "capture-places-map"}


@pytest.mark.parametrize("query", FEDERATED, ids=lambda q: q.name)
def test_federated_query_is_refused_unless_its_service_is_allow_listed(query, wikidata_standin):
    with pytest.raises(ServiceRefused, match="is refused"):
        check_services(inspect_query(query.text), ())
    local = inspect_query(query.text.replace(f"<{WIKIDATA}>", f"<{wikidata_standin}>"))
    assert local.services == (wikidata_standin,)
    check_services(local, (wikidata_standin,))


@pytest.mark.parametrize("query", FEDERATED, ids=lambda q: q.name)
def test_federated_query_answers_as_its_golden_file(query, linked_store, wikidata_standin):
    assert f"SERVICE <{WIKIDATA}>" in query.text
    local = query.text.replace(f"<{WIKIDATA}>", f"<{wikidata_standin}>")
    golden = GOLDEN / f"{query.name}.tsv"
    assert golden.exists(), f"no golden file for {query.name}"
    assert render(linked_store.query(local)) == golden.read_text(encoding="utf-8")
