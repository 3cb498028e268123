"""What a compile asks of the graph a file joins: names, described nodes, labels, countries.

A CSV table or YAML record mentions a few dozen names and nodes. :class:`Known` is the handful of
questions the resolver and the emitters ask about them, so that a file can be compiled against an
rdflib Graph (:class:`GraphKnown`: a build's own files, the tests) or against a store without
reading all of it (``pipeline.storenames.StoreKnown``: ingest). Both give the same answers.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

from ..iris import LG, SCHEMA

__all__ = ["NAME_PROPERTIES", "Country", "GraphKnown", "Known", "as_known", "close_length", "display_of",
           "name_key"]

# The properties a name is looked up by, in the order their spelling is preferred for display.
NAME_PROPERTIES = (RDFS.label, SKOS.altLabel, SCHEMA.name)


def name_key(text: str) -> str:
    """Return the form names are compared in: case-folded, whitespace collapsed and trimmed."""
    return re.sub(r"\s+", " ", text.strip().casefold())


def close_length(key: str, other: str, cutoff: float) -> bool:
    """Tell whether two keys' lengths allow a difflib ratio of at least cutoff."""
    # ratio = 2M / (a + b) with M <= min(a, b), so min(a, b) >= cutoff / (2 - cutoff) * max(a, b).
    short, long = sorted((len(key), len(other)))
    return short * (2 - cutoff) + 1e-9 >= cutoff * long  # the margin keeps a ratio of exactly cutoff


@dataclass(frozen=True)
class Country:
    """A country of the reference data: its ISO codes, label and other names."""

    iri: URIRef
    code: str
    alpha3: str | None
    label: str | None
    alt_labels: tuple[str, ...]


class Known(ABC):
    """Read-only answers about the graph a file is compiled against."""

    @abstractmethod
    def described(self, iri: URIRef) -> bool:
        """Tell whether a node is the subject of any triple."""

    @abstractmethod
    def objects(self, node: Node, prop: URIRef) -> list[Node]:
        """Return the distinct objects of a node's property, sorted."""

    def value(self, node: Node, prop: URIRef) -> Node | None:
        """Return the first of a node's values for a property (sorted), or None."""
        found = self.objects(node, prop)
        return found[0] if found else None

    @abstractmethod
    def named(self, text: str) -> set[URIRef]:
        """Return the IRIs with a label, other name or schema:name whose key is the text's."""

    @abstractmethod
    def countries(self) -> list[Country]:
        """Return every country (a subject with lg:isoAlpha2), sorted by IRI and code."""

    @abstractmethod
    def close_names(self, key: str, cutoff: float) -> dict[str, str]:
        """Return name keys with a spelling each: at least every one within cutoff of key."""

    @abstractmethod
    def subjects_under(self, prefix: str) -> list[URIRef]:
        """Return the concepts (skos:inScheme, topConceptOf or a skos:Concept) under an IRI prefix."""


def display_of(spellings: dict[str, list[tuple[int, str]]]) -> dict[str, str]:
    """Pick one spelling per key: the preferred property first, then the smallest text."""
    return {key: min(found)[1] for key, found in spellings.items()}


class GraphKnown(Known):
    """The answers read from an rdflib Graph held in memory (indexed once, on first use)."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    @cached_property
    def _subjects(self) -> set[Node]:
        return set(self.graph.subjects())

    @cached_property
    def _names(self) -> tuple[dict[str, set[URIRef]], dict[str, str]]:
        names: dict[str, set[URIRef]] = defaultdict(set)
        spellings: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for rank, prop in enumerate(NAME_PROPERTIES):
            for s, o in self.graph.subject_objects(prop):
                if isinstance(s, URIRef):
                    names[name_key(str(o))].add(s)
                    spellings[name_key(str(o))].append((rank, str(o)))
        return names, display_of(spellings)

    def described(self, iri: URIRef) -> bool:
        """Tell whether a node is the subject of any triple."""
        return iri in self._subjects

    def objects(self, node: Node, prop: URIRef) -> list[Node]:
        """Return the distinct objects of a node's property, sorted."""
        return sorted(set(self.graph.objects(node, prop)))

    def named(self, text: str) -> set[URIRef]:
        """Return the IRIs with a label, other name or schema:name whose key is the text's."""
        return set(self._names[0].get(name_key(text), set()))

    def countries(self) -> list[Country]:
        """Return every country (a subject with lg:isoAlpha2), sorted by IRI and code."""
        found = []
        for s, code in sorted(self.graph.subject_objects(LG.isoAlpha2)):
            if not isinstance(s, URIRef):
                continue
            alpha3, label = self.value(s, LG.isoAlpha3), self.value(s, RDFS.label)
            found.append(Country(s, str(code), None if alpha3 is None else str(alpha3),
                                 None if label is None else str(label),
                                 tuple(str(o) for o in self.objects(s, SKOS.altLabel))))
        return found

    def close_names(self, key: str, cutoff: float) -> dict[str, str]:
        """Return the name keys whose length can be within cutoff of key, with a spelling each."""
        return {k: v for k, v in self._names[1].items() if close_length(key, k, cutoff)}

    def subjects_under(self, prefix: str) -> list[URIRef]:
        """Return the concepts (skos:inScheme, topConceptOf or a skos:Concept) under an IRI prefix."""
        found = set(self.graph.subjects(SKOS.inScheme, None)) | set(
            self.graph.subjects(SKOS.topConceptOf, None)) | set(self.graph.subjects(RDF.type, SKOS.Concept))
        return sorted(s for s in found if isinstance(s, URIRef) and str(s).startswith(prefix))


def as_known(existing: Graph | Known) -> Known:
    """Return a Known for a Graph (wrapped) or a Known (as it is)."""
    return existing if isinstance(existing, Known) else GraphKnown(existing)

