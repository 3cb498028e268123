"""OWL 2 RL reasoning: rules compiled from the ontology and run inside the store; the entailments
go to their own graph."""

from __future__ import annotations

from .reasoner import add_inferred, infer

__all__ = ["add_inferred", "infer"]
