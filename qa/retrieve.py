"""Question → ranked passages: language-centred dense search fused with the cross-script lexical leg.

Uzbek and Russian questions are also glossed into English (qa.glossary): the model sees the
question and its gloss as one averaged vector, and the lexical leg matches the gloss's English words."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qa.embed import Embedder
from qa.glossary import to_english
from qa.index import Index
from qa.lang import detect
from qa.settings import Settings
from qa.translit import uzbek_to_latin
from qa.types import Passage


@dataclass(frozen=True)
class Query:
    text: str
    language: str
    script: str
    embed_text: str  # what the model sees: Uzbek Cyrillic is transliterated to Latin
    gloss: str = ""  # Uzbek and Russian questions: an English gloss from the clinical glossaries


MAX_QUESTION_CHARS = 2000


def prepare(question: str) -> Query:
    text = " ".join(question.split())
    if len(text) > MAX_QUESTION_CHARS:  # long input is truncated (at a word boundary), not rejected
        cut = text.rfind(" ", 0, MAX_QUESTION_CHARS + 1)
        text = text[: cut if cut > MAX_QUESTION_CHARS // 2 else MAX_QUESTION_CHARS]
    language, script = detect(text)
    embed_text = uzbek_to_latin(text) if (language, script) == ("uz", "Cyrl") else text
    gloss = to_english(embed_text, language)
    return Query(text, language, script, embed_text, gloss)


def language_offsets(index: Index, vector: np.ndarray, language: str, mode: str) -> dict[str, float]:
    """How much to subtract from the question's similarity to each language section.

    "all": the section's mean similarity q·μ (removes e5's own-language preference everywhere).
    "own": only the question's own-language sections, by their excess over the other sections'
    mean, so that unrelated sections in a third language are not lifted."""
    offsets = {key: float(mean @ vector) for key, mean in index.language_means.items()}
    if mode == "all":
        return offsets
    others = [value for key, value in offsets.items() if not key.startswith(language + "-")]
    base = float(np.mean(others)) if others else 0.0
    return {
        key: max(0.0, value - base) if key.startswith(language + "-") else 0.0 for key, value in offsets.items()
    }


class Retriever:
    def __init__(self, index: Index, embedder: Embedder, settings: Settings) -> None:
        if index.dimension != embedder.dim:
            raise ValueError(f"index dimension {index.dimension} ≠ model dimension {embedder.dim}")
        self.index, self.embedder, self.settings = index, embedder, settings

    def use_gloss(self, query: Query) -> bool:
        return bool(query.gloss) and dict(self.settings.gloss_weights).get(query.language, 0.0) > 0

    def query_vector(self, query: Query) -> np.ndarray:
        """One normalised vector; with a gloss, the mean of the question's and the gloss's (both
        encoded in one batch, which costs little more than one)."""
        if not self.use_gloss(query):
            return self.embedder.queries([query.embed_text])[0]
        question, gloss = self.embedder.queries([query.embed_text, query.gloss])
        mixed = question + dict(self.settings.gloss_weights).get(query.language, 0.0) * gloss
        return (mixed / np.linalg.norm(mixed)).astype(np.float32)

    def search(self, query: Query, k: int | None = None) -> list[Passage]:
        k = k or self.settings.k
        index = self.index
        if not index.chunks:
            return []
        vector = self.query_vector(query)
        n = min(self.settings.candidates, len(index.chunks))
        found = index.dense_candidates(vector, n)
        lexical = index.lexical.scores(f"{query.text} {query.gloss}" if self.use_gloss(query) else query.text)
        top_lexical = np.argsort(-lexical)[: self.settings.lexical_candidates]
        ids = np.unique(np.concatenate([found, top_lexical[lexical[top_lexical] > 0]]))
        raw = index.vectors[ids] @ vector
        centred = raw
        mode = dict(self.settings.centring).get(query.language) if self.settings.centre_languages else None
        if mode:
            offsets = language_offsets(index, vector, query.language, mode)
            centred = raw - np.array([offsets[index.keys[i]] for i in ids], dtype=np.float32)
        peak = float(lexical.max()) if lexical.size else 0.0
        lexical_part = lexical[ids] / peak if peak > 0 else np.zeros(len(ids), np.float32)
        lexical_weight = dict(self.settings.lexical_weights).get(query.language, 0.0)
        fused = centred + lexical_weight * lexical_part
        order = np.argsort(-fused)[:k]
        return [Passage(index.chunks[ids[j]], float(fused[j]), float(raw[j])) for j in order]
