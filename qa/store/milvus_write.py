"""Writing a qa index into Milvus (the layout is described in qa.store.milvus_read).

- ``replace``: a full build (or ``qa index --to``) writes a new collection ``<alias>_<ns>`` and then
  switches the alias to it in one step, the commit point: a build killed at any instant leaves the
  previous collection answering. Collections left by killed builds are dropped by the next build.
- ``update``: an incremental build deletes and re-inserts by file in the live collection. A file's
  meta row is written after its chunks, so an interrupted insert leaves the file unindexed, and the
  next build deletes its partial rows before inserting it again.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict
from typing import Any

import numpy as np

from qa.errors import IndexUnavailable
from qa.settings import Settings, VectorSettings
from qa.store.base import section_of
from qa.store.folder import Index
from qa.store.lexical import bm25_rows
from qa.store.milvus_read import FIELDS, META, MilvusIndex, connect, encode_sentences, meta_id, quoted
from qa.store.vectors import ivf_lists
from qa.types import Chunk

BATCH = 512  # rows per insert call


def create_collection(client: Any, name: str, dimension: int, settings: VectorSettings, size: int) -> None:
    from pymilvus import DataType, MilvusClient

    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("section", DataType.VARCHAR, max_length=64, is_partition_key=True)
    schema.add_field("source", DataType.VARCHAR, max_length=4096)
    schema.add_field("chunk", DataType.VARCHAR, max_length=65535)
    schema.add_field("sentences", DataType.VARCHAR, max_length=65535)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dimension)
    schema.add_field("grams", DataType.SPARSE_FLOAT_VECTOR)
    indexes = client.prepare_index_params()
    # Flat (exact) or IVF by the FAISS backend's rule, on the whole collection's size (Milvus
    # searches the sections of one collection, FAISS has one index per section).
    lists = ivf_lists(size, settings)
    if lists is None:
        indexes.add_index("vector", index_type="FLAT", metric_type="IP")
    else:
        indexes.add_index("vector", index_type="IVF_FLAT", metric_type="IP", params={"nlist": lists})
    indexes.add_index("grams", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
    client.create_collection(name, schema=schema, index_params=indexes)


def chunk_row(chunk_id: int, chunk: Chunk, vector: np.ndarray, sentences: np.ndarray, grams: dict[int, float]) -> dict:
    """One chunk as a row of the collection (the layout in qa.store.milvus_read)."""
    return {"id": chunk_id, "section": section_of(chunk).slug, "source": chunk.source,
            "chunk": json.dumps(asdict(chunk), ensure_ascii=False), "sentences": encode_sentences(sentences),
            "vector": np.asarray(vector, dtype=np.float32).tolist(), "grams": grams}


def _chunk_rows(index: Index, positions: list[int], ids: list[int], weights: list[dict[int, float]]) -> list[dict]:
    start = index.sentence_start
    return [chunk_row(chunk_id, index.chunks[p], index.vectors[p], index.sentence_vectors[start[p] : start[p + 1]],
                      grams) for p, chunk_id, grams in zip(positions, ids, weights, strict=True)]


def _meta_row(kind: str, key: str, value: dict, dimension: int, vector: np.ndarray | None = None) -> dict:
    return {"id": meta_id(kind, key), "section": META, "source": key,
            "chunk": json.dumps({"kind": kind, **value}, ensure_ascii=False), "sentences": "",
            "vector": (np.zeros(dimension) if vector is None else vector).astype(np.float32).tolist(),
            "grams": {1: 1.0}}  # never matched: a question's grams are all longer than one byte


def _summary_rows(index: Index, next_id: int) -> list[dict]:
    """The manifest (without its file list) and each language section's size and mean vector."""
    manifest = {key: value for key, value in index.manifest.items() if key != "files"}
    rows = [_meta_row("manifest", "", {"manifest": manifest, "next_id": next_id}, index.dimension)]
    for order, (section, members) in enumerate(index.members.items()):  # the order centring sums them in
        value = {"language": section.language, "script": section.script, "size": len(members), "order": order}
        rows.append(_meta_row("section", section.slug, value, index.dimension, index.means[section]))
    return rows


def _file_rows(index: Index, sources: Iterable[str]) -> list[dict]:
    files = index.manifest["files"]
    return [_meta_row("file", source, {"sha256": files[source]}, index.dimension) for source in sources]


