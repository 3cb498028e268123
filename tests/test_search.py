"""Find anything by name: the search index, /search, /search/suggest and the /id/<kind>/ lists."""

from __future__ import annotations

import re

import pytest

from legiongraph.publish.search import Entry, SearchIndex, fold
from legiongraph.publish.searchfile import build_index, index_of
from legiongraph.web import create_app

GERILOVICH = "https://w3id.org/legiongraph/id/person/eeevadax"
ZYAZYULCHIK = "https://w3id.org/legiongraph/id/person/q35dvy4q"


@pytest.fixture(scope="module")
def index(oxigraph_store) -> SearchIndex:
    return build_index(oxigraph_store)


@pytest.fixture(scope="module")
def client(served_config, oxigraph_store):
    return create_app(served_config, store=oxigraph_store).test_client()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(("typed", "stored"), [
    ("Herylovych", "Gerilovich"), ("Zjazjulcik", "Zyazyulchik"), ("Mariyinka", "Marinka"),
    ("Zjazjulcik", "Ziaziulchyk"), ("Łukasz", "Lukasz"), ("Жизюльчик", "Zhyzyulchik"),
])
def test_fold_makes_transliterations_equal(typed, stored):
    assert fold(typed) == fold(stored)


def test_herylovych_finds_gerilovich_with_type_and_country(index):
    hits = index.search("Herylovych")
    assert [h.entry.iri for h in hits] == [GERILOVICH]
    entry = hits[0].entry
    assert (entry.label, entry.kind_label) == ("Andriy Gerilovich", "person")
    assert index.countries()[entry.country] == "Belarus"


def test_zjazjulcik_finds_zyazyulchik_through_his_other_spellings(index):
    assert index.search("Zjazjulcik")[0].entry.iri == ZYAZYULCHIK
    assert index.search("Maksym Zyazyulchik")[0].entry.iri == ZYAZYULCHIK


def test_marinka_finds_the_place_mariyinka_first(index):
    hits = index.search("Marinka")
    assert (hits[0].entry.label, hits[0].entry.kind) == ("Mariyinka", "place")
    assert hits[0].score == 1.0


def test_exact_and_short_names_rank_above_longer_prefix_matches(index):
    labels = [h.entry.label for h in index.search("wagn", limit=3)]
    assert labels[0] == "PMC Wagner"
    assert all("Wagner" in label for label in labels)


def test_a_misspelling_still_finds_the_name_but_a_prefix_is_not_a_misspelt_word(index):
    assert index.search("Nepl")[0].entry.label == "Nepal"
    assert [h.entry.label for h in index.search("Andr")] == ["Andriy Gerilovich"]


def test_kind_filter_and_empty_query(index):
    assert {h.entry.kind for h in index.search("Belarus", limit=50, kind="country")} == {"country"}
    assert index.search("   ") == []


def test_index_of_entries_matches_altlabels_and_says_which():
    index = index_of([Entry("https://w3id.org/legiongraph/id/org/w", "org", "PMC Wagner",
                                  ("PMC Wagner", "Wagner Group", "ЧВК Вагнер"))])
    hit = index.search("chvk vagner")[0]
    assert hit.matched == "ЧВК Вагнер"


def test_search_page_shows_label_type_and_country(client):
    response = client.get("/search?q=Herylovych", headers={"Accept": "text/html"})
    assert response.status_code == 200
    text = _text(response.get_data(as_text=True))
    assert "1 match among" in text
    assert "Andriy Gerilovich person Belarus" in text
    assert 'href="/id/person/eeevadax"' in response.get_data(as_text=True)


def test_search_json_by_accept_and_by_format(client):
    for response in (client.get("/search?q=Zjazjulcik&format=json"),
                     client.get("/search?q=Zjazjulcik", headers={"Accept": "application/json"})):
        assert response.mimetype == "application/json"
        first = response.json["results"][0]
        assert (first["iri"], first["label"], first["type"], first["country"]) == (
            ZYAZYULCHIK, "Maksim Zyazyulchik", "person", "Belarus")


def test_suggest_answers_the_search_box(client):
    body = client.get("/search/suggest?q=Herylov").json
    assert body["results"][0]["label"] == "Andriy Gerilovich"
    assert body["results"][0]["href"] == "/id/person/eeevadax"
    assert client.get("/search/suggest?q=").json["results"] == []


