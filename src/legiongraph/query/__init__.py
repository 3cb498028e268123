"""The endpoint's core without HTTP: the request, the gate, the executor and its workers, the named
queries and the counts an analyst checks first. Nothing here writes to a store."""

from __future__ import annotations

from .executor import Executor, InlineExecutor, ProcessExecutor
from .queries import NamedQuery, list_queries, resolve_query, run_query
from .service import Answer, SparqlRequest, answer
from .sparqlgate import QueryInfo, inspect_query
from .stats import Stats, compute_stats

__all__ = [
    "Answer",
    "Executor",
    "InlineExecutor",
    "NamedQuery",
    "ProcessExecutor",
    "QueryInfo",
    "SparqlRequest",
    "Stats",
    "answer",
    "compute_stats",
    "inspect_query",
    "list_queries",
    "resolve_query",
    "run_query",
]
