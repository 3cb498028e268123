"""Compile a YAML source record: the document and its persons, organisations, places,
memberships, events, claims and statistics.

Entities are registered before any triple is written, so a record may refer to what it defines
in any order. Events, memberships and claims without an ``id`` get ``NAME/e01``-style ids under
the source's name, so that two sources never mint the same IRI.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from functools import cache
from importlib import resources as importlib_resources
from typing import Any

import jsonschema
from rdflib import XSD, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS

from ..iris import LG, ORG, SCHEMA, SEM, is_person_iri, mint, person_for_key
from .emit import Builder, en
from .problems import Problems
from .values import parse_date_span, parse_duration, slug_of
from .yamlload import LDict, LList, line_of

__all__ = ["check_schema", "compile_record", "describe_source", "has_source_id", "schema",
           "source_document", "tolerant"]

ORG_TYPES = {"armed-formation": LG.ArmedFormation, "pmc": LG.PrivateMilitaryCompany,
             "military-unit": LG.MilitaryUnit, "state-body": LG.StateBody,
             "intelligence-service": LG.IntelligenceService, "court": LG.Court,
             "media": LG.MediaOrganization, "project": LG.Project, "informal-group": LG.InformalGroup}
PLACE_TYPES = {"city": SCHEMA.City, "administrative-area": SCHEMA.AdministrativeArea,
               "region": LG.Region, "training-ground": LG.TrainingGround, "street": LG.Street}
PERSON_TYPES = {"combatant": [LG.Combatant], "public-figure": [LG.PublicFigure],
                "person": [SCHEMA.Person, PROV.Agent]}
EVENT_LINKS = {"actors": SEM.hasActor, "captive": LG.captive, "captor": LG.captor,
               "defendant": LG.defendant, "court": LG.court, "speaker": LG.speaker,
               "issuer": LG.issuer, "recruit": LG.recruit, "recruiter": LG.recruiter,
               "trainer": LG.trainer, "place": SEM.hasPlace, "about": SCHEMA.about,
               "preceded_by": LG.precededBy, "followed_by": LG.followedBy,
               "contradicts": LG.contradicts, "contradicted_by": LG.contradictedBy,
               "sub_events": SEM.hasSubEvent}
CLAIM_LINKS = {"about": SCHEMA.about, "contradicts": LG.contradicts,
               "contradicted_by": LG.contradictedBy}
LABELS = {"label": RDFS.label, "description": SCHEMA.description}
_TYPE_WORDS = {"string": "text", "integer": "a whole number", "array": "a list", "object": "a mapping"}


@cache
def schema() -> dict[str, Any]:
    """Return the JSON Schema of source records, shipped with the package."""
    text = (importlib_resources.files("legiongraph.authoring") / "source-record.schema.json").read_text(
        encoding="utf-8")
    return json.loads(text)


def check_schema(data: Any, part: str | None, problems: Problems) -> bool:
    """Check a record (or a named part of the schema) and record every violation in plain words."""
    full = schema()
    target = full if part is None else {"$defs": full["$defs"], "$ref": f"#/$defs/{part}"}
    validator = jsonschema.Draft202012Validator(target)
    ok = True
    location = getattr(data, "location", None)
    for error in validator.iter_errors(data):
        ok = False
        path = list(error.absolute_path)
        for field, line, message in _explain(error, data, path):
            problems.add(line, field, message, location)
    return ok


def _field(path: list[Any]) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else f".{step}" if text else str(step)
    return text or "(top)"


def _explain(error: jsonschema.ValidationError, root: Any, path: list[Any]) -> list[tuple[str, int, str]]:
    line = line_of(root, path)
    if error.validator == "required":
        missing = [p for p in error.validator_value if p not in error.instance]
        return [(_field([*path, p]), line, "missing: expected a value") for p in missing]
    if error.validator == "additionalProperties":
        known = ", ".join(sorted(error.schema.get("properties", {})))
        extra = [k for k in error.instance if k not in error.schema.get("properties", {})]
        return [(_field([*path, k]), line_of(root, [*path, k]), f"unknown field {k!r} (expected one of: "
                 f"{known})") for k in extra]
    if error.validator == "enum":
        choices = ", ".join(str(c) for c in error.validator_value)
        return [(_field(path), line, f"{error.instance!r} is not allowed (expected one of: {choices})")]
    if error.validator == "type":
        kinds = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        return [(_field(path), line, f"expected {' or '.join(_TYPE_WORDS.get(k, k) for k in kinds)}, "
                 f"got {error.instance!r}")]
    if error.validator in ("anyOf", "oneOf"):
        enums = [e.validator_value for e in error.context or [] if e.validator == "enum"]
        if enums:  # one value or a list of them: say which values are allowed
            choices = ", ".join(str(c) for c in enums[0])
            return [(_field(path), line, f"{error.instance!r} is not allowed (expected one of: {choices})")]
    if error.validator == "pattern":
        expected = error.schema.get("description") or f"expected {error.validator_value}"
        return [(_field(path), line, f"{error.instance!r} is not valid here ({expected})")]
    return [(_field(path), line, error.message)]


def has_source_id(data: Any) -> bool:
    """Tell whether a record names its source's id, so that the rest can be checked too."""
    source = data.get("source") if isinstance(data, dict) else None
    return isinstance(source, dict) and isinstance(source.get("id"), str) and bool(source["id"])


