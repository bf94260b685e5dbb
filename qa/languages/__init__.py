"""The language table: one entry per language (qa/languages/<code>.py) with its detection evidence,
script handling, morphology, glossary and dictionary, generic words, messages and page labels.
Adding a language means adding one module and naming it here."""

from __future__ import annotations

from qa.languages import en, ru, uz
from qa.languages.base import ACRONYM, Language, Variant

LANGUAGES: dict[str, Language] = {entry.code: entry for entry in (en.LANGUAGE, ru.LANGUAGE, uz.LANGUAGE)}
ENGLISH = LANGUAGES["en"]


def language(code: str) -> Language:
    """The entry for ``code``; English for anything unknown."""
    return LANGUAGES.get(code, ENGLISH)


def language_gap(question: str, passage: str) -> float:
    """How much lower e5 scores a passage in ``passage`` language for a ``question`` in another
    (the larger gap of the two languages; 0 for the same language)."""
    if question == passage:
        return 0.0
    return max(language(question).language_gap, language(passage).language_gap)


def translation_gap(question: str, passage: str) -> float:
    """What e5 takes off a sentence in ``passage`` language against its translation in the
    ``question``'s: the question language's measured gap (0 for the same language, and for English
    questions, where the reader's own language is the one to quote). Sentence choice adds it back,
    so a same-language sentence merely on the topic does not outscore the one that answers."""
    return 0.0 if question == passage else language(question).language_gap


def alternatives(kind: str) -> str:
    """One regex alternation of a pattern list every language declares (anaphors, number words…)."""
    return "|".join(pattern for entry in LANGUAGES.values() for pattern in getattr(entry, kind))


def in_script(script: str) -> list[Language]:
    """The languages written in ``script``, highest priority first (ties in detection go to it)."""
    return sorted((entry for entry in LANGUAGES.values() if script in entry.scripts), key=lambda e: -e.priority)


__all__ = ["ACRONYM", "ENGLISH", "LANGUAGES", "Language", "Variant", "alternatives", "in_script", "language",
           "language_gap", "translation_gap"]
