"""The in-memory search index as it was before the index moved to an SQLite file (commit 1ace702),
and the browse lists' sort of that time: the reference tests/test_search_file.py compares with.
"""

from __future__ import annotations

import bisect
import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import URIRef
from rdflib.namespace import SKOS

from legiongraph.iris import ID
from legiongraph.linking.duplicates import THRESHOLD, similarity
from legiongraph.publish.display import LABEL_PROPERTIES, sparql_prefixes
from legiongraph.publish.search import KINDS, Entry, Hit, fold
from legiongraph.stores.base import Store

__all__ = ["SearchIndex", "build_index", "sorted_members"]

_NAMES = (*LABEL_PROPERTIES, SKOS.altLabel)
_ALL_NAMES = f"""
SELECT ?s ?p ?l WHERE {{
  VALUES ?p {{ {" ".join(f"<{p}>" for p in _NAMES)} }}
  ?s ?p ?l .
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ID}"))
}}"""
_MEMBERS = f'SELECT DISTINCT ?s WHERE {{ ?s a ?t FILTER(STRSTARTS(STR(?s), "{ID}")) }}'
# Persons' citizenship, an organisation's seat, the country a place or an event's place lies in.
_COUNTRIES = sparql_prefixes() + """
SELECT ?s ?c WHERE {
  ?c a schema:Country .
  ?s (schema:nationality|lg:basedIn|sem:hasPlace|schema:containedInPlace)+ ?c .
}"""


Pair = tuple[int, int]  # (entry number, name number)
#: at most this many names are scored per kind of match: a prefix such as "ca" may start 25,000
BUDGET = 2000


@dataclass
class SearchIndex:
    """Every searchable resource; its names folded, and their distinct words and whole keys sorted."""

    entries: list[Entry] = field(default_factory=list)
    keys: list[tuple[str, ...]] = field(default_factory=list)
    iris: dict[str, Entry] = field(default_factory=dict)
    #: distinct folded words, sorted, and the names each occurs in
    vocabulary: list[str] = field(default_factory=list)
    postings: dict[str, list[Pair]] = field(default_factory=dict)
    #: distinct folded whole names, sorted, and the names they are
    whole: list[str] = field(default_factory=list)
    named: dict[str, list[Pair]] = field(default_factory=dict)

    @classmethod
    def of(cls, entries: Iterable[Entry]) -> SearchIndex:
        """Index entries by every word of every name, and by the whole name."""
        index = cls(entries=list(entries))
        for i, entry in enumerate(index.entries):
            keys = tuple(fold(name) for name in entry.names)
            index.keys.append(keys)
            for j, key in enumerate(keys):
                index.named.setdefault(key, []).append((i, j))
                for word in set(key.split()):
                    index.postings.setdefault(word, []).append((i, j))
        index.vocabulary = sorted(index.postings)
        index.whole = sorted(index.named)
        index.iris = {e.iri: e for e in index.entries}
        return index

    @property
    def words(self) -> int:
        """Return how many distinct words the index holds."""
        return len(self.vocabulary)

    def __len__(self) -> int:
        return len(self.entries)

    def by_iri(self) -> dict[str, Entry]:
        """Return the entries by IRI."""
        return self.iris

    def members(self, kind: str) -> list[Entry]:
        """Return the entries of one kind, in no particular order."""
        return [e for e in self.entries if e.kind == kind]

    @staticmethod
    def _starting(items: list[str], prefix: str) -> list[str]:
        """Return the sorted items that start with prefix, shortest first."""
        lo = bisect.bisect_left(items, prefix)
        hi = bisect.bisect_left(items, prefix + "\uffff")
        return sorted(items[lo:hi], key=len)

    def _pairs(self, found: list[str], where: dict[str, list[Pair]], kind: str | None) -> set[Pair]:
        """Return the names under the items found, the shortest items' first, at most BUDGET."""
        pairs: set[Pair] = set()
        for item in found:
            for i, j in where[item]:
                if kind is None or self.entries[i].kind == kind:
                    pairs.add((i, j))
                    if len(pairs) >= BUDGET:
                        return pairs
        return pairs

    def _score(self, query: str, qwords: list[str], i: int, j: int) -> float:
        key = self.keys[i][j]
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
        word_score = min(max([difflib.SequenceMatcher(None, q, w).ratio() for w in words
                              if len(w) >= 4 and abs(len(w) - len(q)) <= 2] or [0.0])
                         for q in qwords)
        fuzzy = max(word_score, similarity(query, key))
        return 0.8 * fuzzy if fuzzy >= THRESHOLD else 0.0

    def _misspelt(self, word: str, kind: str | None) -> set[Pair]:
        """Return the names with a word close to ``word``: same first two letters, similar length."""
        matcher = difflib.SequenceMatcher(None, b=word)  # b is the side SequenceMatcher caches
        close = []
        for other in self._starting(self.vocabulary, word[:2]):
            if len(other) < 4 or abs(len(other) - len(word)) > 2:
                continue
            matcher.set_seq1(other)
            if matcher.real_quick_ratio() >= THRESHOLD and matcher.quick_ratio() >= THRESHOLD \
                    and matcher.ratio() >= THRESHOLD:
                close.append(other)
        return self._pairs(close, self.postings, kind)

    def _rank(self, pairs: set[Pair], query: str, qwords: list[str], best: dict[int, Hit]) -> None:
        for i, j in pairs:
            score = self._score(query, qwords, i, j)
            if j:
                score -= 0.001  # the same match on the label wins over one on another spelling
            if score > 0 and (i not in best or score > best[i].score):
                best[i] = Hit(self.entries[i], self.entries[i].names[j], score)

    def search(self, text: str, limit: int = 10, kind: str | None = None) -> list[Hit]:
        """Return the best matches for what was typed, best first."""
        query = fold(text)
        qwords = query.split()
        if not qwords:
            return []
        best: dict[int, Hit] = {}
        # Best first: whole names starting with what was typed (an exact name among them)...
        seen = self._pairs(self._starting(self.whole, query), self.named, kind)
        self._rank(seen, query, qwords, best)

        def free() -> bool:
            return sum(h.score >= 0.85 for h in best.values()) < limit

        # ...then names with a word starting with each word typed, looked up by the rarest...
        found = [self._starting(self.vocabulary, q) for q in qwords]
        if free():
            rarest = min(found, key=lambda words: sum(len(self.postings[w]) for w in words))
            pairs = self._pairs(rarest, self.postings, kind) - seen
            self._rank(pairs, query, qwords, best)
            seen |= pairs
        # ...then misspellings of the words that start no word of any name; they score below
        # the rest. They rarely touch the first two letters, which the duplicate check assumes too.
        unknown = [q for q, words in zip(qwords, found, strict=True) if not words and len(q) >= 4]
        if unknown and free():
            self._rank(self._misspelt(max(unknown, key=len), kind) - seen, query, qwords, best)
        ranked = sorted(best.values(), key=lambda h: (-h.score, len(h.entry.label), h.entry.label,
                                                       h.entry.iri))
        return ranked[:limit]


