"""SHACL validation: one front door over a maintained engine, pySHACL as the reference."""

from __future__ import annotations

from .validation import ValidationReport, Violation, validate, validate_store

__all__ = ["ValidationReport", "Violation", "validate", "validate_store"]
