"""The CLI as an analyst uses it: exit codes, messages and output."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from legiongraph.cli import main

BROKEN_TURTLE = "@prefix x: <http://x/> .\nx:a x:b x:c .\nx:a x:b .\n"
NONCONFORMING = """\
@prefix sem: <http://semanticweb.cs.vu.nl/2009/11/sem/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/legiongraph/graph/source/bad-event> {
  <https://w3id.org/legiongraph/id/event/bad> a sem:Event ; rdfs:label "An event without anything"@en .
}
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        main(list(argv))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "store"
    subprocess.run([sys.executable, "-m", "legiongraph.cli", "--store-path", str(path), "build"],
                   check=True, capture_output=True)
    return path


def test_build_prints_counts_per_graph(capsys, tmp_path):
    code, out, _ = run(capsys, "--store-path", str(tmp_path / "s"), "build")
    assert code == 0
    assert f"Built the oxigraph store at {tmp_path / 's'}" in out
    for graph in ("graph/ontology", "graph/reference", "graph/inferred",
                  "graph/source/glavkom-2025-05-17"):
        assert graph in out
    assert (tmp_path / "s" / "CURRENT").exists()


def test_build_creates_missing_parent_folders(capsys, tmp_path):
    """Regression: a first `make run` failed because var/ did not exist yet."""
    target = tmp_path / "var" / "nested" / "store"
    code, _, err = run(capsys, "--store-path", str(target), "build")
    assert (code, err) == (0, "")
    assert (target / "CURRENT").exists()


def test_validate_conforming_data_exits_0(capsys):
    code, out, _ = run(capsys, "validate")
    assert (code, out) == (0, "Conforms: the data satisfies every shape.\n")


def test_validate_nonconforming_file_exits_1_and_names_the_focus_node(capsys, tmp_path):
    bad = tmp_path / "bad-event.trig"
    bad.write_text(NONCONFORMING)
    code, out, _ = run(capsys, "validate", str(bad))
    assert code == 1
    assert out.startswith("Does not conform:")
    assert "<https://w3id.org/legiongraph/id/event/bad>" in out


def test_validate_unparseable_file_exits_2_with_file_and_line(capsys, tmp_path):
    bad = tmp_path / "broken.ttl"
    bad.write_text(BROKEN_TURTLE)
    code, _, err = run(capsys, "validate", str(bad))
    assert code == 2
    assert f"{bad}, line 3, column 9:" in err


def test_query_on_missing_store_exits_3_and_says_how_to_build(capsys, tmp_path):
    code, _, err = run(capsys, "--store-path", str(tmp_path / "none"), "query", "pow-by-country")
    assert code == 3
    assert "run 'legiongraph build' first" in err


def test_unknown_named_query_exits_2_and_lists_the_names(capsys, built):
    code, _, err = run(capsys, "--store-path", str(built), "query", "no-such-query")
    assert code == 2
    assert "no named query or file 'no-such-query'" in err
    assert "pow-by-country" in err


def test_malformed_sparql_from_stdin_exits_2(capsys, built, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("SELECT WHERE {"))
    code, _, err = run(capsys, "--store-path", str(built), "query", "-")
    assert code == 2
    assert "syntax" in err.lower()


def test_query_formats_carry_the_same_answer(capsys, built):
    code, out, _ = run(capsys, "--store-path", str(built), "query", "pow-by-country", "--format", "csv")
    assert code == 0
    table = list(csv.DictReader(io.StringIO(out)))
    assert len(table) == 26
    _, out, _ = run(capsys, "--store-path", str(built), "query", "pow-by-country", "--format", "json")
    bindings = json.loads(out)["results"]["bindings"]
    assert len(bindings) == 26
    _, out, _ = run(capsys, "--store-path", str(built), "query", "pow-by-country", "--format", "tsv")
    assert len(out.splitlines()) == 27
    _, out, _ = run(capsys, "--store-path", str(built), "query", "pow-by-country")
    assert out.rstrip().endswith("(26 rows)")


def test_query_runs_a_file(capsys, built, tmp_path):
    file = tmp_path / "count.rq"
    file.write_text("ASK { ?s a <https://schema.org/NewsArticle> }")
    code, out, _ = run(capsys, "--store-path", str(built), "query", str(file))
    assert (code, out) == (0, "yes\n")


def test_stats_prints_graphs_and_classes(capsys, built):
    code, out, _ = run(capsys, "--store-path", str(built), "stats")
    assert code == 0
    assert "Triples per named graph:" in out
    assert "Entities per class:" in out
    assert "249  Country <https://schema.org/Country>" in out


def test_queries_lists_every_named_query(capsys, resources):
    code, out, _ = run(capsys, "queries")
    assert code == 0
    assert len(out.splitlines()) == len(resources.list("queries"))


def test_unknown_store_kind_is_a_usage_error(capsys):
    code, _, err = run(capsys, "--store", "neptune", "stats")
    assert code == 2
    assert "neptune" in err
