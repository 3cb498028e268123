"""The public profile: prisoners of war are protected against public curiosity.

Article 13 of the Third Geneva Convention protects prisoners of war against insults and public
curiosity. Under the public profile the built dataset itself no longer holds the names, birth
dates, ages or personal details of individual combatants: each stays an opaque IRI with a neutral
label, a nationality, memberships and events. Because the protected facts are removed before the
store is written, no query, however clever, can reach them; aggregate statistics are untouched.

Each combatant's IRI is re-minted with a keyed hash (``public_iri_key``, never committed), so that
public IRIs cannot be joined to the published full data without the key; the labels of events,
memberships, claims and documents about combatants are made anew from their types, dates and
places (the full labels describe people: "captured man from the Mogilev region").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS
from rdflib.term import Node

from ..errors import ConfigError
from ..iris import GRAPH, LG, ORG, SCHEMA, SEM, mint_public_person
from ..stores.base import Store

__all__ = ["PROFILE_GRAPH", "WITHHELD", "is_public", "mark_public", "personal_data", "protected_persons",
           "public_view", "require_key"]

PROFILE_GRAPH = GRAPH["profile"]
WITHHELD = "[name withheld]"

# What stays of a protected person: enough to count and place them, nothing that identifies them.
_KEPT = {RDF.type, SCHEMA.nationality, ORG.memberOf}
_NAME_PROPERTIES = (SCHEMA.name, RDFS.label, SKOS.altLabel, SKOS.prefLabel)
_FREE_TEXT = {SCHEMA.description, RDFS.comment, SKOS.definition, SKOS.note}
_LABELS = {RDFS.label, SKOS.prefLabel, SKOS.altLabel, SCHEMA.name, DCTERMS.title}
# What a regenerated label says of a record, by its class, and which properties date and place it.
_KIND = {SEM.Event: "Event", ORG.Membership: "Membership", LG.Claim: "Claim",
         LG.SourceDocument: "Source document"}
_WHAT = (SEM.eventType, ORG.role, RDF.predicate)
_BEGIN = (SEM.hasEarliestBeginTimeStamp, SEM.hasBeginTimeStamp)
_END = (SEM.hasLatestEndTimeStamp, SEM.hasEndTimeStamp)
_WHERE = (SEM.hasPlace,)
_WITH = (ORG.organization,)
# What `serve --public` looks for: any of these on a combatant means the store holds the full data.
PERSONAL = (SCHEMA.name, SCHEMA.birthDate, LG.ageStatement, SCHEMA.description, SKOS.altLabel)


def require_key(key: str | None) -> str:
    """Return the key of a public build, or raise ConfigError when none is configured."""
    if not key or not key.strip():
        raise ConfigError("public_iri_key: a public build re-mints combatants' IRIs with a keyed "
                          "hash and needs a secret key; set LEGIONGRAPH_PUBLIC_IRI_KEY (or "
                          "public_iri_key in a configuration file kept out of the repository)")
    return key


def protected_persons(graph: Graph) -> set[URIRef]:
    """Return the individuals the profile protects: every combatant (public figures stay named)."""
    return {p for p in graph.subjects(RDF.type, LG.Combatant) if isinstance(p, URIRef)}


def _name_pattern(graph: Graph, persons: Iterable[URIRef]) -> re.Pattern[str] | None:
    tokens: set[str] = set()
    for person in persons:
        for prop in _NAME_PROPERTIES:
            for value in graph.objects(person, prop):
                if prop in (RDFS.label, SKOS.prefLabel) and (person, SCHEMA.name, None) not in graph:
                    continue  # an unnamed person's label describes, it does not name
                text = str(value)
                tokens.add(text)
                tokens.update(w for w in re.findall(r"[^\W\d_][\w'-]*", text) if w[:1].isupper())
    if not tokens:
        return None
    alternatives = "|".join(re.escape(t) for t in sorted(tokens, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def _neutral_label(graph: Graph, person: URIRef) -> Literal:
    nationality = next(graph.objects(person, SCHEMA.nationality), None)
    country = next(graph.objects(nationality, RDFS.label), None) if nationality is not None else None
    who = f"national of {country}" if country is not None else "person of unknown nationality"
    return Literal(f"Combatant, {who} (name withheld)", lang="en")


def _first_label(graph: Graph, node: Node) -> str | None:
    values = sorted(graph.objects(node, RDFS.label),
                    key=lambda v: (getattr(v, "language", None) != "en", str(v)))
    return str(values[0]) if values else None


def _record_label(graph: Graph, record: URIRef) -> Literal:
    """Return a label for a record about combatants made only from its type, dates and places."""
    kind = next((_KIND[t] for t in sorted(graph.objects(record, RDF.type), key=str) if t in _KIND), "Record")
    parts = [kind]
    whats = sorted({lbl for p in _WHAT for o in graph.objects(record, p) if (lbl := _first_label(graph, o))})
    if whats:
        parts[0] = f"{kind}: {', '.join(whats)}"
    organisations = sorted({lbl for p in _WITH for o in graph.objects(record, p)
                            if (lbl := _first_label(graph, o))})
    if organisations:
        parts.append("with " + ", ".join(organisations))
    begin = min((str(v) for p in _BEGIN for v in graph.objects(record, p)), default=None)
    end = max((str(v) for p in _END for v in graph.objects(record, p)), default=None)
    if begin or end:
        parts.append(begin if begin == end or not end else end if not begin else f"{begin} – {end}")
    places = sorted({lbl for p in _WHERE for o in graph.objects(record, p)
                     if (lbl := _first_label(graph, o))})
    if places:
        parts.append("in " + ", ".join(places))
    return Literal(", ".join(parts), lang="en")


def public_view(dataset: Dataset, key: str | None) -> Dataset:
    """Return a copy of the dataset with the protected persons' identifying facts removed.

    ``key`` re-mints the persons' IRIs (:func:`legiongraph.iris.mint_public_person`); a build
    without one is refused with ConfigError.
    """
    key = require_key(key)
    union = Graph()
    for ctx in dataset.graphs():
        for triple in ctx:
            union.add(triple)
    persons = protected_persons(union)
    pattern = _name_pattern(union, persons)
    ages = {a for p in persons for a in union.objects(p, LG.ageStatement)}
    # Free text about a protected person (an event, a membership, a claim) may hold personal
    # details such as an age or a birth year: it goes too; labels stay, with names withheld.
    about = {s for s, _, o in union if o in persons and isinstance(s, URIRef)}
    # A reviewed link would tie a protected person to an outside record of them: none is kept.
    links = {s for s in about if (s, RDF.type, LG.Link) in union}
    # Records about them get new labels; a named public figure pointing at one keeps its own.
    records = {s for s in about if s not in persons and (s, SCHEMA.name, None) not in union}
    public = {p: mint_public_person(p, key) for p in persons}
    if len(set(public.values())) != len(public):
        raise ConfigError("public_iri_key: two combatants got the same public IRI with this key; "
                          "choose another key")
    out = Dataset(default_union=True)
    for ctx in dataset.graphs():
        if ctx.identifier == DATASET_DEFAULT_GRAPH_ID or not len(ctx):
            continue
        target = out.graph(ctx.identifier)
        for s, p, o in ctx:
            if s in ages or o in ages or s in links:
                continue
            if s in persons and p not in _KEPT:
                continue
            if s in about and p in _FREE_TEXT:
                continue
            if s in records and p in _LABELS:
                continue
            if isinstance(o, Literal) and pattern is not None and pattern.search(str(o)):
                o = Literal(pattern.sub(WITHHELD, str(o)), lang=o.language, datatype=o.datatype)
            target.add((public.get(s, s), p, public.get(o, o)))  # type: ignore[arg-type]
    for record in records - links:
        if record in ages:
            continue
        home = next((ctx.identifier for ctx in dataset.graphs()
                     if (record, RDF.type, None) in ctx and ctx.identifier != DATASET_DEFAULT_GRAPH_ID),
                    PROFILE_GRAPH)
        out.graph(home).add((record, RDFS.label, _record_label(union, record)))
    labels = out.graph(next(iter(_graphs_holding(dataset, persons)), PROFILE_GRAPH))
    for person in persons:
        labels.add((public[person], RDFS.label, _neutral_label(union, person)))
    mark_public(out)
    return out


def personal_data(store: Store, limit: int = 5) -> list[tuple[str, str]]:
    """Return up to ``limit`` (combatant, property) pairs of personal data a store holds."""
    props = ", ".join(f"<{p}>" for p in PERSONAL)
    rows = store.query(f"SELECT DISTINCT ?c ?p WHERE {{ ?c a <{LG.Combatant}> . ?c ?p ?o "
                       f"FILTER(?p IN ({props})) }} LIMIT {int(limit)}").rows
    return [(str(c), str(p)) for c, p in rows]


def _graphs_holding(dataset: Dataset, persons: set[URIRef]) -> list[URIRef]:
    return sorted(ctx.identifier for ctx in dataset.graphs()
                  if any((p, RDF.type, LG.Combatant) in ctx for p in persons))


def mark_public(dataset: Dataset) -> None:
    """Record in the dataset that it was built under the public profile."""
    dataset.graph(PROFILE_GRAPH).add((PROFILE_GRAPH, LG.profile, Literal("public")))
    dataset.graph(PROFILE_GRAPH).add((PROFILE_GRAPH, RDFS.label, Literal("Serving profile", lang="en")))


def is_public(graph_names: Iterable[URIRef]) -> bool:
    """Tell whether a store holds a dataset built under the public profile."""
    return PROFILE_GRAPH in set(graph_names)
