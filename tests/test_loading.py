from pathlib import Path

import pytest

from legiongraph.errors import LoadError, ResourceNotFound
from legiongraph.iris import GRAPH_ONTOLOGY, GRAPH_REFERENCE, source_graph
from legiongraph.pipeline.loading import load_dataset, load_files
from legiongraph.resources import Resources

GOOD_SOURCE = """\
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/legiongraph/graph/source/extra> {
  <https://w3id.org/legiongraph/id/org/x> rdfs:label "X"@en .
}
"""


def test_packaged_data_lands_in_its_documented_graphs(dataset):
    names = {ctx.identifier for ctx in dataset.graphs() if len(ctx)}
    assert GRAPH_ONTOLOGY in names
    assert GRAPH_REFERENCE in names
    assert source_graph("glavkom-2025-05-17") in names


def test_turtle_syntax_error_names_file_and_line(tmp_path: Path):
    bad = tmp_path / "broken.ttl"
    bad.write_text("@prefix x: <http://x/> .\nx:a x:b x:c .\nx:a x:b .\n")
    with pytest.raises(LoadError) as info:
        load_files([bad])
    assert str(info.value) == f"{bad}, line 3, column 9: . is not a valid RDF object"
    assert info.value.line == 3


def test_non_utf8_file_is_refused_with_its_name(tmp_path: Path):
    bad = tmp_path / "latin1.ttl"
    bad.write_bytes(b'<http://x/a> <http://x/b> "caf\xe9" .\n')
    with pytest.raises(LoadError, match=r"latin1\.ttl: not UTF-8"):
        load_files([bad])


def test_unsupported_format_is_refused(tmp_path: Path):
    bad = tmp_path / "data.xlsx"
    bad.write_text("not RDF")
    with pytest.raises(LoadError, match=r"data\.xlsx: unsupported file type \.xlsx"):
        load_files([bad])


def test_source_file_must_hold_its_own_named_graph(tmp_path: Path):
    wrong = tmp_path / "other-name.trig"
    wrong.write_text(GOOD_SOURCE)
    with pytest.raises(LoadError) as info:
        load_dataset(Resources(), [wrong])
    message = str(info.value)
    assert "other-name.trig" in message
    assert "<https://w3id.org/legiongraph/graph/source/other-name>" in message
    assert "<https://w3id.org/legiongraph/graph/source/extra>" in message


def test_extra_source_is_added_beside_the_article(tmp_path: Path):
    extra = tmp_path / "extra.trig"
    extra.write_text(GOOD_SOURCE)
    ds = load_dataset(Resources(), [extra])
    assert len(ds.graph(source_graph("extra"))) == 1
    assert len(ds.graph(source_graph("glavkom-2025-05-17"))) > 100


def test_data_dir_overrides_the_packaged_files_folder_by_folder(tmp_path: Path):
    (tmp_path / "queries").mkdir()
    (tmp_path / "queries" / "only.rq").write_text("# title: t\n# description: d\nASK {}\n")
    res = Resources(tmp_path)
    assert [r.name for r in res.list("queries")] == ["only.rq"]
    # folders the override lacks still come from the package
    assert [r.name for r in res.ontology()] == ["legiongraph.ttl", "alignments.ttl", "vocabularies.ttl"]


def test_unknown_resource_lists_what_exists():
    with pytest.raises(ResourceNotFound, match=r"no queries file named 'nope' \(available: "):
        Resources().get("queries", "nope")
