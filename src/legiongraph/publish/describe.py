"""What the graph says about one resource: its triples, the statements about it, their provenance.

:func:`resource_graph` is the description for machines. It holds every triple with the resource
as subject (asserted and inferred, each triple once), every triple with the resource as object, and
the ``rdfs:label`` of every IRI on the other side of those triples.

:func:`describe_resource` is the description for people: the same triples grouped by predicate and
labelled, each with the named graphs it comes from, plus the events, memberships, observations and
claims that concern the resource, each with its dates, sources, claimant and certainty.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, TIME
from rdflib.term import Node

from ..iris import GRAPH_INFERRED, LG, ORG, QB, SCHEMA, SDMX_DIM, SDMX_MEASURE, SEM
from ..stores.base import Store
from ..stores.results import term_to_tsv
from .display import Term, curie, fetch_labels, local_path, make_term, sparql_prefixes, valid_iri

__all__ = [
    "ExternalLink",
    "Incoming",
    "PropertyGroup",
    "Provenance",
    "ResourceDescription",
    "Statement",
    "Term",
    "Value",
    "date_span",
    "describe_resource",
    "incoming_count",
    "resource_graph",
]

_COMMENTS = (SCHEMA.description, SKOS.definition, RDFS.comment, DCTERMS.description)
_FIRST = (RDFS.label, SKOS.prefLabel, SCHEMA.name, RDF.type)
_EXTERNAL = {"www.wikidata.org": "Wikidata", "wikidata.org": "Wikidata",
             "sws.geonames.org": "GeoNames", "www.geonames.org": "GeoNames"}
# How a statement points at the resource, and what kind of statement that makes it.
_KINDS = {SEM.hasActor: "event", SEM.hasPlace: "event", ORG.member: "membership",
          ORG.organization: "membership", SDMX_DIM.refArea: "observation",
          RDF.subject: "claim", RDF.object: "claim"}
# The properties of a statement shown in its table row, by column.
_COLUMNS = {
    SEM.eventType: "types", ORG.role: "types", QB.dataSet: "types", RDF.predicate: "types",
    SEM.hasPlace: "places", ORG.organization: "related", ORG.member: "related",
    RDF.subject: "related", RDF.object: "related", SDMX_MEASURE.obsValue: "related",
    LG.countQualifier: "related", SEM.hasEarliestBeginTimeStamp: "begin", TIME.hasBeginning: "begin",
    SEM.hasLatestEndTimeStamp: "end", TIME.hasEnd: "end", SDMX_DIM.refPeriod: "period",
    PROV.wasDerivedFrom: "documents", LG.citedSource: "cited", PROV.wasAttributedTo: "claimants",
    LG.certainty: "certainty", LG.sourceReliability: "admiralty", LG.informationCredibility: "admiralty",
}
_PROVENANCE = ("documents", "cited", "claimants", "certainty", "admiralty")


@dataclass(frozen=True)
class Value:
    """The object of a triple, with the compact names of the named graphs that hold the triple."""

    term: Term
    graphs: tuple[str, ...]

    @property
    def inferred(self) -> bool:
        """Tell whether the triple is only entailed, never asserted."""
        return all(g == "lgg:inferred" for g in self.graphs)


@dataclass
class PropertyGroup:
    """One predicate of the resource with all its values."""

    predicate: Term
    values: list[Value]


@dataclass(frozen=True)
class Incoming:
    """A triple that points at the resource, with its named graphs."""

    subject: Term
    predicate: Term
    graphs: tuple[str, ...]


@dataclass
class Provenance:
    """Where a statement comes from (documents, cited sources, claimant) and how certain it is."""

    documents: list[Term] = field(default_factory=list)
    cited: list[Term] = field(default_factory=list)
    claimants: list[Term] = field(default_factory=list)
    certainty: list[Term] = field(default_factory=list)
    admiralty: list[Term] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any(getattr(self, name) for name in _PROVENANCE)


@dataclass
class Statement:
    """An event, membership, observation or claim that concerns the resource."""

    node: Term
    kind: str
    roles: list[Term]
    types: list[Term]
    begin: str | None
    end: str | None
    places: list[Term]
    related: list[Term]
    provenance: Provenance
    graphs: tuple[str, ...]

    @property
    def date(self) -> str:
        """Return the date bounds as one text: a day, a month, a year, a range, or nothing."""
        if self.begin and self.end and self.begin != self.end:
            return date_span(self.begin, self.end)
        return self.begin or self.end or ""


_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def date_span(begin: str, end: str) -> str:
    """Show a period at the precision it has: "2025-11" for a whole month, "2024" for a whole year."""
    first, last = _DAY.fullmatch(begin), _DAY.fullmatch(end)
    if not (first and last) or first[3] != "01":
        return f"{begin} – {end}"
    year, month, day = int(last[1]), int(last[2]), int(last[3])
    if not 1 <= month <= 12 or day != calendar.monthrange(year, month)[1]:
        return f"{begin} – {end}"
    if first[2] == "01" and month == 12:  # whole years
        return first[1] if first[1] == last[1] else f"{first[1]} – {last[1]}"
    start, stop = f"{first[1]}-{first[2]}", f"{last[1]}-{last[2]}"
    return start if start == stop else f"{start} – {stop}"


@dataclass(frozen=True)
class ExternalLink:
    """A skos:exactMatch or skos:closeMatch to Wikidata or GeoNames."""

    site: str
    url: str
    match: str


@dataclass
class ResourceDescription:
    """Everything a Linked Data page shows about one resource."""

    iri: str
    label: str
    path: str | None
    comment: str | None
    types: list[Value]
    properties: list[PropertyGroup]
    incoming: list[Incoming]
    statements: list[Statement]
    provenance: Provenance
    external: list[ExternalLink]
    graphs: tuple[str, ...]
    # Incoming links and statements come a page at a time (a country has thousands of each).
    page: int = 1
    page_size: int | None = None
    incoming_total: int | None = None
    more: bool = False

    @property
    def sources(self) -> list[str]:
        """Return the names of the source documents' graphs that mention the resource."""
        return [g.removeprefix("lgg:source/") for g in self.graphs if g.startswith("lgg:source/")]

    @property
    def first(self) -> int:
        """Return the 1-based position of the first incoming link or statement on this page."""
        return (self.page - 1) * (self.page_size or 0) + 1


