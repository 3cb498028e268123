"""Deterministic exports of the store: the same graph gives the same bytes on every run and machine.

Every export starts from the canonical dataset (:mod:`legiongraph.publish.canonical`): blank nodes carry
their RDFC-1.0 labels and quads are in canonical order. N-Quads is the canonical N-Quads itself;
N-Triples is its sorted triples; Turtle and TriG come from :mod:`legiongraph.publish.turtle`, RDF/XML from
:mod:`legiongraph.publish.rdfxml`, and JSON-LD is pyld's compaction with :data:`JSONLD_CONTEXT`, the
context published beside the exports (``context.jsonld``) and written inline in each document, so
that nothing needs fetching to read it. Exports read from the store: a store built with ``build
--public`` holds no protected personal data, and neither do its exports.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef

from ..errors import ConfigError, QueryError
from ..fsutil import atomic_write_bytes
from ..iris import BASE, GRAPH_INFERRED, GRAPH_ONTOLOGY, GRAPH_REFERENCE, PREFIXES
from ..pipeline.privacy import PROFILE_GRAPH
from ..query.queries import NamedQuery, run_query
from ..stores.base import Store
from .canonical import canonicalize, nquads_line, quads_of, triples_of
from .rdfxml import write_rdfxml
from .turtle import write_trig, write_turtle

__all__ = [
    "DEFAULT_KINDS",
    "DOWNLOAD_FILES",
    "EXPORT_FORMATS",
    "GRAPH_KINDS",
    "JSONLD_CONTEXT",
    "ExportFormat",
    "export_format",
    "graph_kind",
    "jsonld_context",
    "query_quads",
    "select_graphs",
    "serialize",
    "store_quads",
    "write_output",
]

_SOURCE = BASE + "graph/source/"
_LINKS = BASE + "graph/links"
_RDF_TYPE = PREFIXES["rdf"] + "type"

#: graph kind -> what its graphs hold (the comment above each graph in TriG)
GRAPH_KINDS: dict[str, str] = {
    "ontology": "the ontology and its SKOS concept schemes",
    "asserted": "what one source document asserts",
    "reference": "countries and UN M49 regions (reference data)",
    "links": "links to other datasets",
    "inferred": "OWL 2 RL entailments of the other graphs, nothing else",
    "profile": "the profile the store was built under",
    "other": "a graph of another kind",
}
#: every kind but the entailments, which any reasoner can derive again
DEFAULT_KINDS: tuple[str, ...] = tuple(k for k in GRAPH_KINDS if k != "inferred")


@dataclass(frozen=True)
class ExportFormat:
    """An export format: name, file suffix, media type, and whether it keeps graph names."""

    name: str
    suffix: str
    media_type: str
    quads: bool


EXPORT_FORMATS: dict[str, ExportFormat] = {f.name: f for f in (
    ExportFormat("turtle", ".ttl", "text/turtle", False),
    ExportFormat("trig", ".trig", "application/trig", True),
    ExportFormat("nquads", ".nq", "application/n-quads", True),
    ExportFormat("nt", ".nt", "application/n-triples", False),
    ExportFormat("jsonld", ".jsonld", "application/ld+json", True),
    ExportFormat("rdfxml", ".rdf", "application/rdf+xml", False),
)}
_ALIASES = {"ttl": "turtle", "nq": "nquads", "n-quads": "nquads", "ntriples": "nt",
            "n-triples": "nt", "json-ld": "jsonld", "rdf": "rdfxml", "xml": "rdfxml"}

#: what ``/download`` serves: every named graph, inferred included, in each export format
DOWNLOAD_FILES: dict[str, str] = {"legiongraph" + f.suffix: f.name for f in EXPORT_FORMATS.values()}

#: the published JSON-LD context: the project's prefixes, nothing that needs fetching
JSONLD_CONTEXT: dict[str, str] = dict(sorted(PREFIXES.items()))


def jsonld_context() -> bytes:
    """Return the published JSON-LD context document (``context.jsonld``)."""
    return (json.dumps({"@context": JSONLD_CONTEXT}, indent=2, sort_keys=True) + "\n").encode("utf-8")


def export_format(name: str) -> ExportFormat:
    """Find an export format by name or alias; raise ConfigError listing the known ones."""
    key = _ALIASES.get(name.strip().lower(), name.strip().lower())
    if key not in EXPORT_FORMATS:
        raise ConfigError(f"--format: unknown export format {name!r}; "
                          f"expected one of {', '.join(EXPORT_FORMATS)}")
    return EXPORT_FORMATS[key]


def graph_kind(name: URIRef | str) -> str:
    """Return the kind of a named graph: ontology, asserted, reference, links, inferred …"""
    name = str(name)
    if name == str(GRAPH_ONTOLOGY):
        return "ontology"
    if name == str(GRAPH_REFERENCE):
        return "reference"
    if name == str(GRAPH_INFERRED):
        return "inferred"
    if name == str(PROFILE_GRAPH):
        return "profile"
    if name.startswith(_SOURCE):
        return "asserted"
    if name == _LINKS or name.startswith(_LINKS + "/"):
        return "links"
    return "other"


def select_graphs(available: Iterable[URIRef], kinds: Sequence[str] | None = None) -> list[URIRef]:
    """Return the graphs of the given kinds (``all`` for every one; default: all but inferred)."""
    wanted = set(kinds if kinds else DEFAULT_KINDS)
    if "all" in wanted:
        wanted = set(GRAPH_KINDS)
    unknown = sorted(wanted - set(GRAPH_KINDS))
    if unknown:
        raise ConfigError(f"--graphs: unknown graph kind(s) {', '.join(unknown)}; "
                          f"expected all or {', '.join(GRAPH_KINDS)}")
    return sorted(g for g in available if graph_kind(g) in wanted)


def describe_graphs(quads: Iterable[ox.Quad]) -> dict[str, str]:
    """Return the TriG comment for every named graph among the quads."""
    names = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    return {name: GRAPH_KINDS[graph_kind(name)] for name in names}


def store_quads(store: Store, kinds: Sequence[str] | None = None) -> list[ox.Quad]:
    """Return the selected graphs of a store as canonical quads."""
    graphs = select_graphs(store.graphs(), kinds)
    return canonicalize(quads_of(store.to_dataset(graphs)) if graphs else [])


def query_quads(store: Store, query: NamedQuery) -> list[ox.Quad]:
    """Return the triples a CONSTRUCT or DESCRIBE query builds, as canonical default-graph quads."""
    result = run_query(store, query)
    if result.kind != "CONSTRUCT" or result.graph is None:
        raise QueryError(f"{query.location}: export needs a CONSTRUCT or DESCRIBE query, "
                         f"not a {result.kind}")
    return canonicalize(triples_of(result.graph))


def _jsonld(quads: list[ox.Quad]) -> bytes:
    from pyld import jsonld

    # Oxigraph writes expanded JSON-LD fast (pyld's from_rdf takes seconds on the built graph);
    # grouped by graph and subject it is one node object per resource; pyld compacts it.
    ordered = sorted(quads, key=lambda q: ("" if isinstance(q.graph_name, ox.DefaultGraph)
                                           else q.graph_name.value, nquads_line(q)))
    expanded = _types(json.loads(ox.serialize(ordered, format=ox.RdfFormat.JSON_LD) or b"[]"))
    compacted = jsonld.compact(expanded, {"@context": JSONLD_CONTEXT},
                               {"documentLoader": _no_loader})
    return (json.dumps(compacted, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _types(nodes: list[dict]) -> list[dict]:
    """Write ``rdf:type`` with IRI values as ``@type``, as JSON-LD readers expect."""
    for node in nodes:
        _types(node.get("@graph", []))
        values = node.get(_RDF_TYPE, [])
        if values and all("@id" in v for v in values):
            node["@type"] = [v["@id"] for v in node.pop(_RDF_TYPE)]
    return nodes


def _no_loader(url: str, options: object = None) -> dict:
    from pyld.jsonld import JsonLdError

    raise JsonLdError(f"{url}: legiongraph never fetches a JSON-LD document", "loading document failed")


def serialize(quads: list[ox.Quad], fmt: ExportFormat | str) -> bytes:
    """Serialise canonical quads in an export format; triple formats merge the graphs."""
    fmt = export_format(fmt) if isinstance(fmt, str) else fmt
    if not fmt.quads:
        # Canonical labels depend on graph names: a triple format labels the merged graph itself,
        # so the same triples give the same bytes whichever graphs they came from.
        quads = canonicalize(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads)
    if fmt.name == "nquads":
        return "".join(nquads_line(q) for q in quads).encode("utf-8")
    if fmt.name == "nt":
        lines = {f"{q.subject} {q.predicate} {q.object} .\n" for q in quads}
        return "".join(sorted(lines)).encode("utf-8")
    if fmt.name == "turtle":
        return write_turtle(quads, PREFIXES)
    if fmt.name == "trig":
        return write_trig(quads, PREFIXES, describe_graphs(quads))
    if fmt.name == "rdfxml":
        return write_rdfxml(quads, PREFIXES)
    return _jsonld(quads)


def write_output(data: bytes, out: Path | str | None) -> None:
    """Write bytes to a file atomically, or to standard output for ``-`` or None."""
    if out is None or str(out) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    atomic_write_bytes(Path(out), data)
