"""Corpus files as they were indexed: their bytes, document and cleaned text, read again only when
they still are the very bytes indexed (by SHA-256), each file version once (cached by mtime and size).
The answer's context view, its references' lines and its changed-file check read files through here."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from qa.errors import ExtractionError
from qa.ingest.read import sha256, to_document
from qa.settings import LimitSettings
from qa.text.clean import CleanText, clean
from qa.types import Document


def indexed_bytes(path: Path, size: int, indexed: str | None, limits: LimitSettings) -> bytes | str:
    """The file's bytes if they are the very ones indexed; else "changed" (since indexing, so the
    offsets no longer apply) or "unreadable"."""
    if size > limits.max_file_mb * 2**20:
        return "unreadable"  # past the limit a build would not read it either
    try:
        data = path.read_bytes()
    except OSError:
        return "unreadable"
    return data if sha256(data) == indexed else "changed"


def page_line(document: Document, offset: int) -> int | None:
    """Paged documents: the document line that the page holding ``offset`` starts on."""
    page = document.page_at(offset)
    return document.text.count("\n", 0, document.page_starts[page - 1]) + 1 if page else None


@lru_cache(maxsize=256)
def holds(path: str, mtime_ns: int, size: int, indexed: str, limits: LimitSettings) -> str:
    """"indexed" when the file's bytes are the ones indexed, else why not ("changed", "unreadable");
    read once per file version, as every answer checks the files it cites."""
    data = indexed_bytes(Path(path), size, indexed, limits)
    return data if isinstance(data, str) else "indexed"


@lru_cache(maxsize=8)
def cleaned_document(path: str, mtime_ns: int, size: int, source: str, indexed: str | None,
                     limits: LimitSettings) -> tuple[Document, CleanText] | str:
    """The document as indexed and its text cleaned as chunking cleaned it (the whole text: how a
    line-end hyphen is read depends on the rest of the document), or why not."""
    document = read_document(path, mtime_ns, size, source, indexed, limits)
    return document if isinstance(document, str) else (document, clean(document.text))


@lru_cache(maxsize=32)
def read_document(path: str, mtime_ns: int, size: int, source: str, indexed: str | None,
                  limits: LimitSettings) -> Document | str:
    """The document as indexed, or why not (``indexed_bytes``). Cached per file version (mtime,
    size): every answer's context view re-reads its cited files, and extracting a PDF again for
    each answer would sit on the page's response time. Only the very bytes that were indexed are
    parsed, here in this process: they already passed the extraction limits (qa.ingest.sandbox); a
    changed file is never parsed."""
    data = indexed_bytes(Path(path), size, indexed, limits)
    if isinstance(data, str):
        return data
    try:
        # Pages read by OCR come from the cache: the indexed text, never a new reading here.
        return to_document(source, data, limits=replace(limits, ocr_cache_only=True))
    except ExtractionError:
        return "unreadable"
