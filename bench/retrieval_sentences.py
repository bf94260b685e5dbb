"""A passage ranked by its own vector and its best sentence's: Recall@1 / Recall@5 and "the quoted
sentences state the fact" at each ``retrieval.sentence_weight``, on the indexes of bench.verdict_data.

    .venv/bin/python -m bench.retrieval_sentences [--weights 0 0.3 0.5]

Sets: the seed questions (dev, held-out and the spent blind rounds) over the shipped corpus and among
the distractors; the fresh blind corpus; PubMedQA and RuMedDaNet questions with their own context
among the distractors (a hit is a citation from that context). Writes
bench/results/retrieval_sentences.md.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np

from bench.verdict_data import CACHE, label, labelled
from qa.api import Engine, open_engine
from qa.evaluate import is_hit
from qa.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results" / "retrieval_sentences.md"


def scores(engine: Engine, row: dict) -> tuple[bool, bool, bool]:
    """(the first citation hits, one of the first five does, the quoted sentences state the fact: the
    verdict's label)."""
    answer = engine.ask(row["question"])
    target = {**row, "gold_source": row["source"]} if row.get("source") else row
    hits = [is_hit(target, c.source, c.text) for c in answer.citations[:5]]
    return bool(hits and hits[0]), any(hits), bool(label(row, answer))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", type=float, nargs="+", default=[0.0, 0.3, 0.5])
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    if not (CACHE / "verdict-index-shipped" / "CURRENT").exists():
        print("the indexes are missing: run `python -m bench.verdict_data` first")
        return 1
    sets: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for group, name, row in labelled():
        own_context = bool(row.get("source")) and row["gold"] is None
        if (own_context or row.get("gold")) and group not in ("notes", "notes_fresh", "leaflets"):
            key = "seeds" if group.startswith("seeds") else group
            sets[(key if row.get("source") else f"{key} {row['lang']}", name)].append(row)
    base = Settings.from_env()
    table: dict[tuple[str, str], dict[float, np.ndarray]] = defaultdict(dict)
    for weight in args.weights:
        settings = replace(base, retrieval=replace(base.retrieval, sentence_weight=weight))
        engines: dict[str, Engine] = {}
        for (name, index), rows in sorted(sets.items()):
            engine = engines.setdefault(index, open_engine(CACHE / f"verdict-index-{index}", settings))
            table[(name, index)][weight] = np.array([scores(engine, row) for row in rows], dtype=float).mean(0)
            print(weight, name, index, table[(name, index)][weight].round(3), flush=True)
    head = " | ".join(f"{w:g}: R@1 / R@5 / states" for w in args.weights)
    lines = ["# Passages ranked by their vector and their best sentence's", "",
             "Written by `python -m bench.retrieval_sentences`; columns by `retrieval.sentence_weight` (0: the passage",
             "vector alone). PubMedQA / RuMedDaNet: a hit is a citation from the question's own context; states: the",
             "lead sentence is quoted from it.", "",
             f"| set | index | n | {head} |", "|---|---|---|" + "---|" * len(args.weights)]
    for (name, index), by_weight in sorted(table.items()):
        cells = " | ".join("{:.3f} / {:.3f} / {:.3f}".format(*by_weight[w]) for w in args.weights)
        lines.append(f"| {name} | {index} | {len(sets[(name, index)])} | {cells} |")
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
