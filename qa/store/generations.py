"""The on-disk generation store of an index folder: ``CURRENT`` names the live ``gen-<ns>/``.

A build writes every file into a staging folder, fsyncs it, renames it to a new generation and then
replaces ``CURRENT`` with one atomic rename (the commit point): a reader, or a crash at any instant,
sees the old generation or the new one, never a mix. Stale generations and the staging folders of
killed builds are swept afterwards, under the build lock (one build per folder at a time).

Readers open a generation's files under a shared lock (``reading``) and the sweep deletes under the
exclusive one, so a generation is never deleted while a reader, in any process, is opening it. Once
open, its files stay readable after deletion (open and memory-mapped files outlive their names).
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

from qa.errors import storage_error

CURRENT, GENERATION_PREFIX, STAGING_PREFIX, LOCK, READERS = "CURRENT", "gen-", ".staging-", ".lock", ".readers"


def generation_time(name: str) -> int:
    """When a generation was committed (``gen-<ns>``); 0 for a name of another form."""
    stamp = name.removeprefix(GENERATION_PREFIX)
    return int(stamp) if stamp.isdigit() else 0


def current_generation(folder: Path) -> Path:
    """The folder holding the live index files."""
    return folder / (folder / CURRENT).read_text(encoding="utf-8").strip()


@contextmanager
def _readers_lock(folder: Path, mode: int) -> Iterator[None]:
    try:
        handle = open(folder / READERS, "a")
    except OSError:  # a read-only index folder: nobody can sweep it either
        yield
        return
    with handle:
        fcntl.flock(handle, mode)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def reading(folder: Path) -> Iterator[Path]:
    """The live generation, which no sweep deletes until the caller has opened what it needs."""
    with _readers_lock(folder, fcntl.LOCK_SH):
        yield current_generation(folder)


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def commit(folder: Path, write: Callable[[Path], None], legacy: Callable[[Path], bool] | None = None) -> Path:
    """Let ``write`` fill a staging folder, then make it the live generation; returns it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=folder))
    except OSError as exc:
        raise storage_error(exc, folder) from exc
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
    except OSError as exc:  # the live generation is untouched: the failed one is removed below
        raise storage_error(exc, folder) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        (folder / f".{CURRENT}-{os.getpid()}").unlink(missing_ok=True)
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
    with _readers_lock(folder, fcntl.LOCK_EX):
        _remove_stale(folder, current, legacy)


def _remove_stale(folder: Path, current: str, legacy: Callable[[Path], bool] | None) -> None:
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
def build_lock(folder: Path, waiting: Callable[[], None] | None = None) -> Iterator[None]:
    """One build at a time per index folder (the CLI and the web app may both index); ``waiting``
    is called once when another build holds the folder, before this one waits for it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = open(folder / LOCK, "w")
    except OSError as exc:
        raise storage_error(exc, folder) from exc
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting is not None:
                waiting()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
