"""Generate the reference pages of the documentation site from the project's own data files.

Run by the mkdocs-gen-files plugin during `mkdocs build`: the named-query catalogue comes from the
`.rq` headers, the ontology reference from the ontology's labels and comments.
"""

from __future__ import annotations

import mkdocs_gen_files
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from legiongraph.iris import LG
from legiongraph.query.queries import list_queries
from legiongraph.resources import Resources


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def queries_page(resources: Resources) -> str:
    """Return the named-query catalogue: name, title and description of every `.rq` file."""
    lines = ["# Named queries", "",
             "Every query in `queries/`, run with `legiongraph query NAME` or from the query UI's "
             "example list. Each has a golden answer checked exactly by the test suite.", "",
             "| name | title | description |", "|---|---|---|"]
    for query in list_queries(resources):
        lines.append(f"| `{query.name}` | {_cell(query.title)} | {_cell(query.description)} |")
    return "\n".join(lines) + "\n"


def _first(graph: Graph, node: URIRef, prop: URIRef) -> str:
    values = sorted(graph.objects(node, prop), key=lambda v: (getattr(v, "language", None) not in
                                                               (None, "en"), str(v)))
    return _cell(str(values[0])) if values else ""


def _name(graph: Graph, node: URIRef) -> str:
    try:
        return "`" + graph.namespace_manager.normalizeUri(node) + "`"
    except ValueError:
        return f"<{node}>"


def ontology_page(resources: Resources) -> str:
    """Return the ontology reference: our classes, properties and concept schemes."""
    graph = Graph()
    for res in resources.ontology():
        graph.parse(data=res.read_text(), format="turtle", publicID=res.location)
    ours = sorted((s for s in set(graph.subjects(RDF.type, None))
                   if isinstance(s, URIRef) and str(s).startswith(str(LG))), key=str)
    classes = [s for s in ours if (s, RDF.type, OWL.Class) in graph or (s, RDF.type, RDFS.Class) in graph]
    props = [s for s in ours if s not in classes]
    lines = ["# Ontology reference", "",
             "The project's own terms (`lg:`), from `ontology/legiongraph.ttl`, and the SKOS concept "
             "schemes of `ontology/vocabularies.ttl`. The running server shows the same at `/ontology`.",
             ""]
    lines += ["## Classes", "", "| class | label | subclass of | definition |", "|---|---|---|---|"]
    for c in classes:
        supers = ", ".join(_name(graph, o) for o in sorted(graph.objects(c, RDFS.subClassOf), key=str)
                           if isinstance(o, URIRef))
        lines.append(f"| {_name(graph, c)} | {_first(graph, c, RDFS.label)} | {supers} | "
                     f"{_first(graph, c, RDFS.comment)} |")
    lines += ["", "## Properties", "", "| property | label | domain | range | definition |",
              "|---|---|---|---|---|"]
    for p in props:
        dom = ", ".join(_name(graph, o) for o in graph.objects(p, RDFS.domain) if isinstance(o, URIRef))
        rng = ", ".join(_name(graph, o) for o in graph.objects(p, RDFS.range) if isinstance(o, URIRef))
        lines.append(f"| {_name(graph, p)} | {_first(graph, p, RDFS.label)} | {dom} | {rng} | "
                     f"{_first(graph, p, RDFS.comment)} |")
    lines += ["", "## Concept schemes", ""]
    for scheme in sorted(graph.subjects(RDF.type, SKOS.ConceptScheme), key=str):
        lines += [f"### {_first(graph, scheme, SKOS.prefLabel) or _name(graph, scheme)}", "",
                  f"{_name(graph, scheme)}. {_first(graph, scheme, SKOS.definition)}", "",
                  "| concept | label | notation | definition |", "|---|---|---|---|"]
        for concept in sorted(graph.subjects(SKOS.inScheme, scheme), key=str):
            lines.append(f"| {_name(graph, concept)} | {_first(graph, concept, SKOS.prefLabel)} | "
                         f"{_first(graph, concept, SKOS.notation)} | "
                         f"{_first(graph, concept, SKOS.definition)} |")
        lines.append("")
    return "\n".join(lines) + "\n"


resources = Resources()
for path, text in (("reference/queries.md", queries_page(resources)),
                   ("reference/ontology.md", ontology_page(resources))):
    with mkdocs_gen_files.open(path, "w") as out:
        out.write(text)
