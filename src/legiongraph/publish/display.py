"""RDF terms as pages show them: a label, a compact name, and a local link when served here."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS, XSD
from rdflib.term import Node

from ..iris import BASE, ID, PREFIXES, SCHEMA
from ..stores.base import Store
from ..stores.results import term_to_tsv

__all__ = ["Term", "curie", "fetch_labels", "local_path", "make_term", "page_query", "sparql_list",
           "sparql_prefixes", "valid_iri"]

_BAD_IRI = re.compile(r'[\s<>"{}|^`\\]')
_ORDERED_NS = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))
#: label properties, best first
LABEL_PROPERTIES = (SKOS.prefLabel, RDFS.label, SCHEMA.name, DCTERMS.title, SCHEMA.headline)


def sparql_prefixes() -> str:
    """Return the PREFIX declarations of the project's namespaces."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def sparql_list(nodes: Iterable[Node]) -> str:
    """Return terms in SPARQL syntax, separated by spaces (for VALUES)."""
    return " ".join(term_to_tsv(n) for n in nodes)


def valid_iri(iri: str) -> bool:
    """Tell whether a string is an absolute http(s) IRI that is safe to put in a query."""
    return iri.startswith(("http://", "https://")) and not _BAD_IRI.search(iri)


def local_path(iri: str) -> str | None:
    """Return the path at which this server serves an IRI, or None when it is served elsewhere."""
    rest = iri[len(BASE):] if iri.startswith(BASE) else None
    if rest is not None and (rest.startswith(("id/", "def/", "ontology#")) or rest == "ontology"):
        return "/" + rest
    return None


def curie(iri: str) -> str | None:
    """Return the compact form of an IRI with the project's prefixes, or None."""
    for prefix, ns in _ORDERED_NS:
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return None


@dataclass(frozen=True)
class Term:
    """An RDF term ready for display: value, label, and the local path when served here."""

    value: str
    label: str
    is_iri: bool = False
    path: str | None = None
    curie: str | None = None
    lang: str | None = None
    datatype: str | None = None

    @property
    def href(self) -> str | None:
        """Return the link target: a local path, an external IRI or an xsd:anyURI literal."""
        if self.path:
            return self.path
        linkable = self.is_iri or self.datatype == str(XSD.anyURI)
        return self.value if linkable and self.value.startswith(("http://", "https://")) else None

    @property
    def external(self) -> bool:
        """Tell whether the term links outside this server."""
        return self.path is None and self.href is not None


def fetch_labels(store: Store, nodes: Iterable[Node | None]) -> dict[Node, str]:
    """Return the best label (English first) of each IRI that has one, in one query."""
    wanted = sorted({n for n in nodes if isinstance(n, URIRef) and valid_iri(str(n))})
    if not wanted:
        return {}
    # One VALUES block before the pattern: rdflib then joins lazily, one lookup per IRI.
    rows = store.query(f"SELECT ?x ?p ?l WHERE {{ VALUES ?x {{ {sparql_list(wanted)} }} ?x ?p ?l "
                       f"FILTER(?p IN ({', '.join(term_to_tsv(p) for p in LABEL_PROPERTIES)})) }}").rows
    best: dict[Node, tuple[tuple[int, int], str]] = {}
    for x, p, lit in rows:
        lang = getattr(lit, "language", None) or ""
        rank = (LABEL_PROPERTIES.index(p), 0 if lang.startswith("en") else 1 if not lang else 2)
        if x not in best or rank < best[x][0]:
            best[x] = (rank, str(lit))
    return {x: text for x, (_, text) in best.items()}


def make_term(node: Node, labels: dict[Node, str]) -> Term:
    """Turn an rdflib term into a display term, labelled from ``labels``."""
    if isinstance(node, Literal):
        return Term(str(node), str(node), lang=node.language,
                    datatype=str(node.datatype) if node.datatype else None)
    if not isinstance(node, URIRef):
        return Term(str(node), f"_:{node}")
    short = curie(str(node))
    return Term(str(node), labels.get(node) or short or str(node), True, local_path(str(node)), short)


def page_query(iri: str, person_card: str | None = None) -> str:
    """Return the query that shows a resource in the query UI: a person's card, else DESCRIBE."""
    if person_card is not None and iri.startswith(str(ID) + "person/") and valid_iri(iri):
        # The named query, narrowed to this person by a VALUES row at the top of its pattern.
        head, brace, rest = person_card.partition("WHERE {")
        if brace:
            return f"{head}{brace}\n  VALUES ?person {{ <{iri}> }}{rest}"
    return f"DESCRIBE <{iri}>\n" if valid_iri(iri) else ""
