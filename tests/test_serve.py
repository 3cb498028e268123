"""`legiongraph serve` as an operator starts it: waitress, worker processes, time limits."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import quote

import pytest

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 30) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


@pytest.fixture
def server(served_config):
    port = _free_port()
    env = {**os.environ, "LEGIONGRAPH_STORE_PATH": str(served_config.store_path),
           "LEGIONGRAPH_QUERY_TIMEOUT": "2", "LEGIONGRAPH_WORKERS": "2"}
    proc = subprocess.Popen([sys.executable, "-m", "legiongraph", "serve", "--port", str(port)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if _get(f"{base}/sparql?query={quote('ASK {}')}", timeout=2)[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("legiongraph serve did not start: " + proc.communicate()[0])
    yield base
    os.killpg(proc.pid, signal.SIGTERM)
    proc.communicate(timeout=10)


def test_serve_stops_a_runaway_query_instead_of_hanging(server):
    """Regression: `serve` once ran queries inline, so one slow query pinned the server for good."""
    started = time.monotonic()
    status, body = _get(f"{server}/sparql?query={quote(SLOW)}", timeout=60)
    assert status == 503
    assert body == "the query ran past the 2 s time limit and was stopped\n"
    assert time.monotonic() - started < 20
    status, body = _get(f"{server}/sparql?query={quote('ASK {}')}&format=json")
    assert (status, body.replace(" ", "").replace("\n", "")) == (200, '{"head":{},"boolean":true}')


def test_serve_binds_to_loopback_by_default(server):
    assert server.startswith("http://127.0.0.1:")
    status, body = _get(f"{server}/")
    assert status == 200
    assert "YASGUI" in body or "yasgui" in body
