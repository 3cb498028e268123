"""Probable duplicates: transliteration variants fold together, different names do not."""

from __future__ import annotations

import pytest

from legiongraph.linking.duplicates import name_key, similarity


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
