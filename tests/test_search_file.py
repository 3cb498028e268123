"""The search index in its SQLite file gives the hits, in the order, of the in-memory index it
replaced (tests/search_reference.py), on the article's store and on synthetic data; the file is
written once per store version, beside the store."""

from __future__ import annotations

import os
import random

import pyoxigraph as ox
import pytest

from legiongraph.authoring.synth import synthesize
from legiongraph.publish.search import KINDS, SORTS
from legiongraph.publish.searchfile import build_index, open_index, store_version
from legiongraph.stores.oxigraph import OxigraphStore
from search_reference import build_index as reference_index
from search_reference import sorted_members


@pytest.fixture(scope="module")
def synth_store(tmp_path_factory) -> OxigraphStore:
    folder = tmp_path_factory.mktemp("synth-search")
    trig = folder / "synth-search.trig"
    synthesize(trig, 40_000, seed=5)
    writer = ox.Store(str(folder / "store"))
    writer.bulk_load(path=str(trig), format=ox.RdfFormat.TRIG)
    writer.flush()
    del writer
    return OxigraphStore(folder / "store", read_only=True)


def _queries(entries: list, count: int) -> list[tuple[str, str | None]]:
    rng = random.Random(7)
    queries: list[tuple[str, str | None]] = [("a", None), ("ma", "person"), ("zz", None), ("ukr", None)]
    for entry in rng.sample(entries, min(count, len(entries))):
        name = rng.choice(entry.names)
        word = name.split()[0] if name.split() else name
        swapped = name[:2] + name[3] + name[2] + name[4:] if len(name) > 4 else name
        for text in (word[:1], word[:3], word[:6], name, name[:-1] + "x", swapped, name.lower()[::2]):
            queries += [(text, None), (text, entry.kind)]
    return queries


def _same_hits(old, new, queries) -> None:
    assert len(new) == len(old.entries)
    for text, kind in queries:
        for limit in (8, 100):
            expected = [(h.entry, h.matched, h.score) for h in old.search(text, limit, kind)]
            got = [(h.entry, h.matched, h.score) for h in new.search(text, limit, kind)]
            assert got == expected, (text, kind, limit)


def test_the_file_gives_the_in_memory_index_hits_on_the_article_store(oxigraph_store):
    old, new = reference_index(oxigraph_store), build_index(oxigraph_store)
    _same_hits(old, new, [*_queries(old.entries, 60), ("Herylovych", None), ("Zjazjulcik", None),
                          ("wagn", "org"), ("Nepl", None)])


def test_the_file_gives_the_in_memory_index_hits_on_synthetic_data(synth_store):
    old, new = reference_index(synth_store), build_index(synth_store)
    assert len(old.entries) > 1000
    _same_hits(old, new, _queries(old.entries, 30))


@pytest.mark.parametrize("store", ["oxigraph_store", "synth_store"])
def test_browse_lists_keep_their_order_page_by_page(request, store):
    source = request.getfixturevalue(store)
    old, new = reference_index(source), build_index(source)
    countries = {e.iri: e.label for e in old.entries if e.kind == "country"}
    assert new.countries() == countries
    for kind in KINDS:
        members = old.members(kind)
        assert new.count(kind) == len(members)
        for sort in SORTS:
            for descending in (False, True):
                expected = sorted_members(members, sort, descending, countries)
                assert new.members(kind, sort, descending) == expected, (kind, sort, descending)
                assert new.members(kind, sort, descending, offset=7, limit=5) == expected[7:12]


def test_open_index_writes_the_file_beside_the_store_once_per_version(synth_store):
    first = open_index(synth_store)
    folder = synth_store.path.with_name(synth_store.path.name + ".search-index")
    assert first.path == folder / f"{store_version(synth_store.path)}.sqlite"
    assert first.version == store_version(synth_store.path)
    written = first.path.stat().st_mtime_ns
    again = open_index(synth_store)
    assert (again.path, again.path.stat().st_mtime_ns) == (first.path, written)
    assert again.search("a", 5) == first.search("a", 5) != []


def test_a_changed_store_gets_a_new_index_file_and_the_old_one_goes(tmp_path, synth_store):
    path = tmp_path / "store"
    writer = ox.Store(str(path))
    writer.add(ox.Quad(ox.NamedNode("https://w3id.org/legiongraph/id/place/x"),
                       ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("Xanadu")))
    writer.flush()
    before = open_index(OxigraphStore(path, read_only=True))
    assert [h.entry.label for h in before.search("xana")] == ["Xanadu"]
    writer.add(ox.Quad(ox.NamedNode("https://w3id.org/legiongraph/id/place/y"),
                       ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("Xanthi")))
    writer.flush()
    del writer
    after = open_index(OxigraphStore(path, read_only=True))
    assert after.path != before.path
    assert [h.entry.label for h in after.search("xan")] == ["Xanadu", "Xanthi"]
    assert os.listdir(after.path.parent) == [after.path.name]
    # the old server's open file still answers
    assert [h.entry.label for h in before.search("xana")] == ["Xanadu"]


def test_a_store_whose_folder_cannot_be_written_still_gets_its_index(tmp_path, monkeypatch):
    path = tmp_path / "store"
    writer = ox.Store(str(path))
    writer.add(ox.Quad(ox.NamedNode("https://w3id.org/legiongraph/id/place/x"),
                       ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("Xanadu")))
    writer.flush()
    del writer
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if str(p).endswith(".search-index")
                        else real_access(p, mode))
    index = open_index(OxigraphStore(path, read_only=True))
    assert [h.entry.label for h in index.search("xan")] == ["Xanadu"]
    assert not index.path.exists()  # a temporary file, already removed
    assert list(path.with_name("store.search-index").iterdir()) == []
