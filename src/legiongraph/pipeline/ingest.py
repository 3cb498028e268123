"""Add, replace and retract source documents in a built store, without rebuilding it.

``ingest(config, files)`` compiles each file into its own named graph ``graph/source/NAME``
(:mod:`legiongraph.authoring.sourcefile`), works out what the change entails and whether every resource it
touches still conforms (:mod:`legiongraph.pipeline.incremental`), and only if everything conforms writes
the data file under ``data/sources/`` and the store: the source graph, the new entailments and the
entailments that no longer hold, in one store transaction (:meth:`Store.patch`). Otherwise nothing
changes and the report lists every problem with file, line and field. Re-ingesting a file
replaces its graph; ingesting the same content again changes nothing. ``retract(config, NAME)``
removes one source's graph and the entailments only it supported.

Where the data file goes: ``DATA_DIR/data/sources/`` when a data folder is configured, else the
packaged ``data/sources/`` of a working copy (an editable install). An installed package's data is
read-only, so there ingest asks for a data folder. A data folder's ``data/sources/`` replaces the
packaged one as a whole (:mod:`legiongraph.resources`); when ingest creates it, it first copies the
packaged sources there, so that ``legiongraph build`` with that folder builds the same store.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from importlib import resources as importlib_resources
from pathlib import Path

from rdflib import Dataset
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS

from ..authoring import SUFFIXES as AUTHORING_SUFFIXES
from ..authoring import as_source_file
from ..authoring.known import Known
from ..authoring.sourcefile import SourceFile, compile_source
from ..config import Config
from ..errors import ConfigError, LoadError, ResourceNotFound, StoreError, ValidationFailed
from ..fsutil import TMP_PREFIX, atomic_write_bytes
from ..iris import GRAPH, GRAPH_INFERRED, GRAPH_ONTOLOGY, ID, PREFIXES, SCHEMA, source_graph
from ..progress import QUIET, Progress
from ..reasoning.ruleindex import SCHEMA_NAMESPACES
from ..resources import KINDS, Resources
from ..stores import open_store
from ..stores.base import Store
from .activitylog import GRAPH_LOG, activity_triples, analyst_name
from .build import load_shapes
from .gazetteerchange import gazetteer_note, gazetteer_replacement
from .incremental import Delta, Schema, plan_change
from .ingestreport import (
    IngestReport,
    Problem,
    SourceSummary,
    changes,
    duplicate_warnings,
    explain,
    short,
    summarise,
)
from .privacy import is_public
from .sourcelist import SourceInfo, list_sources
from .storenames import StoreKnown

__all__ = ["SourceInfo", "ingest", "list_sources", "retract", "sources_dir"]

_KEEP_SUFFIXES = KINDS["sources"][1]  # files build reads as they are; others become TriG
_NAMES = (RDFS.label, SCHEMA.name, SKOS.altLabel)
_ANNOTATIONS = (RDFS.label, RDFS.comment, RDFS.seeAlso)


def sources_dir(config: Config) -> Path:
    """Return the folder where ingest writes data files; ConfigError if there is none to write."""
    if config.data_dir is not None:
        return Path(config.data_dir) / "data" / "sources"
    packaged = Path(str(importlib_resources.files("legiongraph") / "resources" / "data" / "sources"))
    resolved = packaged.resolve()
    installed = {"site-packages", "dist-packages"} & set(resolved.parts)
    if resolved.is_dir() and not installed and os.access(resolved, os.W_OK):
        return resolved
    raise ConfigError("ingest and retract write the source's data file under DATA_DIR/data/sources/, and "
                      "the installed package's data is read-only: set data_dir (--data-dir, "
                      "LEGIONGRAPH_DATA_DIR or data_dir in the configuration file)")


def _refusal(report: IngestReport, what: str) -> str:
    lines = [f"{what} ({len(report.problems)} problem(s)); nothing was written:"]
    return "\n".join(lines + [f"  {p.text()}" for p in report.problems])


def _compile_all(files: Sequence[Path], existing: Callable[[], Known]) -> list[SourceFile]:
    """Compile every file, collecting every file's parse error before failing."""
    compiled, errors = [], []
    for path in files:
        try:
            # CSV tables and YAML records name entities of the graph: they compile against it.
            if Path(path).suffix.lower() in AUTHORING_SUFFIXES:
                compiled.append(as_source_file(Path(path), existing()))
                continue
            compiled.append(compile_source(Path(path)))
        except LoadError as exc:
            errors.append(str(exc))
    names = Counter(src.name for src in compiled)
    errors += [f"{name}: given twice (one file per source)" for name, n in names.items() if n > 1]
    if errors:
        raise LoadError("\n".join(errors), path=str(files[0]) if len(files) == 1 else None)
    return compiled


