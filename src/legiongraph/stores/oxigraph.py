"""The default back end: an embedded, persistent Oxigraph store on disk.

Queries run on Oxigraph's own SPARQL engine. A whole-store rebuild is written into a fresh
directory that replaces the old one only when complete; smaller writes run in one transaction.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, URIRef

from ..errors import QueryError, StoreError
from ..fsutil import atomic_replace_dir, new_sibling_dir, recover_dir
from ..iris import PREFIXES
from ..oxterms import from_ox, to_ox
from .base import Store, Triple, _check_patch
from .results import Capped, QueryResult, term_to_tsv, with_json_note, write_capped

__all__ = ["OxigraphStore"]

# Strings, IRIs and comments first, so that a FROM inside one is not taken for the keyword.
_TOKENS = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
                     r'|"(?:[^"\\\n\r]|\\.)*"|\'(?:[^\'\\\n\r]|\\.)*\''
                     r'|<[^<>"{}|^`\\\s]*>|#[^\n\r]*|[?$]?[A-Za-z_][\w.:-]*')


_NATIVE_RESULTS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML}
_NATIVE_GRAPHS = {"nt": ox.RdfFormat.N_TRIPLES, "turtle": ox.RdfFormat.TURTLE}
_PREFIXES = {prefix: str(ns) for prefix, ns in PREFIXES.items()}


def _cut(lines: bytes, write: Callable[[bytes], bytes], max_rows: int | None,
         max_bytes: int | None, json_note: bool) -> Capped:
    """Write at most ``max_rows`` of the lines, then fewer until the body fits ``max_bytes``.

    A cut SPARQL JSON answer carries the ``"legiongraph"`` note saying so, counted in its bytes.
    """
    total = lines.count(b"\n")

    def body_for(n: int, by: str | None, limit: int | None) -> bytes:
        end = -1
        for _ in range(n if n < total else 0):
            end = lines.index(b"\n", end + 1)
        body = write(lines[:end + 1] if n < total else lines)
        if json_note and by is not None:
            body = with_json_note(body, {"truncated": True, "reason": by, "limit": limit, "rows": n})
        return body

    return write_capped(total, body_for, max_rows, max_bytes)


def _has_dataset_clause(sparql: str) -> bool:
    """Tell whether a query names its own dataset with FROM or FROM NAMED."""
    return any(t.upper() == "FROM" for t in _TOKENS.findall(sparql))


def _quads(graph: URIRef, triples: Iterable[tuple]) -> Iterable[ox.Quad]:
    g = ox.NamedNode(str(graph))
    for s, p, o in triples:
        yield ox.Quad(to_ox(s), to_ox(p), to_ox(o), g)


def _data(verb: str, graph: URIRef, triples: Iterable[Triple]) -> str:
    body = "\n".join(" ".join(term_to_tsv(t) for t in triple) + " ." for triple in triples)
    return f"{verb} DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}" if body else ""


class OxigraphStore(Store):
    """A pyoxigraph store in a directory; opened read-only unless asked otherwise."""

    kind = "oxigraph"

    def __init__(self, path: Path | None, *, read_only: bool = True) -> None:
        self.path = Path(path) if path is not None else None
        self.read_only = read_only
        if self.path is None:
            self._store = ox.Store()
            return
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        recover_dir(self.path, clean=not read_only)
        if read_only and not (self.path / "CURRENT").exists():
            raise StoreError(f"{self.path}: no store here; run 'legiongraph build' first")
        try:
            self._store = ox.Store.read_only(str(self.path)) if read_only else ox.Store(str(self.path))
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot open the Oxigraph store: {exc}") from None

    @classmethod
    def over(cls, store: ox.Store, path: Path | None = None) -> OxigraphStore:
        """Wrap a pyoxigraph store that is already open (a build's working store), writable."""
        wrapped = cls.__new__(cls)
        wrapped.path, wrapped.read_only, wrapped._store = path, False, store
        return wrapped

    def _run(self, sparql: str, default_graphs: Sequence[str] | None, named_graphs: Sequence[str] | None,
             base_iri: str | None) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        options: dict = {"base_iri": base_iri}
        if default_graphs is None and named_graphs is None:
            # Oxigraph's union switch would override the query's own FROM, which must win.
            options["use_default_graph_as_union"] = not _has_dataset_clause(sparql)
        else:
            options["default_graph"] = [ox.NamedNode(g) for g in default_graphs or ()]
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs or ()]
        try:
            return self._store.query(sparql, **options)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from None
        except (OSError, ValueError) as exc:
            raise QueryError(f"query failed: {exc}") from None

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a query on Oxigraph's engine."""
        answer = self._run(sparql, default_graphs, named_graphs, base_iri)
        if isinstance(answer, ox.QueryBoolean):
            return QueryResult("ASK", boolean=bool(answer))
        if isinstance(answer, ox.QuerySolutions):
            variables = [v.value for v in answer.variables]
            rows = [tuple(from_ox(sol[i]) for i in range(len(variables))) for sol in answer]
            return QueryResult("SELECT", variables=variables, rows=rows)
        from rdflib import Graph

        graph = Graph()
        for triple in answer:
            graph.add((from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object)))
        return QueryResult("CONSTRUCT", graph=graph)

    def serialized(
        self,
        sparql: str,
        fmt: str,
        *,
        max_rows: int | None = None,
        max_bytes: int | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
    ) -> Capped | None:
        """Run a SELECT, CONSTRUCT or DESCRIBE and write it with Oxigraph's own writers, within caps.

        Return None for an ASK or a format Oxigraph does not write here: the caller then takes the
        general path through rdflib terms. Skipping rdflib spares large answers most of their cost,
        and an answer past a cap is cut before anything but its bytes is held.
        """
        native = _NATIVE_RESULTS.get(fmt), _NATIVE_GRAPHS.get(fmt)
        if native == (None, None):
            return None
        answer = self._run(sparql, default_graphs, named_graphs, base_iri)
        # Engines evaluate lazily: a failure surfaces here, and the caller reports it as the query's.
        if isinstance(answer, ox.QuerySolutions) and native[0] is not None:
            # TSV escapes line breaks inside terms: one line per row, and it reads back losslessly.
            head, _, lines = answer.serialize(format=ox.QueryResultsFormat.TSV).partition(b"\n")

            def write(part: bytes) -> bytes:
                solutions = ox.parse_query_results(head + b"\n" + part, format=ox.QueryResultsFormat.TSV)
                return solutions.serialize(format=native[0])
        elif isinstance(answer, ox.QueryTriples) and native[1] is not None:
            lines = answer.serialize(format=ox.RdfFormat.N_TRIPLES)

            def write(part: bytes) -> bytes:
                if native[1] == ox.RdfFormat.N_TRIPLES:
                    return part
                return ox.serialize(ox.parse(part, format=ox.RdfFormat.N_TRIPLES), format=native[1],
                                    prefixes=_PREFIXES)
        else:
            return None
        return _cut(lines, write, max_rows, max_bytes, json_note=fmt == "json")

    def graphs(self) -> list[URIRef]:
        """Return the named graphs, sorted."""
        return sorted(URIRef(g.value) for g in self._store.named_graphs()
                      if isinstance(g, ox.NamedNode))

    def count(self, graph: URIRef | None = None) -> int:
        """Count quads in one graph or in all named graphs."""
        if graph is None:
            return len(self._store)
        return sum(1 for _ in self._store.quads_for_pattern(None, None, None,
                                                            ox.NamedNode(str(graph))))

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError(f"{self.path}: the store is open read-only")

    def replace_all(self, dataset: Dataset) -> None:
        """Rebuild the store in a fresh directory and swap it in when complete."""
        self._writable()
        if self.path is None:
            self._store.clear()
            self._store.extend(q for ctx in dataset.graphs()
                               for q in _quads(ctx.identifier, ctx) if len(ctx))
            return
        fresh_dir = new_sibling_dir(self.path)
        fresh = ox.Store(str(fresh_dir))
        fresh.bulk_extend(q for ctx in dataset.graphs() for q in _quads(ctx.identifier, ctx))
        fresh.flush()
        del fresh
        del self._store
        atomic_replace_dir(fresh_dir, self.path)
        self._store = ox.Store(str(self.path))

    def replace_graphs(self, graphs: Iterable[tuple[URIRef, Iterable[tuple]]]) -> None:
        """Replace named graphs in one transaction: a single SPARQL Update request."""
        self._writable()
        parts = []
        for name, triples in graphs:
            body = "\n".join(" ".join(term_to_tsv(t) for t in triple) + " ." for triple in triples)
            parts.append(f"DROP SILENT GRAPH <{name}> ;\nINSERT DATA {{ GRAPH <{name}> {{\n{body}\n}} }}")
        if parts:
            self._store.update(" ;\n".join(parts))

    def patch(
        self,
        replace: Mapping[URIRef, Iterable[Triple]] | None = None,
        remove: Mapping[URIRef, Iterable[Triple]] | None = None,
        add: Mapping[URIRef, Iterable[Triple]] | None = None,
    ) -> None:
        """Replace graphs, then remove and add triples, in one SPARQL Update request."""
        self._writable()
        removals, additions = _check_patch(remove, add)
        parts = []
        for name, triples in (replace or {}).items():
            parts.append(f"DROP SILENT GRAPH <{name}>")
            parts.append(_data("INSERT", name, triples))
        parts += [_data("DELETE", name, triples) for name, triples in removals.items()]
        parts += [_data("INSERT", name, triples) for name, triples in additions.items()]
        parts = [p for p in parts if p]
        if parts:
            # Oxigraph runs one update request in one transaction.
            self._store.update(" ;\n".join(parts))

    def to_dataset(self, graphs: Iterable[URIRef] | None = None) -> Dataset:
        """Copy the content (or some graphs) into an rdflib Dataset."""
        ds = Dataset(default_union=True)
        # Some graphs are read through the graph index, never by going over the whole store.
        quads = (self._store if graphs is None else itertools.chain.from_iterable(
            self._store.quads_for_pattern(None, None, None, ox.NamedNode(str(g)))
            for g in dict.fromkeys(graphs)))
        for quad in quads:
            ds.graph(URIRef(quad.graph_name.value)).add(
                (from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
        return ds

    def close(self) -> None:
        """Drop the handle to the store."""
        self._store = None  # type: ignore[assignment]
