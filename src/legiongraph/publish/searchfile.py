"""Write the search index as an SQLite file, once per store version, and open it.

The index (:mod:`legiongraph.publish.search`) is read from disk with a bounded page cache, so the
server's memory does not grow with the store. An Oxigraph store in a directory gets its index in a
sibling folder (``STORE.search-index/VERSION.sqlite``), written atomically by a child process: the
build reads every name in the store, and a child's memory goes back to the system when it exits.
Other stores (in memory, remote) get theirs written in-process to a temporary file.

"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib.namespace import SKOS

from ..errors import StoreError
from ..fsutil import TMP_PREFIX, clean_stale, current_umask, fsync_dir
from ..iris import ID
from ..stores.base import Store
from ..stores.oxigraph import OxigraphStore
from .display import LABEL_PROPERTIES, sparql_prefixes
from .search import FORMAT, KINDS, Entry, SearchIndex, fold

__all__ = ["build_index", "index_of", "open_index", "store_version", "write_entries", "write_store_file"]

_NAMES = (*LABEL_PROPERTIES, SKOS.altLabel)
_ALL_NAMES = f"""
SELECT ?s ?p ?l WHERE {{
  VALUES ?p {{ {" ".join(f"<{p}>" for p in _NAMES)} }}
  ?s ?p ?l .
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ID}"))
}}"""
# Not DISTINCT: the members table drops repeats, and Oxigraph's DISTINCT held every IRI in
# memory (120 MB more at 10M triples).
_MEMBERS = f'SELECT ?s WHERE {{ ?s a ?t FILTER(STRSTARTS(STR(?s), "{ID}")) }}'
# Persons' citizenship, an organisation's seat, the country a place or an event's place lies in.
_COUNTRIES = sparql_prefixes() + """
SELECT ?s ?c WHERE {
  ?c a schema:Country .
  ?s (schema:nationality|lg:basedIn|sem:hasPlace|schema:containedInPlace)+ ?c .
}"""

_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE entry(id INTEGER PRIMARY KEY, iri TEXT NOT NULL, kind TEXT NOT NULL, label TEXT NOT NULL,
                   country TEXT, sort_label TEXT NOT NULL, sort_country TEXT NOT NULL DEFAULT '',
                   nocountry INTEGER NOT NULL);
CREATE TABLE name(entry INTEGER, num INTEGER, kind TEXT, name TEXT, key TEXT, klen INTEGER,
                  PRIMARY KEY(entry, num)) WITHOUT ROWID;
CREATE TABLE word(id INTEGER PRIMARY KEY, word TEXT NOT NULL, wlen INTEGER NOT NULL,
                  count INTEGER NOT NULL);
CREATE TABLE posting(word INTEGER, entry INTEGER, num INTEGER, kind TEXT,
                     PRIMARY KEY(word, entry, num)) WITHOUT ROWID;
CREATE TEMP TABLE loose(word INTEGER, entry INTEGER, num INTEGER, kind TEXT);
"""
_INDEXES = """
CREATE UNIQUE INDEX word_by_text ON word(word, count);
CREATE INDEX word_by_length ON word(wlen, word, id);
CREATE INDEX name_by_length ON name(klen, key, entry, num, kind);
CREATE INDEX entry_by_iri ON entry(iri);
CREATE INDEX entry_by_label ON entry(kind, sort_label, iri);
CREATE INDEX entry_by_country ON entry(kind, nocountry, sort_country, sort_label, iri);
"""


def write_entries(conn: sqlite3.Connection, entries: Iterable[Entry], version: str = "") -> None:
    """Write the index of entries (numbered in the order given) into an empty database."""
    conn.executescript(_SCHEMA)
    words: dict[str, int] = {}
    counts: list[int] = []
    count = 0

    def rows() -> Iterator[tuple]:
        nonlocal count
        for i, entry in enumerate(entries):
            count += 1
            yield ("entry", (i, entry.iri, entry.kind, entry.label, entry.country,
                             entry.label.casefold(), int(not entry.country)))
            for j, name in enumerate(entry.names):
                key = fold(name)
                yield ("name", (i, j, entry.kind, name, key, len(key)))
                for word in sorted(set(key.split())):  # numbered alike from run to run
                    number = words.setdefault(word, len(words))
                    if number == len(counts):
                        counts.append(0)
                    counts[number] += 1
                    yield ("posting", (number, i, j, entry.kind))

    sql = {"entry": "INSERT INTO entry(id, iri, kind, label, country, sort_label, nocountry) "
                    "VALUES (?,?,?,?,?,?,?)",
           "name": "INSERT INTO name VALUES (?,?,?,?,?,?)",
           "posting": "INSERT INTO loose VALUES (?,?,?,?)"}
    batch: dict[str, list[tuple]] = {table: [] for table in sql}
    for table, row in rows():
        batch[table].append(row)
        if len(batch[table]) >= 10_000:
            conn.executemany(sql[table], batch[table])
            batch[table].clear()
    for table, left in batch.items():
        conn.executemany(sql[table], left)
    conn.executemany("INSERT INTO word VALUES (?,?,?,?)",
                     ((n, w, len(w), counts[n]) for w, n in words.items()))
    # Postings in key order, so that the table is written in one pass and each word's are together.
    conn.execute("INSERT INTO posting SELECT * FROM loose ORDER BY word, entry, num")
    conn.execute("DROP TABLE loose")
    conn.create_function("casefold", 1, str.casefold, deterministic=True)
    conn.executescript(_INDEXES)
    # Sorting a list by country sorts by the country's label, as the browse pages show it.
    conn.execute("UPDATE entry SET sort_country = coalesce((SELECT casefold(c.label) FROM entry c "
                 "WHERE c.iri = entry.country AND c.kind = 'country'), '') WHERE country IS NOT NULL")
    longest_key = conn.execute("SELECT coalesce(max(klen), 0) FROM name").fetchone()[0]
    conn.executemany("INSERT INTO meta VALUES (?, ?)", [
        ("format", FORMAT), ("version", version), ("entries", count), ("words", len(words)),
        ("longest_key", longest_key), ("longest_word", max(map(len, words), default=0))])
    conn.commit()


