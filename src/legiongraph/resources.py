"""Find the ontology, shapes, data and queries by name, in the package or in a data folder.

The package ships ``ontology/``, ``data/`` and ``queries/`` under ``legiongraph/resources``. A
configured ``data_dir`` with the same layout takes precedence, folder by folder, so an analyst can
point legiongraph at a working copy without reinstalling it.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources as importlib_resources
from importlib.resources.abc import Traversable
from pathlib import Path

from .errors import ResourceNotFound

__all__ = ["KINDS", "Resource", "Resources"]

# kind -> (relative folder, file suffixes)
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "ontology": ("ontology", (".ttl",)),
    "reference": ("data/reference", (".ttl",)),
    "sources": ("data/sources", (".trig", ".ttl")),
    "queries": ("queries", (".rq",)),
}

# alignments.ttl: the reused terms and alignments legiongraph.ttl imports (owl:imports)
ONTOLOGY_FILES = ("legiongraph.ttl", "alignments.ttl", "vocabularies.ttl")
SHAPES_FILE = "shapes.ttl"


@dataclass(frozen=True)
class Resource:
    """One data file: its name, a human-readable location and a way to read it."""

    kind: str
    name: str
    location: str
    _node: Traversable

    def read_bytes(self) -> bytes:
        """Return the file's bytes."""
        return self._node.read_bytes()

    def read_text(self) -> str:
        """Return the file's text, decoded as UTF-8."""
        return self._node.read_text(encoding="utf-8")

    @property
    def stem(self) -> str:
        """Return the name without its suffix."""
        return self.name.rsplit(".", 1)[0]


class Resources:
    """Look up data files by kind and name."""

    def __init__(self, data_dir: Path | None = None) -> None:
        self.data_dir = data_dir

    def _folder(self, kind: str) -> tuple[Traversable, str]:
        if kind not in KINDS:
            raise ResourceNotFound(f"unknown resource kind {kind!r}; expected one of {list(KINDS)}")
        rel = KINDS[kind][0]
        if self.data_dir is not None:
            candidate = Path(self.data_dir) / rel
            if candidate.is_dir():
                return candidate, str(candidate)
        node: Traversable = importlib_resources.files("legiongraph") / "resources"
        for part in rel.split("/"):
            node = node / part
        return node, f"legiongraph/resources/{rel}"

    def list(self, kind: str) -> list[Resource]:
        """Return every file of a kind, sorted by name."""
        folder, where = self._folder(kind)
        suffixes = KINDS[kind][1]
        if not folder.is_dir():
            return []
        found = [
            Resource(kind, node.name, f"{where}/{node.name}", node)
            for node in folder.iterdir()
            if node.is_file() and node.name.endswith(suffixes) and not node.name.startswith(".")
        ]
        return sorted(found, key=lambda r: r.name)

    def get(self, kind: str, name: str) -> Resource:
        """Return one file of a kind by its file name or stem."""
        for res in self.list(kind):
            if name in (res.name, res.stem):
                return res
        names = ", ".join(r.stem for r in self.list(kind)) or "none"
        raise ResourceNotFound(f"no {kind} file named {name!r} (available: {names})")

    def ontology(self) -> list[Resource]:
        """Return the ontology and concept-scheme files (not the shapes)."""
        return [self.get("ontology", name) for name in ONTOLOGY_FILES]

    def shapes(self) -> Resource:
        """Return the SHACL shapes file."""
        return self.get("ontology", SHAPES_FILE)

    def docs_site(self) -> Path | None:
        """Return the folder of the built documentation site (`make docs`), or None if not built."""
        if self.data_dir is not None and (Path(self.data_dir) / "site" / "index.html").is_file():
            return Path(self.data_dir) / "site"
        node = importlib_resources.files("legiongraph") / "resources" / "site"
        # The site exists only in a working copy where `make docs` ran; an installed wheel has none.
        if isinstance(node, Path) and (node / "index.html").is_file():
            return node.resolve()
        return None
