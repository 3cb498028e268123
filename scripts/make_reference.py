#!/usr/bin/env python3
"""Generate the legiongraph reference data: all ISO 3166-1 countries and the UN M49 regions.

Usage:
    python scripts/make_reference.py [SOURCE_DIR] [OUT.ttl]

SOURCE_DIR (default: ../shared/reference next to the repository root) must hold
  - iso3166-wikidata-geonames.csv  codes, CLDR name, independence, UN membership, GeoNames ID,
                                   Wikidata QID (reduced file, Namibia fixed; preferred for these)
  - country-codes.csv              the full datasets/country-codes table (PDDL); used for the UN M49
                                   region / sub-region / intermediate region codes and names, the
                                   UNTERM English short name and official_name_en
OUT (default: data/reference/countries.ttl under the repository root) is written atomically and
deterministically (same input -> byte-identical output). Turtle is written by a small writer below,
not by rdflib, so the byte layout does not depend on a library version.

Both CSV files are read with the csv module and every value stays a string: Namibia's alpha-2 code
"NA" is not a missing value here.

Exit codes: 0 ok, 2 malformed or missing input (the message names the file and line).
Standard library only.
"""

from __future__ import annotations

import contextlib
import csv
import os
import re
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE_DIR = REPO_ROOT.parent / "shared" / "reference"
DEFAULT_OUT = REPO_ROOT / "data" / "reference" / "countries.ttl"

REDUCED_FILE = "iso3166-wikidata-geonames.csv"
FULL_FILE = "country-codes.csv"

ID = "https://w3id.org/legiongraph/id/"
COUNTRY_NS = ID + "country/"
M49_SCHEME = ID + "m49"
M49_NS = ID + "m49/"
WIKIDATA_NS = "http://www.wikidata.org/entity/"
GEONAMES_FMT = "https://sws.geonames.org/{}/"

PREFIXES = [
    ("lg", "https://w3id.org/legiongraph/ontology#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("schema", "https://schema.org/"),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
]

# Common English names and well-known variants (facts, hard-coded on purpose). An alias equal to the
# CLDR name (the rdfs:label) is dropped automatically, so listing it here is harmless.
ALIASES: dict[str, list[str]] = {
    "BY": ["Republic of Belarus"],
    "CD": ["Congo-Kinshasa", "Democratic Republic of the Congo", "DR Congo", "DRC"],
    "CG": ["Congo-Brazzaville", "Republic of the Congo"],
    "CI": ["Ivory Coast", "Côte d'Ivoire"],
    "CN": ["China", "People's Republic of China", "PRC"],
    "CV": ["Cape Verde", "Cabo Verde"],
    "CZ": ["Czechia", "Czech Republic"],
    "GB": ["United Kingdom", "UK", "Great Britain", "Britain"],
    "IR": ["Iran"],
    "KP": ["North Korea", "DPRK", "Democratic People's Republic of Korea"],
    "KR": ["South Korea", "Republic of Korea"],
    "LA": ["Laos"],
    "BO": ["Bolivia"],
    "MD": ["Moldova", "Republic of Moldova"],
    "MM": ["Burma"],
    "RU": ["Russia", "Russian Federation"],
    "SY": ["Syria"],
    "SZ": ["Swaziland"],
    "TG": ["Republic of Togo", "Togolese Republic"],
    "TR": ["Turkey", "Türkiye"],
    "TZ": ["Tanzania"],
    "US": ["United States", "USA", "United States of America"],
    "UZ": ["Republic of Uzbekistan"],
    "VA": ["Holy See", "Vatican"],
    "VE": ["Venezuela"],
    "VN": ["Vietnam", "Viet Nam"],
}

WORLD_CODE = "001"


class DataError(Exception):
    """A malformed or missing input; reported as 'FILE:LINE: message', exit code 2."""

    def __init__(self, path: Path, line: int | None, message: str):
        where = f"{path}:{line}" if line is not None else f"{path}"
        super().__init__(f"{where}: {message}")


def clean(value: str | None) -> str:
    # str.strip() also removes the no-break spaces that stand for "empty" in country-codes.csv.
    return (value or "").strip()


def m49_code(raw: str, path: Path, line: int, column: str) -> str:
    if not re.fullmatch(r"\d{1,3}", raw):
        raise DataError(path, line, f"column {column!r}: {raw!r} is not a 1-3 digit M49 code")
    return raw.zfill(3)


def read_rows(path: Path, required: list[str]):
    """Yield (line_number, row) with every value as a stripped string; check the header."""
    if not path.is_file():
        raise DataError(path, None, "file not found")
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f, strict=True)
        try:
            header = reader.fieldnames or []
        except (csv.Error, UnicodeDecodeError) as e:
            raise DataError(path, 1, f"unreadable header: {e}") from None
        missing = [c for c in required if c not in header]
        if missing:
            raise DataError(path, 1, f"missing column(s): {', '.join(missing)}")
        rows = iter(reader)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                break
            except (csv.Error, UnicodeDecodeError) as e:
                raise DataError(path, reader.line_num + 1, f"unreadable row: {e}") from None
            line = reader.line_num
            if None in row:
                raise DataError(
                    path, line, f"{len(header) + len(row[None])} fields, header has {len(header)}"
                )
            if any(v is None for v in row.values()):
                raise DataError(path, line, f"fewer fields than the {len(header)} of the header")
            yield line, {k: clean(v) for k, v in row.items()}


