"""Language (en / ru / uz) and script (Latn / Cyrl) of a question or a passage.

The script comes from the letters. Among the languages written in that script (qa.languages), each
scores py3langid's probability (restricted to en / ru / uz) plus its own evidence: letters and
words only it uses (ў қ ғ ҳ → Uzbek; ы щ → Russian; oʻ/gʻ → Uzbek Latin). langdetect, which has no
Uzbek, adds its votes (its "bg" for Uzbek Cyrillic counts for Uzbek) only when they can change the
answer: its probabilities sum to at most 1, so a lead of more than 1 is final (it costs ~5 ms a call,
a fifth of a query's encode). Indexing also skips it for long sentences, where py3langid and the
letters are evidence enough.
"""

from __future__ import annotations

import re
from functools import lru_cache

from qa.languages import ACRONYM, LANGUAGES, in_script
from qa.text.scripts import is_cyrillic
from qa.text.tokens import LETTERS, TWO_LETTERS

_ACRONYM = re.compile(rf"\b{ACRONYM}\b")
DECISIVE_LEAD = 1.0  # langdetect's votes sum to at most this
LEXICON_WEIGHT = 2.0
SHORT_SENTENCE = 40  # characters: below this even indexing asks langdetect
MIN_OWN_WORDS = 2


def script_of(text: str) -> str:
    """The script with more letters; but when only the other one's function words occur, that one:
    Latin names can outspell a Russian sentence's own words ("Активен в отношении Staphylococcus
    aureus, Corynebacterium diphtheriae…"), which then passed for English, formed a section and a
    chunk of its own, and drew Russian questions about anything to it."""
    cyrillic = sum(map(is_cyrillic, text))
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    by_letters = "Cyrl" if cyrillic > latin else "Latn"
    if cyrillic and latin:
        words = {w.lower() for w in LETTERS.findall(text)}
        grammar = {script for script, function in _function_words().items() if words & function}
        if len(grammar) == 1:
            return grammar.pop()
    return by_letters


@lru_cache(maxsize=1)
def _function_words() -> dict[str, frozenset[str]]:
    out: dict[str, frozenset[str]] = {}
    for entry in LANGUAGES.values():
        for script, words in entry.function_words.items():
            out[script] = out.get(script, frozenset()) | words
    return out


@lru_cache(maxsize=1)
def _identifier():  # type: ignore[no-untyped-def]
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
    ident.set_languages(list(LANGUAGES))
    return ident


def _langid_scores(text: str) -> dict[str, float]:
    ranked = _identifier().rank(text)
    return {lang: float(p) for lang, p in ranked}


def _langdetect(text: str) -> dict[str, float]:
    try:
        from langdetect import DetectorFactory, detect_langs

        DetectorFactory.seed = 0  # deterministic
        return {p.lang: float(p.prob) for p in detect_langs(text)}
    except Exception:  # langdetect raises on text without letters
        return {}


def _own_words(words: str) -> list[str]:
    """The words of a text with Latin abbreviations taken out, less single letters and all-capital
    words (СРБ, ИЛ: abbreviations in any script)."""
    return [word for word in LETTERS.findall(words) if len(word) >= 2 and not word.isupper()]


def too_short_to_tell(text: str) -> bool:
    """Fewer than two words of its own besides names and abbreviations ("СРБ?", "А ARNI?",
    "Зилтивекимаб?"): a drug's name is spelled alike in Russian and Uzbek, and no model of letters
    tells the languages of a script apart on one word. Only such a question reads the chat's language."""
    return len(_own_words(_ACRONYM.sub(" ", text))) < MIN_OWN_WORDS


def _unmarked(text: str, words: str, script: str, previous: tuple[str, str] | None) -> tuple[str, str]:
    """A question too short to tell by its letters: the one language whose vocabulary knows its own
    words (Dozasi?, Хавфлими?); else the chat's language when it writes in the same script (or the
    question has no letters besides names); else the one language whose own letters or words it
    has, or whose mark of a follow-up it bears, names and abbreviations included (ARNI-chi?); else
    the script's first language (Russian for Cyrillic, English for Latin)."""
    candidates = in_script(script)
    own = _own_words(words)
    knowing = [entry for entry in candidates if own and any(entry.known(word) for word in own)]
    if len(knowing) == 1:
        return knowing[0].code, script
    if previous is not None and (previous[1] == script or not LETTERS.search(words)):
        return previous
    marked = [entry for entry in candidates
              if any(p.search(words.lower()) for p, _ in entry.evidence.get(script, ()))
              or any(re.search(mark, text.strip(), re.I) for mark in entry.continuations)]
    return (marked[0] if len(marked) == 1 else candidates[0]).code, script


def detect(text: str, second_opinion: bool = True, previous: tuple[str, str] | None = None) -> tuple[str, str]:
    """Return (language, script) for any text, short questions included.

    ``second_opinion=False`` skips langdetect for long passage sentences. ``previous``: the
    language and script of the chat's earlier question, for a question too short to tell."""
    words = _ACRONYM.sub(" ", text)
    if second_opinion and too_short_to_tell(text):  # questions only: names say nothing of the script
        return _unmarked(text, words, script_of(words) if LETTERS.search(words) else script_of(text), previous)
    script = script_of(text)
    candidates = in_script(script)
    if not TWO_LETTERS.search(words):
        return candidates[0].code, script
    langid = _langid_scores(words)
    scores = {}
    for entry in candidates:
        score = langid.get(entry.code, 0.0)
        for pattern, weight in entry.evidence.get(script, ()):
            score += weight * len(pattern.findall(words))
        scores[entry.code] = score
    ranked = sorted(scores.values(), reverse=True)
    close = len(ranked) > 1 and ranked[0] - ranked[1] <= DECISIVE_LEAD
    if close and (second_opinion or len(words) < SHORT_SENTENCE):
        # Each language's share of the words some vocabulary knows (names and abbreviations none
        # knows say nothing), then langdetect's votes.
        if second_opinion:  # questions only: indexed sentences keep the labels their chunker version gave
            tokens = [token for token in LETTERS.findall(words) if not token.isupper()]
            known = {entry.code: {token for token in tokens if entry.known(token)} for entry in candidates}
            told = set().union(*known.values())
            for entry in candidates:
                scores[entry.code] += LEXICON_WEIGHT * len(known[entry.code]) / max(1, len(told))
        votes = _langdetect(words)
        for entry in candidates:
            labels = entry.langdetect_labels.get(script, ())
            scores[entry.code] += sum(p for label, p in votes.items() if label in labels)
    # Highest score wins; a tie goes to the language listed first (the higher priority).
    best = max(candidates, key=lambda entry: (scores[entry.code], entry.priority))
    return best.code, script
