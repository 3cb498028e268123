"""A public endpoint that cannot be abused: one test per case of the security model (README).

Where a query could reach out, a loopback listener started by the test counts connections, and the
test asserts it received none.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from rdflib import Dataset, Literal, URIRef

from legiongraph import Config, MemoryStore, OxigraphStore
from legiongraph.errors import OutboundRefused, QueryError, QueryTimeout
from legiongraph.formats import RESULT_FORMATS
from legiongraph.query.executor import InlineExecutor, ProcessExecutor
from legiongraph.query.guard import Blocked, GuardPolicy, policy_for, scope
from legiongraph.query.service import SparqlRequest
from legiongraph.query.sparqlgate import inspect_query
from legiongraph.stores.results import QueryResult
from legiongraph.web import create_app
from loopback import Listener, request

JSON = RESULT_FORMATS[0]
QUERY = "application/sparql-query"
READ_ONLY = "this endpoint is read-only: SPARQL Update is not accepted\n"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
FAST = "SELECT (COUNT(*) AS ?n) WHERE { ?c a <https://schema.org/Country> }"
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
E = "http://example.org/"


def q(text: str) -> str:
    return quote(text, safe="")


def refused(url: str) -> str:
    return (f"SERVICE <{url}> is refused: this endpoint does not send queries to other servers "
            "(allow-listed endpoints: none are allowed)\n")


@pytest.fixture(scope="module")
def sink():
    """A loopback listener nothing should ever connect to."""
    listener = Listener()
    yield listener
    assert listener.connections == 0, "a query reached the loopback listener"
    listener.close()


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """Twenty triples in one named graph, in both store back ends, on disk."""
    ds = Dataset()
    graph = ds.graph(URIRef(E + "graph"))
    for i in range(20):
        graph.add((URIRef(f"{E}s{i:02d}"), URIRef(E + "p"), Literal(f"value number {i}")))
    root = tmp_path_factory.mktemp("small")
    stores = {}
    ox_store = OxigraphStore(root / "oxigraph", read_only=False)
    ox_store.replace_all(ds)
    stores["oxigraph"] = ox_store
    mem = MemoryStore(root / "memory", read_only=False)
    mem.replace_all(ds)
    stores["memory"] = mem
    return stores


def _client(small, kind: str, **settings):
    store = small[kind]
    config = Config(store=kind, store_path=store.path, **settings)
    app = create_app(config, store=store)
    return app.test_client()


@pytest.fixture(scope="module", params=["oxigraph", "memory"])
def kind(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def client(small, kind):
    return _client(small, kind)


def _count(client) -> int:
    r = client.get(f"/sparql?query={q(COUNT_ALL)}")
    assert r.status_code == 200
    return int(json.loads(r.get_data())["results"]["bindings"][0]["n"]["value"])


# -- no outbound request: the query gate -----------------------------------------------------------

def test_service_is_refused_with_400(client, sink):
    r = client.get(f"/sparql?query={q(f'SELECT * WHERE {{ SERVICE <{sink.url}> {{ ?s ?p ?o }} }}')}")
    assert (r.status_code, r.get_data(as_text=True)) == (400, refused(sink.url))
    assert sink.connections == 0


def test_lower_case_service_silent_nested_in_optional_is_caught(client, sink):
    text = f"select * {{ ?s ?p ?o optional {{ service silent <{sink.url}> {{ ?s ?p ?x }} }} }}"
    r = client.post("/sparql", data={"query": text})
    assert (r.status_code, r.get_data(as_text=True)) == (400, refused(sink.url))
    assert sink.connections == 0


@pytest.mark.parametrize("pattern", [
    "FILTER EXISTS {{ SERVICE <{u}> {{ ?s ?p ?o }} }}",
    "FILTER NOT EXISTS {{ OPTIONAL {{ SERVICE SILENT <{u}> {{}} }} }}",
    "MINUS {{ SERVICE <{u}> {{ ?s ?p ?o }} }}",
    "{{ SELECT * {{ SERVICE <{u}> {{ ?s ?p ?o }} }} }}",
    "GRAPH ?g {{ {{ ?s ?p ?o }} UNION {{ SERVICE <{u}> {{}} }} }}",
    "BIND(EXISTS {{ SERVICE <{u}> {{}} }} AS ?x)",
])
def test_service_anywhere_in_the_query_is_caught(client, sink, pattern):
    text = "SELECT * { ?s ?p ?o " + pattern.format(u=sink.url) + " }"
    r = client.post("/sparql", data=text, content_type=QUERY)
    assert (r.status_code, r.get_data(as_text=True)) == (400, refused(sink.url))
    assert sink.connections == 0


@pytest.mark.parametrize("end", ["\r", "\r\n", "\n"])
def test_a_comment_ends_where_the_engine_ends_it(client, sink, end):
    """Regression (found by the fuzz tests): rdflib ended a comment only at LF, Oxigraph at CR too,
    so a SERVICE after '# c<CR>' was invisible to the gate and Oxigraph called it."""
    text = f"SELECT * WHERE {{ # c{end}SERVICE <{sink.url}> {{}}\n# more\n }}"
    r = client.post("/sparql", data=text.encode(), content_type=QUERY)
    assert (r.status_code, r.get_data(as_text=True)) == (400, refused(sink.url))
    assert sink.connections == 0


def test_service_behind_a_prefix_or_base_is_caught(client, sink):
    text = f"PREFIX x: <http://127.0.0.1:{sink.port}/> SELECT * {{ SERVICE x:sparql {{ ?s ?p ?o }} }}"
    r = client.get(f"/sparql?query={q(text)}")
    assert (r.status_code, r.get_data(as_text=True)) == (400, refused(sink.url))
    text = f"BASE <http://127.0.0.1:{sink.port}/> SELECT * {{ SERVICE <sparql> {{ ?s ?p ?o }} }}"
    r = client.get(f"/sparql?query={q(text)}")
    assert (r.status_code, r.get_data(as_text=True)) == (400, refused(sink.url))
    assert sink.connections == 0


def test_the_word_service_inside_a_literal_is_not_a_service(client, sink):
    text = f'SELECT ?x WHERE {{ BIND("SERVICE <{sink.url}> {{ ?s ?p ?o }}" AS ?x) }}'
    r = client.get(f"/sparql?query={q(text)}")
    assert r.status_code == 200
    assert json.loads(r.get_data())["results"]["bindings"] == [
        {"x": {"type": "literal", "value": f"SERVICE <{sink.url}> {{ ?s ?p ?o }}"}}]
    assert sink.connections == 0


def test_service_with_a_variable_endpoint_is_refused(client, sink):
    text = f"SELECT * {{ VALUES ?e {{ <{sink.url}> }} SERVICE ?e {{ ?s ?p ?o }} }}"
    r = client.get(f"/sparql?query={q(text)}")
    assert r.status_code == 400
    assert r.get_data(as_text=True) == (
        "SERVICE ?e is refused: this endpoint sends queries only to allow-listed endpoints, "
        "named by IRI, never by a variable\n")
    assert sink.connections == 0


def test_an_allow_listed_service_is_called(small, kind):
    """The allow-list works end to end, through both layers (for the memory store, rdflib's HTTP
    call passes the audit hook because its host and port are allowed)."""
    remote = Listener()
    try:
        client = _client(small, kind, service_allowlist=(remote.url,))
        r = client.get(f"/sparql?query={q(f'SELECT ?x WHERE {{ SERVICE <{remote.url}> {{ ?x ?y ?z }} }}')}")
        assert r.status_code == 200, r.get_data(as_text=True)
        assert [b["x"]["value"] for b in json.loads(r.get_data())["results"]["bindings"]] == [
            "from the remote endpoint"]
        assert remote.connections == 1
        other = Listener()
        r = client.get(f"/sparql?query={q(f'ASK {{ SERVICE <{other.url}> {{ ?x ?y ?z }} }}')}")
        assert r.status_code == 400
        assert r.get_data(as_text=True) == (
            f"SERVICE <{other.url}> is refused: this endpoint does not send queries to other servers "
            f"(allow-listed endpoints: <{remote.url}>)\n")
        assert other.connections == 0
        other.close()
    finally:
        remote.close()


@pytest.mark.parametrize("dataset", ["FROM <{u}>", "FROM NAMED <{u}>", "FROM <file:///etc/passwd>",
                                     "FROM <../../../../etc/passwd>", "FROM NAMED <file:///etc/hostname>"])
def test_from_and_from_named_never_fetch_or_open_anything(client, sink, dataset):
    text = "SELECT * " + dataset.format(u=sink.url) + " WHERE { GRAPH ?g { ?s ?p ?o } }"
    r = client.get(f"/sparql?query={q(text)}")
    # Under the guard, any fetch or file read would have turned this into a 400.
    assert r.status_code == 200, r.get_data(as_text=True)
    assert json.loads(r.get_data())["results"]["bindings"] == []
    assert sink.connections == 0


def test_protocol_dataset_never_fetches(client, sink):
    r = client.get(f"/sparql?query={q('SELECT * { ?s ?p ?o }')}&default-graph-uri={q(sink.url)}"
                   f"&named-graph-uri={q('file:///etc/passwd')}")
    assert r.status_code == 200
    assert json.loads(r.get_data())["results"]["bindings"] == []
    assert sink.connections == 0


# -- read-only whatever the request ---------------------------------------------------------------

UPDATES = ["LOAD <{u}>", "LOAD SILENT <{u}> INTO GRAPH <http://example.org/g>", "CLEAR ALL",
           "DROP ALL", "insert data {{ <http://e/s> <http://e/p> <http://e/o> }}",
           "DELETE WHERE {{ ?s ?p ?o }}"]
ROUTES = ["get-query", "get-update", "form-query", "form-update", "form-UPDATE", "form-Update-with-query",
          "direct-query", "direct-update", "direct-query-update-in-url"]


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("update", UPDATES)
def test_read_only_whatever_the_request(client, sink, route, update):
    text = update.format(u=sink.url)
    before = _count(client)
    if route == "get-query":
        r = client.get(f"/sparql?query={q(text)}")
    elif route == "get-update":
        r = client.get(f"/sparql?update={q(text)}")
    elif route == "form-query":
        r = client.post("/sparql", data={"query": text})
    elif route == "form-update":
        r = client.post("/sparql", data={"update": text})
    elif route == "form-UPDATE":
        r = client.post("/sparql", data={"UPDATE": text})
    elif route == "form-Update-with-query":
        r = client.post("/sparql", data={"query": "ASK {}", "Update": text})
    elif route == "direct-query":
        r = client.post("/sparql", data=text, content_type=QUERY)
    elif route == "direct-update":
        r = client.post("/sparql", data=text, content_type="application/sparql-update")
    else:
        r = client.post(f"/sparql?update={q(text)}", data="ASK {}", content_type=QUERY)
    assert (r.status_code, r.get_data(as_text=True)) == (403, READ_ONLY)
    assert _count(client) == before == 20
    assert sink.connections == 0


# -- the second layer: the audit-hook guard -------------------------------------------------------

@pytest.fixture(scope="module")
def policy(small) -> GuardPolicy:
    return policy_for(Config(store="oxigraph", store_path=small["oxigraph"].path))


def test_guard_blocks_a_socket_connect(policy, sink):
    with scope(policy) as blocked, pytest.raises(Blocked):
        socket.create_connection(("127.0.0.1", sink.port), timeout=5)
    assert blocked == [f"the host 127.0.0.1 port {sink.port}"]
    with scope(policy) as blocked, socket.socket() as raw, pytest.raises(Blocked):
        raw.connect(("127.0.0.1", sink.port))
    assert blocked == [f"the address 127.0.0.1 port {sink.port}"]
    assert sink.connections == 0


def test_guard_blocks_urllib_and_dns(policy, sink):
    with scope(policy) as blocked, pytest.raises(Blocked):
        urllib.request.urlopen(sink.url, timeout=5)
    assert blocked == [f"the URL {sink.url}"]
    with scope(policy) as blocked, pytest.raises(Blocked):
        socket.getaddrinfo("example.org", 443)
    assert blocked == ["the host example.org port 443"]
    assert sink.connections == 0


def test_guard_blocks_opening_files_outside_allowed_folders(policy, small, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("not for queries")
    with scope(policy) as blocked, pytest.raises(Blocked):
        secret.read_text()
    assert blocked == [f"the file {secret.resolve()}"]
    with scope(policy) as blocked, pytest.raises(Blocked):
        os.open(secret, os.O_RDONLY)
    with scope(policy) as blocked, pytest.raises(Blocked):
        (small["oxigraph"].path / "planted").write_text("x")
    assert blocked == [f"the file {(small['oxigraph'].path / 'planted').resolve()} (for writing)"]
    with scope(policy) as blocked, pytest.raises(Blocked):
        os.remove(secret)
    assert secret.read_text() == "not for queries"  # outside a guarded scope files open as usual


def test_guard_blocks_a_symlink_out_of_an_allowed_folder(policy, small):
    link = small["oxigraph"].path / "link-to-passwd"
    link.symlink_to("/etc/passwd")
    try:
        with scope(policy) as blocked, pytest.raises(Blocked):
            link.read_bytes()
        assert blocked == ["the file /etc/passwd"]
    finally:
        link.unlink()


def test_guard_allows_the_store_python_and_dev_null(policy, small):
    with scope(policy) as blocked:
        (small["oxigraph"].path / "CURRENT").read_bytes()
        Path(json.__file__).read_bytes()
        Path(os.devnull).write_bytes(b"")
        Path("/proc/self/status").read_text()
    assert blocked == []


def test_guard_blocks_starting_a_program(policy):
    with scope(policy) as blocked, pytest.raises(Blocked):
        subprocess.run(["true"], check=False)
    assert blocked == ["a program (subprocess.Popen)"]


def test_guard_allows_the_configured_hosts():
    config = Config(store="memory", service_allowlist=("https://query.wikidata.org/sparql",),
                    sparql_endpoint="http://triplestore.internal:8890/sparql")
    policy = policy_for(config)
    assert policy.allows_host("query.wikidata.org", 443)
    assert policy.allows_host("triplestore.internal", 8890)
    assert not policy.allows_host("query.wikidata.org", 80)
    assert not policy.allows_host("127.0.0.1", 8890)


class _ReachingStore(MemoryStore):
    """A store whose query reaches for a file or the network, as a library bug might."""

    def __init__(self, reach, swallow: bool) -> None:
        super().__init__()
        self.reach = reach
        self.swallow = swallow

    def query(self, sparql, **kwargs) -> QueryResult:
        try:
            self.reach()
        except OSError:
            if not self.swallow:
                raise
        return QueryResult("ASK", boolean=True)


@pytest.mark.parametrize("swallow", [False, True], ids=["raising", "swallowing"])
def test_a_missed_file_read_is_refused_even_when_the_library_swallows_the_error(swallow):
    store = _ReachingStore(lambda: Path("/etc/passwd").read_bytes(), swallow)
    client = create_app(Config(store="memory"), store=store).test_client()
    r = client.get(f"/sparql?query={q('ASK {}')}")
    assert (r.status_code, r.get_data(as_text=True)) == (
        400, "the query tried to reach the file /etc/passwd; this endpoint never fetches, reads or "
             "runs anything for a query\n")


def test_a_missed_connection_is_refused_and_never_made(sink):
    store = _ReachingStore(lambda: socket.create_connection(("127.0.0.1", sink.port), timeout=5), True)
    client = create_app(Config(store="memory"), store=store).test_client()
    r = client.get(f"/sparql?query={q('ASK {}')}")
    assert r.status_code == 400
    assert r.get_data(as_text=True).startswith(
        f"the query tried to reach the host 127.0.0.1 port {sink.port};")
    assert sink.connections == 0


@pytest.fixture(scope="module")
def memory_workers(small):
    executor = ProcessExecutor(Config(store="memory", store_path=small["memory"].path),
                               workers=1, timeout=30)
    yield executor
    executor.close()


def _missed(text: str) -> SparqlRequest:
    """A request whose SERVICE the gate did not see at all, as a parser differential would."""
    from legiongraph.query.sparqlgate import QueryInfo

    return SparqlRequest(text=text, info=QueryInfo(form="SELECT"), result_format=JSON)


def _ungated(text: str) -> SparqlRequest:
    """A request that skips the SERVICE allow-list, as a gap in the gate would."""
    return SparqlRequest(text=text, info=inspect_query(text), result_format=JSON)


@pytest.mark.parametrize("keyword", ["SERVICE", "service"])
def test_worker_guard_stops_a_service_the_gate_missed(memory_workers, sink, keyword):
    """In a real query worker, rdflib's SERVICE client is stopped by the audit hook."""
    text = f"SELECT * WHERE {{ {keyword} <{sink.url}> {{ ?s ?p ?o }} }}"
    with pytest.raises(OutboundRefused, match=r"^the query tried to reach the URL " + sink.url + ";"):
        memory_workers.run(_missed(text))
    assert sink.connections == 0
    assert memory_workers.run(_ungated("ASK { ?s ?p ?o }")).body  # the worker still serves


