"""Regression tests for the endpoint's second security pass (issue 13, sections 1-3) and the
prefixes every query may use (issue 16). Memory and starvation tests are bounded in time and size,
and run on loopback only."""

from __future__ import annotations

import ctypes
import errno
import json
import logging
import multiprocessing
import platform
import struct
import subprocess
import sys
import threading
from urllib.parse import quote

import pytest

from legiongraph import Config
from legiongraph.errors import (
    MemoryLimitHit,
    QueryError,
    RateLimited,
    ServerBusy,
    StoreError,
    http_status_for,
)
from legiongraph.formats import RESULT_FORMATS
from legiongraph.query.executor import ProcessExecutor, _worker_main
from legiongraph.query.ratelimit import ClientLimiter, client_key
from legiongraph.query.seccomp import _SECCOMP_ARCH, FilterUnavailable, _program
from legiongraph.query.service import prepare, request_for
from legiongraph.query.sparqlgate import inspect_query
from legiongraph.web import create_app
from loopback import Listener, request
from test_federation import linked_store  # noqa: F401 - a fixture

JSON = RESULT_FORMATS[0]
QUERY = "application/sparql-query"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
FAST = "SELECT (COUNT(*) AS ?n) WHERE { ?c a <https://schema.org/Country> }"
# The payload: rdflib expands \u0022 to a quote before parsing, and so read the SERVICE
# clause as the inside of a string; Oxigraph reads two one-character strings and runs the SERVICE.
BYPASS = ('SELECT ?x WHERE {{ BIND("\\u0022" AS ?a) SERVICE <{url}> {{ ?x ?y ?z }} '
          'BIND("\\u0022" AS ?b) }}')
# 16 bytes doubled 26 times: a 1 GiB string, 2 GiB with the intermediate ones, from a 1 KB query.
BOMB = ('SELECT (STRLEN(?x26) AS ?n) WHERE { BIND("aaaaaaaaaaaaaaaa" AS ?x0) '
        + " ".join(f"BIND(CONCAT(?x{i}, ?x{i}) AS ?x{i + 1})" for i in range(26)) + " }")


def q(text: str) -> str:
    return quote(text, safe="")


# -- section 1: the gate reads what the engine runs; the kernel filter is on in every worker -------

@pytest.fixture(scope="module")
def allow_listed(served_config):
    """`serve` as it runs (waitress, query workers) with one loopback endpoint allow-listed, and
    another loopback listener that is not."""
    from serving import serve_in_thread

    allowed, other = Listener(), Listener()
    config = served_config.replace(service_allowlist=(allowed.url,), workers=2, query_timeout=20)
    executor = ProcessExecutor(config, workers=2, timeout=20)
    base, stop = serve_in_thread(create_app(config, executor=executor), threads=4)
    yield base, allowed, other
    stop()
    executor.close()
    allowed.close()
    other.close()


def test_unicode_escape_service_bypass_is_refused_through_a_served_endpoint_with_an_allow_list(
        allow_listed):
    base, allowed, other = allow_listed
    before = (other.connections, allowed.connections)
    for target in (other, allowed):
        text = BYPASS.format(url=target.url)
        status, _, body = request(base, "POST", "/sparql", body=text.encode(),
                                  headers={"Content-Type": QUERY})
        assert (status, body) == (400, "a \\uXXXX escape at line 1 in a query that may call a "
                                       "SERVICE: write the character itself (such queries are "
                                       "read by two parsers that expand escapes differently)\n")
    assert (other.connections, allowed.connections) == before


def test_an_allow_listed_service_goes_out_through_the_servers_relay_and_no_other(allow_listed):
    base, allowed, other = allow_listed
    before = allowed.connections
    text = f"SELECT ?x WHERE {{ SERVICE <{allowed.url}> {{ ?x ?y ?z }} }}"
    status, _, body = request(base, "GET", f"/sparql?query={q(text)}&format=csv")
    assert (status, body) == (200, "x\r\nfrom the remote endpoint\r\n")
    assert allowed.connections == before + 1
    text = f"SELECT ?x WHERE {{ SERVICE <{other.url}> {{ ?x ?y ?z }} }}"
    status, _, body = request(base, "GET", f"/sparql?query={q(text)}")
    assert status == 400 and body.startswith(f"SERVICE <{other.url}> is refused:")
    assert other.connections == 0