def test_every_page_has_the_search_box_and_a_downloads_link(client):
    for path in ("/", "/search", "/id/person/eeevadax", "/id/country/", "/ontology"):
        html = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
        assert 'id="site-search"' in html, path
        assert "search-box.js" in html, path
        assert '<a href="/download">Downloads</a>' in html, path


def test_search_box_script_is_a_static_file_not_inline(client):
    html = client.get("/search").get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html)
    with client.get("/static/search-box.js") as script:
        assert script.status_code == 200
        assert "data-suggest" in script.get_data(as_text=True)  # the URL comes from the page


@pytest.mark.parametrize(("kind", "title", "member"), [
    ("person", "Persons", "Andriy Gerilovich"), ("org", "Organisations and units", "PMC Wagner"),
    ("place", "Places", "Mariyinka"), ("event", "Events", "Wagner instructors train a Belarusian recruit"),
    ("country", "Countries", "Belarus"),
])
def test_browse_lists_members_with_labels(client, kind, title, member):
    response = client.get(f"/id/{kind}/")
    assert response.status_code == 200
    text = _text(response.get_data(as_text=True))
    assert f"{title} " in text
    assert member in text


def test_browse_persons_sorted_by_label_and_by_country(client):
    html = client.get("/id/person/").get_data(as_text=True)
    names = re.findall(r'<td><a href="/id/person/[^"]+" title="[^"]+">([^<]+)</a>', html)
    assert len(names) == 20 and names == sorted(names, key=str.casefold)
    html = client.get("/id/person/?sort=label&order=desc").get_data(as_text=True)
    down = re.findall(r'<td><a href="/id/person/[^"]+" title="[^"]+">([^<]+)</a>', html)
    assert down == names[::-1]
    html = client.get("/id/person/?sort=country").get_data(as_text=True)
    countries = re.findall(r'<td><a href="/id/country/[A-Z]+">([^<]+)</a>', html)
    assert countries == sorted(countries, key=str.casefold)


def test_browse_countries_is_paginated(client, served_config):
    first = client.get("/id/country/").get_data(as_text=True)
    assert "249 countries; these are 1–200, page 1 of 2" in _text(first)
    assert 'rel="next" href="?sort=label&amp;order=asc&amp;page=2"' in first
    second = _text(client.get("/id/country/?page=2").get_data(as_text=True))
    assert "these are 201–249, page 2 of 2" in second


def test_a_browse_page_past_the_last_says_which_pages_exist(client):
    # It answered the framework's "The requested URL was not found" for a list that exists.
    response = client.get("/id/country/?page=3")
    assert response.status_code == 404
    assert response.get_data(as_text=True) == (
        "/id/country/ has no page 3: its 249 countries fill 2 pages of 200; ask for page=1 to "
        "page=2\n")


def test_a_resource_page_is_still_served_under_a_browse_list(client):
    response = client.get("/id/person/eeevadax", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert "Gerilovich" in response.get_data(as_text=True)


def test_a_page_with_one_incoming_link_says_1_resource_points_here(client):
    """Regression: pages said "1 resources point here"."""
    html = client.get("/id/place/samarkand", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "1 resource points here." in _text(html)
    assert "1 resources" not in html



@pytest.mark.parametrize(("path", "expected"), [
    ("/id/place/samarkand", "DESCRIBE <https://w3id.org/legiongraph/id/place/samarkand>\n"),
    ("/ontology", "DESCRIBE <https://w3id.org/legiongraph/ontology>\n"),
])
def test_linked_data_pages_open_their_describe_query_in_the_query_ui(client, path, expected):
    from urllib.parse import unquote

    html = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
    href = re.search(r'<a class="open-query" href="([^"]+)">Open in the query UI</a>', html).group(1)
    assert href.startswith("/#query=")
    assert unquote(href[len("/#query="):]) == expected


def test_a_person_page_opens_the_person_card_narrowed_to_that_person(client):
    from urllib.parse import unquote

    html = client.get("/id/person/eeevadax", headers={"Accept": "text/html"}).get_data(as_text=True)
    href = re.search(r'<a class="open-query" href="([^"]+)">', html).group(1)
    query = unquote(href[len("/#query="):])
    assert query.startswith("# title: Person cards")
    assert "WHERE {\n  VALUES ?person { <https://w3id.org/legiongraph/id/person/eeevadax> }" in query