def test_the_kernel_stops_oxigraphs_own_http_client_in_a_worker_without_network(small, sink):
    """Oxigraph's SERVICE client is Rust, invisible to the audit hook: a worker that needs no
    network (no allow-list, local store) has the kernel refuse it IP sockets (seccomp)."""
    executor = ProcessExecutor(Config(store="oxigraph", store_path=small["oxigraph"].path),
                               workers=1, timeout=30)
    try:
        refused_by_the_kernel = r"^the query failed: PermissionError: Permission denied \(os error 13\)$"
        with pytest.raises(QueryError, match=refused_by_the_kernel):
            executor.run(_missed(f"SELECT ?x WHERE {{ SERVICE <{sink.url}> {{ ?x ?y ?z }} }}"))
        assert sink.connections == 0
        assert executor.run(_ungated("ASK { ?s ?p ?o }")).body  # the worker still serves
    finally:
        executor.close()


def test_with_an_allow_list_the_kernel_still_stops_oxigraphs_http_client(small):
    """Regression (issue 13): with an allow-list set, workers used to run without the kernel
    filter, so a SERVICE the gate missed reached any host. The filter is now on in every worker:
    a SERVICE the gate did not see (here: no services recorded) reaches neither the allowed host
    nor another one, and one it did see goes through the server's relay, which lets out only the
    allow-listed endpoint."""
    allowed, other = Listener(), Listener()
    executor = ProcessExecutor(Config(store="oxigraph", store_path=small["oxigraph"].path,
                                      service_allowlist=(allowed.url,)), workers=1, timeout=30)
    try:
        for target in (other, allowed):
            with pytest.raises(QueryError, match=r"Permission denied \(os error 13\)"):
                executor.run(_missed(f"SELECT ?x WHERE {{ SERVICE <{target.url}> {{ ?x ?y ?z }} }}"))
        assert (other.connections, allowed.connections) == (0, 0)
        with pytest.raises(OutboundRefused, match=f"^SERVICE <{other.url}> is refused: not on the "
                                                  "allow-list$"):
            executor.run(_ungated(f"SELECT ?x WHERE {{ SERVICE <{other.url}> {{ ?x ?y ?z }} }}"))
        assert other.connections == 0
        answer = executor.run(_ungated(f"SELECT ?x WHERE {{ SERVICE <{allowed.url}> {{ ?x ?y ?z }} }}"))
        assert json.loads(answer.body)["results"]["bindings"][0]["x"]["value"] == "from the remote endpoint"
        assert allowed.connections == 1
    finally:
        executor.close()
        allowed.close()
        other.close()


