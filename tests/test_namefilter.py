"""The store-side name filter of the duplicate check drops no name that could score, on any engine.

Ingest used to read every person's name in the store and score the new names against all of them
(5-10 s at ten million triples); it now asks the store only for names that could score
(:func:`legiongraph.linking.namefilter.could_match`). These tests compare the two on random names.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Literal
from rdflib.namespace import SKOS

from legiongraph.iris import ID, SCHEMA, source_graph
from legiongraph.linking.duplicates import THRESHOLD, name_key, numbers, probable_duplicates, similarity
from legiongraph.linking.namefilter import could_match
from legiongraph.pipeline.ingestreport import stored_names
from legiongraph.stores import MemoryStore
from legiongraph.stores.base import Store
from legiongraph.stores.oxigraph import OxigraphStore

GRAPH = source_graph("names")
# Letters the folds treat specially, digits, separators, both apostrophes the key drops and two it
# drops outside ASCII, Cyrillic, letters NFKD decomposes (or makes digits of), a combining accent,
# a tab and the Kelvin sign (not ASCII, but lower-cased to "k").
ALPHABET = (list("abcdeikhjyxzswqtpo AEIKXY-.,'`\u02bc\u2019") + list("0123456789")
            + list("абвгдежзийклмнопрстуфхцчшщъыьэюяієїґ") + ["é", "ü", "ł", "ß", "²", "１", "①", "\u0301",
                                                           "\t", "ﬁ", "\u212a", "İ", "\u00a0"])
WORDS = ["Maksym", "Ziaziulchyk", "Andriy", "Herylovych", "Kyrylo", "Mykhaylov", "Synthetic", "person",
         "Батальйон", "Юрій", "O'Brien", "d`Arc", "Shcherbak", "Tsoi"]
# Spelling changes an analyst meets between sources (one at a time, at one place in the name).
VARIANTS = [("y", "i"), ("i", "y"), ("kh", "h"), ("h", "kh"), ("ch", "tch"), ("ts", "tz"), ("'", ""),
            ("", "'"), ("", "`"), ("", "\u0301"), ("a", "á"), ("1", "1'"), ("1", "ъ1"), (" ", "-"),
            ("o", "oo"), ("", " "), ("7", "７"), ("", "2")]


@st.composite
def names(draw: st.DrawFn) -> str:
    """Draw a name: random characters, or words and numbers with spelling variants."""
    if draw(st.booleans()):
        return draw(st.text(st.sampled_from(ALPHABET), max_size=16))
    parts = draw(st.lists(st.one_of(st.sampled_from(WORDS), st.integers(0, 120).map(str)), min_size=1,
                          max_size=4))
    name = " ".join(parts)
    for old, new in draw(st.lists(st.sampled_from(VARIANTS), max_size=3)):
        at = draw(st.integers(0, len(name)))
        where = name.find(old, at) if old else at
        if where >= 0:
            name = name[:where] + new + name[where + len(old):]
    return name


def _store(kind: type[Store], stored: list[str]) -> Store:
    store: Store = OxigraphStore(None, read_only=False) if kind is OxigraphStore else MemoryStore()
    triples = [(ID[f"person/p{i // 2}"], SCHEMA.name if i % 2 == 0 else SKOS.altLabel,
                Literal(name, lang="en")) for i, name in enumerate(stored)]
    store.replace_graphs([(GRAPH, triples)])
    return store


def _could_score(new: str, stored: str) -> bool:
    """Return whether the scoring can give the pair more than 0, by the rule the filter relies on."""
    a, b = name_key(new), name_key(stored)
    return bool(a and b) and numbers(a) == numbers(b)


@pytest.mark.parametrize("kind", [OxigraphStore, MemoryStore])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(new=st.lists(names(), min_size=1, max_size=3), stored=st.lists(names(), min_size=1, max_size=24))
def test_the_filter_keeps_every_stored_name_that_could_score(kind: type[Store], new: list[str],
                                                             stored: list[str]) -> None:
    store = _store(kind, stored)
    everything = stored_names(store, [])
    for name in new:
        kept = {n for names_ in stored_names(store, [], [name]).values() for n in names_}
        assert {n for names_ in everything.values() for n in names_ if _could_score(name, n)} <= kept
        # And any score above 0, not only a probable duplicate's, survives the filter.
        assert {n for n in kept if similarity(name, n) > 0} == {
            n for names_ in everything.values() for n in names_ if similarity(name, n) > 0}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(new=st.lists(names(), min_size=1, max_size=4), stored=st.lists(names(), min_size=1, max_size=30))
def test_duplicates_from_the_filtered_names_are_those_from_all_names(new: list[str],
                                                                     stored: list[str]) -> None:
    """The old algorithm (score against every stored name) and the new one give the same duplicates."""
    store = _store(OxigraphStore, stored + new[:1])  # one new name also stored: at least one duplicate
    fresh = {ID[f"person/new{i}"]: [name] for i, name in enumerate(new)}
    for threshold in (THRESHOLD, 0.3):
        before = probable_duplicates(fresh, stored_names(store, []), threshold)
        after = probable_duplicates(fresh, stored_names(store, [], new), threshold)
        assert after == before


def test_ingest_reads_only_the_stored_names_with_the_same_numbers() -> None:
    """Regression: a new "Synthetic person 0" read all 147,000 names of a 10M-triple store."""
    stored = [f"Synthetic person {n}" for n in range(120)] + ["Synthetic person 0'", "Synthetic person"]
    stored += ["Sуnthetic person 10", "unit 0 7"]  # a Cyrillic "у": not ASCII, so kept
    store = _store(OxigraphStore, stored)
    found = stored_names(store, [], ["Synthetic person 0", "Syntetik person 7"])
    assert sorted(n for names_ in found.values() for n in names_) == [
        "Synthetic person 0", "Synthetic person 0'", "Synthetic person 7", "Sуnthetic person 10"]
    assert stored_names(store, [], ["Andriy Herylovych"]) == {ID["person/p60"]: ["Synthetic person"]}
    assert stored_names(store, [], ["", "-"]) == {}


def test_the_filter_is_one_regex_over_the_names_text() -> None:
    assert could_match(["Synthetic person 0", "Unit 12/7", "Ivan Petrov"]) == (
        'REGEX(STR(?n), "^[^0-9]*$|^[ -/:-~]*0[ -/:-~]*$|^[ -/:-~]*12[ -/:-~]+7[ -/:-~]*$|[^ -&(-_a-~]")')
    assert could_match(["Ivan Petrov"], "?label") == 'REGEX(STR(?label), "^[^0-9]*$")'
    many = could_match([f"person {n}" for n in range(40)])
    assert many == 'REGEX(STR(?n), "[0-9]|[^ -&(-_a-~]")'


@pytest.mark.parametrize(("new", "stored"), [
    ("0", "0\xa0"),                      # a no-break space is not ASCII
    ("10 0 10 0", "1'0 0 10 0"),         # the key drops the apostrophe and joins the digits
    ("unit 12", "unit 1`2"),
    ("unit 12", "unit 1\u03012"),        # a combining accent disappears between two digits
    ("unit 12", "unit 1ъ2"),             # and so does a hard sign
    ("unit 12", "unit １2"),             # NFKD makes a digit of a full-width one
    ("Maksym Ziaziulchyk", "Maksim Zyazyulchik"),
    ("Maksym Ziaziulchyk", "Ziaziulchyk\tMaksym"),
])
@pytest.mark.parametrize("kind", [OxigraphStore, MemoryStore])
def test_names_whose_digits_the_key_changes_are_kept(kind: type[Store], new: str, stored: str) -> None:
    assert similarity(new, stored) > 0
    assert stored_names(_store(kind, [stored]), [], [new]) == {ID["person/p0"]: [stored]}
