"""Probable duplicates: the same person under two spellings of a transliterated name.

Names reach the graph through English, Ukrainian and Russian sources, each transliterating in its
own way: "Maksym Ziaziulchyk" and "Maksim Zyazyulchik" are one man. :func:`name_key` folds the
usual differences (diacritics, y/i, j/i, kh/h, zh/z, ts/c, doubled letters, word order) and
:func:`similarity` scores two names; a new person whose name scores 0.85 or more against another
person is reported as a probable duplicate, never merged automatically. Only names sharing the
first two letters of a word are compared, so that a graph of many thousand persons is searched in
a fraction of a second.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rdflib.term import Node

__all__ = ["THRESHOLD", "Duplicate", "name_key", "numbers", "probable_duplicates", "similarity"]

THRESHOLD = 0.85

# Applied in order, after lower-casing and removing diacritics.
_FOLDS = (("shch", "sc"), ("kh", "h"), ("zh", "z"), ("tz", "c"), ("ts", "c"), ("ch", "c"),
          ("sh", "s"), ("ph", "f"), ("ck", "k"), ("w", "v"), ("q", "k"), ("x", "ks"), ("j", "i"),
          ("y", "i"), ("ie", "e"))


# Letters NFKD does not decompose, and Cyrillic (Russian, Ukrainian, Belarusian) in Latin letters;
# the folds below then even out the different romanisations.
_LETTERS = str.maketrans({
    "ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i",
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "e", "є": "ye",
    "ж": "zh", "з": "z", "и": "i", "і": "i", "ї": "yi", "й": "y", "к": "k", "л": "l", "м": "m",
    "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ў": "u", "ф": "f",
    "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e",
    "ю": "yu", "я": "ya",
})
_APOSTROPHES = re.compile(r"[\u02bc\u2019'`]")
_OTHER = re.compile(r"[^a-z0-9]+")
# Doubled letters only: "unit 11" and "unit 1" are two units, not two spellings of one.
_DOUBLED = re.compile(r"([a-z])\1+")
_NUMBER = re.compile(r"\d+")


def name_key(name: str) -> str:
    """Return a name folded so that common transliteration variants become equal."""
    text = name.lower()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.translate(_LETTERS))
        text = "".join(c for c in text if not unicodedata.combining(c))
    text = _OTHER.sub(" ", _APOSTROPHES.sub("", text)).strip()
    for old, new in _FOLDS:
        text = text.replace(old, new)
    return _DOUBLED.sub(r"\1", text)


def numbers(key: str) -> list[str]:
    """Return the numbers in a name key, in order: two names score 0 unless theirs are the same."""
    return _NUMBER.findall(key)


@dataclass(frozen=True)
class _Keyed:
    person: Node
    name: str
    key: str
    ordered: str  # the key's words in alphabetical order, for names written surname first

    @classmethod
    def of(cls, person: Node, name: str) -> _Keyed:
        key = name_key(name)
        return cls(person, name, key, " ".join(sorted(key.split())))

    def blocks(self) -> set[str]:
        """Return the word beginnings under which similar names are looked up."""
        return {word[:2] for word in self.key.split() if len(word) >= 2}


def _score(a: _Keyed, b: _Keyed, threshold: float = 0.0) -> float:
    if not a.key or not b.key:
        return 0.0
    if numbers(a.key) != numbers(b.key):
        return 0.0  # "unit 12" and "unit 13" differ however alike the rest is
    if a.key == b.key or a.ordered == b.ordered:
        return 1.0
    best = 0.0
    for x, y in ((a.key, b.key), (a.ordered, b.ordered)):
        matcher = difflib.SequenceMatcher(None, x, y)
        # Cheap upper bounds first: most pairs are far apart.
        if matcher.real_quick_ratio() >= threshold and matcher.quick_ratio() >= threshold:
            best = max(best, matcher.ratio())
    return best


def similarity(a: str, b: str, threshold: float = 0.0) -> float:
    """Return how alike two names are, from 0 to 1, ignoring transliteration and word order.

    A score of at least ``threshold`` is exact; under it, some lower score may be returned, as the
    cheap upper bounds skip the full comparison of names that cannot reach it.
    """
    return _score(_keyed(a), _keyed(b), threshold)


@functools.lru_cache(maxsize=4096)
def _keyed(name: str) -> _Keyed:
    # Cached because a search compares one typed name with thousands of others.
    return _Keyed.of(None, name)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Duplicate:
    """A new person whose name is close to another person's."""

    new: Node
    new_name: str
    existing: Node
    existing_name: str
    score: float
    #: True when the other person is new too (two files, or one file, name them both)
    both_new: bool = False

    def describe(self) -> str:
        """Return the warning as one line."""
        where = "also new in these sources" if self.both_new else "already in the graph"
        return (f"probable duplicate: {self.new_name!r} <{self.new}> looks like {self.existing_name!r} "
                f"<{self.existing}> {where} (similarity {self.score:.2f}); if they are the same "
                "person, use one IRI and put the other spelling in skos:altLabel")


def probable_duplicates(new: Mapping[Node, Iterable[str]], existing: Mapping[Node, Iterable[str]],
                        threshold: float = THRESHOLD) -> list[Duplicate]:
    """Return, for each new person, the other persons whose names are close to theirs."""
    fresh = [_Keyed.of(person, name) for person, names in new.items() for name in names]
    known = [_Keyed.of(person, name) for person, names in existing.items() for name in names]
    index: dict[str, list[_Keyed]] = {}
    for entry in known + fresh:
        for block in entry.blocks():
            index.setdefault(block, []).append(entry)
    best: dict[tuple[Node, Node], Duplicate] = {}
    for entry in fresh:
        candidates = {id(c): c for block in entry.blocks() for c in index.get(block, ())}
        for other in candidates.values():
            both_new = other.person in new
            # A pair of new persons is reported once.
            if other.person == entry.person or (both_new and str(other.person) < str(entry.person)):
                continue
            score = _score(entry, other, threshold)
            pair = (entry.person, other.person)
            if score >= threshold and score > getattr(best.get(pair), "score", 0):
                best[pair] = Duplicate(entry.person, entry.name, other.person, other.name, score, both_new)
    return sorted(best.values(), key=lambda d: (str(d.new), -d.score, str(d.existing)))
