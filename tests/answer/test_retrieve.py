"""Which passages are cited: each is also as relevant as its best stored sentence."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from qa.answer.retrieve import first_places
from qa.api import open_engine
from qa.model.embed import Embedder
from qa.settings import RetrievalSettings, Settings
from qa.types import Chunk

# The review's closing passage answers in one sentence ("…efficacy and long-term safety…") among
# others on the wider topic; by the passage vectors alone it falls outside the first five.
QUESTION = "What evidence is still missing before IL-6 blockers enter routine cardiology?"
FACT = "efficacy and long-term safety"


def test_a_passage_whose_one_sentence_answers_is_cited(corpus_index: Path, settings: Settings,
                                                        embedder: Embedder) -> None:
    cited = open_engine(corpus_index, settings, embedder).ask(QUESTION).citations
    assert any(FACT in c.text for c in cited), [c.text[:60] for c in cited]
    whole = replace(settings, retrieval=replace(settings.retrieval, sentence_weight=0.0))
    cited = open_engine(corpus_index, whole, embedder).ask(QUESTION).citations
    assert not any(FACT in c.text for c in cited), "by passage vectors alone the answer is not cited"


# The review's Russian abstract restates its English body; for a Russian question it took two of the
# first five places from the body.
RUSSIAN = "Каким пациентам с СНнФВ может помочь терапия против ИЛ-6 — например, с высоким СРБ?"


def test_a_translated_abstract_holds_one_of_the_first_places(corpus_index: Path, settings: Settings,
                                                             embedder: Embedder) -> None:
    def first_five(places: int) -> list[tuple[str, int]]:
        chosen = replace(settings, retrieval=replace(settings.retrieval, other_language_places=places))
        return [(p.chunk.language, p.id) for p in open_engine(corpus_index, chosen, embedder).search(RUSSIAN)]

    free, held = first_five(5), first_five(settings.retrieval.other_language_places)
    assert [language for language, _ in free].count("ru") >= 2, free
    assert [language for language, _ in held].count("ru") == 1, held
    assert held[0] == free[0] and held[0][0] == "ru", "the abstract in the reader's language still leads"
    body = {chunk for language, chunk in held if language == "en"} - {chunk for language, chunk in free}
    assert body, "a passage of the English body takes the place"
    assert all(language == "en" for language, _ in first_five(0)), "no place for the review's other languages"


def test_first_places_caps_the_minor_languages_of_each_document() -> None:
    def chunk(source: str, language: str) -> Chunk:
        return Chunk(source, 0, 1, 1, 1, language, "Cyrl" if language == "ru" else "Latn", "text")

    chunks = {0: chunk("review", "ru"), 1: chunk("review", "ru"), 2: chunk("review", "uz"), 3: chunk("review", "uz"),
              4: chunk("review", "en"), 5: chunk("leaflet", "ru"), 6: chunk("leaflet", "ru"), 7: chunk("leaflet", "uz"),
              8: chunk("note", "ru"), 9: chunk("review", "en")}
    # By the whole document, not the candidates: most of the review's candidates here are its abstracts.
    languages = {"review": {"en": 40, "ru": 5, "uz": 5}, "leaflet": {"ru": 6, "uz": 5}, "note": {"ru": 1}}
    ids = np.arange(10)
    order = first_places(ids, chunks, ids, RetrievalSettings(k=6, other_language_places=1), languages.__getitem__)
    # One place for each of the review's abstracts; a bilingual leaflet's halves and a Russian note are main.
    assert order.tolist() == [0, 2, 4, 5, 6, 7, 1, 3, 8, 9]
    order = first_places(np.array([0, 1, 9, 8]), chunks, ids, RetrievalSettings(k=2, other_language_places=0),
                         languages.__getitem__)
    assert order.tolist() == [9, 8, 0, 1]
    # Too few others to fill the places: the capped ones follow, in order.
    order = first_places(np.array([0, 1, 2]), chunks, ids, RetrievalSettings(k=5, other_language_places=1),
                         languages.__getitem__)
    assert order.tolist() == [0, 2, 1]
