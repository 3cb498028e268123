"""Many sources over many months (#12): stable identity, idempotent and revisable ingest, the log.

Every test starts from a fresh Oxigraph copy of the article's built store and adds made-up later
reports of the Coordination Headquarters, as a new analyst would write them.
"""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Literal
from rdflib.namespace import ORG, PROV, RDF, RDFS, SKOS

from legiongraph import Config, OxigraphStore
from legiongraph.authoring import compile_source
from legiongraph.cli import main
from legiongraph.errors import LoadError, ValidationFailed
from legiongraph.iris import ID, LGV, SCHEMA, is_person_iri, mint, source_graph
from legiongraph.pipeline.activitylog import GRAPH_LOG, read_log
from legiongraph.pipeline.build import union
from legiongraph.pipeline.ingest import ingest, retract
from legiongraph.query.queries import list_queries
from legiongraph.resources import Resources

ARTICLE = source_graph("glavkom-2025-05-17")
CHQ = source_graph("chq-interview-2025-11")
AGENCY = source_graph("agency-2025-11")

# An interview with the head of the Coordination HQ in a new outlet: the outlet (the publisher)
# and the head are defined in the record itself; the figure is dated to a month only.
INTERVIEW = """\
source:
  id: chq-interview-2025-11
  type: NewsArticle
  label: "MADE UP: interview with the head of the Coordination Headquarters (November 2025)"
  publisher: Example Outlet
  published: 2025-11
  language: en
defaults:
  claimant: Coordination Headquarters
  certainty: reported
organisations:
  - label: Example Outlet
    type: media
persons:
  - key: head
    type: public-figure
    label: Test Head
    name: Test Head
memberships:
  - label: Test Head as head of the Coordination Headquarters
    member: head
    organisation: Coordination Headquarters
    role: head
    during: 2025-11
statistics:
  - id: foreign-pow-total
    observations:
      - value: 150
        qualifier: nearly
        as_of: 2025-11
        spokesperson: head
"""
# A national news agency reporting another figure for the same month: it reuses the month period.
AGENCY_REPORT = """\
source:
  id: agency-2025-11
  type: NewsArticle
  label: "MADE UP: news agency report on foreign prisoners (November 2025)"
  publisher: Glavkom
  published: 2025-11-28
defaults:
  claimant: Coordination Headquarters
statistics:
  - id: foreign-pow-total
    observations:
      - value: 160
        qualifier: at least
        as_of: 2025-11
"""


@pytest.fixture
def config(article_store: Path, tmp_path: Path) -> Config:
    shutil.copytree(article_store, tmp_path / "store")
    (tmp_path / "in").mkdir()
    return Config(store_path=tmp_path / "store", data_dir=tmp_path / "data", analyst="Test Analyst")


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _dump(store_path: Path, with_log: bool = False) -> list[bytes]:
    store = ox.Store.read_only(str(store_path))
    log = f"<{GRAPH_LOG}> .".encode()
    try:
        return sorted(line for line in store.dump(format=ox.RdfFormat.N_QUADS).splitlines()
                      if with_log or not line.endswith(log))
    finally:
        del store


def _line(text: str, start: str, after: int = 0) -> int:
    """Return the 1-based line of the first line (after line ``after``) starting with ``start``."""
    lines = text.splitlines()
    return 1 + next(i for i, line in enumerate(lines) if i >= after and line.startswith(start))


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _rows(config: Config, name: str) -> list[dict[str, str]]:
    query = next(q for q in list_queries(Resources()) if q.name == name)
    with OxigraphStore(config.store_path) as store:
        result = store.query(query.text)
    return [{v: (str(t) if t is not None else "") for v, t in zip(result.variables, row, strict=True)}
            for row in result.rows]


def _totals(config: Config, name: str) -> list[tuple[str, ...]]:
    keep = ("asOf", "value", "qualifier", "claimant", "spokesperson", "document")
    return sorted(tuple(row.get(k, "") for k in keep) for row in _rows(config, name)
                  if row["dataset"].endswith("/foreign-pow-total"))


def _existing(config: Config):
    with OxigraphStore(config.store_path) as store:
        return union(store.to_dataset())


