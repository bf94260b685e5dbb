"""Milvus as the index backend: ``QA_INDEX=milvus-lite:///path/index.db`` (in-process, one process
at a time), ``milvus://host:19530`` or ``milvuss://host:19530`` (TLS) for a Milvus server or cluster,
with ``QA_MILVUS_TOKEN`` for authentication. The same pymilvus calls serve all three.

Everything the engine reads lives in the collection, so nothing on the qa machine grows with the
corpus. One row per chunk: ``id`` (the chunk id), ``section`` (language-script, the partition key),
``source``, ``chunk`` (the Chunk as JSON), ``sentences`` (its sentence vectors, float16, base64),
``vector`` (the passage vector) and ``grams`` (the lexical leg as BM25-weighted sparse vectors,
qa.store.lexical). Rows of section ``meta`` (negative ids) hold the manifest, one row per indexed file (its
hash: written after the file's chunks, so a file whose insert was interrupted is not indexed) and
one per language section (its size and mean vector, for centring).

The alias (``QA_MILVUS_COLLECTION``, default ``qa``) names the live collection. A full build writes a
new collection and switches the alias in one step (qa.store.milvus_write), so readers always see a
complete index; reading through the alias, a reader never touches a collection being written.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

import numpy as np

from qa.errors import IndexUnavailable
from qa.languages import Variant
from qa.settings import MILVUS_SCHEMES, Settings, VectorSettings
from qa.store.base import FORMAT_VERSION, centring, check_model, chunk_from_json, peaks, section_of
from qa.store.lexical import query_weights
from qa.types import Chunk

META = "meta"
FIELDS = ["chunk", "sentences", "vector"]
CACHE_ROWS = 4096  # chunks kept in memory between questions (a question reads ~200)
# pymilvus pings an idle connection every 10 s; a gRPC server with default settings (milvus-lite's,
# in-process or standalone) answers the third such ping with GOAWAY "too_many_pings" and the client
# cannot reconnect, so an idle page lost its index. No pings without a call in flight, and those
# at most every 6 minutes (above gRPC's default 5-minute minimum).
KEEPALIVE = {"grpc.keepalive_time_ms": 360_000, "grpc.keepalive_permit_without_calls": False}


def connect(uri: str, token: str = "") -> Any:
    """A pymilvus client for ``uri``, or IndexUnavailable naming what is wrong."""
    from pymilvus import MilvusClient
    from pymilvus.exceptions import MilvusException

    if not uri.startswith(MILVUS_SCHEMES):
        raise IndexUnavailable(f"not a Milvus address: {uri!r} (use milvus-lite:///path.db or milvus://host:port)")
    scheme, _, rest = uri.partition("://")
    try:
        if scheme == "milvus-lite":
            path = os.path.abspath(rest if rest.endswith(".db") else f"{rest}.db")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            return MilvusClient(path, grpc_options=KEEPALIVE)
        http = "https" if scheme == "milvuss" else "http"
        return MilvusClient(uri=f"{http}://{rest}", token=token, timeout=10,
                            grpc_options=KEEPALIVE)
    except (MilvusException, OSError) as exc:
        raise IndexUnavailable(f"cannot reach Milvus at {uri}: {getattr(exc, 'message', exc)}") from exc


def meta_id(kind: str, key: str = "") -> int:
    """A stable negative id for a meta row (chunk ids are ≥ 0)."""
    return -1 - int.from_bytes(hashlib.blake2b(f"{kind}:{key}".encode(), digest_size=7).digest(), "big")


def quoted(value: str) -> str:
    """``value`` as a string literal in a Milvus filter expression."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def encode_sentences(rows: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(rows, dtype=np.float16).tobytes()).decode("ascii")


def decode_sentences(text: str, dimension: int) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype=np.float16).reshape(-1, dimension)


@dataclass(frozen=True)
class Row:
    chunk: Chunk
    vector: np.ndarray
    sentences: np.ndarray  # float32, one row per sentence of ``chunk``


class ChunkRows(Sequence[Chunk]):
    """``index.chunks``: chunks by id, read from the collection on demand."""

    def __init__(self, index: MilvusIndex) -> None:
        self._index = index

    def __len__(self) -> int:
        return self._index.size

    @overload
    def __getitem__(self, i: int) -> Chunk: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[Chunk]: ...

    def __getitem__(self, i: int | slice) -> Chunk | Sequence[Chunk]:
        if isinstance(i, slice):
            raise TypeError("chunk ids are not positions: read them with chunks_of")
        row = self._index.rows([i]).get(int(i))
        if row is None:
            raise IndexError(f"no chunk with id {i}")
        return row.chunk

    def __iter__(self) -> Iterator[Chunk]:
        for row in self._index.scan(["chunk"]):
            yield chunk_from_json(json.loads(row["chunk"]))