def read_reduced(path: Path, warnings: list[str]) -> dict[str, dict]:
    cols = [
        "iso_alpha2",
        "iso_alpha3",
        "iso_numeric",
        "name_cldr",
        "is_independent",
        "un_member",
        "geonames_id",
        "wikidata_qid",
    ]
    countries: dict[str, dict] = {}
    for line, row in read_rows(path, cols):
        a2 = row["iso_alpha2"]
        if not a2:
            raise DataError(path, line, "missing alpha-2 code (iso_alpha2)")
        if not re.fullmatch(r"[A-Z]{2}", a2):
            raise DataError(path, line, f"iso_alpha2 {a2!r} is not two capital letters")
        if a2 in countries:
            raise DataError(
                path, line, f"duplicate alpha-2 code {a2!r} (first on line {countries[a2]['line']})"
            )
        a3 = row["iso_alpha3"]
        if not re.fullmatch(r"[A-Z]{3}", a3):
            raise DataError(path, line, f"{a2}: iso_alpha3 {a3!r} is not three capital letters")
        num = row["iso_numeric"]
        if not re.fullmatch(r"\d{1,3}", num):
            raise DataError(path, line, f"{a2}: iso_numeric {num!r} is not a 1-3 digit number")
        name = row["name_cldr"]
        if not name:
            raise DataError(path, line, f"{a2}: missing name_cldr")
        gn = row["geonames_id"]
        if gn and not re.fullmatch(r"[1-9]\d*", gn):
            raise DataError(path, line, f"{a2}: geonames_id {gn!r} is not a positive integer")
        qid = row["wikidata_qid"]
        if qid and not re.fullmatch(r"Q[1-9]\d*", qid):
            raise DataError(path, line, f"{a2}: wikidata_qid {qid!r} is not of the form Q123")
        if not gn:
            warnings.append(f"{path}:{line}: {a2} ({name}) has no GeoNames ID; none emitted")
        if not qid:
            warnings.append(f"{path}:{line}: {a2} ({name}) has no Wikidata ID; none emitted")
        un = row["un_member"].lower()
        if un not in ("yes", "no", "observer"):
            raise DataError(path, line, f"{a2}: un_member {row['un_member']!r} is not yes/no/observer")
        indep = row["is_independent"]
        if not indep:
            raise DataError(path, line, f"{a2}: missing is_independent")
        countries[a2] = {
            "line": line,
            "a2": a2,
            "a3": a3,
            "num": num.zfill(3),
            "name": name,
            "geonames": gn,
            "qid": qid,
            "un": un,
            "independent_raw": indep,
        }
    if not countries:
        raise DataError(path, None, "no data rows")
    return countries


def independent_value(raw: str) -> bool | None:
    """True for "Yes"; False where the data names a sovereign the territory belongs to;
    None (no triple) for "In contention" (Palestine, Western Sahara) and "International" (Antarctica)."""
    if raw == "Yes":
        return True
    if (
        raw == "No"
        or re.match(r"(Part|Territory|Territories|Crown dependency|Commonwealth) of [A-Z]{2}$", raw)
        or re.match(r"Associated with [A-Z]{2}$", raw)
    ):
        return False
    return None


