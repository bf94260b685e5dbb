"""Shared fixtures: the real model (built once per machine), a real index of the shipped corpus, and
engines over small corpora that a test writes."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from qa.api import Engine
from qa.ingest.build import build
from qa.model.embed import Embedder
from qa.settings import Settings
from qa.store.factory import open_index

ROOT = Path(__file__).resolve().parent.parent
# The engine tests run on both index backends: FAISS and local files, and everything in Milvus.
BACKENDS = ["faiss", "milvus-lite"]


def on_backend(settings: Settings, backend: str, base: Path) -> Settings:
    """``settings`` with the index of ``backend`` under ``base``."""
    if backend == "faiss":
        return replace(settings, index_dir=base / "index", index_uri="")
    return replace(settings, index_uri=f"milvus-lite://{base / 'index.db'}")


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings.from_env()


@pytest.fixture(scope="session")
def embedder(settings: Settings) -> Embedder:
    """The model with questions on the path readers use (the ONNX graph, made here on a first run),
    whichever test happens to run first."""
    model = Embedder(settings)
    model.fast_questions()
    return model


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory: pytest.TempPathFactory, settings: Settings, embedder: Embedder) -> Path:
    """The shipped corpus copied to a temp dir and indexed there."""
    base = tmp_path_factory.mktemp("seed")
    corpus = base / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    build(settings, embedder, corpus, base / "index")
    return base / "index"


@pytest.fixture(scope="session")
def milvus_corpus(tmp_path_factory: pytest.TempPathFactory, settings: Settings, embedder: Embedder) -> Settings:
    """The shipped corpus copied to a temp dir and indexed into a milvus-lite collection there."""
    base = tmp_path_factory.mktemp("seed-milvus")
    shutil.copytree(ROOT / "corpus", base / "corpus")
    local = replace(on_backend(settings, "milvus-lite", base), corpus_dir=base / "corpus")
    build(local, embedder, local.corpus_dir, local.index_dir)
    return local


@pytest.fixture(scope="session", params=BACKENDS)
def engine_over(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, settings: Settings, embedder: Embedder
) -> Callable[[dict[str, str]], Engine]:
    """An engine over a corpus of {file name: text}, written to a temp dir and indexed there (on
    each backend)."""

    def make(files: dict[str, str]) -> Engine:
        base = tmp_path_factory.mktemp("notes")
        corpus = base / "corpus"
        corpus.mkdir()
        for name, text in files.items():
            (corpus / name).write_text(text, encoding="utf-8")
        local = on_backend(settings, request.param, base)
        build(local, embedder, corpus, local.index_dir)
        return Engine(open_index(local), embedder, local)

    return make
