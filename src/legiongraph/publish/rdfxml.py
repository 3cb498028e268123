"""A deterministic RDF/XML writer: one ``rdf:Description`` per subject, in canonical order.

RDF/XML holds triples only, and a predicate must split into a namespace and an XML name; a
predicate that cannot, or a literal with a character XML 1.0 forbids, is refused with a message
naming it rather than written as a file no parser would read back.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping

import pyoxigraph as ox

from ..errors import LegiongraphError

__all__ = ["write_rdfxml"]

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_NCNAME_TAIL = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*$")
_NCNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str, where: str) -> str:
    bad = _NOT_XML.search(value)
    if bad:
        raise LegiongraphError(f"{where}: character U+{ord(bad.group()):04X} cannot be written in "
                               "RDF/XML (XML 1.0 forbids it); export Turtle, TriG or N-Quads instead")
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#13;"))


def _attr(value: str, where: str) -> str:
    return (_text(value, where).replace('"', "&quot;").replace("\t", "&#9;")
            .replace("\n", "&#10;"))


def _split(predicate: str, prefixes: Mapping[str, str]) -> tuple[str, str]:
    """Split a predicate IRI into a namespace and an XML local name."""
    for ns in sorted(prefixes.values(), key=len, reverse=True):
        if predicate.startswith(ns) and _NCNAME.fullmatch(predicate[len(ns):]):
            return ns, predicate[len(ns):]
    match = _NCNAME_TAIL.search(predicate)
    if match is None or match.start() == 0:
        raise LegiongraphError(f"<{predicate}>: this predicate IRI does not end in an XML name, so "
                               "RDF/XML cannot write it; export Turtle, TriG or N-Quads instead")
    return predicate[:match.start()], match.group()


def _subject_attr(term: object) -> str:
    if isinstance(term, ox.BlankNode):
        return f'rdf:nodeID="{term.value}"'
    return f'rdf:about="{_attr(term.value, term.value)}"'


def _property(tag: str, obj: object, where: str) -> str:
    if isinstance(obj, ox.NamedNode):
        return f'    <{tag} rdf:resource="{_attr(obj.value, where)}"/>\n'
    if isinstance(obj, ox.BlankNode):
        return f'    <{tag} rdf:nodeID="{obj.value}"/>\n'
    assert isinstance(obj, ox.Literal)
    if obj.language:
        attr = f' xml:lang="{obj.language}"'
    elif obj.datatype.value != _XSD_STRING:
        attr = f' rdf:datatype="{_attr(obj.datatype.value, where)}"'
    else:
        attr = ""
    return f"    <{tag}{attr}>{_text(obj.value, where)}</{tag}>\n"


def write_rdfxml(quads: list[ox.Quad], prefixes: Mapping[str, str]) -> bytes:
    """Write the triples of every graph, merged, as RDF/XML."""
    triples = sorted({(q.subject, q.predicate, q.object) for q in quads},
                     key=lambda t: (isinstance(t[0], ox.BlankNode), str(t[0]), t[1].value, str(t[2])))
    namespaces = {ns: p for p, ns in prefixes.items()}
    namespaces.setdefault(RDF, "rdf")
    split = {}
    for _, p, _ in triples:
        if p.value not in split:
            ns, local = _split(p.value, prefixes)
            split[p.value] = (ns, local)
            namespaces.setdefault(ns, "")
    # Namespaces without a prefix get ns1, ns2 … in IRI order, so the names are stable.
    extra = sorted(ns for ns, p in namespaces.items() if not p)
    for index, ns in enumerate(extra, start=1):
        namespaces[ns] = f"ns{index}"
    decls = "".join(f'\n    xmlns:{p}="{_attr(ns, ns)}"' for ns, p in sorted(namespaces.items(),
                                                                             key=lambda i: i[1]))
    out = [f'<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF{decls}>\n']
    grouped: dict[object, list] = defaultdict(list)
    for s, p, o in triples:
        grouped[s].append((p, o))
    for s, props in grouped.items():
        where = str(s)
        out.append(f"  <rdf:Description {_subject_attr(s)}>\n")
        for p, o in props:
            ns, local = split[p.value]
            out.append("  " + _property(f"{namespaces[ns]}:{local}", o, where))
        out.append("  </rdf:Description>\n")
    out.append("</rdf:RDF>\n")
    return "".join(out).encode("utf-8")
