"""Shared fixtures: the real model (built once per machine), a real index of the shipped corpus, and
engines over small corpora that a test writes."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from qa.api import Engine
from qa.build import build
from qa.embed import Embedder
from qa.index import Index
from qa.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings()


@pytest.fixture(scope="session")
def embedder(settings: Settings) -> Embedder:
    return Embedder(settings)


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory: pytest.TempPathFactory, settings: Settings, embedder: Embedder) -> Path:
    """The shipped corpus copied to a temp dir and indexed there."""
    base = tmp_path_factory.mktemp("seed")
    corpus = base / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    build(settings, embedder, corpus, base / "index")
    return base / "index"


@pytest.fixture(scope="session")
def engine_over(
    tmp_path_factory: pytest.TempPathFactory, settings: Settings, embedder: Embedder
) -> Callable[[dict[str, str]], Engine]:
    """An engine over a corpus of {file name: text}, written to a temp dir and indexed there."""

    def make(files: dict[str, str]) -> Engine:
        base = tmp_path_factory.mktemp("notes")
        corpus = base / "corpus"
        corpus.mkdir()
        for name, text in files.items():
            (corpus / name).write_text(text, encoding="utf-8")
        build(settings, embedder, corpus, base / "index")
        return Engine(Index.load(base / "index", settings.vectors), embedder, settings)

    return make
