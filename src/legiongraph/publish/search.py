"""Find anything by name: an index of the labels of persons, units, places, events and countries,
folded the way ingest's duplicate check folds names (:mod:`legiongraph.linking.duplicates`).

The index lives in an SQLite file (written by :mod:`legiongraph.publish.searchfile`) and is read
with SQLite's small page cache, so that a server's memory does not grow with the store. It answers
a prefix or a misspelling in milliseconds: every word of every name is kept in a sorted table, so
the words starting with what was typed are one index range away, and a misspelt word is compared
(with :func:`names.similarity`) only against the words sharing its first two letters. Labels and
``skos:altLabel`` spellings are both searched; a hit says which spelling matched.
"""

from __future__ import annotations

import difflib
import functools
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import StoreError
from ..linking.duplicates import THRESHOLD, name_key, similarity
from .display import local_path

__all__ = ["BUDGET", "FORMAT", "KINDS", "SORTS", "Entry", "Hit", "SearchIndex", "fold"]

#: the kinds of resource searched and browsed: the IRI's first path segment, and what to call it
KINDS: dict[str, tuple[str, str]] = {
    "person": ("person", "Persons"),
    "org": ("organisation", "Organisations and units"),
    "place": ("place", "Places"),
    "event": ("event", "Events"),
    "country": ("country", "Countries"),
}
#: the version of the file's tables; a file of another version is written again
FORMAT = 2
#: at most this many names are scored per kind of match: a prefix such as "ca" may start 25,000
BUDGET = 2000
#: what a browse list can be sorted by
SORTS = ("label", "country")


def fold(text: str) -> str:
    """Return text folded for search: :func:`names.name_key`, with Г's two spellings (g, h) as one."""
    # Russian romanises Г as g, Ukrainian as h (Gerilovich, Herylovych); the duplicate check
    # tolerates that one letter through its similarity score, a prefix search needs it folded.
    return name_key(text).replace("g", "h")


@dataclass(frozen=True)
class Entry:
    """A resource that can be found: its IRI, kind, best label, other names and country."""

    iri: str
    kind: str
    label: str
    names: tuple[str, ...] = ()
    country: str | None = None

    @property
    def kind_label(self) -> str:
        """Return what the resource is, in words ("person", "organisation"...)."""
        return KINDS.get(self.kind, (self.kind, ""))[0]

    @property
    def path(self) -> str:
        """Return the local path of the resource's page."""
        return local_path(self.iri) or self.iri


@dataclass(frozen=True)
class Hit:
    """A search result: the entry, the name that matched and how well (1 is an exact match)."""

    entry: Entry
    matched: str
    score: float


Pair = tuple[int, int]  # (entry number, name number)
_BROWSE = {
    ("label", False): "sort_label, iri",
    ("label", True): "sort_label DESC, iri DESC",
    # Members without a country come last whichever the direction.
    ("country", False): "nocountry, sort_country, sort_label, iri",
    ("country", True): "nocountry, sort_country DESC, sort_label DESC, iri DESC",
}


def _score(query: str, qwords: list[str], key: str) -> float:
    """Return how well a folded name matches what was typed, 0 for not at all."""
    if key == query:
        return 1.0
    # Within a kind of match, the more of the name was typed the better it matches.
    covered = len(query) / max(len(key), 1)
    if key.startswith(query):
        return 0.9 + 0.05 * covered
    words = key.split()
    if all(any(w.startswith(q) for w in words) for q in qwords):
        return 0.85 + 0.05 * covered
    # A misspelling: every word typed must be close to a name's word of about its length
    # ("andr" is the start of Andriy, not a misspelt "and").
    word_score = 1.0
    for q in qwords:
        word_score = min(word_score, _closest(q, words))
        if word_score < THRESHOLD:
            break  # the minimum can only fall: this name is no misspelling of every word typed
    fuzzy = max(word_score, similarity(query, key, THRESHOLD))
    return 0.8 * fuzzy if fuzzy >= THRESHOLD else 0.0


def _closest(typed: str, words: list[str]) -> float:
    """Return how close ``typed`` is to the nearest word of about its length; exact from THRESHOLD."""
    return max((_word_ratio(typed, word) for word in words
                if len(word) >= 4 and abs(len(word) - len(typed)) <= 2), default=0.0)


@functools.lru_cache(maxsize=8192)
def _word_ratio(typed: str, word: str) -> float:
    """Return the ratio of a typed word to a name's word when it reaches THRESHOLD, else 0."""
    # Cached because the candidates of one search share most of their words ("synthetic",
    # "person"); the cheap upper bounds rule out most words before the costly full ratio.
    matcher = difflib.SequenceMatcher(None, typed, word)
    if matcher.real_quick_ratio() < THRESHOLD or matcher.quick_ratio() < THRESHOLD:
        return 0.0
    ratio = matcher.ratio()
    return ratio if ratio >= THRESHOLD else 0.0


