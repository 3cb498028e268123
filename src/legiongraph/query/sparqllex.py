"""Read a SPARQL query's tokens the way Oxigraph's parser does: strings, IRIs, comments, names.

The query gate needs three facts before a query runs: its form, the prefixes it uses, and whether
it could hold a SERVICE clause. All three follow from the tokens, in well under a millisecond,
where a full parse with rdflib costs 35-50 ms. The token rules follow the SPARQL 1.1 grammar as
Oxigraph implements it: ``\\u`` escapes are read only inside strings and IRIs (rdflib expands them
across the whole text first, so the two parsers read such a query differently; it is refused), and
a comment ends at a carriage return as well as at a line feed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from ..errors import QueryError, UpdateRefused

__all__ = ["Token", "Tokens", "query_form", "tokens", "undeclared_prefixes"]

_PN_CHARS_BASE = ("A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff"
                  "\u200c-\u200d\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
                  "\U00010000-\U000effff")
_PN_CHARS = _PN_CHARS_BASE + "_0-9\\-\u00b7\u0300-\u036f\u203f-\u2040"
_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_LOCAL_CHAR = f"[{_PN_CHARS}:]|%[0-9A-Fa-f]{{2}}|\\\\[_~.!$&'()*+,;=/?#@%-]"
_LOCAL_FIRST = f"[{_PN_CHARS_BASE}_:0-9]|%[0-9A-Fa-f]{{2}}|\\\\[_~.!$&'()*+,;=/?#@%-]"
_LOCAL = f"(?:{_LOCAL_FIRST})(?:(?:{_LOCAL_CHAR}|\\.)*(?:{_LOCAL_CHAR}))?"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"

_TOKEN = re.compile("|".join([
    r'(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n\r]|\\.)*"|\'(?:[^\'\\\n\r]|\\.)*\')',
    rf'(?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|{_UCHAR})*>)',
    r"(?P<comment>#[^\n\r]*)",
    r"(?P<space>[ \t\r\n]+)",
    rf"(?P<var>[?$][{_PN_CHARS}]+)",
    rf"(?P<bnode>_:[{_PN_CHARS_BASE}_0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)",
    rf"(?P<pname>(?:{_PREFIX})?:(?:{_LOCAL})?)",
    r"(?P<word>[A-Za-z_][A-Za-z0-9_]*)",
    r"(?P<escape>\\[uU])",
    r"(?P<other>.)",
]), re.DOTALL)

_FORMS = {"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"}
_UPDATES = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
#: deeper nesting than this is refused before any parser recurses into it
MAX_DEPTH = 128


@dataclass(frozen=True)
class Token:
    """One token: its kind (string, iri, comment, var, bnode, pname, word, other) and text."""

    kind: str
    text: str
    start: int


@dataclass(frozen=True)
class Tokens:
    """A query's significant tokens (no spaces or comments), with the text they came from."""

    text: str
    items: tuple[Token, ...]

    def where(self, token: Token) -> str:
        """Return 'line L, column C' of a token, both from 1."""
        line = self.text.count("\n", 0, token.start) + 1
        column = token.start - (self.text.rfind("\n", 0, token.start) + 1) + 1
        return f"line {line}, column {column}"


def _scan(text: str) -> Iterator[Token]:
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind in ("space", "comment"):
            continue
        yield Token(kind, match.group(), match.start())


def tokens(text: str) -> Tokens:
    """Split a query into tokens; refuse ``\\u`` escapes outside strings and IRIs, and nesting
    deeper than :data:`MAX_DEPTH`, with a QueryError naming line and column."""
    found = Tokens(text, tuple(_scan(text)))
    depth = 0
    for token in found.items:
        if token.kind == "escape":
            raise QueryError(f"a {token.text}XXXX escape outside a string or IRI at "
                             f"{found.where(token)}: SPARQL reads such escapes only inside strings "
                             "and IRIs; write the character itself")
        if token.kind == "other":
            if token.text in "({[":
                depth += 1
                if depth > MAX_DEPTH:
                    raise QueryError(f"the query is nested too deeply to parse: at most "
                                     f"{MAX_DEPTH} levels of brackets ({found.where(token)})")
            elif token.text in ")}]":
                depth -= 1
    return found


def query_form(found: Tokens) -> str:
    """Return SELECT, CONSTRUCT, DESCRIBE or ASK: the first keyword after BASE and PREFIX lines.

    Raise UpdateRefused for an update, QueryError for anything else.
    """
    items = found.items
    i = 0
    while i < len(items):
        token = items[i]
        word = token.text.upper() if token.kind == "word" else ""
        if word == "BASE":
            i += 2
        elif word == "PREFIX":
            i += 3
        elif word in _FORMS:
            return word
        elif word in _UPDATES:
            raise UpdateRefused("this endpoint is read-only: SPARQL Update is not accepted")
        else:
            raise QueryError(f"SPARQL syntax error at {found.where(token)}: expected SELECT, "
                             f"CONSTRUCT, DESCRIBE or ASK, found {token.text[:40]!r}")
    raise QueryError("the query is empty: expected SELECT, CONSTRUCT, DESCRIBE or ASK")


def declared_prefixes(found: Tokens) -> dict[str, str]:
    """Return the prefixes a query declares, name to IRI as written (unresolved)."""
    declared: dict[str, str] = {}
    items = found.items
    for i, token in enumerate(items[:-2]):
        if token.kind == "word" and token.text.upper() == "PREFIX":
            name, iri = items[i + 1], items[i + 2]
            if name.kind == "pname" and name.text.endswith(":") and iri.kind == "iri":
                declared[name.text[:-1]] = iri.text[1:-1]
    return declared


def undeclared_prefixes(found: Tokens, known: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """Return (the prefixes used that ``known`` supplies, the prefixes used that nobody declares),
    each in order of first use, for the prefixes the query does not declare itself."""
    declared = declared_prefixes(found)
    supplied: list[str] = []
    unknown: list[str] = []
    for token in found.items:
        if token.kind != "pname":
            continue
        prefix = token.text.split(":", 1)[0]
        if prefix in declared or prefix in supplied or prefix in unknown:
            continue
        (supplied if prefix in known else unknown).append(prefix)
    return supplied, unknown
