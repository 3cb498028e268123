"""What can be linked: the classes of the graph, what each must be elsewhere, and the entities
read from a store with their names and the country they lie or work in."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import URIRef

from ..errors import ConfigError
from ..iris import LG, PREFIXES, SCHEMA
from ..stores.base import Store

__all__ = ["KINDS", "Entity", "Kind", "kinds_for", "read_entities"]


@dataclass(frozen=True)
class Kind:
    """A family of our classes and the Wikidata / GeoNames classes a match must belong to.

    ``required`` are Wikidata classes (P31/P279*) one of which a candidate must be an instance of;
    ``preferred`` raise the score of a candidate of the expected kind (a city rather than a river
    of the same name). ``feature_classes`` are the GeoNames feature classes allowed per class.
    """

    name: str
    classes: tuple[URIRef, ...]
    required: tuple[str, ...]
    preferred: dict[URIRef, tuple[str, ...]] = field(default_factory=dict)
    feature_classes: dict[URIRef, tuple[str, ...]] = field(default_factory=dict)


# Wikidata classes, checked offline against Wikidata queries in public code (Q1331793 with conflicting
# evidence); tests/test_linking.py holds the same table and checks the stand-in agrees with it:
# Q486972 human settlement, Q515 city, Q56061 administrative territorial entity, Q82794 geographic
# region, Q618123 geographical feature, Q2221906 geographic location, Q245016 military base;
# Q43229 organization, Q176799 military unit, Q8473 military, Q327333 government agency, Q47913
# intelligence agency, Q41487 court, Q192283 news agency, Q11032 newspaper, Q14350 radio station,
# Q1331793 media company; Q5 human. Private military companies have no preferred class: its
# Q-number could not be confirmed offline, and any organisation (Q43229) is accepted anyway.
_PLACE = Kind(
    "place",
    (SCHEMA.City, SCHEMA.AdministrativeArea, LG.TrainingGround, LG.Region),
    ("Q486972", "Q56061", "Q82794", "Q618123", "Q2221906"),
    {SCHEMA.City: ("Q486972", "Q515"), SCHEMA.AdministrativeArea: ("Q56061",),
     LG.TrainingGround: ("Q245016",), LG.Region: ("Q82794",)},
    {SCHEMA.City: ("P",), SCHEMA.AdministrativeArea: ("A",), LG.TrainingGround: ("L", "S"),
     LG.Region: ("L", "A")},
)
_ORGANISATION = Kind(
    "organisation",
    (LG.PrivateMilitaryCompany, LG.MilitaryUnit, LG.ArmedFormation, LG.IntelligenceService, LG.Court,
     LG.StateBody, LG.MediaOrganization, LG.Project),
    ("Q43229",),
    {LG.MilitaryUnit: ("Q176799",), LG.ArmedFormation: ("Q8473", "Q176799"),
     LG.StateBody: ("Q327333",), LG.IntelligenceService: ("Q47913", "Q327333"), LG.Court: ("Q41487",),
     LG.MediaOrganization: ("Q192283", "Q11032", "Q14350", "Q1331793")},
)
_PERSON = Kind("person", (LG.PublicFigure,), ("Q5",))
# Prisoners of war are protected against public curiosity (Geneva Convention III, art. 13): they
# are reconciled only when asked for by name, never as part of "all".
_COMBATANT = Kind("combatant", (LG.Combatant,), ("Q5",))
KINDS = {k.name: k for k in (_PLACE, _ORGANISATION, _PERSON, _COMBATANT)}
DEFAULT_KINDS = ("place", "organisation", "person")


@dataclass(frozen=True)
class Entity:
    """One entity to reconcile: its IRI, most specific class, names and expected country."""

    iri: URIRef
    cls: URIRef
    kind: Kind
    label: str
    names: tuple[str, ...]
    country: URIRef | None = None  # the country's Wikidata entity
    country_code: str | None = None  # ISO 3166-1 alpha-2, for GeoNames


def kinds_for(specs: tuple[str, ...]) -> list[tuple[Kind, URIRef | None]]:
    """Turn ``--class`` values (a kind name or a class CURIE such as schema:City) into kinds."""
    if not specs:
        return [(KINDS[name], None) for name in DEFAULT_KINDS]
    chosen = []
    for spec in specs:
        if spec in KINDS:
            chosen.append((KINDS[spec], None))
            continue
        prefix, _, local = spec.partition(":")
        iri = URIRef(PREFIXES[prefix] + local) if prefix in PREFIXES and local else URIRef(spec)
        kind = next((k for k in KINDS.values() if iri in k.classes), None)
        if kind is None:
            known = ", ".join([*KINDS, *sorted(_curie(c) for k in KINDS.values() for c in k.classes)])
            raise ConfigError(f"--class: cannot link {spec!r}; expected one of {known}")
        chosen.append((kind, iri))
    return chosen


def _curie(iri: URIRef) -> str:
    for prefix, ns in PREFIXES.items():
        if str(iri).startswith(ns) and prefix in ("lg", "schema"):
            return prefix + ":" + str(iri)[len(ns):]
    return str(iri)


_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX lg: <https://w3id.org/legiongraph/ontology#>
SELECT ?e ?class ?label ?alt ?wd ?cc WHERE {
  VALUES ?class { %s }
  GRAPH ?g { ?e a ?class } FILTER(?g != <https://w3id.org/legiongraph/graph/inferred>)
  ?e rdfs:label ?label .
  OPTIONAL { ?e skos:altLabel ?alt }
  OPTIONAL {
    ?e (schema:containedInPlace|lg:basedIn|schema:nationality)/schema:containedInPlace* ?c .
    ?c a schema:Country ; lg:isoAlpha2 ?cc ; skos:exactMatch ?wd .
    FILTER(STRSTARTS(STR(?wd), "http://www.wikidata.org/entity/"))
  }
} ORDER BY ?e
"""


def read_entities(store: Store, specs: tuple[str, ...] = ()) -> list[Entity]:
    """Return the entities of the chosen kinds (or classes), sorted by IRI."""
    chosen = kinds_for(specs)
    classes: dict[URIRef, Kind] = {}
    for kind, only in chosen:
        for cls in (only,) if only is not None else kind.classes:
            classes.setdefault(cls, kind)
    rows = store.query(_QUERY % " ".join(f"<{c}>" for c in classes)).rows
    found: dict[URIRef, dict] = {}
    order = {c: i for k in KINDS.values() for i, c in enumerate(k.classes)}
    for e, cls, label, alt, wd, cc in rows:
        item = found.setdefault(e, {"classes": set(), "label": str(label), "names": [str(label)],
                                    "wd": None, "cc": None})
        item["classes"].add(cls)
        if alt is not None and str(alt) not in item["names"]:
            item["names"].append(str(alt))
        if wd is not None:
            item["wd"], item["cc"] = wd, str(cc)
    entities = []
    for iri, item in sorted(found.items()):
        # the most specific class first: each kind lists its classes from specific to general
        cls = min(item["classes"], key=lambda c: order.get(c, 99))
        entities.append(Entity(iri, cls, classes[cls], item["label"], tuple(item["names"]),
                               item["wd"], item["cc"]))
    return entities