def _known(config: Config, opened: contextlib.ExitStack) -> Known:
    """Open the store for the authoring formats to resolve names against, until the compile ends."""
    # They ask about the few names and nodes a file mentions: reading every triple into an rdflib
    # Graph took minutes and gigabytes at 10M triples.
    return StoreKnown(opened.enter_context(open_store(config)))


def _check_store(config: Config) -> None:
    """Fail before writing anything unless the configured store has been built."""
    with open_store(config) as store:  # read-only: creates nothing where no store is
        if GRAPH_ONTOLOGY not in store.graphs():
            raise StoreError(f"{config.store_path}: the store holds no ontology; run 'legiongraph "
                             "build' first")


def _refuse_public(store: Store) -> None:
    if is_public(store.graphs()):
        raise StoreError("this store was built with the public profile, which withholds personal "
                         "data: change the full store, then rebuild the public one with "
                         "'legiongraph build --public'")


def _extends_schema(triple: tuple, schema: Schema) -> bool:
    s, p, o = triple
    if s in schema.terms:
        return True
    if p == RDF.type:
        return str(o).startswith(SCHEMA_NAMESPACES)
    return str(p).startswith((str(RDFS), str(OWL))) and p not in _ANNOTATIONS


def _extension_problems(sources: Iterable[SourceFile], schema: Schema) -> list[Problem]:
    """A source describes instances; ontology terms, concepts and OWL axioms belong in ontology/."""
    problems = []
    for src in sources:
        for s, p, _ in sorted(t for t in src.triples if _extends_schema(t, schema)):
            line = src.line_of(s)
            problems.append(Problem(f"{src.path}, line {line}" if line else str(src.path),
                                    short(p).split(":", 1)[-1],
                                    "a source describes people, events and documents; ontology "
                                    "terms, concepts and OWL axioms belong in ontology/ (then run "
                                    "'legiongraph build')", short(s)))
    return problems


def _file_name(src: SourceFile) -> str:
    suffix = src.path.suffix.lower()
    return src.name + (suffix if suffix in _KEEP_SUFFIXES else ".trig")


def _file_bytes(src: SourceFile) -> bytes:
    if src.path.suffix.lower() in _KEEP_SUFFIXES:
        return src.data  # the analyst's own file, comments and line numbers included
    dataset = Dataset()
    for prefix, ns in PREFIXES.items():
        dataset.bind(prefix, ns)
    target = dataset.graph(src.graph)
    for triple in src.triples:
        target.add(triple)
    return dataset.serialize(format="trig", encoding="utf-8")


def _seed(folder: Path, config: Config) -> str | None:
    """Create a data folder's sources/ with the packaged sources, which it replaces for builds."""
    if folder.is_dir():
        return None
    folder.mkdir(parents=True)
    for res in Resources(None).list("sources"):
        atomic_write_bytes(folder / res.name, res.read_bytes())
    return (f"created {folder} with copies of the packaged sources, so that 'legiongraph build' with "
            f"the data folder {config.data_dir} builds this store")


