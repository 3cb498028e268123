"""The public profile: prisoners of war are protected against public curiosity.

Article 13 of the Third Geneva Convention protects prisoners of war against insults and public
curiosity. Under the public profile the built dataset itself no longer holds the names, birth
dates, ages or personal details of individual combatants: each stays an opaque IRI with a neutral
label, a nationality, memberships and events. Because the protected facts are removed before the
store is written, no query, however clever, can reach them; aggregate statistics are untouched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import RDF, RDFS, SKOS

from .iris import GRAPH, LG, ORG, SCHEMA

__all__ = ["PROFILE_GRAPH", "WITHHELD", "is_public", "mark_public", "protected_persons", "public_view"]

PROFILE_GRAPH = GRAPH["profile"]
WITHHELD = "[name withheld]"

# What stays of a protected person: enough to count and place them, nothing that identifies them.
_KEPT = {RDF.type, SCHEMA.nationality, ORG.memberOf}
_NAME_PROPERTIES = (SCHEMA.name, RDFS.label, SKOS.altLabel, SKOS.prefLabel)
_FREE_TEXT = {SCHEMA.description, RDFS.comment, SKOS.definition, SKOS.note}


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


def public_view(dataset: Dataset) -> Dataset:
    """Return a copy of the dataset with the protected persons' identifying facts removed."""
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
            if isinstance(o, Literal) and pattern is not None and pattern.search(str(o)):
                o = Literal(pattern.sub(WITHHELD, str(o)), lang=o.language, datatype=o.datatype)
            target.add((s, p, o))
    labels = out.graph(next(iter(_graphs_holding(dataset, persons)), PROFILE_GRAPH))
    for person in persons:
        labels.add((person, RDFS.label, _neutral_label(union, person)))
    mark_public(out)
    return out


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
