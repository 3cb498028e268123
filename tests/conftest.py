"""Shared fixtures: the article's dataset is compiled once per session and served by each store."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset

from legiongraph import Config, MemoryStore, OxigraphStore, Resources
from legiongraph.build import compile_dataset
from legiongraph.validation import ValidationReport

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def resources() -> Resources:
    return Resources()


@pytest.fixture(scope="session")
def compiled(resources: Resources) -> tuple[Dataset, ValidationReport]:
    return compile_dataset(resources)


@pytest.fixture(scope="session")
def dataset(compiled: tuple[Dataset, ValidationReport]) -> Dataset:
    return compiled[0]


@pytest.fixture(scope="session")
def oxigraph_store(dataset: Dataset, tmp_path_factory: pytest.TempPathFactory) -> OxigraphStore:
    path = tmp_path_factory.mktemp("oxigraph") / "store"
    writer = OxigraphStore(path, read_only=False)
    writer.replace_all(dataset)
    writer.close()
    return OxigraphStore(path, read_only=True)


@pytest.fixture(scope="session")
def memory_store(dataset: Dataset) -> MemoryStore:
    store = MemoryStore()
    store.replace_all(dataset)
    return store


@pytest.fixture(scope="session", params=["oxigraph", "memory"])
def store(request: pytest.FixtureRequest) -> OxigraphStore | MemoryStore:
    """Every store back end, loaded with the built article dataset."""
    return request.getfixturevalue(f"{request.param}_store")


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return Config(store_path=tmp_path / "store")
