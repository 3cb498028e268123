"""The ontology's header and documentation, and the data's promises: opaque person IRIs and no
sentence of the article copied into the data."""

from __future__ import annotations

import re

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, Namespace

from conftest import SHARED
from legiongraph.iris import LG, SCHEMA, is_person_iri, source_graph
from legiongraph.loading import format_for, parse_graph

VANN = Namespace("http://purl.org/vocab/vann/")
ONTOLOGY = URIRef("https://w3id.org/legiongraph/ontology")
ARTICLE = SHARED / "sources" / "putins-international-legion-2025-05-17.txt"


@pytest.fixture(scope="module")
def ontology(resources) -> Graph:
    res = resources.get("ontology", "legiongraph.ttl")
    return parse_graph(res.read_bytes(), format_for(res.name), res.location)


@pytest.mark.parametrize("prop", [DCTERMS.title, DCTERMS.description, DCTERMS.license, DCTERMS.created,
                                  DCTERMS.modified, OWL.versionIRI, OWL.versionInfo,
                                  VANN.preferredNamespacePrefix, VANN.preferredNamespaceUri])
def test_ontology_header_is_complete(ontology, prop):
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(ONTOLOGY, prop) is not None, prop


def test_every_project_term_has_an_english_label_and_comment(ontology):
    terms = {s for s in ontology.subjects(RDF.type, None)
             if isinstance(s, URIRef) and str(s).startswith(str(LG))}
    assert len(terms) >= 50
    for term in sorted(terms):
        for prop in (RDFS.label, RDFS.comment):
            values = [v for v in ontology.objects(term, prop) if isinstance(v, Literal)]
            assert any(v.language == "en" for v in values), f"{term} lacks an English {prop}"


def test_person_iris_are_opaque(dataset):
    persons = set(dataset.subjects(RDF.type, SCHEMA.Person))
    assert len(persons) >= 20
    assert [p for p in persons if not is_person_iri(p)] == []


@pytest.mark.skipif(not ARTICLE.exists(), reason=f"{ARTICLE} is not present")
def test_no_sentence_of_the_article_is_copied_into_the_data(dataset):
    """Labels and descriptions are our own words: no run of eight words of the article recurs in
    a description once the names of things (which cannot be reworded) are taken out."""

    def words(text: str) -> list[str]:
        return re.findall(r"[a-z0-9]+", text.lower())

    article = words(ARTICLE.read_text(encoding="utf-8"))
    runs = {tuple(article[i:i + 8]) for i in range(len(article) - 7)}
    names = sorted({str(o).lower() for p in (RDFS.label, SKOS.altLabel, SCHEMA.name)
                    for o in dataset.objects(None, p) if len(str(o)) < 80}, key=len, reverse=True)
    copied = []
    for _, p, o in dataset.graph(source_graph("glavkom-2025-05-17")):
        if not isinstance(o, Literal) or p in (RDFS.label, SKOS.altLabel, SCHEMA.name, SCHEMA.headline,
                                                SCHEMA.url):
            continue
        text = str(o).lower()
        for name in names:
            text = text.replace(name, " ")
        w = words(text)
        copied += [" ".join(w[i:i + 8]) for i in range(len(w) - 7) if tuple(w[i:i + 8]) in runs]
    assert copied == []
