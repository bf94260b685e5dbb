"""Which encoder a reader gets: questions through the checked ONNX export alone (ONNX Runtime and
SentencePiece, no torch) once it is cached, else the torch ``Embedder``, which makes the export on
its first run and says so. Passages, for an index build or an upload, always go through torch, loaded
only when something is to be embedded: an unchanged corpus never imports it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

import numpy as np

from qa.model import onnx_questions
from qa.model.embed import Embedder, check_choices, model_identity, model_path
from qa.settings import Settings


class Encoder(Protocol):
    """What retrieval, answering and index builds use of a model."""

    @property
    def id(self) -> str: ...

    @property
    def dim(self) -> int: ...

    @property
    def precision(self) -> str: ...

    @property
    def question_encoder(self) -> str: ...

    def queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def passages(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray: ...


class OnnxQuestionsFirst:
    """Questions through the ONNX export, loaded in the background from the moment the engine opens
    (the language models load meanwhile); the torch Embedder is loaded the first time passages are
    asked for (an upload, a changed file), or for questions if the export cannot be loaded after all."""

    question_encoder = "onnx"

    def __init__(self, settings: Settings, identity: str, meta: dict, precision: str,
                 log: Callable[[str], None] | None = None) -> None:
        self.settings, self.id, self.precision, self.dim = settings, identity, precision, int(meta["dim"])
        self._log, self._told = log, False
        self._full: Embedder | None = None
        self._lock = threading.Lock()
        loader = ThreadPoolExecutor(1, thread_name_prefix="qa-onnx-load")
        self._loading = loader.submit(onnx_questions.standalone, identity, settings.cache_dir,
                                     settings.threads, meta)
        loader.shutdown(wait=False)

    def _encode(self, texts: list[str]) -> np.ndarray:
        encoder = self._loading.result()
        if encoder is None:  # the files went missing or bad since they were checked
            if self._log and not self._told:
                self._told = True
                self._log("the ONNX question encoder could not be loaded: questions go through torch")
            return self._embedder().queries(texts)
        return encoder([self.settings.query_prefix + t for t in texts])

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._encode(list(texts))  # safe from many threads at once (OnnxQuestions runs them side by side)

    def passages(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._embedder().passages(texts, batch_size)

    def _embedder(self) -> Embedder:
        with self._lock:
            if self._full is None:
                self._full = Embedder(self.settings, self._log)
            return self._full


def open_encoder(settings: Settings, log: Callable[[str], None] | None = None) -> Embedder | OnnxQuestionsFirst:
    """The encoder for a reader of the index (``QA_QUESTION_ENCODER=torch``: always torch)."""
    precision = check_choices(settings)
    if settings.question_encoder != "torch":
        identity = model_identity(settings, model_path(settings, log))
        meta = onnx_questions.stamp(identity, settings.cache_dir)
        if meta is not None:
            return OnnxQuestionsFirst(settings, identity, meta, precision, log)
    embedder = Embedder(settings, log)
    embedder.fast_questions(log)
    return embedder
