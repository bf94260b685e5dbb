"""Shared fixtures: the real model (built once per machine) and a real index of the shipped corpus."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qa.build import build
from qa.embed import Embedder
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