Select = Callable[[str], Iterator[tuple[str, ...]]]


def _selecting(store: Store) -> Select:
    """Return what yields a SELECT's rows as text (each term as its text and language)."""
    def select(sparql: str) -> Iterator[tuple[str, ...]]:
        for row in store.query(sparql).rows:
            out: list[str] = []
            for term in row:
                out += [str(term), getattr(term, "language", None) or ""]
            yield tuple(out)
    return select


def _selecting_raw(store: ox.Store) -> Select:
    """Return what yields a SELECT's rows as text, one at a time, straight from Oxigraph."""
    # Neither rdflib terms nor a list of every row: at 10M triples that is gigabytes.
    def select(sparql: str) -> Iterator[tuple[str, ...]]:
        for solution in store.query(sparql, use_default_graph_as_union=True):
            out: list[str] = []
            for term in solution:
                out += [term.value, getattr(term, "language", None) or ""]
            yield tuple(out)
    return select


def _entries(conn: sqlite3.Connection) -> Iterator[Entry]:
    """Yield the entries gathered in the temporary tables, by IRI."""
    names = conn.execute("SELECT iri, prop, text, lang FROM temp.names ORDER BY iri, seq")
    countries = conn.execute("SELECT s, c FROM temp.countries ORDER BY s")
    name, country = next(names, None), next(countries, None)
    for (iri,) in conn.execute("SELECT iri FROM temp.members ORDER BY iri"):
        found: list[tuple[int, str, str]] = []
        while name is not None and name[0] <= iri:
            if name[0] == iri:
                found.append(name[1:])
            name = next(names, None)
        while country is not None and country[0] < iri:
            country = next(countries, None)
        kind = iri[len(ID):].split("/", 1)[0]
        if kind not in KINDS:
            continue
        label = _best_label(found) if found else iri[len(ID):]
        others = sorted({text for _, text, _ in found} - {label})
        seat = iri if kind == "country" else country[1] if country and country[0] == iri else None
        yield Entry(iri, kind, label, (label, *others), seat)


def _best_label(names: list[tuple[int, str, str]]) -> str:
    """Return the preferred label: the best label property, English first, then untagged."""
    def rank(item: tuple[int, str, str]) -> tuple[int, int]:
        prop, _, lang = item
        return prop, 0 if lang.startswith("en") else 1 if not lang else 2
    return min(names, key=rank)[1]


def _write_store(conn: sqlite3.Connection, select: Select, version: str) -> None:
    """Gather the store's names, members and countries in temporary tables, then write the index."""
    conn.executescript("""
        CREATE TEMP TABLE names(iri TEXT, seq INTEGER, prop INTEGER, text TEXT, lang TEXT);
        CREATE TEMP TABLE members(iri TEXT PRIMARY KEY) WITHOUT ROWID;
        CREATE TEMP TABLE countries(s TEXT PRIMARY KEY, c TEXT) WITHOUT ROWID;
    """)
    props = {str(p): n for n, p in enumerate(LABEL_PROPERTIES)}
    conn.executemany("INSERT INTO temp.names VALUES (?,?,?,?,?)", (
        (s, seq, props.get(p, len(LABEL_PROPERTIES)), text, lang)
        for seq, (s, _, p, _, text, lang) in enumerate(select(_ALL_NAMES))))
    conn.execute("CREATE INDEX temp.names_by_iri ON names(iri, seq)")
    conn.execute("INSERT OR IGNORE INTO temp.members SELECT DISTINCT iri FROM temp.names")
    conn.executemany("INSERT OR IGNORE INTO temp.members VALUES (?)",
                     (row[:1] for row in select(_MEMBERS)))
    # The first country found for a resource is its country (a person may hold two).
    conn.executemany("INSERT OR IGNORE INTO temp.countries VALUES (?, ?)",
                     ((s, c) for s, _, c, _ in select(_COUNTRIES)))
    write_entries(conn, _entries(conn), version)
    conn.executescript("DROP TABLE temp.names; DROP TABLE temp.members; DROP TABLE temp.countries;")


