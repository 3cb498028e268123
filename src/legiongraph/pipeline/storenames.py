"""Answer the authoring formats' questions about a store with a few SPARQL lookups.

A CSV table or YAML record compiled for ingest resolves its names against the store. Reading the
whole store for that (12 million triples at 10M) took minutes and gigabytes; :class:`StoreKnown`
asks only about the names and nodes the file mentions, over the union of the named graphs, as the
rdflib union did.

Names are compared by key (case-folded, whitespace collapsed: ``authoring.known.name_key``), which
no index of the store knows. A name is first looked up by the literals it may be written as (the
text as given, collapsed, case-folded, lower-case; plain or ``@en``): an index lookup, under a
millisecond. Only a name not found that way is looked for in a scan of every name with a
case-insensitive regular expression (about 3 s at 10M triples), and an unknown name's suggestions
scan the names of a length that could be close (about 9 s at 10M). So a name found as written is
not also looked for in other spellings: if another entity carries it in other letter case or
another language, the spelling as written decides (a Graph reports the name as ambiguous).
"""

from __future__ import annotations

import difflib
from collections import defaultdict

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

from ..authoring.known import NAME_PROPERTIES, Country, Known, close_length, display_of, name_key
from ..iris import LG
from ..stores.base import Store
from ..stores.results import term_to_tsv

__all__ = ["StoreKnown"]

# Oxigraph plans "VALUES ?o {...} VALUES ?p {...} ?s ?p ?o" as a scan once ?o has four values or
# more (0.4 s at 1M triples against 0.5 ms), so the object lookup filters ?p instead. The scans run
# one property at a time with nothing but the text test in the store: isIRI(?s) or isLiteral(?o)
# there, or a UNION binding ?p, made them 2-3 times slower at 10M (checked here instead).
_IS_NAME = "?p IN (" + ", ".join(term_to_tsv(p) for p in NAME_PROPERTIES) + ")"


def _string(text: str) -> str:
    return term_to_tsv(Literal(text))


def _pattern(key: str, collapsed: str) -> str:
    """Return a regular expression matching a name in any case and spacing (the key's words)."""
    # The case-folded and the lower-case spelling differ where folding expands (ß, ligatures).
    spellings = dict.fromkeys([key, collapsed.lower()])
    return "|".join("^\\s*" + "\\s+".join(_escape(word) for word in spelling.split()) + "\\s*$"
                    for spelling in spellings)


def _close(key: str, other: str, cutoff: float) -> bool:
    # The tests difflib.get_close_matches makes, cheapest first.
    if not close_length(key, other, cutoff):
        return False
    matcher = difflib.SequenceMatcher(None, other, key)
    return matcher.quick_ratio() >= cutoff and matcher.ratio() >= cutoff


def _escape(word: str) -> str:
    # Every character but letters and digits escaped by its code point, in the forms that both
    # Oxigraph's (Rust) and rdflib's (Python) regular expressions read: \xHH, \uHHHH, \UHHHHHHHH.
    return "".join(c if c.isalnum() else f"\\x{ord(c):02X}" if ord(c) < 0x100 else
                   f"\\u{ord(c):04X}" if ord(c) < 0x10000 else f"\\U{ord(c):08X}" for c in word)


