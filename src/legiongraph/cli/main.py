"""The ``legiongraph`` command: a thin layer over the library.

Exit codes: 0 success, 1 the data does not conform, 2 a file, query or argument is bad,
3 the store is missing or unusable, 4 any other error.
"""

from __future__ import annotations

import errno
import sys
from pathlib import Path

import click

from ..config import STORE_KINDS, Config, load_config
from ..errors import ConfigError, LegiongraphError, PortInUse, QueryError, StoreError, exit_code_for
from ..iris import PREFIXES
from ..pipeline.build import build, check
from ..pipeline.privacy import is_public, personal_data
from ..progress import Progress
from ..query.queries import check_query, list_queries, resolve_query, run_query
from ..query.stats import compute_stats, store_location
from ..query.texttable import plural, render_table, table_width
from ..resources import Resources
from ..shacl.validation import alias_note
from ..stores import open_store
from ..stores.results import TABULAR_FORMATS, serialize_result
from .data import DATA_COMMANDS
from .helptext import StoreCommand

__all__ = ["cli", "main"]

#: --format values for a SELECT/ASK table and for a CONSTRUCT/DESCRIBE graph
GRAPH_FORMATS = {"turtle": "turtle", "nt": "nt"}
QUERY_FORMATS = (*TABULAR_FORMATS, *GRAPH_FORMATS)
#: the commands that validate, and so say what an alias validator name runs
_VALIDATING = frozenset({"build", "validate", "ingest", "retract", "load"})


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              help="TOML configuration file (default: $LEGIONGRAPH_CONFIG).")
@click.option("--store", type=click.Choice(STORE_KINDS), default=None,
              help="Store back end (default: oxigraph).")
@click.option("--store-path", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where the built store lives (default: this checkout's var/store, which "
                   "`make run` builds; ~/.local/share/legiongraph/store when installed). "
                   "`legiongraph stats` names the store in use.")
@click.option("--data-dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              default=None, help="Folder with ontology/, data/ and queries/ to use instead.")
@click.pass_context
def cli(ctx: click.Context, config_file: str | None, store: str | None, store_path: Path | None,
        data_dir: Path | None) -> None:
    """Build, validate and query the legiongraph knowledge graph."""
    ctx.obj = load_config(config_file, store=store, store_path=store_path, data_dir=data_dir)
    note = alias_note(ctx.obj.validator)
    if note and ctx.invoked_subcommand in _VALIDATING:
        click.echo(f"note: {note}", err=True)


@cli.command("build")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write the store here instead of the configured store path.")
@click.option("--public", is_flag=True, default=None,
              help="Public profile: withhold names, birth dates, ages and personal details of "
                   "individual prisoners from the store.")
@click.pass_obj
def build_cmd(config: Config, out: Path | None, public: bool | None) -> None:
    """Load, validate and reason over the data, then write the store and print counts."""
    if out is not None:
        config = config.replace(store_path=out)
    if public:
        config = config.replace(public=True)
    result = build(config, progress=Progress())
    where = config.sparql_endpoint if result.store == "sparql" else result.location
    click.echo(f"Built the {result.store} store at {where}")
    click.echo("Triples per named graph:")
    for graph, n in result.counts.items():
        click.echo(f"  {n:>8}  {graph}")
    click.echo(f"  {sum(result.counts.values()):>8}  (all graphs)")


@cli.command("validate")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--built", is_flag=True,
              help="Validate the built store as it is (asserted and inferred graphs, opened "
                   "read-only) instead of loading and reasoning over the data files.")
@click.pass_obj
def validate_cmd(config: Config, files: tuple[Path, ...], built: bool) -> None:
    """Validate the data plus any FILES after reasoning, or with --built the built store as it is."""
    if built and files:
        raise click.UsageError("--built validates the store as it is; check FILES without --built")
    if built:
        from ..pipeline.build import load_shapes
        from ..shacl.storecheck import validate_built

        shapes = load_shapes(Resources(config.data_dir))
        with open_store(config) as store:  # read-only; exit 3 where nothing was built
            click.echo(f"Store: the {store_location(config)}")
            report = validate_built(store, shapes, config.validator, progress=Progress())
    else:
        report = check(config, files, progress=Progress())
    click.echo(report.text(), nl=False)
    sys.exit(0 if report.conforms else 1)


@cli.command("query", cls=StoreCommand)
@click.argument("query")
@click.option("--format", "fmt", type=click.Choice(QUERY_FORMATS), default=None,
              help="Output format: table (default), csv, tsv, json or xml for SELECT and ASK; "
                   "turtle (default) or nt for CONSTRUCT and DESCRIBE.")
@click.option("--wide", is_flag=True, help="Show long values whole instead of fitting the table to "
                                           "the terminal's width.")
@click.pass_obj
def query_cmd(config: Config, query: str, fmt: str | None, wide: bool) -> None:
    """Run QUERY (a named query, a .rq file, or - for standard input) on the built store."""
    named = resolve_query(Resources(config.data_dir), query)
    form = check_query(named)
    graph = form in ("CONSTRUCT", "DESCRIBE")
    if fmt is not None and graph != (fmt in GRAPH_FORMATS):
        if graph:
            raise QueryError(f"{named.location}: a {form} query answers with a graph, which has no "
                             f"{fmt.upper()} form; use --format turtle or --format nt")
        raise QueryError(f"{named.location}: a {form} query answers with a table, not a graph; "
                         f"use --format {', '.join(TABULAR_FORMATS)}")
    with open_store(config) as store:
        result = run_query(store, named)
    if result.kind == "CONSTRUCT":
        assert result.graph is not None
        for prefix, ns in PREFIXES.items():
            result.graph.bind(prefix, ns, override=False)
        click.echo(result.graph.serialize(format=GRAPH_FORMATS.get(fmt or "turtle", "turtle")),
                   nl=False)
    elif fmt in (None, "table"):
        click.echo(render_table(result, PREFIXES, table_width(wide)), nl=False)
    else:
        click.echo(serialize_result(result, fmt, PREFIXES), nl=False)


@cli.command("queries")
@click.pass_obj
def queries_cmd(config: Config) -> None:
    """List the named queries with their titles."""
    for q in list_queries(Resources(config.data_dir)):
        click.echo(f"{q.name:<40} {q.title}")


@cli.command("stats", cls=StoreCommand)
@click.pass_obj
def stats_cmd(config: Config) -> None:
    """Print which store is read, its triples per named graph and entities per class."""
    with open_store(config) as store:
        click.echo(f"Store: the {store_location(config)}")
        click.echo(compute_stats(store).text(), nl=False)


@cli.command("synth")
@click.option("--triples", "-n", type=click.IntRange(min=100), required=True,
              help="About how many triples to write.")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed: same seed, same file.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="TriG file to write; its stem names the source graph (default: synth-N.trig).")
