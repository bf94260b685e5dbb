"""The one place a backend is chosen: a folder is FAISS, a Milvus address is Milvus, and a Milvus
address without the optional client installed says how to install it."""

from __future__ import annotations

import importlib.util
from dataclasses import replace
from pathlib import Path

import pytest

from qa.errors import IndexUnavailable
from qa.settings import Settings
from qa.store import factory
from qa.store.folder import FolderWriter


def test_a_folder_is_written_and_read_locally(tmp_path: Path) -> None:
    writer = factory.open_writer(replace(Settings(), index_dir=tmp_path / "index"))
    assert isinstance(writer, FolderWriter) and writer.previous() is None
    with pytest.raises(IndexUnavailable, match="no index at"):
        factory.open_index(replace(Settings(), index_dir=tmp_path / "index"))


def test_milvus_without_its_client_names_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pymilvus" else real(name, *a))
    settings = replace(Settings(), index_uri=f"milvus-lite://{tmp_path / 'index.db'}")
    for opening in (factory.open_index, factory.open_writer):
        with pytest.raises(IndexUnavailable, match=r"pip install 'qa\[milvus\]'"):
            opening(settings)
