"""Uzbek morphology from ZirhUzMorph (33k stems from the O'zbek tilining izohli lug'ati, a suffix
grammar with its sound rules): the dictionary forms a word can be looked up under, and whether it
is a finite verb or verbal form (a relation, not a topic).

The analyser writes the "new" Latin alphabet (ö ğ ş ç); qa reads the 1995 spelling (o' g' sh ch),
the one the glossary, the general dictionary and e5 use, so forms are converted back."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from qa.text.translit import plain_apostrophes

# Noun endings, chained: plural, possessive, case, derivation, copula/question.
NOUN_ENDING = re.compile(
    r"^(?:lar)?(?:imiz|ingiz|im|ing|i|si|ni|m|ng)?(?:ning|ni|ga|ka|qa|da|ta|dan|tan|dagi|gacha|day|dek)?"
    r"(?:li|lik|siz)?(?:mi|dir|ku|chi)?$"
)
_TO_1995 = str.maketrans({"ö": "o'", "ğ": "g'", "ş": "sh", "ç": "ch", "Ö": "O'", "Ğ": "G'", "Ş": "Sh", "Ç": "Ch"})
# Suffixes that make a new word (kasal → kasallik "disease", davo → davola "treat", qutur → quturish
# "rabies"): a form with them is a headword of its own, tried before the bare stem.
DERIVATION = frozenset({"LIK", "CHI", "CHILIK", "SIZ", "LI", "DOSH", "ROQ", "LA", "AGENT", "VN.ISH", "VN.UV", "GULIK",
                        "GICH", "PASS", "REFL", "RECP", "CAUS"})
# A verb carrying any of these is conjugated or a participle / converb (the analyser's own tags: -gach,
# -gani, -guncha, -masdan are converbs too): it relates, it names no topic.
FINITE = frozenset({"PST", "PRF", "PROG", "PROG2", "PRS", "PERS", "PTCP", "PTCP.PROG", "PTCP.FUT", "CVB", "COND",
                    "FUT", "INT", "NEG", "AOR", "CVB.GACH", "CVB.GANI", "CVB.GUNCHA", "CVB.GUDAY", "CVB.GANCHA",
                    "CVB.NEG"})
# The analyser's imperatives (ayting, to'ldiring, ko'rib chiqaylik). Not among FINITE: a noun with
# "your" is often spelled as one (boshingiz: your head, or "start!"). The bare stem it reads as a
# command (IMP2S) is left out too: over a noun (havola, o'rta) it is a misreading.
IMPERATIVE = frozenset({"IMP1P", "IMP2", "IMP2P", "IMP3", "OPT1"})


def noun_ending(rest: str) -> bool:
    """Whether ``rest`` is a chain of noun endings (bemor + lar + da)."""
    return bool(NOUN_ENDING.match(rest))


@lru_cache(maxsize=1)
def _analyzer() -> Any:
    from zirhuzmorph import Analyzer  # 0.2 s to load: on the first Uzbek word, not at import

    return Analyzer()


def _old(text: str) -> str:
    return text.translate(_TO_1995)


@lru_cache(maxsize=50_000)
def _readings(word: str) -> tuple[Any, ...]:
    """The analyses of a word, cheapest first. The analyser orders analyses of equal cost as a set
    iterates, which changes with the process's hash seed; here a fixed order, a noun's first (yozing:
    "your summer" before "write!"), so that a word reads the same in every run."""
    if not word.strip():
        return ()
    analyses = _analyzer().analyze(plain_apostrophes(word.lower()))
    return tuple(sorted(analyses, key=lambda a: (a.cost, a.pos != "N", a.tagged())))


def _best(word: str) -> Any:
    readings = _readings(word)
    return readings[0] if readings else None


@lru_cache(maxsize=50_000)
def forms(word: str) -> tuple[str, ...]:
    """Dictionary forms of an Uzbek word (Latin or Cyrillic), most specific first: the stem with its
    derivational suffixes (kasalligi → kasallik), the bare stem (chaqqanda → chaq), then a verb's
    infinitive (chaqmoq). Empty for a word the analyser cannot split."""
    analysis = _best(word)
    if analysis is None:
        return ()
    lemma = _old(analysis.lemma).lower()
    out = []
    derived = lemma
    for piece, tag in analysis.morphs:
        if tag not in DERIVATION or not piece:
            break
        derived += _old(piece).lower()
        out.append(derived)
    # The surface of a derived form ends as it does inside the word (kasallig+i): its dictionary
    # form has the final k / q back (kasallik).
    out = [with_final_restored(form) for form in reversed(out)]
    out.append(lemma)
    if analysis.pos == "V":
        out.append(lemma + "moq")  # most verbs are listed under the stem (chaq), some under the infinitive
    return tuple(dict.fromkeys(form for form in out if len(form) >= 2))


def with_final_restored(form: str) -> str:
    """A stem as written before a vowel suffix, back to its dictionary form: a final k / q becomes
    g / g' there (kasallik → kasalligi, yetishmaslik → yetishmasligi; -ng is its own sound)."""
    if form.endswith("g'"):
        return form[:-2] + "q"
    if form.endswith("g") and not form.endswith("ng"):
        return form[:-1] + "k"
    return form


@lru_cache(maxsize=50_000)
def is_relation(word: str) -> bool:
    """A conjugated verb, participle or converb (yuqadi, chaqqanda, ko'rsatdi); a verbal noun
    (quturish "rabies", tekshiruv "examination") names a topic and is not one. Only over a stem the
    dictionary knows: over an unknown one the analyser guesses (tosilizumab: a converb
    tosilizuma+b), and a drug name is no verb."""
    analysis = _best(word)
    # By its suffixes, not its stem: davo+la+n+a+di ("is treated") is built on a noun.
    return analysis is not None and analysis.known and any(tag in FINITE for _, tag in analysis.morphs)


@lru_cache(maxsize=50_000)
def may_be_imperative(word: str) -> bool:
    """An imperative over a known stem is among the word's cheapest readings ("ayting" say,
    "to'ldiring" fill in, "yozing" write, or your summer): where it ends a clause, it asks the reader."""
    readings = _readings(word)
    cheapest = [reading for reading in readings if reading.known and reading.cost == readings[0].cost]
    return any(tag in IMPERATIVE for reading in cheapest for _, tag in reading.morphs)
