"""Key terms of a question: the words cited text must cover (qa.languages.evidence decides whether it does).

A passage can be on the question's topic and still not answer it: "Which company manufactures
ziltivekimab?" finds the HERMES passage, which never names a company. e5 cannot tell the two apart
(the passage is close to the question either way), so the verdict (qa.answer.verdict) also reads which key
terms of the question (content words: a drug, disease, population, organisation…) appear in the
cited evidence. For Russian and Uzbek questions a term also carries the English senses the clinical
glossary gives the word. Relation words (increase, linked, predict, happen) and question words
carry no topic of their own and are never required. A Russian or Uzbek verb is required only as
its English would be: when the glossary translates it and none of its senses is a relation word
(производит → manufacture, as "manufactures" is required in English; лечат → treat is not).
"""

from __future__ import annotations

import re
from dataclasses import replace

from qa.languages import ACRONYM, ENGLISH, LANGUAGES, language
from qa.languages.en import AUXILIARIES, COPULAS, FUNCTION, KIND_MARKERS, RELATION, clitic_base
from qa.languages.evidence import Term, initials, stem
from qa.languages.glossary import english_senses, glossed_words, sense_words
from qa.text.tokens import TERM
from qa.text.translit import plain_apostrophes

_ACRONYM = re.compile(rf"^{ACRONYM}$")

# The noun right after "which / what" names the kind of answer, not its topic ("which drug",
# "which cells", "which company"): the answer names a drug or cells, it need not say "drug".
_FOCUS: frozenset[str] = frozenset().union(*(entry.focus for entry in LANGUAGES.values()))


def _focus_words(text: str) -> set[str]:
    """The first content word after each "which / what" used as a determiner: the kind of thing
    asked for. Used as a pronoun ("What does dapagliflozin do?", "What is dapagliflozin?") it
    names no kind, and the words after it stay key terms."""
    words = [part for word in TERM.findall(text) for part in _split_clitic(word)]
    focus = set()
    for i, word in enumerate(words):
        if word.lower() not in _FOCUS:
            continue
        rest = [w.lower() for w in words[i + 1 : i + 4]]
        if rest and rest[0] in AUXILIARIES:
            continue
        if rest and rest[0] in COPULAS and rest[1:2] != ["the"]:
            if len(rest) == 3 and rest[2] in KIND_MARKERS and rest[1] not in FUNCTION:
                focus.add(rest[1])  # "What are symptoms of…"
            continue
        # "what kind of drug": the answer type may follow a few function words; a generic noun
        # right after "which" ("which conditions", "which patients") is itself the answer type,
        # and the topic words after it stay key terms.
        following = [w for w in words[i + 1 : i + 5] if not _ACRONYM.match(w) and w.lower() not in FUNCTION]
        if following:
            focus.add(following[0].lower())
    return focus


def _split_clitic(word: str) -> tuple[str, ...]:
    """The word as a key term reads it (possessive_base), or "what's" as "what" and "is"."""
    base = clitic_base(word)
    return (base, "is") if base != word and base.lower() in _FOCUS else (possessive_base(word),)


# A possessive ('s, or ' after a plural's s) on a common noun or an acronym: "review's" is read as
# "review" (its frequency, the word a caveat names), "IL-6's" as IL-6. A name keeps it: the possessive
# is part of "Crohn's" or "Bell's" (palsy), and Bell alone is a common word.
_POSSESSIVE = re.compile(r"(?:'s|(?<=s)')$", re.I)
_CLOSING_QUOTE = re.compile(r"(?<![sS])'$")  # "is 'stiff' and": a quote mark, not part of the word


def possessive_base(word: str) -> str:
    word = _CLOSING_QUOTE.sub("", word)
    base = _POSSESSIVE.sub("", word)
    return base if base != word and (base.islower() or _ACRONYM.match(base)) else word


def _english_terms(text: str, focus: set[str]) -> list[Term]:
    out, words = [], TERM.findall(text)
    abbreviations = initials(words)
    imperatives = ENGLISH.imperatives(text)
    for i, written in enumerate(words):
        word = possessive_base(written)
        if (word != written and ENGLISH.generic(written)) or word.lower() in imperatives:  # "WHAT'S"; "List…"
            continue
        if _ACRONYM.match(word):
            out.append(Term(word, (word,)))
        elif len(word) >= 3 and not ENGLISH.generic(word) and word.lower() not in focus:
            out.append(Term(word, (word,), abbreviations=tuple(sorted(abbreviations.get(i, ())))))
    return out


def _once(terms: list[Term]) -> list[Term]:
    """Each term once: a word the question repeats ("in acute HF, or in chronic HF") is one term to
    cover, with every form and abbreviation its occurrences carry."""
    merged: dict[str, Term] = {}
    for term in terms:
        seen = merged.setdefault(term.text.lower(), term)
        if seen is not term:
            merged[term.text.lower()] = replace(seen, forms=tuple(dict.fromkeys((*seen.forms, *term.forms))),
                                                abbreviations=tuple(sorted({*seen.abbreviations, *term.abbreviations})))
    return list(merged.values())


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
        text = plain_apostrophes(text)  # "isn’t" as typed on a phone is one word, not "isn" and "t"
        focus = _focus_words(text)
        return _once(_english_terms(text, focus)), [Term(w, (w,)) for w in sorted(focus) if not ENGLISH.generic(w)]
    entry = language(code)
    source = embed_text or text
    focus = _focus_words(source)
    out, kinds = [], []
    glossed = glossed_words(source, code)
    imperatives = entry.imperatives(source)
    # A run abbreviates by its own initials (С-реактивный белок: СРБ) and its English senses' (CRP).
    abbreviations = initials([word for word, _ in glossed])
    for i, more in initials([senses[0].split()[0] if senses else word for word, senses in glossed]).items():
        abbreviations.setdefault(i, set()).update(more)
    for position, (word, senses) in enumerate(glossed):
        low, head = word.lower(), word.split()[0].lower()
        short = tuple(sorted(abbreviations.get(position, ())))
        if head in focus and not entry.generic(head):
            content = _content(senses)
            if content or not senses:
                kinds.append(Term(word, (word, *content), foreign=True, language=code))
        if low in imperatives:  # "…markerini ayting": asks the reader
            continue
        # A verb is required as its English would be ("manufactures", "transmitted"), and never when
        # the glossary does not translate it or any of its senses is a relation word in English
        # ("improve", "treat", "cause").
        relation = " " not in word and not _ACRONYM.match(word) and entry.relation(word)
        if relation and senses and not any(map(ENGLISH.generic, sense_words(senses))):
            out.append(Term(word, (word, *senses), True, short, code))
            continue
        if low in focus or entry.generic(low) or relation:
            continue
        # Beyond the glossary: Russian lemmas (почек → почка), then the general dictionaries (bezgak →
        # malaria, сыворотка → serum).
        senses = senses or english_senses(word, code)
        if senses:
            content = _content(senses)
            if content:
                out.append(Term(word, (word, *content), True, short, code))
            continue
        if len(word) >= 3:
            out.append(Term(word, (word,), True, short, code))
    return _once(out), _once(kinds)


def _content(senses: tuple[str, ...]) -> tuple[str, ...]:
    """Each English sense without its generic words: "shortness of breath" is shortness breath, and
    "how many" (сколько) nothing to cover."""
    kept = (" ".join(word for word in sense.split() if not ENGLISH.generic(word)) for sense in senses)
    return tuple(sense for sense in kept if sense)


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
