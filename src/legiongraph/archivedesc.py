"""What an archive says about itself: a DCAT/VoID/PROV description, RO-Crate metadata, a README.

The description is RDF (written with the deterministic Turtle writer): title, version, licence,
creator, creation time, the source documents with their dates, triples per graph, entities per
class, the files with their sizes and SHA-256, the canonical hash, the legiongraph version and the
command that made the archive.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from importlib import metadata

import pyoxigraph as ox

from .iris import BASE, PREFIXES
from .turtle import write_turtle

__all__ = ["ArchiveFile", "ArchiveInfo", "describe", "legiongraph_version", "readme", "ro_crate"]

TITLE = "legiongraph: foreign citizens in Russia's armed forces"
DESCRIPTION = ("A knowledge graph of foreign citizens serving in Russia's armed forces in the war "
               "against Ukraine: every event, membership, statistic and claim with its source "
               "document, claimant and certainty.")
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
CREATOR = "legiongraph developers"
DATASET = BASE + "dataset"

_NS = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "spdx": "http://spdx.org/rdf/terms#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
}
DESCRIPTION_PREFIXES = {**PREFIXES, **_NS}
_SCHEMA = PREFIXES["schema"]
_RDF_TYPE = PREFIXES["rdf"] + "type"


@dataclass(frozen=True)
class ArchiveFile:
    """One file of the archive's payload: path inside data/, media type, size and SHA-256."""

    path: str
    media_type: str
    size: int
    sha256: str
    title: str


@dataclass(frozen=True)
class ArchiveInfo:
    """Everything the description states besides the data itself."""

    created: str  # xsd:dateTime, UTC
    command: str
    canonical_sha256: str
    files: tuple[ArchiveFile, ...]


def legiongraph_version() -> str:
    """Return the installed legiongraph version."""
    try:
        return metadata.version("legiongraph")
    except metadata.PackageNotFoundError:  # running from a source tree without installing
        return "0+unknown"


def _iri(value: str) -> ox.NamedNode:
    name, _, local = value.partition(":")
    return ox.NamedNode(DESCRIPTION_PREFIXES[name] + local) if name in DESCRIPTION_PREFIXES else \
        ox.NamedNode(value)


def _lit(value: object, datatype: str | None = None, lang: str | None = None) -> ox.Literal:
    if lang:
        return ox.Literal(str(value), language=lang)
    if datatype:
        return ox.Literal(str(value), datatype=_iri(datatype))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=_iri("xsd:integer"))
    return ox.Literal(str(value))


def _sources(quads: list[ox.Quad]) -> list[tuple[str, str | None, str | None]]:
    """Return (document IRI, date, title) of every source document named by a source graph."""
    facts: dict[str, dict[str, str]] = defaultdict(dict)
    for q in quads:
        if isinstance(q.object, ox.Literal) and q.predicate.value in (
                _SCHEMA + "datePublished", _SCHEMA + "headline"):
            facts[q.subject.value][q.predicate.value] = q.object.value
    graphs = sorted({q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)
                     and q.graph_name.value.startswith(BASE + "graph/source/")})
    docs = [BASE + "id/doc/" + g.rsplit("/", 1)[1] for g in graphs]
    return [(d, facts[d].get(_SCHEMA + "datePublished"), facts[d].get(_SCHEMA + "headline"))
            for d in docs]


