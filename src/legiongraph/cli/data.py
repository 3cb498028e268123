"""The ``legiongraph`` commands that move data in and out of a store: ingest, export, archive, load."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rdflib import URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from ..config import Config
from ..iris import BASE
from ..progress import Progress
from ..query.queries import resolve_query
from ..query.texttable import plural, render_rows, table_width
from ..resources import Resources
from ..stores import open_store
from .helptext import StoreCommand

__all__ = ["DATA_COMMANDS"]

GRAPH_IMPORTED = BASE + "graph/imported"


@click.command("export", cls=StoreCommand)
@click.option("--format", "fmt", default="trig", show_default=True,
              help="turtle, trig, nquads, nt, jsonld or rdfxml.")
@click.option("--graphs", default=None,
              help="Comma-separated graph kinds: ontology, asserted, reference, links, inferred, "
                   "profile, other, or all (default: all but inferred).")
@click.option("--query", "query", default=None, help="Export what this named CONSTRUCT query builds.")
@click.option("--out", default="-", show_default=True, help="File to write (atomically), or - for stdout.")
@click.option("--canonical-hash", is_flag=True,
              help="Print the SHA-256 of the canonical N-Quads of the selection instead.")
@click.pass_obj
def export_cmd(config: Config, fmt: str, graphs: str | None, query: str | None, out: str,
               canonical_hash: bool) -> None:
    """Export the store deterministically: the same data gives the same bytes."""
    from ..publish.canonical import canonical_nquads, sha256_hex
    from ..publish.export import export_format, query_quads, serialize, store_quads, write_output

    chosen = export_format(fmt)
    kinds = [k.strip() for k in graphs.split(",") if k.strip()] if graphs else None
    with open_store(config) as store:
        if query:
            quads = query_quads(store, resolve_query(Resources(config.data_dir), query))
        else:
            quads = store_quads(store, kinds)
    if canonical_hash:
        click.echo(sha256_hex(canonical_nquads(quads)))
        return
    write_output(serialize(quads, chosen), out)


@click.command("archive", cls=StoreCommand)
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--verify", is_flag=True, help="Verify the bag at PATH instead of writing one.")
@click.pass_obj
def archive_cmd(config: Config, path: Path, verify: bool) -> None:
    """Write a BagIt bag of the store to PATH, or check one with --verify."""
    from ..publish.archive import make_archive, verify_archive
    from ..publish.archivedesc import Publication

    if verify:
        result = verify_archive(path, progress=Progress())
        click.echo(f"{path}: valid bag; {result.files} files; checksums, parsing, shapes and the "
                   f"canonical hash all check out\ncanonical SHA-256: {result.canonical_sha256}")
        return
    publication = Publication.from_config(config)
    with open_store(config) as store:
        # The PROV record names the command, not the local folder it wrote to.
        info = make_archive(store, Resources(config.data_dir), path, "legiongraph archive",
                            progress=Progress(), publication=publication)
    click.echo(f"Wrote the bag {path} ({info.payload_count} files)\n"
               f"canonical SHA-256: {info.canonical_sha256}")
    for note in publication.missing_identifiers():
        click.echo(f"note: {note}", err=True)


@click.command("load", cls=StoreCommand)
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--graph", default=None,
              help="Named graph for triples outside any graph (default: lgg:imported).")
@click.pass_obj
def load_cmd(config: Config, sources: tuple[Path, ...], graph: str | None) -> None:
    """Replace the store's content by a bag (checked first) or by RDF files, as they are."""
    from ..pipeline.loading import load_files
    from ..publish.archive import read_archive

    bags = [s for s in sources if s.is_dir()]
    if bags and len(sources) > 1:
        raise click.UsageError("load takes one bag, or RDF files, not both")
    dataset = read_archive(bags[0]) if bags else load_files(sources)
    default = dataset.graph(DATASET_DEFAULT_GRAPH_ID)
    target = dataset.graph(URIRef(graph or GRAPH_IMPORTED))
    for triple in list(default):
        target.add(triple)
    dataset.remove_graph(default)
    with open_store(config, read_only=False) as store:
        store.replace_all(dataset)
        counts = {g: store.count(g) for g in store.graphs()}
    for name, n in counts.items():
        click.echo(f"  {n:>8}  {name}")
    click.echo(f"  {sum(counts.values()):>8}  (all graphs) loaded into the {config.store} store")


@click.command("ingest", cls=StoreCommand)
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would be added, and every problem; write nothing.")
@click.option("--as", "analyst", default=None, metavar="NAME",
              help="Who to record in the activity log (default: the analyst setting, else your user name).")
@click.pass_obj
def ingest_cmd(config: Config, files: tuple[Path, ...], dry_run: bool, analyst: str | None) -> None:
    """Add or revise source FILES (one named graph each), if everything still conforms."""
    from ..pipeline.ingest import ingest

    report = ingest(config, list(files), dry_run=dry_run, progress=Progress(), analyst=analyst)
    click.echo(report.text(), nl=False)
    if report.problems:  # only a dry run returns problems; a real ingest raises ValidationFailed
        sys.exit(1)


@click.command("sources", cls=StoreCommand)
@click.option("--mentions", default=None, metavar="IRI",
              help="Only the sources that mention this resource (lgid:person/abcd2345 or a full IRI).")
@click.pass_obj
def sources_cmd(config: Config, mentions: str | None) -> None:
    """List the sources in the store with their document, date and counts."""
    from ..pipeline.ingest import list_sources
    from ..pipeline.sourcelist import sources_mentioning

    with open_store(config) as store:
        found = list_sources(store)
        if mentions:
            text = mentions.strip()
            iri = URIRef(BASE + "id/" + text.removeprefix("lgid:") if not text.startswith("http") else text)
            named = set(sources_mentioning(store, iri))
            found = [s for s in found if s.name in named]
    click.echo(f"{'source':<32} {'date':<10} {'triples':>8} {'persons':>7} {'events':>6}  document")
    for s in found:
        click.echo(f"{s.name:<32} {s.date or '-':<10} {s.triples:>8} {s.persons:>7} {s.events:>6}  "
                   f"{s.title or s.document or '-'}")
    click.echo(f"({plural(len(found), 'source')})")


@click.command("retract", cls=StoreCommand)
@click.argument("source")
@click.option("--as", "analyst", default=None, metavar="NAME",
              help="Who to record in the activity log (default: the analyst setting, else your user name).")
@click.pass_obj
def retract_cmd(config: Config, source: str, analyst: str | None) -> None:
    """Remove one SOURCE's graph and the entailments only it supported, and its data file."""
    from ..pipeline.ingest import retract

    click.echo(retract(config, source, progress=Progress(), analyst=analyst).text(), nl=False)


@click.command("log", cls=StoreCommand)
@click.option("--source", default=None, help="Only the activities of this source.")
@click.option("--wide", is_flag=True, help="Show long values whole instead of fitting the table to "
                                           "the terminal's width.")
@click.pass_obj
def log_cmd(config: Config, source: str | None, wide: bool) -> None:
    """List who ingested, revised or retracted which source, when, and from which file."""
    from ..pipeline.activitylog import read_log

    with open_store(config) as store:
        found = [a for a in read_log(store) if source is None or a.source == source]
    headers = ("time (UTC)", "action", "source", "analyst", "file", "changes")
    for line in render_rows(headers, [a.cells() for a in found], table_width(wide)):
        click.echo(line)
    click.echo(f"({plural(len(found), 'activity', 'activities')})")


DATA_COMMANDS = (ingest_cmd, sources_cmd, retract_cmd, log_cmd, export_cmd, archive_cmd, load_cmd)