def _connect_new(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    # A file nobody reads until it is complete: no journal, no waiting for the disk.
    conn.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=FILE;"
                       "PRAGMA cache_size=-32000;")
    return conn


def _write_file(target: Path, fill: Callable[..., None], *args: object) -> None:
    """Write a new index file with ``fill(conn, *args)`` and rename it over ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(target.parent)
    fd, tmp = tempfile.mkstemp(prefix=f"{TMP_PREFIX}{target.name}.pid{os.getpid()}.", dir=target.parent)
    os.close(fd)
    try:
        conn = _connect_new(Path(tmp))
        try:
            fill(conn, *args)
        finally:
            conn.close()
        os.chmod(tmp, 0o666 & ~current_umask())
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        fsync_dir(target.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _in_temporary_file(fill: Callable[..., None], *args: object) -> SearchIndex:
    """Write an index into a temporary file, open it and remove the file (the handle keeps it)."""
    with tempfile.TemporaryDirectory(prefix="legiongraph-search-") as folder:
        path = Path(folder) / "index.sqlite"
        _write_file(path, fill, *args)
        return SearchIndex.open(path)


def index_of(entries: Iterable[Entry]) -> SearchIndex:
    """Return an index of the given entries (in a temporary file)."""
    return _in_temporary_file(write_entries, entries)


def build_index(store: Store) -> SearchIndex:
    """Read every searchable resource's names, kind and country from the store, and index them."""
    return _in_temporary_file(_write_store, _selecting(store), "")


def store_version(path: Path) -> str:
    """Return a digest that changes whenever the data files of the store directory change."""
    # RocksDB writes data only into new files (tables, logs, manifests) and names the current
    # manifest in CURRENT; its informational LOG files change on every open and are left out.
    files = []
    for entry in sorted(os.scandir(path), key=lambda e: e.name):
        if entry.is_file() and not entry.name.startswith("LOG"):
            stat = entry.stat()
            files.append((entry.name, stat.st_size, stat.st_mtime_ns))
    basis = repr((str(path.resolve()), path.stat().st_ino, files))
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:24]


def _folder(store_path: Path) -> Path:
    return store_path.with_name(store_path.name + ".search-index")


def _write_in_child(store_path: Path, target: Path, version: str) -> None:
    """Write the index file of a store directory in a child process."""
    code = f"import sys; from {__name__} import write_store_file; write_store_file(*sys.argv[1:])"
    done = subprocess.run([sys.executable, "-c", code, str(store_path), str(target), version],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines() or ["no message"]
        raise StoreError(f"{store_path}: could not write the search index {target}: {lines[-1]}")


def open_index(store: Store) -> SearchIndex:
    """Return the store's search index: from its file if written for this version, else written now."""
    path = getattr(store, "path", None)
    if not isinstance(store, OxigraphStore) or path is None:
        return build_index(store)
    version = store_version(path)
    target = _folder(path) / f"{version}.sqlite"
    if target.exists():
        with contextlib.suppress(sqlite3.Error, StoreError):
            index = SearchIndex.open(target)
            if index.version == version:
                return index
    try:
        target.parent.mkdir(exist_ok=True)
        writable = os.access(target.parent, os.W_OK)
    except OSError:
        writable = False
    if not writable:
        # Nothing may be written beside the store: the index lives in a temporary file instead,
        # removed at once (the open handle keeps it), and is written again on the next start.
        with tempfile.TemporaryDirectory(prefix="legiongraph-search-") as folder:
            _write_in_child(path, Path(folder) / target.name, version)
            return SearchIndex.open(Path(folder) / target.name)
    _write_in_child(path, target, version)
    index = SearchIndex.open(target)
    for old in target.parent.glob("*.sqlite"):
        if old != target:
            # A server still serving an older store keeps reading its file through an open handle.
            with contextlib.suppress(OSError):
                old.unlink()
    return index


def write_store_file(store_path: str | Path, target: str | Path, version: str) -> None:
    """Write the index file of the Oxigraph store in a directory (what the child process runs)."""
    try:
        store = ox.Store.read_only(str(store_path))
    except OSError as exc:
        raise StoreError(f"{store_path}: cannot open the Oxigraph store: {exc}") from None
    _write_file(Path(target), _write_store, _selecting_raw(store), version)
