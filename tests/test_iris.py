import re

import pytest

from legiongraph.iris import ID, country, is_person_iri, mint, mint_person, source_graph


def test_person_iris_are_opaque_and_unique():
    minted = {mint_person() for _ in range(200)}
    assert len(minted) == 200
    for iri in minted:
        assert is_person_iri(iri)
        assert re.fullmatch(re.escape(str(ID)) + r"person/[a-z2-7]{8}", str(iri))


def test_person_iris_cannot_be_minted_from_a_key():
    with pytest.raises(ValueError, match="opaque"):
        mint("person", "zyazyulchik")


def test_other_iris_follow_the_documented_patterns():
    assert str(country("ua")) == "https://w3id.org/legiongraph/id/country/UA"
    assert str(mint("place", "bakhmut")) == "https://w3id.org/legiongraph/id/place/bakhmut"
    assert str(source_graph("glavkom-2025-05-17")) == (
        "https://w3id.org/legiongraph/graph/source/glavkom-2025-05-17")


@pytest.mark.parametrize("bad", ["Ukraine", "U1", ""])
def test_country_rejects_what_is_not_an_alpha2_code(bad):
    with pytest.raises(ValueError, match="alpha-2"):
        country(bad)
