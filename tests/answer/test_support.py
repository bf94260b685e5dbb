"""`supported` on a corpus other than the seeds: short English notes asked about in Russian and
Uzbek (real model, real FAISS index). The support floor and the key-term check must hold there too:
everyday words (змея, вши, bit) are read through the glossary, a cross-language passage is not held
to a same-language cosine, and an on-topic question the notes do not answer is still flagged."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from qa.answer.retrieve import prepare
from qa.api import Engine
from qa.languages import language_gap
from qa.languages.evidence import Evidence
from qa.languages.glossary import to_english
from qa.languages.terms import key_terms
from qa.settings import Settings

NOTES = {
    "measles.txt": "Measles is a highly contagious viral disease with fever, cough and a rash. Two doses of the "
                   "measles vaccine protect about 97 percent of people.",
    "snake-bite.txt": "After a venomous snake bite the person should be kept still and taken to hospital at once. "
                      "Do not cut the wound or try to suck out the venom.",
    "lice.txt": "Head lice are small insects that live on the scalp and lay eggs on the hair. They are removed "
                "with a fine-toothed comb on wet hair or with an insecticide lotion.",
    "goitre.txt": "Iodine deficiency causes goitre, a swelling of the thyroid gland in the neck. Iodised salt "
                  "prevents it.",
}
ANSWERABLE = {
    "snake-bite.txt": {
        "ru": "Что нужно делать после укуса ядовитой змеи?",
        "uz-Cyrl": "Заҳарли илон чаққанда нима қилиш керак?",
        "uz-Latn": "Zaharli ilon chaqqanda nima qilish kerak?",
    },
    "lice.txt": {
        "ru": "Как избавиться от вшей?",
        "uz-Cyrl": "Бошдаги битлардан қандай қутулиш мумкин?",
        "uz-Latn": "Boshdagi bitlardan qanday qutulish mumkin?",
    },
}
# On the measles note's topic, but no note names a manufacturer.
NEAR_TOPIC = {
    "en": "Which company manufactures the measles vaccine?",
    "ru": "Какая компания производит вакцину от кори?",
    "uz-Cyrl": "Қизамиқ вакцинасини қайси компания ишлаб чиқаради?",
    "uz-Latn": "Qizamiq vaksinasini qaysi kompaniya ishlab chiqaradi?",
}


@pytest.fixture(scope="module")
def notes_engine(engine_over: Callable[[dict[str, str]], Engine]) -> Engine:
    return engine_over(NOTES)


@pytest.mark.parametrize(("source", "variant"), [(s, v) for s, qs in sorted(ANSWERABLE.items()) for v in sorted(qs)])
def test_everyday_question_on_english_notes_quotes_the_note(notes_engine: Engine, source: str, variant: str) -> None:
    answer = notes_engine.ask(ANSWERABLE[source][variant])
    # Answered, or quoted under the caveat of a related answer (the verdict's figures: bench/results).
    assert answer.verdict != "not_found" and not answer.missing, (answer.missing, answer.answer)
    assert answer.citations[0].source == source
    assert answer.claims[0].text in NOTES[source], "the answer quotes the note"


@pytest.mark.parametrize("variant", sorted(NEAR_TOPIC))
def test_near_topic_question_on_notes_is_flagged(notes_engine: Engine, variant: str) -> None:
    answer = notes_engine.ask(NEAR_TOPIC[variant])
    assert answer.supported is False, answer.answer
    assert answer.citations and answer.citations[0].source == "measles.txt", "the nearest note is still cited"


def test_cross_language_floor_is_lower_by_the_measured_gap(notes_engine: Engine, settings: Settings) -> None:
    """The Russian question scores under the same-language floor on the note that answers it, and
    is on topic only because that note is in another language."""
    answer = notes_engine.ask(ANSWERABLE["lice.txt"]["ru"])
    top = answer.citations[0]
    gap = language_gap("ru", top.language)
    assert gap > 0 and top.score + gap >= settings.answer.support_floor
    assert language_gap("ru", "ru") == 0.0


def test_short_glossary_words_match_only_themselves(settings: Settings) -> None:
    """час= "hour" glosses часов, never часто "often"; нос= "nose" never носит "wears"."""
    assert "hour" in to_english("Сколько часов длится приступ?", "ru").text
    assert "hour" not in to_english("Как часто бывает приступ?", "ru").text
    assert "nose" not in to_english("Кто носит маску?", "ru").text
    assert "nose" in to_english("Кровь из носа", "ru").text


def test_untranslated_russian_verb_is_not_required_and_a_translated_one_is(notes_engine: Engine) -> None:
    query = prepare(NEAR_TOPIC["ru"])
    terms = [t.text for t in key_terms(query.text, query.language, query.embed_text)]
    assert "производит" in terms, "a verb with a content sense in English is checked, as 'manufactures' is"
    query = prepare("Как лечат корь?")
    assert [t.text for t in key_terms(query.text, query.language, query.embed_text)] == ["корь"]



@pytest.mark.parametrize(("word", "language", "text", "covered"), [
    ("ventricle", "en", "progressive ventricular dilation", True),  # an ending differs
    ("statins", "en", "статины снижают холестерин", True),  # another script
    ("brutsellyozni", "uz", "Brucellosis is caught from unpasteurised milk", True),  # an Uzbek transliteration
    ("hypertension", "en", "left ventricular hypertrophy", False),  # one combining form, two conditions
    ("гипертензии", "ru", "при гипертрофии миокарда", False),
    ("cardiovascular", "en", "cardiomyocyte apoptosis", False),
    ("shingles", "en", "a single-pathway cytokine", False),  # skeletons agree (sh / s), spellings do not
    ("complex", "en", "complementing neurohormonal therapies", False),  # six letters shared are a root, not a word
])
def test_a_shared_beginning_makes_one_word_only_up_to_its_ending(
    word: str, language: str, text: str, covered: bool
) -> None:
    (term,) = key_terms(word, language)  # as a question's key term: a Russian or Uzbek word keeps its origin
    assert Evidence(text).covers(term) is covered


RUSSIAN_NOTES = {
    "apoplexy.txt": "Апоплексия яичника — внезапное кровоизлияние в яичник с болью внизу живота. Чаще всего её "
                    "причиной становится разрыв жёлтого тела.",
    "measles.txt": "Корь — вирусная инфекция с лихорадкой, кашлем и сыпью. Две дозы вакцины защищают почти всех "
                   "привитых.",
}
ASKED_ACROSS = {
    "What most often causes ovarian apoplexy?": "apoplexy.txt",
    "Tuxumdon apopleksiyasining koʻpincha sababi nima?": "apoplexy.txt",
    "Тухумдон апоплексиясининг кўпинча сабаби нима?": "apoplexy.txt",
    "How many doses of the measles vaccine protect?": "measles.txt",
}


@pytest.fixture(scope="module")
def russian_notes(engine_over: Callable[[dict[str, str]], Engine]) -> Engine:
    return engine_over(RUSSIAN_NOTES)


@pytest.mark.parametrize("question", sorted(ASKED_ACROSS))
def test_a_russian_note_asked_in_english_or_uzbek_covers_the_question(russian_notes: Engine, question: str) -> None:
    # The note's words are read through their English senses (яичника: ovary, дозы: dose), as the
    # question's are: nothing the question asks is reported missing from the note that says it.
    answer = russian_notes.ask(question)
    assert answer.citations[0].source == ASKED_ACROSS[question]
    assert answer.verdict != "not_found" and not answer.missing, (answer.missing, answer.answer)


def test_a_question_the_russian_notes_do_not_answer_is_still_flagged(russian_notes: Engine) -> None:
    answer = russian_notes.ask("Which company manufactures the measles vaccine?")
    assert answer.supported is False, answer.answer