def _terms(nodes: Iterable[Node], labels: dict[Node, str]) -> list[Term]:
    return [make_term(n, labels) for n in sorted(set(nodes), key=str)]


def _graph_names(graphs: Iterable[Node | None]) -> tuple[str, ...]:
    return tuple(sorted({curie(str(g)) or str(g) for g in graphs if g is not None}))


def resource_graph(store: Store, iri: str, *, page: int = 1, page_size: int | None = None) -> Graph:
    """Return the machine description of a resource (an empty graph when the IRI is unknown).

    With ``page_size``, the triples pointing at the resource come ``page_size`` at a time (in the
    store's order); its own triples are on every page.
    """
    if not valid_iri(iri) or page < 1:
        return Graph()
    me = term_to_tsv(URIRef(iri))
    incoming = f"?s ?q {me}"
    if page_size is not None:
        incoming = (f"{{ SELECT DISTINCT ?s ?q WHERE {{ ?s ?q {me} }} LIMIT {page_size} "
                    f"OFFSET {(page - 1) * page_size} }}")
    result = store.query(
        f"{sparql_prefixes()}CONSTRUCT {{ {me} ?p ?o . ?o rdfs:label ?ol . ?s ?q {me} . "
        f"?s rdfs:label ?sl }} WHERE {{ {{ {me} ?p ?o OPTIONAL {{ ?o rdfs:label ?ol }} }} "
        f"UNION {{ {incoming} OPTIONAL {{ ?s rdfs:label ?sl }} }} }}")
    return result.graph if result.graph is not None else Graph()


def incoming_count(store: Store, iri: str) -> int:
    """Return how many distinct (subject, predicate) pairs point at a resource."""
    if not valid_iri(iri):
        return 0
    me = term_to_tsv(URIRef(iri))
    rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?q WHERE {{ ?s ?q {me} }} }}")
    rows = rows.rows
    return int(rows[0][0]) if rows else 0


