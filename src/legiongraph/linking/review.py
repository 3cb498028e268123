"""The review file: one CSV row per proposed link, which an analyst accepts or rejects.

Columns: entity, label, target (wikidata or geonames), candidate_iri, candidate_label,
description, coordinates (a Wikidata place candidate's P625 as a WKT point, shown for the review
and copied by ``--apply``), score, decision. ``decision`` is empty while pending, ``exact`` (or
``accept``) for skos:exactMatch, ``close`` for skos:closeMatch, ``reject`` to refuse the candidate.
An entity for which nothing was found has a row with an empty candidate_iri. Decided rows are kept
when the file is proposed into again, and a rejected candidate is never proposed again. Files
written before the coordinates column existed are still read.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import LoadError
from ..fsutil import atomic_write
from .targets import TARGETS, target_of

__all__ = ["COLUMNS", "DECISIONS", "Row", "is_point", "merge", "neutralise", "read_review", "write_review"]

COLUMNS = ("entity", "label", "target", "candidate_iri", "candidate_label", "description", "coordinates",
           "score", "decision")
# Columns a review file may lack (it was written by an earlier version).
_OPTIONAL = {"coordinates"}
# A point on Earth as Wikidata writes P625 (longitude first); points on the Moon or Mars carry a
# globe IRI first and are not places of this graph.
_POINT = re.compile(r"^Point\((-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?) "
                    r"(-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)\)$")
# what an analyst may write -> what it means
DECISIONS = {"": "", "pending": "", "exact": "exact", "accept": "exact", "yes": "exact",
             "close": "close", "reject": "reject", "no": "reject"}


@dataclass(frozen=True)
class Row:
    """One proposal and the analyst's decision on it."""

    entity: str
    label: str
    target: str
    candidate_iri: str = ""
    candidate_label: str = ""
    description: str = ""
    score: float = 0.0
    decision: str = ""
    coordinates: str = ""  # WKT "Point(longitude latitude)", Wikidata place candidates only
    line: int | None = None  # where it was read from, for messages

    @property
    def key(self) -> tuple[str, str]:
        """Return what identifies the proposal: entity and candidate."""
        return (self.entity, self.candidate_iri)


def is_point(text: str) -> bool:
    """Tell whether a text is a WKT point on Earth: "Point(longitude latitude)"."""
    match = _POINT.match(text)
    return bool(match) and abs(float(match[1])) <= 180 and abs(float(match[2])) <= 90


def read_review(path: Path) -> list[Row]:
    """Read a review file; raise LoadError naming the file, line and field of a bad value."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise LoadError(f"{path}: review file not found", path=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError(f"{path}: cannot read the review file ({exc})", path=str(path)) from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or ()) and c not in _OPTIONAL]
    if missing:
        raise LoadError(f"{path}, line 1: the header lacks the column(s) {', '.join(missing)}; "
                        f"expected {','.join(COLUMNS)}", path=str(path), line=1)
    rows = []
    for record in reader:
        line = reader.line_num

        def bad(field: str, why: str, line: int = line) -> LoadError:
            return LoadError(f"{path}, line {line}, field {field}: {why}", path=str(path), line=line)

        values = {c: (record.get(c) or "").strip() for c in COLUMNS}
        decision = values["decision"].lower()
        if decision not in DECISIONS:
            raise bad("decision", f"{values['decision']!r} is not one of exact, close, reject "
                                  "or empty (pending)")
        if not values["entity"].startswith("https://w3id.org/legiongraph/id/"):
            raise bad("entity", f"{values['entity']!r} is not a legiongraph entity IRI")
        if values["target"] not in {t.name for t in TARGETS}:
            raise bad("target", f"{values['target']!r} is not wikidata or geonames")
        iri = values["candidate_iri"]
        if iri and (target_of(iri) is None or target_of(iri).name != values["target"]):
            raise bad("candidate_iri", f"{iri!r} is not a {values['target']} entity IRI")
        if DECISIONS[decision] in ("exact", "close") and not iri:
            raise bad("decision", "a link is accepted but the row has no candidate_iri")
        coordinates = values["coordinates"]
        if coordinates and (values["target"] != "wikidata" or not is_point(coordinates)):
            raise bad("coordinates", f"{coordinates!r} is not a Wikidata point such as "
                                     "'Point(37.8 48.6)' (longitude latitude)")
        try:
            score = float(values["score"] or 0)
        except ValueError:
            raise bad("score", f"{values['score']!r} is not a number") from None
        if not 0 <= score <= 1:
            raise bad("score", f"{score} is not between 0 and 1")
        rows.append(Row(values["entity"], _restore(values["label"]), values["target"], iri,
                        _restore(values["candidate_label"]), _restore(values["description"]), score,
                        DECISIONS[decision], coordinates, line))
    return rows


def merge(old: Iterable[Row], new: Iterable[Row], reconciled: set[tuple[str, str]]) -> list[Row]:
    """Merge fresh proposals into a review file's rows.

    Decided rows stay. Pending rows of the (entity, target) pairs just ``reconciled`` are replaced
    by the fresh proposals; a candidate already decided on, and any candidate of an entity that
    already has an accepted link to that target, is not proposed again.
    """
    new = list(new)
    # a decided row keeps its decision but takes the candidate's coordinates when it had none
    fetched = {r.key: r.coordinates for r in new if r.coordinates}
    old = [replace(r, coordinates=fetched[r.key]) if not r.coordinates and r.key in fetched else r
           for r in old]
    decided = {r.key for r in old if r.decision}
    accepted = {(r.entity, r.target) for r in old if r.decision in ("exact", "close")}
    kept = [r for r in old if r.decision or (r.entity, r.target) not in reconciled]
    kept_keys = {r.key for r in kept}
    fresh = [replace(r, line=None) for r in new
             if r.key not in decided and r.key not in kept_keys and (r.entity, r.target) not in accepted]
    # An entity whose every candidate was rejected gets no "nothing found" row either.
    pairs_decided = {(r.entity, r.target) for r in old if r.decision}
    fresh = [r for r in fresh if r.candidate_iri or (r.entity, r.target) not in pairs_decided]
    rows = kept + fresh
    return sorted(rows, key=lambda r: (r.entity, r.target, -r.score, r.candidate_iri))


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Return a cell a spreadsheet shows as text: one starting like a formula gets a leading '."""
    return "'" + text if text.startswith(_FORMULA) else text


def _restore(text: str) -> str:
    """Undo :func:`neutralise`, so that a label survives a read and write unchanged."""
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA) else text


def write_review(path: Path, rows: Iterable[Row]) -> None:
    """Write the review file atomically, Wikidata's labels and descriptions never as formulas."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow([r.entity, neutralise(r.label), r.target, r.candidate_iri,
                         neutralise(r.candidate_label), neutralise(r.description), r.coordinates,
                         f"{r.score:.3f}", r.decision])
    with atomic_write(path, "wb") as fh:
        fh.write(buffer.getvalue().encode("utf-8"))
