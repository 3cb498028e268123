"""Media types of the result and RDF formats legiongraph reads and writes."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Dataset, Graph

__all__ = ["GRAPH_FORMATS", "RESULT_FORMATS", "Format", "by_name", "serialize_graph"]


@dataclass(frozen=True)
class Format:
    """A serialisation: short name, media type, rdflib plugin name, file suffix."""

    name: str
    media_type: str
    plugin: str
    suffix: str
    aliases: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        """Return the Content-Type header value, with the charset for text formats."""
        return f"{self.media_type}; charset=utf-8"

    @property
    def media_types(self) -> tuple[str, ...]:
        """Return every media type this format answers to, the canonical one first."""
        return (self.media_type, *(a for a in self.aliases if "/" in a))


# The first entry of each list is the default when a client accepts anything. The aliases are
# those of Oxigraph's media-type table plus the ``format=`` values SPARQLWrapper sends
# (``rdf+xml``, ``n3``, ``json-ld``); N3 is answered as Turtle, which every N3 reader reads.
RESULT_FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", "json", ".srj",
           ("srj", "application/json", "text/json")),
    Format("xml", "application/sparql-results+xml", "xml", ".srx",
           ("srx", "application/xml", "text/xml")),
    Format("csv", "text/csv", "csv", ".csv"),
    Format("tsv", "text/tab-separated-values", "tsv", ".tsv", ("text/tsv",)),
)

GRAPH_FORMATS: tuple[Format, ...] = (
    Format("turtle", "text/turtle", "turtle", ".ttl",
           ("ttl", "n3", "text/n3", "application/x-turtle", "application/turtle", "text/rdf+n3",
            "application/rdf+n3")),
    Format("nt", "application/n-triples", "nt", ".nt", ("ntriples", "n-triples", "text/plain")),
    Format("jsonld", "application/ld+json", "json-ld", ".jsonld",
           ("json-ld", "json", "application/json")),
    Format("rdfxml", "application/rdf+xml", "xml", ".rdf",
           ("xml", "rdf", "rdf+xml", "rdfxml", "application/xml", "text/xml")),
    Format("trig", "application/trig", "trig", ".trig", ("application/x-trig",)),
    Format("nquads", "application/n-quads", "nquads", ".nq", ("nq", "n-quads", "text/x-nquads")),
)


def by_name(name: str, formats: tuple[Format, ...]) -> Format | None:
    """Find a format by short name, alias or media type (parameters such as charset ignored)."""
    # An unencoded '+' in a URL (format=rdf+xml typed by hand) arrives as a space.
    key = name.split(";", 1)[0].strip().lower().replace(" ", "+")
    for fmt in formats:
        if key in (fmt.name, fmt.media_type, *fmt.aliases):
            return fmt
    return None


def serialize_graph(graph: Graph, fmt: Format, prefixes: dict[str, str] | None = None) -> bytes:
    """Serialise a graph in a graph format, binding the given prefixes."""
    for prefix, ns in (prefixes or {}).items():
        graph.bind(prefix, ns, override=False)
    if fmt.plugin == "json-ld":
        context = {p: ns for p, ns in (prefixes or {}).items()}
        return graph.serialize(format="json-ld", context=context, auto_compact=True,
                               encoding="utf-8")
    if fmt.plugin in ("trig", "nquads") and not isinstance(graph, Dataset):
        # A quad format needs a dataset: the triples go to its default graph.
        dataset = Dataset()
        for prefix, ns in graph.namespaces():
            dataset.bind(prefix, ns, override=False)
        for triple in graph:
            dataset.default_graph.add(triple)
        return dataset.serialize(format=fmt.plugin, encoding="utf-8")
    return graph.serialize(format=fmt.plugin, encoding="utf-8")
