"""Write the RDF shapes shared by both formats: provenance, dates, periods, documents, observations.

Every triple follows the article's encoding (data/sources/glavkom-2025-05-17.trig and
docs/model.md); every instance IRI comes from legiongraph.iris.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rdflib import XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, TIME

from ..iris import ID, LG, PREFIXES, QB, SCHEMA, SDMX_DIM, SDMX_MEASURE, SEM, concept, mint, observation
from .problems import Problems
from .resolve import Resolver, Unresolved
from .values import DateSpan, day_label, parse_admiralty, parse_count, parse_date_span, parse_qualifier
from .yamlload import LDict

__all__ = ["DSD", "Builder", "en"]

DSD = mint("dsd", "count-by-area")
_DOC_TYPES = {"NewsArticle", "Report", "VideoObject", "SocialMediaPosting", "Legislation", "Photograph"}
# Kinds of document that always carry a publication date: one without it cannot be placed in time.
_DATED_TYPES = {"NewsArticle", "Report"}
_QUALIFIER_WORDS = {"exactly": "", "at-least": "at least ", "more-than": "more than ",
                    "nearly": "nearly ", "approximately": "about "}


def en(text: object) -> Literal:
    """Return English-tagged text, as every label and description in the graph is."""
    return Literal(str(text).strip(), lang="en")


class Builder:
    """The graph being compiled, with the resolver and the problems of one file."""

    def __init__(self, resolver: Resolver, problems: Problems) -> None:
        self.graph = Graph()
        for prefix, ns in PREFIXES.items():
            self.graph.bind(prefix, ns)
        self.resolver = resolver
        self.problems = problems
        self.source: URIRef | None = None
        self.defaults: dict[str, Any] = {}
        self.warnings: list[str] = []
        self.defined: set[URIRef] = set()  # data sets this file describes
        #: where each resource the file mints is written (line, field), for the shapes' errors
        self.origins: dict[URIRef, tuple[int, str]] = {}
        #: where each (resource, property) comes from (line, field), for the shapes' errors
        self.fields: dict[tuple[URIRef, URIRef], tuple[int, str]] = {}
        self._figures: dict[URIRef, tuple[int, str]] = {}

    # -- reporting -----------------------------------------------------------------------------
    def problem(self, entry: LDict, key: str, prefix: str, message: str) -> None:
        """Record a problem at an entry's field."""
        line = getattr(entry, "lines", {}).get(key, getattr(entry, "line", 0))
        self.problems.add(line, f"{prefix}.{key}" if prefix else key, message,
                          getattr(entry, "location", None))

    def parse(self, entry: LDict, key: str, prefix: str, parser: Callable[[Any], Any]) -> Any:
        """Apply a parser to an entry's field; record its ValueError as a problem and return None."""
        try:
            return parser(entry[key])
        except ValueError as exc:
            self.problem(entry, key, prefix, str(exc))
            return None

    def ref(self, entry: LDict, key: str, prefix: str, what: str = "entity") -> URIRef | None:
        """Resolve one reference in a field."""
        return self.parse(entry, key, prefix, lambda v: self.resolver.entity(v, what))

    def refs(self, entry: LDict, key: str, prefix: str, what: str = "entity") -> list[URIRef]:
        """Resolve a field holding one reference or a list of them."""
        value = entry.get(key)
        values = value if isinstance(value, list) else [] if value is None else [value]
        found = []
        for item in values:
            try:
                found.append(self.resolver.entity(item, what))
            except Unresolved as exc:
                self.problem(entry, key, prefix, str(exc))
        return found

    def concept(self, entry: LDict, key: str, prefix: str, scheme: str) -> URIRef | None:
        """Resolve a controlled value (event type, role, ...) in a field."""
        return self.parse(entry, key, prefix, lambda v: self.resolver.concept(scheme, v))

    # -- shared shapes -------------------------------------------------------------------------
    def add(self, s: URIRef, p: URIRef, o: Any) -> None:
        """Add a triple unless its object is missing (a reference that did not resolve)."""
        if o is not None:
            self.graph.add((s, p, o))

    def text(self, node: URIRef, entry: LDict, pairs: dict[str, URIRef]) -> None:
        """Add English text fields (label, description, ...) and lists of them."""
        for key, prop in pairs.items():
            value = entry.get(key)
            if value is not None:
                self.field(node, prop, entry, key, getattr(entry, "prefix", ""))
            for item in value if isinstance(value, list) else [] if value is None else [value]:
                self.add(node, prop, en(item))

    def links(self, node: URIRef, entry: LDict, prefix: str, pairs: dict[str, URIRef]) -> None:
        """Add reference fields (one or a list) as links to the entities they name."""
        for key, prop in pairs.items():
            if entry.get(key) is not None:
                self.field(node, prop, entry, key, prefix)
            for target in self.refs(entry, key, prefix):
                self.add(node, prop, target)

    def field(self, node: URIRef, prop: URIRef, entry: LDict, key: str, prefix: str) -> None:
        """Remember the line and field a property of a resource was written from."""
        line = getattr(entry, "lines", {}).get(key, getattr(entry, "line", 0))
        self.fields.setdefault((node, prop), (line, f"{prefix}.{key}" if prefix else key))

    def origin(self, node: URIRef, entry: LDict, prefix: str) -> None:
        """Remember the line and field that define a resource (the first one wins)."""
        self.origins.setdefault(node, (getattr(entry, "line", 0), prefix))

    def provenance(self, node: URIRef, entry: LDict, prefix: str) -> None:
        """Add source, cited source, claimant, spokesperson, certainty and Admiralty code."""
        merged = LDict({**self.defaults, **entry})
        merged.line, merged.location = entry.line, entry.location
        merged.lines = {**dict.fromkeys(self.defaults, entry.line), **entry.lines}
        self.add(node, PROV.wasDerivedFrom, self.source)
        for key, prop in (("cited_source", LG.citedSource), ("claimant", PROV.wasAttributedTo)):
            if merged.get(key):
                self.links(node, merged, prefix, {key: prop})
        if merged.get("spokesperson"):
            person = self.ref(merged, "spokesperson", prefix, "person")
            if person is not None:
                # A qualified attribution: the claim stays the claimant's; the person gave it.
                attribution = mint("attribution", str(node)[len(str(ID)):].lower())
                self.graph.add((node, PROV.qualifiedAttribution, attribution))
                self.graph.add((attribution, RDF.type, PROV.Attribution))
                self.graph.add((attribution, RDFS.label, en("spokesperson's attribution")))
                self.graph.add((attribution, PROV.agent, person))
                self.graph.add((attribution, PROV.hadRole, concept("role", "spokesperson")))
        if not merged.get("claimant"):
            self.problem(entry, "claimant", prefix, "missing: expected who makes this claim "
                         "(an organisation or person, by name or IRI)")
        self.add(node, LG.certainty, self.concept(merged, "certainty", prefix, "certainty")
                 if merged.get("certainty") else concept("certainty", "reported"))
        if merged.get("admiralty"):
            code = self.parse(merged, "admiralty", prefix, parse_admiralty)
            if code:
                self.add(node, LG.sourceReliability, concept("admiralty-reliability", code[0]))
                self.add(node, LG.informationCredibility, concept("admiralty-credibility", code[1]))

    def event_dates(self, node: URIRef, span: DateSpan) -> None:
        """Add an event's earliest begin, latest end and date precision."""
        self.add(node, SEM.hasEarliestBeginTimeStamp, Literal(span.start, datatype=XSD.date))
        self.add(node, SEM.hasLatestEndTimeStamp, Literal(span.end, datatype=XSD.date))
        self.add(node, LG.datePrecision, concept("date-precision", span.precision))

    def ref_period(self, span: DateSpan) -> Literal | URIRef:
        """Return an observation's refPeriod: the date itself, or a period IRI defined here."""
        if span.is_day:
            return Literal(span.start, datatype=XSD.date)
        return self.period(span)

    def period(self, span: DateSpan) -> URIRef:
        """Return a period's IRI and define it, with its instants, in this source's graph."""
        # Always defined here, even when the store has it: the IRI is deterministic and the
        # triples identical, so sources never depend on each other for their periods.
        period = mint("period", f"{span.start.isoformat()}_{span.end.isoformat()}")
        self.graph.add((period, RDF.type, TIME.ProperInterval))
        self.graph.add((period, RDFS.label, self._label_of(period, en(span.label()))))
        for prop, day in ((TIME.hasBeginning, span.start), (TIME.hasEnd, span.end)):
            instant = mint("instant", day.isoformat())
            self.graph.add((period, prop, instant))
            self.graph.add((instant, RDF.type, TIME.Instant))
            self.graph.add((instant, RDFS.label, self._label_of(instant, en(day_label(day)))))
            self.graph.add((instant, TIME.inXSDDate, Literal(day, datatype=XSD.date)))
        self.resolver.define(period)
        return period

    def _label_of(self, node: URIRef, default: Literal) -> Literal:
        """Return the label the store already gives a shared resource, so that copies agree."""
        stored = self.resolver.existing.objects(node, RDFS.label)
        return stored[0] if len(stored) == 1 and isinstance(stored[0], Literal) else default

    def document(self, node: URIRef, entry: LDict, prefix: str) -> None:
        """Add a source document: types, title, dates, authors, publisher, URL, language."""
        self.graph.add((node, RDF.type, LG.SourceDocument))
        kinds = entry.get("type") or []
        for kind in kinds if isinstance(kinds, list) else [kinds]:
            if kind not in _DOC_TYPES:
                if any(p.field == f"{prefix}.type" for p in self.problems.found):
                    continue  # the schema check has said so already
                self.problem(entry, "type", prefix, f"unknown document type {kind!r} "
                             f"(expected one of: {', '.join(sorted(_DOC_TYPES))})")
                continue
            self.graph.add((node, RDF.type, SCHEMA[kind]))
            if kind == "Legislation":
                self.graph.add((node, DCTERMS.type, SCHEMA.Legislation))
        self.text(node, entry, {"label": RDFS.label, "headline": SCHEMA.headline,
                                "description": SCHEMA.description})
        self.links(node, entry, prefix, {"author": SCHEMA.author, "publisher": SCHEMA.publisher,
                                         "about": SCHEMA.about})
        if entry.get("published"):
            span = self.parse(entry, "published", prefix, parse_date_span)
            if span is not None:
                self.graph.add((node, *_published(span)))
        elif _DATED_TYPES & set(kinds if isinstance(kinds, list) else [kinds]):
            self.problem(entry, "type", prefix, "missing field 'published': a news article or report "
                         "needs its publication date (YYYY-MM-DD, YYYY-MM or YYYY)")
        if entry.get("data_as_of"):
            self.graph.add((node, SCHEMA.temporalCoverage, Literal(str(entry["data_as_of"]))))
        if entry.get("url"):
            self.graph.add((node, SCHEMA.url, Literal(str(entry["url"]), datatype=XSD.anyURI)))
        if entry.get("language"):
            self.graph.add((node, SCHEMA.inLanguage, Literal(str(entry["language"]))))

    def dataset(self, node: URIRef, entry: LDict, prefix: str) -> None:
        """Add a data set: what it counts, its structure, source and cited source."""
        self.graph.add((node, RDF.type, QB.DataSet))
        self.defined.add(node)
        self.text(node, entry, {"label": RDFS.label, "description": SCHEMA.description})
        self.graph.add((node, QB.structure, DSD))
        self.add(node, PROV.wasDerivedFrom, self.source)
        self.links(node, entry, prefix, {"cited_source": LG.citedSource})

    def observation(self, dataset: URIRef, entry: LDict, prefix: str) -> URIRef | None:
        """Add one figure of a data set; return its IRI (None when its key cannot be made)."""
        value = self.parse(entry, "value", prefix, parse_count)
        span = self.parse(entry, "as_of", prefix, parse_date_span)
        qualifier = self.parse(entry, "qualifier", prefix, parse_qualifier) if "qualifier" in entry \
            else "exactly"
        area = self.parse(entry, "area", prefix, self.resolver.area) if entry.get("area") else None
        if span is None:
            return None
        key = str(entry.get("key") or "") or _obs_key(area, span)
        if dataset not in self.defined and self.source is not None:
            # A figure added to a data set of another source: its IRI names our source, so that
            # it never merges with that source's figure for the same area and date.
            key = f"{self.source.rsplit('/', 1)[-1]}/{key}"
        try:
            node = observation(dataset.rsplit("/", 1)[-1], key)
        except ValueError:
            self.problem(entry, "key", prefix, f"{key!r} cannot end an IRI (expected a lower-case slug)")
            return None
        line = getattr(entry, "line", 0)
        if node in self._figures:
            first, where = self._figures[node]
            self.problem(entry, "key", prefix, f"this figure and {where} (line {first}) have the same "
                         f"data set, area and date, so they would merge into one observation <{node}>: "
                         "give one of them a distinct 'key' (or fix its area or date)")
            return None
        self._figures[node] = (line, prefix)
        self.origin(node, entry, prefix)
        self.graph.add((node, RDF.type, QB.Observation))
        self.text(node, entry, {"label": RDFS.label, "description": SCHEMA.description})
        if not entry.get("label") and value is not None and qualifier is not None:
            self.graph.add((node, RDFS.label, en(self._figure_label(dataset, area, span, value,
                                                                     qualifier))))
        self.graph.add((node, QB.dataSet, dataset))
        world = mint("place", "world")
        # The structure's rule: a total not broken down by area has the area <place/world>
        # (its IRI keeps the key of a figure without area).
        area_or_world = world if area is None and self.resolver.known(world) else area
        self.add(node, SDMX_DIM.refArea, area_or_world)
        self.graph.add((node, SDMX_DIM.refPeriod, self.ref_period(span)))
        if value is not None:
            self.graph.add((node, SDMX_MEASURE.obsValue, Literal(value, datatype=XSD.integer)))
        if qualifier is not None:
            self.graph.add((node, LG.countQualifier, concept("qualifier", qualifier)))
        self.links(node, entry, prefix, {"about": SCHEMA.about})
        self.provenance(node, entry, prefix)
        return node


    def _figure_label(self, dataset: URIRef, area: URIRef | None, span: DateSpan, value: int,
                      qualifier: str) -> str:
        """Return a figure's label from its data set, area, date and value."""
        known = self.resolver.existing
        counted = self.graph.value(dataset, RDFS.label) or known.value(dataset, RDFS.label)
        where = (self.graph.value(area, RDFS.label) or known.value(area, RDFS.label)) if area else None
        what = str(counted) if counted else dataset.rsplit("/", 1)[-1]
        return (f"{_QUALIFIER_WORDS.get(qualifier, '')}{value}: {what}"
                f"{f' ({where})' if where else ''}, {span.label()}")


def _published(span: DateSpan) -> tuple[URIRef, Literal]:
    # The article's rule: schema:datePublished only for a known day, dcterms:issued otherwise.
    if span.precision == "day":
        return SCHEMA.datePublished, Literal(span.start, datatype=XSD.date)
    if span.precision == "month":
        return DCTERMS.issued, Literal(span.text, datatype=XSD.gYearMonth)
    return DCTERMS.issued, Literal(span.text[:4], datatype=XSD.gYear)


def _obs_key(area: URIRef | None, span: DateSpan) -> str:
    # Countries by ISO code, regions by slug; a total without area by its date, else 'total'.
    if area is not None:
        return str(area).rsplit("/", 1)[-1]
    return span.start.isoformat() if span.is_day else "total"