class MilvusIndex:
    """The ``SearchIndex`` of qa.store.folder, over a Milvus collection (read through its alias)."""

    def __init__(self, client: Any, alias: str, uri: str, settings: VectorSettings | None = None) -> None:
        self.client, self.alias, self.uri = client, alias, uri
        self.settings = settings or VectorSettings()
        self._cache: OrderedDict[int, Row] = OrderedDict()
        self._languages: dict[tuple[str, str | None], dict[str, int]] = {}  # a file's chunks per language
        self._lock = threading.Lock()
        try:
            if alias not in client.list_aliases().get("aliases", []):
                raise IndexUnavailable(
                    f"no qa index in Milvus at {uri} (no collection alias {alias!r}): run `qa index`")
            client.load_collection(alias)  # a server keeps a collection released until asked to load it
            meta = client.query(alias, filter=f"section == {quoted(META)}", output_fields=["source", "chunk", "vector"])
        except IndexUnavailable:
            raise
        except Exception as exc:  # pymilvus's own errors, and whatever its transport raises
            raise IndexUnavailable(f"cannot read the qa index in Milvus at {uri} (alias {alias!r}): "
                                   f"{getattr(exc, 'message', exc)}") from exc
        self._manifest: dict = {}
        self.next_id = 0  # the id the next inserted chunk gets
        self.files: dict[str, str] = {}
        self.sizes: dict[Variant, int] = {}
        self.means: dict[Variant, np.ndarray] = {}
        values = [(json.loads(row["chunk"]), row) for row in meta]
        for value, row in sorted(values, key=lambda pair: pair[0].get("order", 0)):
            if value["kind"] == "manifest":
                self._manifest, self.next_id = value["manifest"], int(value["next_id"])
            elif value["kind"] == "file":
                self.files[row["source"]] = value["sha256"]
            elif value["kind"] == "section":
                section = Variant(value["language"], value["script"])
                self.sizes[section] = int(value["size"])
                self.means[section] = np.asarray(row["vector"], dtype=np.float32)
        if self._manifest.get("format_version") != FORMAT_VERSION:
            raise IndexUnavailable(f"the Milvus index at {uri} (alias {alias!r}) is incomplete or has another format:"
                                   " run `qa index --rebuild`")
        self._manifest["files"] = self.files
        self.size = sum(self.sizes.values())
        self.chunks: ChunkRows = ChunkRows(self)

    @classmethod
    def open(cls, settings: Settings) -> MilvusIndex:
        return cls(connect(settings.index_uri, settings.milvus.token), settings.milvus.collection, settings.index_uri,
                   settings.vectors)

    @property
    def manifest(self) -> dict:
        return self._manifest

    @property
    def dimension(self) -> int:
        return int(self._manifest["dimension"])

    def check_model(self, model_id: str) -> None:
        check_model(self._manifest, model_id)

    def file_hash(self, source: str) -> str | None:
        return self.files.get(source)

    def count_source(self, source: str) -> int:
        found = self.client.query(self.alias, filter=f"source == {quoted(source)} and id >= 0",
                                  output_fields=["count(*)"])
        return int(found[0]["count(*)"]) if found else 0

    def languages_of(self, source: str) -> dict[str, int]:
        key = (source, self.files.get(source))  # a file indexed again may be in other languages
        if key not in self._languages:
            counts = Counter(row["section"].split("-")[0] for row in self.client.query(
                self.alias, filter=f"source == {quoted(source)} and id >= 0", output_fields=["section"]))
            with self._lock:
                if len(self._languages) >= CACHE_ROWS:
                    self._languages.clear()
                self._languages[key] = counts
        return self._languages[key]

    def _search(self, data: list, field: str, n: int, expression: str) -> list[tuple[float, int]]:
        params: dict[str, Any] = {"metric_type": "IP"}
        if field == "vector":
            params["params"] = {"nprobe": self.settings.ann_nprobe}
        hits = self.client.search(self.alias, data=data, anns_field=field, limit=n, filter=expression,
                                  search_params=params, output_fields=[])
        return [(float(hit["distance"]), int(hit["id"])) for hit in hits[0]]

    def _section_hits(self, vector: np.ndarray, n: int, language: str | None = None) -> list[tuple[float, int]]:
        found = []
        for section, size in self.sizes.items():
            if language is None or section.language == language:
                found += self._search([vector.tolist()], "vector", min(n, size), f"section == {quoted(section.slug)}")
        return found

    def dense_candidates(self, vector: np.ndarray, n: int) -> np.ndarray:
        return np.array([chunk_id for _, chunk_id in self._section_hits(vector, n)], dtype=np.int64)

    def section_search(self, vector: np.ndarray, language: str, n: int) -> list[int]:
        return [chunk_id for _, chunk_id in sorted(self._section_hits(vector, n, language), reverse=True)[:n]]

    def lexical_candidates(self, text: str, n: int, dense_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        weights = query_weights(text)
        if not weights:
            ids = np.unique(dense_ids)
            return ids, np.zeros(len(ids), dtype=np.float32), 0.0
        top = self._search([weights], "grams", n, "id >= 0")
        scores = {chunk_id: score for score, chunk_id in top}
        ids = np.unique(np.concatenate([dense_ids, np.array(list(scores), dtype=np.int64)]))
        rest = [int(i) for i in ids if int(i) not in scores]
        if rest:  # the dense candidates' own lexical scores
            scores.update((i, s) for s, i in self._search([weights], "grams", len(rest), f"id in {rest}"))
        lexical = np.array([scores.get(int(i), 0.0) for i in ids], dtype=np.float32)
        return ids, lexical, max((score for score, _ in top), default=0.0)

    def rows(self, ids: Iterable[int]) -> dict[int, Row]:
        """The rows with these ids (missing ids are left out), from the cache or one query."""
        wanted = [int(i) for i in ids]
        with self._lock:  # the page answers several questions at once
            rows = {i: self._cache[i] for i in wanted if i in self._cache}
        missing = sorted({i for i in wanted if i not in rows and i >= 0})
        if missing:
            for found in self.client.query(self.alias, filter=f"id in {missing}", output_fields=FIELDS):
                rows[int(found["id"])] = self.decode(found)
        with self._lock:
            for i, row in rows.items():
                self._cache[i] = row
                self._cache.move_to_end(i)
            while len(self._cache) > CACHE_ROWS:
                self._cache.popitem(last=False)
        return rows

    def decode(self, found: dict) -> Row:
        """A chunk row as the collection returns it (``FIELDS``) → its chunk and vectors."""
        sentences = decode_sentences(found["sentences"], self.dimension).astype(np.float32)
        vector = np.asarray(found["vector"], dtype=np.float32)
        return Row(chunk_from_json(json.loads(found["chunk"])), vector, sentences)

    def chunks_of(self, ids: Iterable[int]) -> dict[int, Chunk]:
        return {i: row.chunk for i, row in self.rows(ids).items()}

    def vectors_of(self, ids: np.ndarray) -> np.ndarray:
        rows = self.rows(ids.tolist())
        return np.stack([rows[int(i)].vector for i in ids]) if len(ids) else np.zeros((0, self.dimension), np.float32)

    def sentences_of(self, chunk_id: int) -> np.ndarray:
        return self.rows([chunk_id])[chunk_id].sentences

    def sentence_peaks(self, ids: np.ndarray, vector: np.ndarray) -> np.ndarray:
        rows = self.rows(ids.tolist())  # the candidates' rows, cached when their vectors were read
        groups = [rows[int(i)].sentences.reshape(-1, self.dimension) for i in ids]
        flat = np.concatenate(groups) if groups else np.zeros((0, self.dimension), np.float32)
        return peaks(flat, np.array([len(g) for g in groups], dtype=np.int64), vector)

    def language_offsets(
        self, vector: np.ndarray, ids: np.ndarray, raw: np.ndarray, language: str, mode: str
    ) -> np.ndarray:
        rows = self.rows(ids.tolist())
        return centring(vector, self.means, self.sizes, [section_of(rows[int(i)].chunk) for i in ids], raw,
                        language, mode)

    def scan(self, fields: list[str], batch: int = 1000) -> Iterator[dict]:
        """Every chunk row (``id`` and ``fields``), in batches."""
        iterator = self.client.query_iterator(self.alias, batch_size=batch, filter="id >= 0",
                                              output_fields=["id", *fields])
        try:
            while page := iterator.next():
                yield from page
        finally:
            iterator.close()
