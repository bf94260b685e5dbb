"""Speed, as ratios measured in one run: warm `ask` vs one raw `model.encode`, indexing vs raw encode.

    .venv/bin/python bench/speed.py [--distractors] [--repeat 30]

Targets (issue 2): ask p50 ≤ 1.5× and p95 ≤ 2× a raw single-query encode; indexing throughput
≥ 90% of raw encode on the same chunk texts.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.quality import make_corpus  # noqa: E402
from qa.api import open_engine  # noqa: E402
from qa.embed import Embedder  # noqa: E402
from qa.index import Index, build  # noqa: E402
from qa.settings import Settings  # noqa: E402

QUESTIONS = [
    "Which cells produce IL-6 under stress conditions?",
    "Какие клетки вырабатывают IL-6 в условиях стресса?",
    "Стресс шароитида қайси ҳужайралар IL-6 ишлаб чиқаради?",
    "Stress sharoitida qaysi hujayralar IL-6 ishlab chiqaradi?",
    "Is high IL-6 linked to response to corticosteroids?",
    "Всегда ли IL-6 снижается после диуреза во время госпитализации?",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--distractors", action="store_true")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    settings = Settings()
    embedder = Embedder(settings)
    with tempfile.TemporaryDirectory() as tmp:
        corpus, index_dir = Path(tmp) / "corpus", Path(tmp) / "index"
        corpus.mkdir()
        make_corpus(corpus, args.distractors)
        embedder.passages(["warm up"])  # first call pays one-time allocations
        began = time.perf_counter()
        report = build(settings, embedder, corpus, index_dir, rebuild=True)
        index_seconds = time.perf_counter() - began
        texts = [c.text for c in Index.load(index_dir).chunks]
        began = time.perf_counter()
        embedder.model.encode([settings.passage_prefix + t for t in texts], batch_size=16, normalize_embeddings=True)
        raw_index_seconds = time.perf_counter() - began

        engine = open_engine(index_dir, settings, embedder)
        for q in QUESTIONS:  # warm
            engine.ask(q)
        raw, ask = [], []
        for _ in range(args.repeat):
            for q in QUESTIONS:
                t = time.perf_counter()
                embedder.model.encode([settings.query_prefix + q], normalize_embeddings=True)
                raw.append(time.perf_counter() - t)
                t = time.perf_counter()
                engine.ask(q)
                ask.append(time.perf_counter() - t)
    raw_p50 = statistics.median(raw)
    ask_p50, ask_p95 = statistics.median(ask), percentile(ask, 0.95)
    print(f"corpus: {report.chunks} chunks ({'with' if args.distractors else 'without'} distractors)")
    print(f"raw single-query encode  p50 {raw_p50 * 1000:.1f} ms  p95 {percentile(raw, 0.95) * 1000:.1f} ms")
    print(f"warm ask                 p50 {ask_p50 * 1000:.1f} ms  p95 {ask_p95 * 1000:.1f} ms")
    print(f"ask/encode ratio  p50 {ask_p50 / raw_p50:.2f}x (target ≤1.5)  p95 {ask_p95 / raw_p50:.2f}x (target ≤2)")
    print(f"indexing {index_seconds:.1f} s vs raw encode {raw_index_seconds:.1f} s on the same {len(texts)} chunks:"
          f" throughput {raw_index_seconds / index_seconds:.0%} of raw (target ≥90%)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
