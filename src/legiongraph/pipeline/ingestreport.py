"""What ingest and retract report: every problem in plain words, and what was (or would be) added.

Besides the problems: per source, its classes, the entities it introduces and those it matched in
the graph, references to resources nothing describes, and probable duplicates among persons.

A SHACL result names a focus node, a shape and a path; an analyst needs the file, the line, the
field and what is expected. :func:`explain` turns each result into a :class:`Problem` that says
"people.ttl, line 12, nationality: schema:nationality does not point to a country: use ..." with the
resource and the offending value.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS
from rdflib.term import Node

from ..authoring.sourcefile import SourceFile
from ..iris import ID, PREFIXES, SCHEMA
from ..linking.duplicates import Duplicate, probable_duplicates
from ..linking.namefilter import could_match
from ..shacl.validation import Violation
from ..stores.base import Store
from .storeview import StoreView, Triple

__all__ = ["IngestReport", "Problem", "SourceSummary", "changes", "duplicate_warnings", "explain", "short",
           "stored_names", "summarise"]

_NAMES = (RDFS.label, SCHEMA.name, SKOS.altLabel)


def short(term: Node | None) -> str:
    """Return an IRI with the project's prefixes (``lgid:person/q35dvy4q``), a literal quoted."""
    if isinstance(term, URIRef):
        best = max((ns for ns in PREFIXES.values() if str(term).startswith(ns)), key=len, default=None)
        if best is not None:
            prefix = next(p for p, ns in PREFIXES.items() if ns == best)
            return f"{prefix}:{str(term)[len(best):]}"
        return f"<{term}>"
    if isinstance(term, Literal):
        return f'"{term}"' + (f"@{term.language}" if term.language else "")
    return "a blank node" if isinstance(term, BNode) else str(term)


@dataclass(frozen=True)
class Problem:
    """One error: where it is, which field, what is expected, about which resource."""

    location: str
    field: str
    message: str
    subject: str = ""
    value: str | None = None

    def text(self) -> str:
        """Return the problem as one line."""
        about = self.subject + (f"; value {self.value}" if self.value else "")
        return f"{self.location}, {self.field}: {self.message}" + (f" ({about})" if about else "")


@dataclass
class SourceSummary:
    """One source in a report: its graph, data file, size, classes and entities."""

    name: str
    graph: URIRef
    triples: int
    previous: int | None = None
    data_file: Path | None = None
    classes: dict[str, int] = field(default_factory=dict)
    new_entities: list[URIRef] = field(default_factory=list)
    matched_entities: list[URIRef] = field(default_factory=list)
    #: statements added and removed against the stored graph, by the class of their subject
    added: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)


@dataclass
class IngestReport:
    """What an ingest or a retract did, or, for a dry run or a refusal, would have done."""

    action: str
    sources: list[SourceSummary] = field(default_factory=list)
    added_inferred: int = 0
    removed_inferred: int = 0
    validated: int = 0
    read: int = 0
    problems: list[Problem] = field(default_factory=list)
    #: the SHACL results behind the problems, for programs
    violations: list[Violation] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False
    unchanged: bool = False

    def text(self, limit: int = 12) -> str:
        """Return the report as readable text."""
        lines = []
        for src in self.sources:
            before = "new" if src.previous is None else f"replaces {src.previous} triples"
            verb = "removed" if self.action == "retract" else before
            lines.append(f"source {src.name} <{src.graph}>: {src.triples} triples, {verb}")
            if src.data_file is not None:
                lines.append(f"  data file: {src.data_file}")
            if src.previous is not None and (src.added or src.removed):
                kinds = sorted(set(src.added) | set(src.removed))
                lines.append(f"  changes: {sum(src.added.values())} statements added, "
                             f"{sum(src.removed.values())} removed (" + ", ".join(
                                 f"{k} +{src.added.get(k, 0)} -{src.removed.get(k, 0)}" for k in kinds) + ")")
            if src.classes:
                lines.append("  classes: " + ", ".join(f"{c} {n}" for c, n in sorted(src.classes.items())))
            for label, items in (("new entities", src.new_entities),
                                 ("matched entities already in the graph", src.matched_entities)):
                if items:
                    shown = ", ".join(short(i) for i in items[:limit])
                    more = f", … ({len(items) - limit} more)" if len(items) > limit else ""
                    lines.append(f"  {label} ({len(items)}): {shown}{more}")
        if self.unchanged:
            lines.append("the store already holds exactly this content: nothing to change")
        else:
            lines.append(f"entailments: {self.added_inferred} added, {self.removed_inferred} removed; "
                         f"{self.validated} resources validated; {self.read} rows read from the "
                         "store")
        lines += [f"note: {n}" for n in self.notes]
        if self.warnings:
            lines.append(f"warnings ({len(self.warnings)}):")
            lines += [f"  {w}" for w in self.warnings]
        if self.problems:
            lines.append(f"errors ({len(self.problems)}):")
            lines += [f"  {p.text()}" for p in self.problems]
        lines.append(self._outcome())
        return "\n".join(lines) + "\n"

    def _outcome(self) -> str:
        if self.problems:
            return "Nothing was written: fix the errors above and run the command again."
        if self.dry_run:
            return "Dry run: nothing was written."
        return "Retracted." if self.action == "retract" else "Ingested."


