"""milvus-lite beside FAISS at 100k and 1M chunks (issue 16): insert rate, search p50/p95, RSS.

    .venv/bin/python -m bench.milvus_scale [--sizes 100000 1000000] [--queries 50]

Rows are the dev index's real chunks repeated, each with its own sentence vectors and lexical
weights; the dense vectors past the real ones are SYNTHETIC (bench/scale.py's mix of two real
vectors plus noise, so the clusters of real e5 vectors remain). Queries are real e5 encodings of
the seed dev questions. Printed per size and backend:
- insert: rows written per second (FAISS: building the flat index from the same vectors);
- dense: one language section's top 50 by inner product (what retrieval asks per section);
- lexical: the top 50 by the BM25 leg (FAISS backend: bm25s over the chunk texts; milvus-lite: its
  sparse inverted index). Past --lexical-max chunks the lexical leg is left out of both (the rows
  carry a one-entry placeholder): milvus-lite keeps its 240 postings per chunk as Python objects,
  5.4 GB of RSS at 100k chunks, so those of 1M chunks would not fit this 23 GB machine;
- RSS of this process after loading.
Both backends search exactly (flat); milvus-lite is the in-process Python engine, not a server.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.common import dev_index, p50_p95_ms, read_rows
from bench.scale import rss_mb, synthetic
from qa.model.embed import Embedder
from qa.settings import Settings, VectorSettings
from qa.store.base import section_of
from qa.store.lexical import Lexical, bm25_rows, query_weights
from qa.store.milvus_read import connect, quoted
from qa.store.milvus_write import BATCH, chunk_row, create_collection


def _timed(run, queries: list) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    times = []
    for query in queries:
        began = time.perf_counter()
        run(query)
        times.append(time.perf_counter() - began)
    return p50_p95_ms(times)


def milvus_row(index, i: int, vector: np.ndarray, weights: list[dict[int, float]] | None) -> dict:  # type: ignore[no-untyped-def]
    """Row ``i``: the real chunk ``i`` mod the dev index's size, with ``vector``."""
    real = i % len(index.chunks)
    sentences = index.sentence_vectors[index.sentence_start[real] : index.sentence_start[real + 1]]
    return chunk_row(i, index.chunks[real], vector, sentences, weights[real] if weights else {1: 1.0})


def _ivf(client, queries: np.ndarray, expression: str, size: int) -> dict:  # type: ignore[no-untyped-def]
    """The collection re-indexed with IVF_FLAT (the lists qa.store.milvus_write chooses, nprobe 64):
    latency, and recall@10 against the flat search of the same collection."""
    def top10(q: np.ndarray, params: dict) -> set[int]:
        hits = client.search("bench", data=[q.tolist()], anns_field="vector", limit=10, filter=expression,
                             search_params={"metric_type": "IP", **params})
        return {int(hit["id"]) for hit in hits[0]}

    exact = [top10(q, {}) for q in queries]
    client.release_collection("bench")
    client.drop_index("bench", "vector")
    indexes = client.prepare_index_params()
    lists = max(16, min(4096, int(np.sqrt(size))))
    indexes.add_index("vector", index_type="IVF_FLAT", metric_type="IP", params={"nlist": lists})
    began = time.perf_counter()
    client.create_index("bench", indexes)
    client.load_collection("bench")
    built = time.perf_counter() - began
    params = {"params": {"nprobe": VectorSettings().ann_nprobe}}
    found = [top10(q, params) for q in queries]
    recall = float(np.mean([len(a & b) / max(1, len(a)) for a, b in zip(exact, found, strict=True)]))
    return {"milvus_ivf_build_s": built, "milvus_ivf_ms": _timed(lambda q: top10(q, params), list(queries)),
            "milvus_ivf_recall_at_10": recall}


