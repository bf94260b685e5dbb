"""A blind validation round: questions about the seeds written by a helper session that saw only the
two seed documents (never the dev sets, the code or the tuning), asked over the shipped corpus and
among the distractors, scored by the definitions of the verdict's bars.

    .venv/bin/python -m bench.blind [--qa bench/data/validation_v2/seed_validation.jsonl]

Per index and variant: answerable questions `answered`; the answer states the fact (a `related`
answer's quoted sentences count); Recall@5; near-topic and off-topic questions never `answered`.
A round is read once, after the design it measures is fixed; afterwards it is training data
(bench.verdict_data), and the next round needs new questions.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

import numpy as np

from bench.verdict_data import CACHE
from qa.api import open_engine
from qa.evaluate import is_hit, states
from qa.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "bench" / "data" / "validation_v2" / "seed_validation.jsonl"
RESULTS = ROOT / "bench" / "results" / "blind.md"


def _shown(path: Path) -> str:
    """A path as the command line gives it: relative to the repository when it is inside it."""
    path = path.resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qa", type=Path, default=DEFAULT)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in args.qa.open(encoding="utf-8")]
    indexes = {"shipped": CACHE / "verdict-index-shipped", "distractors": CACHE / "verdict-index-distractors"}
    missing = [name for name, folder in indexes.items() if not (folder / "CURRENT").exists()]
    if missing:
        print(f"indexes {missing} are missing: run `python -m bench.verdict_data` first")
        return 1
    settings = Settings.from_env()
    cells: dict[tuple[str, str], dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    for name, folder in indexes.items():
        engine = open_engine(folder, settings)
        for row in rows:
            answer = engine.ask(row["question"])
            quoted = " ".join(claim.text for claim in answer.claims)
            for key in ((name, row["lang"]), (name, "all")):
                cell = cells[key]
                if row["kind"] == "answerable":
                    cell["answered"].append(answer.verdict == "answered")
                    cell["related"].append(answer.verdict == "related")
                    cell["states"].append(answer.verdict != "not_found" and states(row, quoted))
                    cell["recall5"].append(any(is_hit(row, c.source, c.text) for c in answer.citations[:5]))
                else:
                    cell[f"{row['kind']} never answered"].append(answer.verdict != "answered")
    columns = ["answered", "related", "states", "recall5", "neartopic never answered", "offtopic never answered"]
    command = f"python -m bench.blind --qa {_shown(args.qa)}"
    if args.out.resolve() != RESULTS:
        command += f" --out {_shown(args.out)}"
    lines = ["# Blind validation round", "", f"`{command}`: "
             f"{len(rows)} questions, read once after the design was fixed.", "",
             "| index | variant | " + " | ".join(columns) + " |", "|---|---|" + "---|" * len(columns)]
    for (name, variant), cell in sorted(cells.items()):
        values = [f"{np.mean(cell[c]):.2f} ({len(cell[c])})" if cell[c] else "—" for c in columns]
        lines.append(f"| {name} | {variant} | " + " | ".join(values) + " |")
    text = "\n".join(lines) + "\n"
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