def _best_label(names: list[tuple[URIRef, str, str]]) -> str:
    """Return the preferred label: the best label property, English first, then untagged."""
    def rank(item: tuple[URIRef, str, str]) -> tuple[int, int]:
        prop, _, lang = item
        order = LABEL_PROPERTIES.index(prop) if prop in LABEL_PROPERTIES else len(LABEL_PROPERTIES)
        return order, 0 if lang.startswith("en") else 1 if not lang else 2
    return min(names, key=rank)[1]


def build_index(store: Store) -> SearchIndex:
    """Read every searchable resource's names, kind and country from the store, and index them."""
    names: dict[str, list[tuple[URIRef, str, str]]] = {}
    for s, p, lit in store.query(_ALL_NAMES).rows:
        names.setdefault(str(s), []).append((p, str(lit), getattr(lit, "language", None) or ""))
    members = {str(s) for (s,) in store.query(_MEMBERS).rows} | set(names)
    countries: dict[str, str] = {}
    for s, c in store.query(_COUNTRIES).rows:
        countries.setdefault(str(s), str(c))
    entries = []
    for iri in sorted(members):
        kind = iri[len(ID):].split("/", 1)[0]
        if kind not in KINDS:
            continue
        found = names.get(iri, [])
        label = _best_label(found) if found else iri[len(ID):]
        others = sorted({text for _, text, _ in found} - {label})
        country = iri if kind == "country" else countries.get(iri)
        entries.append(Entry(iri, kind, label, (label, *others), country))
    return SearchIndex.of(entries)



def sorted_members(entries: list[Entry], sort: str, descending: bool,
                   countries: dict[str, str]) -> list[Entry]:
    """Return a browse list's members as web/browse.py sorted them."""
    def key(e: Entry) -> tuple[str, str, str]:
        country = countries.get(e.country or "", "")
        first = country if sort == "country" else e.label
        return first.casefold(), e.label.casefold(), e.iri
    ordered = sorted(entries, key=key, reverse=descending)
    if sort == "country":
        ordered.sort(key=lambda e: not e.country)
    return ordered
