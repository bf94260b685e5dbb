"""The in-memory index: chunks, their vectors and sentence vectors, one vector backend per language
section, the lexical index, and the language-section statistics retrieval centres scores with.
``SearchIndex`` is what retrieval reads from it or from the other backend, a Milvus collection
(qa.store.milvus_read); ``qa.store.factory`` opens whichever ``Settings`` names.

Files of a generation (qa.store.generations): ``manifest.json`` (format, model id, dimension, chunk settings,
file hashes), ``chunks.jsonl`` (one chunk per line, in vector order), ``vectors.npy`` (normalised
passage vectors), ``sentences.npy`` (float16 vectors of every chunk's sentences, in chunk order) and
``dense-<language>-<script>.faiss`` per language section.

e5 scores any passage in the question's own language higher than an equally relevant one in
another: a Russian question ranks the whole Russian abstract above the English body that holds the
answer. Searching each language section separately and subtracting that section's mean score
(q·μ, ``language_offsets``) removes the offset without changing any ranking inside a section.
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import asdict
from functools import cached_property
from pathlib import Path

import numpy as np

from qa.errors import IndexUnavailable
from qa.languages import Variant
from qa.settings import VectorSettings
from qa.store import generations as store
from qa.store import vectors
from qa.store.base import FORMAT_VERSION, centring, check_model, chunk_from_json, peaks, section_of
from qa.store.lexical import Lexical
from qa.types import Chunk

MANIFEST, CHUNKS, VECTORS, SENTENCES = "manifest.json", "chunks.jsonl", "vectors.npy", "sentences.npy"


def _backend_file(section: Variant) -> str:
    return f"dense-{section.slug}.faiss"


def _legacy(path: Path) -> bool:
    """Files of format 1, which kept one flat layout in the index folder itself."""
    return path.name in (MANIFEST, CHUNKS, VECTORS, SENTENCES) or (
        path.name.startswith("dense-") and path.suffix == ".faiss"
    )


class Index:
    def __init__(
        self, manifest: dict, chunks: list[Chunk], vectors_: np.ndarray, sentence_vectors: np.ndarray,
        backends: dict[Variant, vectors.VectorBackend] | None = None, settings: VectorSettings | None = None,
    ) -> None:
        settings = settings or VectorSettings()
        self.manifest = manifest
        self.chunks = chunks
        self.vectors = vectors_
        self.sentence_vectors = sentence_vectors  # float16, the sentences of chunk i at sentence_start[i]
        self.sentence_start = np.concatenate([[0], np.cumsum([len(c.sentences) for c in chunks])]).astype(np.int64)
        self.sections = [section_of(c) for c in chunks]
        members: dict[Variant, list[int]] = {}
        for i, section in enumerate(self.sections):
            members.setdefault(section, []).append(i)
        self.members = {section: np.array(ids, dtype=np.int64) for section, ids in members.items()}
        self.means = {section: vectors_[ids].mean(axis=0) for section, ids in self.members.items()}
        self.backends: dict[Variant, vectors.VectorBackend] = dict(backends or {})
        for section, ids in self.members.items():
            if section not in self.backends:
                self.backends[section] = vectors.create(np.ascontiguousarray(vectors_[ids], dtype=np.float32), settings)
        for backend in self.backends.values():
            backend.set_nprobe(settings.ann_nprobe)
        self.origin: tuple[Path, str] | None = None  # the folder and generation it was loaded from

    @property
    def dimension(self) -> int:
        return int(self.manifest["dimension"])

    @cached_property
    def lexical(self) -> Lexical:
        """Built on first query: loading an index only to reuse its vectors need not pay for it."""
        return Lexical([c.text for c in self.chunks])

    def dense_candidates(self, vector: np.ndarray, n: int) -> np.ndarray:
        """The top ``n`` chunks of every language section (global chunk ids)."""
        found = []
        for section, ids in self.members.items():
            _, local = self.backends[section].search(vector, min(n, len(ids)))
            found.append(ids[local[local >= 0]])
        return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)

    def section_search(self, vector: np.ndarray, language: str, n: int) -> list[int]:
        """The ``n`` nearest chunks (global ids) within the sections of one language."""
        found: list[tuple[float, int]] = []
        for section, ids in self.members.items():
            if section.language != language:
                continue
            scores, local = self.backends[section].search(vector, min(n, len(ids)))
            found += [(float(s), int(ids[i])) for s, i in zip(scores, local, strict=True) if i >= 0]
        return [chunk_id for _, chunk_id in sorted(found, reverse=True)[:n]]

    def sentences_of(self, chunk_id: int) -> np.ndarray:
        """The vectors of one chunk's sentences (float32, in ``Chunk.sentences`` order)."""
        rows = self.sentence_vectors[self.sentence_start[chunk_id] : self.sentence_start[chunk_id + 1]]
        return np.asarray(rows, dtype=np.float32)

    def sentence_peaks(self, ids: np.ndarray, vector: np.ndarray) -> np.ndarray:
        starts, lengths = self.sentence_start[ids], self.sentence_start[ids + 1] - self.sentence_start[ids]
        at = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths) + np.arange(lengths.sum())
        return peaks(self.sentence_vectors[at], lengths, vector)

    def language_offsets(
        self, vector: np.ndarray, ids: np.ndarray, raw: np.ndarray, language: str, mode: str
    ) -> np.ndarray:
        """How much to subtract from each candidate's similarity, by its language section (``centring``)."""
        sizes = {section: len(members) for section, members in self.members.items()}
        return centring(vector, self.means, sizes, [self.sections[i] for i in ids], raw, language, mode)

    def chunks_of(self, ids: Iterable[int]) -> dict[int, Chunk]:
        """The chunks with these ids; an id not in the index is left out."""
        return {int(i): self.chunks[int(i)] for i in ids if 0 <= int(i) < len(self.chunks)}

    def vectors_of(self, ids: np.ndarray) -> np.ndarray:
        """The passage vectors of chunks ``ids`` (rows in the same order)."""
        return np.asarray(self.vectors[ids])

    def lexical_candidates(self, text: str, n: int, dense_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        """The candidate ids (``dense_ids`` and the ``n`` best lexical matches), their lexical scores,
        and the best lexical score over the whole corpus (the fused score is relative to it)."""
        scores = self.lexical.scores(text)
        top = np.argsort(-scores)[:n]
        ids = np.unique(np.concatenate([dense_ids, top[scores[top] > 0]]))
        return ids, scores[ids], float(scores.max()) if scores.size else 0.0

    def file_hash(self, source: str) -> str | None:
        """The content hash of ``source`` as indexed; None when it is not in the index."""
        return self.manifest["files"].get(source)

    def count_source(self, source: str) -> int:
        return sum(self.languages_of(source).values())

    @cached_property
    def _languages(self) -> dict[str, Counter[str]]:
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for chunk in self.chunks:
            counts[chunk.source][chunk.language] += 1
        return counts

    def languages_of(self, source: str) -> dict[str, int]:
        return self._languages.get(source, {})

    def check_model(self, model_id: str) -> None:
        check_model(self.manifest, model_id)

    def newer_than(self, other: object) -> bool:
        """Whether this index is a later generation of the same folder than ``other`` (generations
        are named by their commit time): a slow reopen never replaces a newer one."""
        if not isinstance(other, Index) or self.origin is None or other.origin is None:
            return True
        (folder, mine), (theirs_folder, theirs) = self.origin, other.origin
        return folder != theirs_folder or store.generation_time(mine) >= store.generation_time(theirs)

    def superseded(self) -> bool:
        """Whether a build (of any process: ``qa index``, ``qa remove``) has committed a newer
        generation of the folder this index was loaded from: one small read per question."""
        if self.origin is None:
            return False
        folder, generation = self.origin
        try:
            return store.current_generation(folder).name != generation
        except OSError:
            return False

    def save(self, folder: Path) -> None:
        """A new generation with every file of this index (qa.store.generations.commit)."""

        def write(staging: Path) -> None:
            with open(staging / CHUNKS, "w", encoding="utf-8") as out:
                for chunk in self.chunks:
                    out.write(json.dumps(asdict(chunk), ensure_ascii=False) + "\n")
            np.save(staging / VECTORS, self.vectors)
            np.save(staging / SENTENCES, np.asarray(self.sentence_vectors, dtype=np.float16))
            for section, backend in self.backends.items():
                backend.save(staging / _backend_file(section))
            (staging / MANIFEST).write_text(json.dumps(self.manifest, indent=1, ensure_ascii=False))

        store.commit(folder, write, legacy=_legacy)

    @classmethod
    def load(cls, folder: Path, settings: VectorSettings | None = None) -> Index:
        if not (folder / store.CURRENT).exists():
            if (folder / MANIFEST).exists():  # the layout before generations
                raise IndexUnavailable(f"index at {folder} has an old format: run `qa index --rebuild`")
            raise IndexUnavailable(f"no index at {folder}: run `qa index` first")
        try:
            with store.reading(folder) as current:  # no sweep deletes it while its files open
                manifest = json.loads((current / MANIFEST).read_text(encoding="utf-8"))
                if manifest.get("format_version") != FORMAT_VERSION:
                    raise IndexUnavailable(
                        f"index at {folder} has format {manifest.get('format_version')}, this qa needs "
                        f"{FORMAT_VERSION}: run `qa index --rebuild`"
                    )
                with open(current / CHUNKS, encoding="utf-8") as lines:
                    chunks = [chunk_from_json(json.loads(line)) for line in lines]
                dense = np.load(current / VECTORS, allow_pickle=False, mmap_mode="r")
                sentence_vectors = np.load(current / SENTENCES, allow_pickle=False, mmap_mode="r")
                sections = {section_of(c) for c in chunks}
                backends: dict[Variant, vectors.VectorBackend] = {
                    section: vectors.load(current / _backend_file(section)) for section in sections
                }
        except IndexUnavailable:
            raise
        except (OSError, ValueError, KeyError, TypeError, RuntimeError, AttributeError) as exc:
            raise IndexUnavailable(f"index at {folder} is damaged ({exc}): run `qa index --rebuild`") from exc
        sentences = sum(len(c.sentences) for c in chunks)
        dimension = manifest.get("dimension") if isinstance(manifest, dict) else None
        if dense.shape != (len(chunks), dimension) or sentence_vectors.shape != (sentences, dimension):
            raise IndexUnavailable(f"index at {folder} is inconsistent (vectors vs chunks): run `qa index --rebuild`")
        if sum(b.size for b in backends.values()) != len(chunks):
            raise IndexUnavailable(f"index at {folder} is inconsistent (FAISS vs chunks): run `qa index --rebuild`")
        index = cls(manifest, chunks, dense, sentence_vectors, backends, settings)
        index.origin = (folder, current.name)
        return index


def recorded_corpus(folder: Path) -> Path | None:
    """The corpus folder a folder index was built from, as its manifest records it (None: no index
    here, or one from before the record); the folder may since have gone."""
    if not (folder / store.CURRENT).is_file():
        return None
    try:
        with store.reading(folder) as current:
            corpus = json.loads((current / MANIFEST).read_text(encoding="utf-8")).get("corpus")
    except (OSError, ValueError, AttributeError):
        return None
    return Path(corpus) if isinstance(corpus, str) else None


class FolderWriter:
    """Builds into a local folder: one build at a time (a lock file), committed as a new generation."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def lock(self) -> AbstractContextManager[object]:
        return store.build_lock(self.folder, lambda: print(
            f"qa: waiting for another build of {self.folder} to finish…", file=sys.stderr, flush=True))

    def previous(self) -> Index | None:
        try:
            return Index.load(self.folder)
        except IndexUnavailable:
            return None

    def commit(self, index: Index, reuse: bool, changed: list[str], removed: list[str]) -> str:
        index.save(self.folder)
        return str(self.folder)
