"""Atomic writes: a reader sees the old file or the new one, never a half-written one.

A file is written to a temporary sibling, flushed and fsynced, renamed over the target with
``os.replace``, and the directory is fsynced so that the rename survives a crash. Temporaries carry
the writer's process id, so that a later writer can remove those of a writer that was killed.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

__all__ = [
    "TMP_PREFIX",
    "atomic_replace_dir",
    "atomic_write",
    "atomic_write_bytes",
    "clean_stale",
    "current_umask",
    "fsync_dir",
    "new_sibling_dir",
    "recover_dir",
]

TMP_PREFIX = ".lg-tmp-"
_TMP_NAME = re.compile(re.escape(TMP_PREFIX) + r".*\.pid(\d+)\.[^.]+$")


def fsync_dir(path: Path) -> None:
    """Flush a directory's entries to disk so that a rename survives a crash."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def current_umask() -> int:
    """Return the process's umask without changing it (read from /proc where possible)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    # Elsewhere the only way to read it is to set it; put it straight back.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _prefix(target: Path) -> str:
    return f"{TMP_PREFIX}{target.name}.pid{os.getpid()}."


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale(directory: Path) -> list[Path]:
    """Remove the temporaries of writers that died in ``directory``; return what was removed."""
    removed = []
    if not directory.is_dir():
        return removed
    for entry in directory.iterdir():
        match = _TMP_NAME.match(entry.name)
        if match is None or _alive(int(match.group(1))):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "wb") -> Iterator[IO]:
    """Yield a temporary file beside ``path`` that replaces it only if the block succeeds."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(target.parent)
    fd, tmp = tempfile.mkstemp(prefix=_prefix(target), dir=target.parent)
    try:
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding) as fh:
            yield fh
            fh.flush()
            # mkstemp makes the file 0600; give it what open() would: 0666 less the umask.
            os.fchmod(fh.fileno(), 0o666 & ~current_umask())
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
    made = Path(tempfile.mkdtemp(prefix=_prefix(path), dir=path.parent))
    made.chmod(0o777 & ~current_umask())  # mkdtemp makes it 0700; mkdir would follow the umask
    return made


def _aside(target: Path) -> Path:
    return target.with_name(f"{TMP_PREFIX}{target.name}.old")


def atomic_replace_dir(new: Path, target: Path) -> None:
    """Put directory ``new`` in place of ``target``, keeping the old one until the swap is done."""
    old = None
    if target.exists():
        old = _aside(target)
        if old.exists():
            shutil.rmtree(old)
        os.replace(target, old)
    os.replace(new, target)
    fsync_dir(target.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def recover_dir(target: Path, *, clean: bool = False) -> None:
    """Restore a directory left aside by an interrupted swap; with ``clean``, drop temporaries.

    Only a writer may clean, and only the temporaries of writers that are no longer running.
    """
    old = _aside(target)
    if not target.exists() and old.exists():
        os.replace(old, target)
    if not clean:
        return
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)
    clean_stale(target.parent)
