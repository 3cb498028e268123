"""From files to a built store, and changes to it: load, stage, reason, validate, swap; ingest and
retract; the activity log and the public profile. The only code that writes a store."""

from __future__ import annotations

from .build import BuildResult, build, check, compile_dataset
from .ingest import ingest, retract
from .loading import load_dataset, load_files
from .privacy import is_public, public_view
from .sourcelist import SourceInfo, list_sources

__all__ = [
    "BuildResult",
    "SourceInfo",
    "build",
    "check",
    "compile_dataset",
    "ingest",
    "is_public",
    "list_sources",
    "load_dataset",
    "load_files",
    "public_view",
    "retract",
]
