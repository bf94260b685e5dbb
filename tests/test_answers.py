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