def _collisions(store: Store, sources: Sequence[SourceFile], folder: Path | None) -> list[Problem]:
    """Refuse a source whose document or figures another source's graph already defines."""
    problems = []
    for src in sources:
        if not src.origins:
            continue  # an RDF file names its IRIs itself; records mint them from ids and keys
        docs = {o for o in src.triples.objects(None, PROV.wasDerivedFrom)
                if (o, RDF.type, None) in src.triples}
        figures = {s for s in src.triples.subjects(RDF.type, None) if str(s).startswith(str(ID["obs/"]))}
        mine = docs | figures
        if not mine:
            continue
        values = " ".join(f"<{n}>" for n in sorted(mine))
        rows = store.query(f"""SELECT DISTINCT ?s ?g WHERE {{ VALUES ?s {{ {values} }}
            GRAPH ?g {{ ?s a ?t }} FILTER(?g != <{src.graph}> && STRSTARTS(STR(?g), "{GRAPH['source/']}")) }}
            ORDER BY ?s ?g""").rows
        for node, graph in rows:
            other = str(graph).rsplit("/", 1)[-1]
            files = _data_files(folder, other) if folder is not None else []
            where = f"{files[0]}" if files else f"source {other}"
            what = "source.id" if node in docs else "figure"
            line = src.line_of(node)  # type: ignore[arg-type]
            problems.append(Problem(f"{src.path}, line {line}" if line else str(src.path), what,
                                    f"{short(node)} is already defined by {where}: a copied record "
                                    "must get its own source id (and figures their own keys), or "
                                    f"revise {other} instead", short(node)))
    return problems


def _write(store: Store, folder: Path, sources: Sequence[SourceFile], delta: Delta,
           log: set | None = None) -> None:
    """Write the data files, then the store in one transaction; put the files back if it fails."""
    undo: list[tuple[Path, bytes | None]] = []
    try:
        for src in sources:
            path, data = folder / _file_name(src), _file_bytes(src)
            previous = path.read_bytes() if path.exists() else None
            if previous != data:
                undo.append((path, previous))
                atomic_write_bytes(path, data)
        if not delta.unchanged:
            store.patch(replace=delta.replace, remove={GRAPH_INFERRED: delta.remove_inferred},
                        add={GRAPH_INFERRED: delta.add_inferred, GRAPH_LOG: log or set()})
    except BaseException:
        for path, previous in reversed(undo):
            if previous is None:
                path.unlink(missing_ok=True)
            else:
                atomic_write_bytes(path, previous)
        raise
    for src in sources:  # the same source in another format would enter a rebuild twice
        for twin in _data_files(folder, src.name):
            if twin.name != _file_name(src):
                twin.unlink()


def _data_files(folder: Path, name: str) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(f for f in folder.iterdir() if f.stem == name and f.suffix in _KEEP_SUFFIXES)


