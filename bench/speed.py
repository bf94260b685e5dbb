"""Speed, as ratios measured in one run: warm `ask` vs one raw `model.encode`, indexing vs raw encode.

    .venv/bin/python -m bench.speed [--distractors] [--repeat 30]

Targets (issue 2): ask p50 ≤ 1.5× and p95 ≤ 2× a raw single-query encode; indexing throughput
≥ 90% of raw encode on the same chunk texts.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench.common import make_corpus, p50_p95_ms, time_ask_vs_encode, time_indexing
from qa.api import open_engine
from qa.model.embed import Embedder
from qa.settings import Settings

ROOT = Path(__file__).resolve().parent.parent

QUESTIONS = [
    "Which cells produce IL-6 under stress conditions?",
    "Какие клетки вырабатывают IL-6 в условиях стресса?",
    "Стресс шароитида қайси ҳужайралар IL-6 ишлаб чиқаради?",
    "Stress sharoitida qaysi hujayralar IL-6 ishlab chiqaradi?",
    "Is high IL-6 linked to response to corticosteroids?",
    "Всегда ли IL-6 снижается после диуреза во время госпитализации?",
]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--distractors", action="store_true")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    settings = Settings.from_env()
    embedder = Embedder(settings)
    print(f"questions encoded with {embedder.fast_questions()} (as on the server)")
    with tempfile.TemporaryDirectory() as tmp:
        corpus, index_dir = Path(tmp) / "corpus", Path(tmp) / "index"
        corpus.mkdir()
        make_corpus(corpus, args.distractors)
        chunks, index_seconds, raw_index_seconds = time_indexing(
            settings, embedder, corpus, index_dir, repeat=1 if args.distractors else 5  # a long run varies less
        )
        raw, ask = time_ask_vs_encode(open_engine(index_dir, settings, embedder), QUESTIONS, args.repeat)
    raw_p50, raw_p95 = p50_p95_ms(raw)
    ask_p50, ask_p95 = p50_p95_ms(ask)
    print(f"corpus: {chunks} chunks ({'with' if args.distractors else 'without'} distractors)")
    print(f"raw single-query encode  p50 {raw_p50:.1f} ms  p95 {raw_p95:.1f} ms")
    print(f"warm ask                 p50 {ask_p50:.1f} ms  p95 {ask_p95:.1f} ms")
    print(f"ask/encode ratio  p50 {ask_p50 / raw_p50:.2f}x (target ≤1.5)  p95 {ask_p95 / raw_p50:.2f}x (target ≤2)")
    print(f"indexing {index_seconds:.1f} s vs raw encode {raw_index_seconds:.1f} s on the same {chunks} chunks:"
          f" throughput {raw_index_seconds / index_seconds:.0%} of raw (target ≥90%)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
