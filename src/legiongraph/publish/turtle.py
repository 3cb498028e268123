"""A deterministic, readable Turtle and TriG writer for archives.

rdflib's writer orders subjects and blank nodes by hash and memory, so two runs may differ. This
one writes the same bytes for the same canonical quads: always the same prefix set, subjects sorted
(IRIs, then labelled blank nodes), ``a`` first and then predicates by IRI, objects in canonical
N-Triples order, one resource per block. A blank node used once, as an object, in one graph only is
nested as ``[ … ]`` where it is used; every other one keeps its canonical ``_:c14nN`` label.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

import pyoxigraph as ox

__all__ = ["write_trig", "write_turtle"]

_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_XSD = "http://www.w3.org/2001/XMLSchema#"
# A local name that needs no escaping in Turtle (a strict subset of PN_LOCAL).
_LOCAL = re.compile(r"(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?)?")
_BARE = {
    _XSD + "integer": re.compile(r"[+-]?[0-9]+"),
    _XSD + "decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    _XSD + "boolean": re.compile(r"true|false"),
}
INDENT = "    "

Subject = ox.NamedNode | ox.BlankNode


def _sort_key(term: object) -> tuple[int, int, str]:
    if isinstance(term, ox.NamedNode):
        return (0, 0, term.value)
    if isinstance(term, ox.BlankNode):  # c14n2 before c14n10
        digits = re.sub(r"\D", "", term.value)
        return (1, int(digits) if digits else 0, term.value)
    return (2, 0, str(term))


class _Names:
    """Shorten IRIs with a fixed prefix table."""

    def __init__(self, prefixes: Mapping[str, str]) -> None:
        # The longest namespace wins, so lgid: is chosen over a shorter enclosing namespace.
        self.table = sorted(prefixes.items(), key=lambda item: (-len(item[1]), item[0]))

    def iri(self, node: ox.NamedNode) -> str:
        """Return a prefixed name when the local part needs no escaping, else ``<iri>``."""
        for prefix, ns in self.table:
            if node.value.startswith(ns) and _LOCAL.fullmatch(node.value[len(ns):]):
                return f"{prefix}:{node.value[len(ns):]}"
        return f"<{node.value}>"

    def term(self, term: object) -> str:
        """Return a term in Turtle syntax."""
        if isinstance(term, ox.NamedNode):
            return self.iri(term)
        if isinstance(term, ox.BlankNode):
            return f"_:{term.value}"
        assert isinstance(term, ox.Literal)
        quoted = str(ox.Literal(term.value))  # canonical N-Triples escaping, valid Turtle
        if term.language:
            return f"{quoted}@{term.language}"
        datatype = term.datatype.value
        if datatype == _XSD + "string":
            return quoted
        bare = _BARE.get(datatype)
        if bare is not None and bare.fullmatch(term.value):
            return term.value
        return f"{quoted}^^{self.iri(term.datatype)}"


class _Block:
    """The triples of one graph, grouped by subject, with the blank nodes that nest."""

    def __init__(self, triples: Iterable[tuple[Subject, ox.NamedNode, object]], names: _Names,
                 shared: set[str]) -> None:
        self.names = names
        self.props: dict[Subject, dict[ox.NamedNode, list]] = defaultdict(lambda: defaultdict(list))
        used = Counter()
        for s, p, o in triples:
            self.props[s][p].append(o)
            if isinstance(o, ox.BlankNode):
                used[o.value] += 1
        self.nested = {ox.BlankNode(b) for b, n in used.items() if n == 1 and b not in shared}
        self.roots = self._roots()

    def _reached(self, roots: list[Subject]) -> set[ox.BlankNode]:
        seen: set[ox.BlankNode] = set()
        todo = list(roots)
        while todo:
            for objects in self.props.get(todo.pop(), {}).values():
                for o in objects:
                    if o in self.nested and o not in seen:
                        seen.add(o)
                        todo.append(o)
        return seen

    def _roots(self) -> list[Subject]:
        # A cycle of once-used blank nodes has no outside root: label the first one and retry.
        roots = [s for s in self.props if s not in self.nested]
        while True:
            orphans = [o for o in self.nested - self._reached(roots) if o in self.props]
            if not orphans:
                return sorted(roots, key=_sort_key)
            first = min(orphans, key=_sort_key)
            self.nested.discard(first)
            roots.append(first)

    def _object(self, term: object, depth: int) -> str:
        if term in self.nested:
            body = self._predicates(term, depth)
            return f"[\n{body}\n{INDENT * depth}]" if body else "[]"
        return self.names.term(term)

    def _predicates(self, subject: Subject, depth: int) -> str:
        pad = INDENT * (depth + 1)
        props = self.props.get(subject, {})
        lines = []
        for p in sorted(props, key=lambda p: (p != _RDF_TYPE, p.value)):
            verb = "a" if p == _RDF_TYPE else self.names.iri(p)
            objects = [self._object(o, depth + 1) for o in sorted(set(props[p]), key=_sort_key)]
            text = objects[0]
            for previous, obj in itertools.pairwise(objects):
                # Nested nodes follow each other as "] , [" so that their bodies line up.
                nested = previous.endswith("]") and obj.startswith("[")
                text += (" , " if nested else f" ,\n{pad}{INDENT}") + obj
            lines.append(f"{pad}{verb} {text}")
        return " ;\n".join(lines)

    def text(self) -> str:
        """Return the blocks, one per root subject, separated by blank lines."""
        return "\n".join(f"{self.names.term(s)}\n{self._predicates(s, 0)} .\n" for s in self.roots)


def _prologue(prefixes: Mapping[str, str]) -> str:
    return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(prefixes.items())) + "\n"


def _shared_blank_nodes(quads: list[ox.Quad]) -> set[str]:
    # A blank node seen in two graphs must keep its label: nesting would make two nodes of it.
    graphs: dict[str, set[str]] = defaultdict(set)
    for q in quads:
        for term in (q.subject, q.object):
            if isinstance(term, ox.BlankNode):
                graphs[term.value].add(str(q.graph_name))
    return {b for b, gs in graphs.items() if len(gs) > 1}


def write_turtle(quads: list[ox.Quad], prefixes: Mapping[str, str], header: str = "") -> bytes:
    """Write the triples of every graph, merged, as readable Turtle."""
    triples = {(q.subject, q.predicate, q.object) for q in quads}
    body = _Block(triples, _Names(prefixes), set()).text()
    return (header + _prologue(prefixes) + body).encode("utf-8")


def write_trig(quads: list[ox.Quad], prefixes: Mapping[str, str],
               describe: Mapping[str, str] | None = None, header: str = "") -> bytes:
    """Write quads as readable TriG: the default graph first, then each named graph in order.

    ``describe`` maps a graph name to the comment written above it.
    """
    names = _Names(prefixes)
    shared = _shared_blank_nodes(quads)
    by_graph: dict[str, list] = defaultdict(list)
    for q in quads:
        key = "" if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
        by_graph[key].append((q.subject, q.predicate, q.object))
    parts = [header + _prologue(prefixes)]
    for key in sorted(by_graph):
        block = _Block(by_graph[key], names, shared).text()
        count = len(set(by_graph[key]))
        if not key:
            parts.append(f"# The default graph ({count} triples)\n\n{block}\n")
            continue
        comment = (describe or {}).get(key, "")
        parts.append(f"# Named graph {names.iri(ox.NamedNode(key))}"
                     f"{': ' + comment if comment else ''} ({count} triples)\n"
                     f"{names.iri(ox.NamedNode(key))} {{\n\n")
        # Split on "\n" only: str.splitlines would also split inside literals at U+0085, U+2028 …
        indented = "\n".join(INDENT + line if line else line for line in block.split("\n"))
        parts.append(f"{indented}\n}}\n\n")
    return "".join(parts).rstrip("\n").encode("utf-8") + b"\n"
