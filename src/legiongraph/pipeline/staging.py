"""The build's working store: files parsed straight into pyoxigraph, where reasoning and validation run.

At a million triples, copying the data into rdflib graphs costs minutes and gigabytes (see
``bench/``): a build therefore parses every file with Oxigraph's parser directly into a fresh
pyoxigraph store, either in memory or in a new directory beside the store it will replace, runs the
rules and the shapes there, and keeps the directory only if the data conforms.

Every triple loaded is also written, as it streams into the store, to an N-Triples file that the
validator reads (:meth:`Staging.validation_triples`): reading a million triples back out of an
on-disk store costs about four times the CPU of validating them.
"""

from __future__ import annotations

import os
import tempfile
import weakref
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef

from ..authoring.literals import check_quads
from ..errors import LoadError
from ..iris import GRAPH_INFERRED, GRAPH_ONTOLOGY, GRAPH_REFERENCE, source_graph
from ..oxterms import from_ox, to_ox
from ..parsing import QUAD_FORMATS, format_for, iter_quads
from ..progress import QUIET, Progress
from ..resources import Resource, Resources
from ..stores.oxigraph import OxigraphStore
from .loading import read_resource

__all__ = ["Staging"]

_CHUNK = 50_000  # quads written to the validator's file at a time


def _unlink(path: Path) -> None:
    path.unlink(missing_ok=True)


_COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def _into(graph: ox.NamedNode, quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    for q in quads:
        yield ox.Quad(q.subject, q.predicate, q.object, graph)


def _only(graph: ox.NamedNode, quads: Iterable[ox.Quad], location: str) -> Iterator[ox.Quad]:
    """Pass the quads of one named graph through; stop at the first quad of any other graph."""
    seen = False
    for q in quads:
        if q.graph_name != graph:
            other = q.graph_name
            found = "the default graph" if isinstance(other, ox.DefaultGraph) else f"<{other.value}>"
            raise LoadError(f"{location}: a source file must hold exactly one named graph <{graph.value}>; "
                            f"found {found}", path=location)
        seen = True
        yield q
    if not seen:
        raise LoadError(f"{location}: a source file must hold exactly one named graph <{graph.value}>; "
                        "found nothing", path=location)


class Staging:
    """A fresh pyoxigraph store that a build fills, reasons over and validates before keeping it."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory
        self.store = ox.Store(str(directory)) if directory is not None else ox.Store()
        handle, name = tempfile.mkstemp(prefix="legiongraph-validate-", suffix=".nt")
        os.close(handle)
        self._triples = Path(name)
        self._remove_triples = weakref.finalize(self, _unlink, self._triples)

    def _tee(self, quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
        """Pass quads through to the store, writing their triples to the validator's file as well."""
        buffer: list[ox.Quad] = []
        for q in quads:
            buffer.append(q)
            if len(buffer) >= _CHUNK:
                self._write(buffer)
                buffer = []
            yield q
        self._write(buffer)

    def _write(self, quads: list[ox.Quad]) -> None:
        with self._triples.open("ab") as out:
            ox.serialize([q.triple for q in quads], out, format=ox.RdfFormat.N_TRIPLES)

    def validation_triples(self) -> Path:
        """Return an N-Triples file of every triple in the store: what was loaded, then what was inferred."""
        inferred = ox.NamedNode(str(GRAPH_INFERRED))
        if inferred in set(self.store.named_graphs()):
            with self._triples.open("ab") as out:
                self.store.dump(out, format=ox.RdfFormat.N_TRIPLES, from_graph=inferred)
        return self._triples

    def load(self, resources: Resources, extra_sources: Iterable[Path] = (),
             progress: Progress = QUIET) -> None:
        """Parse the ontology, the reference data and every source file into their named graphs."""
        for res in resources.ontology():
            self._add_file(res, GRAPH_ONTOLOGY)
        for res in resources.list("reference"):
            self._add_file(res, GRAPH_REFERENCE)
        sources = [*resources.list("sources"), *(Path(p) for p in extra_sources)]
        for i, res in enumerate(sources, 1):
            progress.step(f"loading source {i} of {len(sources)}: {res.name}")
            self._add_source(res)

    def _add_file(self, res: Resource | Path, graph: URIRef) -> None:
        name, location, data = read_resource(res)
        quads = check_quads(iter_quads(data, format_for(name), location), data, location)
        self.store.bulk_extend(self._tee(_into(ox.NamedNode(str(graph)), quads)))

    def _add_source(self, res: Resource | Path) -> None:
        name, location, data = read_resource(res)
        try:
            expected = source_graph(Path(name).stem)
        except ValueError:
            raise LoadError(f"{location}: a source file name must be a lower-case slug "
                            f"such as 'glavkom-2025-05-17.trig'", path=location) from None
        fmt = format_for(name)
        graph = ox.NamedNode(str(expected))
        quads = check_quads(iter_quads(data, fmt, location), data, location)
        self.store.bulk_extend(self._tee(_only(graph, quads, location) if fmt in QUAD_FORMATS
                                         else _into(graph, quads)))

    def add(self, graph: URIRef, triples: Iterable[tuple]) -> None:
        """Add rdflib triples to a named graph."""
        g = ox.NamedNode(str(graph))
        quads = (ox.Quad(to_ox(s), to_ox(p), to_ox(o), g) for s, p, o in triples)
        # The inferred graph is read from the store once reasoning is done (validation_triples).
        self.store.bulk_extend(quads if graph == GRAPH_INFERRED else self._tee(quads))

    def view(self) -> OxigraphStore:
        """Return the working store behind legiongraph's store interface, writable."""
        return OxigraphStore.over(self.store, self.directory)

    def counts(self) -> dict[URIRef, int]:
        """Return the number of triples per non-empty named graph, sorted by graph name."""
        rows = ((str(s["g"].value), int(s["n"].value)) for s in self.store.query(_COUNTS))
        return {URIRef(g): n for g, n in sorted(rows)}

    def to_dataset(self, *, inferred: bool = True) -> Dataset:
        """Copy the named graphs (without the inferred graph, if asked) into an rdflib Dataset."""
        ds = Dataset(default_union=True)
        skip = None if inferred else ox.NamedNode(str(GRAPH_INFERRED))
        for q in self.store:
            if q.graph_name != skip:
                ds.graph(URIRef(q.graph_name.value)).add((from_ox(q.subject), from_ox(q.predicate),
                                                          from_ox(q.object)))
        return ds

    def union(self) -> Graph:
        """Return every triple of every named graph as one rdflib Graph."""
        merged = Graph()
        for q in self.store:
            merged.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
        return merged

    def close(self) -> None:
        """Write everything to disk and let go of the store, so its directory can be moved."""
        if self.directory is not None:
            self.store.flush()
        self.store = None  # type: ignore[assignment]
        self._remove_triples()
