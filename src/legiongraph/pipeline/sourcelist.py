"""The sources a store holds: one named graph per source document, with its date and counts."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef
from rdflib.term import Node

from ..iris import GRAPH, SCHEMA, SEM
from ..stores.base import Store

__all__ = ["SourceInfo", "list_sources", "sources_mentioning"]

_PREFIX = str(GRAPH["source/"])
_PROV = "http://www.w3.org/ns/prov#"
_FILTER = f'FILTER(STRSTARTS(STR(?g), "{_PREFIX}"))'


@dataclass(frozen=True)
class SourceInfo:
    """One source graph: its name, main document (the one its statements derive from), counts."""

    name: str
    graph: URIRef
    triples: int
    persons: int = 0
    events: int = 0
    document: URIRef | None = None
    title: str | None = None
    date: str | None = None


def _rows(store: Store, sparql: str) -> list[tuple[Node | None, ...]]:
    return store.query(sparql).rows


def list_sources(store: Store) -> list[SourceInfo]:
    """Return the store's source graphs, sorted by name."""
    triples = {g: int(n) for g, n in _rows(store, f"""SELECT ?g (COUNT(*) AS ?n) WHERE {{
        GRAPH ?g {{ ?s ?p ?o }} {_FILTER} }} GROUP BY ?g""")}
    counts: dict[tuple[Node | None, Node | None], int] = {}
    for g, cls, n in _rows(store, f"""SELECT ?g ?c (COUNT(DISTINCT ?x) AS ?n) WHERE {{
            VALUES ?c {{ <{SCHEMA.Person}> <{SEM.Event}> }}
            GRAPH ?g {{ ?x a ?t }} {_FILTER} ?x a ?c }} GROUP BY ?g ?c"""):
        counts[(g, cls)] = int(n)  # type: ignore[arg-type]
    # A source's document is the one most of its statements say they derive from.
    documents: dict[Node | None, tuple[int, Node | None]] = {}
    for g, doc, n in _rows(store, f"""SELECT ?g ?doc (COUNT(*) AS ?n) WHERE {{
            GRAPH ?g {{ ?x <{_PROV}wasDerivedFrom> ?doc }} {_FILTER} }} GROUP BY ?g ?doc"""):
        if int(n) > documents.get(g, (0, None))[0]:  # type: ignore[arg-type]
            documents[g] = (int(n), doc)  # type: ignore[arg-type]
    # A record with no statement of its own (only persons, say) still describes its document.
    for g, doc in _rows(store, f"""SELECT ?g (MIN(STR(?d)) AS ?doc) WHERE {{
            GRAPH ?g {{ ?d a <https://w3id.org/legiongraph/ontology#SourceDocument> }} {_FILTER} }}
            GROUP BY ?g"""):
        if g not in documents and doc is not None:
            documents[g] = (0, URIRef(str(doc)))
    about: dict[Node | None, tuple[Node | None, Node | None]] = {}
    docs = " ".join(f"<{d}>" for _, d in documents.values() if isinstance(d, URIRef))
    if docs:
        for doc, title, date in _rows(store, f"""SELECT ?doc (SAMPLE(?t) AS ?title) (SAMPLE(?d) AS ?date)
                WHERE {{ VALUES ?doc {{ {docs} }}
                OPTIONAL {{ ?doc <http://www.w3.org/2000/01/rdf-schema#label> ?t }}
                OPTIONAL {{ ?doc <{SCHEMA.datePublished}>|<http://purl.org/dc/terms/issued> ?d }}
                }} GROUP BY ?doc"""):
            about[doc] = (title, date)
    found = []
    for g, n in triples.items():
        doc = documents.get(g, (0, None))[1]
        title, date = about.get(doc, (None, None))
        found.append(SourceInfo(
            str(g)[len(_PREFIX):], g, n,  # type: ignore[arg-type]
            counts.get((g, SCHEMA.Person), 0), counts.get((g, SEM.Event), 0),
            doc if isinstance(doc, URIRef) else None,
            str(title) if title is not None else None, str(date) if date is not None else None))
    return sorted(found, key=lambda s: s.name)


def sources_mentioning(store: Store, iri: URIRef) -> list[str]:
    """Return the names of the source graphs that describe a resource or point to it."""
    rows = _rows(store, f"""SELECT DISTINCT ?g WHERE {{
        {{ GRAPH ?g {{ <{iri}> ?p ?o }} }} UNION {{ GRAPH ?g {{ ?s ?q <{iri}> }} }} {_FILTER} }}""")
    return sorted(str(g)[len(_PREFIX):] for (g,) in rows)