class StoreKnown(Known):
    """The answers read from a store, a few rows at a time; the store stays open meanwhile."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def _rows(self, sparql: str) -> list[tuple]:
        return self.store.query(sparql).rows

    def described(self, iri: URIRef) -> bool:
        """Tell whether a node is the subject of any triple."""
        return bool(self.store.query(f"ASK {{ {term_to_tsv(iri)} ?p ?o }}").boolean)

    def objects(self, node: Node, prop: URIRef) -> list[Node]:
        """Return the distinct objects of a node's property, sorted."""
        rows = self._rows(f"SELECT DISTINCT ?o WHERE {{ {term_to_tsv(node)} {term_to_tsv(prop)} ?o }}")
        return sorted({row[0] for row in rows if row[0] is not None})

    def named(self, text: str) -> set[URIRef]:
        """Return the IRIs with a label, other name or schema:name whose key is the text's."""
        key = name_key(text)
        collapsed = " ".join(text.split())
        forms = dict.fromkeys([text, text.strip(), collapsed, key, collapsed.lower()])
        values = " ".join(term_to_tsv(Literal(form, lang=lang)) for form in forms if form
                          for lang in (None, "en"))
        found = self._matching(key, f"VALUES ?o {{ {values} }} ?s ?p ?o FILTER({_IS_NAME})")
        if found or not key:
            return found
        # Written in other case or spacing than stored: one scan of every name, matched in the
        # store by a case-insensitive regular expression (4.4 s for the 1.5M names at 10M;
        # CONTAINS(LCASE(...)) took 2-3 times as long), checked here by key.
        test = f"REGEX(STR(?o), {_string(_pattern(key, collapsed))}, \"i\")"
        return {s for p in NAME_PROPERTIES for s in self._matching(
            key, f"?s {term_to_tsv(p)} ?o FILTER({test})")}

    def _matching(self, key: str, pattern: str) -> set[URIRef]:
        rows = self._rows(f"SELECT DISTINCT ?s ?o WHERE {{ {pattern} }}")
        return {s for s, o in rows if isinstance(s, URIRef) and isinstance(o, Literal)
                and name_key(str(o)) == key}

    def countries(self) -> list[Country]:
        """Return every country (a subject with lg:isoAlpha2), sorted by IRI and code."""
        rows = self._rows(f"""SELECT ?s ?code ?p ?o WHERE {{ ?s {term_to_tsv(LG.isoAlpha2)} ?code
            OPTIONAL {{ VALUES ?p {{ {term_to_tsv(LG.isoAlpha3)} {term_to_tsv(RDFS.label)}
                                     {term_to_tsv(SKOS.altLabel)} }} ?s ?p ?o }} }}""")
        values: dict[tuple[URIRef, URIRef], set[Node]] = defaultdict(set)
        codes = set()
        for s, code, p, o in rows:
            if isinstance(s, URIRef) and code is not None:
                codes.add((s, code))
                if p is not None and o is not None:
                    values[s, p].add(o)

        def first(s: URIRef, p: URIRef) -> str | None:
            found = sorted(values.get((s, p), ()))
            return str(found[0]) if found else None

        return [Country(s, str(code), first(s, LG.isoAlpha3), first(s, RDFS.label),
                        tuple(str(o) for o in sorted(values.get((s, SKOS.altLabel), ()))))
                for s, code in sorted(codes)]

    def close_names(self, key: str, cutoff: float) -> dict[str, str]:
        """Return the name keys within cutoff of key (difflib's ratio), with a spelling each."""
        # The store measures the literal, not its key; a little slack covers folding and spaces.
        low = int(len(key) * cutoff / (2 - cutoff)) - 2
        high = int(len(key) * (2 - cutoff) / cutoff) + 8
        texts: dict[Literal, int] = {}
        for rank, prop in enumerate(NAME_PROPERTIES):
            rows = self._rows(f"""SELECT DISTINCT ?o WHERE {{ ?s {term_to_tsv(prop)} ?o
                FILTER(STRLEN(STR(?o)) >= {max(low, 0)} && STRLEN(STR(?o)) <= {high}) }}""")
            for (text,) in rows:
                if isinstance(text, Literal):
                    texts.setdefault(text, rank)
        # Only the names close enough are kept, and of those the names of IRIs (a blank node's
        # label is no name): asking for the subjects of every name in the scan doubled its time.
        close = [text for text in texts if _close(key, name_key(str(text)), cutoff)]
        named = set()
        for start in range(0, len(close), 200):
            values = " ".join(term_to_tsv(text) for text in close[start:start + 200])
            named |= {o for s, o in self._rows(f"SELECT DISTINCT ?s ?o WHERE {{ VALUES ?o {{ {values} }} "
                                               f"?s ?p ?o FILTER({_IS_NAME}) }}") if isinstance(s, URIRef)}
        spellings: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for text in close:
            if text in named:
                spellings[name_key(str(text))].append((texts[text], str(text)))
        return display_of(spellings)

    def subjects_under(self, prefix: str) -> list[URIRef]:
        """Return the concepts (skos:inScheme, topConceptOf or a skos:Concept) under an IRI prefix."""
        rows = self._rows(f"""SELECT DISTINCT ?s WHERE {{
            {{ ?s {term_to_tsv(SKOS.inScheme)} ?x }} UNION {{ ?s {term_to_tsv(SKOS.topConceptOf)} ?x }}
            UNION {{ ?s {term_to_tsv(RDF.type)} {term_to_tsv(SKOS.Concept)} }}
            FILTER(isIRI(?s) && STRSTARTS(STR(?s), {_string(prefix)})) }}""")
        return sorted(row[0] for row in rows if isinstance(row[0], URIRef))
