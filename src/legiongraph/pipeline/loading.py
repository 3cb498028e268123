"""Parse the ontology, reference data and source documents into one rdflib Dataset.

Each kind of data lands in its own named graph (see :mod:`legiongraph.iris`): the ontology and
concept schemes in ``graph/ontology``, countries in ``graph/reference``, and every source document in
``graph/source/NAME``, where ``NAME`` is the file's stem.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rdflib import Dataset, URIRef

from ..errors import LoadError
from ..iris import GRAPH_ONTOLOGY, GRAPH_REFERENCE, source_graph
from ..parsing import QUAD_FORMATS, format_for, parse_graph, parse_into, parse_quads
from ..resources import Resource, Resources

__all__ = ["load_dataset", "load_files", "read_resource"]


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
