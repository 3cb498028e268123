"""Inputs that once got through badly (issue #13, section 7): formula cells in review CSVs and a
literal too big to hold in memory."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from legiongraph import loading
from legiongraph.errors import LoadError
from legiongraph.linking.review import Row, read_review, write_review

ENTITY = "https://w3id.org/legiongraph/id/org/pmc-redut"


@pytest.mark.parametrize("label", ["=HYPERLINK(\"http://x.example\",\"click\")", "+1+2", "-2+3",
                                   "@SUM(A1:A9)"])
def test_review_csv_cells_starting_like_a_formula_are_neutralised(tmp_path: Path, label: str):
    path = tmp_path / "review.csv"
    row = Row(ENTITY, label, "wikidata", "http://www.wikidata.org/entity/Q1", label, label, 0.5)
    write_review(path, [row])
    with path.open(newline="", encoding="utf-8") as fh:
        cells = list(csv.reader(fh))[1]
    assert cells[1] == cells[4] == cells[5] == "'" + label
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    again = read_review(path)[0]  # and the analyst's round trip gives the label back unchanged
    assert (again.label, again.candidate_label, again.description) == (label, label, label)


def test_review_csv_plain_labels_are_written_unchanged(tmp_path: Path):
    path = tmp_path / "review.csv"
    write_review(path, [Row(ENTITY, "PMC Redut", "wikidata", "", "'quoted' name", "", 0.0)])
    text = path.read_text()
    assert ",PMC Redut," in text and ",'quoted' name," in text
    assert read_review(path)[0].candidate_label == "'quoted' name"


def test_huge_literal_gives_an_error_naming_the_file_not_a_memory_error(tmp_path, monkeypatch):
    # A 300 MB literal exhausted memory inside the parser; the parser's failure is simulated here
    # (making one for real takes the test machine's memory), the file and its reading are real.
    path = tmp_path / "huge.ttl"
    path.write_bytes(b'<https://w3id.org/legiongraph/id/x> <http://www.w3.org/2000/01/rdf-schema#comment> "'
                     + b"a" * (4 * 2**20) + b'" .\n')

    def exhausted(*args, **kwargs):
        raise MemoryError
        yield  # a generator, like pyoxigraph.parse

    monkeypatch.setattr(loading.ox, "parse", exhausted)
    with pytest.raises(LoadError) as info:
        loading.parse_quads(path.read_bytes(), "turtle", str(path))
    assert str(info.value).startswith(f"{path}: ran out of memory reading this 4 MB file")
    assert info.value.path == str(path)


def test_huge_literal_through_the_cli_prints_one_line_and_exit_code(tmp_path, monkeypatch, capsys):
    from legiongraph.cli import main

    path = tmp_path / "huge.ttl"
    path.write_bytes(b'<https://w3id.org/legiongraph/id/x> <http://www.w3.org/2000/01/rdf-schema#comment> "'
                     + b"a" * 2**20 + b'" .\n')

    def exhausted(*args, **kwargs):
        raise MemoryError
        yield

    monkeypatch.setattr(loading.ox, "parse", exhausted)
    with pytest.raises(SystemExit) as info:
        main(["--store-path", str(tmp_path / "store"), "ingest", "--dry-run", str(path)])
    assert info.value.code != 0
    err = capsys.readouterr().err
    assert f"{path}: ran out of memory" in err
    assert "Traceback" not in err and "MemoryError" not in err