# -- result size is capped, and says so -------------------------------------------------------------

def test_rows_past_max_rows_are_cut_and_flagged(small, kind):
    client = _client(small, kind, max_rows=5)
    r = client.get(f"/sparql?query={q('SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s')}")
    assert r.status_code == 200
    assert r.headers["X-Legiongraph-Truncated"] == "rows=5; max_rows=5"
    doc = json.loads(r.get_data())
    assert [b["s"]["value"] for b in doc["results"]["bindings"]] == [f"{E}s{i:02d}" for i in range(5)]
    assert doc["legiongraph"] == {"truncated": True, "reason": "max_rows", "limit": 5, "rows": 5}
    csv = client.get(f"/sparql?query={q('SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s')}&format=csv")
    assert csv.headers["X-Legiongraph-Truncated"] == "rows=5; max_rows=5"
    assert csv.get_data(as_text=True).splitlines() == ["s"] + [f"{E}s{i:02d}" for i in range(5)]


def test_construct_is_capped_by_triples(small, kind):
    client = _client(small, kind, max_rows=3)
    r = client.get(f"/sparql?query={q('CONSTRUCT WHERE { ?s ?p ?o }')}&format=nt")
    assert r.status_code == 200
    assert r.headers["X-Legiongraph-Truncated"] == "triples=3; max_rows=3"
    assert len(r.get_data(as_text=True).strip().splitlines()) == 3


