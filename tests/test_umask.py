"""Files written by export, archive and ingest get their permissions from the umask (issue 16),
not mkstemp's 0600 and mkdtemp's 0700, so that other users and archive pipelines can read them."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from legiongraph.cli import main
from legiongraph.fsutil import atomic_write_bytes, current_umask, new_sibling_dir


@pytest.fixture(params=[0o022, 0o027, 0o077])
def umask(request):
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_current_umask_reads_without_changing_it(umask):
    assert current_umask() == umask
    assert current_umask() == umask


def test_atomic_write_was_0600_and_now_follows_the_umask(tmp_path, umask):
    target = tmp_path / "out.ttl"
    atomic_write_bytes(target, b"<a:b> <a:c> <a:d> .\n")
    assert mode(target) == 0o666 & ~umask
    atomic_write_bytes(target, b"")  # a replacement too
    assert mode(target) == 0o666 & ~umask


def test_new_sibling_dir_was_0700_and_now_follows_the_umask(tmp_path, umask):
    assert mode(new_sibling_dir(tmp_path / "bag")) == 0o777 & ~umask


def test_export_and_archive_files_are_readable_by_others_under_umask_022(oxigraph_store, tmp_path):
    old = os.umask(0o022)
    try:
        out = tmp_path / "export.nq"
        main(["--store-path", str(oxigraph_store.path), "export", "--format", "nquads", "--out", str(out)])
        assert mode(out) == 0o644
        bag = tmp_path / "bag"
        main(["--store-path", str(oxigraph_store.path), "archive", str(bag)])
    finally:
        os.umask(old)
    assert mode(bag) == 0o755
    files = [p for p in bag.rglob("*") if p.is_file()]
    assert files and {p.relative_to(bag).as_posix(): mode(p) for p in files} == {
        p.relative_to(bag).as_posix(): 0o644 for p in files}
    assert {mode(p) for p in bag.rglob("*") if p.is_dir()} <= {0o755}
