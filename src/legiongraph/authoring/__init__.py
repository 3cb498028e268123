"""Authoring formats: statistics tables (CSV) and source records (YAML), compiled to RDF.

``compile_source(path, existing)`` reads one file and returns the graph of its source, in the
encoding of ``data/sources/*.trig``; ``existing`` (the union of the store's graphs as a Graph, or a
:class:`~legiongraph.authoring.known.Known` that asks a store) resolves the names of countries,
organisations, persons and documents already known. Every problem in a file
is reported at once, each with its file, line and field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from ..errors import LoadError
from ..iris import source_graph
from .emit import Builder
from .known import Known
from .problems import Problems
from .records import check_schema, compile_record, has_source_id, schema, tolerant
from .resolve import Resolver
from .sourcefile import SourceFile
from .stats_csv import compile_table
from .yamlload import LDict, load_yaml

__all__ = ["SUFFIXES", "CompiledSource", "as_source_file", "compile_source", "schema"]

SUFFIXES = (".csv", ".yaml", ".yml")


@dataclass
class CompiledSource:
    """One compiled source: its name (the graph is graph/source/NAME), triples and warnings."""

    name: str
    graph: Graph
    warnings: list[str] = field(default_factory=list)
    origins: dict = field(default_factory=dict)
    fields: dict = field(default_factory=dict)


def compile_source(path: str | Path, existing: Graph | Known) -> CompiledSource:
    """Compile a .csv table or a .yaml/.yml source record; raise LoadError listing every problem."""
    path = Path(path)
    name = path.stem
    try:
        source_graph(name)
    except ValueError:
        raise LoadError(f"{path}: a source file name must be a lower-case slug such as "
                        f"'made-up-chq-2025-06.csv'", path=str(path)) from None
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise LoadError(f"{path}: not an authoring format (expected {', '.join(SUFFIXES)})",
                        path=str(path))
    if suffix != ".csv" and path.with_suffix(".csv").exists():
        raise LoadError(f"{path}: this is the header of {path.with_suffix('.csv').name}; "
                        "ingest the .csv file instead", path=str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError(f"{path}: cannot read ({exc})", path=str(path)) from None
    problems = Problems(path.name)
    builder = Builder(Resolver(existing), problems)
    if suffix == ".csv":
        compile_table(path, text, builder)
    else:
        data = load_yaml(text, path.name) or LDict()
        if check_schema(data, None, problems) or has_source_id(data):
            # Problems in one part never hide those of the others: all are reported at once.
            tolerant(builder, lambda: compile_record(data, builder, name))
    problems.raise_if_any()
    return CompiledSource(name, builder.graph, builder.warnings, builder.origins, builder.fields)


def as_source_file(path: str | Path, existing: Graph | Known) -> SourceFile:
    """Compile an authoring file into the SourceFile that ingest validates and writes."""
    path = Path(path)
    compiled = compile_source(path, existing)
    graph = source_graph(compiled.name)
    triples = Graph(identifier=graph)
    for prefix, ns in compiled.graph.namespaces():
        triples.bind(prefix, ns)
    for triple in compiled.graph:
        triples.add(triple)
    return SourceFile(path, compiled.name, graph, triples, path.read_bytes(),
                      origins=dict(compiled.origins), fields=dict(compiled.fields))
