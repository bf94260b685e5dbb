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
from qa.translit import plain_apostrophes, uzbek_to_latin
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
    if language == "uz":  # oʻ/gʻ as most Uzbek web text (and so e5) writes them: o'/g'
        embed_text = plain_apostrophes(embed_text)
    gloss = to_english(embed_text, language)
    return Query(text, language, script, embed_text, gloss)


def language_offsets(
    index: Index, vector: np.ndarray, ids: np.ndarray, raw: np.ndarray, language: str, mode: str
) -> np.ndarray:
    """How much to subtract from each candidate's similarity, by its language section.

    "all": the section's mean similarity q·μ (removes e5's own-language preference everywhere).
    "own": only the question's own-language sections, by their excess over the other sections'
    mean, so that unrelated sections in a third language are not lifted.
    The mean leaves the candidate itself out: in a small section (one Russian file among English
    ones) the plain mean is mostly the candidate, and subtracting it would erase the very passage
    that answers in the question's language. A section of one has no other members to estimate
    its bias from, so it gets the other sections' average."""
    section_mean = {key: float(mean @ vector) for key, mean in index.language_means.items()}
    keys = [index.keys[i] for i in ids]
    size = np.array([len(index.groups[key]) for key in keys], dtype=np.float64)
    mean = np.array([section_mean[key] for key in keys], dtype=np.float64)
    total, sections = sum(section_mean.values()), len(section_mean)
    fallback = (total - mean) / (sections - 1) if sections > 1 else np.zeros(len(ids))  # the other sections' mean
    bias = np.where(size > 1, (size * mean - raw.astype(np.float64)) / np.maximum(size - 1, 1), fallback)
    if mode == "all":
        return bias.astype(np.float32)
    foreign = [value for key, value in section_mean.items() if not key.startswith(language + "-")]
    if not foreign:
        return np.zeros(len(ids), dtype=np.float32)
    own = np.array([key.startswith(language + "-") for key in keys])
    return np.where(own, np.maximum(0.0, bias - float(np.mean(foreign))), 0.0).astype(np.float32)


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
        return self.retrieve(query, k)[1]

    def retrieve(self, query: Query, k: int | None = None) -> tuple[np.ndarray, list[Passage]]:
        """The question's vector (the answer step scores sentences with it) and the ranked passages."""
        k = k or self.settings.k
        index = self.index
        vector = self.query_vector(query)
        if not index.chunks:
            return vector, []
        n = min(self.settings.candidates, len(index.chunks))
        found = index.dense_candidates(vector, n)
        lexical = index.lexical.scores(f"{query.text} {query.gloss}" if self.use_gloss(query) else query.text)
        top_lexical = np.argsort(-lexical)[: self.settings.lexical_candidates]
        ids = np.unique(np.concatenate([found, top_lexical[lexical[top_lexical] > 0]]))
        raw = index.vectors[ids] @ vector
        offsets = np.zeros(len(ids), dtype=np.float32)
        mode = dict(self.settings.centring).get(query.language) if self.settings.centre_languages else None
        if mode:
            offsets = language_offsets(index, vector, ids, raw, query.language, mode)
        centred = raw - offsets
        peak = float(lexical.max()) if lexical.size else 0.0
        lexical_part = lexical[ids] / peak if peak > 0 else np.zeros(len(ids), np.float32)
        lexical_weight = dict(self.settings.lexical_weights).get(query.language, 0.0)
        fused = centred + lexical_weight * lexical_part
        order = np.argsort(-fused)
        # Within the first ``settings.k`` only (so asking for more citations never reorders the
        # first k, and recall@k is unchanged), a passage in the question's language moves ahead of
        # one that scores at most ``same_language_margin`` higher: the abstract exists in three
        # languages, and a reader checks a citation best in their own.
        window = order[: self.settings.k]
        same = np.array([index.chunks[ids[j]].language == query.language for j in window], dtype=np.float32)
        ranking = fused.copy()
        ranking[window] += self.settings.same_language_margin * same
        ranked = [*sorted(window, key=lambda j: -ranking[j]), *order[len(window) :]][:k]
        return vector, [
            Passage(index.chunks[ids[j]], float(ranking[j]), float(raw[j]), int(ids[j]), float(offsets[j]))
            for j in ranked
        ]