def read_full(path: Path) -> dict[str, dict]:
    cols = [
        "ISO3166-1-Alpha-2",
        "Global Code",
        "Global Name",
        "Region Code",
        "Region Name",
        "Sub-region Code",
        "Sub-region Name",
        "Intermediate Region Code",
        "Intermediate Region Name",
        "UNTERM English Short",
        "official_name_en",
    ]
    rows: dict[str, dict] = {}
    for line, row in read_rows(path, cols):
        a2 = row["ISO3166-1-Alpha-2"]
        if not a2:
            raise DataError(path, line, "missing alpha-2 code (ISO3166-1-Alpha-2)")
        if not re.fullmatch(r"[A-Z]{2}", a2):
            raise DataError(path, line, f"ISO3166-1-Alpha-2 {a2!r} is not two capital letters")
        if a2 in rows:
            raise DataError(path, line, f"duplicate alpha-2 code {a2!r} (first on line {rows[a2]['line']})")
        levels = {}
        for key, code_col, name_col in (
            ("world", "Global Code", "Global Name"),
            ("region", "Region Code", "Region Name"),
            ("subregion", "Sub-region Code", "Sub-region Name"),
            ("intermediate", "Intermediate Region Code", "Intermediate Region Name"),
        ):
            code, name = row[code_col], row[name_col]
            if code and not name:
                raise DataError(path, line, f"{a2}: {code_col} {code!r} without {name_col}")
            if name and not code:
                raise DataError(path, line, f"{a2}: {name_col} {name!r} without {code_col}")
            levels[key] = (m49_code(code, path, line, code_col), name) if code else None
        if levels["subregion"] and not levels["region"]:
            raise DataError(path, line, f"{a2}: sub-region without region")
        if levels["intermediate"] and not levels["subregion"]:
            raise DataError(path, line, f"{a2}: intermediate region without sub-region")
        rows[a2] = {
            "line": line,
            "levels": levels,
            "unterm_short": re.sub(r"\s*\*+$", "", row["UNTERM English Short"]),
            "official_en": row["official_name_en"],
        }
    return rows


# ---------------------------------------------------------------- Turtle writing


def literal(text: str, lang: str | None = None) -> str:
    esc = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return f'"{esc}"' + (f"@{lang}" if lang else "")


def iri(value: str) -> str:
    if re.search(r'[\x00-\x20<>"{}|^`\\]', value):
        raise ValueError(f"not writable as an IRI: {value!r}")
    return f"<{value}>"


def block(subject: str, pairs: list[tuple[str, list[str]]]) -> str:
    """One subject with its predicate/object lists, in the order given."""
    pairs = [(p, objs) for p, objs in pairs if objs]
    lines = [subject]
    for i, (pred, objs) in enumerate(pairs):
        end = " ." if i == len(pairs) - 1 else " ;"
        lines.append(f"    {pred} " + ",\n        ".join(objs) + end)
    return "\n".join(lines) + "\n"