def _window(page: int, size: int | None) -> str:
    """Return the LIMIT/OFFSET of a page, with one row more to tell whether another page follows.

    Pages are cut in the store's own order, not with ORDER BY: Oxigraph took 5 s to sort the
    12,000 links to one resource that it finds in 50 ms. The served store is read-only, so its
    order is the same from one request to the next; each page is sorted for display.
    """
    return "" if size is None else f" LIMIT {size + 1} OFFSET {(page - 1) * size}"


def _cut(rows: list, size: int | None) -> tuple[list, bool]:
    """Drop the look-ahead row of a page; tell whether there was one."""
    if size is None or len(rows) <= size:
        return rows, False
    return rows[:size], True


def _statement_rows(store: Store, me: str, page: int = 1,
                    size: int | None = None) -> tuple[list[tuple[Node | None, ...]], bool]:
    """Fetch the asserted table properties of the statements that concern the resource (a page)."""
    kinds = f"FILTER(?rel IN ({', '.join(term_to_tsv(r) for r in _KINDS)}))"
    chosen, more = _cut([row[0] for row in store.query(
        f"SELECT DISTINCT ?st WHERE {{ ?st ?rel {me} {kinds} }}{_window(page, size)}").rows], size)
    if not chosen:
        return [], more
    return store.query(
        f"{sparql_prefixes()}SELECT DISTINCT ?st ?rel ?p ?o ?g WHERE {{ "
        f"VALUES ?st {{ {' '.join(term_to_tsv(st) for st in chosen)} }} "
        f"?st ?rel {me} {kinds} "
        f"{{ GRAPH ?g {{ ?st ?p ?o }} FILTER(?g != lgg:inferred) }} UNION "
        f"{{ ?st org:memberDuring|sdmx-dimension:refPeriod ?per . ?per ?p ?i . ?i time:inXSDDate ?o }} "
        f"FILTER(?p IN ({', '.join(term_to_tsv(p) for p in _COLUMNS)})) }}").rows, more


def _provenance(cols: dict[str, list[Node]], labels: dict[Node, str]) -> Provenance:
    # lg:citedSource is a sub-property of prov:wasDerivedFrom: list each document once.
    cited = set(cols.get("cited", []))
    documents = [d for d in cols.get("documents", []) if d not in cited]
    return Provenance(_terms(documents, labels),
                      *(_terms(cols.get(name, []), labels) for name in _PROVENANCE[1:]))


def _statements(rows: list[tuple[Node | None, ...]], roles: dict[Node, set[Node]], me: URIRef,
                labels: dict[Node, str]) -> list[Statement]:
    """Assemble the rows into one Statement per node, sorted by date."""
    rels: dict[Node, set[Node]] = defaultdict(set)
    cols: dict[Node, dict[str, list[Node]]] = defaultdict(lambda: defaultdict(list))
    graphs: dict[Node, set[Node | None]] = defaultdict(set)
    for st, rel, p, o, g in rows:
        rels[st].add(rel)
        column = _COLUMNS[p]
        if column == "period" and isinstance(o, Literal):
            cols[st]["begin"].append(o)
            cols[st]["end"].append(o)
        elif column != "period" and o != me:
            cols[st][column].append(o)
        graphs[st].add(g)
    out = []
    for st in rels:
        mine = cols[st]
        begin, end = mine.get("begin"), mine.get("end")
        out.append(Statement(
            make_term(st, labels), _KINDS[min(rels[st], key=str)],
            _terms(roles.get(st) or rels[st], labels), _terms(mine.get("types", []), labels),
            str(min(begin, key=str)) if begin else None, str(max(end, key=str)) if end else None,
            _terms(mine.get("places", []), labels), _terms(mine.get("related", []), labels),
            _provenance(mine, labels), _graph_names(graphs[st])))
    return sorted(out, key=lambda s: (s.begin or "9999", s.kind, s.node.label))


