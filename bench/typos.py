"""Typing slips: the spent blind rounds' English and Russian answerable questions, each asked as
written and with one slip in one of its words, over the shipped corpus, with and without the
spelling step (qa.languages.spelling).

    .venv/bin/python -m bench.typos [--out bench/results/typos.md]

The slip is one edit (a letter dropped, doubled, swapped with its neighbour or replaced by the key
beside it), drawn with a fixed seed in the longest word the language's word list knows (a word a
person means to type right), so every run asks the same questions. Per variant: Recall@5,
`answered`, and the answer states the fact (a `related` answer's quoted sentences count).
"""

from __future__ import annotations

import argparse
import json
import random
import re
from dataclasses import replace
from pathlib import Path

import numpy as np

from bench.verdict_data import CACHE, SPENT_ROUNDS
from qa.api import Engine, open_engine
from qa.evaluate import is_hit, states
from qa.languages.frequencies import zipf
from qa.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results" / "typos.md"
SEED = 20261206
KEYS = {"en": ["qwertyuiop", "asdfghjkl", "zxcvbnm"], "ru": ["йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю"]}
WORD = re.compile(r"(?<![\w'-])[^\W\d_]{6,}(?![\w'-])")


def _beside(letter: str, code: str) -> str:
    for row in KEYS[code]:
        at = row.find(letter)
        if at >= 0:
            return row[at + 1] if at + 1 < len(row) else row[at - 1]
    return letter


def slip(question: str, code: str, rng: random.Random) -> str | None:
    """The question with one edit in its longest listed lower-case word; None if it has none."""
    words = [m for m in WORD.finditer(question) if m[0].islower() and zipf(m[0], code) > 0]
    if not words:
        return None
    target = max(words, key=lambda m: len(m[0]))
    word, at = target[0], rng.randrange(1, len(target[0]) - 1)
    kind = rng.choice(("drop", "double", "swap", "key"))
    if kind == "drop":
        typed = word[:at] + word[at + 1 :]
    elif kind == "double":
        typed = word[:at] + word[at] + word[at:]
    elif kind == "swap":
        typed = word[: at - 1] + word[at] + word[at - 1] + word[at + 1 :]
    else:
        typed = word[:at] + _beside(word[at], code) + word[at + 1 :]
    return question[: target.start()] + typed + question[target.end() :]


def _score(engine: Engine, rows: list[dict], field: str) -> dict[str, list[bool]]:
    out: dict[str, list[bool]] = {"recall5": [], "answered": [], "states": []}
    for row in rows:
        answer = engine.ask(row[field])
        quoted = " ".join(claim.text for claim in answer.claims)
        out["recall5"].append(any(is_hit(row, c.source, c.text) for c in answer.citations[:5]))
        out["answered"].append(answer.verdict == "answered")
        out["states"].append(answer.verdict != "not_found" and states(row, quoted))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    folder = CACHE / "verdict-index-shipped"
    if not (folder / "CURRENT").exists():
        print("the shipped index is missing: run `python -m bench.verdict_data` first")
        return 1
    rng = random.Random(SEED)
    rows = []
    for _, path in SPENT_ROUNDS:
        for line in path.open(encoding="utf-8"):
            row = json.loads(line)
            if row["kind"] == "answerable" and row["lang"] in KEYS:
                typed = slip(row["question"], row["lang"], rng)
                if typed is not None:
                    rows.append({**row, "typed": typed})
    settings = Settings.from_env()
    plain = replace(settings, retrieval=replace(settings.retrieval, spelling=False))
    columns = {
        "as written": (open_engine(folder, settings), "question"),
        "one slip, no spelling step": (open_engine(folder, plain), "typed"),
        "one slip, spelling step (shipped)": (open_engine(folder, settings), "typed"),
    }
    lines = ["# Typing slips", "", f"`python -m bench.typos`: {len(rows)} answerable questions of the spent blind "
             "rounds (English and Russian), shipped corpus; one slip each (seed " f"{SEED}).", "",
             "| variant | questions | " + " | ".join(f"{c}: Recall@5 / answered / states" for c in columns) + " |",
             "|---|---|" + "---|" * len(columns)]
    for code in KEYS:
        subset = [row for row in rows if row["lang"] == code]
        cells = []
        for engine, field in columns.values():
            scores = _score(engine, subset, field)
            cells.append(" / ".join(f"{np.mean(scores[m]):.3f}" for m in ("recall5", "answered", "states")))
        lines.append(f"| {code} | {len(subset)} | " + " | ".join(cells) + " |")
    examples = [f"- {row['question']} → {row['typed']}" for row in rows[:: max(1, len(rows) // 6)][:6]]
    text = "\n".join([*lines, "", "Examples of the slips:", "", *examples]) + "\n"
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
