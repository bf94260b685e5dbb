"""The vector backend: nearest neighbours by inner product over one language section's vectors.

``VectorBackend`` is the small interface the index needs (search, size, save); ``create`` and
``load`` are its factory. FAISS is the only implementation today: exact (flat) search, or IVF-Flat
past ``VectorSettings.ann_threshold`` vectors. FAISS is imported on first use, after
``qa.runtime.configure`` (it shares torch's OpenMP pool).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import numpy as np

from qa.settings import VectorSettings


class VectorBackend(Protocol):
    @property
    def size(self) -> int: ...

    def search(self, vector: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, local ids) of the ``n`` nearest vectors, best first; ids < 0 pad a short result."""
        ...

    def save(self, path: Path) -> None: ...

    def set_nprobe(self, nprobe: int) -> None:
        """How many lists an approximate search visits (exact search ignores it)."""
        ...


def _faiss() -> Any:
    from qa import runtime

    runtime.configure()
    import faiss

    return faiss


class FaissBackend:
    def __init__(self, index: Any) -> None:
        self.index = index

    @property
    def size(self) -> int:
        return int(self.index.ntotal)

    def search(self, vector: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        scores, ids = self.index.search(vector[None, :].astype(np.float32), n)
        return scores[0], ids[0]

    def save(self, path: Path) -> None:
        _faiss().write_index(self.index, str(path))

    def set_nprobe(self, nprobe: int) -> None:
        faiss = _faiss()
        if isinstance(self.index, faiss.IndexIVF):
            self.index.nprobe = nprobe


def ivf_lists(n: int, settings: VectorSettings) -> int | None:
    """How many IVF lists ``n`` vectors get (about √n), or None for exact search: below
    ``settings.ann_threshold`` unless forced, and always below 1,000 (too few to train lists on).
    The Milvus backend follows the same rule (qa.store.milvus_write)."""
    use_ivf = settings.ann == "ivf" or (settings.ann == "auto" and n > settings.ann_threshold)
    return max(16, min(4096, int(np.sqrt(n)))) if use_ivf and n >= 1000 else None


def create(vectors: np.ndarray, settings: VectorSettings | None = None) -> FaissBackend:
    """Exact inner-product search, or IVF-Flat past ``settings.ann_threshold`` vectors (or when
    forced): about √n lists trained on a sample, searched with ``ann_nprobe`` probes."""
    faiss = _faiss()
    settings = settings or VectorSettings()
    n, dimension = vectors.shape
    lists = ivf_lists(n, settings)
    if lists is None:
        flat = faiss.IndexFlatIP(dimension)
        flat.add(vectors)
        return FaissBackend(flat)
    ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(dimension), dimension, lists, faiss.METRIC_INNER_PRODUCT)
    sample = np.random.default_rng(0).choice(n, size=min(n, lists * 64), replace=False)
    ivf.train(vectors[np.sort(sample)])
    ivf.add(vectors)
    backend = FaissBackend(ivf)
    backend.set_nprobe(settings.ann_nprobe)
    return backend


def load(path: Path) -> FaissBackend:
    """Memory-mapped where FAISS allows (flat codes, IVF lists): a large index loads at once and
    shares pages with other processes; pages are read on first use."""
    faiss = _faiss()
    try:
        return FaissBackend(faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC | faiss.IO_FLAG_READ_ONLY))
    except RuntimeError:
        return FaissBackend(faiss.read_index(str(path)))
