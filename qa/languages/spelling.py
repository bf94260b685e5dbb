"""Typing slips in a question ("persits", "failre", "недостаточнсти"): a word that no vocabulary of
its language knows, one slip from a word the sources use in that language, is read as that word,
and the answer says so ("failre → failure").

A slip is what a typing hand does: two letters swapped, one dropped or doubled, or a key struck
beside the right one, never at the word's first letter. So a real word the lists lack keeps its
meaning: asystolic is not systolic (first letter), macro- is not micro- (a and i are no
neighbours), hypo- is not hyper- (two edits). Only the corpus's own words are offered: a word the
sources lack cannot be found by any reading. Only languages with a word-frequency list (English,
Russian): an Uzbek word's endings make too many forms that no list holds."""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache

from qa.languages import LANGUAGES
from qa.languages.frequencies import zipf

MIN_LENGTH = 5  # shorter words are one slip from too many others
_WORD = re.compile(rf"(?<![\w'-])[^\W\d_]{{{MIN_LENGTH},}}(?![\w'-])")  # letters only: no IL-6, no o'g'il
_KEYBOARDS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю")
_MEMO = 4096  # readings kept: a new drug's name is asked about again and again


@lru_cache(maxsize=1)
def _listed() -> frozenset[str]:
    from wordfreq import available_languages

    return frozenset(code for code in available_languages() if code in LANGUAGES)


def unknown(word: str, code: str) -> bool:
    """In no word list or dictionary of the language."""
    return zipf(word.lower(), code) == 0 and not LANGUAGES[code].known(word)


def _beside(a: str, b: str) -> bool:
    return any(abs(row.find(a) - row.find(b)) == 1 for row in _KEYBOARDS if a in row and b in row)


def is_slip(typed: str, meant: str) -> bool:
    """Whether ``typed`` is ``meant`` with one slip of the hand after its first letter."""
    at = next((i for i, (a, b) in enumerate(zip(typed, meant, strict=False)) if a != b), min(len(typed), len(meant)))
    if at == 0:
        return False
    if len(typed) == len(meant):
        swapped = typed[at + 1 : at + 2] == meant[at] and meant[at + 1 : at + 2] == typed[at]
        if swapped and typed[at + 2 :] == meant[at + 2 :]:
            return True
        return typed[at + 1 :] == meant[at + 1 :] and _beside(typed[at], meant[at])
    shorter, longer = sorted((typed, meant), key=len)
    return len(longer) - len(shorter) == 1 and longer[:at] + longer[at + 1 :] == shorter


class Vocabulary:
    """Each language's words in a corpus (lower case, letters only), the commonest first; gathered
    from ``texts`` ((language, text) pairs) at the first slip, not when the index loads."""

    def __init__(self, texts: Callable[[], Iterable[tuple[str, str]]]) -> None:
        self._texts = texts
        self._lock = threading.Lock()  # a server's threads may meet their first slips together
        self._words: dict[str, list[str]] | None = None
        self._readings: dict[tuple[str, str], str | None] = {}

    def _by_language(self) -> dict[str, list[str]]:
        with self._lock:
            if self._words is None:
                counts: dict[str, Counter[str]] = {}
                for code, text in self._texts():
                    counts.setdefault(code, Counter()).update(w.lower() for w in _WORD.findall(text))
                self._words = {code: [w for w, _ in c.most_common()] for code, c in counts.items()}
            return self._words

    def reading(self, word: str, code: str) -> str | None:
        """The corpus word of language ``code`` that ``word`` is one slip from (the commonest of several)."""
        key = (word.lower(), code)
        if key not in self._readings:
            from rapidfuzz import process
            from rapidfuzz.distance import DamerauLevenshtein

            words = self._by_language().get(code, [])
            near = process.extract(key[0], words, scorer=DamerauLevenshtein.distance, score_cutoff=1, limit=None)
            found = next((w for w, distance, _ in sorted(near, key=lambda m: (m[1], m[2]))
                          if distance == 0 or is_slip(key[0], w)), None)
            if len(self._readings) >= _MEMO:
                self._readings.clear()
            self._readings[key] = None if found == key[0] else found
        return self._readings[key]

    def correct(self, text: str, code: str) -> tuple[str, list[tuple[str, str]]]:
        """``text`` with each slip read as its corpus word, in the case it was typed in; and the
        slips, (typed, read)."""
        if code not in _listed():
            return text, []
        slips: list[tuple[str, str]] = []

        def read(match: re.Match[str]) -> str:
            word = match[0]
            if not word[1:].islower() or not unknown(word, code):  # СНсФВ, HFrEF: abbreviations, not slips
                return word
            found = self.reading(word, code)
            # One dictionary form is grammar, not a slip (зилтивекимаба, the genitive of зилтивекимаб).
            if found is None or LANGUAGES[code].stem_form(word.lower()) == LANGUAGES[code].stem_form(found):
                return word
            found = found.capitalize() if word[0].isupper() else found
            slips.append((word, found))
            return found

        return _WORD.sub(read, text), slips
