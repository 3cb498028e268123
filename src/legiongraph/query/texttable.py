"""Query results as an aligned text table that fits a terminal's width, and English plurals."""

from __future__ import annotations

from collections.abc import Sequence

from rdflib.term import Node

from ..stores.results import QueryResult, short_term

__all__ = ["ELLIPSIS", "fit_widths", "plural", "render_table"]

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


def render_table(result: QueryResult, prefixes: dict[str, str], width: int | None = None) -> str:
    """Return a SELECT or ASK result as a text table at most ``width`` characters wide (None: any)."""
    if result.kind == "ASK":
        return ("yes" if result.boolean else "no") + "\n"
    # Longest namespace first so that lgid: wins over a shorter prefix of it.
    ordered = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
    cells = [[_short(v, ordered) for v in row] for row in result.rows]
    heads = [len(v) for v in result.variables]
    natural = [max([len(v)] + [len(r[i]) for r in cells]) for i, v in enumerate(result.variables)]
    widths = fit_widths(natural, heads, width)

    def line(values: Sequence[str]) -> str:
        return GAP.join(_cut(v, w).ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    lines = [line(result.variables), line(["-" * w for w in widths])]
    lines += [line(r) for r in cells]
    if widths != natural:
        lines.append(f"(values cut to fit are marked {ELLIPSIS}; --wide shows them whole)")
    lines.append(f"({plural(len(cells), 'row')})")
    return "\n".join(lines) + "\n"
