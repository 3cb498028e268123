"""The build pipeline: load, reason, validate, and write the store only if everything conforms.

:func:`build` and :func:`check` run in a pyoxigraph working store (:mod:`legiongraph.pipeline.staging`), with
the rules reasoner and the ``shacl`` validator (:mod:`legiongraph.shacl.validation`) by default;
:func:`compile_dataset` is the reference pipeline over rdflib graphs that the tests compare them with.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from ..config import Config
from ..errors import ReasoningError, StoreError, ValidationFailed
from ..fsutil import atomic_replace_dir, new_sibling_dir
from ..iris import GRAPH_INFERRED
from ..linking.gazetteer import GRAPH_GAZETTEER, PLACES_QUERY, gazetteer_graph
from ..linking.targets import GRAPH_LINKS
from ..parsing import format_for, parse_graph
from ..progress import QUIET, Progress
from ..reasoning.reasoner import DEFAULT_REASONER, add_inferred, infer
from ..resources import Resources
from ..shacl.validation import ValidationReport, engine_for, validate, validate_store
from ..stores import open_store
from .activitylog import GRAPH_LOG
from .loading import load_dataset
from .privacy import public_view, require_key
from .staging import Staging

__all__ = ["BuildResult", "build", "check", "compile_dataset", "graph_counts", "load_shapes", "union"]


@dataclass
class BuildResult:
    """What a build wrote: where, and how many triples per named graph."""

    store: str
    location: Path | None
    counts: dict[URIRef, int]
    #: seconds spent loading, reasoning, validating and writing
    seconds: dict[str, float] = field(default_factory=dict)
    #: CPU seconds of the same steps, all threads (wall time varies on a shared machine)
    cpu_seconds: dict[str, float] = field(default_factory=dict)


def load_shapes(resources: Resources) -> Graph:
    """Parse the SHACL shapes."""
    res = resources.shapes()
    return parse_graph(res.read_bytes(), format_for(res.name), res.location)


def union(dataset: Dataset) -> Graph:
    """Return every triple of every named graph, inferred included, as one Graph."""
    merged = Graph()
    for ctx in dataset.graphs():
        for triple in ctx:
            merged.add(triple)
    return merged


def graph_counts(dataset: Dataset) -> dict[URIRef, int]:
    """Return the number of triples per non-empty named graph."""
    return {ctx.identifier: len(ctx) for ctx in sorted(dataset.graphs(), key=lambda c: c.identifier)
            if ctx.identifier != DATASET_DEFAULT_GRAPH_ID and len(ctx)}


def compile_dataset(
    resources: Resources,
    extra_sources: Iterable[Path] = (),
    progress: Progress = QUIET,
    reasoner: str = DEFAULT_REASONER,
) -> tuple[Dataset, ValidationReport]:
    """Load every graph, add OWL RL entailments, and validate the result against the shapes."""
    progress.step("loading ontology, reference data and sources")
    dataset = load_dataset(resources, extra_sources)
    progress.step("coordinates for the cities from the offline gazetteer")
    for triple in gazetteer_graph(union(dataset).query(PLACES_QUERY)).graph:
        dataset.add((*triple, GRAPH_GAZETTEER))
    progress.step(f"reasoning (OWL 2 RL, {reasoner})")
    add_inferred(dataset, reasoner)
    progress.step("validating (SHACL)")
    report = validate(union(dataset), load_shapes(resources))
    return dataset, report


# Graphs no file holds, which a rebuild would otherwise lose: an analyst's reviewed links, and the
# activity log of ingests, revisions and retractions.
KEPT_GRAPHS = (GRAPH_LINKS, GRAPH_LOG)


def _kept_graphs(config: Config) -> dict[URIRef, list[tuple]]:
    """Return the graphs of the store a build replaces that are recorded by hand, not derived."""
    try:
        with open_store(config) as store:
            present = [g for g in KEPT_GRAPHS if g in store.graphs()]
            if not present:
                return {}
            dataset = store.to_dataset(present)
            return {g: list(dataset.graph(g)) for g in present}
    except StoreError:
        return {}  # no store yet


def _reason(staging: Staging, reasoner: str, progress: Progress) -> None:
    progress.step(f"reasoning (OWL 2 RL, {reasoner})")
    if reasoner == "rules":
        from ..reasoning.rules import reason_store

        try:
            reason_store(staging.store, progress)
        except ReasoningError as exc:
            raise ReasoningError(f"{exc} (set LEGIONGRAPH_REASONER=reasonable, or reasoner = "
                                 '"reasonable" in the configuration file)', axiom=exc.axiom) from None
        return
    inferred = infer(staging.to_dataset(inferred=False), reasoner)
    staging.add(GRAPH_INFERRED, inferred)


def _validate(staging: Staging, shapes: Graph, validator: str, progress: Progress) -> ValidationReport:
    progress.step(f"validating (SHACL, {validator})")
    triples = staging.validation_triples() if engine_for(validator) == "shacl" else None
    return validate_store(staging.store, shapes, validator, progress, triples)


def check(config: Config, extra_sources: Iterable[Path] = (), progress: Progress = QUIET) -> ValidationReport:
    """Load, reason and validate the data plus some extra source files, in memory; write nothing."""
    resources = Resources(config.data_dir)
    staging = Staging()
    progress.step("loading ontology, reference data and sources")
    staging.load(resources, extra_sources, progress)
    _reason(staging, config.reasoner, progress)
    return _validate(staging, load_shapes(resources), config.validator, progress)


def build(config: Config, progress: Progress = QUIET) -> BuildResult:
    """Build the dataset and write it to the configured store; nothing is written if invalid.

    The links graph and the activity log of the store being replaced are carried over: they record
    an analyst's review and work, which no file holds.
    """
    if config.public:
        require_key(config.public_iri_key)  # refuse now, not after minutes of work
    resources = Resources(config.data_dir)
    kept = _kept_graphs(config)
    seconds: dict[str, float] = {}
    cpu_seconds: dict[str, float] = {}
    mark, cpu_mark = time.perf_counter(), time.process_time()

    def lap(step: str) -> None:
        nonlocal mark, cpu_mark
        now, cpu_now = time.perf_counter(), time.process_time()
        seconds[step], mark = now - mark, now
        cpu_seconds[step], cpu_mark = cpu_now - cpu_mark, cpu_now

    # An Oxigraph store on disk is built in place, in a new directory beside it that replaces it
    # when complete; other back ends and the public profile get a copy of the working store.
    direct = config.store == "oxigraph" and config.store_path is not None and not config.public
    directory = new_sibling_dir(config.store_path) if direct else None
    try:
        staging = Staging(directory)
        progress.step("loading ontology, reference data and sources")
        staging.load(resources, progress=progress)
        for graph, triples in kept.items():
            progress.step(f"keeping the {len(triples)} triples of {graph}")
            staging.add(graph, triples)
        progress.step("coordinates for the cities from the offline gazetteer")
        staging.add(GRAPH_GAZETTEER, gazetteer_graph(staging.view().query(PLACES_QUERY).rows).graph)
        lap("load")
        _reason(staging, config.reasoner, progress)
        lap("reason")
        report = _validate(staging, load_shapes(resources), config.validator, progress)
        lap("validate")
        if not report.conforms:
            raise ValidationFailed(
                f"the data does not conform to the shapes ({len(report.violations)} problem(s)); "
                "nothing was written\n" + report.text(),
                report,
            )
        counts = staging.counts()
        if direct:
            progress.step(f"writing the {config.store} store at {config.store_path}")
            staging.close()
            atomic_replace_dir(directory, config.store_path)
            directory = None
            lap("write")
            return BuildResult(config.store, config.store_path, counts, seconds, cpu_seconds)
        dataset = staging.to_dataset()
        staging.close()
        if config.public:
            progress.step("withholding protected personal data (public profile)")
            dataset = public_view(dataset, config.public_iri_key)
        where = config.sparql_endpoint if config.store == "sparql" else config.store_path
        progress.step(f"writing the {config.store} store at {where}")
        with open_store(config, read_only=False) as store:
            store.replace_all(dataset)
        lap("write")
        return BuildResult(config.store, config.store_path, graph_counts(dataset), seconds, cpu_seconds)
    finally:
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)
