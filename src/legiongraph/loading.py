"""Parse the ontology, reference data and source documents into one rdflib Dataset.

Each kind of data lands in its own named graph (see :mod:`legiongraph.iris`): the ontology and
concept schemes in ``graph/ontology``, countries in ``graph/reference``, and every source document in
``graph/source/NAME``, where ``NAME`` is the file's stem.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.exceptions import ParserError
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.plugins.parsers.notation3 import BadSyntax

from .errors import LoadError
from .iris import GRAPH_ONTOLOGY, GRAPH_REFERENCE, source_graph
from .resources import Resource, Resources

__all__ = [
    "FORMATS",
    "format_for",
    "load_dataset",
    "load_files",
    "parse_graph",
    "parse_into",
]

# File suffix -> rdflib parser name. Only formats that cannot fetch or expand anything.
FORMATS = {
    ".ttl": "turtle",
    ".trig": "trig",
    ".nt": "nt",
    ".nq": "nquads",
}
QUAD_FORMATS = {"trig", "nquads"}


def format_for(name: str) -> str:
    """Return the parser name for a file name, or raise LoadError naming the file."""
    suffix = Path(name).suffix.lower()
    if suffix not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        raise LoadError(f"{name}: unsupported file type {suffix or '(none)'}; expected {known}",
                        path=name)
    return FORMATS[suffix]


def _line_of(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None


def parse_into(target: Dataset, data: bytes, fmt: str, location: str) -> Dataset:
    """Parse bytes of RDF into a fresh Dataset; raise LoadError with file and line on bad input."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LoadError(f"{location}: not UTF-8 (byte {exc.start})", path=location) from None
    parsed = Dataset()
    try:
        parsed.parse(data=text, format=fmt, publicID=f"file:///{Path(location).name}")
    except BadSyntax as exc:
        line = exc.lines + 1
        raise LoadError(f"{location}, line {line}: {exc._why}", path=location, line=line) from None
    except (ParserError, SyntaxError, ValueError) as exc:
        line = _line_of(str(exc))
        where = f"{location}, line {line}" if line else location
        raise LoadError(f"{where}: {exc}", path=location, line=line) from None
    for ctx in parsed.graphs():
        graph = target.graph(ctx.identifier)
        for triple in ctx:
            graph.add(triple)
    for prefix, ns in parsed.namespaces():
        target.bind(prefix, ns, override=False)
    return parsed


def parse_graph(data: bytes, fmt: str, location: str) -> Graph:
    """Parse a triples file into a plain Graph."""
    ds = Dataset()
    parse_into(ds, data, fmt, location)
    merged = Graph()
    for ctx in ds.graphs():
        for triple in ctx:
            merged.add(triple)
    for prefix, ns in ds.namespaces():
        merged.bind(prefix, ns, override=False)
    return merged


def _add_triples_file(target: Dataset, res: Resource | Path, graph: URIRef) -> None:
    name, location, data = _describe(res)
    g = parse_graph(data, format_for(name), location)
    dest = target.graph(graph)
    for triple in g:
        dest.add(triple)


def _describe(res: Resource | Path) -> tuple[str, str, bytes]:
    if isinstance(res, Resource):
        return res.name, res.location, res.read_bytes()
    try:
        return res.name, str(res), res.read_bytes()
    except OSError as exc:
        raise LoadError(f"{res}: cannot read ({exc.strerror})", path=str(res)) from None


def _add_source_file(target: Dataset, res: Resource | Path) -> URIRef:
    name, location, data = _describe(res)
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
    parsed = Dataset()
    parse_into(parsed, data, fmt, location)
    graphs = {ctx.identifier for ctx in parsed.graphs() if len(ctx)}
    if graphs != {expected}:
        found = ", ".join(sorted("the default graph" if g == DATASET_DEFAULT_GRAPH_ID else f"<{g}>"
                                 for g in graphs)) or "nothing"
        raise LoadError(f"{location}: a source file must hold exactly one named graph <{expected}>;"
                        f" found {found}", path=location)
    dest = target.graph(expected)
    for triple in parsed.graph(expected):
        dest.add(triple)
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
        name, location, data = _describe(Path(path))
        parse_into(ds, data, format_for(name), location)
    return ds
