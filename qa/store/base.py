"""The index seam: what retrieval and the answer step read (``SearchIndex``), and what both backends
share (the format version, language sections, centring, the model check). ``qa.store.factory``
opens either backend, and the writer a build commits to, by the location ``Settings`` names."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

import numpy as np

from qa.errors import IndexUnavailable
from qa.languages import Variant
from qa.types import Chunk

FORMAT_VERSION = 3  # 3: sentence vectors


def section_of(chunk: Chunk) -> Variant:
    return Variant(chunk.language, chunk.script)


class SearchIndex(Protocol):
    """What retrieval and the answer step read from an index: this module's in-memory ``Index`` (FAISS
    and local files) or ``qa.store.milvus_read.MilvusIndex`` (everything in a Milvus collection). Chunk ids are
    ints; the chunks of one file have consecutive ids."""

    @property
    def manifest(self) -> dict: ...

    @property
    def chunks(self) -> Sequence[Chunk]:
        """Indexed by chunk id."""
        ...

    @property
    def dimension(self) -> int: ...

    def dense_candidates(self, vector: np.ndarray, n: int) -> np.ndarray: ...

    def section_search(self, vector: np.ndarray, language: str, n: int) -> list[int]: ...

    def lexical_candidates(self, text: str, n: int, dense_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]: ...

    def vectors_of(self, ids: np.ndarray) -> np.ndarray: ...

    def chunks_of(self, ids: Iterable[int]) -> dict[int, Chunk]: ...

    def sentences_of(self, chunk_id: int) -> np.ndarray: ...

    def sentence_peaks(self, ids: np.ndarray, vector: np.ndarray) -> np.ndarray:
        """Each chunk's best sentence similarity to ``vector`` (NaN for a chunk without an embedded one)."""
        ...

    def language_offsets(
        self, vector: np.ndarray, ids: np.ndarray, raw: np.ndarray, language: str, mode: str
    ) -> np.ndarray: ...

    def check_model(self, model_id: str) -> None: ...

    def file_hash(self, source: str) -> str | None: ...

    def count_source(self, source: str) -> int: ...

    def languages_of(self, source: str) -> dict[str, int]:
        """How many of the file's chunks are in each language."""
        ...


def check_model(manifest: dict, model_id: str) -> None:
    """Questions must be embedded by the model that embedded the passages."""
    if manifest.get("model") != model_id:
        raise IndexUnavailable(
            f"the index was built with model {manifest.get('model')!r}, not {model_id!r}: "
            "run `qa index` (it re-embeds with the current model)"
        )


def centring(
    vector: np.ndarray, means: Mapping[Variant, np.ndarray], sizes: Mapping[Variant, int], sections: list[Variant],
    raw: np.ndarray, language: str, mode: str,
) -> np.ndarray:
    """How much to subtract from each candidate's similarity, given its language section.

    "all": the section's mean similarity q·μ (removes e5's own-language preference everywhere).
    "own": only the question's own-language sections, by their excess over the other sections'
    mean, so that unrelated sections in a third language are not lifted.
    The mean leaves the candidate itself out: in a small section (one Russian file among English
    ones) the plain mean is mostly the candidate, and subtracting it would erase the very passage
    that answers in the question's language. A section of one has no other members to estimate
    its bias from, so it gets the other sections' average."""
    section_mean = {section: float(mean @ vector) for section, mean in means.items()}
    size = np.array([sizes[s] for s in sections], dtype=np.float64)
    mean = np.array([section_mean[s] for s in sections], dtype=np.float64)
    total, count = sum(section_mean.values()), len(section_mean)
    fallback = (total - mean) / (count - 1) if count > 1 else np.zeros(len(sections))  # the other sections' mean
    bias = np.where(size > 1, (size * mean - raw.astype(np.float64)) / np.maximum(size - 1, 1), fallback)
    if mode == "all":
        return bias.astype(np.float32)
    foreign = [value for section, value in section_mean.items() if section.language != language]
    if not foreign:
        return np.zeros(len(sections), dtype=np.float32)
    own = np.array([s.language == language for s in sections])
    return np.where(own, np.maximum(0.0, bias - float(np.mean(foreign))), 0.0).astype(np.float32)


def peaks(rows: np.ndarray, lengths: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """The best similarity to ``vector`` in each group of ``lengths`` consecutive sentence ``rows``, in
    one product; NaN for a group without an embedded sentence (one too short to embed is stored as zeros)."""
    rows = np.asarray(rows, dtype=np.float32).reshape(-1, len(vector))
    scores = rows @ vector
    scores[~np.any(rows != 0, axis=1)] = -np.inf
    out = np.full(len(lengths), -np.inf, dtype=np.float32)
    filled = np.asarray(lengths) > 0
    if filled.any():  # an empty group adds no rows, so each filled one ends where the next begins
        out[filled] = np.maximum.reduceat(scores, (np.cumsum(lengths) - lengths)[filled])
    out[np.isneginf(out)] = np.nan
    return out


def chunk_from_json(data: dict) -> Chunk:
    data["sentences"] = tuple(tuple(s) for s in data.get("sentences", ()))
    return Chunk(**data)
