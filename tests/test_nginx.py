"""deploy/nginx/legiongraph.conf in front of `legiongraph serve`, both on loopback (issue #13, s4).

The shipped file is used as it is, but for its two ports, its listen address and (so that a
test need not wait 10 s) the header and body timeouts, which are checked in the file itself.
Client addresses are told apart by binding the client sockets to 127.0.0.x.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest

NGINX = Path("/usr/sbin/nginx")
PROFILE = Path(__file__).resolve().parents[1] / "deploy" / "nginx" / "legiongraph.conf"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"

pytestmark = pytest.mark.skipif(not NGINX.exists(), reason="/usr/sbin/nginx is missing: apt-get install "
                                "nginx (Debian); .ci/run installs it before `make test`")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(port: int, raw: bytes, source: str = "127.0.0.1", timeout: float = 30) -> bytes:
    """Send one raw HTTP/1.1 request (Connection: close) and return the whole answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(source, 0)) as sock:
        sock.sendall(raw)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _get(port: int, path: str, source: str = "127.0.0.1", extra: str = "") -> bytes:
    return _request(port, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}Connection: close\r\n\r\n"
                    .encode(), source)


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0


def test_shipped_profile_sets_the_slow_client_and_per_address_limits():
    text = PROFILE.read_text()
    for directive in ("client_header_timeout 10s;", "client_body_timeout 10s;", "client_max_body_size 256k;",
                      "limit_conn lg_conn 10;", "limit_req zone=lg_req burst=20 nodelay;",
                      "proxy_set_header X-Forwarded-For $remote_addr;", "server 127.0.0.1:8000;"):
        assert directive in text


@pytest.fixture(scope="module")
def proxied(served_config, tmp_path_factory):
    """`legiongraph serve` trusting 127.0.0.1 as its proxy, nginx with the shipped profile in front."""
    tmp = tmp_path_factory.mktemp("nginx")
    app_port, proxy_port = _free_port(), _free_port()
    env = {**os.environ, "LEGIONGRAPH_STORE_PATH": str(served_config.store_path),
           "LEGIONGRAPH_QUERY_TIMEOUT": "4", "LEGIONGRAPH_WORKERS": "3",
           "LEGIONGRAPH_CLIENT_CONCURRENCY": "2", "LEGIONGRAPH_TRUSTED_PROXIES": "127.0.0.1"}
    app = subprocess.Popen([sys.executable, "-m", "legiongraph", "serve", "--port", str(app_port)],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           start_new_session=True)
    site = PROFILE.read_text()
    site = site.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{proxy_port};").replace("listen [::]:80;", "")
    site = re.sub(r"client_(header|body)_timeout 10s;", r"client_\1_timeout 2s;", site)
    (tmp / "legiongraph.conf").write_text(site)
    temp = "".join(f"{kind}_temp_path {tmp / kind};\n" for kind in
                   ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (tmp / "nginx.conf").write_text(
        f"daemon off;\nworker_processes 1;\npid {tmp / 'nginx.pid'};\nerror_log {tmp / 'error.log'};\n"
        f"events {{ worker_connections 256; }}\n"
        f"http {{\naccess_log off;\n{temp}include {tmp / 'legiongraph.conf'};\n}}\n")
    os.chmod(tmp, 0o755)  # nginx's workers may run as nobody
    proxy = subprocess.Popen([str(NGINX), "-p", str(tmp), "-c", str(tmp / "nginx.conf"),
                              "-e", str(tmp / "error.log")],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             start_new_session=True)
    deadline = time.monotonic() + 60
    # wait for legiongraph itself first: polling through nginx would spend the address's requests
    while time.monotonic() < deadline:
        try:
            if _status(_get(app_port, "/static/legiongraph.css")) == 200 and \
                    _status(_get(proxy_port, "/static/legiongraph.css", source="127.0.0.8")) == 200:
                break
        except OSError:
            pass
        time.sleep(0.3)
    else:
        for proc in (proxy, app):
            proc.kill()
        pytest.fail("nginx or legiongraph serve did not start: " + proxy.communicate()[0] +
                    app.communicate()[0] + (tmp / "error.log").read_text())
    yield proxy_port
    for proc in (proxy, app):
        os.killpg(proc.pid, signal.SIGTERM)
        proc.communicate(timeout=10)


def test_nginx_answers_through_to_legiongraph(proxied):
    answer = _get(proxied, f"/sparql?query={quote('ASK {}')}", source="127.0.0.7",
                  extra="Accept: application/sparql-results+json\r\n")
    assert _status(answer) == 200 and re.search(rb'"boolean": ?true', answer)
    assert b"Server: nginx\r\n" in answer  # server_tokens off: no version


def test_nginx_refuses_a_large_body_before_it_is_sent(proxied):
    answer = _request(proxied, b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                               b"Content-Type: application/sparql-query\r\nContent-Length: 200000000\r\n\r\n")
    assert _status(answer) == 413


def test_nginx_closes_a_connection_trickling_headers(proxied):
    with socket.create_connection(("127.0.0.1", proxied), timeout=20) as sock:
        sock.sendall(b"GET /sparql HTTP/1.1\r\n")
        started = time.monotonic()
        data = sock.recv(1024)
        assert data == b"" or _status(data) == 408
        assert time.monotonic() - started < 10


def test_nginx_limits_requests_per_address(proxied):
    statuses = [_status(_get(proxied, "/static/legiongraph.css", source="127.0.0.5")) for _ in range(40)]
    assert 429 in statuses and statuses[0] == 200
    assert _status(_get(proxied, "/static/legiongraph.css", source="127.0.0.6")) == 200


def test_per_client_limit_behind_nginx_sees_the_real_client_address(proxied):
    """Two slow queries from 127.0.0.2 fill its two slots: its third gets legiongraph's 429, a
    client at 127.0.0.3 is still answered (legiongraph would see one client, the proxy, without
    trusted_proxies), and a forged X-Forwarded-For does not borrow another client's slots."""
    slow = f"/sparql?query={quote(SLOW)}"
    results: list[bytes] = []
    threads = [threading.Thread(target=lambda: results.append(_get(proxied, slow, source="127.0.0.2")))
               for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    try:
        third = _get(proxied, f"/sparql?query={quote('ASK {}')}", source="127.0.0.2",
                     extra="X-Forwarded-For: 127.0.0.9\r\n")
        other = _get(proxied, f"/sparql?query={quote('ASK {}')}", source="127.0.0.3")
    finally:
        for thread in threads:
            thread.join(timeout=30)
    assert _status(third) == 429 and b"too many queries at once from this client" in third
    assert _status(other) == 200
    assert sorted(_status(r) for r in results) == [503, 503]  # the slow ones hit the time limit
