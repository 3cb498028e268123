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

from ..config import ORCID_PREFIX, ROR_PREFIX, Config
from ..iris import BASE, PREFIXES
from .canonical import sha256_hex
from .export import DOWNLOAD_FILES
from .turtle import write_turtle

__all__ = ["DOCUMENTS", "ArchiveFile", "ArchiveInfo", "Publication", "agent_type", "describe",
           "legiongraph_version", "readme", "ro_crate"]

TITLE = "legiongraph: foreign citizens in Russia's armed forces"
DESCRIPTION = ("A knowledge graph of foreign citizens serving in Russia's armed forces in the war "
               "against Ukraine: every event, membership, statistic and claim with its source "
               "document, claimant and certainty.")
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
LICENSE_NAME = "Creative Commons Attribution 4.0 International (CC BY 4.0)"
LICENSE_DESCRIPTION = ("Anyone may share and adapt the data for any purpose, provided they give "
                       "appropriate credit, link to the licence and indicate if changes were made.")
DATASET = BASE + "dataset"
DOWNLOAD = BASE + "download"
IANA = "https://www.iana.org/assignments/media-types/"
AVAILABILITY = "http://publications.europa.eu/resource/authority/planned-availability/STABLE"
THEME = "http://publications.europa.eu/resource/authority/data-theme/GOVE"  # EU data themes
KEYWORDS = ("foreign fighters", "armed forces", "Russia", "Ukraine", "war", "recruitment")
#: the payload files written from the description of the others, with what each holds
DOCUMENTS: dict[str, tuple[str, str]] = {
    "description.ttl": ("text/turtle", "this archive described in DCAT, VoID and PROV"),
    "ro-crate-metadata.json": ("application/ld+json", "RO-Crate metadata of this archive"),
    "README.md": ("text/markdown", "what this archive holds and how to check it, for people"),
}

_NS = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "spdx": "http://spdx.org/rdf/terms#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "dcatap": "http://data.europa.eu/r5r/",
}
DESCRIPTION_PREFIXES = {**PREFIXES, **_NS}
_SCHEMA = PREFIXES["schema"]
_RDF_TYPE = PREFIXES["rdf"] + "type"
_REF_AREA = PREFIXES["sdmx-dimension"] + "refArea"


@dataclass(frozen=True)
class ArchiveFile:
    """One file of the archive's payload: path inside data/, media type, size and SHA-256."""

    path: str
    media_type: str
    size: int
    sha256: str
    title: str


@dataclass(frozen=True)
class Publication:
    """Who made and who publishes the data, and whom to contact (from :class:`Config`)."""

    creator_name: str = "legiongraph developers"
    creator_iri: str = BASE + "id/agent/developers"
    publisher_name: str = "legiongraph project"
    publisher_iri: str = BASE + "id/agent/project"
    contact_url: str = BASE

    @classmethod
    def from_config(cls, config: Config) -> Publication:
        """Return the publication settings of a configuration."""
        return cls(config.creator_name, config.creator_iri, config.publisher_name,
                   config.publisher_iri, config.contact_url)

    def missing_identifiers(self) -> list[str]:
        """Return a note for each agent named by neither an ORCID iD nor a ROR IRI."""
        # RO-Crate 1.2 (Metadata, Recommended Identifiers) asks for ORCID and ROR "where possible"
        # and for stable persistent URIs otherwise; roc-validator's checks ask for them always.
        return [f"{role}_iri {iri} is neither an ORCID iD ({ORCID_PREFIX}…) nor a ROR IRI "
                f"({ROR_PREFIX}…); RO-Crate recommends one where the {role} has one (docs/exports.md)"
                for role, iri in (("creator", self.creator_iri), ("publisher", self.publisher_iri))
                if not iri.startswith((ORCID_PREFIX, ROR_PREFIX))]


def agent_type(iri: str) -> str:
    """Return the schema.org type of an agent: ``Person`` for an ORCID iD, else ``Organization``."""
    return "Person" if iri.startswith(ORCID_PREFIX) else "Organization"


