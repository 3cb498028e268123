"""The query UI's pages, seen through Flask's test client: examples, endpoint, vendored YASGUI."""

from __future__ import annotations

import html
import json
import re

import pytest

from legiongraph.iris import PREFIXES
from legiongraph.query.queries import list_queries
from legiongraph.web.context import get_resources


@pytest.fixture(scope="module")
def named(app) -> list:
    with app.app_context():
        return list_queries(get_resources())


def _config(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="lg-config">(.*?)</script>', page, re.S)
    assert match, "the page embeds no configuration"
    return json.loads(match.group(1))


def test_index_offers_every_named_query(client, named) -> None:
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert named, "no named queries are installed"
    for query in named:
        assert query.title in html.unescape(page), query.name
        assert f'data-query="{query.name}"' in page
    listed = [q["name"] for q in _config(page)["examples"]]
    assert sorted(listed) == sorted(q.name for q in named)
    assert listed[0] == "pow-by-country"  # the headline example first


def test_every_named_query_has_a_known_group_and_an_order(named) -> None:
    from legiongraph.web.ui import GROUPS, query_topic

    seen: dict[str, set[int]] = {}
    for query in named:
        group, order = query_topic(query)
        assert group in GROUPS, f"queries/{query.name}.rq: '# group: {group}' is not one of {GROUPS}"
        assert order < 10_000, f"queries/{query.name}.rq has no '# order:' header"
        assert order not in seen.setdefault(group, set()), f"{query.name}: order {order} taken in {group}"
        seen[group].add(order)
    assert set(seen) == set(GROUPS)


def test_examples_are_listed_by_topic_in_the_chosen_order(client, named) -> None:
    from legiongraph.web.ui import GROUPS

    page = client.get("/").get_data(as_text=True)
    groups = re.findall(r'<section class="example-group" data-group="([^"]+)">', page)
    assert groups == list(GROUPS)
    examples = _config(page)["examples"]
    assert [e["group"] for e in examples] == sorted((e["group"] for e in examples), key=GROUPS.index)
    events = [e["name"] for e in examples if e["group"] == "events"]
    assert events[0] == "events-per-year"
    assert 'href="#pow-by-country"' in page


def test_index_points_yasgui_at_the_sparql_endpoint(client) -> None:
    page = client.get("/").get_data(as_text=True)
    config = _config(page)
    assert config["endpoint"] == "http://localhost/sparql"
    assert "http://localhost/sparql" in page
    assert config["prefixes"] == PREFIXES
    for name, iri in PREFIXES.items():
        assert f"PREFIX {name}: <{iri}>" in config["defaultQuery"]
    assert 'href="/charts"' in page


def test_index_loads_yasgui_from_this_server(client) -> None:
    page = client.get("/").get_data(as_text=True)
    scripts = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    assert "/static/vendor/yasgui/yasgui.min.js" in scripts
    assert "/static/vendor/yasgui/yasgui.min.css" in scripts
    assert all(url.startswith("/") and not url.startswith("//") for url in scripts), scripts
    for url in scripts:
        response = client.get(url)
        assert response.status_code == 200, url
        response.close()


@pytest.mark.parametrize("name", ["yasgui.min.js", "yasgui.min.css"])
def test_vendored_yasgui_is_served(client, name: str) -> None:
    response = client.get(f"/static/vendor/yasgui/{name}")
    assert response.status_code == 200, "run `make vendor` to copy YASGUI from node_modules"
    assert len(response.get_data()) > 10_000
    response.close()


def test_queries_json_lists_every_named_query(client, named) -> None:
    response = client.get("/queries.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    listed = response.get_json()
    assert [q["name"] for q in listed] == [q.name for q in named]
    for entry, query in zip(listed, named, strict=True):
        assert entry == {"name": query.name, "title": query.title, "description": query.description,
                         "text": query.text, "group": entry["group"]}
        assert f"# group: {entry['group']}" in query.text


def test_charts_page_is_self_contained(client) -> None:
    response = client.get("/charts")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    config = _config(page)
    assert config["chartQuery"] == "pow-by-country"
    assert config["queries"] == "/queries.json"
    assert "sem:hasEarliestBeginTimeStamp" in config["timelineQuery"]
    assert config["iriBase"] == "https://w3id.org/legiongraph/id/"
    assert config["localBase"] == "/id/"
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page), "the charts page loads nothing from outside"


def test_map_page_loads_its_shapes_and_queries_from_this_server(client) -> None:
    page = client.get("/map").get_data(as_text=True)
    config = _config(page)
    assert config["worldShapes"] == "/static/vendor/map/countries-110m.json"
    assert "lg:isoNumeric ?iso" in config["countryQuery"]
    assert "geo:hasGeometry" in config["placeQuery"] and "wdt:P625" in config["placeQuery"]
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', page)
    assert scripts[:3] == ["/static/vendor/map/d3-array.min.js", "/static/vendor/map/d3-geo.min.js",
                           "/static/vendor/map/topojson-client.min.js"]
    for url in [*scripts, config["worldShapes"]]:
        response = client.get(url)
        assert response.status_code == 200, f"{url}: run `make vendor`"
        response.close()
    assert 'href="/map"' in client.get("/").get_data(as_text=True)


def test_map_country_query_gives_every_country_of_the_prisoner_table_a_shape_key(client) -> None:
    from legiongraph.web.ui import MAP_COUNTRY_QUERY

    response = client.post("/sparql", data={"query": MAP_COUNTRY_QUERY},
                           headers={"Accept": "application/sparql-results+json"})
    rows = response.get_json()["results"]["bindings"]
    assert len(rows) == 26
    by_label = {row["countryLabel"]["value"]: (row["iso"]["value"], int(row["prisoners"]["value"]))
                for row in rows}
    assert by_label["Tajikistan"] == ("762", 12)
    assert by_label["Armenia"][0] == "051"
    assert sum(n for _, n in by_label.values()) == 81


def test_favicon_ico_is_the_site_icon(client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert b"<svg" in response.get_data()
    response.close()


def test_a_browser_gets_the_404_page_in_the_site_look(client) -> None:
    response = client.get("/no/such/page", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert '<header class="site">' in page and 'href="/map"' in page
    assert "There is no page at <code>/no/such/page</code>" in page


def test_other_clients_get_a_plain_404(client) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True).startswith("Not Found:")


def test_download_page_shares_the_site_look(client) -> None:
    response = client.get("/download", headers={"Accept": "text/html"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<header class="site">' in page and "<h1" in page and "Downloads" in page
    assert 'href="download/legiongraph.nq"' in page
    assert re.search(r"<code>[0-9a-f]{64}</code>", page)
