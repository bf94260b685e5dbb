"""Follow-up questions in a chat: an elliptical or pronoun-led question ("Did it lower CRP?",
"А у пожилых?", "Keksalarda-chi?") is read together with the key terms of the question before it,
so that retrieval and the support check know what "it" is. A self-contained question is never
changed: only a question that points back (a pronoun with at most two key terms of its own, a
leading "and / а / va", the Uzbek particle -chi) or has no key term at all takes terms, and only
those its own words do not already cover."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from qa.languages import LANGUAGES
from qa.languages import language as language_entry
from qa.languages.detect import detect
from qa.languages.evidence import Term, evidence_of
from qa.languages.terms import key_terms
from qa.text.tokens import SPOKEN

# A pronoun beside this many key terms of its own is more likely expletive ("Is it safe to give
# ziltivekimab in pregnancy?") than a pointer back: the question stands alone.
MAX_OWN_TERMS = 2
HISTORY_TURNS = 6  # earlier questions looked at: a chat returns to its topic, not to its start


@dataclass(frozen=True)
class Resolved:
    question: str  # as asked
    carried: tuple[str, ...] = ()  # key terms taken from the earlier questions

    @property
    def text(self) -> str:
        """What retrieval and the answer step read."""
        return " ".join((self.question, *self.carried))


@lru_cache(maxsize=4096)
def _terms(text: str) -> tuple[Term, ...]:
    code, script = detect(text)
    return tuple(key_terms(text, code, language_entry(code).model_text(text, script)))


@lru_cache(maxsize=1)
def _continuations() -> re.Pattern[str]:
    """Every language's continuation marks: each is its own language's ("-chi", "А…"), so one read
    does for a question too short to tell its language by ("ARNI-chi?")."""
    patterns = [p for entry in LANGUAGES.values() for p in entry.continuations] or [r"(?!)"]
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I)


def points_back(question: str) -> bool:
    """Whether ``question`` needs an earlier one to be understood."""
    own = _terms(question)
    if not own:  # "Why?", "А почему?", "How long?"
        return True
    if _continuations().search(question.strip()):
        return True
    code, _ = detect(question)
    words = {w.lower() for w in SPOKEN.findall(question)}
    return bool(words & language_entry(code).back_references) and len(own) <= MAX_OWN_TERMS


def _read_with(question: str, earlier: Resolved | None) -> Resolved:
    if earlier is None or not points_back(question):
        return Resolved(question)
    own = evidence_of(question)
    carried = [t.text for t in _terms(earlier.text) if not own.covers(t)]
    return Resolved(question, tuple(dict.fromkeys(carried)))


def resolve(question: str, history: Sequence[str] = ()) -> Resolved:
    """``question`` read in the light of the earlier questions of its chat (oldest first); each
    earlier one is itself resolved, so a chain of follow-ups keeps the thread's topic."""
    earlier: Resolved | None = None
    for previous in history[-HISTORY_TURNS:]:
        earlier = _read_with(previous, earlier)
    return _read_with(question, earlier)
