"""The open-data graphs legiongraph links to, and the named graph that holds the links."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef

from ..iris import GRAPH

__all__ = ["GEONAMES", "GRAPH_LINKS", "TARGETS", "WIKIDATA", "LinkTarget", "target_of"]

GRAPH_LINKS = GRAPH["links"]


@dataclass(frozen=True)
class LinkTarget:
    """A dataset we link to: its name, VoID description and the form of its entity IRIs."""

    name: str
    title: str
    dataset: URIRef
    uri_space: str
    method: str

    def owns(self, iri: str) -> bool:
        """Tell whether an IRI names an entity of this dataset."""
        rest = iri.removeprefix(self.uri_space)
        if rest == iri:
            return False
        if self.name == "wikidata":
            return rest[:1] == "Q" and rest[1:].isdigit()
        return rest.endswith("/") and rest[:-1].isdigit()


WIKIDATA = LinkTarget(
    "wikidata", "Wikidata", URIRef("https://www.wikidata.org/"), "http://www.wikidata.org/entity/",
    "label and alias match in several languages and transliterations, with type (P31/P279*) and "
    "country (P17, P131, P27) constraints, scored by legiongraph link",
)
GEONAMES = LinkTarget(
    "geonames", "GeoNames", URIRef("https://www.geonames.org/"), "https://sws.geonames.org/",
    "name and alternate-name match in a GeoNames dump, with feature-class and country-code "
    "constraints, scored by legiongraph link",
)
TARGETS = (WIKIDATA, GEONAMES)


def target_of(iri: str) -> LinkTarget | None:
    """Return the dataset an entity IRI belongs to, or None."""
    return next((t for t in TARGETS if t.owns(iri)), None)