def test_bytes_past_max_result_bytes_are_cut_and_flagged(small, kind):
    client = _client(small, kind, max_result_bytes=1500)
    r = client.get(f"/sparql?query={q('SELECT * WHERE { ?s ?p ?o }')}")
    assert r.status_code == 200
    assert len(r.get_data()) <= 1500
    doc = json.loads(r.get_data())
    rows = len(doc["results"]["bindings"])
    assert 0 < rows < 20
    assert r.headers["X-Legiongraph-Truncated"] == f"rows={rows}; max_result_bytes=1500"
    assert doc["legiongraph"] == {"truncated": True, "reason": "max_result_bytes", "limit": 1500,
                                  "rows": rows}


def test_a_complete_answer_carries_no_truncation_mark(small, kind):
    client = _client(small, kind, max_rows=20)
    r = client.get(f"/sparql?query={q('SELECT * WHERE { ?s ?p ?o }')}")
    assert r.status_code == 200
    assert "X-Legiongraph-Truncated" not in r.headers
    doc = json.loads(r.get_data())
    assert len(doc["results"]["bindings"]) == 20
    assert "legiongraph" not in doc


# -- request limits: 413, 414, 400 ----------------------------------------------------------------

def test_query_body_over_the_cap_is_413(small):
    client = _client(small, "oxigraph", max_query_bytes=1000)
    big = "ASK {} #" + "x" * 1000
    r = client.post("/sparql", data=big, content_type=QUERY)
    assert (r.status_code, r.get_data(as_text=True)) == (
        413, "the request body is 1008 bytes; this endpoint accepts at most 1000\n")
    r = client.post("/sparql", data={"query": big})
    assert (r.status_code, r.get_data(as_text=True)) == (
        413, "the query is 1008 bytes; this endpoint accepts queries of at most 1000 bytes\n")
    r = client.post("/sparql", data={"query": "ASK {} #" + "é" * 5000})
    assert (r.status_code, r.get_data(as_text=True)) == (
        413, "the request body is 30020 bytes; this endpoint accepts at most 7096\n")


