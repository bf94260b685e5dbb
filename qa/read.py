"""Corpus folder → decoded Documents (plain text and Markdown), with reasons for every skip."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from qa.types import Document

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
MAX_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Skipped:
    source: str
    reason: str


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) first; otherwise let charset-normalizer find the encoding."""
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValueError("binary file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ValueError("undetectable text encoding")
    return str(best)


def iter_files(corpus: Path) -> Iterator[Path]:
    seen: set[Path] = set()
    for path in sorted(corpus.rglob("*")):
        if path.name.startswith(".") or not path.is_file():
            continue
        real = path.resolve()
        if real in seen:  # symlink loops and duplicates
            continue
        seen.add(real)
        yield path


def read_corpus(corpus: Path) -> tuple[list[tuple[Path, str, bytes]], list[Skipped]]:
    """Every readable file as (path, source name, raw bytes); the rest with a reason."""
    found: list[tuple[Path, str, bytes]] = []
    skipped: list[Skipped] = []
    for path in iter_files(corpus):
        source = path.relative_to(corpus).as_posix()
        if path.suffix.lower() not in TEXT_SUFFIXES:
            skipped.append(Skipped(source, f"unsupported type {path.suffix or '(none)'}"))
            continue
        try:
            if path.stat().st_size > MAX_BYTES:
                skipped.append(Skipped(source, "larger than 50 MB"))
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
    return Document(source=source, text=decode(data), sha256=sha256(data))
