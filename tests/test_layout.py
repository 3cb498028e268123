"""The source tree matches ARCHITECTURE.md's code map, and the layering it promises holds."""

from __future__ import annotations

import ast
import importlib
import re
import sys
from pathlib import Path

import pytest

import legiongraph

PACKAGE = Path(legiongraph.__file__).parent
ROOT = PACKAGE.parents[1]
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "static" not in p.parts)
PRIMITIVES = {"errors", "config", "resources", "iris", "fsutil", "progress", "parsing", "oxterms",
              "formats"}
FACES = {"cli", "web"}


def _name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(["legiongraph", *parts])


def _imports(path: Path) -> set[str]:
    """Return the legiongraph modules a file imports (the module a name comes from)."""
    name = _name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("legiongraph"):
                found.add(target)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("legiongraph"))
    return found


def _third_party(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and not node.level and node.module:
            roots.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            roots.update(a.name.split(".")[0] for a in node.names)
    return roots


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_the_subpackages_are_the_code_maps_headings() -> None:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    code_map = text.split("## Code map", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"\*\*`(\w+)/`\*\*", code_map))
    on_disk = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert named == on_disk
    primitives = set(re.findall(r"`(\w+)`", code_map.split("**Primitives**", 1)[1].split(")", 1)[0]))
    top = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__", "__main__"}
    assert primitives == PRIMITIVES == top


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_no_module_is_over_400_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= 400, f"{path.relative_to(ROOT)} has {lines} lines; split it by concept"


def test_only_the_faces_import_flask_or_click() -> None:
    offenders = {_name(p): sorted(_third_party(p) & {"flask", "click", "werkzeug"})
                 for p in MODULES if _stage(_name(p)) not in FACES}
    assert {m: libs for m, libs in offenders.items() if libs} == {}


def test_primitives_import_only_primitives() -> None:
    for path in MODULES:
        name = _name(path)
        if _stage(name) in PRIMITIVES:
            stages = {_stage(m) for m in _imports(path)} - {""}
            assert stages <= PRIMITIVES, f"{name} imports {sorted(stages - PRIMITIVES)}"


def test_nothing_but_the_faces_imports_the_faces() -> None:
    for path in MODULES:
        name = _name(path)
        if _stage(name) not in FACES and name != "legiongraph.__main__":
            faces = {m for m in _imports(path) if _stage(m) in FACES}
            assert not faces, f"{name} imports {sorted(faces)}"


def test_modules_import_each_other_without_a_cycle() -> None:
    known = {_name(p) for p in MODULES}

    def resolve(target: str) -> str | None:
        # "from ..query.queries import run_query" names a module; "from .build import build" too;
        # "from . import x" names a package, whose __init__ is a module of its own.
        return target if target in known else None

    graph = {_name(p): {t for t in map(resolve, _imports(p)) if t and t != _name(p)} for p in MODULES}
    # Subpackage __init__ files only re-export; a cycle through one is harmless, so leave them out.
    packages = {_name(p) for p in MODULES if p.name == "__init__.py"}
    graph = {m: deps - packages for m, deps in graph.items() if m not in packages}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        stack.append(module)
        for dep in sorted(graph.get(module, ())):
            if state.get(dep) == 1:
                cycle = [*stack[stack.index(dep):], dep]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if dep not in state:
                visit(dep)
        stack.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)


def _defined_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)}
    names |= {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets
              if isinstance(t, ast.Name)}
    return names


def test_inside_the_project_names_come_from_their_module_not_a_subpackage() -> None:
    """A name re-exported by a subpackage is imported from the module that defines it."""
    inits = {_name(p): p for p in MODULES if p.name == "__init__.py"}
    for path in MODULES:
        if path.name in {"__init__.py", "__main__.py"}:
            continue
        package = _name(path).rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not node.module:
                continue
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module])
            else:
                target = node.module
            if target in inits and target != "legiongraph":
                own = _defined_in(inits[target])
                borrowed = [a.name for a in node.names if a.name not in own]
                assert not borrowed, f"{_name(path)} imports {borrowed} from {target}: name the module"


@pytest.mark.parametrize("module", sorted(_name(p) for p in MODULES if p.name != "__main__.py"))
def test_every_module_imports_on_its_own(module: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: a module that only worked once another had been imported first."""
    saved = {k: v for k, v in sys.modules.items() if k == "legiongraph" or k.startswith("legiongraph.")}
    for key in saved:
        monkeypatch.delitem(sys.modules, key)
    try:
        assert importlib.import_module(module).__name__ == module
    finally:
        for key in [k for k in sys.modules if k == "legiongraph" or k.startswith("legiongraph.")]:
            del sys.modules[key]
        sys.modules.update(saved)


def test_the_public_api_is_unchanged_by_the_layout() -> None:
    from legiongraph.pipeline.build import build
    from legiongraph.query.queries import run_query
    from legiongraph.shacl.validation import validate

    assert (legiongraph.build, legiongraph.run_query, legiongraph.validate) == (build, run_query,
                                                                               validate)
    assert all(hasattr(legiongraph, name) for name in legiongraph.__all__)
