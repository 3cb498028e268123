"""Named queries over the links graph, against a local stand-in of Wikidata.

The federated query (``# requires: service``) names https://query.wikidata.org/sparql. Here the
SERVICE IRI is replaced by the stand-in's loopback URL, the endpoint's gate accepts it only once it
is allow-listed, and the query runs on an Oxigraph store (Oxigraph executes SERVICE itself) holding
the article's graph and a links graph made by the propose -> review -> apply flow: in-process, and
through a second local server, our own endpoint, which calls the stand-in.

The map of capture places is not federated: Oxigraph sends a SERVICE pattern without the rows found
so far, so it would ask Wikidata for every coordinate it holds. ``link --apply`` copies the linked
places' coordinates into the links graph instead, and the map query reads them there.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest

from legiongraph import Config, OxigraphStore
from legiongraph.errors import ServiceRefused
from legiongraph.linking import SparqlClient, apply_review, read_entities, reconcile_wikidata
from legiongraph.pipeline.build import load_shapes
from legiongraph.query.queries import list_queries
from legiongraph.query.service import check_services
from legiongraph.query.sparqlgate import inspect_query
from legiongraph.resources import Resources
from test_queries import FEDERATED, GOLDEN, LOCAL, render

WIKIDATA = "https://query.wikidata.org/sparql"
CAPTURE_PLACES = ("place/bakhmut", "place/mariyinka", "place/toretsk-district", "place/kursk-oblast")
# The map query's answer once the capture places are linked: the golden in tests/golden/ is its
# answer on the article's graph alone, where no place is linked yet.
LINKED_MAP = Path(__file__).parent / "fixtures" / "wikidata" / "capture-places-map.linked.tsv"


@pytest.fixture(scope="module")
def linked_store(dataset, wikidata_standin, tmp_path_factory) -> OxigraphStore:
    """The article's graph plus links to the stand-in: each capture place's top candidate, accepted
    in review as exact when the names agree (score 1) and as close otherwise."""
    store = OxigraphStore(None, read_only=False)
    store.replace_all(dataset)
    places = [e for e in read_entities(store, ("place",))
              if str(e.iri).endswith(CAPTURE_PLACES)]
    client = SparqlClient(wikidata_standin, min_interval=0, cache_dir=tmp_path_factory.mktemp("cache"))
    proposals = reconcile_wikidata(client, places)
    best = {}
    for row in proposals:
        best.setdefault(row.entity, row)
    accepted = [replace(row, decision="exact" if row.score == 1 else "close", line=n)
                for n, row in enumerate(best.values(), start=2)]
    apply_review(store, accepted, load_shapes(Resources()), source="review.csv")
    return store


def _query(name: str):
    return next(q for q in list_queries(Resources()) if q.name == name)


def test_there_are_federated_queries():
    assert {q.name for q in FEDERATED} == {"pow-per-million-inhabitants"}


def test_capture_places_map_asks_no_other_endpoint():
    # regression: it was federated, and on Oxigraph asked Wikidata for every coordinate it has
    query = _query("capture-places-map")
    assert query in LOCAL
    assert inspect_query(query.text).services == ()


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


def test_federated_query_through_our_endpoint_joins_the_standin(linked_store, wikidata_standin):
    """Two local servers: our endpoint, with the stand-in allow-listed, and the stand-in."""
    from legiongraph.web import create_app
    from serving import serve_in_thread

    text = _query("pow-per-million-inhabitants").text.replace(f"<{WIKIDATA}>", f"<{wikidata_standin}>")
    app = create_app(Config(service_allowlist=(wikidata_standin,)), store=linked_store)
    base, stop = serve_in_thread(app, threads=2)
    try:
        request = urllib.request.Request(
            f"{base}/sparql", data=urllib.parse.urlencode({"query": text}).encode(),
            headers={"Accept": "application/sparql-results+json"}, method="POST")
        with urllib.request.urlopen(request, timeout=60) as response:
            bindings = json.load(response)["results"]["bindings"]
    finally:
        stop()
    rows = [(b["countryLabel"]["value"], b["prisoners"]["value"], b["population"]["value"],
             b["perMillion"]["value"]) for b in bindings]
    # Tajikistan: 12 prisoners in the article's table, 10,000,000 inhabitants in the stand-in
    assert rows[0] == ("Tajikistan", "12", "10000000", "1.2")
    assert [r[0] for r in rows] == ["Tajikistan", "Belarus", "Sri Lanka", "Uzbekistan", "Nepal", "Cuba"]


def test_capture_places_map_reads_the_coordinates_apply_copied(linked_store):
    query = _query("capture-places-map")
    assert render(linked_store.query(query.text)) == LINKED_MAP.read_text(encoding="utf-8")
