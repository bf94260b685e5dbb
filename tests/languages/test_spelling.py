"""Typing slips read as the corpus word one slip away, and nothing else changed."""

from __future__ import annotations

from pathlib import Path

from qa.languages.spelling import Vocabulary, is_slip

ROOT = Path(__file__).resolve().parents[2]
SEEDS = [(path.name, path.read_text(encoding="utf-8")) for path in sorted((ROOT / "corpus").glob("*.txt"))]
# Real words that no word list holds, beside the corpus words one edit from them.
NEAR = [("en", "systolic microscopy macrophages microalbuminuria aphasia hypovolemia heart failure"),
        ("ru", "микроциркуляцию фебрильный агранулоцитоз сердечной недостаточности"),
        ("uz", "yurak yetishmovchiligida")]


def test_a_slip_is_read_as_the_corpus_word_one_slip_away() -> None:
    words = Vocabulary(lambda: [("en", text) for _, text in SEEDS] + NEAR)
    read, slips = words.correct("Wich cytokine persits chronicaly in heart failre?", "en")
    assert read == "Wich cytokine persist chronically in heart failure?", read  # "ts" swapped
    assert slips == [("persits", "persist"), ("chronicaly", "chronically"), ("failre", "failure")]
    read, _ = Vocabulary(lambda: NEAR).correct("Повышен ли ИЛ-6 при сердечной недостаточнсти?", "ru")
    assert read.endswith(" недостаточности?"), read
    assert Vocabulary(lambda: NEAR).correct("Недостаточнсти?", "ru")[0] == "Недостаточности?", "in the case typed"


def test_real_words_and_abbreviations_are_never_read_as_others() -> None:
    words = Vocabulary(lambda: NEAR)
    for question, code in [
        ("Is asystolic arrest treated by macroscopy of microphages?", "en"),  # first letter; a / i no neighbours
        ("Does aphagia or macroalbuminuria come with hypervolemia?", "en"),  # g / s apart; hyper- is two edits
        ("Does finerenone lower IL-6?", "en"),  # a drug the corpus lacks
        ("Афебрильный гранулоцитоз и макроциркуляцию?", "ru"),
        ("Повышен ли ИЛ-6 при СНсФВ?", "ru"),  # an abbreviation one letter from СНнФВ
        ("Yurak yetishmovchiligda IL-6 oshadimi?", "uz"),  # no word list for Uzbek's many forms
    ]:
        assert words.correct(question, code) == (question, []), question
    # Another case of a word the corpus holds is grammar, not a slip (pymorphy3 reads both as one
    # dictionary form); the corpus's nominative is one letter from the genitive asked.
    corpus = Vocabulary(lambda: [("ru", "Зилтивекимаб снижал СРБ.")])
    assert corpus.correct("Какая доза зилтивекимаба?", "ru") == ("Какая доза зилтивекимаба?", [])
    # A Russian question is read by Russian words only.
    assert Vocabulary(lambda: [("uz", "недостаточности")]).correct("недостаточнсти?", "ru") == ("недостаточнсти?", [])


def test_a_slip_is_a_swap_a_drop_a_double_or_a_neighbouring_key_after_the_first_letter() -> None:
    assert is_slip("failre", "failure") and is_slip("faliure", "failure") and is_slip("faiilure", "failure")
    assert is_slip("failurr", "failure") and is_slip("faulure", "failure")  # r / e and u / i are neighbours
    assert not is_slip("asystolic", "systolic") and not is_slip("gailure", "failure")  # the first letter
    assert not is_slip("macroscopy", "microscopy") and not is_slip("aphagia", "aphasia")
