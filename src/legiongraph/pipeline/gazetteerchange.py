"""Keep the gazetteer graph in step with ingest and retract: the coordinates a rebuild would give.

The build matches our cities against the offline gazetteer (:mod:`legiongraph.linking.gazetteer`)
over every asserted graph, before reasoning. A source that adds, renames, moves or retracts a place
changes what that match gives, so ingest and retract recompute it for the store as the change
leaves it, and replace the gazetteer graph in the same transaction as the sources when it differs:
a city a new source adds gets its point at once, and a retracted one loses it, as after a rebuild.

Only what the match reads is fetched, through the store's indexes: the places (resources typed with
a subclass of ``schema:Place`` in an asserted graph), their labels, other spellings and containment,
the countries' ISO codes, and the subclass axioms. A change that describes no place and no country
costs one look at its triples and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from ..iris import GRAPH_INFERRED, ID, LG, SCHEMA
from ..linking.gazetteer import GEO, GRAPH_GAZETTEER, PLACES_QUERY, gazetteer_graph
from ..oxterms import to_ox
from ..stores.base import Store
from ..stores.oxigraph import OxigraphStore
from .storeview import Triple

__all__ = ["describes_places", "gazetteer_note", "gazetteer_replacement"]

_BATCH = 500  # subjects per lookup query
_WORKING = ox.NamedNode("urn:x-legiongraph:places")  # where the match's input is gathered
_PLACE_KINDS = (str(ID["place/"]), str(ID["country/"]))
_HAS_GEOMETRY = GEO.hasGeometry
#: the predicates PLACES_QUERY reads
_READ = (RDF.type, RDFS.subClassOf, RDFS.label, SKOS.altLabel, SCHEMA.containedInPlace, LG.isoAlpha2)


def _places_in(triples: Iterable[Triple]) -> set[URIRef]:
    return {s for s, _, _ in triples if isinstance(s, URIRef) and str(s).startswith(_PLACE_KINDS)}


def describes_places(triples: Iterable[Triple]) -> bool:
    """Tell whether any triple says something about one of our places or countries."""
    return bool(_places_in(triples))


def _select(store: Store, query: str) -> list[tuple]:
    return [tuple(row) for row in store.query(query).rows]


def _within(scope: set, containment: Iterable[tuple]) -> set:
    """Return the scope and every place whose containment chain passes through it."""
    inside: dict = {}
    for place, container in containment:
        inside.setdefault(container, set()).add(place)
    found, todo = set(scope), list(scope)
    while todo:
        for place in inside.get(todo.pop(), ()):
            if place not in found:
                found.add(place)
                todo.append(place)
    return found


def _input(store: Store, skip: Iterable[URIRef], new: list[Triple],
           scope: set[URIRef]) -> tuple[list[Triple], set]:
    """Return what the match reads about the scope and the places inside it, and those places."""
    excluded = ", ".join(f"<{g}>" for g in sorted({GRAPH_INFERRED, GRAPH_GAZETTEER, *skip}))
    keep = f"FILTER(?g NOT IN ({excluded}))"
    found: list[Triple] = list(new)
    # One pattern with a bound predicate per query, so that each is one index range (a few
    # thousand triples at 10M); left to join patterns itself, Oxigraph scanned every typed resource.
    for p in (RDFS.subClassOf, SCHEMA.containedInPlace, LG.isoAlpha2):
        found += [(s, p, o) for s, o in _select(
            store, f"SELECT DISTINCT ?s ?o WHERE {{ GRAPH ?g {{ ?s <{p}> ?o }} {keep} }}")]
    found += [(s, RDF.type, SCHEMA.Country) for (s,) in _select(
        store, f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s a <{SCHEMA.Country}> }} {keep} }}")]
    scope = _within(scope, [(s, o) for s, p, o in found if p == SCHEMA.containedInPlace])
    names = ", ".join(f"<{p}>" for p in (RDF.type, RDFS.label, SKOS.altLabel))
    ordered = sorted(scope, key=str)
    for start in range(0, len(ordered), _BATCH):
        subjects = " ".join(f"<{p}>" for p in ordered[start:start + _BATCH])
        # All of a place's few triples, filtered: a VALUES of predicates made Oxigraph scan
        # every triple with those predicates.
        found += _select(store, f"""SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {subjects} }}
            GRAPH ?g {{ ?s ?p ?o }} FILTER(?p IN ({names})) {keep} }}""")
    return found, scope


def gazetteer_replacement(store: Store, replace: Mapping[URIRef, set[Triple]]) -> dict[URIRef, set[Triple]]:
    """Return ``{gazetteer graph: new triples}`` if replacing these graphs changes it, else ``{}``."""
    if GRAPH_GAZETTEER not in store.graphs():
        return {}  # a store built before the gazetteer existed: the next build makes it
    changed = [g for g in replace if g != GRAPH_GAZETTEER]
    old = store.to_dataset(changed)
    new = [t for triples in replace.values() for t in triples]
    scope = _places_in(new) | {p for g in changed for p in _places_in(old.graph(g))}
    if not scope:
        return {}
    triples, scope = _input(store, changed, new, scope)
    after = ox.Store()
    for s, p, o in triples:
        if p in _READ:
            after.add(ox.Quad(to_ox(s), to_ox(p), to_ox(o), _WORKING))  # type: ignore[arg-type]
    # The build's own query and match, on the places the change can move, as it leaves them:
    # only the scope and the places inside it have types here, so only they are matched.
    rows = OxigraphStore.over(after).query(PLACES_QUERY).rows
    matched = set(gazetteer_graph(rows).graph)
    current = set(store.to_dataset([GRAPH_GAZETTEER]).graph(GRAPH_GAZETTEER))
    located = {(s, p, o) for s, p, o in current if p == _HAS_GEOMETRY and s not in scope}
    located |= {t for t in matched if t[1] == _HAS_GEOMETRY}
    used = {o for _, _, o in located}
    result = located | {t for t in current | matched if t[1] != _HAS_GEOMETRY and t[0] in used}
    return {} if result == current else {GRAPH_GAZETTEER: result}


def gazetteer_note(store: Store, replacement: Mapping[URIRef, set[Triple]]) -> str | None:
    """Say how a gazetteer replacement changes the cities with coordinates, None if it does not."""
    if GRAPH_GAZETTEER not in replacement:
        return None
    located = {s for s, p, _ in replacement[GRAPH_GAZETTEER] if p == _HAS_GEOMETRY}
    before = {s for s, p, _ in store.to_dataset([GRAPH_GAZETTEER]).graph(GRAPH_GAZETTEER)
              if p == _HAS_GEOMETRY}
    def cities(n: int) -> str:
        return f"{n} cit{'y' if n == 1 else 'ies'}"

    parts = [f"{cities(len(located - before))} located" if located - before else "",
             f"{cities(len(before - located))} no longer located" if before - located else ""]
    detail = " and ".join(p for p in parts if p) or "coordinates changed"
    return f"gazetteer graph updated as a rebuild would: {detail} (GeoNames, offline)"
