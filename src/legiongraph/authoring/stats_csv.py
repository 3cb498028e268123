"""Compile a statistics table (CSV, one figure a row) with its header into observations.

The header, a sibling ``NAME.yaml`` or YAML front matter between ``---`` lines at the top of the
CSV, describes the source document (``source``), the data sets the rows count (``datasets``) and
the values every row shares unless it says otherwise (``defaults``).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from ..iris import mint
from .emit import Builder
from .records import check_schema, describe_source, has_source_id, source_document, tolerant
from .yamlload import LDict, load_yaml

__all__ = ["COLUMNS", "compile_table", "split_front_matter"]

COLUMNS = ("counted", "area", "value", "qualifier", "as_of", "claimant", "source", "certainty",
           "admiralty", "cited_source", "label", "description", "about", "key")
REQUIRED = ("counted", "value", "as_of")


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """Split '---' YAML front matter from a CSV; return header, table and the table's first line."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None, text, 1
    for number, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return "".join(lines[1:number]), "".join(lines[number + 1:]), number + 2
    return "".join(lines[1:]), "", len(lines) + 1


def compile_table(path: Path, text: str, builder: Builder) -> None:
    """Compile a CSV table into the builder's graph, recording every problem found."""
    header_text, table, first_line = split_front_matter(text)
    header_location, header_first = path.name, 2
    if header_text is None:
        sibling = path.with_suffix(".yaml")
        if not sibling.exists():
            builder.problems.add(1, "header", f"no header: expected YAML front matter between '---' "
                                 f"lines or a sibling file {sibling.name} describing the source")
            return
        header_text, header_location, header_first = sibling.read_text(encoding="utf-8"), sibling.name, 1
    header = load_yaml(header_text, header_location, header_first) or LDict()
    if not check_schema(header, "statsHeader", builder.problems) and not has_source_id(header):
        return  # without a source id nothing else can be checked; otherwise go on to the rows
    source_document(builder, header)
    tolerant(builder, lambda: describe_source(builder, header))
    datasets: dict[str, object] = {}
    for index, entry in enumerate(header.get("datasets") or []):
        node = mint("dataset", str(entry["id"]))
        datasets[str(entry["id"]).casefold()] = node
        if entry.get("label"):
            datasets[str(entry["label"]).strip().casefold()] = node
            tolerant(builder, lambda entry=entry, node=node, index=index: builder.dataset(
                node, entry, f"datasets[{index}]"))
    reader = csv.DictReader(io.StringIO(table))
    columns = [c.strip() for c in reader.fieldnames or []]
    for column in columns:
        if column not in COLUMNS:
            builder.problems.add(first_line, column, f"unknown column {column!r} "
                                 f"(expected some of: {', '.join(COLUMNS)})")
    for column in REQUIRED:
        if column not in columns:
            builder.problems.add(first_line, column, "missing column (every table needs counted, "
                                 "value and as_of)")
    if builder.problems.found:
        return
    for row in reader:
        line = first_line + reader.line_num - 1
        entry = LDict({k.strip(): v.strip() for k, v in row.items() if k and v and v.strip()})
        entry.line, entry.lines = line, dict.fromkeys(entry, line)
        for column in REQUIRED:
            if column not in entry:
                builder.problem(entry, column, "", "empty: expected a value")
        counted = str(entry.get("counted", "")).casefold()
        if counted and counted not in datasets:
            dataset = builder.parse(entry, "counted", "", lambda v: _dataset(builder, v))
            if dataset is None:
                continue
            datasets[counted] = dataset
        if "value" in entry and "as_of" in entry and counted:
            if "source" in entry:
                _with_source(builder, entry, datasets[counted])
            else:
                builder.observation(datasets[counted], entry, "")


def _dataset(builder: Builder, value: str) -> object:
    # A data set of the store by its id (slug) or, like any entity, by its label or IRI.
    by_id = mint("dataset", value) if re.fullmatch(r"[a-z0-9][a-z0-9._-]*", value) else None
    if by_id is not None and builder.resolver.known(by_id):
        return by_id
    return builder.resolver.entity(value, "data set")


def _with_source(builder: Builder, entry: LDict, dataset: object) -> None:
    # A row may name another document it was read from; the header's is the default.
    saved = builder.source
    builder.source = builder.ref(entry, "source", "", "source document")
    builder.observation(dataset, entry, "")
    builder.source = saved
