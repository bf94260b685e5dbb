"""Typing slips in a question ("persits", "failre", "сердечой"): a word that no vocabulary of its
language knows, one edit from a word the sources use, is read as that word.

Only the corpus's own words are offered: reading a slip as one of them is what lets retrieval and
the support check find the passage, and a word the corpus lacks (a new drug's name) is never
changed. One edit only: a hypo- read as a hyper- takes two, and most typing slips take one. Only
languages with a word-frequency list (English, Russian): an Uzbek word's endings make too many
forms that no list holds."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from functools import cached_property, lru_cache

from qa.languages import LANGUAGES
from qa.languages.frequencies import zipf

MIN_LENGTH = 5  # shorter words are one edit from too many others
_WORD = re.compile(rf"(?<![\w'-])[^\W\d_]{{{MIN_LENGTH},}}(?![\w'-])")  # letters only: no IL-6, no o'g'il


@lru_cache(maxsize=1)
def _listed() -> frozenset[str]:
    from wordfreq import available_languages

    return frozenset(code for code in available_languages() if code in LANGUAGES)


def unknown(word: str, code: str) -> bool:
    """In no word list or dictionary of the language."""
    return zipf(word.lower(), code) == 0 and not LANGUAGES[code].known(word)


class Vocabulary:
    """The words of a corpus (lower case, letters only), the commonest first; ``texts`` is read at
    the first slip, not when the index loads."""

    def __init__(self, texts: Callable[[], Iterable[str]]) -> None:
        self._texts = texts

    @cached_property
    def _words(self) -> list[str]:
        counts = Counter(word.lower() for text in self._texts() for word in _WORD.findall(text))
        return [word for word, _ in counts.most_common()]

    @cached_property
    def _known(self) -> frozenset[str]:
        return frozenset(self._words)

    def reading(self, word: str) -> str | None:
        """The corpus word one edit from ``word`` (the commonest of several), if any."""
        from rapidfuzz import process
        from rapidfuzz.distance import DamerauLevenshtein

        low = word.lower()
        if low in self._known:
            return None
        found = process.extractOne(low, self._words, scorer=DamerauLevenshtein.distance, score_cutoff=1)
        return found[0] if found else None

    def correct(self, text: str, code: str) -> str:
        """``text`` with each slip read as its corpus word, in the case it was typed in."""
        if code not in _listed():
            return text

        def read(match: re.Match[str]) -> str:
            word = match[0]
            if not word[1:].islower() or not unknown(word, code):  # СНсФВ, HFrEF: abbreviations, not slips
                return word
            found = self.reading(word)
            if found is None:
                return word
            return found.capitalize() if word[0].isupper() else found

        return _WORD.sub(read, text)
