"""Inspect a SPARQL request before it runs: its form, and whether it is an update.

The query is parsed into SPARQL algebra with rdflib's parser, so decisions rest on the parsed
query, never on its text: the word SERVICE inside a string literal is not a SERVICE clause.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pyparsing.exceptions import ParseBaseException
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from .errors import QueryError, UpdateRefused

__all__ = ["QueryInfo", "inspect_query"]

_FORMS = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}


@dataclass(frozen=True)
class QueryInfo:
    """What a parsed query is: its form and the SERVICE endpoints it names."""

    form: str
    services: tuple[str, ...] = ()

    @property
    def returns_graph(self) -> bool:
        """Tell whether the query answers with RDF triples rather than a table or boolean."""
        return self.form in ("CONSTRUCT", "DESCRIBE")


def _walk(node: object) -> Iterator[CompValue]:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            yield item
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)


def _is_update(text: str) -> bool:
    try:
        parseUpdate(text)
    except (ParseBaseException, RecursionError, ValueError, TypeError):
        return False
    return True


def inspect_query(text: str, base_iri: str | None = None) -> QueryInfo:
    """Parse a query; raise QueryError naming line and column, or UpdateRefused for updates."""
    try:
        parsed = parseQuery(text)
        algebra = translateQuery(parsed, base=base_iri).algebra
    except ParseBaseException as exc:
        if _is_update(text):
            raise UpdateRefused("this endpoint is read-only: SPARQL Update is not accepted") from None
        raise QueryError(f"SPARQL syntax error at line {exc.lineno}, column {exc.col}: {exc.msg}"
                         f" (near {exc.line.strip()[:80]!r})") from None
    except RecursionError:
        raise QueryError("the query is nested too deeply to parse") from None
    except Exception as exc:  # rdflib's algebra translation raises assorted types on bad queries
        raise QueryError(f"the query cannot be parsed: {exc}") from None
    form = _FORMS.get(algebra.name)
    if form is None:
        raise QueryError(f"unsupported query form {algebra.name}")
    services = tuple(sorted({str(n.get("term")) for n in _walk(algebra)
                             if n.name == "ServiceGraphPattern"}))
    return QueryInfo(form=form, services=services)
