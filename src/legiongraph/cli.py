"""The ``legiongraph`` command: a thin layer over the library.

Exit codes: 0 success, 1 the data does not conform, 2 a file, query or argument is bad,
3 the store is missing or unusable, 4 any other error.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .build import build, compile_dataset
from .config import STORE_KINDS, Config, load_config
from .errors import LegiongraphError, StoreError, exit_code_for
from .iris import PREFIXES
from .privacy import is_public
from .progress import Progress
from .queries import list_queries, resolve_query, run_query
from .resources import Resources
from .results import TABULAR_FORMATS, serialize_result
from .stats import compute_stats
from .stores import open_store

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              help="TOML configuration file (default: $LEGIONGRAPH_CONFIG).")
@click.option("--store", type=click.Choice(STORE_KINDS), default=None,
              help="Store back end (default: oxigraph).")
@click.option("--store-path", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where the built store lives (default: ~/.local/share/legiongraph/store).")
@click.option("--data-dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              default=None, help="Folder with ontology/, data/ and queries/ to use instead.")
@click.pass_context
def cli(ctx: click.Context, config_file: str | None, store: str | None, store_path: Path | None,
        data_dir: Path | None) -> None:
    """Build, validate and query the legiongraph knowledge graph."""
    ctx.obj = load_config(config_file, store=store, store_path=store_path, data_dir=data_dir)


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
    click.echo(f"Built the {result.store} store at {result.location}")
    click.echo("Triples per named graph:")
    for graph, n in result.counts.items():
        click.echo(f"  {n:>8}  {graph}")
    click.echo(f"  {sum(result.counts.values()):>8}  (all graphs)")


@cli.command("validate")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def validate_cmd(config: Config, files: tuple[Path, ...]) -> None:
    """Validate the data, plus any FILES, against the SHACL shapes after reasoning."""
    _, report = compile_dataset(Resources(config.data_dir), files, progress=Progress())
    click.echo(report.text(), nl=False)
    sys.exit(0 if report.conforms else 1)


@cli.command("query")
@click.argument("query")
@click.option("--format", "fmt", type=click.Choice(TABULAR_FORMATS), default="table",
              show_default=True, help="Output format for SELECT and ASK results.")
@click.pass_obj
def query_cmd(config: Config, query: str, fmt: str) -> None:
    """Run QUERY (a named query, a .rq file, or - for standard input) on the built store."""
    named = resolve_query(Resources(config.data_dir), query)
    with open_store(config) as store:
        result = run_query(store, named)
    click.echo(serialize_result(result, fmt, PREFIXES), nl=False)


@cli.command("queries")
@click.pass_obj
def queries_cmd(config: Config) -> None:
    """List the named queries with their titles."""
    for q in list_queries(Resources(config.data_dir)):
        click.echo(f"{q.name:<40} {q.title}")


@cli.command("stats")
@click.pass_obj
def stats_cmd(config: Config) -> None:
    """Print triples per named graph and entities per class."""
    with open_store(config) as store:
        click.echo(compute_stats(store).text(), nl=False)


@cli.command("serve")
@click.option("--host", default=None, help="Interface to listen on (default: 127.0.0.1, loopback only).")
@click.option("--port", type=int, default=None, help="Port to listen on (default: 8000).")
@click.option("--threads", type=int, default=8, show_default=True, help="Worker threads.")
@click.option("--public", is_flag=True, default=None,
              help="Refuse to serve a store that holds protected personal data (build it with --public).")
@click.pass_obj
def serve_cmd(config: Config, host: str | None, port: int | None, threads: int,
              public: bool | None) -> None:
    """Serve the SPARQL endpoint, the query UI and the Linked Data pages with waitress."""
    from waitress import serve

    from .executor import ProcessExecutor
    from .web import create_app

    config = config.replace(host=host or config.host, port=port or config.port)
    if public:
        config = config.replace(public=True)
    store = open_store(config)  # fails now, with a clear message, if nothing was built
    if config.public and not is_public(store.graphs()):
        raise StoreError(f"{config.store_path}: this store holds the names and personal details of "
                         "prisoners; rebuild it with 'legiongraph build --public' to serve it publicly")
    # Queries never run in the server process: a runaway one could not be stopped there.
    executor = ProcessExecutor(config, workers=config.workers, timeout=config.query_timeout)
    app = create_app(config, store=store, executor=executor)
    click.echo(f"Serving legiongraph at http://{config.host}:{config.port}/ "
               f"(SPARQL endpoint: /sparql). Press Ctrl+C to stop.")
    try:
        serve(app, host=config.host, port=config.port, threads=threads, ident="legiongraph")
    finally:
        executor.close()


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