def test_get_query_over_the_cap_is_413_when_the_url_may_be_longer(small):
    client = _client(small, "oxigraph", max_query_bytes=100, max_url_bytes=5000)
    r = client.get(f"/sparql?query={q('ASK {} #' + 'x' * 100)}")
    assert (r.status_code, r.get_data(as_text=True)) == (
        413, "the query is 108 bytes; this endpoint accepts queries of at most 100 bytes\n")


@pytest.mark.parametrize("path", ["/sparql", "/", "/id/person/x"])
def test_url_too_long_is_414(small, path):
    client = _client(small, "oxigraph", max_url_bytes=2000)
    r = client.get(f"{path}?query={q('ASK {} #' + 'x' * 2000)}")
    assert r.status_code == 414
    assert r.get_data(as_text=True).startswith("the request URL is ")
    assert r.get_data(as_text=True).endswith(
        " bytes long; this endpoint accepts at most 2000: send a long query by POST\n")


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { FILTER(" + "(" * 200 + "1" + ")" * 200 + ") }",
    "SELECT * WHERE " + "{" * 300 + "}" * 300,
    "ASK { " + "OPTIONAL { " * 150 + "}" * 150 + " }",
])
def test_deep_nesting_is_400_never_500(client, text):
    r = client.post("/sparql", data=text, content_type=QUERY)
    assert r.status_code == 400
    assert r.get_data(as_text=True).startswith("the query is nested too deeply to parse") or \
        r.get_data(as_text=True).startswith("SPARQL syntax error at line 1")


