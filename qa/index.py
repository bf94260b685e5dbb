"""Chunks + vectors → a persisted FAISS index with metadata and a manifest; incremental rebuilds.

Layout of the index folder: ``CURRENT`` names the live generation folder ``gen-<ns>/``, which holds
``manifest.json`` (format, model id, dimension, chunk settings, file hashes), ``chunks.jsonl`` (one
chunk per line, in vector order), ``vectors.npy`` (normalised passage vectors, reused for unchanged
files), ``sentences.npy`` (float16 vectors of every chunk's sentences, in chunk order, for choosing
answer sentences) and ``dense-<language>-<script>.faiss``: one inner-product index per language section (see
``Index.dense_candidates``). A build writes a new generation and then replaces ``CURRENT`` with one
atomic rename, so a crash at any point leaves the previous index whole.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path

import faiss
import numpy as np

from qa.lexical import Lexical
from qa.read import Skipped
from qa.settings import Settings
from qa.types import Chunk

FORMAT_VERSION = 3  # 3: sentence vectors
MANIFEST, CHUNKS, VECTORS, SENTENCES = "manifest.json", "chunks.jsonl", "vectors.npy", "sentences.npy"
CURRENT, GENERATION_PREFIX, STAGING_PREFIX, LOCK = "CURRENT", "gen-", ".staging-", ".lock"


class IndexUnavailable(RuntimeError):
    """The index is missing, stale or unreadable; the message says what to run."""


@dataclass
class BuildReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    chunks: int = 0
    chunks_embedded: int = 0
    texts_embedded: int = 0  # chunks and sentences
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"indexed {self.chunks} chunks: {len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.removed)} removed, {len(self.unchanged)} unchanged, {len(self.skipped)} skipped "
            f"({self.chunks_embedded} chunks embedded in {self.seconds:.1f}s)"
        )


def _language_key(chunk: Chunk) -> str:
    return f"{chunk.language}-{chunk.script}"


def _faiss_name(key: str) -> str:
    return f"dense-{key}.faiss"


class Index:
    """Chunks, their vectors, one FAISS index per language section, and the lexical index.

    e5 scores any passage in the question's own language higher than an equally relevant one in
    another: a Russian question ranks the whole Russian abstract above the English body that holds
    the answer. Searching each language separately and subtracting that language's mean score
    (q·μ) removes the offset without changing any ranking inside a language."""

    def __init__(
        self, manifest: dict, chunks: list[Chunk], vectors: np.ndarray, sentence_vectors: np.ndarray,
        dense: dict[str, faiss.Index] | None = None, settings: Settings | None = None,
    ) -> None:
        self.manifest = manifest
        self.chunks = chunks
        self.vectors = vectors
        self.sentence_vectors = sentence_vectors  # float16, the sentences of chunk i at sentence_start[i]
        self.sentence_start = np.concatenate([[0], np.cumsum([len(c.sentences) for c in chunks])]).astype(np.int64)
        self.keys = [_language_key(c) for c in chunks]
        members: dict[str, list[int]] = {}
        for i, key in enumerate(self.keys):
            members.setdefault(key, []).append(i)
        self.groups = {key: np.array(ids, dtype=np.int64) for key, ids in members.items()}
        self.language_means = {key: vectors[ids].mean(axis=0) for key, ids in self.groups.items()}
        self.dense = dense if dense is not None else {}
        for key, ids in self.groups.items():
            if key not in self.dense:
                self.dense[key] = dense_index(np.ascontiguousarray(vectors[ids], dtype=np.float32), settings)
        nprobe = (settings or Settings()).ann_nprobe
        for dense_part in self.dense.values():
            set_nprobe(dense_part, nprobe)

    def dense_candidates(self, vector: np.ndarray, n: int) -> np.ndarray:
        """The top ``n`` chunks of every language section (global chunk ids)."""
        found = []
        for key, ids in self.groups.items():
            _, local = self.dense[key].search(vector[None, :].astype(np.float32), min(n, len(ids)))
            found.append(ids[local[0][local[0] >= 0]])
        return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)

    def sentences_of(self, chunk_id: int) -> np.ndarray:
        """The vectors of one chunk's sentences (float32, in ``Chunk.sentences`` order)."""
        rows = self.sentence_vectors[self.sentence_start[chunk_id] : self.sentence_start[chunk_id + 1]]
        return np.asarray(rows, dtype=np.float32)

    def section_search(self, vector: np.ndarray, language: str, n: int) -> list[int]:
        """The ``n`` nearest chunks (global ids) within the sections of one language."""
        found: list[tuple[float, int]] = []
        for key, ids in self.groups.items():
            if key.partition("-")[0] != language:
                continue
            scores, local = self.dense[key].search(vector[None, :].astype(np.float32), min(n, len(ids)))
            found += [(float(s), int(ids[i])) for s, i in zip(scores[0], local[0], strict=True) if i >= 0]
        return [chunk_id for _, chunk_id in sorted(found, reverse=True)[:n]]

    @cached_property
    def lexical(self) -> Lexical:
        """Built on first query: loading an index only to reuse its vectors need not pay for it."""
        return Lexical([c.text for c in self.chunks])

    @property
    def dimension(self) -> int:
        return int(self.manifest["dimension"])

    def save(self, folder: Path) -> None:
        """Write a new generation folder, then point ``CURRENT`` at it with one atomic rename.

        A reader (or a crash at any instant) sees either the old generation or the new one, never
        a mix; stale generations and staging folders of killed builds are swept afterwards."""
        folder.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=folder))
        try:
            with open(staging / CHUNKS, "w", encoding="utf-8") as out:
                for chunk in self.chunks:
                    out.write(json.dumps(asdict(chunk), ensure_ascii=False) + "\n")
            np.save(staging / VECTORS, self.vectors)
            np.save(staging / SENTENCES, np.asarray(self.sentence_vectors, dtype=np.float16))
            for key, dense in self.dense.items():
                faiss.write_index(dense, str(staging / _faiss_name(key)))
            (staging / MANIFEST).write_text(json.dumps(self.manifest, indent=1, ensure_ascii=False))
            for written in staging.iterdir():
                _fsync(written)
            generation = f"{GENERATION_PREFIX}{time.time_ns()}"
            os.replace(staging, folder / generation)
            pointer = folder / f".{CURRENT}-{os.getpid()}"
            pointer.write_text(generation, encoding="utf-8")
            _fsync(pointer)
            os.replace(pointer, folder / CURRENT)  # the commit point
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        sweep(folder)

    @classmethod
    def load(cls, folder: Path, settings: Settings | None = None, model_id: str | None = None) -> Index:
        pointer = folder / CURRENT
        if not pointer.exists():
            if (folder / MANIFEST).exists():  # the layout before generations
                raise IndexUnavailable(f"index at {folder} has an old format: run `qa index --rebuild`")
            raise IndexUnavailable(f"no index at {folder}: run `qa index` first")
        try:
            current = current_generation(folder)
            manifest = json.loads((current / MANIFEST).read_text(encoding="utf-8"))
            if manifest.get("format_version") != FORMAT_VERSION:
                raise IndexUnavailable(
                    f"index at {folder} has format {manifest.get('format_version')}, this qa needs "
                    f"{FORMAT_VERSION}: run `qa index --rebuild`"
                )
            with open(current / CHUNKS, encoding="utf-8") as lines:
                chunks = [chunk_from_json(json.loads(line)) for line in lines]
            vectors = np.load(current / VECTORS, allow_pickle=False, mmap_mode="r")
            sentence_vectors = np.load(current / SENTENCES, allow_pickle=False, mmap_mode="r")
            keys = {_language_key(c) for c in chunks}
            dense = {key: read_dense(current / _faiss_name(key)) for key in keys}
        except IndexUnavailable:
            raise
        except (OSError, ValueError, KeyError, TypeError, RuntimeError, AttributeError) as exc:
            raise IndexUnavailable(f"index at {folder} is damaged ({exc}): run `qa index --rebuild`") from exc
        sentences = sum(len(c.sentences) for c in chunks)
        if vectors.shape != (len(chunks), manifest["dimension"]) or sentence_vectors.shape != (
            sentences, manifest["dimension"]
        ):
            raise IndexUnavailable(f"index at {folder} is inconsistent (vectors vs chunks): run `qa index --rebuild`")
        if model_id and manifest.get("model") != model_id:
            raise IndexUnavailable(
                f"index at {folder} was built with model {manifest.get('model')!r}, not {model_id!r}: "
                "run `qa index --rebuild`"
            )
        if sum(d.ntotal for d in dense.values()) != len(chunks):
            raise IndexUnavailable(f"index at {folder} is inconsistent (FAISS vs chunks): run `qa index --rebuild`")
        return cls(manifest, chunks, vectors, sentence_vectors, dense, settings)