def run(size: int, index, queries: np.ndarray, texts: list[str], lexical_max: int,  # type: ignore[no-untyped-def]
        ivf: bool = False) -> dict:
    import faiss

    vectors = synthetic(np.asarray(index.vectors, dtype=np.float32), size)
    lexical_too = size <= lexical_max
    weights = bm25_rows([c.text for c in index.chunks]) if lexical_too else None
    section = section_of(index.chunks[0]).slug
    members = np.array([i for i in range(size) if section_of(index.chunks[i % len(index.chunks)]).slug == section])
    out: dict = {"size": size}
    began = time.perf_counter()
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors[members])
    out["faiss_insert_per_s"] = size / (time.perf_counter() - began)
    out["faiss_dense_ms"] = _timed(lambda q: flat.search(q[None, :], 50), list(queries))
    if lexical_too:
        repeated = [index.chunks[i % len(index.chunks)].text for i in range(size)]
        lexical = Lexical(repeated)
        out["faiss_lexical_ms"] = _timed(lambda t: np.argsort(-lexical.scores(t))[:50], texts)
        del lexical
    out["faiss_rss_mb"] = rss_mb()
    folder = Path(tempfile.mkdtemp(prefix="milvus-bench-"))
    try:
        client = connect(f"milvus-lite://{folder / 'bench.db'}")
        create_collection(client, "bench", vectors.shape[1], VectorSettings(ann="flat"), size)
        began = time.perf_counter()
        for start in range(0, size, BATCH):
            stop = min(size, start + BATCH)
            client.insert("bench", [milvus_row(index, i, vectors[i], weights) for i in range(start, stop)])
        client.flush("bench")
        out["milvus_insert_per_s"] = size / (time.perf_counter() - began)
        client.load_collection("bench")
        expression = f"section == {quoted(section)}"
        out["milvus_dense_ms"] = _timed(lambda q: client.search(
            "bench", data=[q.tolist()], anns_field="vector", limit=50, filter=expression,
            search_params={"metric_type": "IP"}), list(queries))
        if lexical_too:
            out["milvus_lexical_ms"] = _timed(lambda t: client.search(
                "bench", data=[query_weights(t)], anns_field="grams", limit=50, filter="id >= 0",
                search_params={"metric_type": "IP"}), texts)
        if ivf:
            out.update(_ivf(client, queries, expression, size))
        out["milvus_rss_mb"] = rss_mb()
        out["milvus_disk_mb"] = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20
        client.drop_collection("bench")
        client.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return out


def parity(settings: Settings, embedder: Embedder) -> str:
    """Answers of the FAISS dev index and of its copy in milvus-lite, question by question."""
    from qa.api import Engine
    from qa.store.milvus_read import MilvusIndex
    from qa.store.milvus_write import replace

    _, index = dev_index(settings, embedder)
    rows = [*read_rows("seed_dev_qa.jsonl"), *read_rows("seed_dev_neartopic.jsonl")]
    heldout = Path(__file__).parent / "data" / "heldout_qa.jsonl"
    rows += [json.loads(line) for line in heldout.read_text(encoding="utf-8").splitlines() if line.strip()]
    folder = Path(tempfile.mkdtemp(prefix="milvus-parity-"))
    try:
        uri = f"milvus-lite://{folder / 'dev.db'}"
        client, alias = connect(uri), settings.milvus.collection
        replace(client, alias, index, settings.vectors)
        milvus = Engine(MilvusIndex(client, alias, uri, settings.vectors), embedder, settings)
        faiss = Engine(index, embedder, settings)
        different = [(row["question"], k) for row in rows for k in (5, 10)  # 10: the top-10 citations too
                     if milvus.ask(row["question"], k).to_json() != faiss.ask(row["question"], k).to_json()]
        client.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return f"{len(rows)} questions over {len(index.chunks)} chunks: {len(different)} answers differ {different}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--lexical-queries", type=int, default=10)
    parser.add_argument("--lexical-max", type=int, default=100_000)
    parser.add_argument("--ivf", action="store_true", help="also IVF_FLAT: latency and recall@10 against flat")
    parser.add_argument("--parity", action="store_true", help="compare every dev answer between the backends instead")
    args = parser.parse_args()
    settings = Settings.from_env()
    embedder = Embedder(settings)
    if args.parity:
        print(parity(settings, embedder))
        return
    _, index = dev_index(settings, embedder)
    questions = [row["question"] for row in read_rows("seed_dev_qa.jsonl") if row.get("lang") == "en"]
    queries = embedder.queries(questions[: args.queries])
    texts = questions[: args.lexical_queries]
    for size in args.sizes:
        result = run(size, index, queries, texts, args.lexical_max, args.ivf)
        print(json.dumps({key: (tuple(round(v, 1) for v in value) if isinstance(value, tuple) else
                                round(value, 3) if isinstance(value, float) else value)
                          for key, value in result.items()}), flush=True)


if __name__ == "__main__":
    main()
