"""Whether the quoted sentences answer the question: a calibrated probability from measured signals,
and the graded verdict it gives.

The signals are what the answer step measures anyway: how close the lead sentence and the best
passage are to the question, and how far each stands out from the next sentences and passages; which of the
question's key terms the evidence and the lead statement cover, each weighted by how specific the
term is (a rare drug, gene or organ left uncovered matters, a common word such as "wrote" or
"later" does not; word frequencies from ``wordfreq``); and whether the kind of answer asked for (a
number, a name, the "which receptor") is in the lead statement; and where the question and its lead
sentence sit in e5's space (their vectors' sum, on its main axes: what kind of question, what kind
of statement, in which language). A logistic regression over them,
trained leave-one-corpus-out on the dev sets (``python -m bench.verdict``), turns them into the
probability that the quoted sentences answer the question. The questions the sources do not answer
weigh more in its fit (a wrong "answered" is the costly error, and the operating point sits where
almost none is made); Platt scaling, folded into the weights, keeps the probability calibrated. Its
weights and its operating point ship in ``qa/answer/verdict.json``.

- ``answered``: the probability clears the operating point (chosen so that at most 5% of on-topic
  questions the sources do not answer get through on the held-out folds). No hand rule stands beside
  it: a key-term check that did (every term covered) answered 15-21% of the near-topic questions of
  a blind validation round, the model alone 12% while answering more of the answerable ones.
- ``related``: it does not, but the sources are on the topic (the best passage at the similarity
  floor, and at least one key term in the evidence): their closest statements are shown under a
  caveat naming what was not found.
- ``not_found``: nothing relevant.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from qa.languages import ACRONYM, ENGLISH, language
from qa.languages.evidence import Evidence, Term, evidence_of
from qa.languages.glossary import sense_words
from qa.types import TermCheck

MODEL_FILE = Path(__file__).with_name("verdict.json")
ANSWERED, RELATED, NOT_FOUND = "answered", "related", "not_found"

SIGNALS = (
    "lead_cosine",  # the lead sentence's cosine to the question (a translation's gap given back)
    "sentence_standout",  # how far the best sentence's cosine stands above the next five sentences'
    "best_passage",  # the best passage's cosine (language-centred)
    "standout",  # how far the best passage's cosine stands above the other passages shown
    "coverage",  # the key terms' share covered by the evidence, weighted by specificity
    "lead_coverage",  # ... covered by the lead statement itself
    "all_covered",  # every key term is covered by the evidence
    "missing_things",  # the specificity of uncovered key terms that name a thing (a noun, a drug, a population)
    "missing_other",  # ... of those naming an action or a quality (a paraphrase may say it)
    "lead_missing",  # ... of the key terms the lead statement itself does not cover
    "terms",  # log(1 + number of key terms)
    "kind_missing",  # a number or a name was asked for and the lead statement has none
    "kind_asked",  # the question names the kind of thing it asks for ("which receptor")
    "kind_unnamed",  # ... and the share of those words the lead statement does not speak of
)
# Zipf frequency (log10 of uses per billion words) at which a word names no topic: about once per
# thousand words ("children" 5.5, "wrote" 5.0); a word no general text uses (a drug, a gene) is 0.
_COMMON_ZIPF = 6.0
_MANY = 3.0  # uncovered specificity past this says nothing more
_MIN_WEIGHT = 0.05  # the commonest word still counts a little towards coverage
_ACRONYM = re.compile(rf"^{ACRONYM}$")


@lru_cache(maxsize=100_000)
def _zipf(word: str, code: str) -> float:
    from qa.languages.frequencies import zipf  # wordfreq's values, its lists memory-mapped

    return zipf(word, code)


def word_specificity(word: str, code: str) -> float:
    """1 for a word general text never uses, 0 for the commonest words."""
    if _ACRONYM.match(word):
        return 1.0
    return min(1.0, max(0.0, (_COMMON_ZIPF - _zipf(word.lower(), code)) / _COMMON_ZIPF))


def specificity(term: Term, code: str) -> float:
    """A key term's specificity: of the word itself in its language when word frequencies know the
    language (English, Russian), else of its English senses (the most common one: a word is as
    specific as its plainest reading); an Uzbek word with no sense is unknown, hence specific."""
    if not term.foreign or code == "ru":
        return word_specificity(term.text.split()[0], "ru" if code == "ru" else ENGLISH.code)
    senses = term.forms[1:]
    if not senses:
        return 1.0
    return min(word_specificity(word, ENGLISH.code) for word in sense_words(senses))


def names_thing(term: Term, code: str) -> bool:
    """Whether a key term names a thing; an Uzbek word by its English senses (none: unknown, a name)."""
    if _ACRONYM.match(term.text):
        return True
    if code == "uz" and term.foreign:
        words = sense_words(term.forms[1:])
        return not words or any(map(ENGLISH.names_thing, words))
    return language(code).names_thing(term.text.split()[0])


def check_terms(terms: list[Term], code: str, evidence: str, lead: str) -> list[TermCheck]:
    in_evidence, in_lead = Evidence(evidence), evidence_of(lead)  # passages joined: seldom twice
    return [TermCheck(t.text, specificity(t, code), names_thing(t, code), in_evidence.covers(t, senses=True),
                      in_lead.covers(t, senses=True))
            for t in terms]



def term_signals(checks: list[TermCheck]) -> dict[str, float]:
    """The key-term signals: shares weighted by specificity, and the uncovered terms by kind."""
    if not checks:
        return {"coverage": 1.0, "lead_coverage": 1.0, "all_covered": 1.0, "missing_things": 0.0,
                "missing_other": 0.0, "lead_missing": 0.0, "terms": 0.0}
    weights = [max(c.specificity, _MIN_WEIGHT) for c in checks]
    total = sum(weights)
    missing = [c for c in checks if not c.in_evidence]
    return {
        "coverage": sum(w for c, w in zip(checks, weights, strict=True) if c.in_evidence) / total,
        "lead_coverage": sum(w for c, w in zip(checks, weights, strict=True) if c.in_lead) / total,
        "all_covered": float(not missing),
        # Summed specificity, not a count: "ethnic groups" or "authors" left uncovered says less than
        # "empagliflozin" does.
        "missing_things": min(_MANY, sum((c.specificity for c in missing if c.thing), 0.0)),
        "missing_other": min(_MANY, sum((c.specificity for c in missing if not c.thing), 0.0)),
        "lead_missing": min(_MANY, sum((c.specificity for c in checks if not c.in_lead), 0.0)),
        "terms": math.log1p(len(checks)),
    }


@dataclass(frozen=True)
class VerdictModel:
    """A logistic regression over standardised signals and the pair's coordinates on its main axes
    (the pair: the question's vector plus its lead sentence's), and its operating point."""

    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray  # the signals' weights, then the pair axes'
    intercept: float
    threshold: float  # the probability at or above which an answer is ``answered``
    # The pair's centre and main axes (principal components of the training pairs, one per row).
    pair_mean: np.ndarray = field(default_factory=lambda: np.zeros(0))
    pair_axes: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    # The embedding model whose vectors the axes were fitted on: another model's pair is not read.
    pair_model: str = ""
    # Each feature's range over the training rows. A value outside it (70 "key terms" in a pasted
    # page of symbols) may lower the probability as far as the weights take it, but raise it no
    # further than the range's edge: nothing unseen makes an answer likelier than anything seen.
    low: np.ndarray = field(default_factory=lambda: np.zeros(0))
    high: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # Below this probability an answer is ``not_found`` however close its passages: answerable
    # questions, held out, almost never fall so low; questions on another subject often do.
    floor: float = 0.0

    def reads_pair_of(self, index_model: str) -> bool:
        """Whether the pair of an index built with ``index_model`` (its manifest's identity) is read."""
        return bool(len(self.pair_axes)) and index_model.split("@")[0] == self.pair_model

    def features(self, signals: dict[str, float], pair: Sequence[float] | np.ndarray | None = None) -> np.ndarray:
        """The signals, then the pair's coordinates on the axes; without a pair, 0 on each: the
        training pairs' mean, where the axes are centred."""
        axes = len(self.pair_axes)
        projected = np.zeros(axes) if pair is None or not len(pair) or not axes else (
            self.pair_axes @ (np.asarray(pair, dtype=np.float64) - self.pair_mean))
        return np.concatenate([[signals[name] for name in self.names], projected])

    def probability(self, signals: dict[str, float], pair: Sequence[float] | np.ndarray | None = None) -> float:
        x = self.features(signals, pair)
        if len(self.low):
            edge = np.clip(x, self.low, self.high)
            x = np.where((x - edge) * self.weights / self.scale > 0, edge, x)
        x = (x - self.mean) / self.scale
        return float(1.0 / (1.0 + math.exp(-(float(x @ self.weights) + self.intercept))))

    def to_json(self) -> dict:
        return {"signals": list(self.names), "mean": self.mean.tolist(), "scale": self.scale.tolist(),
                "weights": self.weights.tolist(), "intercept": self.intercept, "threshold": self.threshold,
                "pair_model": self.pair_model, "pair_mean": self.pair_mean.tolist(),
                "pair_axes": self.pair_axes.tolist(), "low": self.low.tolist(), "high": self.high.tolist(),
                "floor": self.floor}

    @classmethod
    def from_json(cls, data: dict) -> VerdictModel:
        mean = np.array(data.get("pair_mean", []), dtype=np.float64)
        rows = data.get("pair_axes", [])
        axes = np.array(rows, dtype=np.float64).reshape(len(rows), len(mean))
        model = cls(tuple(data["signals"]), np.array(data["mean"]), np.array(data["scale"]),
                    np.array(data["weights"]), float(data["intercept"]), float(data["threshold"]),
                    mean, axes, str(data.get("pair_model", "")), np.array(data.get("low", [])),
                    np.array(data.get("high", [])), float(data.get("floor", 0.0)))
        if (len(model.weights) != len(model.names) + len(axes) or len(model.mean) != len(model.weights)
                or len(model.low) not in (0, len(model.weights)) or len(model.high) != len(model.low)):
            raise ValueError("the verdict model's weights do not match its signals and pair axes")
        return model


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_FILE) -> VerdictModel:
    return VerdictModel.from_json(json.loads(path.read_text(encoding="utf-8")))


def grade(probability: float, threshold: float, on_topic: bool, floor: float = 0.0) -> str:
    """``answered`` at the operating point; else ``related`` when the sources are on the topic and the
    probability reaches the model's floor; else ``not_found``."""
    if probability >= threshold:
        return ANSWERED
    return RELATED if on_topic and probability >= floor else NOT_FOUND
