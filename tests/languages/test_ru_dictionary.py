"""Russian words the clinical glossary lacks take their English from Müller's dictionary, read backwards
(Debian's mueller7-dict, which `make test` installs)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from qa.answer.retrieve import prepare
from qa.languages import language
from qa.languages.evidence import evidence_of
from qa.languages.glossary import glossary
from qa.languages.ru import dictionary, lemma, part_of_speech
from qa.languages.terms import key_terms


@pytest.fixture(autouse=True)
def _installed() -> None:
    assert dictionary.DICTIONARY.is_file() and dictionary.INDEX.is_file(), "run `make dictionary`"


def _senses(word: str) -> tuple[str, ...]:
    return dictionary.senses(lemma(word), part_of_speech(word))


def test_a_russian_word_outside_the_glossary_has_english_senses() -> None:
    for word, english in [("сыворотке", "serum"), ("авторы", "author"), ("клапане", "valve"), ("детей", "child")]:
        senses = _senses(word)
        assert english in senses, (word, senses)
        assert len(senses) <= dictionary.MAX_SENSES
    assert _senses("зилтивекимаб") == ()  # a drug no 1961 dictionary knows
    # A line of an entry that starts at the margin is not a headword ("…to open the flood-⏎gates"):
    # the index says where entries are.
    assert "gates" not in _senses("расплакаться")


def test_a_verb_takes_no_dictionary_sense() -> None:
    # The dictionary lists most verbs under the imperfective; a perfective's few senses are odd ones.
    assert dictionary.senses("испытывать", "v"), "the dictionary knows the verb"
    assert language("ru").senses("испытывали") == () and language("ru").senses("снизить") == ()
    assert language("ru").senses("сыворотке") == ("serum",)


def test_such_a_word_is_covered_by_its_english_in_an_english_source() -> None:
    assert "сыворотк" not in glossary("ru")  # the dictionary, not the glossary, gives its English
    terms = {term.text: term for term in key_terms("Каков уровень IL-6 в сыворотке при сепсисе?", "ru")}
    serum = terms["сыворотке"]
    assert "serum" in serum.forms, serum
    assert evidence_of("In sepsis, serum IL-6 exceeds 1000 pg/mL.").covers(serum)
    assert not evidence_of("In sepsis, IL-6 in the cerebrospinal fluid exceeds 1000 pg/mL.").covers(serum)


def test_the_glossary_under_a_words_dictionary_form_comes_before_the_dictionary() -> None:
    # кашлем reaches the glossary's "кашель" only by its lemma; the dictionary would add bark, hoop.
    terms = {term.text: term for term in key_terms("Как лечить круп у малыша с лающим кашлем?", "ru")}
    assert terms["кашлем"].forms == ("кашлем", "cough"), terms["кашлем"]


def test_the_lexical_leg_reads_those_senses_and_the_models_gloss_does_not() -> None:
    query = prepare("Каков уровень IL-6 в сыворотке?")
    assert "serum" in query.lexical_gloss.split(), query
    assert "serum" not in query.gloss.split() and "сыворотке" in query.gloss, query
    uzbek = prepare("Bezgak odamlarga qanday yuqadi?")
    assert uzbek.lexical_gloss == "" and "malaria" in uzbek.gloss  # Uzbek's glosses are one


@pytest.fixture(params=["damaged", "absent"])
def unreadable(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    file = tmp_path / "mueller7.dict.dz"
    if request.param == "damaged":
        file.write_bytes(dictionary.DICTIONARY.read_bytes()[:5000])  # cut short, as by a full disk
    monkeypatch.setattr(dictionary, "DICTIONARY", file)
    dictionary._table.cache_clear()
    yield
    dictionary._table.cache_clear()


def test_a_damaged_or_absent_dictionary_leaves_russian_words_without_senses_and_says_so(
        unreadable: None, caplog: pytest.LogCaptureFixture) -> None:
    assert _senses("сыворотке") == ()
    assert "make dictionary" in caplog.text
    assert prepare("Каков уровень IL-6 в сыворотке?").lexical_gloss.split()[-1] == "сыворотке"
