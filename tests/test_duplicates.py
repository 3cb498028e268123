"""Probable duplicates: transliteration variants fold together, different names do not."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from legiongraph.linking.duplicates import THRESHOLD, name_key, similarity


@pytest.mark.parametrize(("a", "b"), [
    ("Maksym Ziaziulchyk", "Maksim Zyazyulchik"),
    ("Andriy Herylovych", "Andrei Gerilovich"),
    ("Kirill Mikhailov", "Kyrylo Mykhaylov"),
    ("Anna Connolly", "Ana Conoly"),
])
def test_transliteration_variants_fold_to_one_key_or_score_high(a: str, b: str) -> None:
    assert name_key(a) == name_key(b) or similarity(a, b) >= 0.85


def test_doubled_digits_are_not_folded_like_doubled_letters() -> None:
    """Regression: name_key folded "11" to "1", so unit 11 was taken for unit 1."""
    assert name_key("unit 11") == "unit 11"
    assert name_key("unit 11") != name_key("unit 1")
    assert name_key("Battalion 2200") != name_key("Battalion 20")


_NAME = st.lists(st.sampled_from(["andriy", "andrei", "herylovych", "gerilovich", "maksym", "maksim",
                                  "unit", "12", "13", "synthetic", "sinthetic", "person", "of",
                                  "capture", "catpure", "kyrylo", "kirill"]),
                 min_size=1, max_size=4).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(a=_NAME, b=_NAME, threshold=st.sampled_from([0.5, THRESHOLD, 0.95]))
def test_a_score_at_the_threshold_or_over_is_exact_and_one_under_it_stays_under(a, b, threshold):
    """The threshold only skips full comparisons of names that cannot reach it (search relies on it)."""
    exact = similarity(a, b)
    bounded = similarity(a, b, threshold)
    if exact >= threshold:
        assert bounded == exact
    else:
        assert bounded < threshold
