"""Key terms of a question, and whether cited text covers each of them.

A passage can be on the question's topic and still not answer it: "Which company manufactures
ziltivekimab?" finds the HERMES passage, which never names a company. e5 cannot tell the two apart
(the passage is close to the question either way), so the verdict (qa.answer.verdict) also reads which key
terms of the question (content words: a drug, disease, population, organisation…) appear in the
cited evidence, allowing for what a reader would accept as the same word:
- inflections and derivations (Snowball stems, and one stem being a prefix of the other:
  stiff / stiffens, cell / cellular);
- the same word in another script or language (a fold of the skeleton: статины / statins);
- synonyms that one glossary entry lists together (kidney / renal, death / mortality);
- for Russian and Uzbek questions, any English sense the clinical glossary gives the word.
Relation words (increase, linked, predict, happen) and question words carry no topic of their own
and are never required. A Russian or Uzbek verb is required only as its English would be: when the
glossary translates it and none of its senses is a relation word (производит → manufacture, as
"manufactures" is required in English; лечат → treat is not).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import cached_property, lru_cache
from os.path import commonprefix

from qa.languages import ACRONYM, ENGLISH, LANGUAGES, Language, in_script, language
from qa.languages.en import FUNCTION, RELATION
from qa.languages.glossary import glossed_words, synonyms
from qa.text.scripts import CYRILLIC, script_of_word
from qa.text.tokens import TERM
from qa.text.translit import skeleton

_ACRONYM = re.compile(rf"^{ACRONYM}$")
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
# The noun right after "which / what" names the kind of answer, not its topic ("which drug",
# "which cells", "which company"): the answer names a drug or cells, it need not say "drug".
_FOCUS: frozenset[str] = frozenset().union(*(entry.focus for entry in LANGUAGES.values()))
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


@lru_cache(maxsize=200_000)  # words recur across sentences and questions: fold and stem each once
def _fold(word: str) -> str:
    """The skeleton with Russian я/ю spelled as a vowel (малярия / malaria) and Uzbek Latin ts as the
    s that ц becomes elsewhere (paratsetamol / paracetamol)."""
    return skeleton(word.lower().replace("ts", "s")).replace("ia", "a").replace("iu", "u")


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


def _focus_words(text: str) -> set[str]:
    """The first content word after each "which / what": the kind of thing asked for."""
    words = TERM.findall(text)
    focus = set()
    for i, word in enumerate(words):
        if word.lower() in _FOCUS:
            # "what kind of drug": the answer type may follow a few function words; a generic noun
            # right after "which" ("which conditions", "which patients") is itself the answer type,
            # and the topic words after it stay key terms.
            following = [w for w in words[i + 1 : i + 4] if not _ACRONYM.match(w) and w.lower() not in FUNCTION]
            if following:
                focus.add(following[0].lower())
    return focus


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


def _english_terms(text: str, focus: set[str]) -> list[Term]:
    out, words = [], TERM.findall(text)
    abbreviations = initials(words)
    for i, word in enumerate(words):
        if _ACRONYM.match(word):
            out.append(Term(word, (word,)))
        elif len(word) >= 3 and not ENGLISH.generic(word) and word.lower() not in focus:
            out.append(Term(word, (word,), abbreviations=tuple(sorted(abbreviations.get(i, ())))))
    return out


def key_terms(text: str, code: str, embed_text: str = "") -> list[Term]:
    """The content words an answer must speak of (``question_terms``' first list)."""
    return question_terms(text, code, embed_text)[0]


def question_terms(text: str, code: str, embed_text: str = "") -> tuple[list[Term], list[Term]]:
    """The key terms: the content words an answer must speak of. Uzbek is read in the Latin that
    ``embed_text`` holds; a Russian or Uzbek word the glossary knows is covered by any of its
    English senses.

    And the words naming the kind of answer asked for ("which receptor complex", "qaysi signal
    yo'li"), with their English senses: never required (the answer names a receptor, it need not
    say "receptor"), but a sentence that says "receptor" or "pathway" is likelier to be the one that
    names it. Generic ones ("which conditions") are relation terms instead."""
    if code not in LANGUAGES or code == ENGLISH.code:
        focus = _focus_words(text)
        return _english_terms(text, focus), [Term(w, (w,)) for w in sorted(focus) if not ENGLISH.generic(w)]
    entry = language(code)
    source = embed_text or text
    focus = _focus_words(source)
    out, kinds = [], []
    glossed = glossed_words(source, code)
    # A run abbreviates by its own initials (С-реактивный белок: СРБ) and its English senses' (CRP).
    abbreviations = initials([word for word, _ in glossed])
    for i, more in initials([senses[0] if senses else word for word, senses in glossed]).items():
        abbreviations.setdefault(i, set()).update(more)
    for position, (word, senses) in enumerate(glossed):
        low, head = word.lower(), word.split()[0].lower()
        short = tuple(sorted(abbreviations.get(position, ())))
        if head in focus and not entry.generic(head):
            content = tuple(sense for sense in senses if not ENGLISH.generic(sense))
            if content or not senses:
                kinds.append(Term(word, (word, *content), foreign=True))
        # A verb is required as its English would be ("manufactures", "transmitted"), and never when
        # the glossary does not translate it or any of its senses is a relation word in English
        # ("improve", "treat", "cause").
        relation = " " not in word and not _ACRONYM.match(word) and entry.relation(word)
        if relation and senses and not any(ENGLISH.generic(sense) for sense in senses):
            out.append(Term(word, (word, *senses), True, short))
            continue
        if low in focus or entry.generic(low) or relation:
            continue
        # Beyond the glossary: Russian lemmas (почек → почка), the general Uzbek dictionary (bezgak → malaria).
        senses = senses or entry.senses(word) or (_glossed_forms(word, code) if entry.gloss_forms else ())
        if senses:
            content = tuple(s for s in senses if not ENGLISH.generic(s))
            if content:
                out.append(Term(word, (word, *content), True, short))
            continue
        if len(word) >= 3:
            out.append(Term(word, (word,), True, short))
    return out, kinds


def _glossed_forms(word: str, code: str) -> tuple[str, ...]:
    """The glossary's senses of the word's first dictionary form (клеток → клетка)."""
    return next((senses for form in language(code).forms(word) for _, senses in glossed_words(form, code)), ())


def _script(word: str) -> str:
    return "C" if CYRILLIC.search(word) else "L"


def relation_terms(english: str, terms: list[Term]) -> list[Term]:
    """The relation words of an English question or gloss ("spread", "happen", "time") that no key
    term already stands for: never required for support, but they tell the sentence that answers
    ("It spreads through contaminated water") from one that only names the topic."""
    seen = {stem(form) for term in terms for form in term.forms}
    out = []
    for word in TERM.findall(english):
        root = stem(word)
        if len(word) >= 3 and word.lower() in RELATION and root not in seen:
            seen.add(root)
            out.append(Term(word, (word,)))
    return out


class Evidence:
    """The words of some cited text, indexed for the matches ``covers`` allows."""

    def __init__(self, text: str) -> None:
        self.text = text
        found = TERM.findall(text)
        self.capitals = {w for w in found if len(w) >= 2 and w.isupper()}  # abbreviations as written
        words = {w.lower() for w in found}
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
    def abbreviations(self) -> set[str]:
        """What runs of this text's words abbreviate to ("C-reactive protein" → CRP)."""
        return set().union(*initials(TERM.findall(self.text)).values())

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
        if low in self.words:
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

    def covers(self, term: Term) -> bool:
        if any(abbreviation in self.capitals for abbreviation in term.abbreviations):
            return True
        for i, form in enumerate(term.forms):
            if self._has(form, foreign=term.foreign and i == 0):
                return True
            if any(self._has(alternative) for alternative in synonyms().get(form.lower(), ())):
                return True
        return False


def missing(terms: list[Term], text: str) -> list[str]:
    """The key terms that ``text`` does not speak of."""
    evidence = Evidence(text)
    return [term.text for term in terms if not evidence.covers(term)]