def test_unicode_escape_outside_strings_is_refused_naming_line_and_column():
    with pytest.raises(QueryError, match=r"^a \\uXXXX escape outside a string or IRI at line 2, "
                                         r"column 3: SPARQL reads such escapes only inside strings"):
        inspect_query("SELECT * WHERE {\n  \\u0053ERVICE <http://x/> { ?s ?p ?o } }")


def test_unicode_escape_inside_a_string_is_read_as_oxigraph_reads_it():
    info = inspect_query('SELECT ?a WHERE { BIND("\\u0022" AS ?a) }')
    assert (info.form, info.services) == ("SELECT", ())


def test_a_service_in_a_comment_on_its_own_line_needs_no_full_parse_but_one_in_code_is_seen():
    assert inspect_query("# SERVICE <http://x/> {}\nASK {}").services == ()
    assert inspect_query("ASK { SERVICE <http://x/> { ?s ?p ?o } }").services == ("http://x/",)
    assert inspect_query("ASK { sErViCe silent <http://x/> { ?s ?p ?o } }").services == ("http://x/",)


def test_a_remembered_gate_verdict_is_the_gates_own_and_refusals_are_never_remembered():
    # The gate keeps its verdicts per text and base IRI (texts up to 8 KiB): a query asked again
    # gets the verdict a fresh read gives, a refused one is refused every time, and a long text
    # is read afresh each time.
    service = "ASK { SERVICE <http://x/> { ?s ?p ?o } }"
    assert inspect_query(service) is inspect_query(service)
    assert inspect_query(service) == inspect_query.__wrapped__(service, None)
    for _ in range(2):
        with pytest.raises(QueryError, match="escape outside a string or IRI at line 2"):
            inspect_query("SELECT * WHERE {\n  \\u0053ERVICE <http://x/> { ?s ?p ?o } }")
    long = "ASK { SERVICE <http://x/> { ?s ?p ?o } }" + "\n# padding" * 1000
    assert inspect_query(long) is not inspect_query(long)
    assert inspect_query(long).services == ("http://x/",)
    with pytest.raises(QueryError, match="unknown prefix nope:"):
        inspect_query("ASK { ?s nope:p ?o }" + "\n# padding" * 1000)


def _run_bpf(program: bytes, nr: int, arch: int, arg0: int = 0) -> int:
    """Run a classic BPF seccomp program on one seccomp_data record; return its verdict."""
    data = struct.pack("<iIQ6Q", nr, arch, 0, arg0, 0, 0, 0, 0, 0)
    ops = [struct.unpack("HBBI", program[i:i + 8]) for i in range(0, len(program), 8)]
    acc, pc = 0, 0
    while True:
        code, jt, jf, k = ops[pc]
        if code == 0x20:
            acc = struct.unpack_from("<I", data, k)[0]
        elif code == 0x15:
            pc += jt if acc == k else jf
        elif code == 0x35:
            pc += jt if acc >= k else jf
        elif code == 0x06:
            return k
        pc += 1