def dense_index(vectors: np.ndarray, settings: Settings | None = None) -> faiss.Index:
    """Exact inner-product search, or IVF-Flat past ``settings.ann_threshold`` vectors (or when
    forced): about √n lists trained on a sample, searched with ``ann_nprobe`` probes."""
    settings = settings or Settings()
    n, dimension = vectors.shape
    use_ivf = settings.ann == "ivf" or (settings.ann == "auto" and n > settings.ann_threshold)
    if not use_ivf or n < 1000:  # too few vectors to train lists on
        flat = faiss.IndexFlatIP(dimension)
        flat.add(vectors)
        return flat
    lists = max(16, min(4096, int(np.sqrt(n))))
    ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(dimension), dimension, lists, faiss.METRIC_INNER_PRODUCT)
    sample = np.random.default_rng(0).choice(n, size=min(n, lists * 64), replace=False)
    ivf.train(vectors[np.sort(sample)])
    ivf.add(vectors)
    set_nprobe(ivf, settings.ann_nprobe)
    return ivf


def set_nprobe(index: faiss.Index, nprobe: int) -> None:
    if isinstance(index, faiss.IndexIVF):
        index.nprobe = nprobe


def read_dense(path: Path) -> faiss.Index:
    """Memory-mapped where FAISS allows (flat codes, IVF lists): a large index loads at once and
    shares pages with other processes; pages are read on first use."""
    try:
        return faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC | faiss.IO_FLAG_READ_ONLY)
    except RuntimeError:
        return faiss.read_index(str(path))


