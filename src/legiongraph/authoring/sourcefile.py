"""Source files: compile one file into the triples of its named graph, and point back into it.

Every source document has its own named graph ``graph/source/NAME``, NAME being the file's stem (a
lower-case slug). A compiler turns a file into that graph's triples; :data:`COMPILERS` maps file
suffixes to compilers. RDF files compile through the project's parser: TriG and N-Quads must hold
exactly the graph ``graph/source/NAME``, Turtle and N-Triples are put into it. The CSV tables and
YAML records of the authoring formats plug in here with a compiler each (a function from the
file's path and bytes to an rdflib Graph).

:meth:`SourceFile.line_of` finds the line where a resource first stands in the file's text, so
that an error can say "people.ttl, line 12" instead of quoting an IRI.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from ..errors import LoadError
from ..iris import PREFIXES, source_graph
from ..parsing import QUAD_FORMATS, format_for, iter_quads, parse_quads
from .literals import check_quads

__all__ = ["COMPILERS", "Compiler", "SourceFile", "compile_source"]

#: a compiler: (path, bytes, the graph's name) -> the graph's triples; raises LoadError
Compiler = Callable[[Path, bytes, URIRef], Graph]

_DIRECTIVE = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)
_BASE = re.compile(r"^\s*(?:@base|BASE)\s+<([^>]*)>", re.IGNORECASE)
_LOCAL = re.compile(r"^[\w-][\w.-]*$")


def compile_rdf(path: Path, data: bytes, graph: URIRef) -> Graph:
    """Parse an RDF file into the triples of its source graph."""
    fmt = format_for(path.name)
    quads = parse_quads(data, fmt, str(path))
    # rdflib's terms are normalised already: the check reads the literals as Oxigraph parses them.
    for _ in check_quads(iter_quads(data, fmt, str(path)), data, str(path)):
        pass
    if fmt in QUAD_FORMATS:
        graphs = {g for *_, g in quads}
        if graphs - {graph}:
            found = ", ".join(sorted("the default graph" if g is None else f"<{g}>" for g in graphs))
            raise LoadError(f"{path}: a source file must hold exactly one named graph <{graph}>; "
                            f"found {found}", path=str(path))
    triples = Graph(identifier=graph)
    for prefix, ns in PREFIXES.items():
        triples.bind(prefix, ns)
    for s, p, o, _ in quads:
        triples.add((s, p, o))
    return triples


COMPILERS: dict[str, Compiler] = {".trig": compile_rdf, ".ttl": compile_rdf, ".nt": compile_rdf,
                                  ".nq": compile_rdf}


@dataclass
class SourceFile:
    """One compiled source file: its name, graph, triples, and its text for finding lines."""

    path: Path
    name: str
    graph: URIRef
    triples: Graph
    data: bytes
    _spellings: dict[str, str] = field(default_factory=dict, repr=False)
    #: for a compiled CSV/YAML record: the line and field that define each resource it mints
    origins: dict[Node, tuple[int, str]] = field(default_factory=dict, repr=False)
    #: for a compiled record: the line and field each (resource, property) was written from
    fields: dict[tuple[Node, Node], tuple[int, str]] = field(default_factory=dict, repr=False)

    @property
    def text(self) -> str:
        """Return the file's text."""
        return self.data.decode("utf-8", errors="replace")

    def line_of(self, term: Node) -> int | None:
        """Return the line where a resource's first triple stands (or where it first appears)."""
        if term in self.origins:
            return self.origins[term][0] or None
        if isinstance(term, BNode):
            parent = next(self.triples.subjects(None, term), None)
            return self.line_of(parent) if parent is not None and parent != term else None
        if not isinstance(term, URIRef):
            return None
        patterns = [re.compile(rf"(?<![\w:<-]){re.escape(s)}(?![\w:>-])(?!\.\w)")
                    if not s.startswith("<") else re.compile(re.escape(s))
                    for s in self._spelled(str(term))]
        first = None
        for number, line in enumerate(self.text.splitlines(), start=1):
            stripped = line.strip()
            if not stripped or stripped.startswith("#") or _DIRECTIVE.match(line) or _BASE.match(line):
                continue
            code = _strip_strings(line)
            for pattern in patterns:
                match = pattern.search(code)
                if match is None:
                    continue
                if code[:match.start()].strip() in ("", "[", "{"):
                    return number
                first = first or number
        return first

    def field_of(self, term: Node) -> str | None:
        """Return the record field (``persons[0]``) that defines a resource, for CSV/YAML records."""
        return self.origins[term][1] if term in self.origins else None

    def _spelled(self, iri: str) -> list[str]:
        """Return the ways the file can write an IRI: in full, against its base, prefixed."""
        spellings = [f"<{iri}>"]
        for line in self.text.splitlines():
            base = _BASE.match(line)
            if base and iri.startswith(base.group(1)) and len(iri) > len(base.group(1)):
                spellings.append(f"<{iri[len(base.group(1)):]}>")
            prefix = _DIRECTIVE.match(line)
            if prefix and iri.startswith(prefix.group(2)):
                local = iri[len(prefix.group(2)):]
                escaped = local.replace("/", "\\/")
                if local == "" or _LOCAL.match(local.replace("/", "_")):
                    spellings += [f"{prefix.group(1) or ''}:{escaped}", f"{prefix.group(1) or ''}:{local}"]
        return spellings


def _strip_strings(line: str) -> str:
    """Blank out string literals, so that an IRI quoted in a description is not taken for a use."""
    return re.sub(r'"(?:[^"\\]|\\.)*"', lambda m: '"' + " " * (len(m.group(0)) - 2) + '"', line)


def compile_source(path: Path) -> SourceFile:
    """Compile one file into its source graph; raise LoadError naming the file (and line)."""
    path = Path(path)
    try:
        graph = source_graph(path.stem)
    except ValueError:
        raise LoadError(f"{path}: a source file name must be a lower-case slug such as "
                        "'glavkom-2025-05-17.trig' (it names the source's graph)", path=str(path)) from None
    compiler = COMPILERS.get(path.suffix.lower())
    if compiler is None:
        known = ", ".join(sorted(COMPILERS))
        raise LoadError(f"{path}: no compiler for {path.suffix or 'files without a suffix'}; "
                        f"expected {known}", path=str(path))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(f"{path}: cannot read ({exc.strerror})", path=str(path)) from None
    return SourceFile(path, path.stem, graph, compiler(path, data, graph), data)