def test_two_later_sources_ingest_reingest_revise_and_retract_in_either_order(config, tmp_path):
    """The issue's 'Done when': two later sources next to the article, idempotent, revisable."""
    before = _dump(config.store_path)
    interview = _write(tmp_path / "in", "chq-interview-2025-11.yaml", INTERVIEW)
    agency = _write(tmp_path / "in", "agency-2025-11.yaml", AGENCY_REPORT)
    ingest(config, [interview])
    ingest(config, [agency])
    store, files = _dump(config.store_path, with_log=True), _files(config.data_dir)

    # Ingested again unchanged: nothing changes, in the store (log included) or the data files.
    for path in (interview, agency):
        assert ingest(config, [path]).unchanged
    assert (_dump(config.store_path, with_log=True), _files(config.data_dir)) == (store, files)

    # The article's figures and the new ones side by side, with dates, qualifiers, claimants
    # and the spokesperson who gave one of them.
    chq, head = str(ID["org/coordination-hq-treatment-of-pows"]), _head(config)
    totals = _totals(config, "figure-over-time")
    assert ("2025-05-02", "81", "exactly", chq, "", str(ID["doc/glavkom-2025-05-17"])) in totals
    assert ("2025-11", "150", "nearly", chq, str(head), str(ID["doc/chq-interview-2025-11"])) in totals
    assert ("2025-11", "160", "at least", chq, "", str(ID["doc/agency-2025-11"])) in totals
    latest = _totals(config, "latest-figure-per-claimant")
    assert {(r[0], r[1], r[2]) for r in latest} == {("2025-11", "150", "nearly"),
                                                    ("2025-11", "160", "at least")}
    disagreeing = _rows(config, "disagreeing-figures")
    assert {(r["value"], r["qualifier"], r["otherValue"], r["otherQualifier"]) for r in disagreeing
            if r["dataset"].endswith("/foreign-pow-total") and "2025-11" in r["period"]} == {
        ("150", "nearly", "160", "at least"), ("160", "at least", "150", "nearly")}

    # A revision: the figure is corrected; the report gives the difference by kind.
    revised = _write(tmp_path / "in", "chq-interview-2025-11.yaml",
                     INTERVIEW.replace("value: 150", "value: 152"))
    dry = ingest(config, [revised], dry_run=True)
    report = ingest(config, [revised])
    for result in (dry, report):
        assert result.sources[0].added == {"qb:Observation": 2}  # the value and the made label
        assert result.sources[0].removed == {"qb:Observation": 2}
        assert "changes: 2 statements added, 2 removed (qb:Observation +2 -2)" in result.text()
    assert _head(config) == head  # the revision keeps the person's IRI

    # Retracted in either order, the store returns to the article alone, triple for triple.
    for first, second in (("chq-interview-2025-11", "agency-2025-11"),
                          ("agency-2025-11", "chq-interview-2025-11")):
        retract(config, first)
        retract(config, second)
        assert _dump(config.store_path) == before
        ingest(config, [revised, agency])
    actions = [(a.action, a.source) for a in _log(config)]
    assert actions[:5] == [("ingest", "chq-interview-2025-11"), ("ingest", "agency-2025-11"),
                           ("revision", "chq-interview-2025-11"),
                           ("retraction", "chq-interview-2025-11"), ("retraction", "agency-2025-11")]


def _head(config: Config):
    with OxigraphStore(config.store_path) as store:
        rows = store.query(f"""SELECT ?p WHERE {{ GRAPH <{CHQ}> {{ ?m <{ORG.member}> ?p ;
            <{ORG.role}> <{LGV['role/head']}> }} }}""").rows
    assert len(rows) == 1 and is_person_iri(rows[0][0])
    return rows[0][0]


def _log(config: Config):
    with OxigraphStore(config.store_path) as store:
        return read_log(store)


def test_reingest_of_month_dated_record_is_a_no_op(config, tmp_path):
    path = _write(tmp_path / "in", "chq-interview-2025-11.yaml", INTERVIEW)
    ingest(config, [path])
    store = _dump(config.store_path, with_log=True)
    report = ingest(config, [path])
    assert report.unchanged and not report.problems
    assert _dump(config.store_path, with_log=True) == store


