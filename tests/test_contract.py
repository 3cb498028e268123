"""The standard-vocabulary contract: after reasoning, analysts who know only schema.org, ORG, SEM,
PROV-O, the Data Cube and SKOS can query the graph. One test per bullet of the contract; each
asks for counter-examples (which must be none) and checks a known positive case."""

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

PREFIXES = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#>
PREFIX lg: <https://w3id.org/legiongraph/ontology#>
"""
ID = "https://w3id.org/legiongraph/id/"
ARTICLE = URIRef(ID + "doc/glavkom-2025-05-17")


def rows(store, body: str) -> list[tuple]:
    return store.query(PREFIXES + body).rows


def count(store, body: str) -> int:
    return int(rows(store, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {body} }}")[0][0])


def test_every_resource_has_a_label(store):
    missing = rows(store, """
        SELECT DISTINCT ?x WHERE {
          { GRAPH ?g { ?x ?p ?o } FILTER(?g != <https://w3id.org/legiongraph/graph/inferred>) }
          UNION { ?s ?p ?x FILTER(?p != rdf:type && STRSTARTS(STR(?x), "https://w3id.org/legiongraph/")) }
          FILTER(isIRI(?x))
          FILTER NOT EXISTS { ?x rdfs:label ?label }
        } ORDER BY ?x LIMIT 20""")
    assert missing == []


def test_persons_are_schema_persons_with_name_nationality_and_birth_date(store):
    assert count(store, "?x a schema:Person") >= 20
    bad_nationality = rows(store, """SELECT ?x ?c WHERE {
        ?x a schema:Person ; schema:nationality ?c FILTER NOT EXISTS { ?c a schema:Country } }""")
    assert bad_nationality == []
    bad_birth = rows(store, """SELECT ?x ?d WHERE { ?x a schema:Person ; schema:birthDate ?d
        FILTER(DATATYPE(?d) NOT IN (xsd:gYear, xsd:date)) }""")
    assert bad_birth == []
    found = rows(store, """SELECT ?c ?d WHERE { ?x a schema:Person ;
        schema:name "Maksim Zyazyulchik"@en ; schema:nationality ?c ; schema:birthDate ?d }""")
    assert found == [(URIRef(ID + "country/BY"), Literal("2000", datatype=XSD.gYear))]


def test_unnamed_persons_are_persons_without_a_name(store):
    unnamed = rows(store, """SELECT ?x WHERE { ?x a schema:Person ; schema:nationality ?c .
        ?c lg:isoAlpha2 "SN" FILTER NOT EXISTS { ?x schema:name ?n } }""")
    assert len(unnamed) == 1


def test_countries_link_to_wikidata_and_geonames(store):
    assert count(store, "?x a schema:Country") == 249
    unlinked = rows(store, """SELECT ?x WHERE { ?x a schema:Country .
      { FILTER NOT EXISTS { ?x skos:exactMatch ?w
          FILTER(STRSTARTS(STR(?w), "http://www.wikidata.org/entity/Q")) } }
      UNION
      { FILTER NOT EXISTS { ?x skos:exactMatch ?g
          FILTER(REGEX(STR(?g), "^https://sws.geonames.org/[0-9]+/$")) } } }""")
    assert unlinked == []
    ukraine = {r[0] for r in rows(store, f"SELECT ?m WHERE {{ <{ID}country/UA> skos:exactMatch ?m }}")}
    assert ukraine == {URIRef("http://www.wikidata.org/entity/Q212"),
                       URIRef("https://sws.geonames.org/690791/")}


def test_places_reach_their_country_through_contained_in_place(store):
    stranded = rows(store, """SELECT ?x WHERE { ?x a schema:Place
        FILTER NOT EXISTS { ?x a schema:Country } FILTER NOT EXISTS { ?x a lg:Region }
        FILTER NOT EXISTS { ?x schema:containedInPlace+ ?c . ?c a schema:Country } }""")
    assert stranded == []
    chain = rows(store, """SELECT ?c WHERE { ?x rdfs:label "Bakhmut"@en ;
        schema:containedInPlace+ ?c . ?c a schema:Country }""")
    assert chain == [(URIRef(ID + "country/UA"),)]


def test_organisations_and_memberships(store):
    assert count(store, "?x a org:Organization") >= 25
    members = rows(store, """SELECT ?unit WHERE { ?p schema:name "Mohamed Adila"@en ;
        org:memberOf ?unit }""")
    assert len(members) >= 1
    unlinked = rows(store, """SELECT ?m WHERE { ?m a org:Membership ; org:member ?p ;
        org:organization ?o FILTER NOT EXISTS { ?p org:memberOf ?o } }""")
    assert unlinked == []


def test_events_have_type_actor_and_date_bounds(store):
    assert count(store, "?x a sem:Event") >= 30
    untyped = rows(store, """SELECT ?e WHERE { ?e a sem:Event FILTER NOT EXISTS {
        ?e sem:eventType ?t . ?t a skos:Concept ; skos:prefLabel ?l FILTER(LANG(?l) = "en") } }""")
    assert untyped == []
    actorless = rows(store, "SELECT ?e WHERE { ?e a sem:Event FILTER NOT EXISTS { ?e sem:hasActor ?a } }")
    assert actorless == []
    half_dated = rows(store, """SELECT ?e WHERE { ?e a sem:Event .
        { ?e sem:hasEarliestBeginTimeStamp ?t FILTER NOT EXISTS { ?e sem:hasLatestEndTimeStamp ?u } }
        UNION { ?e sem:hasLatestEndTimeStamp ?t FILTER NOT EXISTS { ?e sem:hasEarliestBeginTimeStamp ?u } }
        UNION { ?e sem:hasEarliestBeginTimeStamp|sem:hasLatestEndTimeStamp ?t
                FILTER(DATATYPE(?t) != xsd:date) } }""")
    assert half_dated == []


def test_an_exact_day_gives_equal_bounds(store):
    sentencing = rows(store, """SELECT ?b ?e WHERE { ?x a sem:Event ;
        sem:eventType <https://w3id.org/legiongraph/def/event-type/sentencing> ;
        sem:hasEarliestBeginTimeStamp ?b ; sem:hasLatestEndTimeStamp ?e
        FILTER(?b = "2023-03-08"^^xsd:date) }""")
    assert sentencing == [(Literal("2023-03-08", datatype=XSD.date),) * 2]


def test_statistics_are_data_cube_observations(store):
    broken = rows(store, """SELECT ?o WHERE { ?o a qb:Observation .
      { FILTER NOT EXISTS { ?o qb:dataSet ?d . ?d rdfs:label ?l ; a qb:DataSet } }
      UNION { FILTER NOT EXISTS { ?o sdmx-measure:obsValue ?v FILTER(isNumeric(?v)) } }
      UNION { FILTER NOT EXISTS { ?o sdmx-dimension:refPeriod ?p
               FILTER(DATATYPE(?p) = xsd:date || isIRI(?p)) } } }""")
    assert broken == []
    table = rows(store, """SELECT (COUNT(?o) AS ?rows) (SUM(?v) AS ?total) WHERE {
        ?o qb:dataSet <https://w3id.org/legiongraph/id/dataset/foreign-pow-by-citizenship> ;
           sdmx-measure:obsValue ?v ; sdmx-dimension:refPeriod "2025-05-02"^^xsd:date ;
           sdmx-dimension:refArea ?c . ?c a schema:Country }""")
    assert [(int(a), int(b)) for a, b in table] == [(26, 81)]


@pytest.mark.parametrize("cls", ["sem:Event", "org:Membership", "qb:Observation", "lg:Claim"])
def test_every_statement_has_source_and_claimant(store, cls):
    assert count(store, f"?x a {cls}") > 0
    orphans = rows(store, f"""SELECT ?x WHERE {{ ?x a {cls} .
      {{ FILTER NOT EXISTS {{ ?x prov:wasDerivedFrom ?d . ?d a lg:SourceDocument }} }}
      UNION {{ FILTER NOT EXISTS {{ ?x prov:wasAttributedTo ?a }} }} }}""")
    assert orphans == []


def test_the_article_is_a_news_article_with_headline_date_and_publisher(store):
    found = rows(store, f"""SELECT ?date ?publisher WHERE {{ <{ARTICLE}> a schema:NewsArticle ;
        schema:headline ?h ; schema:datePublished ?date ; schema:publisher ?p .
        ?p rdfs:label ?publisher }}""")
    assert found == [(Literal("2025-05-17", datatype=XSD.date), Literal("Glavkom", lang="en"))]
