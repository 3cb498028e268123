"""The web edge (issue #13, sections 5 and 7): links, security headers, host names, proxies,
Linked Data page limits."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from legiongraph import Config, MemoryStore
from legiongraph.iris import GRAPH, ID, LG
from legiongraph.web import create_app
from legiongraph.web.context import get_page_limiter
from legiongraph.web.edge import client_address

WEB = Path(__file__).resolve().parents[1] / "src" / "legiongraph" / "web"
EVIL = "javascript://www.wikidata.org/%0Aalert(document.domain)"
HUB = ID["place/hub"]


@pytest.fixture(scope="module")
def small_store() -> MemoryStore:
    """A hub place with 25 incoming links, and an item linked to a javascript: IRI."""
    ds = Dataset()
    g = ds.graph(GRAPH["source/test"])
    g.add((HUB, RDF.type, LG.Place))
    g.add((HUB, RDFS.label, Literal("Hub", lang="en")))
    g.add((HUB, SKOS.exactMatch, URIRef(EVIL)))
    g.add((HUB, SKOS.closeMatch, URIRef("https://www.wikidata.org/entity/Q1")))
    for i in range(25):
        node = ID[f"org/o{i:02d}"]
        g.add((node, RDFS.label, Literal(f"Org {i:02d}", lang="en")))
        g.add((node, LG.basedIn, HUB))
    store = MemoryStore()
    store.replace_all(ds)
    return store


def _client(store, **settings):
    return create_app(Config(**settings), store=store).test_client()


def test_javascript_iri_is_not_rendered_as_a_link(small_store):
    html = _client(small_store).get("/id/place/hub", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "javascript:" not in re.findall(r'href="([^"]*)"', html).__str__()
    assert 'href="https://www.wikidata.org/entity/Q1"' in html


def test_every_answer_forbids_inline_script_sniffing_and_framing(small_store):
    client = _client(small_store)
    for path in ("/", "/id/place/hub", "/sparql?query=ASK%7B%7D", "/static/legiongraph.css", "/nowhere"):
        r = client.get(path)
        csp = r.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert "frame-ancestors 'none'" in csp
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        r.close()  # a static file's answer holds the file open


def test_templates_hold_no_inline_script():
    for template in (WEB / "templates").glob("*.html"):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag or 'type="application/json"' in tag, (template.name, tag)
        assert not re.search(r"\son[a-z]+=", text), template.name  # no onclick= handlers either


def test_populate_from_url_cannot_switch_the_endpoint():
    text = (WEB / "static" / "query-ui.js").read_text()
    assert "populateFromUrl: false" in text
    assert "populateFromUrl: true" not in text


def test_chart_and_result_links_are_http_only():
    charts = (WEB / "static" / "lg-charts.js").read_text()
    assert "function safeHref" in charts and "/^https?:\\/\\//i" in charts
    assert "return safeHref(iri);" in charts
    assert "LG.safeHref(target)" in (WEB / "static" / "query-ui.js").read_text()


def test_host_header_is_not_reflected_in_redirects(small_store):
    r = _client(small_store).get("/def", headers={"Host": "evil.example"})
    assert r.status_code == 400
    assert "evil.example" in r.get_data(as_text=True) and "trusted_hosts" in r.get_data(as_text=True)
    r = _client(small_store, public_base_url="https://lg.example.org/kg").get(
        "/def", headers={"Host": "lg.example.org"})
    assert r.status_code in (301, 308)
    assert r.headers["Location"] == "https://lg.example.org/kg/def/"


def test_trusted_host_is_answered_but_not_an_untrusted_one(small_store):
    client = _client(small_store, trusted_hosts=("kg.example.net",))
    assert client.get("/sparql?query=ASK%7B%7D", headers={"Host": "kg.example.net:8080"}).status_code == 200
    assert client.get("/sparql?query=ASK%7B%7D", headers={"Host": "other.example"}).status_code == 400


def test_sd_endpoint_and_ui_endpoint_name_public_base_url(small_store):
    client = _client(small_store, public_base_url="https://lg.example.org/kg")
    sd = client.get("/sparql", headers={"Accept": "text/turtle", "Host": "lg.example.org"})
    sd = sd.get_data(as_text=True)
    assert "<https://lg.example.org/kg/sparql>" in sd
    page = client.get("/", headers={"Host": "localhost"}).get_data(as_text=True)
    assert '"endpoint": "https://lg.example.org/kg/sparql"' in page
    assert "localhost/sparql" not in page


def test_download_urls_name_public_base_url(small_store):
    client = _client(small_store, public_base_url="https://lg.example.org")
    listing = client.get("/download?format=json").get_json()
    assert {f["url"].rsplit("/", 1)[0] for f in listing["files"]} == {"https://lg.example.org/download"}


def test_x_forwarded_for_is_read_only_from_trusted_proxies():
    proxies = [__import__("ipaddress").ip_network("127.0.0.1/32")]
    assert client_address("127.0.0.1", "203.0.113.9", proxies) == "203.0.113.9"
    # the client wrote the left part itself: the proxy's own addition is the last one
    assert client_address("127.0.0.1", "10.9.9.9, 203.0.113.9", proxies) == "203.0.113.9"
    assert client_address("198.51.100.7", "203.0.113.9", proxies) == "198.51.100.7"
    assert client_address("127.0.0.1", "not-an-address", proxies) == "127.0.0.1"
    assert client_address("127.0.0.1", None, []) == "127.0.0.1"


def test_per_client_limit_sees_the_forwarded_address(small_store):
    app = create_app(Config(trusted_proxies=("127.0.0.1",)), store=small_store)
    client = app.test_client()
    with app.app_context():
        limiter = get_page_limiter()
        with limiter.slot("203.0.113.9"), limiter.slot("203.0.113.9"):
            blocked = client.get("/id/place/hub?page=1", headers={"X-Forwarded-For": "203.0.113.9"})
            other = client.get("/id/place/hub?page=1", headers={"X-Forwarded-For": "203.0.113.10"})
    assert blocked.status_code == 429 and "Retry-After" in blocked.headers
    assert other.status_code == 200


def test_406_truncates_the_echoed_accept_header(small_store):
    accept = "application/x-nothing-" + "a" * 236_000
    r = _client(small_store).get("/id/place/hub", headers={"Accept": accept})
    assert r.status_code == 406
    body = r.get_data(as_text=True)
    assert len(body) < 2000
    assert "(236022 characters)" in body


def test_incoming_links_are_paginated(small_store):
    client = _client(small_store, page_size=10)
    first = client.get("/id/place/hub", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "25 resources point here; these are 1–10." in first
    assert len(re.findall(r"Org \d\d", first)) == 10
    assert 'rel="next" href="/id/place/hub?page=2"' in first
    second = client.get("/id/place/hub?page=2", headers={"Accept": "text/html"}).get_data(as_text=True)
    third = client.get("/id/place/hub?page=3", headers={"Accept": "text/html"}).get_data(as_text=True)
    pages = [re.findall(r"Org \d\d", page) for page in (first, second, third)]
    assert [len(p) for p in pages] == [10, 10, 5]
    assert sorted(name for p in pages for name in p) == [f"Org {i:02d}" for i in range(25)]  # each once
    assert 'rel="next"' not in third and 'rel="prev" href="/id/place/hub?page=2"' in third
    assert client.get("/id/place/nowhere?page=2", headers={"Accept": "text/html"}).status_code == 404
    assert client.get("/id/place/hub?page=zero").status_code == 400


class _Counting:
    """A store that counts the queries run on it."""

    def __init__(self, store):
        self.store, self.queries = store, 0

    def query(self, sparql):
        self.queries += 1
        return self.store.query(sparql)

    def __getattr__(self, name):
        return getattr(self.store, name)


def test_pages_are_cached_while_the_store_is_served(small_store):
    counting = _Counting(small_store)
    client = _client(counting)
    first = client.get("/id/place/hub", headers={"Accept": "text/html"})
    made = counting.queries
    assert made > 0
    again = client.get("/id/place/hub", headers={"Accept": "text/html"})
    assert counting.queries == made
    assert again.get_data() == first.get_data() and "Accept" in again.headers["Vary"]
    client.get("/id/place/hub", headers={"Accept": "text/turtle"})
    assert counting.queries > made  # another representation is another entry


def test_downloads_over_the_client_limit_get_429(small_store):
    app = create_app(Config(), store=small_store)
    client = app.test_client()
    with app.app_context():
        limiter = get_page_limiter()
        with limiter.slot("127.0.0.1"), limiter.slot("127.0.0.1"):
            r = client.get("/download?format=json")
    assert r.status_code == 429
    assert "too many" in r.get_data(as_text=True)


def test_machine_description_of_many_incoming_links_comes_in_pages(small_store):
    from rdflib import Graph

    client = _client(small_store, page_size=1)  # machines get ten times a page: 10 links
    first = client.get("/id/place/hub", headers={"Accept": "text/turtle"})
    assert '</id/place/hub?format=turtle&page=2>; rel="next"' in first.headers["Link"]
    pages = [Graph().parse(data=client.get(f"/id/place/hub?page={n}", headers={"Accept": "text/turtle"})
                           .get_data(as_text=True), format="turtle") for n in (1, 2, 3)]
    linking = [{s for s in page.subjects(LG.basedIn, HUB)} for page in pages]
    assert [len(p) for p in linking] == [10, 10, 5]
    assert len(set().union(*linking)) == 25
    assert all((HUB, RDFS.label, Literal("Hub", lang="en")) in page for page in pages)
    last = client.get("/id/place/hub?page=3", headers={"Accept": "text/turtle"})
    assert 'rel="next"' not in last.headers["Link"]


class _Slow(_Counting):
    """A store whose every query takes a while."""

    def query(self, sparql):
        time.sleep(0.4)
        return super().query(sparql)


def test_slow_page_is_given_up_at_the_time_limit_and_keeps_the_client_slot(small_store):
    client = _client(_Slow(small_store), query_timeout=0.5, client_concurrency=1)
    started = time.monotonic()
    slow = client.get("/id/place/hub", headers={"Accept": "text/html"})
    assert time.monotonic() - started < 1.5
    assert slow.status_code == 503 and "Retry-After" in slow.headers
    assert "the answer took longer than 0.5 s to make" in slow.get_data(as_text=True)
    # still being made in the background, in this client's only slot
    assert client.get("/id/place/hub?page=2", headers={"Accept": "text/html"}).status_code == 429
    deadline = time.monotonic() + 10
    while client.get("/id/place/hub", headers={"Accept": "text/html"}).status_code != 200:
        assert time.monotonic() < deadline
        time.sleep(0.5)


def test_bad_trusted_proxy_or_base_url_is_a_config_error_naming_the_setting():
    from legiongraph.errors import ConfigError

    with pytest.raises(ConfigError, match=r"trusted_proxies: expected IP addresses .* 'proxy.local'"):
        Config(trusted_proxies=("proxy.local",))
    with pytest.raises(ConfigError, match="public_base_url: expected an http"):
        Config(public_base_url="javascript:alert(1)")
