"""The one place a backend is chosen: the location ``Settings`` names is a Milvus address
(``settings.index_uri``) or a local folder (``settings.index_dir``, FAISS)."""

from __future__ import annotations

import importlib.util
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

from qa.errors import IndexUnavailable
from qa.settings import Settings
from qa.store.base import SearchIndex
from qa.store.folder import FolderWriter, Index


class IndexWriter(Protocol):
    """Where a build goes: the previous index (for its vectors), then one commit of the new one."""

    def lock(self) -> AbstractContextManager[object]:
        """Held for the whole build: one build per index at a time."""
        ...

    def previous(self) -> Index | None: ...

    def commit(self, index: Index, reuse: bool, changed: list[str], removed: list[str]) -> str:
        """Make ``index`` the live one: by file (``changed`` / ``removed``) when ``reuse`` says the
        previous index's chunks stand, else as a whole. Says where it went."""
        ...


def _milvus_installed() -> None:
    if importlib.util.find_spec("pymilvus") is None:
        raise IndexUnavailable("the index is a Milvus address, but the Milvus client is not installed: "
                               "pip install 'qa[milvus]'")


def open_index(settings: Settings) -> SearchIndex:
    """The live index for reading."""
    if settings.index_uri:
        _milvus_installed()
        from qa.store.milvus_read import MilvusIndex

        return MilvusIndex.open(settings)
    return Index.load(settings.index_dir, settings.vectors)


def open_writer(settings: Settings, folder: Path | None = None) -> IndexWriter:
    """Where a build commits: the Milvus collection, else ``folder`` (default ``settings.index_dir``)."""
    if settings.index_uri:
        _milvus_installed()
        from qa.store.milvus_write import MilvusWriter

        return MilvusWriter(settings)
    return FolderWriter(folder or settings.index_dir)


def opens_in_one_process(settings: Settings) -> bool:
    """An index file only one process may open at a time (milvus-lite): its builds run in the
    process that serves it."""
    return settings.index_uri.startswith("milvus-lite")