def tolerant(builder: Builder, step: Callable[[], object]) -> None:
    """Run a compile step on a record the schema refused; the schema's problems already say why."""
    if not builder.problems.found:
        step()
        return
    # Malformed input that the schema check has already reported.
    with contextlib.suppress(KeyError, TypeError, AttributeError, ValueError):
        step()


def source_document(builder: Builder, data: LDict) -> None:
    """Set the builder's source document and its defaults."""
    entry = data["source"]
    builder.source = mint("doc", str(entry["id"]))
    builder.resolver.define(builder.source, entry.get("label"))
    builder.origin(builder.source, entry, "source")
    builder.defaults = dict(data.get("defaults") or {})


def describe_source(builder: Builder, data: LDict) -> None:
    """Describe the source document unless only its id is given (after every entity is known)."""
    entry = data["source"]
    assert builder.source is not None  # source_document() ran first
    if set(entry) - {"id"}:
        builder.document(builder.source, entry, "source")
    elif not builder.resolver.known(builder.source):
        builder.problem(entry, "id", "source", f"no document <{builder.source}> in the store: "
                        "expected its label, publisher and date to create it")


def _items(data: LDict, section: str) -> list[tuple[str, LDict]]:
    return [(f"{section}[{i}]", entry) for i, entry in enumerate(data.get(section) or LList())]


def _register(builder: Builder, data: LDict, name: str) -> dict[int, URIRef]:
    """Give every entity the record defines its IRI and make it resolvable by key and label."""
    nodes: dict[int, URIRef] = {}
    define = builder.resolver.define
    for _, entry in _items(data, "documents"):
        nodes[id(entry)] = mint("doc", str(entry["id"]))
        define(nodes[id(entry)], entry.get("label"))
    for section, kind in (("organisations", "org"), ("places", "place")):
        for _, entry in _items(data, section):
            nodes[id(entry)] = mint(kind, str(entry.get("id") or slug_of(entry["label"])))
            define(nodes[id(entry)], entry["label"], *_listed(entry.get("alt_labels")))
    source_id = str(data["source"]["id"])
    for number, (where, entry) in enumerate(_items(data, "persons"), start=1):
        given = _same_person(builder, entry, where)
        # Stable and opaque: keyed from the source id and the person's key (or place in the file).
        nodes[id(entry)] = given or person_for_key(source_id, str(entry.get("key") or f"p{number}"))
        define(nodes[id(entry)], entry.get("key"), entry["label"])
    for section, kind, letter in (("memberships", "membership", "m"), ("events", "event", "e"),
                                  ("claims", "claim", "c")):
        for number, (_, entry) in enumerate(_items(data, section), start=1):
            nodes[id(entry)] = mint(kind, str(entry.get("id") or f"{name}/{letter}{number:02d}"))
            define(nodes[id(entry)], entry.get("id"), entry["label"])
    for _, entry in _items(data, "statistics"):
        nodes[id(entry)] = mint("dataset", str(entry["id"]))
        define(nodes[id(entry)], entry["id"], entry.get("label"))
    return nodes


