"""Parse RDF bytes safely: one parser (Oxigraph's) per format, nothing fetched, errors located.

Every file legiongraph reads goes through here, so that a DTD, a remote JSON-LD context or an
oversized literal is refused in one place, with the file, line and column named.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

from .errors import LoadError
from .iris import PREFIXES
from .oxterms import from_ox

__all__ = [
    "FORMATS",
    "QUAD_FORMATS",
    "Quad",
    "format_for",
    "iter_quads",
    "parse_graph",
    "parse_into",
    "parse_quads",
]

# File suffix -> parser. Every parser is Oxigraph's: it fetches nothing (a remote JSON-LD @context is
# refused), and RDF/XML with a DTD is refused before parsing.
FORMATS = {
    ".ttl": "turtle",
    ".trig": "trig",
    ".nt": "nt",
    ".nq": "nquads",
    ".rdf": "xml",
    ".owl": "xml",
    ".jsonld": "json-ld",
}
QUAD_FORMATS = {"trig", "nquads"}
_OX_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "xml": ox.RdfFormat.RDF_XML,
    "json-ld": ox.RdfFormat.JSON_LD,
}
# An XML document type declaration can define entities that expand without bound.
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_OX_MESSAGE = re.compile(r"^Parser error at line \d+ column \d+: ")

Quad = tuple[Node, Node, Node, URIRef | None]


def format_for(name: str) -> str:
    """Return the parser name for a file name, or raise LoadError naming the file."""
    suffix = Path(name).suffix.lower()
    if suffix not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        raise LoadError(f"{name}: unsupported file type {suffix or '(none)'}; expected {known}",
                        path=name)
    return FORMATS[suffix]


def iter_quads(data: bytes, fmt: str, location: str) -> Iterator[ox.Quad]:
    """Parse RDF bytes into Oxigraph quads lazily; raise LoadError naming file, line and column.

    Relative IRIs without a ``@base`` are an error, not silently resolved against the file name.
    Blank nodes get fresh labels, so that two files never share one by accident.
    """
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LoadError(f"{location}: not UTF-8 (byte {exc.start})", path=location) from None
    except MemoryError:
        raise _too_big(location, len(data)) from None
    if fmt not in _OX_FORMATS:
        raise LoadError(f"{location}: unsupported format {fmt!r}", path=location)
    if fmt == "xml" and _DTD.search(data):
        raise LoadError(f"{location}: RDF/XML with a DOCTYPE or ENTITY declaration is refused "
                        "(its entities could expand without limit); remove the declaration",
                        path=location)
    try:
        yield from ox.parse(data, format=_OX_FORMATS[fmt], rename_blank_nodes=True)
    except SyntaxError as exc:
        message = _OX_MESSAGE.sub("", exc.msg or str(exc))
        if "remote context" in message:
            message = "a remote JSON-LD @context is never fetched; put the context inline"
        line = exc.lineno
        where = f"{location}, line {line}, column {exc.offset}" if line else location
        raise LoadError(f"{where}: {message}", path=location, line=line) from None
    except MemoryError:
        # A huge literal (hundreds of MB on one line) can exhaust memory while it is parsed.
        raise _too_big(location, len(data)) from None


def _too_big(location: str, size: int) -> LoadError:
    return LoadError(f"{location}: ran out of memory reading this {size / 2**20:.0f} MB file "
                     "(a very long literal or line?); split the file or shorten the value",
                     path=location)


def parse_quads(data: bytes, fmt: str, location: str) -> list[Quad]:
    """Parse RDF bytes into rdflib quads; raise LoadError naming file, line and column."""
    try:
        return [(from_ox(q.subject), from_ox(q.predicate), from_ox(q.object), from_ox(q.graph_name))
                for q in iter_quads(data, fmt, location)]
    except MemoryError:
        raise _too_big(location, len(data)) from None


def parse_into(target: Dataset, data: bytes, fmt: str, location: str) -> set[URIRef | None]:
    """Parse RDF bytes into a Dataset, keeping named graphs; return the graph names seen."""
    seen: set[URIRef | None] = set()
    for s, p, o, g in parse_quads(data, fmt, location):
        target.graph(g if g is not None else DATASET_DEFAULT_GRAPH_ID).add((s, p, o))
        seen.add(g)
    return seen


def parse_graph(data: bytes, fmt: str, location: str) -> Graph:
    """Parse a triples file into a plain Graph, merging any named graphs."""
    merged = Graph()
    for s, p, o, _ in parse_quads(data, fmt, location):
        merged.add((s, p, o))
    for prefix, ns in PREFIXES.items():
        merged.bind(prefix, ns, override=False)
    return merged