class _BrokenStore(MemoryStore):
    def query(self, sparql, **kwargs) -> QueryResult:
        raise ZeroDivisionError("a bug deep inside")


def test_an_engine_failure_is_the_querys_failure_not_a_500():
    client = create_app(Config(store="memory"), store=_BrokenStore()).test_client()
    r = client.get(f"/sparql?query={q('ASK {}')}")
    assert (r.status_code, r.get_data(as_text=True)) == (
        400, "the query failed: ZeroDivisionError: a bug deep inside\n")


class _BrokenExecutor(InlineExecutor):
    def run(self, request):
        raise ZeroDivisionError("a bug deep inside")


def test_an_unexpected_failure_is_a_plain_500_that_reveals_nothing(caplog):
    store = MemoryStore()
    client = create_app(Config(store="memory"), store=store, executor=_BrokenExecutor(store)).test_client()
    with caplog.at_level(logging.ERROR, logger="legiongraph.web"):
        r = client.get(f"/sparql?query={q('ASK {}')}")
    assert (r.status_code, r.get_data(as_text=True)) == (
        500, "internal server error: the failure was logged on the server\n")
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "ZeroDivisionError: a bug deep inside" in caplog.text


# -- time limits and per-client limits on a live server ----------------------------------------------

class _Live:
    def __init__(self, config: Config, store) -> None:
        from serving import serve_in_thread

        self.executor = ProcessExecutor(config, workers=config.workers, timeout=config.query_timeout)
        self.app = create_app(config, store=store, executor=self.executor)
        self.base, self._stop = serve_in_thread(self.app, threads=8)

    def running(self, client: str) -> int:
        return self.app.extensions["legiongraph"].limiter.running(client)

    def wait_running(self, client: str, n: int = 1) -> None:
        deadline = time.monotonic() + 20
        while self.running(client) < n:
            assert time.monotonic() < deadline, "the slow query never started"
            time.sleep(0.01)

    def close(self) -> None:
        self._stop()
        self.executor.close()


