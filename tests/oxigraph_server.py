"""Oxigraph's own server (`oxigraph serve`, from the `oxigraph` test dependency) for the `sparql` store.

A light second engine beside Virtuoso, so that the remote back end is shown to be engine-agnostic:
each test session starts one read-write server with its store in a temporary folder, on a free
loopback port, and kills it at the end. It has SPARQL 1.1 Query at /query, Update at /update and
the Graph Store Protocol at /store.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from legiongraph import Config
from virtuoso import _answers, _death_signal, _free_port

START_TIMEOUT = 30.0


def oxigraph_executable() -> str:
    """Return the `oxigraph` command installed beside this Python (the test extra pins it)."""
    return str(Path(sys.executable).parent / "oxigraph")


@dataclass(frozen=True)
class OxigraphServer:
    """The URLs of a running test server."""

    base: str
    directory: Path

    def config(self, *, graph_store: bool = True, **changes: Any) -> Config:
        """Return a legiongraph configuration for this server."""
        return Config(store="sparql", sparql_endpoint=self.base + "/query",
                      sparql_update_endpoint=self.base + "/update",
                      sparql_graph_store=self.base + "/store" if graph_store else None
                      ).replace(**changes)


@contextlib.contextmanager
def running_oxigraph_server(directory: Path) -> Iterator[OxigraphServer]:
    """Start `oxigraph serve` on a free loopback port with its store in `directory`; kill it after."""
    directory.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    server = OxigraphServer(base=f"http://127.0.0.1:{port}", directory=directory)
    log_path = directory / "server.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [oxigraph_executable(), "serve", "--location", str(directory / "store"),
             "--bind", f"127.0.0.1:{port}"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_death_signal())
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(server.base + "/query"):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"oxigraph serve did not start at {server.base} "
                                   f"(exit {proc.poll()}):\n{log_path.read_text(errors='replace')}")
            time.sleep(0.05)
        yield server
    finally:
        proc.kill()
        proc.wait(timeout=30)
