"""Query results as an aligned text table that fits a terminal's width, and English plurals."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Sequence

from rdflib.term import Node

from ..stores.results import QueryResult, short_term

__all__ = ["ELLIPSIS", "fit_widths", "plural", "render_rows", "render_table", "table_width"]

ELLIPSIS = "…"
GAP = "  "
#: a column is never cut narrower than this (nor than its header)
MIN_WIDTH = 8


def plural(n: int, word: str, many: str | None = None) -> str:
    """Return ``n`` with ``word`` in the right number: "1 source", "2 sources"."""
    return f"{n} {word if n == 1 else many or word + 's'}"


def _short(term: Node | None, prefixes: Sequence[tuple[str, str]]) -> str:
    # A line break inside a cell would break the table's rows apart.
    return " ".join(short_term(term, prefixes).split())


def fit_widths(natural: Sequence[int], headers: Sequence[int], width: int | None) -> list[int]:
    """Return column widths that fit ``width`` characters, narrowing the widest columns first.

    Headers are never cut; when even the headers do not fit, the table stays wider than asked.
    """
    widths = list(natural)
    if width is None:
        return widths
    floors = [min(n, max(h, MIN_WIDTH)) for n, h in zip(natural, headers, strict=True)]
    excess = sum(widths) + len(GAP) * (len(widths) - 1) - width
    while excess > 0:
        # Take one character at a time from the widest column that may still shrink.
        shrinkable = [i for i, w in enumerate(widths) if w > floors[i]]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda i: widths[i])
        widths[widest] -= 1
        excess -= 1
    return widths


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + ELLIPSIS


def render_rows(headers: Sequence[str], cells: Sequence[Sequence[str]],
                width: int | None = None) -> list[str]:
    """Return a header, a rule and one line per row, columns aligned to fit ``width`` (None: any)."""
    heads = [len(h) for h in headers]
    natural = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    widths = fit_widths(natural, heads, width)

    def line(values: Sequence[str]) -> str:
        return GAP.join(_cut(v, w).ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    lines = [line(headers), line(["-" * w for w in widths])]
    lines += [line(r) for r in cells]
    if widths != natural:
        lines.append(f"(values cut to fit are marked {ELLIPSIS}; --wide shows them whole)")
    return lines


def render_table(result: QueryResult, prefixes: dict[str, str], width: int | None = None) -> str:
    """Return a SELECT or ASK result as a text table at most ``width`` characters wide (None: any)."""
    if result.kind == "ASK":
        return ("yes" if result.boolean else "no") + "\n"
    # Longest namespace first so that lgid: wins over a shorter prefix of it.
    ordered = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
    cells = [[_short(v, ordered) for v in row] for row in result.rows]
    lines = render_rows(result.variables, cells, width)
    lines.append(f"({plural(len(cells), 'row')})")
    return "\n".join(lines) + "\n"


def table_width(wide: bool) -> int | None:
    """Return the width a table must fit: the terminal's, $COLUMNS in a pipe, or None (any)."""
    if wide:
        return None
    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 0 else None
