"""Question → ranked passages: language-centred dense search (a passage's vector and its best
sentence's) fused with the cross-script lexical leg.

Uzbek and Russian questions are also glossed into English (qa.languages.glossary): the model sees the
question and its gloss as one averaged vector, and the lexical leg matches the gloss's English words."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from qa.errors import IndexUnavailable
from qa.languages import language as language_entry
from qa.languages.detect import detect
from qa.languages.glossary import to_english
from qa.languages.spelling import Vocabulary
from qa.model.encoders import Encoder
from qa.settings import RetrievalSettings, Settings
from qa.store.base import SearchIndex
from qa.types import Chunk, Passage

# A language of a document under this share of its chunks is a translated abstract beside its body; a
# bilingual leaflet's halves are each a main language.
_MINOR_SHARE = 1 / 3


def first_places(order: np.ndarray, chunks: dict[int, Chunk], ids: np.ndarray, settings: RetrievalSettings,
                 languages: Callable[[str], Mapping[str, int]]) -> np.ndarray:
    """``order`` with each document's passages in a minor language of it (``languages``: a file's chunks
    per language, asked only of the documents met before the first k places are filled) holding at
    most ``other_language_places`` of those places, the rest following in order."""
    def minor(source: str, language: str) -> bool:
        counts = languages(source)
        return counts.get(language, 0) < _MINOR_SHARE * sum(counts.values())

    first: list[int] = []
    later: list[int] = []
    held = Counter[tuple[str, str]]()
    for j in order.tolist():
        chunk = chunks[int(ids[j])]
        section = (chunk.source, chunk.language)
        if len(first) < settings.k and (not minor(*section) or held[section] < settings.other_language_places):
            first.append(j)
            held[section] += 1
        else:
            later.append(j)
    return np.array(first + later, dtype=np.int64)


@dataclass(frozen=True)
class Query:
    text: str  # what retrieval reads: the question, with the terms a follow-up carries (qa.answer.followup)
    language: str
    script: str
    embed_text: str  # what the model sees: Uzbek Cyrillic is transliterated to Latin
    gloss: str = ""  # Uzbek and Russian questions: an English gloss from the glossaries and dictionary
    gloss_share: float = 0.0  # the share of the question's content words the gloss translates
    asked: str = ""  # the question as asked (``text`` without carried terms)
    carried: tuple[str, ...] = ()
    slips: tuple[tuple[str, str], ...] = ()  # typing slips read as corpus words: (typed, read)
    lexical_gloss: str = ""  # the gloss the lexical leg reads, when it takes other dictionary senses


def prepare(question: str, settings: Settings | None = None, carried: tuple[str, ...] = (),
            previous: tuple[str, str] | None = None, vocabulary: Vocabulary | None = None) -> Query:
    """The question read for retrieval. ``carried`` terms (from an earlier question of the chat)
    join what is searched and checked, never the language detection: "А у пожилых?" stays Russian
    after an English question. ``previous``: the earlier question's language and script, which a
    question too short to tell takes ("ARNI-chi?"). ``vocabulary``: the corpus's words, which a
    typing slip is read as (qa.languages.spelling); the question as asked is kept as typed."""
    settings = settings or Settings()
    limit = settings.limits.max_question_chars
    text = " ".join(question.split())
    asked = text
    if len(text) > limit:  # long input keeps its end (at a word boundary): a pasted note's question comes last
        start = text.find(" ", len(text) - limit - 1)
        text = text[start + 1 if 0 <= start < len(text) - limit // 2 else len(text) - limit:]
        asked = f"… {text}"  # the reader sees that the start was left out
    language, script = detect(text, previous=previous)
    read = " ".join((text, *carried))
    slips: list[tuple[str, str]] = []
    if vocabulary is not None and settings.retrieval.spelling:  # the carried terms too: "failre" two turns ago
        read, slips = vocabulary.correct(read, language)
    entry = language_entry(language)
    embed_text = entry.model_text(read, script)
    gloss = to_english(embed_text, language, entry.dictionary_senses)
    lexical = "" if entry.lexical_senses in (None, entry.dictionary_senses) else \
        to_english(embed_text, language, entry.lexical_senses).text
    return Query(read, language, script, embed_text, gloss.text, gloss.share, asked, carried, tuple(slips), lexical)


class Retriever:
    def __init__(self, index: SearchIndex, embedder: Encoder, settings: Settings) -> None:
        if index.dimension != embedder.dim:
            raise IndexUnavailable(
                f"index dimension {index.dimension} ≠ model dimension {embedder.dim}: run `qa index --rebuild`"
            )
        self.index, self.embedder, self.settings = index, embedder, settings
        self.vocabulary = Vocabulary(lambda: ((chunk.language, chunk.text) for chunk in index.chunks))

    def use_gloss(self, query: Query) -> bool:
        return bool(query.gloss) and self.settings.retrieval.gloss and language_entry(query.language).gloss_weight > 0

    def query_vector(self, query: Query) -> np.ndarray:
        """One normalised vector; with a gloss, the question's plus the gloss's (both encoded in one
        batch, which costs little more than one), the gloss weighted by the share of the question
        it translates: a gloss that leaves most words in Russian or Uzbek (an everyday sentence
        outside the clinical glossary) only pulls the question towards its few glossed words."""
        if not self.use_gloss(query) or query.gloss_share == 0:  # a gloss of weight 0 need not be encoded
            return self.embedder.queries([query.embed_text])[0]
        question, gloss = self.embedder.queries([query.embed_text, query.gloss])
        weight = language_entry(query.language).gloss_weight * query.gloss_share
        mixed = question + weight * gloss
        return (mixed / np.linalg.norm(mixed)).astype(np.float32)

    def search(self, query: Query, k: int | None = None) -> list[Passage]:
        return self.retrieve(query, k)[1]

    def retrieve(self, query: Query, k: int | None = None) -> tuple[np.ndarray, list[Passage]]:
        """The question's vector (the answer step scores sentences with it) and the ranked passages."""
        k = k or self.settings.retrieval.k
        index = self.index
        vector = self.query_vector(query)
        if not index.chunks:
            return vector, []
        n = min(self.settings.retrieval.candidates, len(index.chunks))
        found = index.dense_candidates(vector, n)
        lexical_text = f"{query.text} {query.lexical_gloss or query.gloss}" if self.use_gloss(query) else query.text
        ids, lexical, peak = index.lexical_candidates(lexical_text, self.settings.retrieval.lexical_candidates, found)
        raw = index.vectors_of(ids) @ vector
        offsets = np.zeros(len(ids), dtype=np.float32)
        retrieval = self.settings.retrieval
        mode = language_entry(query.language).centring if retrieval.centre_languages else None
        if mode:
            offsets = index.language_offsets(vector, ids, raw, query.language, str(mode))
        lexical_part = lexical / peak if peak > 0 else np.zeros(len(ids), np.float32)
        lexical_weight = language_entry(query.language).lexical_weight if retrieval.lexical else 0.0
        passage_score = raw - offsets + lexical_weight * lexical_part
        # Which passages are cited: each is also as relevant as its best sentence, as one sentence
        # that answers is diluted in the vector of a passage about the wider topic.
        weight, cited_by = retrieval.sentence_weight, passage_score
        if weight:
            best = index.sentence_peaks(ids, vector)
            cited_by = passage_score + np.where(np.isnan(best), 0.0, weight * (best - raw))
        by_id = index.chunks_of(ids.tolist())  # already read with the vectors (Milvus rows are cached)
        order = first_places(np.argsort(-cited_by), by_id, ids, retrieval, index.languages_of)
        # Their order within the first k (more citations never reorder them): the passages as wholes,
        # the question's language first among near-ties (a reader checks a citation best in their own).
        window = order[: self.settings.retrieval.k]
        chunk = {j: by_id[int(ids[j])] for j in order[: max(k, len(window))]}
        same = np.array([chunk[j].language == query.language for j in window], dtype=np.float32)
        ranking = passage_score.copy()
        ranking[window] += self.settings.retrieval.same_language_margin * same
        ranked = [*sorted(window, key=lambda j: -ranking[j]), *order[len(window) :]][:k]
        return vector, [
            Passage(chunk[j], float(ranking[j]), float(raw[j]), int(ids[j]), float(offsets[j]))
            for j in ranked
        ]
