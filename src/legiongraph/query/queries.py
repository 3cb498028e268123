"""Named queries: ``queries/*.rq`` files with ``# title:`` and ``# description:`` headers."""

from __future__ import annotations

import difflib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from pyparsing import ParseBaseException
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

from ..errors import LoadError, QueryError, ResourceNotFound, UpdateRefused
from ..resources import Resource, Resources
from ..stores.base import Store
from ..stores.results import QueryResult
from .sparqlgate import declare_prefixes

__all__ = ["NamedQuery", "check_query", "list_queries", "parse_named_query", "resolve_query",
           "run_query"]

_HEADER = re.compile(r"^#\s*(title|description):\s*(.+?)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class NamedQuery:
    """A SPARQL query with a name, a title and a description."""

    name: str
    title: str
    description: str
    text: str
    location: str


def parse_named_query(name: str, text: str, location: str) -> NamedQuery:
    """Read the header comments of a query file; raise LoadError if either is missing."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        match = _HEADER.match(line)
        if match:
            key = match.group(1).lower()
            found[key] = (found[key] + " " if key in found else "") + match.group(2)
    missing = [k for k in ("title", "description") if k not in found]
    if missing:
        raise LoadError(f"{location}: the header lacks a '# {missing[0]}:' line", path=location)
    return NamedQuery(name, found["title"], found["description"], text, location)


def _from_resource(res: Resource) -> NamedQuery:
    return parse_named_query(res.stem, res.read_text(), res.location)


def list_queries(resources: Resources) -> list[NamedQuery]:
    """Return every named query, sorted by name."""
    return [_from_resource(res) for res in resources.list("queries")]


def resolve_query(resources: Resources, spec: str) -> NamedQuery:
    """Turn a query name, a file path or ``-`` (standard input) into a query."""
    if spec == "-":
        return NamedQuery("stdin", "standard input", "", sys.stdin.read(), "<stdin>")
    path = Path(spec)
    if spec.endswith(".rq") or path.is_file():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise LoadError(f"{path}: cannot read the query ({exc})", path=str(path)) from None
        return NamedQuery(path.stem, path.stem, "", text, str(path))
    try:
        return _from_resource(resources.get("queries", spec))
    except ResourceNotFound:
        names = [q.name for q in list_queries(resources)]
        # A typo is the usual cause: name the nearest query rather than all of them.
        close = difflib.get_close_matches(spec, names, n=1, cutoff=0.6)
        hint = (f"did you mean {close[0]}?" if close
                else f"'legiongraph queries' lists the {len(names)} named queries")
        raise ResourceNotFound(f"no named query or file {spec!r}; {hint}") from None


def check_query(query: NamedQuery) -> str:
    """Parse a query and return its form (SELECT, ASK, CONSTRUCT, DESCRIBE).

    Raise UpdateRefused for a SPARQL Update and QueryError naming ``file:line:column`` for a
    syntax error.
    """
    try:
        parsed = parseQuery(query.text)
    except ParseBaseException as exc:
        try:
            parseUpdate(query.text)
        except ParseBaseException:
            near = exc.line.strip()[:60]
            raise QueryError(f"{query.location}:{exc.lineno}:{exc.col}: SPARQL syntax error: "
                             f"{exc.msg} (near {near!r})") from None
        raise UpdateRefused(f"{query.location}: this is a SPARQL Update; 'legiongraph query' only "
                            "reads the store, updates are not supported") from None
    except RecursionError:
        raise QueryError(f"{query.location}: the query is nested too deeply to parse") from None
    return str(parsed[1].name).removesuffix("Query").upper()


def run_query(store: Store, query: NamedQuery | str) -> QueryResult:
    """Run a named query or a SPARQL string on a store."""
    text = query.text if isinstance(query, NamedQuery) else query
    # The project's prefixes are declared for every query, as at the endpoint.
    return store.query(declare_prefixes(text))
