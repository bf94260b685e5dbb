"""Which sentences the answer quotes, on a corpus of short notes (real model, real FAISS index):
the sentence that answers often says "It" for the subject the sentence before it names, and it is
told from the topic sentence by what the question asks about it (treated, spreads)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from qa.answer import first_statement
from qa.api import Engine

NOTES = {
    "ringworm.txt": "Ringworm is a fungal skin infection that forms a round, scaly rash. It spreads by touching "
                    "infected people, pets or towels. It is treated with antifungal cream for two to four weeks.",
    "impetigo.txt": "Impetigo is a bacterial skin infection that causes crusted sores, mostly in children. It is "
                    "treated with antibiotic cream.",
    "chickenpox.txt": "Chickenpox is a viral infection with an itchy blistering rash. A vaccine prevents it.",
}


@pytest.fixture(scope="module")
def notes(engine_over: Callable[[dict[str, str]], Engine]) -> Engine:
    return engine_over(NOTES)


@pytest.mark.parametrize(("question", "states"), [
    ("How is ringworm treated?", "antifungal cream"),
    ("How does ringworm spread?", "touching infected people"),
    ("Temiratki qanday davolanadi?", "antifungal cream"),
    ("Темиратки қандай даволанади?", "antifungal cream"),
])
def test_the_sentence_that_answers_leads_with_the_one_naming_its_subject(
    notes: Engine, question: str, states: str
) -> None:
    answer = notes.ask(question)
    assert answer.supported
    lead = first_statement(answer)
    # "It is treated with…" is quoted after the sentence that says what "It" is, not after another
    # sentence that itself says "It".
    assert states in lead and lead.startswith("Ringworm is"), answer.answer


# Notes written for these tests (not from any dev set).
MORE_NOTES = {
    "lead.txt": "Lead poisoning builds up slowly, over months or years. Children absorb lead from old paint dust "
                "and contaminated soil. Over time, this damages the developing brain and lowers IQ. Blood tests "
                "measure the lead level.",
    "aspirin.txt": "Aspirin is a common painkiller that also thins the blood. Aspirin blocks the cyclooxygenase "
                   "enzyme, which lowers prostaglandin production. Aspirin is taken once daily after a heart "
                   "attack to prevent another one.",
    "measles.txt": "Measles is a highly contagious viral infection with fever and a rash. Two doses of the MMR "
                   "vaccine prevent it in almost everyone. The rash starts on the face and spreads down the body.",
}


@pytest.fixture(scope="module")
def more_notes(engine_over: Callable[[dict[str, str]], Engine]) -> Engine:
    return engine_over(MORE_NOTES)


def test_a_sentence_pointing_back_after_an_opening_phrase_is_read_with_its_antecedent(more_notes: Engine) -> None:
    # "Over time, this damages…" points back as "This damages…" would.
    lead = first_statement(more_notes.ask("What does lead do to children over time?"))
    assert lead.startswith("Children absorb lead") and "damages the developing brain" in lead, lead


@pytest.mark.parametrize(("question", "opens"), [
    ("Which vaccine prevents measles?", "Two doses of the MMR vaccine"),
    ("Qizamiqning oldini qaysi vaksina oladi?", "Two doses of the MMR vaccine"),
    ("Aspirin qaysi fermentni bloklaydi?", "Aspirin blocks the cyclooxygenase enzyme"),
])
def test_the_kind_of_answer_asked_for_picks_the_sentence(more_notes: Engine, question: str, opens: str) -> None:
    # "which vaccine", "qaysi ferment": the sentence naming a vaccine or an enzyme answers, not the
    # one that says what measles is or when aspirin is taken.
    answer = more_notes.ask(question)
    assert answer.supported
    assert first_statement(answer).startswith(opens), answer.answer

