"""Progress lines for long work: shown on a terminal, silent in pipes and CI."""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """Print timed steps to a terminal; do nothing when the stream is not one."""

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.enabled = enabled
        self._start = time.monotonic()

    def step(self, message: str) -> None:
        """Report that a step starts."""
        if self.enabled:
            elapsed = time.monotonic() - self._start
            print(f"[{elapsed:6.1f}s] {message}", file=self.stream, flush=True)


QUIET = Progress(enabled=False)
