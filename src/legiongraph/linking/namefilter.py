"""Which stored names could be probable duplicates of some new names: a filter the store evaluates.

:func:`~legiongraph.linking.duplicates.probable_duplicates` scores two names 0 unless their keys
carry the same numbers ("unit 12" is not "unit 13", "Synthetic person 7" not "Synthetic person
70"). :func:`could_match` turns that rule into a SPARQL expression, so that the store hands back
only the names that might score, instead of every person's name in the graph (about 147,000 at
ten million triples), and the exact scoring then runs on those few.

The expression must never drop a name that could score above 0. It relies on what
:func:`~legiongraph.linking.duplicates.name_key` does to the characters of a name:

- It keeps every ASCII digit of a name, whatever the script around it, and adds none of its own
  to an ASCII name (only NFKD of a non-ASCII character, "²" or "１", makes a digit).
- In an ASCII name without an apostrophe (``'`` or a backtick, which the key drops), the key's
  numbers are exactly the name's runs of digits: everything else becomes letters or spaces. A
  non-ASCII name can join two runs (a combining mark or "ъ" between them disappears), so it is
  always kept.

A name whose key has no number therefore can only match a stored name with no ASCII digit, and a
name whose key has the numbers ``12, 7`` only a stored name whose runs of digits are "12" then
"7", unless that name has an apostrophe or a character outside printable ASCII. The filter knows
nothing of letters: a name without numbers is still compared with every stored name without
numbers. ``tests/test_namefilter.py`` checks it against the scoring on random names.
"""

from __future__ import annotations

from collections.abc import Iterable

from .duplicates import name_key, numbers

__all__ = ["could_match"]

# A name with a character outside printable ASCII, or an apostrophe (0x27) or a backtick (0x60).
_UNPLAIN = "[^ -&(-_a-~]"
# Printable ASCII but the digits: what may stand between the numbers of a plain name.
_NOT_DIGIT = "[ -/:-~]"
# More sets of numbers than this (a large source) and one test for any digit replaces them.
_MAX_RUNS = 32


def could_match(names: Iterable[str], var: str = "?n") -> str:
    """Return a SPARQL expression true of every name in ``var`` that could score above 0 against these."""
    plain, runs = False, set()
    for name in names:
        key = name_key(name)
        if not key:
            continue  # an empty key scores 0 against everything
        found = tuple(numbers(key))
        plain |= not found
        if found:
            runs.add(found)
    if not plain and not runs:
        return "false"
    patterns = ["^[^0-9]*$"] if plain else []
    if len(runs) > _MAX_RUNS:
        patterns.append("[0-9]")  # a cheaper superset than one pattern per set of numbers
    else:
        patterns += [f"^{_NOT_DIGIT}*{f'{_NOT_DIGIT}+'.join(found)}{_NOT_DIGIT}*$" for found in sorted(runs)]
    if runs:
        patterns.append(_UNPLAIN)
    # One regex: each STR() reads the name's text from the store again, and Oxigraph runs this
    # alternation, in this order, about as fast as no test at all (0.48 s for 147,000 names at
    # ten million triples, the same as reading them; with the class first, 1.1 s).
    return f'REGEX(STR({var}), "{"|".join(patterns)}")'
