"""Query results independent of the store, and their serialisations.

Every store returns a :class:`QueryResult` whose terms are rdflib terms, so that golden files,
the CLI and the endpoint see the same values whatever the back end. Tabular results are written in
the W3C SPARQL 1.1 formats: JSON, XML, CSV and TSV.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal as TypingLiteral

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

__all__ = ["TABULAR_FORMATS", "Capped", "QueryResult", "serialize_result", "short_term", "term_to_tsv",
           "with_json_note", "write_capped"]

Kind = TypingLiteral["SELECT", "ASK", "CONSTRUCT"]
TABULAR_FORMATS = ("table", "csv", "tsv", "json", "xml")


@dataclass
class QueryResult:
    """The answer to one query: rows for SELECT, a boolean for ASK, a graph for CONSTRUCT."""

    kind: Kind
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Node | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None

    def column(self, name: str) -> list[Node | None]:
        """Return the values of one variable, in row order."""
        index = self.variables.index(name)
        return [row[index] for row in self.rows]


def term_to_tsv(term: Node | None) -> str:
    """Return a term in the SPARQL 1.1 TSV encoding (Turtle syntax, empty when unbound)."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        lexical = (str(term).replace("\\", "\\\\").replace('"', '\\"')
                   .replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t"))
        if term.language:
            return f'"{lexical}"@{term.language}'
        if term.datatype and term.datatype != XSD.string:
            return f'"{lexical}"^^<{term.datatype}>'
        return f'"{lexical}"'
    raise TypeError(f"not an RDF term: {term!r}")


def _json_term(term: Node) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype and term.datatype != XSD.string:
        out["datatype"] = str(term.datatype)
    return out


def _to_json(result: QueryResult, extension: dict | None = None) -> str:
    if result.kind == "ASK":
        return json.dumps({"head": {}, "boolean": bool(result.boolean)}, ensure_ascii=False)
    bindings = [
        {var: _json_term(val) for var, val in zip(result.variables, row, strict=True)
         if val is not None}
        for row in result.rows
    ]
    doc: dict = {"head": {"vars": result.variables}, "results": {"bindings": bindings}}
    if extension is not None:
        # An extra top-level key: SPARQL JSON readers ignore members they do not know.
        doc["legiongraph"] = extension
    return json.dumps(doc, ensure_ascii=False, indent=1)


@dataclass(frozen=True)
class Capped:
    """An answer written within the caps: its bytes, its rows, and the cap that cut it, if any."""

    body: bytes
    rows: int
    truncated_by: str | None = None
    limit: int | None = None


def write_capped(total: int, write: Callable[[int, str | None, int | None], bytes],
                 max_rows: int | None, max_bytes: int | None) -> Capped:
    """Write ``write(n, cap, limit)`` for at most ``max_rows`` rows, then fewer to fit ``max_bytes``."""
    n, by, limit = total, None, None
    if max_rows is not None and total > max_rows:
        n, by, limit = max_rows, "max_rows", max_rows
    body = write(n, by, limit)
    # Shrink in proportion to the overshoot: two or three passes at most, as rows are alike.
    while max_bytes is not None and len(body) > max_bytes and n > 0:
        n = min(n - 1, int(n * max_bytes / len(body) * 0.95))
        by, limit = "max_result_bytes", max_bytes
        body = write(n, by, limit)
    return Capped(body, n, by, limit)


def with_json_note(body: bytes, note: dict) -> bytes:
    """Add a top-level ``"legiongraph"`` member to a SPARQL JSON document (readers ignore it)."""
    doc = json.loads(body)
    doc["legiongraph"] = note
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def _to_xml(result: QueryResult) -> str:
    from xml.sax.saxutils import escape, quoteattr

    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "<head>"]
    out += [f"<variable name={quoteattr(v)}/>" for v in result.variables]
    out.append("</head>")
    if result.kind == "ASK":
        out.append(f"<boolean>{'true' if result.boolean else 'false'}</boolean>")
    else:
        out.append("<results>")
        for row in result.rows:
            out.append("<result>")
            for var, val in zip(result.variables, row, strict=True):
                if val is None:
                    continue
                if isinstance(val, URIRef):
                    inner = f"<uri>{escape(str(val))}</uri>"
                elif isinstance(val, BNode):
                    inner = f"<bnode>{escape(str(val))}</bnode>"
                else:
                    if val.language:
                        attr = f" xml:lang={quoteattr(val.language)}"
                    elif val.datatype and val.datatype != XSD.string:
                        attr = f" datatype={quoteattr(str(val.datatype))}"
                    else:
                        attr = ""
                    inner = f"<literal{attr}>{escape(str(val))}</literal>"
                out.append(f"<binding name={quoteattr(var)}>{inner}</binding>")
            out.append("</result>")
        out.append("</results>")
    out.append("</sparql>")
    return "\n".join(out) + "\n"


def _to_csv(result: QueryResult) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    if result.kind == "ASK":
        writer.writerow(["_askResult"])
        writer.writerow(["true" if result.boolean else "false"])
        return buf.getvalue()
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow(["" if v is None else (f"_:{v}" if isinstance(v, BNode) else str(v))
                         for v in row])
    return buf.getvalue()


def _to_tsv(result: QueryResult) -> str:
    if result.kind == "ASK":
        return f"?_askResult\n{'true' if result.boolean else 'false'}\n"
    lines = ["\t".join("?" + v for v in result.variables)]
    lines += ["\t".join(term_to_tsv(v) for v in row) for row in result.rows]
    return "\n".join(lines) + "\n"


def short_term(term: Node | None, prefixes: Sequence[tuple[str, str]]) -> str:
    """Return a term as a table shows it: a prefixed name where a prefix fits, else as text."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        for prefix, ns in prefixes:
            if term.startswith(ns) and len(term) > len(ns):
                return f"{prefix}:{term[len(ns):]}"
        return f"<{term}>"
    return str(term)


def _to_table(result: QueryResult, prefixes: dict[str, str]) -> str:
    if result.kind == "ASK":
        return ("yes" if result.boolean else "no") + "\n"
    # Longest namespace first so that lgid: wins over a shorter prefix of it.
    ordered = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
    cells = [[short_term(v, ordered) for v in row] for row in result.rows]
    widths = [max([len(v)] + [len(r[i]) for r in cells]) for i, v in enumerate(result.variables)]
    def fmt(values: Sequence[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()
    lines = [fmt(result.variables), fmt(["-" * w for w in widths])]
    lines += [fmt(r) for r in cells]
    lines.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(lines) + "\n"


def serialize_result(result: QueryResult, fmt: str, prefixes: dict[str, str] | None = None,
                     extension: dict | None = None) -> str:
    """Write a SELECT or ASK result as table, csv, tsv, json or xml; a graph result as Turtle.

    ``extension`` (JSON only) becomes a top-level ``"legiongraph"`` member, e.g. a truncation note.
    """
    if result.kind == "CONSTRUCT":
        assert result.graph is not None
        for prefix, ns in (prefixes or {}).items():
            result.graph.bind(prefix, ns, override=False)
        return result.graph.serialize(format="turtle")
    writers = {
        "table": lambda r: _to_table(r, prefixes or {}),
        "csv": _to_csv,
        "tsv": _to_tsv,
        "json": lambda r: _to_json(r, extension),
        "xml": _to_xml,
    }
    if fmt not in writers:
        raise ValueError(f"unknown result format {fmt!r}; expected one of {TABULAR_FORMATS}")
    return writers[fmt](result)