class SearchIndex:
    """Every searchable resource, read from an index file: its names folded, their words sorted."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.path = path
        self._conn = conn
        # One connection serves every thread; SQLite answers one statement at a time anyway.
        self._lock = threading.RLock()
        meta = dict(conn.execute("SELECT key, value FROM meta"))
        if meta.get("format") != FORMAT:
            raise StoreError(f"{path}: search index of format {meta.get('format')}, expected {FORMAT}")
        self.version: str = meta["version"]
        self._size: int = meta["entries"]
        self.words: int = meta["words"]
        self._longest_key: int = meta["longest_key"]
        self._longest_word: int = meta["longest_word"]
        self._countries: dict[str, str] | None = None
        self._counts: dict[str, int] = {}

    @classmethod
    def open(cls, path: Path) -> SearchIndex:
        """Open an index file, read-only."""
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True,
                                   check_same_thread=False)
            return cls(conn, path)
        except (sqlite3.Error, KeyError) as exc:
            raise StoreError(f"{path}: cannot read the search index: {exc}") from None

    def close(self) -> None:
        """Close the index file."""
        with self._lock:
            self._conn.close()

    def __len__(self) -> int:
        return self._size

    def _all(self, sql: str, params: Iterable[object] = ()) -> list[tuple]:
        with self._lock:
            return self._conn.execute(sql, tuple(params)).fetchall()

    def _load(self, numbers: Iterable[int]) -> dict[int, Entry]:
        """Return the entries with these numbers, with all their names."""
        wanted = json.dumps(sorted(set(numbers)))
        names: dict[int, list[str]] = {}
        for i, name in self._all("SELECT entry, name FROM name WHERE entry IN "
                                 "(SELECT value FROM json_each(?)) ORDER BY entry, num", [wanted]):
            names.setdefault(i, []).append(name)
        return {i: Entry(iri, kind, label, tuple(names.get(i, ())), country)
                for i, iri, kind, label, country in self._all(
                    "SELECT id, iri, kind, label, country FROM entry WHERE id IN "
                    "(SELECT value FROM json_each(?))", [wanted])}

    def get(self, iri: str) -> Entry | None:
        """Return the entry of a resource, or None."""
        found = self._all("SELECT id FROM entry WHERE iri = ? ORDER BY id LIMIT 1", [iri])
        return self._load([found[0][0]])[found[0][0]] if found else None

    def countries(self) -> dict[str, str]:
        """Return the labels of the countries, by IRI."""
        if self._countries is None:
            self._countries = dict(self._all("SELECT iri, label FROM entry WHERE kind = 'country'"))
        return self._countries

    def count(self, kind: str) -> int:
        """Return how many resources of one kind there are."""
        if kind not in self._counts:
            self._counts[kind] = self._all("SELECT count(*) FROM entry WHERE kind = ?", [kind])[0][0]
        return self._counts[kind]

    def members(self, kind: str, sort: str = "label", descending: bool = False, offset: int = 0,
                limit: int | None = None) -> list[Entry]:
        """Return the resources of one kind by label or country label (those without a country last)."""
        order = _BROWSE[sort, descending]
        numbers = [i for (i,) in self._all(f"SELECT id FROM entry WHERE kind = ? ORDER BY {order} "
                                           "LIMIT ? OFFSET ?", [kind, -1 if limit is None else limit,
                                                                offset])]
        found = self._load(numbers)
        return [found[i] for i in numbers]

    def _total(self, prefix: str) -> int:
        """Return in how many names the words starting with prefix occur, counted per word."""
        return self._all("SELECT coalesce(sum(count), 0) FROM word WHERE word >= ? AND word < ?",
                         [prefix, prefix + "\uffff"])[0][0]

    def _starting(self, prefix: str, lengths: Iterable[int]) -> Iterator[tuple[int, str]]:
        """Yield the words that start with prefix, of the given lengths, shortest first."""
        # One index range per length: the words in order, without reading and sorting them all
        # (a prefix such as "1" starts 100,000 numbers at 10M triples).
        for length in lengths:
            yield from self._conn.execute(
                "SELECT id, word FROM word WHERE wlen = ? AND word >= ? AND word < ? ORDER BY word",
                (length, prefix, prefix + "\uffff"))

    def _whole(self, query: str, kind: str | None, keys: dict[Pair, str]) -> set[Pair]:
        """Return the names that start with the query, the shortest names' first, at most BUDGET."""
        where, extra = ("", ()) if kind is None else (" AND kind = ?", (kind,))
        pairs: set[Pair] = set()
        for length in range(len(query), self._longest_key + 1):
            for i, j, key in self._conn.execute(
                    f"SELECT entry, num, key FROM name WHERE klen = ? AND key >= ? AND key < ?{where} "
                    "ORDER BY key, entry, num", (length, query, query + "\uffff", *extra)):
                pairs.add((i, j))
                keys[i, j] = key
                if len(pairs) >= BUDGET:
                    return pairs
        return pairs

    def _pairs(self, words: Iterable[tuple[int, str]], kind: str | None) -> set[Pair]:
        """Return the names the words occur in, the first words' first, at most BUDGET."""
        where, extra = ("", ()) if kind is None else (" AND kind = ?", (kind,))
        pairs: set[Pair] = set()
        for number, _ in words:
            for pair in self._conn.execute(f"SELECT entry, num FROM posting WHERE word = ?{where} "
                                           "ORDER BY entry, num", (number, *extra)):
                pairs.add(pair)
                if len(pairs) >= BUDGET:
                    return pairs
        return pairs

    def _misspelt(self, word: str, kind: str | None) -> set[Pair]:
        """Return the names with a word close to ``word``: same first two letters, similar length."""
        matcher = difflib.SequenceMatcher(None, b=word)  # b is the side SequenceMatcher caches
        close = []
        for number, other in self._starting(word[:2], range(max(4, len(word) - 2), len(word) + 3)):
            matcher.set_seq1(other)
            if matcher.real_quick_ratio() >= THRESHOLD and matcher.quick_ratio() >= THRESHOLD \
                    and matcher.ratio() >= THRESHOLD:
                close.append((number, other))
        return self._pairs(close, kind)

    def _rank(self, pairs: set[Pair], query: str, qwords: list[str], best: dict[int, tuple[float, int]],
              keys: dict[Pair, str]) -> None:
        missing = json.dumps(sorted({i for i, j in pairs if (i, j) not in keys}))
        for i, j, key in self._conn.execute("SELECT entry, num, key FROM name WHERE entry IN "
                                            "(SELECT value FROM json_each(?))", (missing,)):
            keys[i, j] = key
        for i, j in pairs:
            score = _score(query, qwords, keys[i, j])
            if j:
                score -= 0.001  # the same match on the label wins over one on another spelling
            if score > 0 and (i not in best or score > best[i][0]):
                best[i] = (score, j)

    def search(self, text: str, limit: int = 10, kind: str | None = None) -> list[Hit]:
        """Return the best matches for what was typed, best first."""
        # SQLite takes UTF-8 only: a lone surrogate could be nothing stored anyway.
        query = fold(text.encode("utf-8", "replace").decode("utf-8"))
        qwords = query.split()
        if not qwords:
            return []
        with self._lock:  # the word lists below are read as they are used
            return self._search(query, qwords, limit, kind)

    def _search(self, query: str, qwords: list[str], limit: int, kind: str | None) -> list[Hit]:
        best: dict[int, tuple[float, int]] = {}  # entry: score, name number
        keys: dict[Pair, str] = {}
        # Best first: whole names starting with what was typed (an exact name among them)...
        seen = self._whole(query, kind, keys)
        self._rank(seen, query, qwords, best, keys)

        def free() -> bool:
            return sum(score >= 0.85 for score, _ in best.values()) < limit

        # ...then names with a word starting with each word typed, looked up by the rarest...
        totals = [self._total(q) for q in qwords]
        if free():
            rarest = qwords[totals.index(min(totals))]
            pairs = self._pairs(self._starting(rarest, range(len(rarest), self._longest_word + 1)),
                                kind) - seen
            self._rank(pairs, query, qwords, best, keys)
            seen |= pairs
        # ...then misspellings of the words that start no word of any name; they score below
        # the rest. They rarely touch the first two letters, which the duplicate check assumes too.
        unknown = [q for q, total in zip(qwords, totals, strict=True) if not total and len(q) >= 4]
        if unknown and free():
            self._rank(self._misspelt(max(unknown, key=len), kind) - seen, query, qwords, best, keys)
        labels = {i: (iri, label) for i, iri, label in self._conn.execute(
            "SELECT id, iri, label FROM entry WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(best)),))}
        ranked = sorted(best, key=lambda i: (-best[i][0], len(labels[i][1]), labels[i][1], labels[i][0]))
        entries = self._load(ranked[:limit])
        return [Hit(entries[i], entries[i].names[best[i][1]], best[i][0]) for i in ranked[:limit]]
