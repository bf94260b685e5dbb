"""Whether a text covers a question's key term, allowing for what a reader would accept as the
same word: inflections and derivations (Snowball stems, one stem the prefix of the other: stiff /
stiffens, cell / cellular); the same word in another script or language (a fold of the skeleton:
статины / statins); synonyms one glossary entry lists together (kidney / renal); a Russian or
Uzbek word's English senses; and an abbreviation for the words it abbreviates ("C-reactive
protein": CRP written in capitals). For the verdict, also a Russian or Uzbek source's words' English
senses, for a question in another language (``covers(term, senses=True)``). The question's side, which
words are key terms, is qa.languages.terms.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from functools import cached_property, lru_cache
from os.path import commonprefix

from qa.languages import ACRONYM, Language, in_script, language
from qa.languages.en import FUNCTION
from qa.languages.glossary import english_senses, glossed_languages, synonyms
from qa.text.scripts import CYRILLIC, script_of_word
from qa.text.tokens import TERM
from qa.text.translit import skeleton

_ACRONYM = re.compile(rf"^{ACRONYM}$")
_MEMO = 256  # terms remembered per text
_PREFIX = 6  # a shared skeleton prefix this long makes two spellings one word (statin / статин)
# Two words of one language and script share their spelling, not just a skeleton, for that long, and
# up to this many letters before the shorter one's end: endings differ (ventricle / ventricular),
# words built on one combining form do not (hypertension / hypertrophy, гипертензии / гипертрофии,
# cardiovascular / cardiomyocyte), nor words whose skeletons merely agree (shingles / single).
_ENDING = 3
# ...and share at least this many letters: complex / complementing share six.
_SHARED = 7
_MIN_STEM = 4  # a stem this long may be the prefix of another (cell / cellular)
# An abbreviation of 3 to 4 words: two letters (HF, OR, MI) turn up by chance in any long evidence.
_MIN_INITIALS, _MAX_INITIALS = 3, 4
_COMPOUND = 7  # a stem this long found inside a longer word is that word's head (pressor / vasopressor)


@dataclass(frozen=True)
class Term:
    text: str  # as written in the question
    forms: tuple[str, ...]  # any of these in the evidence covers the term
    # The first form is the Russian or Uzbek word itself: in Latin script (Uzbek) it may match an
    # English word by its skeleton (brutsellyozni / brucellosis); English senses match by spelling.
    foreign: bool = False
    # What a run of question words containing this one abbreviates to ("C-reactive protein": CRP):
    # covered by that abbreviation written in capitals, never by a spelling that merely resembles it.
    abbreviations: tuple[str, ...] = ()
    language: str = "en"  # the question's: a source in another language is also read through its English senses


# A Greek letter by its name (TNF-α / TNF-alpha): Unicode's, but for the one it spells otherwise.
_GREEK = re.compile(r"[\u03b1-\u03c9]")
_GREEK_NAMES = {"lamda": "lambda"}
# British ae / oe where American writes e, inside a Latin word and before the letters that follow it
# in medical words (haem-, anaesth-, aetiology, paediatric, caecum; oedema, oesophagus, diarrhoea,
# coeliac, foetal); never at a word's end (vitae, fasciae, toes) nor in a Cyrillic word once
# transliterated (большое / больше).
_BRITISH = re.compile(r"(?<=[a-z])ae(?=[mstdc])|(?<![a-z])ae(?=t)|oe(?=[dla]|s[a-z])|(?<=f)oe(?=t)")


def _greek_name(letter: re.Match[str]) -> str:
    name = unicodedata.name(letter[0]).split()[-1].lower()
    return _GREEK_NAMES.get(name, name)


@lru_cache(maxsize=200_000)  # words recur across sentences and questions: fold and stem each once
def _fold(word: str) -> str:
    """The skeleton with Russian я/ю spelled as a vowel (малярия / malaria), Uzbek Latin ts as the
    s that ц becomes elsewhere (paratsetamol / paracetamol), a Greek letter by its name and British
    ae / oe as American e."""
    low = _GREEK.sub(_greek_name, word.lower())
    if low.isascii():
        low = _BRITISH.sub("e", low)
    return skeleton(low.replace("ts", "s")).replace("ia", "a").replace("iu", "u")


@lru_cache(maxsize=2)
def _stemmer(language: str):  # type: ignore[no-untyped-def]
    import Stemmer

    return Stemmer.Stemmer(language)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Snowball stem; a Cyrillic noun's or adjective's of its dictionary form, as Snowball keeps
    the vowels that come and go (клеток / клетки, both клетка)."""
    word = word.lower().replace("ё", "е")
    entry = _stemming(script_of_word(word))
    if entry is None or entry.stemmer is None:
        return word
    return str(_stemmer(entry.stemmer).stemWord(entry.stem_form(word).replace("ё", "е")))


