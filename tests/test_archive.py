"""A bag verifies when fresh, fails naming the file when any file changes, and restores the store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from legiongraph import OxigraphStore
from legiongraph.cli import main
from legiongraph.errors import LoadError
from legiongraph.publish.archive import verify_archive
from legiongraph.publish.canonical import canonical_nquads, quads_of, sha256_hex
from test_queries import GOLDEN, QUERIES, render


@pytest.fixture(scope="module")
def bag(oxigraph_store, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("archive") / "bag"
    main(["--store-path", str(oxigraph_store.path), "archive", str(out)])
    return out


def _files(bag: Path) -> list[str]:
    return sorted(p.relative_to(bag).as_posix() for p in bag.rglob("*") if p.is_file())


def test_fresh_bag_verifies_with_the_stores_canonical_hash(bag, oxigraph_store, capsys):
    capsys.readouterr()
    main(["archive", "--verify", str(bag)])
    digest = sha256_hex(canonical_nquads(quads_of(oxigraph_store.to_dataset())))
    assert capsys.readouterr().out.endswith(f"canonical SHA-256: {digest}\n")
    files = _files(bag)
    for name in ("bagit.txt", "manifest-sha256.txt", "data/legiongraph.trig", "data/legiongraph.ttl",
                 "data/legiongraph.nq", "data/legiongraph.nq.sha256", "data/ontology/shapes.ttl",
                 "data/ontology/legiongraph.ttl", "data/description.ttl", "data/ro-crate-metadata.json",
                 "data/README.md", "data/queries/pow-by-country.rq"):
        assert name in files
    assert (bag / "data/legiongraph.nq.sha256").read_text() == f"{digest}  legiongraph.nq\n"
    assert not [p for p in bag.parent.iterdir() if p.name.startswith(".lg-tmp-")]


def test_description_and_crate_name_the_files_and_counts(bag):
    text = (bag / "data/description.ttl").read_text(encoding="utf-8")
    for expected in ("a void:Dataset", "dcat:Dataset", "dcterms:license <https://creativecommons.org/",
                     "prov:wasDerivedFrom <https://w3id.org/legiongraph/id/doc/glavkom-2025-05-17>",
                     'dcterms:issued "2025-05-17"^^xsd:date', "void:classPartition [",
                     "sd:name lgg:inferred", 'dcterms:identifier "legiongraph.trig"',
                     'rdfs:comment "legiongraph archive"', "prov:SoftwareAgent"):
        assert expected in text
    crate = json.loads((bag / "data/ro-crate-metadata.json").read_text(encoding="utf-8"))
    ids = {entity["@id"] for entity in crate["@graph"]}
    assert {"./", "ro-crate-metadata.json", "legiongraph.nq", "ontology/shapes.ttl"} <= ids
    readme = (bag / "data/README.md").read_text(encoding="utf-8")
    assert "legiongraph archive --verify" in readme


def test_verify_refuses_a_folder_that_is_no_bag(tmp_path):
    with pytest.raises(LoadError, match="not a BagIt bag"):
        verify_archive(tmp_path)


def test_any_changed_byte_fails_verification_naming_the_file(bag, tmp_path):
    for name in _files(bag):
        copy = tmp_path / name.replace("/", "_")
        shutil.copytree(bag, copy)
        target = copy / name
        data = bytearray(target.read_bytes())
        data[len(data) // 2] ^= 0x01
        target.write_bytes(bytes(data))
        with pytest.raises(LoadError) as exc:
            verify_archive(copy)
        assert Path(name).name in str(exc.value), f"changing {name}: {exc.value}"
        shutil.rmtree(copy)


def test_appended_byte_fails_verification_naming_the_file(bag, tmp_path):
    """Regression: a changed file size stopped bagit at Payload-Oxum, and no file was named."""
    copy = tmp_path / "grown"
    shutil.copytree(bag, copy)
    with (copy / "data" / "legiongraph.ttl").open("ab") as fh:
        fh.write(b"x")
    with pytest.raises(LoadError) as exc:
        verify_archive(copy)
    assert "data/legiongraph.ttl differs from manifest-sha256.txt" in str(exc.value)


def test_archive_then_load_answers_every_query_as_before(bag, oxigraph_store, tmp_path, capsys):
    """Every named query answers as on the archived store (which test_queries holds to the golden)."""
    store_path = tmp_path / "restored"
    main(["--store-path", str(store_path), "load", str(bag)])
    assert "loaded into the oxigraph store" in capsys.readouterr().out
    restored = OxigraphStore(store_path, read_only=True)
    try:
        for query in QUERIES:
            if "SERVICE" in query.text.upper():
                continue  # federated queries need the network; their local part is the same data
            assert render(restored.query(query.text)) == render(oxigraph_store.query(query.text)), query.name
        golden = (GOLDEN / "pow-by-country.tsv").read_text(encoding="utf-8")
        assert render(restored.query(next(q for q in QUERIES if q.name == "pow-by-country").text)) == golden
    finally:
        restored.close()