def _same_person(builder: Builder, entry: LDict, where: str) -> URIRef | None:
    """Return the person already in the graph that a record's ``iri`` or ``same_as`` names."""
    field = "same_as" if entry.get("same_as") else "iri" if entry.get("iri") else None
    if field is None:
        return None
    text = str(entry[field]).strip()
    given = builder.resolver.iri(text)
    if given is None and "/" in text and not text.startswith(("lgid:", "person/")):
        source, _, key = text.rpartition("/")
        given = person_for_key(source, key)
        if not builder.resolver.known(given):
            builder.problem(entry, field, where, f"no person with key {key!r} in source {source!r} in the "
                            "store (expected SOURCE-ID/KEY of a person another record defines, or "
                            "their IRI)")
            return None
    if given is None or not is_person_iri(given):
        builder.problem(entry, field, where, f"{text!r} is not a person IRI (expected lgid:person/ and "
                        "eight opaque characters, or SOURCE-ID/KEY; leave it out to create a person)")
        return None
    if field == "same_as" and not builder.resolver.known(given):
        builder.problem(entry, field, where, f"no person <{given}> in the store")
        return None
    return given


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def compile_record(data: LDict, builder: Builder, name: str) -> None:
    """Compile a checked YAML source record into the builder's graph."""
    source_document(builder, data)
    nodes = _register(builder, data, name)
    describe_source(builder, data)  # its publisher may be an organisation this record defines
    g, b = builder.graph, builder
    for where, entry in _items(data, "documents"):
        if set(entry) - {"id"}:
            b.document(nodes[id(entry)], entry, where)
    for where, entry in _items(data, "organisations"):
        node = nodes[id(entry)]
        b.origin(node, entry, where)
        g.add((node, RDF.type, ORG_TYPES[entry["type"]]))
        b.text(node, entry, {**LABELS, "alt_labels": SKOS.altLabel})
        b.links(node, entry, where, {"part_of": ORG.subOrganizationOf, "based_in": LG.basedIn})
        if entry.get("url"):
            g.add((node, SCHEMA.url, Literal(entry["url"], datatype=XSD.anyURI)))
    for where, entry in _items(data, "places"):
        node = nodes[id(entry)]
        b.origin(node, entry, where)
        g.add((node, RDF.type, PLACE_TYPES[entry["type"]]))
        b.text(node, entry, {**LABELS, "alt_labels": SKOS.altLabel})
        b.links(node, entry, where, {"in": SCHEMA.containedInPlace, "close_match": SKOS.closeMatch})
    for where, entry in _items(data, "persons"):
        _person(b, nodes[id(entry)], entry, where, name)
    for where, entry in _items(data, "memberships"):
        node = nodes[id(entry)]
        b.origin(node, entry, where)
        g.add((node, RDF.type, ORG.Membership))
        b.text(node, entry, LABELS)
        b.links(node, entry, where, {"member": ORG.member, "organisation": ORG.organization})
        if entry.get("role"):
            b.field(node, ORG.role, entry, "role", where)
            b.add(node, ORG.role, b.concept(entry, "role", where, "role"))
        if entry.get("during"):
            b.field(node, ORG.memberDuring, entry, "during", where)
            span = b.parse(entry, "during", where, parse_date_span)
            if span is not None:
                g.add((node, ORG.memberDuring, b.period(span)))
        b.provenance(node, entry, where)
    for where, entry in _items(data, "events"):
        _event(b, nodes[id(entry)], entry, where)
    for where, entry in _items(data, "claims"):
        node = nodes[id(entry)]
        b.origin(node, entry, where)
        g.add((node, RDF.type, LG.Claim))
        b.text(node, entry, LABELS)
        b.links(node, entry, where, {**CLAIM_LINKS, "subject": RDF.subject, "object": RDF.object})
        if entry.get("predicate"):
            predicate = b.resolver.iri(str(entry["predicate"]))
            if predicate is None:
                b.problem(entry, "predicate", where, f"{entry['predicate']!r} is not a property "
                          "(expected a CURIE such as org:memberOf or owl:sameAs)")
            b.add(node, RDF.predicate, predicate)
        b.provenance(node, entry, where)
    for where, entry in _items(data, "statistics"):
        node = nodes[id(entry)]
        b.origin(node, entry, where)
        if entry.get("label"):
            b.dataset(node, entry, where)
        elif not b.resolver.known(node):
            b.problem(entry, "id", where, f"no data set <{node}> in the store: expected a label "
                      "saying what it counts, to create it")
        for index, obs in enumerate(entry.get("observations") or []):
            b.observation(node, obs, f"{where}.observations[{index}]")