@dataclass(frozen=True)
class ArchiveInfo:
    """Everything the description states besides the data itself."""

    created: str  # xsd:dateTime, UTC
    command: str
    canonical_sha256: str
    files: tuple[ArchiveFile, ...]
    publication: Publication = Publication()

    @property
    def payload_count(self) -> int:
        """Return how many files the bag's payload holds: the data files and the documents."""
        return len(self.files) + len(DOCUMENTS)


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
    add(ds, "dcterms:issued", _lit(info.created, "xsd:dateTime"))
    add(ds, "dcterms:identifier", _lit(DATASET))
    add(ds, "dcat:landingPage", ox.NamedNode(BASE))
    for keyword in KEYWORDS:
        add(ds, "dcat:keyword", _lit(keyword, lang="en"))
    add(ds, "dcat:theme", ox.NamedNode(THEME))
    add(ox.NamedNode(THEME), "rdf:type", _iri("skos:Concept"))
    add(ox.NamedNode(THEME), "skos:prefLabel", _lit("Government and public sector", lang="en"))
    add(ox.NamedNode(AVAILABILITY), "rdf:type", _iri("skos:Concept"))
    add(ox.NamedNode(AVAILABILITY), "skos:prefLabel", _lit("stable", lang="en"))
    add(ox.NamedNode(BASE), "rdf:type", _iri("foaf:Document"))
    add(ox.NamedNode(LICENSE), "rdf:type", _iri("dcterms:LicenseDocument"))
    add(ox.NamedNode(LICENSE), "rdfs:label", _lit(LICENSE_NAME, lang="en"))
    pub = info.publication
    for prop, name, iri in (("dcterms:creator", pub.creator_name, pub.creator_iri),
                            ("dcterms:publisher", pub.publisher_name, pub.publisher_iri)):
        add(ds, prop, ox.NamedNode(iri))
        add(ox.NamedNode(iri), "rdf:type", _iri("foaf:Agent"))
        add(ox.NamedNode(iri), "foaf:name", _lit(name))
    contact = node("contact", "point")
    add(ds, "dcat:contactPoint", contact)
    add(contact, "rdf:type", _iri("vcard:Kind"))
    add(contact, "vcard:fn", _lit(pub.publisher_name))
    add(contact, "vcard:hasEmail" if pub.contact_url.startswith("mailto:") else "vcard:hasURL",
        ox.NamedNode(pub.contact_url))
    dates = sorted(date for _, date, _ in _sources(quads) if date)
    if dates:
        period = node("period", "sources")
        add(ds, "dcterms:temporal", period)
        add(period, "rdf:type", _iri("dcterms:PeriodOfTime"))
        add(period, "dcat:startDate", _lit(dates[0], "xsd:date"))
        add(period, "dcat:endDate", _lit(dates[-1], "xsd:date"))
    for area in sorted({q.object.value for q in quads if q.predicate.value == _REF_AREA
                        and isinstance(q.object, ox.NamedNode)}):
        add(ds, "dcterms:spatial", ox.NamedNode(area))
        add(ox.NamedNode(area), "rdf:type", _iri("dcterms:Location"))
    add(ds, "void:triples", _lit(len({(q.subject, q.predicate, q.object) for q in quads})))
    for doc, date, title in _sources(quads):
        # Not dcterms:source: DCAT-AP reserves it for datasets, and these are news articles.
        add(ds, "prov:wasDerivedFrom", ox.NamedNode(doc))
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
        add(dist, "dcterms:title", _lit(f.path, lang="en"))
        add(dist, "dcterms:description", _lit(f.title, lang="en"))
        add(dist, "dcat:accessURL", ox.NamedNode(DOWNLOAD))
        if f.path in DOWNLOAD_FILES:
            add(dist, "dcat:downloadURL", ox.NamedNode(f"{DOWNLOAD}/{f.path}"))
        media = ox.NamedNode(IANA + f.media_type)
        add(dist, "dcat:mediaType", media)
        add(dist, "dcterms:format", media)
        add(media, "rdf:type", _iri("dcterms:MediaType"))
        add(media, "rdf:type", _iri("dcterms:MediaTypeOrExtent"))
        add(dist, "dcatap:availability", ox.NamedNode(AVAILABILITY))
        add(dist, "dcterms:license", ox.NamedNode(LICENSE))
        # xsd:decimal, as the DCAT-AP 3 shapes require (DCAT itself allows any number type)
        add(dist, "dcat:byteSize", _lit(f.size, "xsd:decimal"))
        add(dist, "spdx:checksum", node("checksum", f.path))
        add(node("checksum", f.path), "rdf:type", _iri("spdx:Checksum"))
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


