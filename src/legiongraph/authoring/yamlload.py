"""Read YAML keeping the line of every mapping, key and list item, so errors can name lines.

Scalars stay strings, integers and booleans: dates are not turned into Python dates by the loader,
so that '2025-13-01' reaches our own date check (and its message) instead of a PyYAML exception.
"""

from __future__ import annotations

from typing import Any

import yaml

from ..errors import LoadError

__all__ = ["LDict", "LList", "line_of", "load_yaml"]


class LDict(dict):
    """A mapping that knows its own line and the line of each key."""

    line: int = 0
    lines: dict[str, int]
    location: str | None = None


class LList(list):
    """A sequence that knows its own line and the line of each item."""

    line: int = 0
    lines: list[int]


class _Loader(yaml.SafeLoader):
    """SafeLoader without the timestamp resolver."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _convert(node: yaml.Node, loader: _Loader, location: str, first: int) -> Any:
    line = node.start_mark.line + first
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result = LDict()
        result.line, result.lines, result.location = line, {}, location
        for key_node, value_node in node.value:
            key = str(loader.construct_object(key_node, deep=True))
            result[key] = _convert(value_node, loader, location, first)
            result.lines[key] = key_node.start_mark.line + first
        return result
    if isinstance(node, yaml.SequenceNode):
        items = LList(_convert(item, loader, location, first) for item in node.value)
        items.line, items.lines = line, [item.start_mark.line + first for item in node.value]
        return items
    return loader.construct_object(node, deep=True)


def load_yaml(text: str, location: str, first_line: int = 1) -> Any:
    """Parse one YAML document into LDict/LList/scalars; raise LoadError naming file and line.

    ``first_line`` is the file line the text starts on (front matter starts on line 2).
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return None if node is None else _convert(node, loader, location, first_line)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + first_line if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        where = f"{location}, line {line}" if line else location
        raise LoadError(f"{where}: not valid YAML ({problem})", path=location, line=line) from None
    finally:
        loader.dispose()


def line_of(root: Any, path: list[str | int]) -> int:
    """Return the line of the value at a path of keys and indexes (the nearest one known)."""
    line, node = getattr(root, "line", 0), root
    for step in path:
        if isinstance(node, LDict) and step in node:
            line, node = node.lines.get(str(step), line), node[step]
        elif isinstance(node, LList) and isinstance(step, int) and step < len(node):
            line, node = node.lines[step], node[step]
        else:
            break
    return line