@pytest.fixture(scope="module")
def live(served_config, oxigraph_store):
    """waitress with two query workers, a 3 s time limit and one query at a time per client."""
    server = _Live(served_config.replace(workers=2, query_timeout=3, client_concurrency=1),
                   oxigraph_store)
    yield server
    server.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as fh:
        return fh.read().split()[2] != "Z"


# rdflib's parser needs minutes for this 40 KB expression: the parse must be under the limit too.
# The word "service" sends it through rdflib's parser, which takes minutes over the additions.
SLOW_TO_PARSE = 'SELECT * WHERE { BIND("service" AS ?s) FILTER(1' + "+1" * 20000 + ") }"


def _slow_in_background(live, source: str, text: str = SLOW) -> tuple[threading.Thread, dict]:
    outcome: dict = {}

    def run() -> None:
        outcome["response"] = request(live.base, "POST", "/sparql", body=text.encode(), source=source,
                                      headers={"Content-Type": QUERY})

    thread = threading.Thread(target=run)
    thread.start()
    live.wait_running(source)
    return thread, outcome


@pytest.mark.parametrize("slow", [SLOW, SLOW_TO_PARSE], ids=["slow-to-run", "slow-to-parse"])
def test_slow_query_is_killed_with_503_while_other_clients_are_answered(live, slow):
    before = live.executor.pids
    thread, outcome = _slow_in_background(live, "127.0.0.2", slow)
    answers = [request(live.base, "GET", f"/sparql?query={q(FAST)}&format=csv", source="127.0.0.3")]
    still_running = "response" not in outcome
    answers += [request(live.base, "GET", f"/sparql?query={q(FAST)}&format=csv", source="127.0.0.3")
                for _ in range(2)]
    thread.join(timeout=60)
    assert [(status, body) for status, _, body in answers] == [(200, "n\r\n249\r\n")] * 3
    assert still_running, "the slow query ended before the other client was answered"
    status, headers, body = outcome["response"]
    assert (status, body) == (503, "the query ran past the 3 s time limit and was stopped\n")
    assert headers["retry-after"] == "5"
    after = live.executor.pids
    assert len(after) == 2
    killed = set(before) - set(after)
    assert len(killed) == 1
    assert not any(_alive(pid) for pid in killed)


