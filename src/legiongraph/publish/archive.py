"""Archives an archivist can trust: a BagIt bag of the exports, their description, and a verifier.

The bag's payload (``data/``, also an RO-Crate) holds every named graph as readable TriG and as
canonical N-Quads with its SHA-256, the asserted graphs as readable Turtle, the ontology, the
shapes, the named queries, a DCAT/VoID/PROV description, RO-Crate metadata and a README. The bag is
built in a temporary sibling folder and renamed into place when complete. :func:`verify_archive`
checks the checksums, re-parses every file, validates the data with the shapes in the bag and
recomputes the canonical hash; any failure raises an error naming the file.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph

from ..errors import ConfigError, LoadError, ValidationFailed
from ..fsutil import atomic_replace_dir, atomic_write_bytes, new_sibling_dir
from ..oxterms import from_ox
from ..parsing import format_for, parse_into, parse_quads
from ..progress import QUIET, Progress
from ..resources import Resources
from ..shacl.validation import validate
from ..stores.base import Store
from .archivedesc import (
    ArchiveFile,
    ArchiveInfo,
    Publication,
    describe,
    legiongraph_version,
    readme,
    ro_crate,
)
from .canonical import canonical_nquads, sha256_hex
from .export import DEFAULT_KINDS, EXPORT_FORMATS, graph_kind, serialize, store_quads

__all__ = ["NQUADS", "VerifyResult", "make_archive", "read_archive", "verify_archive"]

NQUADS = "legiongraph.nq"
TRIG = "legiongraph.trig"
TURTLE = "legiongraph.ttl"
HASH_FILE = NQUADS + ".sha256"
SHAPES = "ontology/shapes.ttl"
BAGIT_TXT = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
_RDF = {".ttl": ox.RdfFormat.TURTLE, ".trig": ox.RdfFormat.TRIG, ".nq": ox.RdfFormat.N_QUADS}


@dataclass(frozen=True)
class VerifyResult:
    """What a successful verification checked."""

    bag: Path
    files: int
    quads: int
    canonical_sha256: str


def _entry(path: str, data: bytes, media_type: str, title: str) -> tuple[ArchiveFile, bytes]:
    return ArchiveFile(path, media_type, len(data), sha256_hex(data), title), data


def make_archive(store: Store, resources: Resources, out: Path, command: str,
                 progress: Progress = QUIET, publication: Publication | None = None) -> ArchiveInfo:
    """Write a BagIt bag of the store's content to ``out`` (replacing a bag already there)."""
    import bagit

    out = Path(out)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / "bagit.txt").exists())):
        raise ConfigError(f"{out}: exists and is not a bag; choose a new folder for the archive")
    publication = publication or Publication()
    progress.step("canonicalising every named graph (RDFC-1.0)")
    quads = store_quads(store, ["all"])
    nquads = serialize(quads, EXPORT_FORMATS["nquads"])
    digest = sha256_hex(nquads)
    progress.step("writing TriG and Turtle")
    asserted = [q for q in quads if graph_kind(q.graph_name.value) in DEFAULT_KINDS]
    files = [
        _entry(TRIG, serialize(quads, EXPORT_FORMATS["trig"]), "application/trig",
               "every named graph, inferred included, as readable TriG"),
        _entry(TURTLE, serialize(asserted, EXPORT_FORMATS["turtle"]), "text/turtle",
               "the asserted, reference and ontology graphs merged, as readable Turtle"),
        _entry(NQUADS, nquads, "application/n-quads",
               "every named graph as canonical N-Quads (RDFC-1.0)"),
        _entry(HASH_FILE, f"{digest}  {NQUADS}\n".encode(), "text/plain",
               "SHA-256 of the canonical N-Quads"),
    ]
    for res in [*resources.ontology(), resources.shapes()]:
        files.append(_entry(f"ontology/{res.name}", res.read_bytes(), "text/turtle",
                            "SHACL shapes" if res.name == "shapes.ttl" else "ontology"))
    for res in resources.list("queries"):
        files.append(_entry(f"queries/{res.name}", res.read_bytes(), "application/sparql-query",
                            f"named query {res.stem}"))
    created = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    info = ArchiveInfo(created, command, digest, tuple(f for f, _ in files), publication)
    extra = {"description.ttl": describe(quads, info), "README.md": readme(info)}
    extra["ro-crate-metadata.json"] = ro_crate(info, extra)
    progress.step(f"writing the bag at {out}")
    tmp = new_sibling_dir(out)
    try:
        for f, data in files:
            atomic_write_bytes(tmp / f.path, data)
        for name, data in extra.items():
            atomic_write_bytes(tmp / name, data)
        bagit.make_bag(str(tmp), {
            "Source-Organization": publication.publisher_name,
            "External-Description": "legiongraph knowledge graph: exports, ontology, shapes, queries",
            "External-Identifier": f"sha256:{digest}",
            "Bag-Software-Agent": f"legiongraph {legiongraph_version()}",
        }, checksums=["sha256", "sha512"])
        # bagit-python writes version 0.97; the bag follows RFC 8493, so it declares 1.0 and the
        # tag manifests are recomputed over the new bagit.txt.
        (tmp / "bagit.txt").write_bytes(BAGIT_TXT)
        bagit.Bag(str(tmp)).save()
        atomic_replace_dir(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return info


def _problem(detail: object) -> str:
    import bagit

    if isinstance(detail, bagit.ChecksumMismatch):
        manifest = "manifest" if str(detail.path).startswith("data/") else "tagmanifest"
        return f"{detail.path} does not match its {detail.algorithm} in {manifest}-{detail.algorithm}.txt"
    if isinstance(detail, bagit.FileMissing):
        return f"{detail.path} is listed in a manifest but missing from the bag"
    if isinstance(detail, bagit.UnexpectedFile):
        return f"{detail.path} is in the bag but in no manifest"
    return str(detail)


def _changed_files(bag: Path, manifest_name: str) -> list[str]:
    """Name the files whose SHA-256 differs from a manifest (or the manifest, if unreadable)."""
    manifest = bag / manifest_name
    try:
        lines = manifest.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return [manifest.name]
    listed = dict(reversed(line.split(None, 1)) for line in lines if len(line.split(None, 1)) == 2)
    changed = [name for name, digest in sorted(listed.items())
               if not (bag / name).is_file() or sha256_hex((bag / name).read_bytes()) != digest]
    return changed if listed else [manifest.name]


def _open_bag(bag: Path):
    import bagit

    if not (Path(bag) / "bagit.txt").is_file():
        raise LoadError(f"{bag}: not a BagIt bag (no bagit.txt)", path=str(bag))
    try:
        opened = bagit.Bag(str(bag))
        opened.validate(processes=1)
    except (bagit.BagValidationError, bagit.BagError) as exc:
        # bagit stops at the first kind of problem; the tag manifest names changed tag files too.
        details = [_problem(d) for d in getattr(exc, "details", None) or []] or [str(exc)]
        # A changed size stops bagit at the Payload-Oxum check before it names any file.
        for manifest in ("manifest-sha256.txt", "tagmanifest-sha256.txt"):
            details += [f"{name} differs from {manifest}" for name in _changed_files(bag, manifest)
                        if not any(name in d for d in details)]
        raise LoadError(f"{bag}: the bag does not verify: " + "; ".join(details), path=str(bag)) from None
    return opened


def read_archive(bag: Path) -> Dataset:
    """Check a bag's checksums and return its data (every named graph) as a Dataset."""
    _open_bag(bag)
    path = Path(bag) / "data" / NQUADS
    dataset = Dataset(default_union=True)
    parse_into(dataset, path.read_bytes(), "nquads", str(path))
    return dataset


def _parse_payload(path: Path, data: bytes) -> list[ox.Quad] | None:
    """Re-parse one payload file by its kind; return its quads when it is RDF."""
    if path.suffix == ".rq":
        try:
            ox.Store().query(data.decode("utf-8"))
        except (SyntaxError, ValueError, UnicodeDecodeError) as exc:
            raise LoadError(f"{path}: the query does not parse: {exc}", path=str(path)) from None
        return None
    if path.suffix == ".json":
        try:
            json.loads(data)
        except ValueError as exc:
            raise LoadError(f"{path}: not JSON: {exc}", path=str(path)) from None
        return None
    if path.suffix in _RDF:
        try:
            return list(ox.parse(data, format=_RDF[path.suffix], rename_blank_nodes=True))
        except (SyntaxError, ValueError):
            parse_quads(data, format_for(path.name), str(path))  # raises naming line and column
            raise LoadError(f"{path}: cannot parse", path=str(path)) from None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise LoadError(f"{path}: not UTF-8 text", path=str(path)) from None
    return None


def verify_archive(bag: Path, progress: Progress = QUIET) -> VerifyResult:
    """Verify a bag: checksums, every file parses, the data conforms, the canonical hash holds."""
    bag = Path(bag)
    progress.step(f"checking the checksums of {bag}")
    opened = _open_bag(bag)
    payload = sorted(Path(bag) / p for p in opened.payload_files())
    progress.step(f"re-parsing {len(payload)} files")
    parsed = {p.relative_to(bag / "data").as_posix(): _parse_payload(p, p.read_bytes()) for p in payload}
    for name in (NQUADS, TRIG, TURTLE, HASH_FILE, SHAPES):
        if name not in parsed:
            raise LoadError(f"{bag / 'data' / name}: missing from the bag", path=str(bag / "data" / name))
    progress.step("recomputing the canonical hash (RDFC-1.0)")
    quads = parsed[NQUADS] or []
    canonical = canonical_nquads(quads)
    digest = sha256_hex(canonical)
    nq_path = bag / "data" / NQUADS
    if nq_path.read_bytes() != canonical:
        raise LoadError(f"{nq_path}: not in canonical form (RDFC-1.0 N-Quads)", path=str(nq_path))
    recorded = (bag / "data" / HASH_FILE).read_text(encoding="utf-8").split()
    if not recorded or recorded[0] != digest:
        raise LoadError(f"{bag / 'data' / HASH_FILE}: records {recorded[0] if recorded else 'nothing'},"
                        f" but the canonical N-Quads hash to {digest}", path=str(bag / "data" / HASH_FILE))
    if sha256_hex(canonical_nquads(parsed[TRIG] or [])) != digest:
        raise LoadError(f"{bag / 'data' / TRIG}: does not hold the same data as {NQUADS}",
                        path=str(bag / "data" / TRIG))
    asserted = [ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads
                if graph_kind(q.graph_name.value) in DEFAULT_KINDS]
    if canonical_nquads(parsed[TURTLE] or []) != canonical_nquads(asserted):
        raise LoadError(f"{bag / 'data' / TURTLE}: does not hold the asserted graphs of {NQUADS}",
                        path=str(bag / "data" / TURTLE))
    progress.step("validating the data with the shapes in the bag (SHACL)")
    data, shapes = Graph(), Graph()
    for s, p, o, _ in _to_rdflib(quads):
        data.add((s, p, o))
    for s, p, o, _ in _to_rdflib(parsed[SHAPES] or []):
        shapes.add((s, p, o))
    report = validate(data, shapes)
    if not report.conforms:
        raise ValidationFailed(f"{nq_path}: the data does not conform to {bag / 'data' / SHAPES} "
                               f"({len(report.violations)} problem(s))\n" + report.text(), report)
    return VerifyResult(bag, len(payload), len(quads), digest)


def _to_rdflib(quads: list[ox.Quad]) -> list[tuple]:
    """Return Oxigraph quads as rdflib quads."""
    return [(from_ox(q.subject), from_ox(q.predicate), from_ox(q.object), from_ox(q.graph_name))
            for q in quads]