def build(
    countries: dict[str, dict],
    full: dict[str, dict],
    reduced_path: Path,
    full_path: Path,
    warnings: list[str],
) -> tuple[str, dict]:
    # Join on alpha-2; every country of the reduced file needs its M49 row.
    for a2, c in countries.items():
        if a2 not in full:
            raise DataError(full_path, None, f"no row for alpha-2 {a2!r} ({reduced_path}:{c['line']})")
    for a2, r in full.items():
        if a2 not in countries:
            warnings.append(f"{full_path}:{r['line']}: {a2} is not in {reduced_path.name}; skipped")

    # Collect the M49 concepts and check that one code always has one name.
    concepts: dict[str, dict] = {}  # code -> {name, broader, level, line}
    parent_level = {"region": None, "subregion": "region", "intermediate": "subregion"}
    for a2 in sorted(countries):
        r = full[a2]
        for level in ("world", "region", "subregion", "intermediate"):
            entry = r["levels"][level]
            if not entry:
                continue
            code, name = entry
            broader = None
            if parent_level.get(level):
                broader = r["levels"][parent_level[level]][0]
            seen = concepts.get(code)
            if seen is None:
                concepts[code] = {"name": name, "broader": broader, "level": level, "line": r["line"]}
            elif (seen["name"], seen["broader"], seen["level"]) != (name, broader, level):
                raise DataError(
                    full_path,
                    r["line"],
                    f"{a2}: M49 {code} is {level} {name!r} under {broader}, but line "
                    f"{seen['line']} has {seen['level']} {seen['name']!r} under {seen['broader']}",
                )

    out: list[str] = []
    out.append("# Reference data of legiongraph: ISO 3166-1 countries and territories and UN M49 regions.\n")
    out.append("# GENERATED by scripts/make_reference.py from the datasets/country-codes data package\n")
    out.append(
        "# (https://github.com/datasets/country-codes, data/country-codes.csv, Open Data Commons PDDL)\n"
    )
    out.append(f"# and its reduced form {REDUCED_FILE} (Namibia's Wikidata ID restored).\n")
    out.append("# DO NOT EDIT BY HAND: change the script or its input and run it again.\n")
    out.append("# Loaded into the named graph <https://w3id.org/legiongraph/graph/reference>.\n\n")
    for prefix, ns in PREFIXES:
        out.append(f"@prefix {prefix}: <{ns}> .\n")
    out.append("\n")

    # Concept scheme
    level_order = {"world": 0, "region": 1, "subregion": 2, "intermediate": 3}
    top = sorted(code for code, c in concepts.items() if c["level"] in ("world", "region"))
    scheme_label = literal("UN M49 geographic regions", "en")
    out.append(
        block(
            iri(M49_SCHEME),
            [
                ("a", ["skos:ConceptScheme"]),
                ("rdfs:label", [scheme_label]),
                ("skos:prefLabel", [scheme_label]),
                ("skos:hasTopConcept", [iri(M49_NS + code) for code in top]),
            ],
        )
    )
    out.append("\n")
    for code in sorted(concepts, key=lambda k: (level_order[concepts[k]["level"]], k)):
        c = concepts[code]
        label = literal(c["name"], "en")
        out.append(
            block(
                iri(M49_NS + code),
                [
                    ("a", ["skos:Concept"]),
                    ("rdfs:label", [label]),
                    ("skos:prefLabel", [label]),
                    ("skos:notation", [literal(code)]),
                    ("skos:inScheme", [iri(M49_SCHEME)]),
                    ("skos:topConceptOf", [iri(M49_SCHEME)] if code in top else []),
                    ("skos:broader", [iri(M49_NS + c["broader"])] if c["broader"] else []),
                ],
            )
        )
        out.append("\n")

    stats = {"countries": 0, "concepts": len(concepts), "no_region": [], "no_independent": []}
    for a2 in sorted(countries):
        c, r = countries[a2], full[a2]
        label = c["name"]
        alts = set(ALIASES.get(a2, []))
        for extra in (r["unterm_short"], r["official_en"]):
            if extra:
                alts.add(extra)
        alts.discard(label)
        levels = r["levels"]
        indep = independent_value(c["independent_raw"])
        if indep is None:
            stats["no_independent"].append(f"{a2} ({c['independent_raw']})")
        if not levels["region"]:
            stats["no_region"].append(a2)
        matches = []
        if c["qid"]:
            matches.append(iri(WIKIDATA_NS + c["qid"]))
        if c["geonames"]:
            matches.append(iri(GEONAMES_FMT.format(c["geonames"])))
        lit_label = literal(label, "en")
        out.append(
            block(
                iri(COUNTRY_NS + a2),
                [
                    ("a", ["schema:Country"]),
                    ("rdfs:label", [lit_label]),
                    ("schema:name", [lit_label]),
                    ("skos:altLabel", [literal(a, "en") for a in sorted(alts)]),
                    ("lg:isoAlpha2", [literal(a2)]),
                    ("lg:isoAlpha3", [literal(c["a3"])]),
                    ("lg:isoNumeric", [literal(c["num"])]),
                    ("lg:inM49Region", [iri(M49_NS + levels["region"][0])] if levels["region"] else []),
                    (
                        "lg:inM49SubRegion",
                        [iri(M49_NS + levels["subregion"][0])] if levels["subregion"] else [],
                    ),
                    (
                        "lg:inM49IntermediateRegion",
                        [iri(M49_NS + levels["intermediate"][0])] if levels["intermediate"] else [],
                    ),
                    ("lg:unMember", ["true" if c["un"] == "yes" else "false"]),
                    ("lg:independent", [] if indep is None else ["true" if indep else "false"]),
                    ("skos:exactMatch", matches),
                ],
            )
        )
        out.append("\n")
        stats["countries"] += 1
    text = "".join(out).rstrip("\n") + "\n"
    return text, stats


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    try:  # make the rename itself durable
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


def main(argv: list[str]) -> int:
    if len(argv) > 2 or any(a in ("-h", "--help") for a in argv):
        print(__doc__.strip(), file=sys.stderr)
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    source_dir = Path(argv[0]) if len(argv) >= 1 else DEFAULT_SOURCE_DIR
    out = Path(argv[1]) if len(argv) >= 2 else DEFAULT_OUT
    reduced_path, full_path = source_dir / REDUCED_FILE, source_dir / FULL_FILE
    warnings: list[str] = []
    try:
        countries = read_reduced(reduced_path, warnings)
        full = read_full(full_path)
        text, stats = build(countries, full, reduced_path, full_path, warnings)
    except DataError as e:
        print(f"make_reference: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"make_reference: error: {e}", file=sys.stderr)
        return 2
    write_atomically(out, text)
    for w in warnings:
        print(f"make_reference: warning: {w}", file=sys.stderr)
    print(
        f"make_reference: note: no M49 region in the data for: {', '.join(stats['no_region']) or 'none'}",
        file=sys.stderr,
    )
    print(
        "make_reference: note: lg:independent left out (data neither yes nor a dependency) for: "
        f"{', '.join(stats['no_independent']) or 'none'}",
        file=sys.stderr,
    )
    print(
        f"make_reference: wrote {out}: {stats['countries']} countries, {stats['concepts']} M49 concepts",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
