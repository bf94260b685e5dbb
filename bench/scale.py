"""Scale (issue 5): dense search at 1k → 1M vectors, exact (flat) vs qa's ANN option (IVF-Flat),
and the whole warm `ask` at 1k / 10k / 100k chunks.

    .venv/bin/python -m bench scale [--max 1000000] [--queries 300]

Vectors: the 1k rows are the dev corpus's real e5 vectors. Larger sizes are SYNTHETIC: each vector
mixes two random real chunk vectors plus Gaussian noise, renormalised, so the collection keeps the
topical cluster structure of real e5 embeddings (uniform random vectors would have none and say
nothing about ANN recall). Queries are real e5 encodings of dev questions. Recall@10 is measured
against exact flat search on the same vectors. Chunk texts for the end-to-end rows are the dev
chunks repeated (the lexical leg indexes them all).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from bench.common import DATA, dev_index, p50_p95_ms
from qa.api import Engine
from qa.model.embed import Embedder
from qa.settings import Settings
from qa.store import vectors as backends
from qa.store.folder import Index


def rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic(real: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    if n <= len(real):
        return np.ascontiguousarray(real[:n])
    rng = np.random.default_rng(seed)
    out = np.empty((n, real.shape[1]), dtype=np.float32)
    for start in range(0, n, 100_000):
        m = min(100_000, n - start)
        a, b = rng.integers(0, len(real), m), rng.integers(0, len(real), m)
        w = rng.uniform(0.5, 1.0, (m, 1)).astype(np.float32)
        block = w * real[a] + (1 - w) * real[b] + rng.normal(0, 0.02, (m, real.shape[1])).astype(np.float32)
        out[start : start + m] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def timed_search(index, queries: np.ndarray, k: int = 10) -> tuple[list[float], np.ndarray]:  # type: ignore[no-untyped-def]
    times, found = [], []
    for q in queries:
        began = time.perf_counter()
        _, ids = index.search(q, k)
        times.append(time.perf_counter() - began)
        found.append(ids)
    return times, np.array(found)


def dense_rows(real: np.ndarray, queries: np.ndarray, sizes: list[int], settings: Settings) -> list[dict]:
    rows = []
    for n in sizes:
        vectors = synthetic(real, n)
        began = time.perf_counter()
        flat = backends.create(vectors, replace(settings.vectors, ann="flat"))
        flat_build = time.perf_counter() - began
        flat_times, truth = timed_search(flat, queries)
        row = {"size": n, "synthetic": n > len(real), "flat_build_s": flat_build}
        row["flat_p50_ms"], row["flat_p95_ms"] = p50_p95_ms(flat_times)
        del flat
        if n >= 10_000:
            before = rss_mb()
            began = time.perf_counter()
            ivf = backends.create(vectors, replace(settings.vectors, ann="ivf"))
            row["ivf_build_s"] = time.perf_counter() - began
            row["ivf_memory_mb"] = rss_mb() - before
            ivf_times, got = timed_search(ivf, queries)
            row["ivf_p50_ms"], row["ivf_p95_ms"] = p50_p95_ms(ivf_times)
            overlap = [len(set(g) & set(t)) / 10 for g, t in zip(got, truth, strict=True)]
            row["ivf_recall_at_10"] = float(np.mean(overlap))
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "ivf.faiss"
                ivf.save(path)
                del ivf
                before = rss_mb()
                began = time.perf_counter()
                mapped = backends.load(path)
                mapped.set_nprobe(settings.vectors.ann_nprobe)
                row["ivf_mmap_load_s"] = time.perf_counter() - began
                row["ivf_mmap_load_mb"] = rss_mb() - before
                mapped_times, _ = timed_search(mapped, queries[:50])
                row["ivf_mmap_p95_ms"] = p50_p95_ms(mapped_times)[1]
                del mapped
        row["peak_rss_mb"] = peak_mb()
        print(json.dumps(row), file=sys.stderr)
        rows.append(row)
        del vectors
    return rows


def ask_rows(
    index: Index, embedder: Embedder, questions: list[str], sizes: list[int], settings: Settings
) -> list[dict]:
    """Warm `ask` (encode + retrieve + compose) over indexes grown from the dev chunks."""
    rows = []
    real = np.asarray(index.vectors, dtype=np.float32)
    for n in sizes:
        chunks = [index.chunks[i % len(index.chunks)] for i in range(n)]
        vectors = real[:n] if n <= len(real) else synthetic(real, n)
        starts, size = index.sentence_start, len(index.chunks)
        sentences = np.concatenate([index.sentence_vectors[starts[i % size] : starts[i % size + 1]] for i in range(n)])
        grown = Index(dict(index.manifest), chunks, vectors, sentences, settings=settings.vectors)
        engine = Engine(grown, embedder, settings)
        for q in questions[:5]:
            engine.ask(q)  # warm: the lexical index is built on first use
        times = []
        for q in questions:
            began = time.perf_counter()
            engine.ask(q)
            times.append(time.perf_counter() - began)
        p50, p95 = p50_p95_ms(times)
        rows.append({"size": n, "synthetic": n > len(real), "ask_p50_ms": p50, "ask_p95_ms": p95,
                     "peak_rss_mb": peak_mb()})
        print(json.dumps(rows[-1]), file=sys.stderr)
    return rows


def questions_from_data(limit: int) -> list[str]:
    out = []
    for name in ("pubmedqa_dev.jsonl", "rumeddanet_dev.jsonl", "seed_dev_qa.jsonl"):
        with open(DATA / name, encoding="utf-8") as rows:
            out += [json.loads(line)["question"] for line in rows][: limit // 3]
    return out


def run(max_size: int = 1_000_000, queries: int = 300) -> dict:
    settings = Settings.from_env()
    embedder = Embedder(settings)
    embedder.fast_questions()  # as the server encodes questions
    _, index = dev_index(settings, embedder)
    questions = questions_from_data(queries)
    query_vectors = embedder.queries(questions)
    real = np.asarray(index.vectors, dtype=np.float32)
    sizes = [n for n in (1_000, 10_000, 100_000, 1_000_000) if n <= max_size]
    return {
        "dense": dense_rows(real, query_vectors, sizes, settings),
        "ask": ask_rows(index, embedder, questions[:60], [n for n in sizes if n <= 100_000], settings),
        "nprobe": settings.vectors.ann_nprobe,
        "threshold": settings.vectors.ann_threshold,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    if not (DATA / "pubmedqa_dev.jsonl").exists():
        print(f"skipped: {DATA} not found")
        return 0
    print(json.dumps(run(args.max, args.queries), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
