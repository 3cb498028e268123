"""Literals kept as written: refuse, before they reach the store, the datatypes Oxigraph rewrites.

An Oxigraph store keeps the derived integer types and ``xsd:dateTimeStamp`` in canonical form:
``"007"^^xsd:int`` reads back as ``"7"^^xsd:integer``, the ill-typed ``"-1"^^xsd:nonNegativeInteger``
as the valid ``"-1"^^xsd:integer``, ``xsd:dateTimeStamp`` as ``xsd:dateTime`` (measured with
pyoxigraph 0.5.13; ../shared/PITFALLS.md). Validation would then judge something other than what
the file says, and exports would change it silently. Such a literal is therefore an error naming the
file, the line and the datatype to write instead.

The store also keeps numbers, booleans, dates and durations as values, so a valid but non-canonical
lexical form comes back canonical (``"007"^^xsd:integer`` as ``"7"``, ``"1"^^xsd:boolean`` as
``"true"``, ``"P12M"`` as ``"P1Y"``). Such a literal is an error too, naming the form to write. An
ill-typed form (``"abc"^^xsd:integer``) is kept as written, and validation reports it. That includes
Turtle's decimal shorthand with trailing zeros (``2200.00`` comes back as ``"2200"^^xsd:decimal``):
the message names the form to write.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache

import pyoxigraph as ox

from ..errors import LoadError

__all__ = ["REWRITTEN", "canonical_form", "check_quads", "literal_checker"]

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = ("int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
             "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong", "unsignedShort",
             "unsignedByte")
#: datatype IRI the store rewrites -> the datatype to write instead
REWRITTEN: dict[str, str] = {
    **{_XSD + name: "xsd:integer (a shape can bound it, as sh:minInclusive 0 does)" for name in _INTEGERS},
    _XSD + "dateTimeStamp": "xsd:dateTime with a time zone",
}
# Datatypes the store keeps as values, with a pattern that only canonical forms match (the common
# case, decided without the store); anything else is asked of a scratch store.
_CANONICAL = {
    _XSD + "integer": re.compile(r"0|-?[1-9][0-9]*"),
    _XSD + "decimal": re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?"),
    _XSD + "boolean": re.compile(r"true|false"),
    _XSD + "date": re.compile(r"-?[0-9]{4}-[0-9]{2}-[0-9]{2}Z?"),
    _XSD + "dateTime": re.compile(
        r"-?[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*[1-9])?Z?"),
    _XSD + "time": re.compile(r"[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*[1-9])?Z?"),
    _XSD + "gYear": re.compile(r"-?[0-9]{4}Z?"),
    _XSD + "gYearMonth": re.compile(r"-?[0-9]{4}-[0-9]{2}Z?"),
    **{_XSD + name: re.compile(r"(?!)") for name in (
        "double", "float", "duration", "yearMonthDuration", "dayTimeDuration", "gMonth", "gDay",
        "gMonthDay")},
}
_SUBJECT, _PREDICATE = ox.NamedNode("urn:x-legiongraph:s"), ox.NamedNode("urn:x-legiongraph:p")


@lru_cache(maxsize=4096)
def canonical_form(lexical: str, datatype: str) -> str:
    """Return the lexical form the store gives back for a literal (the same for an ill-typed one)."""
    pattern = _CANONICAL.get(datatype)
    if pattern is None or pattern.fullmatch(lexical):
        return lexical
    scratch = ox.Store()
    scratch.add(ox.Quad(_SUBJECT, _PREDICATE, ox.Literal(lexical, datatype=ox.NamedNode(datatype))))
    (quad,) = scratch
    return quad.object.value


def _not_canonical(data: bytes, location: str, lexical: str, datatype: str, canonical: str) -> LoadError:
    line = _line_of(data, lexical, datatype)
    where = f"{location}, line {line}" if line else location
    short = "xsd:" + datatype.removeprefix(_XSD)
    return LoadError(
        f'{where}: "{lexical}"^^{short} is refused: the store keeps it as "{canonical}", so what comes '
        f'out would not be what went in; write "{canonical}"^^{short} instead', path=location, line=line)


# Cheap test on the file's bytes first: most files name none of these datatypes.
_MENTION = re.compile(rb"[:#](?:" + b"|".join(n.encode() for n in (*_INTEGERS, "dateTimeStamp")) + rb")\b")


def _line_of(data: bytes, lexical: str, datatype: str) -> int | None:
    """Find the line that writes the literal, for the message (parsers give no positions)."""
    name = re.escape(datatype.removeprefix(_XSD)).encode()
    written = re.escape(lexical).encode()
    for pattern in (rb"\"" + written + rb"\"\s*\^\^\s*(?:[A-Za-z][\w.-]*)?:" + name + rb"\b",
                    rb"\"" + written + rb"\"\s*\^\^\s*<" + re.escape(datatype).encode() + rb">",
                    rb"[:#]" + name + rb"\b"):
        found = re.search(pattern, data)
        if found:
            return data.count(b"\n", 0, found.start()) + 1
    return None


def _refuse(data: bytes, location: str, lexical: str, datatype: str) -> LoadError:
    line = _line_of(data, lexical, datatype)
    where = f"{location}, line {line}" if line else location
    short = "xsd:" + datatype.removeprefix(_XSD)
    return LoadError(
        f'{where}: "{lexical}"^^{short} is refused: the store would keep it in another form, so what '
        f"comes out would not be what went in; write {REWRITTEN[datatype]} instead",
        path=location, line=line)


def literal_checker(data: bytes, location: str) -> Callable[[ox.Literal], None]:
    """Return a function that raises LoadError at a literal of this file the store would rewrite."""
    derived = bool(_MENTION.search(data))

    def check(literal: ox.Literal) -> None:
        datatype = literal.datatype.value
        if datatype in _CANONICAL:
            canonical = canonical_form(literal.value, datatype)
            if canonical != literal.value:
                raise _not_canonical(data, location, literal.value, datatype, canonical)
        elif derived and datatype in REWRITTEN:
            raise _refuse(data, location, literal.value, datatype)

    return check


def check_quads(quads: Iterable[ox.Quad], data: bytes, location: str) -> Iterator[ox.Quad]:
    """Pass parsed Oxigraph quads through; raise LoadError at a literal the store would rewrite."""
    check = literal_checker(data, location)
    for q in quads:
        if isinstance(q.object, ox.Literal):
            check(q.object)
        yield q
