"""Validate a built store as it is: every named graph, asserted and inferred, opened read-only.

``legiongraph validate --built`` checks what the store holds now, after builds, ingests, retractions
and reviewed links, without re-reading or re-reasoning a single source file (the plain
``legiongraph validate`` does that, to check files before a build). Nothing is written to the store.

An Oxigraph store on disk is dumped by Oxigraph itself into a temporary N-Triples file that the
``shacl`` engine reads: no rdflib term is made for the million triples that conform. Other back
ends (``memory``, ``sparql``) are read through the store interface. The build refuses every literal
the store would rewrite (:mod:`legiongraph.authoring.literals`), so what the store gives back is what
the files said.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from ..errors import StoreError
from ..progress import QUIET, Progress
from ..stores.base import Store
from ..stores.oxigraph import OxigraphStore
from .validation import DEFAULT_VALIDATOR, ValidationReport, engine_for, validate, validate_store

__all__ = ["validate_built"]


def _dump(store: ox.Store, target: Path) -> None:
    """Write every named graph of a pyoxigraph store to one N-Triples file."""
    with target.open("wb") as out:
        for graph in store.named_graphs():
            store.dump(out, format=ox.RdfFormat.N_TRIPLES, from_graph=graph)


def _validate_on_disk(path: Path, shapes: Graph, validator: str, progress: Progress) -> ValidationReport:
    try:
        # A second read-only handle on the directory the store interface has already checked:
        # Oxigraph's own dump is what spares building rdflib terms.
        raw = ox.Store.read_only(str(path))
    except OSError as exc:
        raise StoreError(f"{path}: cannot open the Oxigraph store: {exc}") from None
    if engine_for(validator) == "pyshacl":
        return validate_store(raw, shapes, validator, progress)
    with tempfile.TemporaryDirectory(prefix="legiongraph-validate-") as folder:
        triples = Path(folder) / "store.nt"
        progress.step("reading the store's triples out as N-Triples")
        _dump(raw, triples)
        return validate_store(raw, shapes, validator, progress, triples)


def validate_built(store: Store, shapes: Graph, validator: str = DEFAULT_VALIDATOR,
                   progress: Progress = QUIET) -> ValidationReport:
    """Validate the union of a built store's named graphs against the shapes; write nothing."""
    where = getattr(store, "path", None) or getattr(store, "endpoint", None) or "the store"
    if not store.graphs():
        raise StoreError(f"{where}: the store holds no graphs; run 'legiongraph build' first")
    if isinstance(store, OxigraphStore) and store.path is not None:
        return _validate_on_disk(store.path, shapes, validator, progress)
    progress.step(f"reading the {store.kind} store's graphs")
    data = Graph()
    for ctx in store.to_dataset().graphs():
        for triple in ctx:
            data.add(triple)
    progress.step(f"validating (SHACL, {validator}): {len(data)} triples")
    return validate(data, shapes, validator)