def _field(violation: Violation, shapes: Graph) -> str:
    path = shapes.value(violation.shape, SH.path) if violation.shape is not None else None
    if path is None:
        path = violation.path
    return _describe_path(path, shapes) if path is not None else "(the resource itself)"


def _local(term: Node) -> str:
    text = str(term)
    for sep in ("#", "/"):
        if sep in text:
            return text.rsplit(sep, 1)[1] or text
    return text


def _describe_path(path: Node, shapes: Graph) -> str:
    if isinstance(path, URIRef):
        return _local(path)
    inverse = shapes.value(path, SH.inversePath)
    if inverse is not None:
        return f"^{_describe_path(inverse, shapes)}"
    for prop, mark in ((SH.oneOrMorePath, "+"), (SH.zeroOrMorePath, "*"), (SH.zeroOrOnePath, "?")):
        inner = shapes.value(path, prop)
        if inner is not None:
            return _describe_path(inner, shapes) + mark
    return "(a property path)"


def _where(focus: Node, sources: Sequence[SourceFile], path: Node | None = None) -> str:
    for src in sources:
        if (focus, path) in src.fields:  # a record's field: its own line
            line, name = src.fields[(focus, path)]
            return f"{src.path}, line {line}, {name}" if line else f"{src.path}, {name}"
        if (focus, None, None) in src.triples or (None, None, focus) in src.triples:
            line = src.line_of(focus)
            if line is None:  # a resource a record implies (a period, an instant): its user's line
                user = next((s for s in src.triples.subjects(None, focus) if s in src.origins), None)
                line = src.line_of(user) if user is not None else None
            entry = src.field_of(focus)
            at = f", line {line}" if line else ""
            return f"{src.path}{at}" + (f", {entry}" if entry else "")
    return "already in the graph"


def explain(violations: Iterable[Violation], sources: Sequence[SourceFile], shapes: Graph) -> list[Problem]:
    """Turn SHACL results into problems naming file, line and field, sorted by file and line."""
    problems = []
    for v in violations:
        who = f"{v.focus_label} {short(v.focus)}" if v.focus_label else short(v.focus)
        problems.append(Problem(_where(v.focus, sources, v.path), _field(v, shapes), v.message, who,
                                short(v.value) if v.value is not None else None))
    return sorted(problems, key=_order)


def _order(problem: Problem) -> tuple:
    file, _, rest = problem.location.partition(", line ")
    line = rest.split(",", 1)[0]
    return (file, int(line) if line.isdigit() else 0, problem.field, problem.message)


def _entities(store: Store, src: SourceFile, terms: Collection[Node],
              skip: Iterable[URIRef]) -> tuple[list, list]:
    """Return the resources a source describes that the graph does not know, and those it does."""
    mentioned = {n for t in src.triples for n in (t[0], t[2]) if isinstance(n, URIRef)
                 and n not in terms and (None, RDF.type, n) not in src.triples}
    known = StoreView(store, skip=skip, asserted_only=True).out(mentioned, [RDF.type, RDFS.label])
    matched = {s for s, _, _ in known}
    new = {s for s in src.triples.subjects() if isinstance(s, URIRef)} - matched
    return sorted(new), sorted(mentioned & matched)


