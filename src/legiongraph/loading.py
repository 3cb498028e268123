"""Parse the ontology, reference data and source documents into one rdflib Dataset.

Each kind of data lands in its own named graph (see :mod:`legiongraph.iris`): the ontology and
concept schemes in ``graph/ontology``, countries in ``graph/reference``, and every source document in
``graph/source/NAME``, where ``NAME`` is the file's stem.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

from .errors import LoadError
from .iris import GRAPH_ONTOLOGY, GRAPH_REFERENCE, PREFIXES, source_graph
from .oxterms import from_ox
from .resources import Resource, Resources

__all__ = [
    "FORMATS",
    "QUAD_FORMATS",
    "format_for",
    "iter_quads",
    "load_dataset",
    "load_files",
    "parse_graph",
    "parse_into",
    "parse_quads",
    "read_resource",
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


def _add_triples_file(target: Dataset, res: Resource | Path, graph: URIRef) -> None:
    name, location, data = read_resource(res)
    g = parse_graph(data, format_for(name), location)
    dest = target.graph(graph)
    for triple in g:
        dest.add(triple)


def read_resource(res: Resource | Path) -> tuple[str, str, bytes]:
    """Return a file's name, its location for messages, and its bytes; LoadError if unreadable."""
    if isinstance(res, Resource):
        return res.name, res.location, res.read_bytes()
    try:
        return res.name, str(res), res.read_bytes()
    except OSError as exc:
        raise LoadError(f"{res}: cannot read ({exc.strerror})", path=str(res)) from None


def _add_source_file(target: Dataset, res: Resource | Path) -> URIRef:
    name, location, data = read_resource(res)
    stem = Path(name).stem
    try:
        expected = source_graph(stem)
    except ValueError:
        raise LoadError(f"{location}: a source file name must be a lower-case slug "
                        f"such as 'glavkom-2025-05-17.trig'", path=location) from None
    fmt = format_for(name)
    if fmt not in QUAD_FORMATS:
        _add_triples_file(target, res, expected)
        return expected
    quads = parse_quads(data, fmt, location)
    graphs = {g for *_, g in quads}
    if graphs != {expected}:
        found = ", ".join(sorted("the default graph" if g is None else f"<{g}>" for g in graphs))
        raise LoadError(f"{location}: a source file must hold exactly one named graph <{expected}>;"
                        f" found {found or 'nothing'}", path=location)
    dest = target.graph(expected)
    for s, p, o, _ in quads:
        dest.add((s, p, o))
    return expected


def load_dataset(resources: Resources, extra_sources: Iterable[Path] = ()) -> Dataset:
    """Load ontology, reference data and every source file into a Dataset with a union default."""
    ds = Dataset(default_union=True)
    for res in resources.ontology():
        _add_triples_file(ds, res, GRAPH_ONTOLOGY)
    for res in resources.list("reference"):
        _add_triples_file(ds, res, GRAPH_REFERENCE)
    for res in resources.list("sources"):
        _add_source_file(ds, res)
    for path in extra_sources:
        _add_source_file(ds, Path(path))
    return ds


def load_files(paths: Iterable[Path]) -> Dataset:
    """Load arbitrary RDF files into a Dataset, each quad file keeping its own graphs."""
    ds = Dataset(default_union=True)
    for path in paths:
        name, location, data = read_resource(Path(path))
        parse_into(ds, data, format_for(name), location)
    return ds
