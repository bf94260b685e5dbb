"""Uzbek or Russian → English glossing of a question (dictionary-based query translation).

e5-small barely knows Uzbek: common clinical words (buyrak "kidney", keksa "elderly", yurak
"heart") embed no closer to their English than to unrelated words; and it ranks any Russian text
above the English passage that answers a Russian question. No translation model ships offline, so
curated clinical glossaries (``qa/languages/<code>/glossary.tsv``) turn a question into an English
paraphrase that the model and the lexical leg both understand. Both languages inflect, so a word
matches the longest glossary stem it starts with, provided what follows is an ending.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from qa.languages import LANGUAGES
from qa.languages import language as language_entry
from qa.text.tokens import GLOSS
from qa.text.translit import plain_apostrophes

_KEEP = re.compile(r"^(?:[A-Z]{2,}[\w-]*|\w*\d\w*)$")  # acronyms and gene names: IL-6, NT-proBNP
_ENDED = re.compile(r"^([A-Z]{2,}[\d-]*)[a-z']+$")  # an acronym with an Uzbek ending: SRBni, MRTda
_EXACT_BELOW = 3  # shorter entries (ni, ли, до) match whole words only


@lru_cache(maxsize=1)
def glossed_languages() -> tuple[str, ...]:
    return tuple(code for code, entry in LANGUAGES.items() if entry.glossary)


class _GlossaryFile(NamedTuple):
    entries: dict[str, str]  # stem → its English senses, space-joined (what a gloss says)
    senses: dict[str, tuple[str, ...]]  # stem → its English senses, each whole ("blood pressure" is one)
    whole: frozenset[str]  # stems marked "=": the word itself or its dictionary form, never a longer word
    meanings: tuple[tuple[str, ...], ...]  # per entry and meaning, the English senses that are synonyms


@lru_cache(maxsize=4)
def _glossary_file(code: str) -> _GlossaryFile:
    """The entries, those marked ``=`` (a short word that matches itself or its dictionary form,
    never as the stem of a longer word: час "hour" / часто "often"), and the synonym groups. Senses
    separated by "," say the same thing (kidney, renal); "|" separates the meanings of an ambiguous
    word (тиф: typhoid | typhus), which the gloss gives together but which are not synonyms."""
    file = language_entry(code).glossary
    text = file.read_text(encoding="utf-8") if file else ""
    entries: dict[str, str] = {}
    senses: dict[str, tuple[str, ...]] = {}
    whole: set[str] = set()
    meanings: list[tuple[str, ...]] = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        source, _, english = line.partition("\t")
        key = normalise(source.rstrip("="))
        if source.endswith("="):
            whole.add(key)
        groups = [tuple(s.strip() for s in meaning.split(",") if s.strip()) for meaning in english.split("|")]
        senses[key] = tuple(sense for group in groups for sense in group)
        entries[key] = " ".join(senses[key])
        meanings += [group for group in groups if group]
    return _GlossaryFile(entries, senses, frozenset(whole), tuple(meanings))


def glossary(code: str) -> dict[str, str]:
    return _glossary_file(code).entries


def sense_words(senses: tuple[str, ...]) -> list[str]:
    """Every word of every sense: what a sense of several words ("blood pressure") weighs word by word."""
    return [word for sense in senses for word in sense.split()]


def normalise(text: str) -> str:
    """Lower case, one apostrophe, ё as е, and "ts" as "s" (alifbo writes ц as ts: fraktsiya / fraksiya)."""
    return plain_apostrophes(text.lower()).replace("ts", "s").replace("ё", "е").strip()


def _fits(word: str, stem: str, language: str) -> bool:
    if not word.startswith(stem):
        return False
    rest = word[len(stem) :]
    if not rest:
        return True
    if stem in _glossary_file(language).whole:
        return False
    length = len(stem.replace(" ", ""))
    if length < _EXACT_BELOW:
        return False
    return language_entry(language).gloss_ending(rest, length)


def _longest(text: str, entries: dict[str, str], language: str) -> str | None:
    for cut in range(len(text), 0, -1):
        stem = text[:cut]
        if stem in entries and _fits(text, stem, language):
            return stem
    return None


@lru_cache(maxsize=2)
def _phrases(language: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((key, tuple(key.split())) for key in glossary(language) if " " in key)


def _phrase(words: list[str], entries: dict[str, str], language: str) -> str | None:
    """A two-word entry whose words each fit the next two words, as written or by a dictionary form
    ("головной боли" → "головн бол"; "брюшном тифе" → "брюшной тиф", "ветряную оспу" → "ветрян оспа")."""
    if len(words) < 2:
        return None
    first, second = (_written_and_forms(word, language) for word in words[:2])
    for key, (a, b) in _phrases(language):
        if any(_fits(form, a, language) for form in first) and any(_fits(form, b, language) for form in second):
            return key
    return None


def _written_and_forms(word: str, language: str) -> tuple[str, ...]:
    """The word as written, and its dictionary forms where the language's stems miss inflections
    (Russian). An Uzbek form can be another word's stem ("ichib" drinking → ich, belly)."""
    forms = _forms(word, language) if language_entry(language).gloss_forms else ()
    return tuple(dict.fromkeys((normalise(word), *forms)))


