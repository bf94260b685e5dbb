"""Corpus folder → decoded Documents (text, Markdown, PDF, Word, HTML), with reasons for every skip.

Files are listed first and read one at a time (``read_file``), so a build holds one file's bytes at
a time however large the corpus; parsing formats go through ``qa.ingest.sandbox``."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from qa.errors import ExtractionError
from qa.ingest.formats import SUPPORTED_SUFFIXES, OcrProgress, extract
from qa.ingest.sandbox import Sandbox
from qa.reasons import reason
from qa.settings import LimitSettings
from qa.types import Document


@dataclass(frozen=True)
class Skipped:
    source: str
    reason: str


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def iter_files(corpus: Path, outside_links: bool = False) -> Iterator[tuple[Path, str | None]]:
    """Every file under ``corpus`` once, with a reason when it cannot be used as a file.
    Hidden files and folders are not content; symlinked folders are not descended (no loops); a
    link to a file outside the corpus is not followed unless ``outside_links`` (a shared or synced
    folder must not let whoever drops a link there read any file the server can)."""
    seen: set[Path] = set()
    root = corpus.resolve()
    for path in sorted(corpus.rglob("*")):
        relative = path.relative_to(corpus)
        if any(part.startswith(".") for part in relative.parts):
            continue
        try:
            real = path.resolve(strict=True)
            is_file = real.is_file()
        except RuntimeError:
            yield path, reason("symlink_loop")
            continue
        except OSError as exc:
            yield path, reason("symlink_loop" if "loop" in str(exc).lower() else "broken_link")
            continue
        if not is_file:
            continue
        if not outside_links and not real.is_relative_to(root):
            yield path, reason("outside_link")
            continue
        if real in seen:  # the same file reached twice through symlinks
            continue
        seen.add(real)
        yield path, None


def read_corpus(corpus: Path, max_bytes: int, outside_links: bool = False
                ) -> tuple[list[tuple[Path, str]], list[Skipped]]:
    """Every file that may be indexed as (path, source name); the rest with a reason."""
    found: list[tuple[Path, str]] = []
    skipped: list[Skipped] = []
    for path, problem in iter_files(corpus, outside_links):
        source = path.relative_to(corpus).as_posix()
        if problem:
            skipped.append(Skipped(source, problem))
            continue
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            skipped.append(Skipped(source, reason("unsupported_type", suffix=path.suffix or "(none)")))
            continue
        try:
            size = path.stat().st_size
            if size > max_bytes:
                skipped.append(Skipped(source, reason("too_large", mb=max_bytes // 2**20)))
                continue
            if size == 0:
                skipped.append(Skipped(source, reason("empty")))
                continue
        except OSError as exc:
            skipped.append(Skipped(source, reason("unreadable", detail=exc.strerror or exc)))
            continue
        found.append((path, source))
    return found, skipped


def read_file(path: Path, max_bytes: int) -> bytes:
    """One listed file's bytes; ``ExtractionError`` when it cannot be used (it may have changed since)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise ExtractionError(reason("unreadable", detail=exc.strerror or exc)) from exc
    if len(data) > max_bytes:
        raise ExtractionError(reason("too_large", mb=max_bytes // 2**20))
    if not data.strip():
        raise ExtractionError(reason("empty"))
    return data


def to_document(source: str, data: bytes, sandbox: Sandbox | None = None,
                limits: LimitSettings | None = None, progress: OcrProgress | None = None) -> Document:
    """Decode or extract one file (parsing formats in ``sandbox`` when one is given: files not yet
    known to be safe); ``ExtractionError`` says why it cannot be read."""
    suffix = Path(source).suffix.lower()
    extracted = (sandbox.extract(suffix, data, progress) if sandbox is not None
                 else extract(suffix, data, limits, progress))
    return Document(source=source, text=extracted.text, sha256=sha256(data), page_starts=extracted.page_starts,
                    ocr_pages=extracted.ocr_pages, page_problems=extracted.page_problems)