def synth_cmd(triples: int, seed: int, out: Path | None) -> None:
    """Write synthetic data in the project's model (one source graph) for benchmarks."""
    from ..authoring.synth import synthesize

    out = out or Path(f"synth-{triples}.trig")
    result = synthesize(out, triples, seed=seed, progress=Progress())
    click.echo(f"Wrote {result.triples} triples ({result.persons} persons) in <{result.graph}> "
               f"to {result.path}")


@cli.command("link", cls=StoreCommand)
@click.option("--class", "classes", multiple=True, metavar="KIND|CLASS",
              help="What to reconcile: place, organisation, person, combatant, or a class such as "
                   "schema:City (repeatable; default: places, organisations and public figures).")
@click.option("--endpoint", default=None, metavar="URL",
              help="SPARQL endpoint to reconcile against (default: the Wikidata Query Service).")
@click.option("--geonames", "geonames_dump", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              default=None, help="Reconcile places against this GeoNames dump (allCountries.txt, "
                                 "a country file, or its .zip) instead of Wikidata.")
@click.option("--review", "review_file", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("link-review.csv"), show_default=True,
              help="The review file proposals are merged into; decided rows are kept.")
@click.option("--apply", "apply_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="REVIEW.csv", help="Write the accepted rows of a review file to the links graph.")
@click.option("--cache", "cache_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for cached endpoint answers (default: ~/.cache/legiongraph/sparql).")
@click.option("--delay", type=float, default=1.0, show_default=True,
              help="Seconds to wait between two requests to the endpoint.")
@click.pass_obj
def link_cmd(config: Config, classes: tuple[str, ...], endpoint: str | None, geonames_dump: Path | None,
             review_file: Path, apply_file: Path | None, cache_dir: Path | None, delay: float) -> None:
    """Propose links to Wikidata or GeoNames into a review file, or --apply a reviewed file."""
    from .. import linking

    if apply_file is not None:
        rows = linking.read_review(apply_file)
        from ..pipeline.build import load_shapes

        with open_store(config, read_only=False) as store:
            result = linking.apply_review(store, rows, load_shapes(Resources(config.data_dir)),
                                          source=str(apply_file))
        n = result.counts
        click.echo(f"Wrote {plural(n['exact'], 'exact match', 'exact matches')} and "
                   f"{plural(n['close'], 'close match', 'close matches')} to <{linking.GRAPH_LINKS}>, "
                   f"recording {n['reject']} rejected and {plural(n['pending'], 'pending proposal')}")
        return
    with open_store(config) as store:
        entities = linking.read_entities(store, classes)
    progress = Progress()
    if geonames_dump is not None:
        target, rows = "geonames", linking.reconcile_geonames(geonames_dump, entities, progress)
    else:
        client = linking.SparqlClient(endpoint or linking.WIKIDATA_SPARQL, min_interval=delay,
                                      cache_dir=cache_dir or linking.default_cache_dir())
        target, rows = "wikidata", linking.reconcile_wikidata(client, entities, progress)
    old = linking.read_review(review_file) if review_file.exists() else []
    reconciled = {(str(e.iri), target) for e in entities}
    merged = linking.merge(old, rows, reconciled)
    linking.write_review(review_file, merged)
    pending = sum(1 for r in merged if not r.decision and r.candidate_iri)
    nothing = sorted({r.entity for r in merged if not r.candidate_iri and r.target == target})
    click.echo(f"Reconciled {plural(len(entities), 'entity', 'entities')} against {target}: "
               f"{plural(pending, 'proposal')} to "
               f"review, {len(nothing)} without candidate; wrote {review_file}")


@cli.command("serve", cls=StoreCommand)
@click.option("--host", default=None, help="Interface to listen on (default: 127.0.0.1, loopback only).")
@click.option("--port", type=int, default=None, help="Port to listen on (default: 8000).")
@click.option("--threads", type=int, default=8, show_default=True, help="Worker threads.")
@click.option("--public", is_flag=True, default=None,
              help="Refuse to serve a store that holds protected personal data (build it with --public).")
@click.pass_obj
def serve_cmd(config: Config, host: str | None, port: int | None, threads: int,
              public: bool | None) -> None:
    """Serve the SPARQL endpoint, the query UI and the Linked Data pages with waitress."""
    from ..query.executor import ProcessExecutor
    from ..web import create_app
    from ..web.search import warm as warm_search_index
    from ..web.server import make_server, return_freed_memory

    config = config.replace(host=host or config.host, port=port or config.port)
    if public:
        config = config.replace(public=True)
    if threads <= config.workers:
        # /sparql holds at most `workers` threads: the rest must be left for pages and files.
        raise ConfigError(f"--threads: expected more server threads than query workers "
                          f"({config.workers}), got {threads}")
    store = open_store(config)  # fails now, with a clear message, if nothing was built
    # The content itself is checked, not only the profile's marker: a full store plus the marker
    # triple would otherwise pass.
    found = personal_data(store) if config.public else []
    if config.public and (found or not is_public(store.graphs())):
        example = f" (for example <{found[0][1]}> of <{found[0][0]}>)" if found else ""
        raise StoreError(f"{config.store_path}: this store holds the names and personal details of "
                         f"prisoners{example}; rebuild it with 'legiongraph build --public' to serve "
                         "it publicly")
    # Queries never run in the server process: a runaway one could not be stopped there.
    executor = ProcessExecutor(config, workers=config.workers, timeout=config.query_timeout)
    app = create_app(config, store=store, executor=executor)
    try:
        # Bind before announcing anything, so that a busy port is one line and no "Serving".
        # with the limits of the web edge (channel_timeout, connections per address, body size)
        server = make_server(app, config, threads=threads)
    except OSError as exc:
        executor.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(f"port {config.port} is in use; choose another with --port") from None
        raise PortInUse(f"cannot listen on {config.host}:{config.port} ({exc.strerror}); "
                        "choose another with --host or --port") from None
    warm_search_index(app)  # the search box's index, opened (or written) while the first pages load
    return_freed_memory()
    click.echo(f"Serving legiongraph at http://{config.host}:{config.port}/ "
               f"(SPARQL endpoint: /sparql; the {store_location(config)}). Press Ctrl+C to stop.")
    try:
        server.run()
    finally:
        executor.close()


for _command in DATA_COMMANDS:
    cli.add_command(_command)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI, turning legiongraph errors into a message and an exit code."""
    try:
        cli.main(args=argv, prog_name="legiongraph", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except LegiongraphError as exc:
        click.echo(f"legiongraph: {exc}", err=True)
        sys.exit(exit_code_for(exc))
    except SystemExit:
        raise


if __name__ == "__main__":
    main()
