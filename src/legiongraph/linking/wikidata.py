"""Reconcile entities against a Wikidata-shaped SPARQL endpoint and score the candidates.

Candidates are found by exact label or alias (rdfs:label, skos:altLabel) in several languages, for
the entity's names and their spellings in other romanisations; they must be instances (P31/P279*)
of a class compatible with the entity's kind. A place, organisation or person whose country we
know must not be in another country (P17, P131/P17 or, for persons, P27). For places the same
query returns the item's coordinates (P625), which the review file shows and ``--apply`` copies
into the links graph, so that a map of our places needs no query to Wikidata.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..progress import QUIET, Progress
from .endpoint import Bindings, SparqlClient
from .entities import Entity
from .names import base_forms, similarity, variants
from .review import Row, is_point
from .targets import WIKIDATA

__all__ = ["LANGUAGES", "MAX_CANDIDATES", "candidate_query", "reconcile_wikidata", "score_candidates"]

# Labels are searched in these languages; Latin-script ones, since our names are romanised.
LANGUAGES = ("en", "mul", "de", "fr", "es", "pl")
MAX_CANDIDATES = 5
WD = WIKIDATA.uri_space
# A candidate whose country is unknown might still be right, but is less certain.
UNKNOWN_COUNTRY = 0.85
# A candidate of the kind's general class (an organisation) but not of the expected one (a court).
OTHER_TYPE = 0.9

_QUERY = """PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <http://schema.org/>
SELECT ?item ?name ?label ?description ?class ?country ?coordinates WHERE {
  VALUES ?name { %s }
  { ?item rdfs:label ?name } UNION { ?item skos:altLabel ?name }
  VALUES ?class { %s }
  ?item wdt:P31/wdt:P279* ?class .
  OPTIONAL { ?item rdfs:label ?label FILTER(LANG(?label) = "en") }
  OPTIONAL { ?item schema:description ?description FILTER(LANG(?description) = "en") }
  OPTIONAL { ?item (wdt:P17|wdt:P27|(wdt:P131/wdt:P17)) ?country }%s
}
LIMIT 1000"""


def _literal(text: str, lang: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"@{lang}'


def _names(entity: Entity) -> list[str]:
    found: list[str] = []
    for name in entity.names:
        for form in variants(name):
            if form not in found:
                found.append(form)
    return found


def candidate_query(entity: Entity, languages: Iterable[str] = LANGUAGES) -> str:
    """Return the SPARQL query that finds an entity's candidates."""
    langs = tuple(languages)
    names = " ".join(_literal(n, lang) for n in _names(entity) for lang in langs)
    preferred = entity.kind.preferred.get(entity.cls, ())
    classes = " ".join(f"wd:{q}" for q in dict.fromkeys((*entity.kind.required, *preferred)))
    coordinates = "\n  OPTIONAL { ?item wdt:P625 ?coordinates }" if entity.kind.name == "place" else ""
    return _QUERY % (names, classes, coordinates)


@dataclass
class _Item:
    names: set[str] = field(default_factory=set)
    label: str = ""
    description: str = ""
    classes: set[str] = field(default_factory=set)
    countries: set[str] = field(default_factory=set)
    coordinates: set[str] = field(default_factory=set)


def _value(binding: dict, name: str) -> str:
    return binding.get(name, {}).get("value", "")


def score_candidates(entity: Entity, bindings: Bindings) -> list[Row]:
    """Group an endpoint's answer by item, drop wrong-country items and score the rest."""
    items: dict[str, _Item] = {}
    for b in bindings:
        iri = _value(b, "item")
        if not WIKIDATA.owns(iri):
            continue
        item = items.setdefault(iri, _Item())
        item.names.add(_value(b, "name"))
        item.label = item.label or _value(b, "label")
        item.description = item.description or _value(b, "description")
        item.classes.add(_value(b, "class").removeprefix(WD))
        if _value(b, "country"):
            item.countries.add(_value(b, "country"))
        if is_point(_value(b, "coordinates")):
            item.coordinates.add(_value(b, "coordinates"))
    preferred = set(entity.kind.preferred.get(entity.cls, ()))
    ours = [form for name in entity.names for form in base_forms(name)]
    rows = []
    for iri, item in items.items():
        if entity.country is not None and item.countries and str(entity.country) not in item.countries:
            continue  # in another country: a namesake, not this entity
        theirs = item.names | ({item.label} if item.label else set())
        score = max(similarity(mine, name) for mine in ours for name in theirs)
        if entity.country is not None and not item.countries:
            score *= UNKNOWN_COUNTRY
        if preferred and not preferred & item.classes:
            score *= OTHER_TYPE
        # an item with several points (a river's mouth and source) is shown by the first in order
        rows.append(Row(str(entity.iri), entity.label, WIKIDATA.name, iri,
                        item.label or min(item.names), item.description, round(score, 3),
                        coordinates=min(item.coordinates, default="")))
    rows.sort(key=lambda r: (-r.score, r.candidate_iri))
    return rows[:MAX_CANDIDATES]


def reconcile_wikidata(client: SparqlClient, entities: Iterable[Entity],
                       progress: Progress = QUIET) -> list[Row]:
    """Propose Wikidata candidates for each entity; a row without candidate when none is found."""
    rows: list[Row] = []
    for entity in entities:
        progress.step(f"reconciling {entity.label} <{entity.iri}>")
        found = score_candidates(entity, client.select(candidate_query(entity)))
        rows.extend(found or [Row(str(entity.iri), entity.label, WIKIDATA.name,
                                  description="no candidate found")])
    return rows
