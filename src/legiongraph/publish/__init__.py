"""What leaves the store: deterministic exports, archives and their descriptions, the Service
Description and VoID, and what pages show of a resource, the ontology and the search index."""

from __future__ import annotations

from .archive import VerifyResult, make_archive, verify_archive
from .describe import ResourceDescription, describe_resource
from .export import ExportFormat, export_format, write_output
from .search import SearchIndex
from .searchfile import build_index
from .servicedesc import service_description

__all__ = [
    "ExportFormat",
    "ResourceDescription",
    "SearchIndex",
    "VerifyResult",
    "build_index",
    "describe_resource",
    "export_format",
    "make_archive",
    "service_description",
    "verify_archive",
    "write_output",
]
