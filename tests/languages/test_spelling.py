"""Typing slips read as the corpus word one edit away, and nothing else changed."""

from __future__ import annotations

from pathlib import Path

from qa.languages.spelling import Vocabulary

ROOT = Path(__file__).resolve().parents[2]
SEEDS = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "corpus").glob("*.txt"))]


def test_a_slip_is_read_as_the_corpus_word_one_edit_away() -> None:
    words = Vocabulary(lambda: SEEDS)
    read = words.correct("Wich cytokine persits chronicaly in heart failre?", "en")
    assert read.split()[2:] == ["persist", "chronically", "in", "heart", "failure?"], read
    assert words.correct("Повышен ли ИЛ-6 при сердечной недостаточнсти?", "ru").endswith(" недостаточности?")
    assert words.correct("Недостаточнсти?", "ru") == "Недостаточности?", "in the case typed"


def test_words_that_are_no_slips_are_never_changed() -> None:
    words = Vocabulary(lambda: SEEDS)
    for question, code in [
        ("Does ziltivekimab reduce CRP in the HERMES trial?", "en"),  # every word is the corpus's own
        ("Is hypervolemia common in cardiogenic shock?", "en"),  # two edits from hypovolemia: never
        ("Does finerenone lower IL-6?", "en"),  # a drug the corpus lacks stays as typed
        ("Повышен ли ИЛ-6 при СНсФВ?", "ru"),  # an abbreviation one letter from СНнФВ
        ("Yurak yetishmovchiligda IL-6 oshadimi?", "uz"),  # no word list for Uzbek's many forms
    ]:
        assert words.correct(question, code) == question

