"""Lexical leg: BM25 over character 4-grams of script-blind word skeletons.

Plain word BM25 cannot match a Russian or Uzbek question to English text and hurt Russian when
fused naively. Medical vocabulary is largely shared Greek/Latin (диурез/diuresis,
кортикостероиды/corticosteroids), so n-grams of transliterated, spelling-folded words match across
languages and scripts, and fold homoglyph tokens (МАPК = MAPK) for free.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from collections.abc import Sequence

import numpy as np

from qa.text.tokens import ALNUM
from qa.text.translit import skeleton

GRAM = 4
MIN_WORD = 4  # shorter words are mostly function words in all three languages


def grams(text: str) -> list[str]:
    out: list[str] = []
    for word in ALNUM.findall(text):
        if len(word) < MIN_WORD and not any(ch.isdigit() for ch in word):
            continue
        key = f"#{skeleton(word)}#"
        out.extend(key[i : i + GRAM] for i in range(max(1, len(key) - GRAM + 1)))
    return out


class Lexical:
    def __init__(self, texts: Sequence[str]) -> None:
        import bm25s

        self.size = len(texts)
        self._bm25 = bm25s.BM25()
        if texts:
            self._bm25.index([grams(t) or ["#"] for t in texts], show_progress=False)

    def scores(self, query: str) -> np.ndarray:
        tokens = grams(query)
        if not self.size or not tokens:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(tokens), dtype=np.float32)


# The same BM25 as sparse vectors, for an engine that only takes inner products (qa.store.milvus_read): a chunk's
# weight for a gram is idf · tf / (tf + k1·(1 − b + b·dl/avgdl)) (bm25s's "lucene" variant and
# defaults), a question's is its count of the gram, so their inner product is the score ``Lexical``
# gives. idf and avgdl are those of the texts weighed together, frozen into the weights.
K1, B = 1.5, 0.75


def dimension(gram: str) -> int:
    """A gram's sparse dimension: its bytes, for the ASCII grams nearly all are (one-to-one, below
    2³¹); any other gram hashes above them."""
    if gram.isascii():
        return int.from_bytes(gram.encode(), "big")
    return 2**31 + zlib.crc32(gram.encode()) % (2**31 - 1)


def bm25_rows(texts: Sequence[str]) -> list[dict[int, float]]:
    documents = [Counter(grams(text) or ["#"]) for text in texts]
    if not documents:
        return []
    lengths = [sum(counts.values()) for counts in documents]
    average = sum(lengths) / len(documents)
    frequency = Counter(gram for counts in documents for gram in counts)
    idf = {gram: math.log(1 + (len(documents) - df + 0.5) / (df + 0.5)) for gram, df in frequency.items()}
    return [
        {dimension(gram): idf[gram] * tf / (tf + K1 * (1 - B + B * length / average)) for gram, tf in counts.items()}
        for counts, length in zip(documents, lengths, strict=True)
    ]


def query_weights(text: str) -> dict[int, float]:
    return {dimension(gram): float(count) for gram, count in Counter(grams(text)).items()}
