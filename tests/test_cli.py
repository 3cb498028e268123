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
    subprocess.run([sys.executable, "-m", "legiongraph", "--store-path", str(path), "build"],
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


def test_validator_sparql_says_it_is_an_alias_of_shacl_where_it_validates(capsys, monkeypatch):
    monkeypatch.setenv("LEGIONGRAPH_VALIDATOR", "sparql")
    code, out, err = run(capsys, "validate")
    assert (code, out) == (0, "Conforms: the data satisfies every shape.\n")
    assert err == ("note: validator 'sparql' is an alias of 'shacl': the shape compiler it named was "
                   "replaced by the shacl engine; write validator = \"shacl\" (docs/validation.md)\n")
    assert run(capsys, "queries")[2] == ""


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


def test_unknown_named_query_exits_2_and_says_how_to_list_them(capsys, built):
    code, _, err = run(capsys, "--store-path", str(built), "query", "no-such-query")
    assert code == 2
    assert "no named query or file 'no-such-query'" in err
    assert "'legiongraph queries' lists the 45 named queries" in err
    assert "pow-by-country" not in err


def test_misspelt_query_name_suggests_the_closest_instead_of_listing_all(capsys, built):
    code, _, err = run(capsys, "--store-path", str(built), "query", "pow-by-contry")
    assert code == 2
    assert err == ("legiongraph: no named query or file 'pow-by-contry'; "
                   "did you mean pow-by-country?\n")


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


def test_syntax_error_in_a_query_file_names_file_line_and_column(capsys, built, tmp_path):
    file = tmp_path / "x.rq"
    file.write_text("# title: x\n# description: x\nSELECT ?s\nWHERE {\n  ?s ?p ?o .\n  FILTER(\n}\n")
    code, out, err = run(capsys, "--store-path", str(built), "query", str(file))
    assert (code, out) == (2, "")
    assert err.startswith(f"legiongraph: {file}:6:3: SPARQL syntax error")
    assert "SPARQL syntax error" in err


def test_update_piped_to_query_says_updates_are_not_supported(capsys, built, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("INSERT DATA { <http://x/a> <http://x/b> 1 }"))
    code, out, err = run(capsys, "--store-path", str(built), "query", "-")
    assert (code, out) == (2, "")
    assert err == ("legiongraph: <stdin>: this is a SPARQL Update; 'legiongraph query' only reads "
                   "the store, updates are not supported\n")


def test_graph_query_as_csv_is_an_error_not_silent_turtle(capsys, built):
    code, out, err = run(capsys, "--store-path", str(built), "query", "person-card", "--format", "csv")
    assert (code, out) == (2, "")
    assert "a CONSTRUCT query answers with a graph, which has no CSV form" in err
    assert "--format turtle or --format nt" in err


def test_graph_query_as_nt_gives_n_triples(capsys, built):
    code, out, _ = run(capsys, "--store-path", str(built), "query", "person-card", "--format", "nt")
    assert code == 0
    lines = out.splitlines()
    assert lines and all(line.startswith("<") and line.endswith(" .") for line in lines)
    assert "@prefix" not in out
    code, out, _ = run(capsys, "--store-path", str(built), "query", "person-card")
    assert code == 0 and "@prefix" in out  # Turtle when no format is asked


def test_table_format_for_a_graph_query_and_nt_for_a_select_are_errors(capsys, built):
    code, _, err = run(capsys, "--store-path", str(built), "query", "pow-by-country", "--format", "nt")
    assert code == 2
    assert "a SELECT query answers with a table, not a graph" in err


def test_table_fits_the_terminal_width_and_wide_shows_whole_values(capsys, built, monkeypatch):
    monkeypatch.setenv("COLUMNS", "90")
    code, out, _ = run(capsys, "--store-path", str(built), "query", "memberships")
    assert code == 0
    lines = out.splitlines()
    assert max(len(line) for line in lines[:-2]) <= 90
    assert "…" in out
    code, wide, _ = run(capsys, "--store-path", str(built), "query", "memberships", "--wide")
    assert code == 0
    assert "…" not in wide
    assert max(len(line) for line in wide.splitlines()) > 90


def test_render_table_cuts_long_cells_but_never_headers():
    from rdflib import Literal

    from legiongraph.query.texttable import render_table
    from legiongraph.stores.results import QueryResult

    result = QueryResult("SELECT", ["certainty", "label"],
                         [(Literal("probable"), Literal("x" * 100)), (Literal("certain"), Literal("y"))])
    out = render_table(result, {}, width=40)
    lines = out.splitlines()
    assert lines[0].split() == ["certainty", "label"]
    assert all(len(line) <= 40 for line in lines[:4])
    assert lines[2].endswith("…")
    assert lines[-2:] == ["(values cut to fit are marked …; --wide shows them whole)", "(2 rows)"]
    assert render_table(result, {}, width=None).splitlines()[2].endswith("x" * 100)


def test_plural_says_1_source_and_2_sources():
    from legiongraph.query.texttable import plural

    assert plural(1, "source") == "1 source"
    assert plural(2, "source") == "2 sources"
    assert plural(0, "resource points", "resources point") == "0 resources point"
    assert plural(1, "resource points", "resources point") == "1 resource points"


def test_stats_and_help_name_the_store_they_read(capsys, built):
    code, out, _ = run(capsys, "--store-path", str(built), "stats")
    assert code == 0
    assert out.splitlines()[0] == f"Store: the oxigraph store at {built}"
    for command in ("query", "stats", "serve", "link", "sources", "export", "ingest", "load"):
        code, out, _ = run(capsys, "--store-path", str(built), command, "--help")
        assert code == 0
        assert f"Store: the oxigraph store at {built}" in " ".join(out.split()), command


def test_help_never_breaks_the_store_path_across_lines(capsys, tmp_path):
    """Regression: help wrapped a long store path at its hyphens ("popen-" / "gw0/cli0/store")."""
    store = tmp_path / "a-folder-with-a-long-hyphenated-name" / "another-long-hyphenated-folder" / "store"
    code, out, _ = run(capsys, "--store-path", str(store), "query", "--help")
    assert code == 0
    assert f"\nStore: the oxigraph store at {store}\n" in out
    advice = "Change it with --store-path before the command, or LEGIONGRAPH_STORE_PATH."
    assert advice in " ".join(out.split())


ROOT = Path(__file__).resolve().parent.parent


def test_default_store_is_the_one_make_run_builds_and_serves(monkeypatch):
    """Regression: `make run` built var/store while the CLI read ~/.local/share/legiongraph/store."""
    from legiongraph.config import load_config

    monkeypatch.delenv("LEGIONGRAPH_STORE_PATH", raising=False)
    monkeypatch.delenv("LEGIONGRAPH_CONFIG", raising=False)
    assert load_config().store_path == ROOT / "var" / "store"
    makefile = (ROOT / "Makefile").read_text()
    assert "LEGIONGRAPH_STORE_PATH ?= $(CURDIR)/var/store" in makefile
    assert "export LEGIONGRAPH_STORE_PATH" not in makefile  # a config file's store_path still wins


def _make_dry_run(*args: str) -> str:
    done = subprocess.run(["make", "-n", "-B", "-C", str(ROOT), *args], capture_output=True,
                          text=True, check=True, env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"})
    return done.stdout


def test_make_run_passes_port_and_host_to_serve():
    out = _make_dry_run("run", "PORT=8080", "HOST=0.0.0.0")
    assert ".venv/bin/legiongraph serve --host 0.0.0.0 --port 8080" in out
    assert ".venv/bin/legiongraph serve  \n" in _make_dry_run("run") + "\n"


def test_make_run_installs_no_test_extras_and_make_test_does():
    run_steps = _make_dry_run("run")
    assert "pip install --quiet -e .\n" in run_steps
    assert "[test" not in run_steps and "playwright" not in run_steps
    assert "pip install --quiet -e '.[test]'" in _make_dry_run("test")


def test_package_licence_is_an_spdx_expression_with_its_file():
    """Regression: setuptools warned that a `project.license` table is deprecated."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT AND CC-BY-4.0"
    assert project["license-files"] == ["LICENSE"]
    assert "MIT License" in (ROOT / "LICENSE").read_text()


def test_serve_on_a_busy_port_prints_one_line_and_exits_2(built):
    import socket

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "legiongraph", "--store-path", str(built),
                               "serve", "--port", str(port)], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"legiongraph: port {port} is in use; choose another with --port\n"


# --------------------------------------------------------------------------- validate --built
def test_validate_built_store_that_conforms_exits_0_naming_the_store(capsys, built):
    code, out, err = run(capsys, "--store-path", str(built), "validate", "--built")
    assert (code, err) == (0, "")
    assert out == f"Store: the oxigraph store at {built}\nConforms: the data satisfies every shape.\n"


def test_validate_built_reports_a_violation_written_into_a_copy_of_the_store(capsys, built, tmp_path):
    """The store is judged as it is: a triple no source file holds is found, with our message."""
    import shutil

    import pyoxigraph as ox

    copy = tmp_path / "store"
    shutil.copytree(built, copy)
    writer = ox.Store(str(copy))
    event, graph = (ox.NamedNode("https://w3id.org/legiongraph/id/event/bad"),
                    ox.NamedNode("https://w3id.org/legiongraph/graph/source/bad-event"))
    writer.extend([
        ox.Quad(event, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                ox.NamedNode("http://semanticweb.cs.vu.nl/2009/11/sem/Event"), graph),
        ox.Quad(event, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                ox.Literal("An event without anything", language="en"), graph)])
    writer.flush()
    del writer
    code, out, _ = run(capsys, "--store-path", str(copy), "validate", "--built")
    assert code == 1
    assert out.startswith(f"Store: the oxigraph store at {copy}\nDoes not conform: 5 problem(s).\n")
    assert ("  Violation: An event without anything <https://w3id.org/legiongraph/id/event/bad> "
            "[hasActor]: The event has no actor: say who took part with") in out
    # The built store itself is untouched, and the plain command still reads only the files.
    assert run(capsys, "--store-path", str(built), "validate", "--built")[0] == 0


def test_validate_built_on_a_missing_store_exits_3_naming_the_path(capsys, tmp_path):
    missing = tmp_path / "nothing-here"
    code, out, err = run(capsys, "--store-path", str(missing), "validate", "--built")
    assert (code, out) == (3, "")
    assert err == f"legiongraph: {missing}: no store here; run 'legiongraph build' first\n"
    assert not missing.exists()  # opened read-only: nothing created


def test_validate_built_with_files_is_a_usage_error(capsys, built, tmp_path):
    code, _, err = run(capsys, "--store-path", str(built), "validate", "--built", str(tmp_path / "x.ttl"))
    assert code == 2
    assert "--built validates the store as it is; check FILES without --built" in err