@pytest.mark.parametrize("machine", sorted(_SECCOMP_ARCH))
def test_the_socket_filter_denies_ip_sockets_foreign_abis_x32_and_io_uring(machine):
    arch, socket_nr, io_uring_nr, _ = _SECCOMP_ARCH[machine]
    program = _program(arch, socket_nr, io_uring_nr)
    deny, allow = 0x00050000 | errno.EACCES, 0x7FFF0000
    assert _run_bpf(program, socket_nr, arch, 2) == deny        # AF_INET
    assert _run_bpf(program, socket_nr, arch, 10) == deny       # AF_INET6
    assert _run_bpf(program, socket_nr, arch, 1) == allow       # AF_UNIX
    assert _run_bpf(program, io_uring_nr, arch) == deny
    assert _run_bpf(program, socket_nr | 0x40000000, arch, 1) == deny  # x32
    assert _run_bpf(program, 102, 0x40000003, 2) == deny       # i386 socketcall
    assert _run_bpf(program, 0, arch) == allow                   # read()
    # A worker of the sparql store keeps IP sockets, and nothing else changes.
    remote = _program(arch, None, io_uring_nr)
    assert _run_bpf(remote, socket_nr, arch, 2) == allow
    assert _run_bpf(remote, io_uring_nr, arch) == deny
    assert _run_bpf(remote, 102, 0x40000003, 2) == deny
    assert _run_bpf(remote, socket_nr | 0x40000000, arch, 1) == deny


def _filtered_child(conn) -> None:
    from legiongraph.query.seccomp import deny_ip_sockets

    deny_ip_sockets()
    results = {}
    import socket

    for name, family in (("inet", socket.AF_INET), ("inet6", socket.AF_INET6), ("unix", socket.AF_UNIX)):
        try:
            socket.socket(family).close()
            results[name] = 0
        except OSError as exc:
            results[name] = exc.errno
    libc = ctypes.CDLL(None, use_errno=True)
    params = ctypes.create_string_buffer(120)
    libc.syscall(_SECCOMP_ARCH[platform.machine()][2], 4, params)
    results["io_uring"] = ctypes.get_errno()
    conn.send(results)


@pytest.mark.skipif(platform.machine() not in _SECCOMP_ARCH or not sys.platform.startswith("linux"),
                    reason="the seccomp filter is for Linux on x86_64 and aarch64")
def test_the_kernel_refuses_ip_sockets_and_io_uring_once_the_filter_is_on():
    ctx = multiprocessing.get_context("forkserver")
    parent, child = ctx.Pipe()
    process = ctx.Process(target=_filtered_child, args=(child,))
    process.start()
    assert parent.poll(30)
    assert parent.recv() == {"inet": errno.EACCES, "inet6": errno.EACCES, "unix": 0,
                             "io_uring": errno.EACCES}
    process.join(timeout=10)


def test_a_worker_that_cannot_install_the_filter_refuses_to_start_and_logs_it(
        served_config, monkeypatch, caplog):
    import legiongraph.query.executor as executor_module

    def unavailable(ip_sockets: bool = False) -> None:
        raise FilterUnavailable("seccomp(SET_MODE_FILTER) failed: EINVAL")

    monkeypatch.setattr(executor_module, "deny_ip_sockets", unavailable)
    parent, child = multiprocessing.Pipe()
    with caplog.at_level(logging.ERROR, logger="legiongraph.query.executor"):
        _worker_main(served_config, child)  # returns at once: it never serves
    status, error = parent.recv()
    message = ("the query worker refuses to start: the kernel socket filter could not be installed "
               "(seccomp(SET_MODE_FILTER) failed: EINVAL)")
    assert (status, type(error), str(error)) == ("error", StoreError, message)
    assert message in caplog.text


# -- section 2: memory per worker ------------------------------------------------------------------

def test_memory_bomb_query_gets_503_naming_the_limit_and_its_worker_is_replaced(served_config):
    config = served_config.replace(max_worker_memory=256 * 1024 ** 2)
    executor = ProcessExecutor(config, workers=1, timeout=60)
    try:
        before = executor.pids
        with pytest.raises(MemoryLimitHit) as caught:
            executor.run(prepare(BOMB, result_format=JSON))
        assert str(caught.value) == ("the query went past the memory limit of a query worker "
                                     "(256 MiB, setting max_worker_memory) and was stopped; try a "
                                     "smaller query")
        assert http_status_for(caught.value) == 503
        assert caught.value.retry_after == 5
        assert executor.pids != before and len(executor.pids) == 1
        answer = executor.run(prepare(FAST, result_format=JSON))
        assert json.loads(answer.body)["results"]["bindings"][0]["n"]["value"] == "249"
    finally:
        executor.close()


