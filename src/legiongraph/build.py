"""The build pipeline: load, reason, validate, and write the store only if everything conforms."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from .config import Config
from .errors import ValidationFailed
from .loading import format_for, load_dataset, parse_graph
from .privacy import public_view
from .progress import QUIET, Progress
from .reasoning import DEFAULT_REASONER, add_inferred
from .resources import Resources
from .stores import open_store
from .validation import ValidationReport, validate

__all__ = ["BuildResult", "build", "compile_dataset", "graph_counts", "load_shapes", "union"]


@dataclass
class BuildResult:
    """What a build wrote: where, and how many triples per named graph."""

    store: str
    location: Path | None
    counts: dict[URIRef, int]


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
    progress.step(f"reasoning (OWL 2 RL, {reasoner})")
    add_inferred(dataset, reasoner)
    progress.step("validating (SHACL)")
    report = validate(union(dataset), load_shapes(resources))
    return dataset, report


def build(config: Config, progress: Progress = QUIET) -> BuildResult:
    """Build the dataset and write it to the configured store; nothing is written if invalid."""
    resources = Resources(config.data_dir)
    dataset, report = compile_dataset(resources, progress=progress, reasoner=config.reasoner)
    if not report.conforms:
        raise ValidationFailed(
            f"the data does not conform to the shapes ({len(report.violations)} problem(s)); "
            "nothing was written\n" + report.text(),
            report,
        )
    if config.public:
        progress.step("withholding protected personal data (public profile)")
        dataset = public_view(dataset)
    progress.step(f"writing the {config.store} store at {config.store_path}")
    with open_store(config, read_only=False) as store:
        store.replace_all(dataset)
    return BuildResult(config.store, config.store_path, graph_counts(dataset))
