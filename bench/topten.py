"""Top-10 citations (source, offsets, score), the verdict and the answer text for every dev question
over several indexes, as JSON: run it before and after a refactor and compare the two files.

    .venv/bin/python -m bench.topten OUT.json INDEX_DIR [INDEX_DIR …]
    .venv/bin/python -m bench.topten --compare BEFORE.json AFTER.json

Questions: the seed dev, near-topic, held-out and notes sets, plus the mixed-format test questions.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bench.common import DATA, ROOT
from qa.api import open_engine
from qa.settings import Settings

FORMAT_QUESTIONS = [
    "By how much did zorbatine reduce atrial fibrillation relapse?", "What is the antidote for zorbatine overdose?",
    "How much does quorvamine lower systolic blood pressure?",
    "На сколько зорбатин снижает частоту рецидивов фибрилляции предсердий?",
    "Что назначают при массивной тромбоэмболии лёгочной артерии?", "Which drug clears hookworm infection?",
]


def questions() -> list[str]:
    files = [DATA / "seed_dev_qa.jsonl", DATA / "seed_dev_neartopic.jsonl",
             ROOT / "bench" / "data" / "heldout_qa.jsonl", ROOT / "bench" / "data" / "notes_qa.jsonl"]
    found = [json.loads(line)["question"] for path in files if path.exists() for line in path.open(encoding="utf-8")]
    return found + FORMAT_QUESTIONS


def dump(indexes: list[Path]) -> dict[str, list[dict]]:
    out = {}
    for folder in indexes:
        engine = open_engine(folder, Settings.from_env())
        rows = []
        for question in questions():
            answer = engine.ask(question, 10)
            rows.append({"q": question, "supported": answer.supported, "answer": answer.answer,
                         "top": [(c.source, c.start, c.end, round(c.score, 5)) for c in answer.citations]})
        out[str(folder)] = rows
    return out


def compare(before: dict[str, list[dict]], after: dict[str, list[dict]]) -> int:
    total = different = 0
    for folder, rows in before.items():
        for old, new in zip(rows, after.get(folder, []), strict=False):
            total += 1
            if old != new:
                different += 1
                print(f"{folder}: {old['q']}\n  before {old['top'][:3]}\n  after  {new['top'][:3]}")
    print(f"{total} searches compared, {different} different")
    return 1 if different or not total else 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    parser.add_argument("paths", nargs="*", type=Path, help="OUT.json INDEX_DIR [INDEX_DIR …]")
    args = parser.parse_args()
    if args.compare:
        before, after = (json.loads(p.read_text(encoding="utf-8")) for p in args.compare)
        return compare(before, after)
    if len(args.paths) < 2:
        parser.error("give OUT.json and at least one index folder")
    result = dump(args.paths[1:])
    args.paths[0].write_text(json.dumps(result, ensure_ascii=False, indent=0), encoding="utf-8")
    print(f"{sum(len(rows) for rows in result.values())} searches written to {args.paths[0]}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
