"""Corpus folder → decoded Documents (text, Markdown, PDF, Word, HTML), with reasons for every skip."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from qa.formats import SUPPORTED_SUFFIXES, extract
from qa.types import Document


@dataclass(frozen=True)
class Skipped:
    source: str
    reason: str


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def iter_files(corpus: Path) -> Iterator[tuple[Path, str | None]]:
    """Every file under ``corpus`` once, with a reason when it cannot be used as a file.
    Hidden files and folders are not content; symlinked folders are not descended (no loops)."""
    seen: set[Path] = set()
    for path in sorted(corpus.rglob("*")):
        relative = path.relative_to(corpus)
        if any(part.startswith(".") for part in relative.parts):
            continue
        try:
            real = path.resolve(strict=True)
            is_file = real.is_file()
        except RuntimeError:
            yield path, "symlink loop"
            continue
        except OSError as exc:
            yield path, "symlink loop" if "loop" in str(exc).lower() else "broken link or unreadable path"
            continue
        if not is_file:
            continue
        if real in seen:  # the same file reached twice through symlinks
            continue
        seen.add(real)
        yield path, None


def read_corpus(corpus: Path, max_bytes: int) -> tuple[list[tuple[Path, str, bytes]], list[Skipped]]:
    """Every readable file as (path, source name, raw bytes); the rest with a reason."""
    found: list[tuple[Path, str, bytes]] = []
    skipped: list[Skipped] = []
    for path, problem in iter_files(corpus):
        source = path.relative_to(corpus).as_posix()
        if problem:
            skipped.append(Skipped(source, problem))
            continue
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            skipped.append(Skipped(source, f"unsupported type {path.suffix or '(none)'}"))
            continue
        try:
            if path.stat().st_size > max_bytes:
                skipped.append(Skipped(source, f"larger than {max_bytes // 2**20} MB"))
                continue
            data = path.read_bytes()
        except OSError as exc:
            skipped.append(Skipped(source, f"unreadable: {exc.strerror or exc}"))
            continue
        if not data.strip():
            skipped.append(Skipped(source, "empty"))
            continue
        found.append((path, source, data))
    return found, skipped


def to_document(source: str, data: bytes) -> Document:
    """Decode or extract one file; ``ExtractionError`` says why it cannot be read."""
    extracted = extract(Path(source).suffix.lower(), data)
    return Document(source=source, text=extracted.text, sha256=sha256(data), page_starts=extracted.page_starts)