def test_retracting_the_first_source_of_a_month_period_leaves_the_second_valid(config, tmp_path):
    ingest(config, [_write(tmp_path / "in", "chq-interview-2025-11.yaml", INTERVIEW)])
    ingest(config, [_write(tmp_path / "in", "agency-2025-11.yaml", AGENCY_REPORT)])
    period = mint("period", "2025-11-01_2025-11-30")
    report = retract(config, "chq-interview-2025-11")
    assert not report.problems
    with OxigraphStore(config.store_path) as store:
        graph = store.to_dataset([AGENCY]).graph(AGENCY)
    assert (period, RDF.type, None) in graph  # each source defines the periods it uses


def test_publisher_defined_in_the_same_record_resolves(config, tmp_path):
    ingest(config, [_write(tmp_path / "in", "chq-interview-2025-11.yaml", INTERVIEW)])
    with OxigraphStore(config.store_path) as store:
        graph = store.to_dataset([CHQ]).graph(CHQ)
    assert graph.value(ID["doc/chq-interview-2025-11"], SCHEMA.publisher) == ID["org/example-outlet"]
    assert graph.value(ID["org/example-outlet"], RDFS.label) == Literal("Example Outlet", lang="en")


def test_reingest_keeps_a_new_persons_iri(config, tmp_path):
    path = _write(tmp_path / "in", "chq-interview-2025-11.yaml", INTERVIEW)
    first = compile_source(path, _existing(config)).graph
    second = compile_source(path, _existing(config)).graph
    persons = {s for s in first.subjects(RDF.type, None) if is_person_iri(s)}
    assert len(persons) == 1 and persons == {s for s in second.subjects(RDF.type, None) if is_person_iri(s)}
    assert "test" not in str(next(iter(persons))).rsplit("/", 1)[-1]  # opaque, never from the name


def test_two_figures_for_the_same_dataset_area_and_period_in_one_record_are_an_error_naming_both_lines(
        config, tmp_path):
    text = INTERVIEW + "      - value: 151\n        as_of: 2025-11\n"
    path = _write(tmp_path / "in", "chq-interview-2025-11.yaml", text)
    with pytest.raises(LoadError) as caught:
        ingest(config, [path])
    first, second = _line(text, "      - value: 150"), _line(text, "      - value: 151")
    assert (f"chq-interview-2025-11.yaml, line {second}, field statistics[0].observations[1].key: this "
            f"figure and statistics[0].observations[0] (line {first}) have the same data set, area and "
            "date") in str(caught.value)


def test_copied_record_keeping_its_source_id_is_refused_naming_the_other_file(config, tmp_path):
    ingest(config, [_write(tmp_path / "in", "chq-interview-2025-11.yaml", INTERVIEW)])
    copy = _write(tmp_path / "in", "chq-interview-copy.yaml", INTERVIEW)
    with pytest.raises(ValidationFailed) as caught:
        ingest(config, [copy])
    text = str(caught.value)
    assert "source.id: lgid:doc/chq-interview-2025-11 is already defined by" in text
    assert "chq-interview-2025-11.trig" in text and "nothing was written" in text


@pytest.mark.parametrize("suffix", [".yaml", ".csv"])
def test_news_article_without_publication_date_is_refused(config, tmp_path, suffix):
    header = AGENCY_REPORT.split("statistics:")[0].replace("  published: 2025-11-28\n", "")
    if suffix == ".yaml":
        text = AGENCY_REPORT.replace("  published: 2025-11-28\n", "")
    else:
        text = f"---\n{header}---\ncounted,value,as_of\nforeign-pow-total,160,2025-11\n"
    path = _write(tmp_path / "in", f"agency-2025-11{suffix}", text)
    with pytest.raises(LoadError) as caught:
        ingest(config, [path])
    assert ("field source.type: missing field 'published': a news article or report needs its "
            "publication date") in str(caught.value)


def test_report_without_publication_date_is_refused_and_with_one_ingests(config, tmp_path):
    undated = AGENCY_REPORT.replace("  published: 2025-11-28\n", "").replace(
        "  type: NewsArticle", "  type: Report")
    path = _write(tmp_path / "in", "agency-2025-11.yaml", undated)
    with pytest.raises(LoadError, match=r"source\.type: missing field 'published': a news article or report"):
        ingest(config, [path])
    dated = _write(tmp_path / "in", "agency-2025-11.yaml",
                   AGENCY_REPORT.replace("  type: NewsArticle", "  type: Report"))
    ingest(config, [dated])
    with OxigraphStore(config.store_path) as store:
        assert store.query("ASK { ?d a <https://schema.org/Report> ; "
                           "<https://schema.org/datePublished> ?date }").boolean


