"""Lexical leg: BM25 over character 4-grams of script-blind word skeletons.

Plain word BM25 cannot match a Russian or Uzbek question to English text and hurt Russian when
fused naively. Medical vocabulary is largely shared Greek/Latin (диурез/diuresis,
кортикостероиды/corticosteroids), so n-grams of transliterated, spelling-folded words match across
languages and scripts, and fold homoglyph tokens (МАPК = MAPK) for free.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from qa.translit import skeleton

_WORD = re.compile(r"\w+")
GRAM = 4
MIN_WORD = 4  # shorter words are mostly function words in all three languages


def grams(text: str) -> list[str]:
    out: list[str] = []
    for word in _WORD.findall(text):
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
