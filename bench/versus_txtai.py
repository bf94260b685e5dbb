"""qa against txtai in one run: the same e5 model folder, the same corpus (the seeds + 1,808 dev
distractor files), the same chunks, the same machine (issue 14).

    .venv/bin/python -m bench.versus_txtai        # needs `pip install -e '.[bench]'` (txtai)

- Indexing: qa's whole pipeline from the files (read, clean, chunk, embed chunks and sentences,
  save) against txtai embedding qa's own chunk texts (so txtai is spared reading and chunking);
  characters of chunk text per second.
- Questions: warm `engine.ask` (language, gloss, retrieval and the composed answer) against warm
  txtai `search(question, 5)`, interleaved, p50 / p95.
- Recall@1 / @5 on the seed dev questions among the distractors, scored by qa.evaluate.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import dev_index, p50_p95_ms, read_rows
from qa.api import Engine
from qa.evaluate import Ranked, evaluate
from qa.ingest.build import build
from qa.model.embed import Embedder
from qa.settings import Settings
from qa.store.folder import Index


def compare(settings: Settings, embedder: Embedder) -> dict[str, Any] | None:
    """The side-by-side numbers, or None when txtai is not installed."""
    try:
        from txtai import Embeddings
    except ImportError:
        return None
    corpus, cached = dev_index(settings, embedder)
    chars = sum(len(c.text) for c in cached.chunks)
    with tempfile.TemporaryDirectory() as tmp:
        began = time.perf_counter()
        build(settings, embedder, corpus, Path(tmp) / "index", rebuild=True)
        qa_seconds = time.perf_counter() - began
        index = Index.load(Path(tmp) / "index", settings.vectors)
    txtai = Embeddings(path=embedder.path, content=True, backend="faiss",
                       instructions={"query": settings.query_prefix, "data": settings.passage_prefix})
    began = time.perf_counter()
    txtai.index([(i, c.text, None) for i, c in enumerate(index.chunks)])
    txtai_seconds = time.perf_counter() - began

    engine = Engine(index, embedder, settings)
    rows = read_rows("seed_dev_qa.jsonl")

    def txtai_run(question: str, n: int) -> Ranked:
        hits = txtai.search(question, n)
        return Ranked([(index.chunks[int(h["id"])].source, index.chunks[int(h["id"])].text) for h in hits])

    def qa_run(question: str, n: int) -> Ranked:
        answer = engine.ask(question, n)
        return Ranked([(c.source, c.text) for c in answer.citations], answer.supported)

    k = settings.retrieval.k
    recall = {"qa": evaluate(rows, qa_run, k), "txtai": evaluate(rows, txtai_run, k)}
    questions = [r["question"] for r in rows]
    for question in questions:  # warm both
        engine.ask(question)
        txtai.search(question, settings.retrieval.k)
    ask, search = [], []
    for _ in range(3):
        for question in questions:
            began = time.perf_counter()
            engine.ask(question)
            ask.append(time.perf_counter() - began)
            began = time.perf_counter()
            txtai.search(question, settings.retrieval.k)
            search.append(time.perf_counter() - began)
    return {"chunks": len(index.chunks), "chars": chars, "qa_index_s": qa_seconds, "txtai_index_s": txtai_seconds,
            "qa_ask_ms": p50_p95_ms(ask), "txtai_search_ms": p50_p95_ms(search), "recall": recall,
            "questions": embedder.question_encoder, "precision": embedder.precision}


def report(result: dict[str, Any]) -> list[str]:
    chars, (a50, a95), (s50, s95) = result["chars"], result["qa_ask_ms"], result["txtai_search_ms"]
    qa_rate, txtai_rate = chars / result["qa_index_s"], chars / result["txtai_index_s"]
    lines = [f"Same e5 model folder, same {result['chunks']} chunks ({chars:,} characters), same machine; "
             f"qa passages in {result['precision']}, questions with {result['questions']}.", "",
             "| | qa | txtai 9.14 |", "|---|---|---|",
             f"| index build, model loaded | {result['qa_index_s']:.1f} s, {qa_rate / 1000:.1f}k chars/s "
             f"({qa_rate / txtai_rate:.2f}×) | {result['txtai_index_s']:.1f} s, {txtai_rate / 1000:.1f}k chars/s |",
             f"| warm question p50 / p95 | {a50:.1f} / {a95:.1f} ms (`engine.ask`) "
             f"| {s50:.1f} / {s95:.1f} ms (`search`) |"]
    for variant in ("en", "ru", "uz", "uz-Latn", "all"):
        q, t = result["recall"]["qa"][variant], result["recall"]["txtai"][variant]
        lines.append(f"| Recall@1 / @5, seed dev among the distractors, {variant} | {q.recall_at_1:.2f} / "
                     f"{q.recall_at_k:.2f} | {t.recall_at_1:.2f} / {t.recall_at_k:.2f} |")
    return lines


def main() -> int:
    settings = Settings.from_env()
    embedder = Embedder(settings)
    embedder.fast_questions()
    result = compare(settings, embedder)
    if result is None:
        print("skipped: txtai is not installed (pip install -e '.[bench]')")
        return 0
    print("\n".join(report(result)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
