"""Uploaded files → the corpus folder: validated in the sandbox, written atomically, never through a
symlink, never over an existing file.

A file is written under a hidden temporary name in the target folder (hidden files are never
indexed), fsynced, then hard-linked to its final name, which fails rather than replace anything
that appeared there meanwhile. A crash or a full disk leaves no partial file under a real name.
"""

from __future__ import annotations

import os
import re
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from qa.errors import ExtractionError, storage_error
from qa.ingest.formats import SUPPORTED_SUFFIXES, OcrProgress
from qa.ingest.read import sha256, to_document
from qa.ingest.sandbox import Sandbox
from qa.reasons import reason

TEMPORARY_PREFIX = ".upload-"


@dataclass(frozen=True)
class Stored:
    name: str | None  # the file's name in the folder; None when refused
    message: str  # why it was refused, or "" ; ``present``: the same bytes were already there
    present: bool = False


def safe_name(name: str) -> str:
    stem, suffix = os.path.splitext(os.path.basename(name))
    stem = re.sub(r"[^\w.-]+", "_", stem).strip("._") or "document"
    return stem[:100] + suffix.lower()


def store_upload(path: Path, folder: Path, sandbox: Sandbox, max_bytes: int,
                 progress: OcrProgress | None = None) -> Stored:
    """Validate one uploaded file (type, size, text extractable within the limits) and store it."""
    name = safe_name(path.name)
    if Path(name).suffix not in SUPPORTED_SUFFIXES:
        return Stored(None, reason("unsupported_upload", allowed=", ".join(sorted(SUPPORTED_SUFFIXES))))
    try:
        if path.stat().st_size > max_bytes:
            return Stored(None, reason("too_large", mb=max_bytes // 2**20))
        data = path.read_bytes()
    except OSError as exc:
        return Stored(None, reason("unreadable_upload", detail=exc.strerror or exc))
    if not data.strip():  # as the CLI says it, before any parser names its own exception
        return Stored(None, reason("empty"))
    try:
        # A scan is read by OCR here, page by page with ``progress``; the build then reads the cache.
        if not to_document(name, data, sandbox, progress=progress).text.strip():
            return Stored(None, reason("no_text"))
    except ExtractionError as exc:
        return Stored(None, str(exc))
    try:
        stored, present = write_new(folder, name, data)
    except OSError as exc:
        return Stored(None, str(storage_error(exc, f"{folder.name}/{name}")))
    return Stored(stored, "", present)


def write_new(folder: Path, name: str, data: bytes) -> tuple[str, bool]:
    """Write ``data`` as ``name`` in ``folder`` (``name-2``… when a different file has that name);
    (the name used, whether the same bytes were already there). Never follows a symlink: neither
    the folder nor any name in it may be one."""
    folder.mkdir(parents=True, exist_ok=True)
    directory = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        digest, stem, suffix = sha256(data), Path(name).stem, Path(name).suffix
        candidate, number = name, 1
        while True:
            try:
                found = os.stat(candidate, dir_fd=directory, follow_symlinks=False)
            except FileNotFoundError:
                break
            if stat.S_ISREG(found.st_mode) and found.st_size == len(data) and _digest(directory, candidate) == digest:
                return candidate, True
            number += 1
            candidate = f"{stem}-{number}{suffix}"
        temporary = f"{TEMPORARY_PREFIX}{secrets.token_hex(8)}.part"
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644, dir_fd=directory)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.link(temporary, candidate, src_dir_fd=directory, dst_dir_fd=directory, follow_symlinks=False)
            os.fsync(directory)
        finally:
            os.unlink(temporary, dir_fd=directory)
        return candidate, False
    finally:
        os.close(directory)


def _digest(directory: int, name: str) -> str:
    handle = os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=directory)
    with os.fdopen(handle, "rb") as existing:
        return sha256(existing.read())
