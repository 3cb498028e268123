"""Linked Data pages: HTML for browsers, RDF for machines, by content negotiation."""

from __future__ import annotations

import re
from html import unescape

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from legiongraph.iris import ID, LG, LGV, SCHEMA

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
NAME = Literal("Maksim Zyazyulchik", lang="en")


@pytest.fixture(scope="session")
def person(oxigraph_store) -> tuple[URIRef, str]:
    """Maksim Zyazyulchik's IRI and local path, found by name (person IRIs are random)."""
    rows = oxigraph_store.query(
        'SELECT ?p WHERE { ?p <https://schema.org/name> "Maksim Zyazyulchik"@en }').rows
    iri = rows[0][0]
    return iri, "/id/" + str(iri)[len(str(ID)):]


def _text(fragment: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _statement_rows(page: str) -> list[str]:
    return [_text(row) for row in re.findall(r'<tr class="statement statement-\w+">(.*?)</tr>', page, re.S)]


def _row(rows: list[str], *parts: str) -> str:
    found = [r for r in rows if all(p in r for p in parts)]
    assert len(found) == 1, (parts, rows)
    return found[0]


def test_person_page_in_html(client, person):
    iri, path = person
    response = client.get(path, headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    page = response.get_data(as_text=True)
    assert "<h1>Maksim Zyazyulchik</h1>" in page
    assert f"<code>{iri}</code>" in page
    assert re.search(r'<a href="/id/country/BY"[^>]*>Belarus</a>', page)
    assert re.search(r'<a href="/id/org/pmc-redut"[^>]*>PMC Redut</a>', page)
    assert 'href="/static/pages.css"' in page
    rows = _statement_rows(page)
    glavkom = "Glavkom: Putin's International Legion (17 May 2025)"
    capture = _row(rows, "Capture of the first Belarusian prisoner")
    assert all(p in capture for p in ("capture", "captive", "2022 – 2023", glavkom, "reported"))
    sentencing = _row(rows, "sentenced to 10 years")
    assert all(p in sentencing for p in ("sentencing", "defendant", "Ukraine", glavkom, "reported"))
    exchange = _row(rows, "prisoner exchange (2024)")
    assert all(p in exchange for p in ("prisoner exchange", "2024", "reported"))
    assert "2024-12-31" not in exchange  # a year is shown as a year
    redut = _row(rows, "mercenary of PMC Redut")
    assert all(p in redut for p in ("membership", "mercenary", "PMC Redut", "Glavkom", "reported"))
    allegation = _row(rows, "SBU: the first Belarusian prisoner")
    assert "alleged" in allegation and "citing SBU statement" in allegation
    assert "Security Service of Ukraine" in allegation
    assert 'class="certainty certainty-alleged"' in page
    for fmt in ("turtle", "jsonld", "nt"):
        assert f'href="{path}?format={fmt}"' in page


def test_country_page_links_out(client):
    page = client.get("/id/country/BY", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert 'href="http://www.wikidata.org/entity/Q184"' in page
    assert 'href="https://sws.geonames.org/630336/"' in page
    assert "7 prisoners of war with citizenship of Belarus" in page


@pytest.mark.parametrize(("accept", "media", "parser"), [
    ("text/turtle", "text/turtle", "turtle"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
])
def test_person_in_rdf(client, person, accept, media, parser):
    iri, path = person
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.content_type == f"{media}; charset=utf-8"
    graph = Graph().parse(data=response.get_data(as_text=True), format=parser)
    assert (iri, SCHEMA.name, NAME) in graph
    assert (iri, SCHEMA.nationality, ID["country/BY"]) in graph
    assert (ID["event/e05"], LG.captive, iri) in graph


@pytest.mark.parametrize(("accept", "media"), [
    ("text/turtle;q=0.5, application/ld+json", "application/ld+json"),
    ("text/html;q=0.5, text/turtle", "text/turtle"),
    ("application/n-triples, text/html;q=0.9", "application/n-triples"),
    (BROWSER, "text/html"),
    ("*/*", "text/turtle"),
    ("text/*", "text/turtle"),
    ("application/json", "application/ld+json"),
    (None, "text/turtle"),
])
def test_accept_header_picks_the_representation(client, person, accept, media):
    headers = {"Accept": accept} if accept is not None else {}
    response = client.get(person[1], headers=headers)
    assert response.status_code == 200
    assert response.mimetype == media


@pytest.mark.parametrize(("name", "media"), [
    ("turtle", "text/turtle"), ("ttl", "text/turtle"), ("jsonld", "application/ld+json"),
    ("nt", "application/n-triples"), ("rdfxml", "application/rdf+xml"), ("html", "text/html"),
])
def test_format_parameter_overrides_accept(client, person, name, media):
    accept = "image/png" if name != "html" else "text/turtle"
    response = client.get(f"{person[1]}?format={name}", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == media


def test_negotiation_headers(client, person):
    path = person[1]
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert "Accept" in response.headers["Vary"].split(", ")
    assert response.headers["Content-Location"] == f"{path}?format=turtle"
    link = response.headers["Link"]
    assert f'<{path}?format=jsonld>; rel="alternate"; type="application/ld+json"' in link
    assert f'<{path}?format=html>; rel="alternate"; type="text/html"' in link
    assert "format=turtle" not in link
    html = client.get(path, headers={"Accept": BROWSER})
    assert "Accept" in html.headers["Vary"].split(", ")
    assert f'<{path}?format=turtle>; rel="alternate"; type="text/turtle"' in html.headers["Link"]


def test_head_answers_like_get(client, person):
    response = client.head(person[1], headers={"Accept": "application/ld+json"})
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    assert "Accept" in response.headers["Vary"].split(", ")
    assert response.get_data() == b""


def test_not_acceptable(client, person):
    response = client.get(person[1], headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert response.content_type == "text/plain; charset=utf-8"
    assert "Accept" in response.headers["Vary"].split(", ")
    body = response.get_data(as_text=True)
    for media in ("text/html", "text/turtle", "application/ld+json", "application/n-triples"):
        assert media in body
    bad = client.get(f"{person[1]}?format=pdf")
    assert bad.status_code == 406 and "'pdf'" in bad.get_data(as_text=True)


def test_unknown_resources_are_404(client):
    response = client.get("/id/person/zzzzzzzz", headers={"Accept": BROWSER})
    assert response.status_code == 404
    assert response.content_type == "text/plain; charset=utf-8"
    assert "<https://w3id.org/legiongraph/id/person/zzzzzzzz>" in response.get_data(as_text=True)
    assert client.get("/id/person/zzzzzzzz", headers={"Accept": "text/turtle"}).status_code == 404
    assert client.get("/id/x%3E%20%7D", headers={"Accept": "text/turtle"}).status_code == 404


def test_ontology_page(client):
    response = client.get("/ontology", headers={"Accept": BROWSER})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<h1>legiongraph ontology</h1>" in page
    section = re.search(r'<section class="onto-term" id="Combatant">(.*?)</section>', page, re.S)
    assert section is not None
    text = _text(section.group(1))
    assert text.startswith("Combatant lg:Combatant A person who served")
    assert "Sub-class of Agent prov:Agent , Person schema:Person" in text
    captive = _text(re.search(r'id="captive">(.*?)</section>', page, re.S).group(1))
    assert "Domain Event sem:Event" in captive and "Sub-property of has actor" in captive
    assert 'id="scheme-certainty"' in page
    assert re.search(r'<a href="/def/certainty/assumed"[^>]*>assumed</a>', page)


def test_ontology_in_turtle(client):
    response = client.get("/ontology", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert "Accept" in response.headers["Vary"].split(", ")
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    assert (LG.Combatant, RDF.type, OWL.Class) in graph
    assert (LG.Combatant, RDFS.label, Literal("Combatant", lang="en")) in graph
    assert (URIRef("https://w3id.org/legiongraph/ontology"), RDF.type, OWL.Ontology) in graph


def test_concept_page(client):
    response = client.get("/def/certainty/assumed", headers={"Accept": BROWSER})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<h1>assumed</h1>" in page
    assert "supposition or inference" in page
    assert re.search(r'<a href="/def/certainty"[^>]*>Certainty</a>', page)
    graph = Graph().parse(data=client.get("/def/certainty/assumed?format=ttl").get_data(as_text=True),
                          format="turtle")
    assert (LGV["certainty/assumed"], SKOS.prefLabel, Literal("assumed", lang="en")) in graph
    root = client.get("/def/", headers={"Accept": BROWSER})
    assert root.status_code == 200 and "legiongraph controlled vocabularies" in root.get_data(as_text=True)


def test_person_page_lists_the_sources_that_mention_them(client, person):
    _, path = person
    page = client.get(path, headers={"Accept": BROWSER}).get_data(as_text=True)
    sources = re.search(r'<p class="ld-sources">(.*?)</p>', page, re.S)
    assert sources, "no list of sources on the page"
    text = _text(sources.group(1)).replace(" .", ".")
    assert text == "Source that mentions this resource: glavkom-2025-05-17."
    assert 'href="/graph/source/glavkom-2025-05-17"' in sources.group(1)