def changes(store: Store, src: SourceFile) -> tuple[dict[str, int], dict[str, int]]:
    """Count the statements a source adds and removes against its stored graph, by subject class."""
    old = set(store.to_dataset([src.graph]).graph(src.graph)) if src.graph in store.graphs() else set()
    new = set(src.triples)
    stored = Graph()
    for triple in old:
        stored.add(triple)

    def kind(subject: Node) -> str:
        types = sorted(short(t) for g in (src.triples, stored) for t in g.objects(subject, RDF.type))
        return types[0] if types else "other"

    return (dict(Counter(kind(s) for s, _, _ in new - old)),
            dict(Counter(kind(s) for s, _, _ in old - new)))


def summarise(store: Store, sources: Sequence[SourceFile], skip: Iterable[URIRef],
              terms: Collection[Node]) -> tuple[list[SourceSummary], list[str]]:
    """Describe each source against the graph; warn about references nothing describes."""
    summaries, warnings = [], []
    for src in sources:
        new, matched = _entities(store, src, terms, skip)
        classes = Counter(short(o) for o in src.triples.objects(None, RDF.type))
        previous = store.count(src.graph) if src.graph in store.graphs() else None
        summaries.append(SourceSummary(src.name, src.graph, len(src.triples), previous, None,
                                       dict(classes), new, matched))
        described = {s for other in sources for s in other.triples.subjects()}
        dangling = sorted(set(src.triples.objects()) - set(described) - set(matched) - set(new)
                          - set(terms), key=str)
        warnings += [f"{_where(o, [src])}: refers to {short(o)}, which neither the sources "
                     "nor the graph describe" for o in dangling
                     if isinstance(o, URIRef) and str(o).startswith(str(ID))]
    return summaries, warnings


def duplicate_warnings(store: Store, sources: Sequence[SourceFile], inferred: Iterable[Triple],
                       skip: Iterable[URIRef]) -> list[str]:
    """Warn about new persons whose names are close to another person's."""
    persons = {s for s, p, o in inferred if p == RDF.type and o == SCHEMA.Person}
    persons |= {s for src in sources for s in src.triples.subjects(RDF.type, SCHEMA.Person)}
    known = StoreView(store, skip=skip, asserted_only=True).out(persons, [RDF.type])
    new: dict = {}
    for person in persons - {s for s, _, _ in known}:
        for src in sources:
            # An unnamed person's label describes them ("Chinese citizen captured in April"):
            # only names count, as for the persons already in the graph.
            named = (person, SCHEMA.name, None) in src.triples
            props = _NAMES if named else (SKOS.altLabel,)
            new.setdefault(person, []).extend(str(n) for p in props for n in src.triples.objects(person, p))
    if not any(new.values()):
        return []
    existing = stored_names(store, skip, [n for names in new.values() for n in names])
    return [_duplicate_text(d, sources) for d in probable_duplicates(new, existing)]


def stored_names(store: Store, skip: Iterable[URIRef],
                 like: Iterable[str] | None = None) -> dict[Node, list[str]]:
    """Return the persons' names and alternative labels in the store, or those that could match ``like``."""
    excluded = ", ".join(f"<{g}>" for g in skip) or "<urn:x-legiongraph:none>"
    # Without the filter every person's name comes back (about 147,000 at ten million triples),
    # and reading and keying them took 5-10 s of an ingest.
    only = "" if like is None else f"FILTER({could_match(like)})"
    rows = store.query(f"""SELECT ?p ?name ?n WHERE {{
        VALUES ?name {{ <{SCHEMA.name}> <{SKOS.altLabel}> }} GRAPH ?g {{ ?p ?name ?n }}
        FILTER(?g NOT IN ({excluded}) && STRSTARTS(STR(?p), "{ID['person/']}")) {only} }}""").rows
    existing: dict[Node, list[str]] = {}
    # A person's name first, so that a warning quotes it rather than one of the other spellings.
    for person, _, name in sorted(rows, key=lambda row: row[1] != SCHEMA.name):
        existing.setdefault(person, []).append(str(name))
    return existing


def _duplicate_text(duplicate: Duplicate, sources: Sequence[SourceFile]) -> str:
    """Say what to write to make a probable duplicate the person already in the graph."""
    text = duplicate.describe()
    record = next((src for src in sources if src.field_of(duplicate.new)), None)
    if record is None or duplicate.both_new:
        return text
    line = record.line_of(duplicate.new)
    return (f"{text}. To say so, write 'same_as: {short(duplicate.existing)}' in "
            f"{record.field_of(duplicate.new)} of {record.path.name}" + (f" (line {line})" if line else "")
            + "; its spellings then become skos:altLabel of that person")
