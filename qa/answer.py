"""Passages → a short extractive answer: the best-supporting sentences, each followed by its [n].

No generator ships offline, so the answer is made of source sentences. A sentence's support is its
lexical overlap with the question (script-blind n-grams) plus the rank of its passage; when the
evidence is too weak the answer says so in the question's language and ``supported`` is false.
"""

from __future__ import annotations

import math
import re

from qa.lexical import grams
from qa.retrieve import Query
from qa.settings import Settings
from qa.types import Answer, Citation, Passage

SOURCE_REFERENCE = re.compile(r"\s?\[\d+(?:\s?[,–-]\s?\d+)*\]")
NOT_FOUND = {
    ("en", "Latn"): "The sources do not contain an answer to this question. The closest passages are listed below.",
    ("ru", "Cyrl"): "В источниках нет ответа на этот вопрос. Ниже приведены ближайшие фрагменты.",
    ("uz", "Cyrl"): "Манбаларда бу саволга жавоб йўқ. Энг яқин парчалар қуйида келтирилган.",
    ("uz", "Latn"): "Manbalarda bu savolga javob yo'q. Eng yaqin parchalar quyida keltirilgan.",
}


def not_found_message(language: str, script: str) -> str:
    fallback = NOT_FOUND.get((language, "Cyrl" if language == "ru" else "Latn"), NOT_FOUND[("en", "Latn")])
    return NOT_FOUND.get((language, script), fallback)


def evidence(passages: list[Passage]) -> float:
    """The strongest cosine among the cited passages: a cross-language top passage scores lower
    than a same-language one that says the same, so the best of the k is the fairer bar."""
    return max((p.dense for p in passages), default=0.0)


def is_supported(query: Query, passages: list[Passage], settings: Settings) -> bool:
    """Judged on the top ``settings.k`` passages (as calibrated), so asking for more citations
    never changes the verdict."""
    evidence_passages = passages[: settings.k]
    return bool(passages) and evidence(evidence_passages) >= settings.support_threshold(query.language, query.script)


def _overlap(question_grams: set[str], sentence: str) -> float:
    sentence_grams = set(grams(sentence))
    if not question_grams or not sentence_grams:
        return 0.0
    return len(question_grams & sentence_grams) / math.sqrt(len(sentence_grams))


def pick_sentences(
    query: Query, passages: list[Passage], limit: int, pool: int = 3
) -> list[tuple[int, tuple[int, int], float]]:
    """(passage number, sentence span, score) of the best-supporting sentences, in passage order."""
    question_grams = set(grams(query.text))
    candidates: list[tuple[float, int, tuple[int, int]]] = []
    for rank, passage in enumerate(passages[:pool]):
        # Prefer the question's language when passages are otherwise close (abstracts exist in 3).
        language_bonus = 0.15 if passage.chunk.language == query.language else 0.0
        for span in passage.chunk.sentences:
            text = passage.chunk.text[span[0] : span[1]]
            if len(text) < 25:  # headings and fragments support nothing
                continue
            score = _overlap(question_grams, text) + 1.0 / (1 + rank) + language_bonus
            candidates.append((score, rank, span))
    chosen: list[tuple[float, int, tuple[int, int]]] = []
    seen: set[str] = set()
    for score, rank, span in sorted(candidates, key=lambda c: -c[0]):
        text = passages[rank].chunk.text[span[0] : span[1]]
        # Overlapping chunks repeat sentences; weak sentences only dilute the best one.
        if text in seen or (chosen and score < 0.6 * chosen[0][0]):
            continue
        seen.add(text)
        chosen.append((score, rank, span))
        if len(chosen) == limit:
            break
    return sorted(((rank, span, score) for score, rank, span in chosen), key=lambda c: (c[0], c[1][0]))


def compose(query: Query, passages: list[Passage], settings: Settings) -> Answer:
    citations = [
        Citation(
            n=i + 1, source=p.chunk.source, start=p.chunk.start, end=p.chunk.end,
            line_start=p.chunk.line_start, line_end=p.chunk.line_end, language=p.chunk.language,
            score=p.score, text=p.chunk.text, page=p.chunk.page,
        )
        for i, p in enumerate(passages)
    ]
    supported = is_supported(query, passages, settings)
    if not supported:
        text = not_found_message(query.language, query.script)
    else:
        parts = []
        for rank, span, _ in pick_sentences(query, passages, settings.answer_sentences):
            citations[rank].highlights.append(span)
            # The source's own reference numbers ("[4,5]") would read as our citation markers.
            sentence = SOURCE_REFERENCE.sub("", passages[rank].chunk.text[span[0] : span[1]]).strip()
            parts.append(f"{sentence} [{rank + 1}]")
        text = " ".join(parts)
    return Answer(query.text, query.language, query.script, text, supported, citations)
