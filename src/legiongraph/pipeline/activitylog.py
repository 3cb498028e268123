"""The activity log: who added, revised or retracted which source, when, from which file.

Each ingest that changes the store, and each retraction, is recorded as a ``prov:Activity`` in the
named graph ``lgg:log``, in the same store transaction as the change itself:

    lgid:activity/20251204t170102123456z-chq-2025-11 a prov:Activity ;
        rdfs:label "revision of chq-2025-11 by Olena"@en ;
        dcterms:type "revision" ;                       # ingest, revision or retraction
        dcterms:subject lgg:source/chq-2025-11 ;          # the source graph changed
        prov:startedAtTime "2025-12-04T17:01:02.123456Z"^^xsd:dateTime ;
        prov:wasAssociatedWith lgid:analyst/olena ;       # a prov:Agent labelled with the name
        prov:used lgid:file/sha256-… ;                    # the file, labelled with its name
        rdfs:comment "3 statements added, 1 removed"@en .

The graph is exported and archived with the others (it is of kind ``other``). ``legiongraph log``
lists the activities, oldest first.
"""

from __future__ import annotations

import getpass
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from rdflib import XSD, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS

from ..iris import GRAPH, mint
from ..stores.base import Store

__all__ = ["GRAPH_LOG", "Activity", "activity_triples", "analyst_name", "read_log"]

GRAPH_LOG = GRAPH["log"]
Triple = tuple[URIRef, URIRef, URIRef | Literal]


@dataclass(frozen=True)
class Activity:
    """One logged change of the store."""

    iri: URIRef
    action: str
    source: str
    time: str
    analyst: str
    file: str
    sha256: str
    summary: str

    def cells(self) -> tuple[str, str, str, str, str, str]:
        """Return the activity as the cells of one row of `legiongraph log`."""
        digest = f" sha256:{self.sha256[:12]}" if self.sha256 else ""
        # Seconds are enough to read; the graph keeps the full timestamp.
        when = self.time[:19].replace("T", " ")
        return (when, self.action, self.source, self.analyst, (self.file or "-") + digest,
                self.summary)


def analyst_name(configured: str | None, given: str | None = None) -> str:
    """Return who to record: ``--as NAME``, else the configured analyst, else the OS user."""
    for name in (given, configured):
        if name and name.strip():
            return name.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        return "unknown"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "unknown"


def activity_triples(action: str, source: str, graph: URIRef, analyst: str, file_name: str | None,
                     data: bytes | None, added: int, removed: int,
                     now: datetime | None = None) -> set[Triple]:
    """Return the triples recording one activity (ingest, revision or retraction) of a source."""
    when = (now or datetime.now(UTC)).astimezone(UTC)
    stamp = when.strftime("%Y%m%dt%H%M%S%fz")
    node = mint("activity", f"{stamp}-{source}")
    agent = mint("analyst", _slug(analyst))
    verb = {"ingest": "ingest", "revision": "revision", "retraction": "retraction"}[action]
    triples: set[Triple] = {
        (node, RDF.type, PROV.Activity),
        (node, RDFS.label, Literal(f"{verb} of {source} by {analyst}", lang="en")),
        (node, DCTERMS.type, Literal(verb)),
        (node, DCTERMS.subject, graph),
        (node, PROV.startedAtTime, Literal(when.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), datatype=XSD.dateTime)),
        (node, PROV.wasAssociatedWith, agent),
        (agent, RDF.type, PROV.Agent),
        (agent, RDFS.label, Literal(analyst, lang="en")),
        (node, RDFS.comment, Literal(f"{added} statements added, {removed} removed", lang="en")),
    }
    if file_name is not None and data is not None:
        digest = hashlib.sha256(data).hexdigest()
        file = mint("file", f"sha256-{digest}")
        triples |= {(node, PROV.used, file), (file, RDF.type, PROV.Entity),
                    (file, RDFS.label, Literal(file_name)),
                    (file, DCTERMS.identifier, Literal(f"sha256:{digest}"))}
    return triples


def read_log(store: Store) -> list[Activity]:
    """Return the logged activities, oldest first."""
    rows = store.query(f"""SELECT ?a ?type ?graph ?time ?who ?file ?id ?summary WHERE {{
        GRAPH <{GRAPH_LOG}> {{
          ?a a <{PROV.Activity}> ; <{DCTERMS.type}> ?type ; <{DCTERMS.subject}> ?graph ;
             <{PROV.startedAtTime}> ?time ; <{PROV.wasAssociatedWith}> ?agent .
          ?agent <{RDFS.label}> ?who .
          OPTIONAL {{ ?a <{RDFS.comment}> ?summary }}
          OPTIONAL {{ ?a <{PROV.used}> ?f . ?f <{RDFS.label}> ?file ; <{DCTERMS.identifier}> ?id }}
        }} }} ORDER BY ?time ?a""").rows
    prefix = str(GRAPH["source/"])
    return [Activity(a, str(kind), str(graph).removeprefix(prefix), str(time), str(who),  # type: ignore[arg-type]
                     str(file) if file is not None else "",
                     str(ident).removeprefix("sha256:") if ident is not None else "",
                     str(summary) if summary is not None else "")
            for a, kind, graph, time, who, file, ident, summary in rows]
