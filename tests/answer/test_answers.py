"""Which sentences the answer quotes, on a corpus of short notes (real model, real FAISS index):
the sentence that answers often says "It" for the subject the sentence before it names, and it is
told from the topic sentence by what the question asks about it (treated, spreads)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from qa.answer.compose import first_statement
from qa.answer.retrieve import prepare
from qa.answer.sentence_choice import Candidate, candidates, choose
from qa.answer.verdict import NOT_FOUND
from qa.api import Engine
from qa.ingest.build import build
from qa.model.embed import Embedder
from qa.settings import Settings
from qa.store.folder import Index
from qa.types import Chunk, Passage

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
    assert answer.claims
    lead = first_statement(answer)
    # "It is treated with…" is quoted after the sentence that says what "It" is, not after another
    # sentence that itself says "It".
    assert states in lead and lead.startswith("Ringworm is"), answer.answer


def test_the_verdict_reads_the_sentence_that_answers_not_the_one_it_points_back_to(notes: Engine) -> None:
    # "It is treated with…" is quoted after "Ringworm is…", but it is the lead: the verdict's lead
    # cosine and the question-and-lead pair it weighs are that sentence's as quoted, after "Ringworm
    # is…" (its stored vector), not its antecedent's.
    answer = notes.ask("How is ringworm treated?")
    assert answer.claims[0].text.startswith("Ringworm is"), answer.answer
    assert answer.claims[1].text.startswith("It is treated"), answer.answer
    assert answer.pair, "the pair is read on e5's axes"
    question = notes.embedder.queries(["How is ringworm treated?"])[0]
    lead_vector = np.asarray(answer.pair, dtype=np.float32) - question
    antecedent, reading = notes.embedder.passages([answer.claims[0].text, " ".join(c.text for c in answer.claims[:2])])
    assert float(lead_vector @ reading) > 0.999 and float(lead_vector @ antecedent) < 0.99
    assert answer.signals["lead_cosine"] == pytest.approx(float(question @ reading), abs=0.02)


def test_nothing_comes_between_the_lead_and_the_sentence_it_points_back_to(notes: Engine) -> None:
    # Both "It…" sentences point back to "Ringworm is…", and one of them leads; the other is quoted
    # after the lead statement, not inside it, so the verdict reads the lead with its antecedent.
    answer = notes.ask("How does ringworm spread and how is it treated?")
    texts = [claim.text for claim in answer.claims]
    assert texts[0].startswith("Ringworm is") and sorted(text.split()[1] for text in texts[1:3]) == ["is", "spreads"]
    assert first_statement(answer) == f"{texts[0]} {texts[1]}"
    # The lead the verdict weighs (the pair: question + lead vector) is the second quoted sentence.
    question = notes.embedder.queries([answer.question])[0]
    lead = notes.embedder.passages([first_statement(answer)])[0]
    assert float((np.asarray(answer.pair, dtype=np.float32) - question) @ lead) > 0.999, texts


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
    # one that says what measles is or when aspirin is taken. (Whether the verdict then says
    # `answered` is the verdict's tests' and bench.verdict's business: here the sentence leads.)
    answer = more_notes.ask(question)
    assert answer.verdict != NOT_FOUND and answer.claims
    assert first_statement(answer).startswith(opens), answer.answer



# A study note and a summary restating its first sentence (written for this test). e5 puts the two
# facts of the study at cosine ≈ 0.91, as close as it puts a translation.
FERRITIN = {
    "framlow.txt": "In the Framlow cohort, higher ferritin levels preceded the onset of liver fibrosis by several "
                   "years. Patients with higher ferritin had more iron deposits in the liver on MRI and a higher "
                   "risk of cirrhosis.",
    "summary.txt": "Higher ferritin levels preceded the onset of liver fibrosis by several years in the Framlow "
                   "cohort.",
}


@pytest.fixture(scope="module")
def ferritin(tmp_path_factory: pytest.TempPathFactory, settings: Settings, embedder: Embedder) -> Index:
    base = tmp_path_factory.mktemp("ferritin")
    corpus = base / "corpus"
    corpus.mkdir()
    for name, text in FERRITIN.items():
        (corpus / name).write_text(text, encoding="utf-8")
    build(settings, embedder, corpus, base / "index")
    return Index.load(base / "index")


def test_a_second_fact_in_the_same_language_is_quoted_and_a_restatement_is_not(
    ferritin: Index, settings: Settings
) -> None:
    index = ferritin
    passages = [Passage(chunk, 1.0, 1.0, i) for i, chunk in enumerate(index.chunks)]
    # Every sentence scores alike, the study's first sentence leading, so only repetition decides.
    ranked = [
        Candidate(rank, span, 1.0, vector, span[0])
        for rank, passage in enumerate(passages)
        for span, vector in zip(passage.chunk.sentences, index.sentences_of(passage.id), strict=True)
    ]
    ranked.sort(key=lambda c: c.text(passages) != FERRITIN["framlow.txt"].split(". ")[0] + ".")
    chosen = [c.text(passages) for c in choose(prepare("What did high ferritin go with?", settings), passages,
                                               ranked, settings)[0]]
    assert chosen[0].startswith("In the Framlow cohort") and len(chosen) == 2, chosen
    assert chosen[1].startswith("Patients with higher ferritin had more iron deposits"), chosen


def test_passages_about_as_relevant_share_their_rank(ferritin: Index, settings: Settings, embedder: Embedder) -> None:
    # A fused-score difference of 0.001 between two passages must not decide between their sentences
    # by the rank bonus (0.06 for the first passage, 0.03 for the second).
    index = ferritin
    vector = embedder.queries(["What did high ferritin go with?"])[0]

    def scores(second: float) -> dict[int, float]:
        passages = [Passage(index.chunks[0], 1.0, 1.0, 0), Passage(index.chunks[1], second, 1.0, 1)]
        return {c.rank: c.score for c in candidates(index, vector, passages, [], settings, "en")}

    tied, apart = scores(1.0 - settings.retrieval.same_language_margin / 5), scores(0.9)
    assert tied[0] == pytest.approx(apart[0])
    assert tied[1] - apart[1] == pytest.approx(settings.answer.rank_weight / 2)


def _rendering(of: np.ndarray, cosine: float, axis: int) -> np.ndarray:
    """A unit vector at ``cosine`` to the unit vector ``of`` (which lies in axes 0-1), on an axis of its own."""
    vector = np.zeros(8, dtype=np.float32)
    vector[:2] = cosine * of[:2]
    vector[axis] = (1 - cosine**2) ** 0.5
    return vector


def test_a_further_sentence_gives_way_to_its_closest_rendering_that_repeats_nothing_quoted(settings: Settings) -> None:
    # Hand-made vectors: the Russian sentence is quoted second; three English sentences render it
    # (cosines 0.93, 0.95 and 0.96), and the closest of them restates the English lead (0.96).
    lead, russian = np.zeros(8, dtype=np.float32), np.zeros(8, dtype=np.float32)
    lead[0], russian[:2] = 1.0, (0.85, (1 - 0.85**2) ** 0.5)
    restating = (lead + russian) / np.linalg.norm(lead + russian)
    documents = {
        "en": [("Alpha binds the receptor on liver cells.", lead)],
        "ru": [("Бета выводится почками в течение суток.", russian)],
        "renderings": [("Beta is cleared by the kidneys within hours.", _rendering(russian, 0.93, 4)),
                       ("Beta is cleared by the kidneys within a day.", _rendering(russian, 0.95, 5)),
                       ("Alpha binds receptors on the cells of the liver.", restating)],
    }
    passages, ranked = [], []
    for rank, (name, items) in enumerate(documents.items()):
        text = " ".join(sentence for sentence, _ in items)
        starts = [text.index(sentence) for sentence, _ in items]
        spans = tuple((start, start + len(sentence)) for start, (sentence, _) in zip(starts, items, strict=True))
        language, script = ("ru", "Cyrl") if name == "ru" else ("en", "Latn")
        chunk = Chunk(f"{name}.txt", 0, len(text), 1, 1, language, script, text, spans)
        passages.append(Passage(chunk, 1.0, 1.0, rank))
        score = 0.5 if name == "renderings" else 1.0  # too low to be chosen for themselves
        ranked += [Candidate(rank, span, score, vector, span[0])
                   for span, (_, vector) in zip(spans, items, strict=True)]
    assert float(restating @ russian) > float(ranked[3].vector @ russian) > float(ranked[2].vector @ russian) > 0.92
    chosen, _ = choose(prepare("How is beta cleared?", settings), passages, ranked, settings)
    assert [c.text(passages) for c in chosen] == ["Alpha binds the receptor on liver cells.",
                                                   "Beta is cleared by the kidneys within a day."]