def _person(b: Builder, node: URIRef, entry: LDict, where: str, name: str) -> None:
    b.origin(node, entry, where)
    linked = bool(entry.get("same_as")) and b.resolver.known(node)
    if entry.get("type") or not linked:  # a linked person keeps their types unless one is given
        for kind in PERSON_TYPES[entry.get("type", "combatant")]:
            b.graph.add((node, RDF.type, kind))
    known = b.resolver.existing
    if linked:
        # A person already in the graph keeps their label and name; this record's spellings
        # become other names of theirs.
        current = {str(o) for p in (RDFS.label, SCHEMA.name, SKOS.altLabel) for o in known.objects(node, p)}
        for key in ("label", "name"):
            if entry.get(key) and str(entry[key]).strip() not in current:
                b.graph.add((node, SKOS.altLabel, en(entry[key])))
        b.text(node, entry, {"alt_labels": SKOS.altLabel, "job_title": SCHEMA.jobTitle,
                             "description": SCHEMA.description})
    else:
        b.text(node, entry, {"label": RDFS.label, "name": SCHEMA.name, "alt_labels": SKOS.altLabel,
                             "job_title": SCHEMA.jobTitle, "description": SCHEMA.description})
    if entry.get("nationality"):
        b.field(node, SCHEMA.nationality, entry, "nationality", where)
        b.add(node, SCHEMA.nationality, b.parse(entry, "nationality", where, b.resolver.area))
    b.links(node, entry, where, {"origin": LG.originPlace, "home": SCHEMA.homeLocation})
    if entry.get("birth_date"):
        span = b.parse(entry, "birth_date", where, parse_date_span)
        if span is not None and span.precision in ("day", "year"):
            kind = XSD.date if span.is_day else XSD.gYear
            b.graph.add((node, SCHEMA.birthDate, Literal(span.text, datatype=kind)))
        elif span is not None:
            b.problem(entry, "birth_date", where, f"{span.text!r}: expected a year or a day")
    for index, age in enumerate(entry.get("ages") or []):
        at = f"{where}.ages[{index}]"
        # Named after the opaque person IRI, never the label: no IRI may carry a person's name.
        default = f"{name}/{node.rsplit('/', 1)[-1]}-{index + 1}"
        statement = mint("age", str(age.get("id") or default))
        b.graph.add((node, LG.ageStatement, statement))
        b.graph.add((statement, RDF.type, LG.AgeStatement))
        b.text(statement, age, {"label": RDFS.label})
        b.graph.add((statement, LG.ageInYears, Literal(int(age["age"]), datatype=XSD.integer)))
        b.links(statement, age, at, {"at_event": LG.ageAtEvent})
        if age.get("as_of"):
            span = b.parse(age, "as_of", at, parse_date_span)
            if span is not None:
                b.graph.add((statement, LG.ageAsOf, Literal(span.start, datatype=XSD.date)))
        b.provenance(statement, age, at)


def _event(b: Builder, node: URIRef, entry: LDict, where: str) -> None:
    b.origin(node, entry, where)
    b.graph.add((node, RDF.type, SEM.Event))
    b.text(node, entry, LABELS)
    b.add(node, SEM.eventType, b.concept(entry, "type", where, "event-type"))
    b.links(node, entry, where, EVENT_LINKS)
    if entry.get("date"):
        span = b.parse(entry, "date", where, parse_date_span)
        if span is not None:
            b.event_dates(node, span)
    if entry.get("sentence"):
        duration = b.parse(entry, "sentence", where, parse_duration)
        if duration:
            b.graph.add((node, LG.sentenceDuration, Literal(duration, datatype=XSD.duration)))
    b.provenance(node, entry, where)


