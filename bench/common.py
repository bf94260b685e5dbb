"""Shared by the benchmarks: the dev corpus (seeds + every dev context as a file) and its index,
both kept in the per-user cache so reruns re-embed nothing; timing helpers."""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.quality import DATA, make_corpus  # noqa: E402
from qa.embed import Embedder  # noqa: E402
from qa.index import Index, build  # noqa: E402
from qa.settings import Settings, default_cache_dir  # noqa: E402


def dev_index(settings: Settings, embedder: Embedder) -> tuple[Path, Index]:
    """Seeds + PubMedQA + RuMedDaNet contexts (one file each), indexed incrementally in the cache."""
    base = default_cache_dir() / "bench"
    corpus, index = base / "dev-corpus", base / "dev-index"
    corpus.mkdir(parents=True, exist_ok=True)
    make_corpus(corpus, distractors=True)
    report = build(settings, embedder, corpus, index)
    print(f"dev corpus: {report.summary()}", file=sys.stderr)
    return corpus, Index.load(index, settings)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def p50_p95_ms(values: list[float]) -> tuple[float, float]:
    return statistics.median(values) * 1000, percentile(values, 0.95) * 1000


def has_data() -> bool:
    return (DATA / "pubmedqa_dev.jsonl").exists() and (DATA / "rumeddanet_dev.jsonl").exists()
