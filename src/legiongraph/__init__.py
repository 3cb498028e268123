"""legiongraph: a knowledge graph of foreign citizens in Russia's armed forces, and its toolkit."""

from .config import Config, load_config
from .errors import (
    ConfigError,
    LegiongraphError,
    LoadError,
    QueryError,
    ResourceNotFound,
    StoreError,
    ValidationFailed,
)
from .pipeline.build import BuildResult, build, compile_dataset
from .pipeline.loading import load_dataset, load_files
from .query.queries import NamedQuery, list_queries, resolve_query, run_query
from .query.stats import Stats, compute_stats
from .reasoning.reasoner import add_inferred, infer
from .resources import Resources
from .shacl.validation import ValidationReport, Violation, validate
from .stores import MemoryStore, OxigraphStore, Store, open_store
from .stores.results import QueryResult, serialize_result

__version__ = "0.1.0"

__all__ = [
    "BuildResult",
    "Config",
    "ConfigError",
    "LegiongraphError",
    "LoadError",
    "MemoryStore",
    "NamedQuery",
    "OxigraphStore",
    "QueryError",
    "QueryResult",
    "ResourceNotFound",
    "Resources",
    "Stats",
    "Store",
    "StoreError",
    "ValidationFailed",
    "ValidationReport",
    "Violation",
    "add_inferred",
    "build",
    "compile_dataset",
    "compute_stats",
    "infer",
    "list_queries",
    "load_config",
    "load_dataset",
    "load_files",
    "open_store",
    "resolve_query",
    "run_query",
    "serialize_result",
    "validate",
]
