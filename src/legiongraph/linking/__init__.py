"""Linking to the open-data graphs: reconcile entities with Wikidata and GeoNames, review the
proposals in a CSV file, and publish the accepted links in their own named graph."""

from __future__ import annotations

from .apply import ApplyResult, apply_review, links_graph
from .coverage import Coverage, link_coverage
from .endpoint import WIKIDATA_SPARQL, SparqlClient, default_cache_dir
from .entities import KINDS, Entity, read_entities
from .gazetteer import GRAPH_GAZETTEER, GazetteerResult, gazetteer_graph
from .geonames import reconcile_geonames
from .review import Row, merge, read_review, write_review
from .targets import GEONAMES, GRAPH_LINKS, TARGETS, WIKIDATA, target_of
from .wikidata import reconcile_wikidata

__all__ = [
    "GEONAMES",
    "GRAPH_GAZETTEER",
    "GRAPH_LINKS",
    "KINDS",
    "TARGETS",
    "WIKIDATA",
    "WIKIDATA_SPARQL",
    "ApplyResult",
    "Coverage",
    "Entity",
    "GazetteerResult",
    "Row",
    "SparqlClient",
    "apply_review",
    "default_cache_dir",
    "gazetteer_graph",
    "link_coverage",
    "links_graph",
    "merge",
    "read_entities",
    "read_review",
    "reconcile_geonames",
    "reconcile_wikidata",
    "target_of",
    "write_review",
]
