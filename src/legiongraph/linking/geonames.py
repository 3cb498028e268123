"""Reconcile places against a GeoNames dump (``allCountries.txt`` or a country file, or its zip).

The dump is a tab-separated file: geonameid, name, asciiname, alternatenames (comma-separated),
latitude, longitude, feature class, feature code, country code, cc2, admin1..4, population, ...
It is read once, line by line; only rows in the countries of the entities are looked at.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from ..errors import LoadError
from ..progress import QUIET, Progress
from .entities import Entity
from .names import fold, similarity, skeleton
from .review import Row
from .targets import GEONAMES

__all__ = ["reconcile_geonames"]

MAX_CANDIDATES = 5
# Feature codes of the kind a class expects: populated places for cities, first- and second-order
# divisions for administrative areas; another code of the allowed feature class scores lower.
_PREFERRED_CODES = {"P": ("PPL",), "A": ("ADM1", "ADM2", "ADM3")}
OTHER_CODE = 0.9


@contextmanager
def _open_dump(path: Path) -> Iterator[IO[str]]:
    try:
        if path.suffix.lower() == ".zip":
            with zipfile.ZipFile(path) as archive:
                names = [n for n in archive.namelist() if n.endswith(".txt") and "readme" not in n]
                if len(names) != 1:
                    raise LoadError(f"{path}: expected one .txt dump inside the zip, found {names}",
                                    path=str(path))
                with archive.open(names[0]) as raw:
                    yield io.TextIOWrapper(raw, encoding="utf-8")
        else:
            with path.open(encoding="utf-8") as fh:
                yield fh
    except FileNotFoundError:
        raise LoadError(f"{path}: GeoNames dump not found", path=str(path)) from None
    except (OSError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise LoadError(f"{path}: cannot read the GeoNames dump ({exc})", path=str(path)) from None


def reconcile_geonames(path: Path, entities: Iterable[Entity], progress: Progress = QUIET) -> list[Row]:
    """Propose GeoNames candidates for the places among the entities."""
    places = [e for e in entities if e.kind.feature_classes.get(e.cls)]
    by_key: dict[str, list[Entity]] = {}
    for entity in places:
        for name in entity.names:
            for key in {fold(name), skeleton(name)}:
                by_key.setdefault(key, []).append(entity)
    countries = {e.country_code for e in places if e.country_code}
    found: dict[str, dict[str, Row]] = {str(e.iri): {} for e in places}
    progress.step(f"reading the GeoNames dump {path}")
    with _open_dump(path) as fh:
        for number, line in enumerate(fh, start=1):
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 15:
                raise LoadError(f"{path}, line {number}: expected at least 15 tab-separated fields "
                                f"(geonameid ... population), found {len(cols)}", path=str(path),
                                line=number)
            if cols[8] not in countries:
                continue
            names = {cols[1], cols[2], *filter(None, cols[3].split(","))}
            matched = {id(e): e for n in names for key in {fold(n), skeleton(n)}
                       for e in by_key.get(key, ())}
            for entity in matched.values():
                row = _score(entity, cols, names, path, number)
                if row is not None:
                    found[str(entity.iri)][row.candidate_iri] = row
    rows: list[Row] = []
    for entity in places:
        candidates = sorted(found[str(entity.iri)].values(), key=lambda r: (-r.score, r.candidate_iri))
        rows.extend(candidates[:MAX_CANDIDATES] or [Row(str(entity.iri), entity.label, GEONAMES.name,
                                                         description="no candidate found")])
    return rows


def _score(entity: Entity, cols: list[str], names: set[str], path: Path, number: int) -> Row | None:
    if cols[8] != entity.country_code or cols[6] not in entity.kind.feature_classes[entity.cls]:
        return None
    if not cols[0].isdigit():
        raise LoadError(f"{path}, line {number}, field geonameid: {cols[0]!r} is not a number",
                        path=str(path), line=number)
    score = max(similarity(ours, theirs) for ours in entity.names for theirs in names)
    codes = _PREFERRED_CODES.get(cols[6])
    if codes and not cols[7].startswith(codes):
        score *= OTHER_CODE
    population = cols[14] if cols[14].isdigit() else "0"
    description = (f"{cols[6]}.{cols[7]} in {cols[8]}, population {population}, "
                   f"at {cols[4]}, {cols[5]}")
    return Row(str(entity.iri), entity.label, GEONAMES.name, f"{GEONAMES.uri_space}{cols[0]}/",
               cols[1], description, round(score, 3))