def _forms(word: str, language: str) -> tuple[str, ...]:
    """The word's dictionary forms (from the language's analyser), normalised as the entries are."""
    return tuple(map(normalise, language_entry(language).forms(word)))


def _by_form(word: str, entries: dict[str, str], language: str) -> str | None:
    """The first dictionary form of the word that is an entry."""
    return next((form for form in _forms(word, language) if form in entries), None)


def glossed_words(question: str, language: str) -> list[tuple[str, tuple[str, ...]]]:
    """Each word (or two-word phrase) of the question with its English senses: () for a word the
    glossary does not know, the word itself for an acronym; function words are left out. A sense of
    several words ("blood pressure") stays one sense: its words are not each the word's meaning."""
    if language not in glossed_languages():
        return []
    file = _glossary_file(language)
    entries = file.entries
    words = GLOSS.findall(question)
    out: list[tuple[str, tuple[str, ...]]] = []
    i = 0
    while i < len(words):
        word = words[i]
        if _KEEP.match(word):  # an acronym stays itself, and gains its English when the glossary has it (АПФ → ACE)
            out.append((word, (word, *_acronym(word, language))))
            i += 1
            continue
        stem, width = _phrase(words[i : i + 2], entries, language), 2
        if stem is None:
            stem, width = _by_form(word, entries, language) or _longest(normalise(word), entries, language), 1
        if stem is None:
            out.append((word, ()))
        elif entries[stem]:
            out.append((" ".join(words[i : i + width]), file.senses[stem]))
        i += width
    return out


def english_senses(word: str, language: str) -> tuple[str, ...]:
    """One word's English senses: the glossary's, as written or under the word's first dictionary form
    (клеток → клетка), else the language's general dictionary's (сыворотка → serum); none for a word
    the glossary lists without senses (что, при: function words)."""
    entry = language_entry(language)
    glossed = glossed_words(word, language)
    if not glossed:
        return ()
    senses = glossed[0][1] if len(glossed) == 1 and glossed[0][1] != (word,) else ()
    if not senses and entry.gloss_forms:
        senses = next((found for form in entry.forms(word) for _, found in glossed_words(form, language)), ())
    return senses or entry.senses(word)


def _acronym(word: str, language: str) -> tuple[str, ...]:
    """An acronym's English senses: from the question's own glossary; else from the abbreviations
    (entries marked "=") of the glossaries its readers borrow from, spelled in each of its scripts
    and without an ending (an Uzbek SRBni is the Russian СРБ)."""
    entry = language_entry(language)
    senses = glossary(language).get(normalise(word), "")
    ended = _ENDED.match(word)
    forms = [normalise(form) for form in dict.fromkeys((word, ended[1] if ended else word))]
    spellings = [normalise(entry.to_script(form, script)) if entry.to_script else form
                 for form in forms for script in entry.scripts]
    for code in (other for other in entry.borrows if not senses and other in glossed_languages()):
        file = _glossary_file(code)
        senses = next((file.entries[s] for s in dict.fromkeys(spellings) if s in file.whole and file.entries[s]), "")
    return tuple(sense for sense in senses.split() if sense.lower() != word.lower())


class Gloss(NamedTuple):
    text: str  # the question in English words, as far as the glossary and dictionary reach
    content: int  # the question's content words (acronyms and numbers aside)
    translated: int  # of them, those given an English sense

    @property
    def share(self) -> float:
        return self.translated / self.content if self.content else 0.0


def to_english(question: str, language: str, fallback: int = 0) -> Gloss:
    """The question glossed into English (empty for other languages).

    Uzbek comes in old Latin (see qa.text.translit). Words neither the glossary nor the dictionary knows
    stay as they are: they are often shared terms (kortikosteroid, биомаркер) that the lexical leg
    matches. With ``fallback``, a word the glossary does not know is given that many senses from the
    language's own dictionary in its place (the general Uzbek dictionary: bezgak → malaria): e5
    cannot read the Uzbek word, so keeping it beside its senses only blurs the gloss."""
    entry = language_entry(language)
    parts, content, translated = [], 0, 0
    for word, senses in glossed_words(question, language):
        if senses == (word,):  # an acronym or a number: already the same in English
            parts.append(word)
            continue
        content += 1
        if not senses and fallback:
            senses = entry.senses(word)[:fallback]
        translated += bool(senses)
        parts.append(" ".join(senses) if senses else word)
    return Gloss(" ".join(parts), content, translated)


@lru_cache(maxsize=1)
def synonyms() -> dict[str, frozenset[str]]:
    """English words that one glossary entry gives as senses of the same meaning (kidney / renal,
    death / mortality, harmful / deleterious): a small clinical thesaurus for free. The meanings of
    an ambiguous word are not synonyms: тиф gives typhoid and typhus, and neither stands for the other."""
    groups: dict[str, set[str]] = {}
    for code in glossed_languages():
        for meaning in _glossary_file(code).meanings:
            words = [w for sense in meaning for w in sense.split() if w.isalpha()]
            for word in words:
                groups.setdefault(word, set()).update(words)
    return {word: frozenset(group) for word, group in groups.items()}
