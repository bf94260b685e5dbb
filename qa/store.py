"""The on-disk generation store of an index folder: ``CURRENT`` names the live ``gen-<ns>/``.

A build writes every file into a staging folder, fsyncs it, renames it to a new generation and then
replaces ``CURRENT`` with one atomic rename (the commit point): a reader, or a crash at any instant,
sees the old generation or the new one, never a mix. Stale generations and the staging folders of
killed builds are swept afterwards, under the build lock (one build per folder at a time).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

CURRENT, GENERATION_PREFIX, STAGING_PREFIX, LOCK = "CURRENT", "gen-", ".staging-", ".lock"


def current_generation(folder: Path) -> Path:
    """The folder holding the live index files."""
    return folder / (folder / CURRENT).read_text(encoding="utf-8").strip()


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def commit(folder: Path, write: Callable[[Path], None], legacy: Callable[[Path], bool] | None = None) -> Path:
    """Let ``write`` fill a staging folder, then make it the live generation; returns it."""
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=folder))
    try:
        write(staging)
        for written in staging.iterdir():
            _fsync(written)
        generation = folder / f"{GENERATION_PREFIX}{time.time_ns()}"
        os.replace(staging, generation)
        pointer = folder / f".{CURRENT}-{os.getpid()}"
        pointer.write_text(generation.name, encoding="utf-8")
        _fsync(pointer)
        os.replace(pointer, folder / CURRENT)  # the commit point
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    sweep(folder, legacy)
    return generation


def sweep(folder: Path, legacy: Callable[[Path], bool] | None = None) -> None:
    """Remove generations other than the current one, staging folders of killed builds, and files
    ``legacy`` recognises as an older layout. Callers hold the build lock, so no live build's staging
    folder is touched."""
    try:
        current = (folder / CURRENT).read_text(encoding="utf-8").strip()
    except OSError:
        return
    for entry in folder.iterdir():
        if legacy is not None and entry.is_file() and legacy(entry):
            entry.unlink(missing_ok=True)
            continue
        stale_generation = entry.name.startswith(GENERATION_PREFIX) and entry.name != current
        if stale_generation or entry.name.startswith(STAGING_PREFIX) or entry.name.startswith(f".{CURRENT}-"):
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


@contextmanager
def build_lock(folder: Path) -> Iterator[None]:
    """One build at a time per index folder (the CLI and the web app may both index)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / LOCK, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