def ro_crate(info: ArchiveInfo, documents: dict[str, bytes] | None = None) -> bytes:
    """Return the RO-Crate metadata (``ro-crate-metadata.json``) naming every payload file.

    ``documents`` holds the written README and description, so that the crate gives their sizes.
    """
    from rocrate.model.contextentity import ContextEntity
    from rocrate.rocrate import ROCrate

    crate = ROCrate(gen_preview=False)
    crate.name = TITLE
    crate.description = DESCRIPTION
    pub = info.publication
    licence = crate.add(ContextEntity(crate, LICENSE, properties={
        "@type": "CreativeWork", "name": LICENSE_NAME, "description": LICENSE_DESCRIPTION}))
    contact = crate.add(ContextEntity(crate, "#contact", properties={
        "@type": "ContactPoint", "contactType": "general", "name": pub.publisher_name,
        **({"email": pub.contact_url.removeprefix("mailto:")} if pub.contact_url.startswith("mailto:")
           else {"url": pub.contact_url})}))
    creator = crate.add(ContextEntity(crate, pub.creator_iri, properties={
        "@type": agent_type(pub.creator_iri), "name": pub.creator_name, "url": pub.creator_iri,
        "contactPoint": contact}))
    publisher = crate.add(ContextEntity(crate, pub.publisher_iri, properties={
        "@type": agent_type(pub.publisher_iri), "name": pub.publisher_name,
        "url": pub.publisher_iri, "contactPoint": contact}))
    # The archive is identified by its content: the canonical hash names these exact data, while
    # the dataset IRI (root "url") names the dataset across versions.
    identifier = crate.add(ContextEntity(crate, "#canonical-sha256", properties={
        "@type": "PropertyValue", "propertyID": "sha256",
        "name": "SHA-256 of the canonical N-Quads (RDFC-1.0)",
        "value": f"sha256:{info.canonical_sha256}"}))
    root = crate.root_dataset
    root["license"] = licence
    root["creator"] = creator
    root["publisher"] = publisher
    root["identifier"] = identifier
    root["url"] = DATASET
    root["version"] = legiongraph_version()
    root["datePublished"] = info.created
    entries = [(f.path, f.title, f.media_type, f.size, f.sha256) for f in info.files]
    written = documents or {}
    entries += [(name, title, media, len(written[name]) if name in written else None,
                 sha256_hex(written[name]) if name in written else None)
                for name, (media, title) in DOCUMENTS.items()
                if name != "ro-crate-metadata.json"]  # the metadata file is the crate's descriptor
    for path, title, media_type, size, sha256 in entries:
        properties = {"name": path, "description": title, "encodingFormat": media_type}
        if size is not None:
            properties |= {"contentSize": str(size), "sha256": sha256}
        crate.add_file(None, dest_path=path, properties=properties)
    return (json.dumps(crate.metadata.generate(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def readme(info: ArchiveInfo) -> bytes:
    """Return the short human README of the archive."""
    rows = "\n".join(f"| `{f.path}` | {f.title} | {f.size} | `{f.sha256[:16]}…` |" for f in info.files)
    docs = "\n".join(f"| `{name}` | {title} | | |" for name, (_, title) in DOCUMENTS.items())
    return f"""# {TITLE}

{DESCRIPTION}

Made {info.created} by legiongraph {legiongraph_version()} with `{info.command}`.
Made by {info.publication.creator_name} ({info.publication.creator_iri}), published by
{info.publication.publisher_name} ({info.publication.publisher_iri}).
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
{docs}
""".encode()