def _insert(client: Any, name: str, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        client.insert(name, rows[start : start + BATCH])


def _insert_chunks(client: Any, name: str, index: Index, positions: list[int], first_id: int) -> None:
    """Chunks at ``positions`` of ``index`` as ids ``first_id``, ``first_id + 1``, …; their BM25 weights
    use the statistics of the whole of ``index`` (the corpus as it now is)."""
    weights = bm25_rows([c.text for c in index.chunks])
    for start in range(0, len(positions), BATCH):
        part = positions[start : start + BATCH]
        ids = list(range(first_id + start, first_id + start + len(part)))
        client.insert(name, _chunk_rows(index, part, ids, [weights[p] for p in part]))


def replace(client: Any, alias: str, index: Index, settings: VectorSettings) -> str:
    """Write ``index`` as a new collection and make it the live one; returns its name."""
    name = f"{alias}_{time.time_ns()}"
    create_collection(client, name, index.dimension, settings, len(index.chunks))
    try:
        _insert_chunks(client, name, index, list(range(len(index.chunks))), 0)
        _insert(client, name, _file_rows(index, index.manifest["files"]))
        _insert(client, name, _summary_rows(index, len(index.chunks)))
        client.flush(name)
        if alias in client.list_aliases().get("aliases", []):
            client.alter_alias(name, alias)  # the commit point
        else:
            client.create_alias(name, alias)
    except BaseException:
        client.drop_collection(name)
        raise
    sweep(client, alias)
    return name


def sweep(client: Any, alias: str) -> None:
    """Drop this alias's collections other than the live one (older builds, killed builds)."""
    live = client.describe_alias(alias).get("collection_name")
    for name in client.list_collections():
        if name.startswith(f"{alias}_") and name[len(alias) + 1 :].isdigit() and name != live:
            client.drop_collection(name)


def update(client: Any, alias: str, new: Index, changed: list[str], removed: list[str]) -> None:
    """Delete ``removed`` and ``changed`` files from the live collection, insert ``changed`` ones
    from ``new`` (the whole index as it now is), then rewrite the summary rows."""
    live = MilvusIndex(client, alias, alias)
    for source in sorted({*changed, *removed}):
        client.delete(alias, filter=f"source == {quoted(source)}")  # its chunks and its file row
    inserted = set(changed)
    positions = [i for i, chunk in enumerate(new.chunks) if chunk.source in inserted]
    next_id = live.next_id
    _insert_chunks(client, alias, new, positions, next_id)
    _insert(client, alias, _file_rows(new, changed))
    stale = {meta_id("section", section.slug) for section in live.sizes} - {
        meta_id("section", section.slug) for section in new.members}
    if stale:
        client.delete(alias, ids=sorted(stale))
    client.upsert(alias, _summary_rows(new, next_id + len(positions)))
    client.flush(alias)


def previous(client: Any, alias: str) -> Index | None:
    """The live collection as an in-memory Index (for an incremental build to reuse its vectors), or
    None when there is none."""
    try:
        live = MilvusIndex(client, alias, alias)
    except IndexUnavailable:
        return None
    rows = sorted(live.scan(FIELDS), key=lambda row: int(row["id"]))
    if not rows:
        return Index(dict(live.manifest), [], np.zeros((0, live.dimension), np.float32),
                     np.zeros((0, live.dimension), np.float16))
    decoded = [live.decode(row) for row in rows]
    return Index(dict(live.manifest), [row.chunk for row in decoded], np.stack([row.vector for row in decoded]),
                 np.concatenate([row.sentences for row in decoded]).astype(np.float16))


class MilvusWriter:
    """Builds into the collection the alias names: a whole new collection switched in by the alias,
    or, when the previous chunks stand, the changed files deleted and inserted in place."""

    def __init__(self, settings: Settings) -> None:
        self.client, self.alias = connect(settings.index_uri, settings.milvus.token), settings.milvus.collection
        self.settings = settings.vectors

    def lock(self) -> AbstractContextManager[object]:
        return nullcontext()  # the alias switch is the commit point; Milvus orders the writes

    def previous(self) -> Index | None:
        return previous(self.client, self.alias)

    def commit(self, index: Index, reuse: bool, changed: list[str], removed: list[str]) -> str:
        if not reuse:
            return f"collection {replace(self.client, self.alias, index, self.settings)}, alias {self.alias}"
        update(self.client, self.alias, index, changed, removed)
        return f"alias {self.alias}"
