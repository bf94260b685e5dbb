"""The shape of a language entry, and the typed key of a language section."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from typing import NamedTuple

# Latin acronyms and gene names (IL-6, HERMES, NT-proBNP, SGLT2): the same in every language, so
# they say nothing about the language and are never glossed or translated.
ACRONYM = r"(?:[A-Z]{2,}[\w-]*|\w*\d\w*|[A-Za-z]+-\d+\w*)"


class Variant(NamedTuple):
    """A language in one script: the key of a language section of the index and of a question."""

    language: str  # en | ru | uz
    script: str  # Latn | Cyrl

    @property
    def slug(self) -> str:
        """"en-Latn": for file names and the JSON a person reads."""
        return f"{self.language}-{self.script}"


def _never(_: str) -> bool:
    return False


def _no_senses(_: str) -> tuple[str, ...]:
    return ()


def _same(text: str, _: str) -> str:
    return text


@dataclass(frozen=True)
class Language:
    """Everything qa knows about one language, in one place."""

    code: str
    name: str  # in the language itself, for the page
    scripts: tuple[str, ...]  # the first is the default
    # Detection (qa.languages.detect), per script: patterns of letters or words that only this language uses
    # among those written in that script, each match worth ``weight``; and the labels langdetect
    # (which has no Uzbek) gives this language's text.
    evidence: dict[str, tuple[tuple[re.Pattern[str], float], ...]]
    langdetect_labels: dict[str, tuple[str, ...]]
    # Per script, the language's commonest function words (never a Latin name's: no "in" of "in
    # vitro"): a sentence using them is written in that script, however many letters its names
    # spell in the other ("Активен в отношении Staphylococcus aureus, Escherichia coli…").
    function_words: dict[str, frozenset[str]]
    # Ties between two languages of one script go to the one with the higher priority.
    priority: int
    # Answers (qa.answer.messages): what the answer says when the sources hold no answer; per script.
    not_found: dict[str, str]
    # Before an answer quoted only from sources in one other language, per that language, per script
    # ("Из источников на английском языке:"): the reader is told whose words the quotes are.
    source_notes: dict[str, dict[str, str]]
    # Before the closest statements of a "related" answer (qa.answer.verdict), per script: the caveat, with
    # {missing} where the clause naming the uncovered words ({terms}) goes when there are any.
    related_answer: dict[str, tuple[str, str]]
    labels: dict[str, str]  # the page's labels in this language
    script_names: dict[str, str]  # "Latn" / "Cyrl" as this language names them
    # Why a question or file is refused (qa.reasons: key → text with the same {values}); English as is.
    reasons: dict[str, str] = field(default_factory=dict)
    # A language written in two scripts whose readers want the page in theirs: ``labels``, ``name``
    # and ``script_names`` are written in ``labels_script``, and ``to_script`` writes them in another.
    labels_script: str = ""
    to_script: Callable[[str, str], str] | None = None
    # Glossing (qa.languages.glossary) and key terms (qa.languages.terms).
    glossary: Traversable | None = None  # a .tsv file: stem → English senses
    # Languages whose clinical abbreviations this one's readers write (Uzbek clinicians: the Russian
    # СРБ, ЭКМО, in either script): their glossaries' abbreviations gloss an acronym its own lacks.
    borrows: tuple[str, ...] = ()
    # Whether a word belongs to the language's vocabulary (a dictionary or word-frequency list):
    # a short question's words say its language where letter statistics cannot ("Did ziltivekimab
    # reduce CRP?" is not Uzbek, "Снизил ли зилтивекимаб СРБ?" is not Uzbek Cyrillic).
    known: Callable[[str], bool] = _never
    # Whether a word names a thing (a noun, or a word no dictionary knows: a drug, a gene) rather than
    # an action or a quality: an answer that leaves out "statins" or "women" answers another
    # question, one that leaves out "transmits" or "later" may only word it differently (qa.answer.verdict).
    names_thing: Callable[[str], bool] = _never
    gloss_ending: Callable[[str, int], bool] = lambda rest, stem_length: False  # noqa: E731
    generic: Callable[[str], bool] = _never  # a general word that names no topic (lemma- or stem-aware)
    relation: Callable[[str], bool] = _never  # a verb, adverb or function word
    # The imperatives of a question ("List two…", "…ayting"): they ask the reader to
    # answer, name no topic, and are never key terms, even where the glossary translates them.
    imperatives: Callable[[str], frozenset[str]] = lambda text: frozenset()  # noqa: E731
    senses: Callable[[str], tuple[str, ...]] = _no_senses  # English senses beyond the glossary
    # Dictionary forms of a word from a morphological analyser (Russian lemma, Uzbek stem with its
    # derivations): the glossary looks a word up under these before matching stems by their endings.
    forms: Callable[[str], tuple[str, ...]] = _no_senses
    gloss_forms: bool = False  # a key term the glossary misses is looked up again under its forms
    focus: frozenset[str] = frozenset()  # "which / what": the next noun is the kind of answer asked for
    model_text: Callable[[str, str], str] = _same  # the question as the model and glossary read it
    # Answer kinds (qa.answer.compose): regular-expression alternatives, joined across languages.
    asks_number: tuple[str, ...] = ()
    asks_name: tuple[str, ...] = ()
    number_words: tuple[str, ...] = ()
    anaphors: tuple[str, ...] = ()
    # Follow-up questions (qa.answer.followup): words that point back to an earlier question (pronouns),
    # and regular expressions for a question that continues one ("And in women?", "А у пожилых?",
    # "Keksalarda-chi?").
    back_references: frozenset[str] = frozenset()
    continuations: tuple[str, ...] = ()
    # Snowball stemmer (PyStemmer's name) for the key-term check, applied to ``stem_form(word)``;
    # words of a script no language stems are compared as they are.
    stemmer: str | None = None
    stem_form: Callable[[str], str] = lambda word: word  # noqa: E731
    example: dict[str, str] = field(default_factory=dict)  # per script, the page's example question
    # Around each quoted sentence of an answer: a source's own reference marks ("Ahmad et al. [1]
    # reported") are then read as part of the quote, not as the answer's [n].
    quotation_marks: tuple[str, str] = ("“", "”")
    capitals: str = ""  # letters (regex ranges) that can open a sentence: the chunker splits before them
    # Retrieval and answering numbers measured per question language (bench/results/numbers.md).
    centring: str = "all"  # "all": every language section shifted by its mean; "own": only this language's
    lexical_weight: float = 0.0  # weight of the max-normalised lexical score
    gloss_weight: float = 0.0  # e5 reads question + gloss_weight × share × English gloss
    dictionary_senses: int = 0  # senses a word the glossary misses takes from the general dictionary
    # ...in the gloss the lexical leg reads, when not as many (None: as many)
    lexical_senses: int | None = None
    rendering_threshold: float = 0.90  # cosine at which a sentence in this language restates the English lead
    language_gap: float = 0.0  # how much lower e5 scores a passage in another language than in this one

    @property
    def default_script(self) -> str:
        return self.scripts[0]

    def page_labels(self, script: str) -> dict[str, str]:
        """The page's labels, its name and its script names, written in ``script``."""
        own = {**self.labels, "name": self.name, **{f"script_{s}": n for s, n in self.script_names.items()},
               **{f"reason_{key}": text for key, text in self.reasons.items()}}
        if self.to_script is None or script == self.labels_script:
            return own
        return {key: self.to_script(value, script) for key, value in own.items()}

    def in_script(self, table: dict[str, str], script: str) -> str:
        """A per-script text, falling back to the default script's."""
        return table.get(script) or table.get(self.default_script, "")
