"""Inspect a SPARQL request before it runs: its form, its prefixes, and the SERVICE calls it makes.

Every query is first read token by token as Oxigraph reads it (:mod:`legiongraph.query.sparqllex`):
that gives its form and the prefixes it uses, refuses ``\\u`` escapes outside strings and IRIs
(where rdflib and Oxigraph would read two different queries) and names an undeclared prefix. The
project's prefixes (``iris.PREFIXES``) are declared for every query, as the query UI lists them.

A query that could hold a SERVICE clause (the word "service" anywhere but in a comment on a line
of its own) is then parsed into SPARQL algebra with rdflib's parser, so that the SERVICE decision
rests on the parsed query, never on its text: the word SERVICE inside a string literal is not a
SERVICE clause, and ``service silent`` in lower case inside an OPTIONAL or a FILTER EXISTS is one.
Such a query this parser cannot read is refused, even one another engine might accept. A query
without that word cannot make Oxigraph call a service (its keywords are ASCII, and it reads no
escape outside strings and IRIs), so it skips rdflib's 35-50 ms parse.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from pyparsing import ParseResults
from pyparsing.exceptions import ParseBaseException
from rdflib import Variable
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from ..errors import QueryError, UpdateRefused
from ..iris import PREFIXES
from .sparqllex import Tokens, query_form, tokens, undeclared_prefixes

__all__ = [
    "PREDECLARED",
    "QueryInfo",
    "declare_prefixes",
    "explain_failure",
    "inspect_query",
    "with_prefixes",
]

#: the prefixes every query may use without declaring them (those the query UI lists)
PREDECLARED: dict[str, str] = {name: str(ns) for name, ns in PREFIXES.items()}
# "service" outside a comment that has its line to itself: a line-start comment is a comment or
# the inside of a long string for Oxigraph, never code.
_OWN_LINE_COMMENT = re.compile(r"^[ \t]*#[^\n]*", re.MULTILINE)
_SERVICE_WORD = re.compile("service", re.IGNORECASE)
_ANY_ESCAPE = re.compile(r"\\[uU]")

_FORMS = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}


@dataclass(frozen=True)
class QueryInfo:
    """What a parsed query is: its form and the SERVICE endpoints it names.

    ``services`` holds each SERVICE endpoint IRI, and ``?name`` for an endpoint given by a
    variable.
    """

    form: str
    services: tuple[str, ...] = ()
    #: the project's prefixes the query uses without declaring them, which the engine is given
    prefixes: tuple[str, ...] = ()

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
        elif isinstance(item, list | tuple | ParseResults):
            stack.extend(item)


def _is_update(text: str) -> bool:
    try:
        parseUpdate(text)
    except (ParseBaseException, RecursionError, ValueError, TypeError):
        return False
    return True


def _service_term(node: CompValue) -> str:
    term = node.get("term")
    return f"?{term}" if isinstance(term, Variable) else str(term)


def _as_the_spec_reads_it(text: str) -> str:
    """Return the text with every carriage return made a line feed, for rdflib's parser.

    SPARQL ends a comment at CR or LF; rdflib ends it at LF only, so ``# c<CR>SERVICE <x> {}``
    hid a SERVICE clause from this gate that Oxigraph then ran (found by the fuzz tests). CR and LF
    are interchangeable everywhere else the grammar allows them (whitespace, long strings: whose
    value does not matter here), so the gate judges the query the engines will run.
    """
    return text.replace("\r\n", "\n").replace("\r", "\n")


def inspect_query(text: str, base_iri: str | None = None) -> QueryInfo:
    """Read a query; raise QueryError naming line and column, or UpdateRefused for updates."""
    if len(text) > _CACHED_TEXT:
        return _inspect(text, base_iri)
    return _inspect_once(text, base_iri)


def _inspect(text: str, base_iri: str | None) -> QueryInfo:
    text = _as_the_spec_reads_it(text)
    found = tokens(text)
    supplied = _supplied_prefixes(found)
    if not _SERVICE_WORD.search(_OWN_LINE_COMMENT.sub("", text)):
        return QueryInfo(form=query_form(found), prefixes=tuple(supplied))
    escape = _ANY_ESCAPE.search(text)
    if escape:
        # rdflib expands these across the whole text before parsing, Oxigraph only inside strings
        # and IRIs: "\u0022" is a one-character string to Oxigraph and a quote to rdflib, which then
        # reads a SERVICE clause as part of a string (issue 13). The gate reads with rdflib here.
        line = text.count("\n", 0, escape.start()) + 1
        raise QueryError(f"a {escape.group()}XXXX escape at line {line} in a query that may call a "
                         "SERVICE: write the character itself (such queries are read by two "
                         "parsers that expand escapes differently)")
    return replace(_parsed(text, base_iri), prefixes=tuple(supplied))


# The verdict on a query depends on its text and base IRI alone: each worker keeps its recent
# ones, so that a query asked again is not tokenized again (0.2-0.4 ms a named query). Refusals
# are exceptions and are not kept; nor are long texts, so the cache stays under 2 MB.
_CACHED_TEXT = 8192
_inspect_once = functools.lru_cache(maxsize=256)(_inspect)
#: the gate without the cache (what a query never seen before costs), for the benchmarks
inspect_query.__wrapped__ = _inspect  # type: ignore[attr-defined]


def _supplied_prefixes(found: Tokens) -> list[str]:
    """Return the project's prefixes a query uses undeclared; QueryError names an unknown one."""
    supplied, unknown = undeclared_prefixes(found, PREDECLARED)
    if unknown:
        name = unknown[0]
        raise QueryError(f"unknown prefix {name}: add PREFIX {name}: <...> at the top of the query "
                         f"(declared for every query: {', '.join(sorted(PREDECLARED))})")
    return supplied


def declare_prefixes(text: str) -> str:
    """Return a query with the project's prefixes it uses declared (for tools that run queries
    without the gate, such as the CLI); raise QueryError naming a prefix nobody declares."""
    supplied = _supplied_prefixes(tokens(text))
    return with_prefixes(text, QueryInfo(form="", prefixes=tuple(supplied)))


def explain_failure(text: str, base_iri: str | None = None) -> None:
    """Raise rdflib's QueryError (naming line and column) for a query the engine refused, if
    rdflib cannot read it either; return quietly otherwise (the engine's own error stands)."""
    _parsed(_as_the_spec_reads_it(text), base_iri)


def with_prefixes(text: str, info: QueryInfo) -> str:
    """Return the query with the project's prefixes it uses declared, on its first line."""
    if not info.prefixes:
        return text
    # On the first line, so that an engine's error names the query's own line numbers.
    return "".join(f"PREFIX {n}: <{PREDECLARED[n]}> " for n in info.prefixes) + text


# rdflib's parser costs 35-50 ms a query: each worker remembers its recent verdicts for the
# queries that need it. Refusals are exceptions and are not cached.
@functools.lru_cache(maxsize=128)
def _parsed(text: str, base_iri: str | None) -> QueryInfo:
    """Parse a query with rdflib; return its form and SERVICE endpoints."""
    try:
        parsed = parseQuery(text)
        in_parse = sum(1 for n in _walk(parsed) if n.name == "ServiceGraphPattern")
        algebra = translateQuery(parsed, base=base_iri, initNs=PREDECLARED).algebra
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
    services = tuple(sorted({_service_term(n) for n in _walk(algebra)
                             if n.name == "ServiceGraphPattern"}))
    if in_parse and not services:
        # Both walks must agree: a SERVICE the algebra lost is refused, never let through unseen.
        raise QueryError("the query's SERVICE clause could not be resolved")
    return QueryInfo(form=form, services=services)
