"""Files in and out: hostile RDF is refused before it costs anything, nothing is fetched, and every
write is atomic — a writer killed mid-write leaves the previous version intact and complete."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from rdflib import Dataset, Literal, URIRef

from legiongraph.errors import LoadError
from legiongraph.fsutil import TMP_PREFIX, atomic_write_bytes
from legiongraph.parsing import parse_into
from legiongraph.pipeline.loading import load_files
from legiongraph.shacl.validation import validate
from legiongraph.stores import OxigraphStore

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"> <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"> <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"> <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
 <!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;"> <!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
 <rdf:Description rdf:about="http://example.org/s"><ex:p>&i;</ex:p></rdf:Description>
</rdf:RDF>
"""
PLAIN_RDFXML = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
 <rdf:Description rdf:about="http://example.org/s"><ex:p>caf\xc3\xa9</ex:p></rdf:Description>
</rdf:RDF>
"""


@pytest.fixture
def listener():
    """A loopback TCP listener that counts the connections it receives."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    hits: list[tuple] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, addr = server.accept()
            except OSError:
                continue
            hits.append(addr)
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], hits
    stop.set()
    thread.join(timeout=2)
    server.close()


def test_rdfxml_with_entity_declarations_is_refused_before_parsing(tmp_path: Path):
    bomb = tmp_path / "bomb.rdf"
    bomb.write_bytes(BOMB)
    with pytest.raises(LoadError) as info:
        load_files([bomb])
    assert str(info.value) == (f"{bomb}: RDF/XML with a DOCTYPE or ENTITY declaration is refused "
                               "(its entities could expand without limit); remove the declaration")


def test_plain_rdfxml_and_inline_jsonld_load(tmp_path: Path):
    rdf = tmp_path / "plain.rdf"
    rdf.write_bytes(PLAIN_RDFXML)
    jsonld = tmp_path / "inline.jsonld"
    jsonld.write_text('{"@context": {"p": "http://example.org/p"}, "@id": "http://example.org/s", "p": "x"}')
    ds = load_files([rdf, jsonld])
    values = sorted(str(o) for o in ds.objects(URIRef("http://example.org/s"), None))
    assert values == ["café", "x"]


def test_jsonld_remote_context_is_never_fetched(tmp_path: Path, listener):
    port, hits = listener
    doc = tmp_path / "remote.jsonld"
    doc.write_text(f'{{"@context": "http://127.0.0.1:{port}/ctx.jsonld", "@id": "http://example.org/s"}}')
    with pytest.raises(LoadError, match=r"remote\.jsonld.*a remote JSON-LD @context is never fetched"):
        load_files([doc])
    time.sleep(0.3)
    assert hits == []


def test_validation_takes_parsed_graphs_never_a_location(listener):
    port, hits = listener
    from rdflib import Graph

    with pytest.raises(LoadError, match="parsed rdflib graphs, never a location"):
        validate(f"http://127.0.0.1:{port}/data.ttl", Graph())  # type: ignore[arg-type]
    assert hits == []


WRITER = """
import sys, time
from legiongraph.fsutil import atomic_write
with atomic_write(sys.argv[1]) as fh:
    for i in range(1_000_000):
        fh.write(b'<http://example.org/s%d> <http://example.org/p> "new" <http://example.org/g> .\\n' % i)
        if i % 1000 == 0:
            fh.flush()
            time.sleep(0.01)
"""


def _count(path: Path) -> int:
    ds = Dataset()
    parse_into(ds, path.read_bytes(), "nquads", str(path))
    return sum(len(g) for g in ds.graphs())


def _wait_for_temp(directory: Path, proc: subprocess.Popen) -> Path:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        temps = [p for p in directory.iterdir() if p.name.startswith(TMP_PREFIX)]
        if temps and (temps[0].is_dir() or temps[0].stat().st_size > 10_000):
            return temps[0]
        assert proc.poll() is None, "the writer finished before it could be killed"
        time.sleep(0.05)
    raise AssertionError("the writer never started writing")


def test_writer_killed_mid_write_leaves_the_previous_file_complete(tmp_path: Path):
    target = tmp_path / "dataset.nq"
    lines = b"".join(b'<http://example.org/s%d> <http://example.org/p> "old" <http://example.org/g> .\n' % i
                     for i in range(500))
    atomic_write_bytes(target, lines)
    before = target.read_bytes()
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(target)])
    temp = _wait_for_temp(tmp_path, proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert temp.exists()                       # the half-written temporary is left behind...
    assert target.read_bytes() == before       # ...and the file is the previous version
    assert _count(target) == 500
    atomic_write_bytes(tmp_path / "other.nq", b"")
    assert not temp.exists()                   # the next writer removes the dead writer's temporary


# A rebuild that never ends: its one graph yields triples until the writer is killed, so the kill
# always lands midway (a finite dataset had to be large, and took 30 s to make, to be sure of it).
OX_WRITER = """
import itertools, sys
from rdflib import Literal, URIRef
from legiongraph.stores import OxigraphStore

class Endless:
    identifier = URIRef("http://example.org/g")
    def __len__(self):
        return 1
    def __iter__(self):
        for i in itertools.count():
            yield URIRef("http://example.org/s%d" % i), URIRef("http://example.org/p"), Literal(i)

class Rebuild:
    def graphs(self):
        return [Endless()]

OxigraphStore(sys.argv[1], read_only=False).replace_all(Rebuild())
"""


def test_store_rebuild_killed_midway_leaves_the_previous_store_complete(tmp_path: Path):
    path = tmp_path / "store"
    ds = Dataset()
    graph = ds.graph(URIRef("http://example.org/g"))
    for i in range(300):
        graph.add((URIRef(f"http://example.org/s{i}"), URIRef("http://example.org/p"), Literal("old")))
    writer = OxigraphStore(path, read_only=False)
    writer.replace_all(ds)
    writer.close()
    proc = subprocess.Popen([sys.executable, "-c", OX_WRITER, str(path)])
    _wait_for_temp(tmp_path, proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert OxigraphStore(path, read_only=True).count() == 300
    OxigraphStore(path, read_only=False).close()  # the next writer cleans up
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]
