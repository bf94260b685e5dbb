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


def alternatives(kind: str) -> str:
    """One regex alternation of a pattern list every language declares (anaphors, number words…)."""
    return "|".join(pattern for entry in LANGUAGES.values() for pattern in getattr(entry, kind))


def in_script(script: str) -> list[Language]:
    """The languages written in ``script``, highest priority first (ties in detection go to it)."""
    return sorted((entry for entry in LANGUAGES.values() if script in entry.scripts), key=lambda e: -e.priority)


__all__ = ["ACRONYM", "ENGLISH", "LANGUAGES", "Language", "Variant", "alternatives", "in_script", "language"]
