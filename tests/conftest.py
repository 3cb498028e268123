"""Shared fixtures: the article's dataset is compiled once per session and served by each store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Dataset

from legiongraph import Config, MemoryStore, OxigraphStore, Resources
from legiongraph.pipeline.build import compile_dataset
from legiongraph.shacl.validation import ValidationReport
from legiongraph.stores import SparqlStore
from oxigraph_server import OxigraphServer, running_oxigraph_server
from virtuoso import Virtuoso, require_virtuoso, running_virtuoso

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
def article_store(dataset: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The article's built Oxigraph store, closed: tests that write copy it first."""
    path = tmp_path_factory.mktemp("article") / "store"
    with OxigraphStore(path, read_only=False) as writer:
        writer.replace_all(dataset)
    return path


@pytest.fixture(scope="session")
def memory_store(dataset: Dataset) -> MemoryStore:
    store = MemoryStore()
    store.replace_all(dataset)
    return store


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    """A throw-away OpenLink Virtuoso 7 on loopback ports (tests/virtuoso.py), killed at the end."""
    executable = require_virtuoso()
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso"), executable) as server:
        yield server


@pytest.fixture(scope="session")
def virtuoso_store(virtuoso: Virtuoso, dataset: Dataset) -> SparqlStore:
    """The built article dataset on Virtuoso, loaded through SparqlStore, opened read-only."""
    writer = SparqlStore(virtuoso.config(), read_only=False)
    writer.replace_all(dataset)
    return SparqlStore(virtuoso.config(), read_only=True)


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """Oxigraph's own server (`oxigraph serve`) on a loopback port, killed at the end."""
    with running_oxigraph_server(tmp_path_factory.mktemp("oxigraph-server")) as server:
        yield server


@pytest.fixture(scope="session")
def oxigraph_server_store(oxigraph_server: OxigraphServer, dataset: Dataset) -> SparqlStore:
    """The built article dataset on Oxigraph's server, loaded through SparqlStore, opened read-only."""
    writer = SparqlStore(oxigraph_server.config(), read_only=False)
    writer.replace_all(dataset)
    return SparqlStore(oxigraph_server.config(), read_only=True)


# "sparql" is the `sparql` back end on Virtuoso; "sparql-oxigraph" the same back end on Oxigraph's
# own server, a second engine showing that the remote path does not depend on one server.
@pytest.fixture(scope="session", params=["oxigraph", "memory", "sparql", "sparql-oxigraph"])
def store(request: pytest.FixtureRequest) -> OxigraphStore | MemoryStore | SparqlStore:
    """Every store back end, loaded with the built article dataset."""
    name = {"sparql": "virtuoso", "sparql-oxigraph": "oxigraph_server"}.get(request.param, request.param)
    return request.getfixturevalue(f"{name}_store")


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return Config(store_path=tmp_path / "store")


@pytest.fixture(scope="session")
def served_config(oxigraph_store: OxigraphStore) -> Config:
    """A configuration that points at the session's built Oxigraph store."""
    return Config(store="oxigraph", store_path=oxigraph_store.path)


@pytest.fixture(scope="session")
def app(served_config: Config, oxigraph_store: OxigraphStore):
    from legiongraph.web import create_app

    application = create_app(served_config, store=oxigraph_store)
    application.config["TESTING"] = True
    return application


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def live_server(served_config: Config):
    """Serve the app as `legiongraph serve` does (waitress, query worker processes) on a free
    loopback port; yield its base URL."""
    from legiongraph.query.executor import ProcessExecutor
    from legiongraph.web import create_app
    from serving import serve_in_thread

    executor = ProcessExecutor(served_config, workers=2, timeout=30)
    base, stop = serve_in_thread(create_app(served_config, executor=executor), threads=4)
    yield base
    stop()
    executor.close()


WIKIDATA_STANDIN = ROOT / "tests" / "fixtures" / "wikidata" / "standin.ttl"


@pytest.fixture(scope="session")
def wikidata_standin():
    """Serve tests/fixtures/wikidata/standin.ttl on a loopback port in place of the Wikidata
    Query Service; yield its SPARQL endpoint URL."""
    import pyoxigraph as ox

    from legiongraph.web import create_app
    from serving import serve_in_thread

    standin = OxigraphStore(None, read_only=False)
    standin._store.load(WIKIDATA_STANDIN.read_bytes(), format=ox.RdfFormat.TURTLE,
                        to_graph=ox.NamedNode("https://example.org/wikidata-standin"))
    base, stop = serve_in_thread(create_app(Config(), store=standin), threads=2)
    yield f"{base}/sparql"
    stop()
