"""Namespaces, graph names and the one place where instance IRIs are minted.

Person IRIs are opaque: eight random base32 characters, never derived from a name, so that an IRI
neither reveals nor changes with the spelling of a person's name.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from rdflib import Namespace, URIRef

__all__ = [
    "BASE",
    "GRAPH_INFERRED",
    "GRAPH_ONTOLOGY",
    "GRAPH_REFERENCE",
    "ID",
    "LG",
    "LGV",
    "ORG",
    "PREFIXES",
    "QB",
    "SCHEMA",
    "SDMX_DIM",
    "SDMX_MEASURE",
    "SEM",
    "concept",
    "country",
    "is_person_iri",
    "mint",
    "mint_person",
    "mint_public_person",
    "observation",
    "person_for_key",
    "source_graph",
]

BASE = "https://w3id.org/legiongraph/"
LG = Namespace(BASE + "ontology#")
LGV = Namespace(BASE + "def/")
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")

SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
QB = Namespace("http://purl.org/linked-data/cube#")
SDMX_DIM = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
SDMX_MEASURE = Namespace("http://purl.org/linked-data/sdmx/2009/measure#")

GRAPH_ONTOLOGY = GRAPH["ontology"]
GRAPH_REFERENCE = GRAPH["reference"]
GRAPH_INFERRED = GRAPH["inferred"]

PREFIXES: dict[str, str] = {
    "lg": str(LG),
    "lgv": str(LGV),
    "lgid": str(ID),
    "lgg": str(GRAPH),
    "schema": str(SCHEMA),
    "org": str(ORG),
    "sem": str(SEM),
    "prov": "http://www.w3.org/ns/prov#",
    "qb": str(QB),
    "sdmx-dimension": str(SDMX_DIM),
    "sdmx-measure": str(SDMX_MEASURE),
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "time": "http://www.w3.org/2006/time#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "vann": "http://purl.org/vocab/vann/",
    "wd": "http://www.wikidata.org/entity/",
}

_BASE32 = "abcdefghijklmnopqrstuvwxyz234567"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_PERSON = re.compile(r"^" + re.escape(str(ID)) + r"person/[a-z2-7]{8}$")


def mint_person() -> URIRef:
    """Return a fresh opaque person IRI."""
    return ID["person/" + "".join(secrets.choice(_BASE32) for _ in range(8))]


def person_for_key(source_id: str, key: str) -> URIRef:
    """Return the stable opaque IRI of the person a source record knows by a key."""
    # A hash of the record's own identifiers, never of a name: the same record (or a revision of
    # it) keeps its persons' IRIs, and the IRI says nothing about the person.
    digest = hashlib.sha256(f"legiongraph-person\0{source_id}\0{key}".encode()).digest()
    bits = int.from_bytes(digest[:5], "big")
    return ID["person/" + "".join(_BASE32[(bits >> (35 - 5 * i)) & 31] for i in range(8))]


def mint_public_person(iri: str, key: str) -> URIRef:
    """Return the public build's IRI of a person: a keyed hash (HMAC-SHA256) of the full IRI.

    Without the key nobody can tell which public IRI stands for which IRI of the published data;
    the same key gives the same IRIs build after build.
    """
    if not key:
        raise ValueError("a public person IRI needs a key")
    digest = hmac.new(key.encode("utf-8"), str(iri).encode("utf-8"), hashlib.sha256).digest()
    return ID["person/" + base64.b32encode(digest).decode("ascii").lower()[:8]]


def is_person_iri(iri: str) -> bool:
    """Tell whether an IRI has the opaque person form."""
    return bool(_PERSON.match(str(iri)))


def mint(kind: str, key: str) -> URIRef:
    """Return the IRI of a non-person instance from its kind and a lower-case slug."""
    if kind == "person":
        raise ValueError("person IRIs are opaque: use mint_person()")
    if not _SLUG.match(kind) or not all(_SLUG.match(part) for part in key.split("/")):
        raise ValueError(f"not a valid IRI slug: {kind!r}/{key!r}")
    return ID[f"{kind}/{key}"]


def observation(dataset: str, key: str) -> URIRef:
    """Return an observation's IRI from its data set's slug and a key (slug, date or ISO code)."""
    # Keys by country keep the ISO code's case, as in lgid:obs/foreign-pow-by-citizenship/TJ.
    parts_ok = all(_SLUG.match(part) or re.fullmatch(r"[A-Z]{2}", part) for part in key.split("/"))
    if not _SLUG.match(dataset) or not parts_ok:
        raise ValueError(f"not a valid observation key: {dataset!r}/{key!r}")
    return ID[f"obs/{dataset}/{key}"]


def country(alpha2: str) -> URIRef:
    """Return the IRI of a country from its ISO 3166-1 alpha-2 code."""
    code = alpha2.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", code):
        raise ValueError(f"not an ISO 3166-1 alpha-2 code: {alpha2!r}")
    return ID["country/" + code]


def concept(scheme: str, key: str) -> URIRef:
    """Return the IRI of a concept in one of the project's SKOS schemes."""
    return LGV[f"{scheme}/{key}"]


def source_graph(name: str) -> URIRef:
    """Return the named graph that holds one source document's assertions."""
    if not _SLUG.match(name):
        raise ValueError(f"not a valid source name: {name!r}")
    return GRAPH["source/" + name]