def ingest(config: Config, files: Sequence[Path], dry_run: bool = False,
           progress: Progress = QUIET, analyst: str | None = None) -> IngestReport:
    """Add or replace source files in the store; raise ValidationFailed, naming every problem."""
    progress.step(f"compiling {len(files)} source file(s)")
    with contextlib.ExitStack() as opened:
        sources = _compile_all(files, functools.cache(lambda: _known(config, opened)))
    try:
        folder: Path | None = sources_dir(config)
    except ConfigError:
        if not dry_run:
            raise
        folder = None  # a dry run writes nothing, so it needs nowhere to write
    resources = Resources(config.data_dir)
    _check_store(config)
    with open_store(config, read_only=dry_run) as store:
        _refuse_public(store)
        schema = Schema.load(store, load_shapes(resources), config.reasoner, config.validator)
        replace = {src.graph: set(src.triples) for src in sources}
        gazetteer = gazetteer_replacement(store, replace)
        delta = plan_change(store, schema, replace | gazetteer, progress)
        report = IngestReport("ingest", dry_run=dry_run, unchanged=delta.unchanged,
                              added_inferred=len(delta.add_inferred),
                              removed_inferred=len(delta.remove_inferred), validated=len(delta.focus),
                              read=delta.read)
        report.problems = _extension_problems(sources, schema) + _collisions(store, sources, folder)
        report.problems += explain(delta.violations, sources, schema.shapes)
        report.violations = delta.violations
        report.sources, report.warnings = summarise(store, sources, delta.replace, schema.terms)
        for src, summary in zip(sources, report.sources, strict=True):
            summary.data_file = folder / _file_name(src) if folder else None
            summary.added, summary.removed = changes(store, src)
        progress.step("looking for probable duplicates")
        report.warnings += duplicate_warnings(store, sources, delta.add_inferred, delta.replace)
        note = gazetteer_note(store, gazetteer)
        report.notes += [note] if note else []
        if dry_run:
            return report
        if report.problems:
            raise ValidationFailed(_refusal(report, "the sources do not conform to the shapes together "
                                                    "with the graph they join"), report)
        progress.step("writing the data files and the store")
        assert folder is not None  # sources_dir() raised otherwise
        note = _seed(folder, config) if config.data_dir is not None else None
        report.notes += [note] if note else []
        who = analyst_name(config.analyst, analyst)
        log = set()
        for src, summary in zip(sources, report.sources, strict=True):
            if summary.added or summary.removed:
                action = "ingest" if summary.previous is None else "revision"
                log |= activity_triples(action, src.name, src.graph, who, src.path.name, src.data,
                                        sum(summary.added.values()), sum(summary.removed.values()))
        _write(store, folder, sources, delta, log)
        if log:
            report.notes.append(f"recorded in the activity log as {who} ('legiongraph log')")
    return report


def retract(config: Config, name: str, progress: Progress = QUIET,
            analyst: str | None = None) -> IngestReport:
    """Remove one source's graph and the entailments only it supported, if the rest still conforms."""
    try:
        graph = source_graph(name)
    except ValueError:
        raise ResourceNotFound(f"{name!r} is not a source name (a lower-case slug)") from None
    folder = sources_dir(config)
    _check_store(config)
    with open_store(config, read_only=False) as store:
        _refuse_public(store)
        if graph not in store.graphs():
            held = ", ".join(str(g).rsplit("/", 1)[1] for g in store.graphs()
                             if str(g).startswith(str(GRAPH["source/"]))) or "none"
            raise ResourceNotFound(f"no source named {name!r} in the store (sources: {held})")
        schema = Schema.load(store, load_shapes(Resources(config.data_dir)), config.reasoner,
                             config.validator)
        triples = store.count(graph)
        gazetteer = gazetteer_replacement(store, {graph: set()})
        delta = plan_change(store, schema, {graph: set()} | gazetteer, progress)
        report = IngestReport("retract", [SourceSummary(name, graph, triples)],
                              len(delta.add_inferred), len(delta.remove_inferred), len(delta.focus),
                              delta.read)
        report.problems = explain(delta.violations, [], schema.shapes)
        report.violations = delta.violations
        if report.problems:
            raise ValidationFailed(_refusal(report, f"retracting {name} would leave resources that "
                                                    "other sources describe broken"), report)
        note = gazetteer_note(store, gazetteer)
        report.notes += [note] if note else []
        progress.step("removing the data file and the source's graph")
        note = _seed(folder, config) if config.data_dir is not None else None
        report.notes += [note] if note else []
        files = _data_files(folder, name)
        who = analyst_name(config.analyst, analyst)
        log = activity_triples("retraction", name, graph, who, files[0].name if files else None,
                               files[0].read_bytes() if files else None, 0, triples)
        aside = [f.with_name(f"{TMP_PREFIX}{f.name}.retracted") for f in files]
        for file, moved in zip(files, aside, strict=True):
            os.replace(file, moved)
        try:
            store.patch(replace=delta.replace, remove={GRAPH_INFERRED: delta.remove_inferred},
                        add={GRAPH_INFERRED: delta.add_inferred, GRAPH_LOG: log})
        except BaseException:
            for file, moved in zip(files, aside, strict=True):
                os.replace(moved, file)
            raise
        for moved in aside:
            moved.unlink()
        report.notes += [f"removed {f}" for f in files]
    return report
