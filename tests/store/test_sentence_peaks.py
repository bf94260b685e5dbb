"""A passage's best sentence, as retrieval reads it from the stored sentence vectors: float16 rows
memory-mapped from disk, and the zero rows the build stores for sentences too short to embed."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from qa.store.base import peaks


def test_the_best_sentence_is_read_from_float16_rows_on_disk(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    rows = rng.normal(size=(5, 8)).astype(np.float16)
    np.save(tmp_path / "sentences.npy", rows)
    mapped = np.load(tmp_path / "sentences.npy", mmap_mode="r")
    vector = rng.normal(size=8).astype(np.float32)
    best = peaks(mapped, np.array([2, 3]), vector)
    expected = [float((rows[a:b].astype(np.float32) @ vector).max()) for a, b in ((0, 2), (2, 5))]
    assert best.dtype == np.float32 and np.allclose(best, expected, atol=1e-4)


def test_a_passage_without_an_embedded_sentence_has_no_best_sentence() -> None:
    vector = np.ones(4, dtype=np.float32) / 2
    short = np.zeros((2, 4), dtype=np.float16)  # sentences under the minimum length are stored as zeros
    mixed = np.array([[0, 0, 0, 0], [-1, 0, 0, 0]], dtype=np.float16)
    best = peaks(np.concatenate([short, mixed]), np.array([0, 2, 2]), vector)
    assert np.isnan(best[0]) and np.isnan(best[1])
    assert best[2] == -0.5  # the zero row is no sentence: the real one is the best, however low
