"""Which passages are cited: each is also as relevant as its best stored sentence."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from qa.api import open_engine
from qa.model.embed import Embedder
from qa.settings import Settings

# The review's closing passage answers in one sentence ("…efficacy and long-term safety…") among
# others on the wider topic; by the passage vectors alone it falls outside the first five.
QUESTION = "What evidence is still missing before IL-6 blockers enter routine cardiology?"
FACT = "efficacy and long-term safety"


def test_a_passage_whose_one_sentence_answers_is_cited(corpus_index: Path, settings: Settings,
                                                        embedder: Embedder) -> None:
    cited = open_engine(corpus_index, settings, embedder).ask(QUESTION).citations
    assert any(FACT in c.text for c in cited), [c.text[:60] for c in cited]
    whole = replace(settings, retrieval=replace(settings.retrieval, sentence_weight=0.0))
    cited = open_engine(corpus_index, whole, embedder).ask(QUESTION).citations
    assert not any(FACT in c.text for c in cited), "by passage vectors alone the answer is not cited"