def describe(quads: list[ox.Quad], info: ArchiveInfo) -> bytes:
    """Return the DCAT/VoID/PROV description of the archived dataset as Turtle."""
    out: list[tuple] = []
    ds = ox.NamedNode(DATASET)

    def add(s: object, p: str, o: object) -> None:
        out.append((s, _iri(p), o))

    nodes: dict[tuple[str, str], ox.BlankNode] = {}

    def node(kind: str, key: str) -> ox.BlankNode:
        # Numbered in creation order: the Turtle writer nests them in that order, stably.
        return nodes.setdefault((kind, key), ox.BlankNode(f"b{len(nodes):05d}"))

    for cls in ("dcat:Dataset", "void:Dataset", "prov:Entity"):
        add(ds, "rdf:type", _iri(cls))
    add(ds, "dcterms:title", _lit(TITLE, lang="en"))
    add(ds, "dcterms:description", _lit(DESCRIPTION, lang="en"))
    add(ds, "dcat:version", _lit(legiongraph_version()))
    add(ds, "dcterms:license", ox.NamedNode(LICENSE))
    add(ds, "dcterms:created", _lit(info.created, "xsd:dateTime"))
    creator = node("agent", "creator")
    add(ds, "dcterms:creator", creator)
    add(creator, "rdf:type", _iri("foaf:Agent"))
    add(creator, "foaf:name", _lit(CREATOR))
    add(ds, "void:triples", _lit(len({(q.subject, q.predicate, q.object) for q in quads})))
    for doc, date, title in _sources(quads):
        add(ds, "dcterms:source", ox.NamedNode(doc))
        if date:
            add(ox.NamedNode(doc), "dcterms:issued", _lit(date, "xsd:date"))
        if title:
            add(ox.NamedNode(doc), "dcterms:title", _lit(title))
    per_graph = Counter(q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode))
    for index, (graph, count) in enumerate(sorted(per_graph.items())):
        part = node("graph", str(index))
        add(ds, "void:subset", part)
        add(part, "rdf:type", _iri("void:Dataset"))
        add(part, "sd:name", ox.NamedNode(graph))
        add(part, "void:triples", _lit(count))
    entities: dict[str, set] = defaultdict(set)
    for q in quads:
        if q.predicate.value == _RDF_TYPE and isinstance(q.object, ox.NamedNode):
            entities[q.object.value].add(q.subject)
    for index, cls in enumerate(sorted(entities)):
        part = node("class", str(index))
        add(ds, "void:classPartition", part)
        add(part, "void:class", ox.NamedNode(cls))
        add(part, "void:entities", _lit(len(entities[cls])))
    for f in info.files:
        dist = node("file", f.path)
        add(ds, "dcat:distribution", dist)
        add(dist, "rdf:type", _iri("dcat:Distribution"))
        add(dist, "dcterms:identifier", _lit(f.path))
        add(dist, "dcterms:title", _lit(f.title, lang="en"))
        add(dist, "dcat:mediaType", _lit(f.media_type))
        add(dist, "dcat:byteSize", _lit(f.size, "xsd:nonNegativeInteger"))
        add(dist, "spdx:checksum", node("checksum", f.path))
        add(node("checksum", f.path), "spdx:algorithm", _iri("spdx:checksumAlgorithm_sha256"))
        add(node("checksum", f.path), "spdx:checksumValue", _lit(f.sha256, "xsd:hexBinary"))
    add(ds, "rdfs:comment", _lit("SHA-256 of the canonical N-Quads (RDF Dataset Canonicalization "
                                 f"RDFC-1.0): {info.canonical_sha256}", lang="en"))
    activity = node("activity", "archive")
    add(ds, "prov:wasGeneratedBy", activity)
    add(activity, "rdf:type", _iri("prov:Activity"))
    add(activity, "prov:endedAtTime", _lit(info.created, "xsd:dateTime"))
    add(activity, "rdfs:comment", _lit(info.command))
    agent = node("agent", "software")
    add(activity, "prov:wasAssociatedWith", agent)
    add(agent, "rdf:type", _iri("prov:SoftwareAgent"))
    add(agent, "rdfs:label", _lit(f"legiongraph {legiongraph_version()}"))
    for doc, _, _ in _sources(quads):
        add(activity, "prov:used", ox.NamedNode(doc))
    triples = [ox.Quad(s, p, o, ox.DefaultGraph()) for s, p, o in out]
    return write_turtle(triples, DESCRIPTION_PREFIXES,
                        header="# How this archive was made and what it holds (DCAT, VoID, PROV).\n")


def ro_crate(info: ArchiveInfo) -> bytes:
    """Return the RO-Crate metadata (``ro-crate-metadata.json``) naming every payload file."""
    from rocrate.rocrate import ROCrate

    crate = ROCrate(gen_preview=False)
    crate.name = TITLE
    crate.description = DESCRIPTION
    crate.root_dataset["license"] = LICENSE
    crate.root_dataset["version"] = legiongraph_version()
    crate.root_dataset["datePublished"] = info.created
    crate.root_dataset["identifier"] = DATASET
    for f in info.files:
        crate.add_file(None, dest_path=f.path, properties={
            "name": f.title, "encodingFormat": f.media_type,
            "contentSize": str(f.size), "sha256": f.sha256})
    return (json.dumps(crate.metadata.generate(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def readme(info: ArchiveInfo) -> bytes:
    """Return the short human README of the archive."""
    rows = "\n".join(f"| `{f.path}` | {f.title} | {f.size} | `{f.sha256[:16]}…` |" for f in info.files)
    return f"""# {TITLE}

{DESCRIPTION}

Made {info.created} by legiongraph {legiongraph_version()} with `{info.command}`.
Licence of the data: CC BY 4.0 ({LICENSE}).

This folder is a BagIt bag: `manifest-sha256.txt` holds the SHA-256 of every file under `data/`.
Check it with `legiongraph archive --verify THIS_FOLDER` (checksums, every file re-parsed, the data
validated with the shapes in the bag, and the canonical hash recomputed), and load it into a store
with `legiongraph load THIS_FOLDER`.

The data's canonical SHA-256 (RDF Dataset Canonicalization, RDFC-1.0, of `legiongraph.nq`) is
`{info.canonical_sha256}`. Any export of the same data, in any format, canonicalises to this hash.

| file | what | bytes | SHA-256 |
|---|---|---|---|
{rows}
| `description.ttl` | this archive described in DCAT, VoID and PROV | | |
| `ro-crate-metadata.json` | RO-Crate metadata | | |
""".encode()
