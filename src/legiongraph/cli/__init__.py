"""The ``legiongraph`` command: click commands over the library, one module per group."""

from __future__ import annotations

from .main import cli, main

__all__ = ["cli", "main"]