@lru_cache(maxsize=4)
def _stemming(script: str) -> Language | None:
    """The language whose Snowball stemmer reads words of ``script`` (the highest priority one that has one)."""
    return next((entry for entry in in_script(script) if entry.stemmer), None)


def initials(words: list[str]) -> dict[int, set[str]]:
    """The abbreviations a run of content words may go by, for each word of the run: "C-reactive
    protein" is also "CRP" (the initials of 3 to 4 consecutive words, a hyphen splitting a word),
    so the abbreviation in a source covers the words of the question."""
    out: dict[int, set[str]] = {}
    parts = [(i, part) for i, word in enumerate(words) if word.lower() not in FUNCTION
             for part in word.split("-") if part]
    for start in range(len(parts)):
        for size in range(_MIN_INITIALS, _MAX_INITIALS + 1):
            run = parts[start : start + size]
            if len(run) < size or run[-1][0] - run[0][0] > size - 1 or any(p[0].isdigit() for _, p in run):
                break
            abbreviation = "".join(p[0] for _, p in run).upper()
            for i, _ in run:
                out.setdefault(i, set()).add(abbreviation)
    return out


@lru_cache(maxsize=200_000)
def foreign_senses(word: str, languages: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """A Cyrillic word's language and English senses: the first of ``languages`` (those written in
    Cyrillic, the text's own first) that gives it any or knows it (СРБ: CRP; мия, Uzbek: brain)."""
    for code in languages:
        entry = language(code)
        senses = english_senses(entry.model_text(word, "Cyrl"), code)
        if senses or entry.known(word):  # a word its language knows without senses (так) is not tried in another
            return code, senses
    return "", ()


def _cyrillic_languages(text: str) -> tuple[str, ...]:
    """The glossed languages written in Cyrillic, those whose own letters the text uses most first
    (ў қ ғ ҳ: Uzbek), then by priority."""
    def weight(entry: Language) -> float:
        return sum(w * len(pattern.findall(text)) for pattern, w in entry.evidence.get("Cyrl", ()))

    ranked = sorted(in_script("Cyrl"), key=lambda entry: (-weight(entry), -entry.priority))
    return tuple(entry.code for entry in ranked if entry.code in glossed_languages())


def _script(word: str) -> str:
    return "C" if CYRILLIC.search(word) else "L"


class Evidence:
    """The words of some cited text, indexed for the matches ``covers`` allows."""

    def __init__(self, text: str, runs: bool = True) -> None:
        self.text = text
        self.runs = runs  # whether runs of words abbreviate (not in a list of senses: "acid sour tart" is no AST)
        self._covered: dict[Term, bool] = {}  # one answer per term: the same sentences meet many questions
        found = TERM.findall(text)
        self.capitals = {w for w in found if len(w) >= 2 and w.isupper()}  # abbreviations as written
        words = {w.lower() for w in found}
        # IL-6 is written IL6 as often (and NT-proBNP NTproBNP): a hyphenated word stands for both.
        words |= {w.replace("-", "") for w in words if "-" in w}
        self.words = words
        self.stems = {stem(w) for w in words}
        self.folds: set[str] = set()
        self.prefixes: dict[str, list[str]] = {}  # skeleton prefix → the words' scripts ("C" / "L")
        self.spellings: dict[str, list[str]] = {}  # spelling prefix → words
        for w in words:
            fold = _fold(w)
            self.folds.add(fold)
            if len(fold) >= _PREFIX:
                self.prefixes.setdefault(fold[:_PREFIX], []).append(_script(w))
            if len(w) >= _PREFIX:
                self.spellings.setdefault(w[:_PREFIX], []).append(w)

    @cached_property
    def senses(self) -> dict[str, Evidence]:
        """Per language, the English senses of this text's words in it (яичника: ovary), read as
        evidence of their own: an English question's terms are then read in a Russian source as a
        Russian question's are read in an English one; a question in the source's own language reads
        its words alone, as sense-to-sense matches of two wordings in one language add only noise."""
        senses: dict[str, list[str]] = {}
        languages = _cyrillic_languages(self.text)
        # Latin words are left as written: in a Latin source, a rare English word's Uzbek senses are noise.
        for word in sorted({w for w in TERM.findall(self.text) if CYRILLIC.search(w) and not _ACRONYM.match(w)}):
            code, found = foreign_senses(word.lower(), languages)
            senses.setdefault(code, []).extend(found)
        return {code: Evidence(" ".join(found), runs=False) for code, found in senses.items() if found}

    @cached_property
    def abbreviations(self) -> set[str]:
        """What runs of this text's words abbreviate to ("C-reactive protein" → CRP)."""
        return set().union(*initials(TERM.findall(self.text)).values()) if self.runs else set()

    @cached_property
    def _long_stems(self) -> list[str]:
        return sorted(s for s in self.stems if len(s) >= _MIN_STEM)

    @cached_property
    def _all_stems(self) -> str:
        return "\0".join(self.stems)  # one substring search for all of them

    def _shares_stem(self, root: str) -> bool:
        """A stem of at least _MIN_STEM letters that begins with ``root`` or begins ``root``: the
        first stem not before ``root`` in order, and ``root``'s own prefixes."""
        long = self._long_stems
        at = bisect_left(long, root)
        if at < len(long) and long[at].startswith(root):
            return True
        return any(root[:k] in self.stems for k in range(_MIN_STEM, len(root)))

    def _has(self, form: str, foreign: bool = False) -> bool:
        low = form.lower()
        if " " in low:  # a sense of several words ("blood pressure"): each word spoken of, as key terms are
            return all(self._has(part, foreign) for part in low.split())
        if low in self.words or low.replace("-", "") in self.words:
            return True
        if len(form) >= _MIN_INITIALS and form.isupper() and form.isalpha() and form in self.abbreviations:
            return True
        if "-" in low and not _ACRONYM.match(form):  # peri-sinusoidal / perisinusoidal, blood-brain / blood brain
            parts = [p for p in low.split("-") if p]
            return self._has(low.replace("-", ""), foreign) or (
                len(parts) > 1 and all(self._has(p, foreign) for p in parts))
        root = stem(low)
        if root in self.stems:
            return True
        if len(root) >= _MIN_STEM and self._shares_stem(root):
            return True
        if len(root) >= _COMPOUND and root in self._all_stems:  # pressor / vasopressor
            return True
        fold = _fold(low)
        if fold in self.folds:
            return True
        # Another script, or an Uzbek word against Latin text: the skeleton decides (статины / statins,
        # brutsellyozni / brucellosis).
        own = _script(low)
        scripts = self.prefixes.get(fold[:_PREFIX], []) if len(fold) >= _PREFIX else []
        if any(script != own or (foreign and own == "L") for script in scripts):
            return True
        return any(len(commonprefix([low, word])) >= max(min(len(low), len(word)) - _ENDING, _SHARED)
                   for word in self.spellings.get(low[:_PREFIX], []))

    def covers(self, term: Term, senses: bool = False) -> bool:
        """Whether the text speaks of ``term``; with ``senses``, also through the English senses of
        its words in another language than the term's (the verdict's reading; sentence choice reads
        words as written, as with senses a translated abstract outranked the body's own sentence)."""
        known = self._covered.get(term)
        if known is None:
            if len(self._covered) >= _MEMO:  # a long-lived server meets ever new terms
                self._covered.clear()
            known = self._covered[term] = self._covers(term)
        if known or not senses:
            return known
        return any(evidence.covers(term) for code, evidence in self.senses.items() if code != term.language)

    def _covers(self, term: Term) -> bool:
        if any(abbreviation in self.capitals for abbreviation in term.abbreviations):
            return True
        for i, form in enumerate(term.forms):
            if self._has(form, foreign=term.foreign and i == 0):
                return True
            if any(self._has(alternative) for alternative in synonyms().get(form.lower(), ())):
                return True
        return False


@lru_cache(maxsize=2048)
def evidence_of(text: str) -> Evidence:
    """``text`` (a sentence, a question) indexed once: a corpus's sentences are read for question
    after question."""
    return Evidence(text)


def missing(terms: list[Term], text: str) -> list[str]:
    """The key terms that ``text`` does not speak of."""
    evidence = evidence_of(text)
    return [term.text for term in terms if not evidence.covers(term)]
