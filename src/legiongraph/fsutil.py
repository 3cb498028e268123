"""Atomic writes: a reader sees the old file or the new one, never a half-written one."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

__all__ = [
    "atomic_replace_dir",
    "atomic_write",
    "atomic_write_bytes",
    "fsync_dir",
    "new_sibling_dir",
    "recover_dir",
]

TMP_PREFIX = ".lg-tmp-"


def fsync_dir(path: Path) -> None:
    """Flush a directory's entries to disk so that a rename survives a crash."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "wb") -> Iterator[IO]:
    """Yield a temporary file beside ``path`` that replaces it only if the block succeeds."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX + target.name + ".", dir=target.parent)
    try:
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        fsync_dir(target.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write bytes to ``path`` atomically."""
    with atomic_write(path, "wb") as fh:
        fh.write(data)


def new_sibling_dir(path: Path) -> Path:
    """Create and return an empty temporary directory beside ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=TMP_PREFIX + path.name + ".", dir=path.parent))


def atomic_replace_dir(new: Path, target: Path) -> None:
    """Put directory ``new`` in place of ``target``, keeping the old one until the swap is done."""
    old = None
    if target.exists():
        old = target.with_name(f"{TMP_PREFIX}{target.name}.old")
        if old.exists():
            shutil.rmtree(old)
        os.replace(target, old)
    os.replace(new, target)
    fsync_dir(target.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def recover_dir(target: Path, *, clean: bool = False) -> None:
    """Restore a directory left aside by an interrupted swap; with ``clean``, drop temporaries.

    Only a writer may clean: a reader could otherwise remove a rebuild that is still running.
    """
    old = target.with_name(f"{TMP_PREFIX}{target.name}.old")
    if not target.exists() and old.exists():
        os.replace(old, target)
    if not clean:
        return
    for stale in target.parent.glob(f"{TMP_PREFIX}{target.name}.*"):
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)
