"""What the verdict reads of an answer (qa.answer.verdict.SIGNALS), measured as the answer is composed.

The lead sentence's and the best passage's closeness to the question, and how far each stands out;
the key terms the evidence and the lead statement cover (``term_signals``); and the kind of answer
asked for: a number ("how many"), a name ("who"), or the thing a "which receptor" question names,
in the lead statement itself.
"""

from __future__ import annotations

import re

import numpy as np

from qa.answer.retrieve import Query
from qa.answer.sentence_choice import Candidate
from qa.answer.verdict import term_signals
from qa.languages import alternatives, language_gap, translation_gap
from qa.languages.evidence import Term, evidence_of
from qa.settings import Settings
from qa.types import Passage, TermCheck

SOURCE_REFERENCE = re.compile(r"\s?\[\d+(?:\s?[,–-]\s?\d+)*\]")
# A quantity: digits that start a token ("40 mg", "40mg", "2.5", "10-20", "97%"), not the digits of a
# name ("IL-6", "gp130", "COVID-19"; reference marks such as "[13]" or "[1, 2]" are removed first);
# or a number word (twelve millimetres, сорок процентов, qirq foiz).
_NUMBER = re.compile(rf"(?<![\w\-])\d+(?:[.,]\d+)?|\b(?:{alternatives('number_words')})\b", re.I)
_ASKS_NUMBER = re.compile(rf"\b(?:{alternatives('asks_number')})\b", re.I)
_ASKS_NAME = re.compile(rf"^\s*(?:{alternatives('asks_name')})\b", re.I)
# A name: two capitalised words, or one before "et al." / "and colleagues" / a reference mark ("Ridker
# [15]"); accented and hyphenated surnames count (Povar-Echeverría, Vasques-Nóvoa).
_UPPER, _LOWER = "A-ZА-ЯЁÀ-ÖØ-Þ", "a-zа-яёß-öø-ÿ"
_SURNAME = rf"[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}]?[{_LOWER}]+)*"
_NAME = re.compile(rf"\b{_SURNAME}(?:\s+(?:[{_UPPER}]\.\s*)*{_SURNAME}"
                   rf"|\s+(?:et al|and (?:colleagues|co-?workers)|и (?:соавт|коллеги))|\s?\[\d)")


# A blank to fill in beside a quantity's sign ("≤ ___%", "> ___"; not an arrow, "IL-6 -> ___"): the
# answer's place holds a number.
_NUMBER_BLANK = re.compile(r"(?<![-=])[≤≥<>±]\s*_{2,}|_{2,}\s*%")


def asks_number(question: str) -> bool:
    """"How many", "what dose", "what year", a cut-off, a ratio, "≤ ___%": a number is asked for."""
    return bool(_ASKS_NUMBER.search(question) or _NUMBER_BLANK.search(question))


def answer_kind_present(question: str, sentences: list[str]) -> bool:
    """A question asking how many / how long / what dose needs a number; "who" needs a name."""
    text = " ".join(sentences)
    if asks_number(question) and not _NUMBER.search(SOURCE_REFERENCE.sub(" ", text)):
        return False
    return not (_ASKS_NAME.search(question) and not _NAME.search(text))


def kind_signals(kinds: list[Term], lead: str) -> dict[str, float]:
    """Whether the question names the kind of thing it asks for ("which receptor", "какие клетки"),
    and the share of those words the lead statement does not speak of. Weighed apart: the lead of an
    answer often names an instance, not the kind ("macrophages" for "which cells")."""
    if not kinds:
        return {"kind_asked": 0.0, "kind_unnamed": 0.0}
    in_lead = evidence_of(lead)
    unnamed = sum(not in_lead.covers(kind, senses=True) for kind in kinds)
    return {"kind_asked": 1.0, "kind_unnamed": unnamed / len(kinds)}


def measure(query: Query, vector: np.ndarray, pool: list[Passage], lead: Candidate | None, ranked: list[Candidate],
            checks: list[TermCheck], kinds: list[Term], lead_texts: list[str], strongest: float,
            settings: Settings) -> dict[str, float]:
    """The signals. The lead sentence's cosine, in another language than the question's, gets back
    what e5 takes off a translation, as in sentence choice."""
    lead_cosine = 0.0
    if lead is not None:
        language = pool[lead.rank].chunk.language
        lead_cosine = float(lead.vector @ vector) + translation_gap(query.language, language)
    # How far the best passage stands above the others shown: the one document a question was asked of.
    others = sorted((p.dense + language_gap(query.language, p.chunk.language)
                     for p in pool[: settings.retrieval.k]), reverse=True)[1:]
    standout = strongest - float(np.median(others)) if others else 0.0
    # How far the best sentence of the pool stands above the next five: a question the sources
    # answer has one sentence that says it; one they only touch finds many alike.
    cosines = sorted((float(c.vector @ vector) for c in ranked), reverse=True)
    sentence_standout = cosines[0] - float(np.mean(cosines[1:6])) if len(cosines) > 1 else 0.0
    return {
        **term_signals(checks),
        "sentence_standout": sentence_standout,
        "lead_cosine": lead_cosine,
        "best_passage": strongest,  # also the floor that tells "related" from "not_found"
        "standout": min(standout, settings.answer.standout_cap),
        "kind_missing": 0.0 if answer_kind_present(query.text, lead_texts) else 1.0,
        **kind_signals(kinds, " ".join(lead_texts)),
    }