def current_generation(folder: Path) -> Path:
    """The folder holding the live index files (for tools and tests that inspect them)."""
    return folder / (folder / CURRENT).read_text(encoding="utf-8").strip()


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def sweep(folder: Path) -> None:
    """Remove generations other than the current one and staging folders of killed builds.
    Callers hold the build lock, so no live build's staging folder is touched."""
    try:
        current = (folder / CURRENT).read_text(encoding="utf-8").strip()
    except OSError:
        return
    for entry in folder.iterdir():
        flat_layout = entry.name.startswith("dense-") and entry.suffix == ".faiss"
        if entry.name in (MANIFEST, CHUNKS, VECTORS, SENTENCES) or flat_layout:
            entry.unlink(missing_ok=True)  # the flat layout of format 1, replaced by a generation
            continue
        stale_generation = entry.name.startswith(GENERATION_PREFIX) and entry.name != current
        if stale_generation or entry.name.startswith(STAGING_PREFIX) or entry.name.startswith(f".{CURRENT}-"):
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


@contextmanager
def build_lock(folder: Path) -> Iterator[None]:
    """One build at a time per index folder (the CLI and the web app may both index)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / LOCK, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def chunk_from_json(data: dict) -> Chunk:
    data["sentences"] = tuple(tuple(s) for s in data.get("sentences", ()))
    return Chunk(**data)


