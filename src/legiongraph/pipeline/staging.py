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
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef

from ..authoring.literals import literal_checker
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


def _wrong_graph(graph: ox.NamedNode, location: str, found: str) -> LoadError:
    return LoadError(f"{location}: a source file must hold exactly one named graph <{graph.value}>; "
                     f"found {found}", path=location)


class Staging:
    """A fresh pyoxigraph store that a build fills, reasons over and validates before keeping it."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory
        self.store = ox.Store(str(directory)) if directory is not None else ox.Store()
        handle, name = tempfile.mkstemp(prefix="legiongraph-validate-", suffix=".nt")
        os.close(handle)
        self._triples = Path(name)
        self._remove_triples = weakref.finalize(self, _unlink, self._triples)

    def _stream(self, quads: Iterable[ox.Quad], graph: ox.NamedNode, check: Callable[[ox.Literal], None],
                location: str, *, only: bool) -> Iterator[ox.Quad]:
        """Pass a file's quads to the store, into ``graph``, writing their triples to the validator's file.

        One loop does what a chain of generators did (literal check, graph check or graph
        assignment, the validator's copy): at ten million quads each extra Python step per quad
        costs seconds. With ``only``, the file's quads must already be in ``graph`` (a source in
        TriG or N-Quads); otherwise they are put there.
        """
        buffer: list[ox.Quad] = []
        literal, quad = ox.Literal, ox.Quad
        seen = False
        for q in quads:
            seen = True
            if isinstance(q.object, literal):
                check(q.object)
            if not only:
                q = quad(q.subject, q.predicate, q.object, graph)
            elif q.graph_name != graph:
                other = q.graph_name
                raise _wrong_graph(graph, location, "the default graph" if isinstance(other, ox.DefaultGraph)
                                   else f"<{other.value}>")
            buffer.append(q)
            if len(buffer) >= _CHUNK:
                self._write(buffer, graph)
                buffer = []
            yield q
        if only and not seen:
            raise _wrong_graph(graph, location, "nothing")
        self._write(buffer, graph)

    def _copied(self, quads: Iterable[ox.Quad], graph: ox.NamedNode) -> Iterator[ox.Quad]:
        """Pass quads of ``graph`` through to the store, writing their triples to the validator's file."""
        buffer: list[ox.Quad] = []
        for q in quads:
            buffer.append(q)
            if len(buffer) >= _CHUNK:
                self._write(buffer, graph)
                buffer = []
            yield q
        self._write(buffer, graph)

    def _write(self, quads: list[ox.Quad], graph: ox.NamedNode) -> None:
        # Serialised as N-Quads and cut to N-Triples: half the CPU of making a Triple per quad. Every
        # quad is in ``graph``, and a line break only ends a line in N-Quads (literals escape it),
        # so " <graph> .\n" occurs once per line, at its end.
        text = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
        with self._triples.open("ab") as out:
            out.write(text.replace(f" <{graph.value}> .\n".encode(), b" .\n"))

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
        quads = iter_quads(data, format_for(name), location)
        self.store.bulk_extend(self._stream(quads, ox.NamedNode(str(graph)), literal_checker(data, location),
                                            location, only=False))

    def _add_source(self, res: Resource | Path) -> None:
        name, location, data = read_resource(res)
        try:
            expected = source_graph(Path(name).stem)
        except ValueError:
            raise LoadError(f"{location}: a source file name must be a lower-case slug "
                            f"such as 'glavkom-2025-05-17.trig'", path=location) from None
        fmt = format_for(name)
        graph = ox.NamedNode(str(expected))
        quads = iter_quads(data, fmt, location)
        self.store.bulk_extend(self._stream(quads, graph, literal_checker(data, location), location,
                                            only=fmt in QUAD_FORMATS))

    def add(self, graph: URIRef, triples: Iterable[tuple]) -> None:
        """Add rdflib triples to a named graph."""
        g = ox.NamedNode(str(graph))
        quads = (ox.Quad(to_ox(s), to_ox(p), to_ox(o), g) for s, p, o in triples)
        # The inferred graph is read from the store once reasoning is done (validation_triples).
        self.store.bulk_extend(quads if graph == GRAPH_INFERRED else self._copied(quads, g))

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