def _external(outgoing: dict[Node, dict[Node, set[Node]]]) -> list[ExternalLink]:
    links = []
    for prop, match in ((SKOS.exactMatch, "exact"), (SKOS.closeMatch, "close")):
        for target in sorted(outgoing.get(prop, {}), key=str):
            # Only http(s) IRIs become links: javascript://www.wikidata.org/%0A... has the host too.
            if not str(target).lower().startswith(("http://", "https://")):
                continue
            host = str(target).split("/")[2]
            if isinstance(target, URIRef) and host in _EXTERNAL:
                links.append(ExternalLink(_EXTERNAL[host], str(target), match))
    return links


def _by_str(item: tuple[Node, object]) -> str:
    return str(item[0])


def _sort_key(group: PropertyGroup) -> tuple[int, str]:
    pred = URIRef(group.predicate.value)
    return (_FIRST.index(pred) if pred in _FIRST else len(_FIRST), group.predicate.label.lower())


def describe_resource(store: Store, iri: str, *, page: int = 1,
                      page_size: int | None = None) -> ResourceDescription | None:
    """Return the human description of a resource, or None when the graph does not know it.

    With ``page_size``, incoming links and statements are listed ``page_size`` at a time.
    """
    if not valid_iri(iri) or page < 1:
        return None
    me = URIRef(iri)
    out_rows = store.query(f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ {term_to_tsv(me)} ?p ?o }} }}").rows
    here = term_to_tsv(me)
    pairs, more_in = _cut(store.query(
        f"SELECT ?s ?p (GROUP_CONCAT(DISTINCT STR(?g); separator=' ') AS ?gs) WHERE {{ GRAPH ?g "
        f"{{ ?s ?p {here} }} }} GROUP BY ?s ?p{_window(page, page_size)}").rows, page_size)
    in_rows = [(s, p, URIRef(g)) for s, p, gs in pairs for g in str(gs).split()]
    if not out_rows and not in_rows and page == 1:
        return None
    total = None
    if page_size is not None and (more_in or page > 1):
        total = int(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p WHERE "
                                f"{{ GRAPH ?g {{ ?s ?p {here} }} }} }}").rows[0][0])
        if not out_rows and not total:
            return None  # a later page of nothing: the graph does not know the resource
    st_rows, more_st = _statement_rows(store, here, page, page_size)
    labels = fetch_labels(store, [me, *(t for row in (*out_rows, *in_rows) for t in row[:2]),
                                  *(t for row in st_rows for t in row[:4])])
    outgoing: dict[Node, dict[Node, set[Node]]] = defaultdict(lambda: defaultdict(set))
    for p, o, g in out_rows:
        outgoing[p][o].add(g)
    incoming: dict[tuple[Node, Node], set[Node]] = defaultdict(set)
    roles: dict[Node, set[Node]] = defaultdict(set)
    for s, p, g in in_rows:
        incoming[(s, p)].add(g)
        if g != GRAPH_INFERRED:
            roles[s].add(p)
    groups = sorted((PropertyGroup(make_term(p, labels), [
        Value(make_term(o, labels), _graph_names(gs)) for o, gs in sorted(objs.items(), key=_by_str)
    ]) for p, objs in outgoing.items()), key=_sort_key)
    own: dict[str, list[Node]] = defaultdict(list)
    for p, objs in outgoing.items():
        if p in _COLUMNS and _COLUMNS[p] in _PROVENANCE:
            own[_COLUMNS[p]] += [o for o, gs in objs.items() if gs != {GRAPH_INFERRED}]
    comments = [o for p in _COMMENTS for o in sorted(outgoing.get(p, {}), key=str)]
    return ResourceDescription(
        iri=iri, label=labels.get(me) or curie(iri) or iri, path=local_path(iri),
        comment=str(comments[0]) if comments else None,
        types=next((g.values for g in groups if g.predicate.value == str(RDF.type)), []),
        properties=groups,
        incoming=sorted((Incoming(make_term(s, labels), make_term(p, labels), _graph_names(gs))
                         for (s, p), gs in incoming.items()),
                        key=lambda i: (i.predicate.label.lower(), i.subject.label.lower())),
        statements=_statements(st_rows, roles, me, labels), provenance=_provenance(own, labels),
        external=_external(outgoing), graphs=_graph_names(g for *_, g in (*out_rows, *in_rows)),
        page=page, page_size=page_size, incoming_total=total, more=more_in or more_st)
