"""Literals kept as written: refuse, before they reach the store, the datatypes Oxigraph rewrites.

An Oxigraph store keeps the derived integer types and ``xsd:dateTimeStamp`` in canonical form:
``"007"^^xsd:int`` reads back as ``"7"^^xsd:integer``, the ill-typed ``"-1"^^xsd:nonNegativeInteger``
as the valid ``"-1"^^xsd:integer``, ``xsd:dateTimeStamp`` as ``xsd:dateTime`` (measured with
pyoxigraph 0.5.13; ../shared/PITFALLS.md). Validation would then judge something other than what
the file says, and exports would change it silently. Such a literal is therefore an error naming the
file, the line and the datatype to write instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import pyoxigraph as ox
from rdflib import Literal
from rdflib.term import Node

from .errors import LoadError

__all__ = ["REWRITTEN", "check_literals", "check_quads"]

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = ("int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
             "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong", "unsignedShort",
             "unsignedByte")
#: datatype IRI the store rewrites -> the datatype to write instead
REWRITTEN: dict[str, str] = {
    **{_XSD + name: "xsd:integer (a shape can bound it, as sh:minInclusive 0 does)" for name in _INTEGERS},
    _XSD + "dateTimeStamp": "xsd:dateTime with a time zone",
}
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


def check_quads(quads: Iterable[ox.Quad], data: bytes, location: str) -> Iterator[ox.Quad]:
    """Pass parsed Oxigraph quads through; raise LoadError at a literal the store would rewrite."""
    if not _MENTION.search(data):
        yield from quads
        return
    for q in quads:
        o = q.object
        if isinstance(o, ox.Literal) and o.datatype.value in REWRITTEN:
            raise _refuse(data, location, o.value, o.datatype.value)
        yield q


def check_literals(objects: Iterable[Node], data: bytes, location: str) -> None:
    """Raise LoadError at the first rdflib literal among ``objects`` that the store would rewrite."""
    if not _MENTION.search(data):
        return
    for o in objects:
        if isinstance(o, Literal) and o.datatype is not None and str(o.datatype) in REWRITTEN:
            raise _refuse(data, location, str(o), str(o.datatype))
