"""Recall@k per language variant on the seed dev questions, qa as configured vs dense-only.

    .venv/bin/python -m bench.quality [--distractors] [--k 5]

Reads ../shared/data (skips cleanly when absent). Builds throwaway indexes in a temp folder.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import tempfile
from collections import defaultdict
from pathlib import Path

from bench.common import DATA, make_corpus
from qa.answer.retrieve import Retriever, prepare
from qa.ingest.build import build
from qa.model.embed import Embedder
from qa.settings import Settings
from qa.store.folder import Index

ROOT = Path(__file__).resolve().parent.parent

def recall(retriever: Retriever, rows: list[dict], k: int) -> dict[str, float]:
    hits: dict[str, list[bool]] = defaultdict(list)
    for row in rows:
        if not row["gold"]:
            continue
        passages = retriever.search(prepare(row["question"]), k)
        ok = any(any(g in p.chunk.text for g in row["gold"]) for p in passages)
        hits[row["lang"]].append(ok)
        hits["all"].append(ok)
    return {lang: sum(v) / len(v) for lang, v in hits.items()}


def retrieval(settings: Settings, **changes: object) -> Settings:
    """``settings`` with some retrieval settings changed (the variants compared below)."""
    return dataclasses.replace(settings, retrieval=dataclasses.replace(settings.retrieval, **changes))  # type: ignore[arg-type]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--distractors", action="store_true")
    parser.add_argument("--k", type=int, default=5)
    args = parser.parse_args()
    qa_file = DATA / "seed_dev_qa.jsonl"
    if not qa_file.exists():
        print(f"skip: {qa_file} not found")
        return 0
    rows = [json.loads(line) for line in qa_file.open(encoding="utf-8")]
    settings = Settings.from_env()
    embedder = Embedder(settings)
    with tempfile.TemporaryDirectory() as tmp:
        corpus, index_dir = Path(tmp) / "corpus", Path(tmp) / "index"
        corpus.mkdir()
        make_corpus(corpus, args.distractors)
        report = build(settings, embedder, corpus, index_dir)
        print(report.summary())
        index = Index.load(index_dir)
    variants = {
        "qa": settings,
        "no-gloss": retrieval(settings, gloss=False),
        "centred-only": retrieval(settings, lexical=False, gloss=False),
        "dense-only": retrieval(settings, lexical=False, gloss=False, centre_languages=False),
    }
    for name, variant in variants.items():
        scores = recall(Retriever(index, embedder, variant), rows, args.k)
        print(f"{name:12s} " + "  ".join(f"{lang} {value:.2f}" for lang, value in sorted(scores.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