def test_max_worker_memory_has_a_sane_default_and_refuses_a_tiny_value():
    from legiongraph.errors import ConfigError

    assert Config().max_worker_memory == 2 * 1024 ** 3
    with pytest.raises(ConfigError, match=r"^max_worker_memory: expected at least 67108864 bytes"):
        Config(max_worker_memory=1000)


# -- section 3: one client must not starve the others --------------------------------------------

def test_default_workers_exceed_the_per_client_limit():
    config = Config()
    assert config.workers >= 3
    assert config.workers > config.client_concurrency


def test_no_free_worker_answers_503_with_retry_after_at_once(served_config):
    executor = ProcessExecutor(served_config, workers=1, timeout=20)
    outcome: dict = {}

    def slow() -> None:
        try:
            executor.run(prepare(SLOW, result_format=JSON))
        except Exception as exc:  # the slow query ends at its time limit
            outcome["slow"] = exc

    thread = threading.Thread(target=slow)
    try:
        thread.start()
        while executor._idle.qsize():
            threading.Event().wait(0.01)
        with pytest.raises(ServerBusy) as caught:
            executor.run(prepare(FAST, result_format=JSON))
        assert str(caught.value) == "all 1 query workers are busy; try again in a moment"
        assert (http_status_for(caught.value), caught.value.retry_after) == (503, 1)
        assert "slow" not in outcome  # refused while the slow one still ran: nothing queued
    finally:
        executor.close()
        thread.join(timeout=30)


def test_sparql_requests_in_progress_are_capped_so_pages_keep_server_threads():
    limiter = ClientLimiter(per_client=2, total=3)
    with limiter.slot("10.0.0.1"), limiter.slot("10.0.0.2"), limiter.slot("10.0.0.3"):
        busy = r"^the server is running as many queries as it takes at once \(3\); try again in a moment$"
        with pytest.raises(ServerBusy, match=busy), limiter.slot("10.0.0.4"):
            pass
        assert limiter.in_progress() == 3
    assert limiter.in_progress() == 0


def test_ipv6_clients_in_one_64_share_the_per_client_limit():
    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:bbbb::2") == "2001:db8:1:2::/64"
    assert client_key("2001:db8:1:3::1") == "2001:db8:1:3::/64"
    assert client_key("::ffff:192.0.2.7") == client_key("192.0.2.7") == "192.0.2.7"
    limiter = ClientLimiter(per_client=1)
    with limiter.slot("2001:db8:1:2::10"):
        with pytest.raises(RateLimited), limiter.slot("2001:db8:1:2:ffff::99"):
            pass
        with limiter.slot("2001:db8:1:3::10"):  # another /64 is another client
            assert limiter.running("2001:db8:1:2::1") == 1


def test_a_page_is_served_while_every_worker_is_busy(served_config):
    from serving import serve_in_thread

    config = served_config.replace(workers=2, query_timeout=8, client_concurrency=1)
    executor = ProcessExecutor(config, workers=2, timeout=8)
    base, stop = serve_in_thread(create_app(config, executor=executor), threads=4)
    threads = [threading.Thread(target=request, args=(base, "GET", f"/sparql?query={q(SLOW)}"),
                                kwargs={"source": f"127.0.0.{n}", "timeout": 30}) for n in (2, 3)]
    try:
        for t in threads:
            t.start()
        while executor._idle.qsize():
            threading.Event().wait(0.01)
        status, headers, body = request(base, "GET", f"/sparql?query={q(FAST)}", source="127.0.0.4")
        assert status == 503 and headers["retry-after"] == "1"
        assert body in ("all 2 query workers are busy; try again in a moment\n",
                        "the server is running as many queries as it takes at once (2); try again "
                        "in a moment\n")
        page = request(base, "GET", "/static/legiongraph.css", source="127.0.0.5", timeout=10)
        assert page[0] == 200 and "{" in page[2]
    finally:
        for t in threads:
            t.join(timeout=30)
        stop()
        executor.close()