def test_shape_errors_in_a_record_name_file_line_and_field(config, tmp_path):
    text = INTERVIEW.replace("    member: head\n", "    member: Example Outlet\n")
    path = _write(tmp_path / "in", "chq-interview-2025-11.yaml", text)
    with pytest.raises(ValidationFailed) as caught:
        ingest(config, [path])
    problem = next(p for p in caught.value.report.problems if p.field == "member")
    line = _line(text, "    member: Example Outlet")
    assert problem.location == f"{path}, line {line}, memberships[0].member"
    assert "line None" not in str(caught.value)


def test_problems_in_the_source_block_do_not_hide_later_ones(config, tmp_path):
    text = INTERVIEW.replace("  type: NewsArticle", "  type: Newspaper").replace("as_of: 2025-11",
                                                                                "as_of: 2025-13")
    path = _write(tmp_path / "in", "chq-interview-2025-11.yaml", text)
    with pytest.raises(LoadError) as caught:
        ingest(config, [path])
    message = str(caught.value)
    assert "line 3, field source.type" in message
    line = _line(text, "        as_of: 2025-13")
    assert f"line {line}, field statistics[0].observations[0].as_of: '2025-13' is not a date" in message


@pytest.mark.parametrize(("alias", "code"), [
    ("NK", "KP"), ("North Korea", "KP"), ("DPRK", "KP"), ("South Korea", "KR"), ("Russia", "RU"),
    ("Türkiye", "TR"), ("Turkey", "TR"), ("Côte d'Ivoire", "CI"), ("Ivory Coast", "CI"),
    ("Czechia", "CZ"), ("Eswatini", "SZ"), ("Myanmar", "MM"), ("Burma", "MM")])
def test_nk_and_other_country_aliases_resolve_to_the_right_country(existing_article, tmp_path, alias, code):
    text = INTERVIEW.replace("    name: Test Head\n", f"    name: Test Head\n    nationality: \"{alias}\"\n")
    path = _write(tmp_path, "chq-interview-2025-11.yaml", text)
    graph = compile_source(path, existing_article).graph
    assert set(graph.objects(None, SCHEMA.nationality)) == {ID[f"country/{code}"]}


@pytest.fixture(scope="module")
def existing_article(dataset: Dataset):
    return union(dataset)


def test_membership_takes_the_head_role_and_a_period_and_a_figure_its_spokesperson(existing_article,
                                                                                   tmp_path):
    path = _write(tmp_path, "chq-interview-2025-11.yaml", INTERVIEW)
    graph = compile_source(path, existing_article).graph
    membership = next(graph.subjects(RDF.type, ORG.Membership))
    assert graph.value(membership, ORG.role) == LGV["role/head"]
    assert graph.value(membership, ORG.memberDuring) == mint("period", "2025-11-01_2025-11-30")
    figure = ID["obs/foreign-pow-total/chq-interview-2025-11/total"]
    attribution = graph.value(figure, PROV.qualifiedAttribution)
    assert graph.value(attribution, PROV.hadRole) == LGV["role/spokesperson"]
    assert graph.value(attribution, PROV.agent) == graph.value(membership, ORG.member)
    assert graph.value(figure, PROV.wasAttributedTo) == ID["org/coordination-hq-treatment-of-pows"]