def test_a_client_over_its_concurrency_limit_gets_429_others_do_not(live):
    thread, outcome = _slow_in_background(live, "127.0.0.4")
    status, headers, body = request(live.base, "GET", f"/sparql?query={q(FAST)}", source="127.0.0.4")
    assert (status, body) == (429, "too many queries at once from this client: at most 1 may run at a "
                                   "time; try again when one is done\n")
    assert headers["retry-after"] == "1"
    assert headers["access-control-allow-origin"] == "*"
    other = request(live.base, "GET", f"/sparql?query={q(FAST)}&format=csv", source="127.0.0.5")
    assert (other[0], other[2]) == (200, "n\r\n249\r\n")
    thread.join(timeout=60)
    assert outcome["response"][0] == 503
    # the slot is given back once the query ends
    again = request(live.base, "GET", f"/sparql?query={q(FAST)}&format=csv", source="127.0.0.4")
    assert (again[0], again[2]) == (200, "n\r\n249\r\n")


def test_timeout_error_maps_to_503_with_retry_after(small):
    class Stuck(InlineExecutor):
        def run(self, request):
            raise QueryTimeout("all query workers are busy; try again later")

    app = create_app(Config(store="oxigraph"), store=small["oxigraph"],
                     executor=Stuck(small["oxigraph"]))
    r = app.test_client().get(f"/sparql?query={q('ASK {}')}")
    assert (r.status_code, r.get_data(as_text=True)) == (503, "all query workers are busy; try again later\n")
    assert r.headers["Retry-After"] == "5"


def test_live_server_answers_urls_too_long_and_bodies_too_big_itself(live):
    status, _, body = request(live.base, "GET", "/sparql?query=" + "x" * 20000)
    assert status == 414
    assert body.endswith("this endpoint accepts at most 16384: send a long query by POST\n")
    status, _, body = request(live.base, "POST", "/sparql", body=b"ASK {} #" + b"x" * 70000,
                              headers={"Content-Type": QUERY})
    assert (status, body) == (413, "the request body is 70008 bytes; this endpoint accepts at most 65536\n")
    chunks = iter([b"ASK {} #", b"x" * 40000, b"x" * 40000])
    status, _, body = request(live.base, "POST", "/sparql", body=chunks,  # type: ignore[arg-type]
                              headers={"Content-Type": QUERY, "Transfer-Encoding": "chunked"})
    assert (status, body) == (413, "the request body is 80008 bytes; this endpoint accepts at most 65536\n")
    # the server still answers afterwards
    assert request(live.base, "GET", f"/sparql?query={q('ASK {}')}")[0] == 200
