"""SHACL's tests on single terms, as SPARQL expressions and as exact Python re-checks.

A SPARQL condition on a term is written to be true only where pySHACL (the reference) certainly
agrees that the term passes; where the two can disagree, the Python re-check decides, following
pySHACL's behaviour (ill-typed literals, Python regular expressions, comparisons of literals).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from pyshacl.rdfutil.compare import compare_literal
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node, _toPythonMapping

from .errors import ShapesError

__all__ = [
    "NUMERIC",
    "SAFE_LEXICAL",
    "all_of",
    "any_of",
    "compare_sparql",
    "datatype_passes",
    "datatype_sparql",
    "escape",
    "language_passes",
    "le_passes",
    "le_sparql",
    "node_kind_passes",
    "pattern_sparql",
    "python_regex",
    "range_passes",
    "show_node",
    "sparql_term",
    "string_value",
]

# Hours, minutes and seconds of a duration, at least one of them; Python's timedelta overflows
# on huge components.
_N = "[0-9]{1,6}"
_TIME = f"({_N}H({_N}M)?({_N}(\\.[0-9]+)?S)?|{_N}M({_N}(\\.[0-9]+)?S)?|{_N}(\\.[0-9]+)?S)"
_LEAP = r"([1-9][0-9](0[48]|[2468][048]|[13579][26])|([2468][048]|[13579][26])00)-02-29"
# Lexical forms that rdflib certainly parses to a value of the right Python type: a literal of one
# of these datatypes passes pySHACL's sh:datatype when its lexical form matches (tests fuzz this).
SAFE_LEXICAL = {
    XSD.integer: r"^[+-]?[0-9]+$",
    XSD.nonNegativeInteger: r"^[+]?[0-9]+$",
    XSD.decimal: r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$",
    XSD.boolean: r"^(true|false|1|0)$",
    XSD.date: r"^([1-9][0-9]{3}-((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)"
              r"|(0[13578]|1[02])-31)|" + _LEAP + ")$",
    XSD.duration: f"^P(({_N}Y({_N}M)?({_N}D)?|{_N}M({_N}D)?|{_N}D)(T{_TIME})?|T{_TIME})$",
}
NUMERIC = (XSD.integer, XSD.nonNegativeInteger, XSD.decimal)


def show_node(node: Node) -> str:
    return f"<{node}>" if isinstance(node, URIRef) else f"[blank node {node}]"


def escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\r", "\\r"))


def sparql_term(term: Node, where: Node) -> str:
    """Write an IRI or a literal as SPARQL; blank nodes cannot be named in a query."""
    if isinstance(term, URIRef):
        if re.search(r'[\x00-\x20<>"{}|^`\\]', str(term)):
            raise ShapesError(f"shape {show_node(where)}: IRI {term!r} cannot be written in SPARQL")
        return f"<{term}>"
    if isinstance(term, Literal):
        if term.language:
            return f'"{escape(str(term))}"@{term.language}'
        return f'"{escape(str(term))}"' + (f"^^<{term.datatype}>" if term.datatype else "")
    raise ShapesError(f"shape {show_node(where)}: a blank node {term} is used as a value")



def any_of(exprs: list[str]) -> str:
    return "(" + " || ".join(exprs) + ")" if len(exprs) > 1 else exprs[0] if exprs else "false"


def all_of(exprs: list[str]) -> str:
    return "(" + " && ".join(exprs) + ")" if len(exprs) > 1 else exprs[0] if exprs else "true"


def datatype_sparql(var: str, datatype: Node, where: Node) -> str:
    if datatype == RDF.langString:
        return f'(isLiteral({var}) && LANG({var}) != "")'
    if datatype in (RDFS.Literal, RDFS.Datatype):
        return "false"  # rare: every value is re-checked in Python
    same = f"isLiteral({var}) && DATATYPE({var}) = {sparql_term(datatype, where)}"
    if _toPythonMapping.get(datatype) is None:
        return f"({same})"  # no rdflib parser: pySHACL only compares the datatype
    if datatype in SAFE_LEXICAL:
        return f'({same} && REGEX(STR({var}), "{escape(SAFE_LEXICAL[datatype])}"))'
    return "false"


def pattern_sparql(var: str, pattern: Node, flags: str) -> str:
    text = str(pattern)
    # Regex dialects differ; anything outside their common core is left to the Python re-check.
    if re.search(r"\(\?[=!<PpLmsux#]|\\[1-9AZzbBGg]|[\x00-\x08]", text):
        return "false"
    kept = "".join(f for f in "im" if f in flags.lower())  # pySHACL honours only i and m
    return f'(!isBlank({var}) && REGEX(STR({var}), "{escape(text)}", "{kept}"))'


def _safe_typed(var: str, types: tuple) -> str:
    return " || ".join(f'(DATATYPE({var}) = <{t}> && REGEX(STR({var}), "{escape(SAFE_LEXICAL[t])}"))'
                       for t in types if t in SAFE_LEXICAL)


def compare_sparql(var: str, op: str, bound: Node, where: Node) -> str:
    if not isinstance(bound, Literal):
        raise ShapesError(f"shape {show_node(where)}: a range bound must be a literal")
    typed = _safe_typed(var, NUMERIC if bound.datatype in NUMERIC else (bound.datatype,))
    if not typed:
        return "false"
    return f"(isLiteral({var}) && ({typed}) && {var} {op} {sparql_term(bound, where)})"


def le_sparql(a: str, b: str) -> str:
    """True only when pySHACL certainly finds ``a <= b``: two dates, numbers or strings of one type."""
    same = " || ".join(f"(DATATYPE({a}) = <{t}> && DATATYPE({b}) = <{t}>)"
                       for t in (XSD.date, XSD.integer, XSD.decimal, XSD.string))
    safe = f"({_safe_typed(a, (XSD.date, XSD.integer, XSD.decimal))} || DATATYPE({a}) = <{XSD.string}>)"
    safe_b = f"({_safe_typed(b, (XSD.date, XSD.integer, XSD.decimal))} || DATATYPE({b}) = <{XSD.string}>)"
    return f"(isLiteral({a}) && isLiteral({b}) && ({same}) && {safe} && {safe_b} && {a} <= {b})"


# ------------------------------------------------------------ pySHACL's tests, term by term
def string_value(v: Node) -> str:
    if isinstance(v, Literal) and v.value is not None and v.datatype in (None, RDF.langString, XSD.string):
        return str(v.value)
    return str(v)


def python_regex(pattern: Node, flags: str) -> re.Pattern:
    text = str(pattern.value) if isinstance(pattern, Literal) and pattern.value is not None \
        and len(pattern.value) > 1 else str(pattern)
    return re.compile(text, (re.I if "i" in flags.lower() else 0) | (re.M if "m" in flags.lower() else 0))


def datatype_passes(v: Node, rule: Node) -> bool:
    """Tell whether one value passes sh:datatype as pySHACL (the reference) decides it."""
    if not isinstance(v, Literal):
        return False
    if v.datatype == rule:
        return v.ill_typed is not True and _actual_datatype(v, rule)
    if rule == RDFS.Literal or (rule == RDFS.Datatype and v.datatype):
        return True
    if v.datatype is None and v.language is None and rule == XSD.string:
        return _actual_datatype(v, rule)
    return bool(rule == RDF.langString and v.language and _actual_datatype(v, rule))


_PYTHON_TYPES = {XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int,
                 XSD.float: float, XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: datetime.date,
                 XSD.time: datetime.time, XSD.dateTime: datetime.datetime}


def _actual_datatype(v: Literal, rule: Node) -> bool:
    return isinstance(v.value, _PYTHON_TYPES[rule]) if rule in _PYTHON_TYPES else True


def node_kind_passes(v: Node, kind: Node) -> bool:
    if isinstance(v, BNode):
        return kind in (SH.BlankNode, SH.BlankNodeOrLiteral, SH.BlankNodeOrIRI)
    if isinstance(v, Literal):
        return kind in (SH.Literal, SH.BlankNodeOrLiteral, SH.IRIOrLiteral)
    return kind in (SH.IRI, SH.IRIOrLiteral, SH.BlankNodeOrIRI)


def language_passes(v: Node, langs: set[str]) -> bool:
    if not isinstance(v, Literal) or not v.language:
        return False
    lang = str(v.language).lower()
    return "*" in langs or lang in langs or lang.split("-")[0] in langs


def range_passes(v: Node, bound: Node, sign: int) -> bool:
    """pySHACL's sh:minInclusive (sign 1) and sh:maxInclusive (sign -1) for one value."""
    if not isinstance(v, Literal) or not isinstance(bound, Literal):
        return False
    if isinstance(bound.value, str) != isinstance(v.value, str):
        return False
    try:
        return sign * compare_literal(v, bound) >= 0
    except (TypeError, NotImplementedError, ArithmeticError):  # pySHACL crashes on a NaN decimal
        return False


def _comparable(term: Node) -> tuple[object, bool]:
    if isinstance(term, URIRef):
        return str(term), True
    if isinstance(term, Literal) and isinstance(term.value, str):
        return term.value, True
    return term, False


def le_passes(v: Node, other: Node) -> bool:
    """pySHACL's sh:lessThanOrEquals for one pair (blank nodes, which it refuses, fail)."""
    if isinstance(v, BNode) or isinstance(other, BNode):
        return False
    (a, a_text), (b, b_text) = _comparable(v), _comparable(other)
    if a_text != b_text:
        return False
    try:
        return bool(a <= b)
    except TypeError:
        return False