def test_same_as_links_a_person_already_in_the_graph_and_keeps_other_spellings_as_alt_labels(config,
                                                                                              tmp_path):
    record = textwrap.dedent("""\
        source:
          id: agency-2025-12
          type: NewsArticle
          label: "MADE UP: agency on a Belarusian prisoner"
          published: 2025-12-02
          publisher: Glavkom
        defaults:
          claimant: Glavkom
        persons:
          - key: z
            label: Maksim Zyazyulchik
            name: Maksim Zyazyulchik
        """)
    path = _write(tmp_path / "in", "agency-2025-12.yaml", record)
    dry = ingest(config, [path], dry_run=True)
    hint = "write 'same_as: lgid:person/q35dvy4q' in persons[0] of agency-2025-12.yaml (line 10)"
    assert any(hint in w for w in dry.warnings), dry.warnings
    linked = record.replace("  - key: z\n", "  - key: z\n    same_as: lgid:person/q35dvy4q\n").replace(
        "Maksim Zyazyulchik", "Maksim Ziaziulchyk-Test")
    ingest(config, [_write(tmp_path / "in", "agency-2025-12.yaml", linked)])
    person = ID["person/q35dvy4q"]
    with OxigraphStore(config.store_path) as store:
        graph = store.to_dataset([source_graph("agency-2025-12")]).graph(source_graph("agency-2025-12"))
    assert set(graph.predicate_objects(person)) == {
        (SKOS.altLabel, Literal("Maksim Ziaziulchyk-Test", lang="en"))}
    code = main(["--store-path", str(config.store_path), "sources", "--mentions", "lgid:person/q35dvy4q"])
    assert code in (0, None)


def test_sources_mentions_and_log_commands_list_every_step(config, tmp_path, capsys):
    path = _write(tmp_path / "in", "chq-interview-2025-11.yaml", INTERVIEW)
    config.data_dir.mkdir()
    base = ["--store-path", str(config.store_path), "--data-dir", str(config.data_dir)]
    for argv in (["ingest", "--as", "Olena", str(path)],
                 ["retract", "--as", "Petro", "chq-interview-2025-11"]):
        try:
            main([*base, *argv])
        except SystemExit as exc:
            assert exc.code in (0, None)
    capsys.readouterr()
    try:
        # --wide: the file column holds the temporary folder's path, whose length varies (pytest-xdist
        # adds a level), and a cut value would add the table's note on cut values as a last line.
        main([*base, "log", "--wide"])
    except SystemExit as exc:
        assert exc.code in (0, None)
    header, rule, *rows, count = capsys.readouterr().out.splitlines()
    assert header.split() == ["time", "(UTC)", "action", "source", "analyst", "file", "changes"]
    # Regression: the header was laid out for 27-character times and the rows were not aligned.
    starts = [header.index(h) for h in ("action", "source", "analyst", "file", "changes")]
    for row in rows:
        assert all(row[i - 2:i] == "  " and row[i] != " " for i in starts), row
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", rows[0][:19])
    assert "ingest" in rows[0] and "chq-interview-2025-11" in rows[0] and "Olena" in rows[0]
    added = int(rows[0].split("  ")[-1].split()[0])
    assert "chq-interview-2025-11.yaml sha256:" in rows[0]
    assert rows[0].endswith(f"{added} statements added, 0 removed")
    assert "retraction" in rows[1] and "Petro" in rows[1]
    assert rows[1].endswith(f"0 statements added, {added} removed")
    assert set(rule) == {"-", " "}
    assert count == "(2 activities)"


def test_the_activity_log_is_exported_with_the_other_graphs(config, tmp_path):
    ingest(config, [_write(tmp_path / "in", "chq-interview-2025-11.yaml", INTERVIEW)])
    from legiongraph.publish.export import store_quads

    with OxigraphStore(config.store_path) as store:
        graphs = {str(q.graph_name.value) for q in store_quads(store, None)
                  if isinstance(q.graph_name, ox.NamedNode)}
    assert str(GRAPH_LOG) in graphs
    (activity,) = _log(config)
    assert (activity.action, activity.analyst, activity.file) == ("ingest", "Test Analyst",
                                                                  "chq-interview-2025-11.yaml")


def test_the_documented_later_source_is_the_example_and_ingests_cleanly(config):
    """docs/authoring.md walks a new analyst through examples/made-up-chq-interview-2025-11.yaml."""
    root = Path(__file__).resolve().parent.parent
    doc = (root / "docs" / "authoring.md").read_text(encoding="utf-8")
    section = doc.split("# Many sources over many months", 1)[1]
    block = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    example = root / "examples" / "made-up-chq-interview-2025-11.yaml"
    text = example.read_text(encoding="utf-8")
    assert text.split("\n", 2)[2] == block.split("\n", 1)[1]  # the same record, bar the comments
    report = ingest(config, [example], dry_run=True)
    assert not report.problems and not report.warnings
    assert report.sources[0].classes["qb:Observation"] == 1