# -- issue 16: the project's prefixes, declared for every query ----------------------------------

def test_a_query_using_a_project_prefix_without_a_prefix_line_runs_at_the_endpoint(client):
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?c a schema:Country }"
    r = client.get(f"/sparql?query={q(text)}&format=csv")
    assert (r.status_code, r.get_data(as_text=True)) == (200, "n\r\n249\r\n")


def test_an_unknown_prefix_is_named_at_the_endpoint_not_a_grammar_dump(client):
    r = client.get(f"/sparql?query={q('SELECT * WHERE { ?s foo:bar ?o }')}")
    assert r.status_code == 400
    assert r.get_data(as_text=True).startswith(
        "unknown prefix foo: add PREFIX foo: <...> at the top of the query (declared for every "
        "query: dcterms, lg, lgg, lgid, lgv, org, owl, prov, qb, rdf, rdfs, schema,")


def test_an_unknown_prefix_is_named_by_the_cli(served_config):
    run = subprocess.run([sys.executable, "-m", "legiongraph", "--store-path",
                          str(served_config.store_path), "query", "-"],
                         input="SELECT * WHERE { ?s foo:bar ?o }", capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 2
    assert run.stderr.startswith("legiongraph: unknown prefix foo: add PREFIX foo: <...>")


def test_the_cli_declares_the_project_prefixes(served_config):
    run = subprocess.run([sys.executable, "-m", "legiongraph", "--store-path",
                          str(served_config.store_path), "query", "--format", "csv", "-"],
                         input="SELECT (COUNT(*) AS ?n) WHERE { ?c a schema:Country }",
                         capture_output=True, text=True, timeout=120)
    assert (run.returncode, run.stdout.split()) == (0, ["n", "249"])


def test_the_service_description_lists_the_declared_prefixes(client):
    from rdflib import Graph, Literal, Namespace

    sh = Namespace("http://www.w3.org/ns/shacl#")
    r = client.get("/sparql", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=r.get_data(as_text=True), format="turtle")
    declared = {str(graph.value(d, sh.prefix)): str(graph.value(d, sh.namespace))
                for d in graph.objects(None, sh.declare)}
    assert declared["schema"] == "https://schema.org/"
    assert declared["lg"] == "https://w3id.org/legiongraph/ontology#"
    assert Literal("wd") in set(graph.objects(None, sh.prefix))


def test_request_for_is_unparsed_until_the_worker():
    assert request_for("SELECT * WHERE { ?s foo:bar ?o }").info is None


def test_the_relay_gives_the_federated_query_its_golden_answer(linked_store, wikidata_standin):  # noqa: F811
    """The VALUES block the relay puts in a SERVICE clause's place answers as Oxigraph's own
    SERVICE client did: the federated named query still matches its golden file."""
    from legiongraph.query.servicerelay import fetch_service, rewrite_services
    from legiongraph.query.sparqlgate import PREDECLARED
    from test_federation import WIKIDATA
    from test_queries import FEDERATED, GOLDEN, render

    calls: list[str] = []

    def fetch(endpoint: str, text: str) -> bytes:
        calls.append(endpoint)
        return fetch_service(endpoint, text, (wikidata_standin,), 30)

    for query in FEDERATED:
        local = query.text.replace(f"<{WIKIDATA}>", f"<{wikidata_standin}>")
        calls.clear()
        rewritten = rewrite_services(local, PREDECLARED, fetch)
        assert calls == [wikidata_standin]
        assert inspect_query(rewritten).services == ()
        golden = (GOLDEN / f"{query.name}.tsv").read_text(encoding="utf-8")
        assert render(linked_store.query(rewritten)) == golden


def test_serve_refuses_no_more_threads_than_workers_so_pages_keep_threads():
    run = subprocess.run([sys.executable, "-m", "legiongraph", "serve", "--threads", "3"],
                         capture_output=True, text=True, timeout=120)
    assert (run.returncode, run.stderr) == (
        2, "legiongraph: --threads: expected more server threads than query workers (3), got 3\n")
