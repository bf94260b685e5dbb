"""The labelled data the verdict (qa.answer.verdict) learns from: every dev question asked of its index,
with the signals the answer step measured and whether the quoted sentences answer it.

    .venv/bin/python -m bench.verdict_data        # → ~/.cache/qa/bench/verdict-signals.jsonl

Groups (the leave-one-corpus-out folds): seeds (dev, held-out and near-topic questions, over the
shipped corpus and among the distractors), notes, fresh notes, leaflets, PubMedQA and RuMedDaNet;
and the spent blind validation rounds (bench/data/validation, validation_v2 … v9: questions about
the seeds written by a helper who never saw the dev sets, the first with a fresh corpus and its
questions), each spent as validation once its results were read and kept as training data since
(off-topic rows left out: the budget is of near-topic questions).
PubMedQA / RuMedDaNet: a fixed fifth of the questions have their own context left out of the
distractor corpus ("removed": label 0), the rest find theirs among them ("own": label 1 when the
lead sentence is quoted from it). RuMedDaNet across languages (bench/data/rumeddanet_cross.jsonl):
a hundred of its questions (every 13th) translated by a helper into English and Uzbek, asked of the
same Russian contexts."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import asdict, replace
from pathlib import Path

from bench.common import DATA, ROOT, read_rows
from qa.api import Engine, open_engine
from qa.evaluate import answerable, states
from qa.ingest.build import build
from qa.model.embed import Embedder
from qa.settings import Settings

CACHE = Settings.from_env().cache_dir / "bench"
SIGNALS = CACHE / "verdict-signals.jsonl"
REMOVED_EVERY = 5  # every fifth PubMedQA / RuMedDaNet context is left out of the corpus
VALIDATION = ROOT / "bench" / "data" / "validation"
# Blind rounds already read once (bench.blind): training data since, each its own fold.
SPENT_ROUNDS = (("seeds_blind", VALIDATION / "seed_validation.jsonl"),
                *((f"seeds_blind{n}", ROOT / "bench" / "data" / f"validation_v{n}" / "seed_validation.jsonl")
                  for n in range(2, 39)))


def _rows(path: Path) -> list[dict]:
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    return [row for row in rows if row.get("kind") != "offtopic"]


CROSS = ROOT / "bench" / "data" / "rumeddanet_cross.jsonl"
CONTEXT_GROUPS = ("pubmedqa", "rumeddanet", "rumeddanet_cross")  # a question of a dev set with its own context


def kind(row: dict) -> str:
    """A labelled row's kind: answerable; near-topic (the budget of the operating point is of these);
    or a PubMedQA / RuMedDaNet question with its context removed."""
    if row["answerable"]:
        return "answerable"
    return "removed" if row["group"] in CONTEXT_GROUPS else "neartopic"


def removed(position: int) -> bool:
    return position % REMOVED_EVERY == 0


def verdict_corpus() -> Path:
    """Seeds + every dev context but the removed fifth, one file each."""
    folder = CACHE / "verdict-corpus"
    folder.mkdir(parents=True, exist_ok=True)
    for seed in (ROOT / "corpus").iterdir():
        (folder / seed.name).write_bytes(seed.read_bytes())
    for name in ("pubmedqa_dev.jsonl", "rumeddanet_dev.jsonl"):
        sub = folder / name.split("_")[0]
        sub.mkdir(exist_ok=True)
        for position, row in enumerate(read_rows(name)):
            path = sub / f"{row['id']}.txt"
            if removed(position):
                path.unlink(missing_ok=True)
            else:
                path.write_text(row["context"], encoding="utf-8")
    return folder


def build_indexes(settings: Settings, embedder: Embedder) -> dict[str, Path]:
    """Index folders by name: the shipped corpus, the distractor corpus and the three small corpora."""
    out = {}
    corpora = {"shipped": ROOT / "corpus", "distractors": verdict_corpus(), "notes": ROOT / "bench" / "data" / "notes",
               "notes_fresh": ROOT / "bench" / "data" / "notes_fresh", "leaflets": ROOT / "bench" / "data" / "leaflets",
               "blind_corpus": VALIDATION / "fresh_corpus"}
    for name, corpus in corpora.items():
        folder = CACHE / f"verdict-index-{name}"
        report = build(settings, embedder, corpus, folder)
        print(f"{name}: {report.summary()}", file=sys.stderr)
        out[name] = folder
    return out


def labelled() -> Iterator[tuple[str, str, dict]]:
    """(group, index name, row) for every question."""
    seeds = [*read_rows("seed_dev_qa.jsonl"), *read_rows("seed_dev_neartopic.jsonl"),
             *(json.loads(line) for line in (ROOT / "bench" / "data" / "heldout_qa.jsonl").open(encoding="utf-8"))]
    for row in seeds:
        yield "seeds", "shipped", row
        yield "seeds", "distractors", row
    for group, path in SPENT_ROUNDS:
        for row in _rows(path):
            yield group, "shipped", row
            yield group, "distractors", row
    for row in _rows(VALIDATION / "fresh_qa.jsonl"):
        yield "fresh_blind", "blind_corpus", row
    for name in ("notes", "notes_fresh", "leaflets"):
        for line in (ROOT / "bench" / "data" / f"{name}_qa.jsonl").open(encoding="utf-8"):
            yield name, name, json.loads(line)
    translated: dict[str, list[dict]] = {}
    for line in CROSS.open(encoding="utf-8"):
        other = json.loads(line)
        translated.setdefault(other["id"], []).append(other)
    for name, group in (("pubmedqa_dev.jsonl", "pubmedqa"), ("rumeddanet_dev.jsonl", "rumeddanet")):
        folder = name.split("_")[0]
        for position, row in enumerate(read_rows(name)):
            context = {"gold": [] if removed(position) else None, "source": f"{folder}/{row['id']}.txt"}
            question = {"id": row["id"], "question": row["question"], "lang": "en" if group == "pubmedqa" else "ru"}
            yield group, "distractors", {**question, **context}
            for other in translated.get(row["id"], ()) if group == "rumeddanet" else ():
                yield f"{group}_cross", "distractors", {**other, **context}


def label(row: dict, answer) -> int:  # type: ignore[no-untyped-def]
    """1 when the quoted sentences answer the question."""
    if row.get("source"):
        return int(bool(answer.claims) and any(
            answer.citations[c.n - 1].source == row["source"] for c in answer.claims[:1]))
    if not answerable(row):
        return 0
    return int(states(row, " ".join(c.text for c in answer.claims)))


def main() -> int:
    if not (DATA / "pubmedqa_dev.jsonl").exists():
        print("../shared/data is absent: nothing to collect", file=sys.stderr)
        return 0
    settings = Settings.from_env()
    embedder = Embedder(settings)
    folders = build_indexes(settings, embedder)
    # Every answer quotes its sentences whatever the model says: the label reads them.
    settings = replace(settings, answer=replace(settings.answer, verdict_threshold=0.0))
    engines: dict[str, Engine] = {}
    SIGNALS.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with SIGNALS.open("w", encoding="utf-8") as out:
        for group, name, row in labelled():
            if name not in engines:
                engines[name] = open_engine(folders[name], settings)
            answer = engines[name].ask(row["question"])
            record = {"group": group, "index": name, "id": row.get("id"), "lang": row.get("lang"),
                      "question": row["question"], "label": label(row, answer),
                      "answerable": row.get("gold") is None or bool(row.get("gold")),
                      "signals": answer.signals, "pair": [round(v, 6) for v in answer.pair],
                      "quoted": [c.text for c in answer.claims], "checks": [asdict(check) for check in answer.checks]}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    print(f"{count} questions → {SIGNALS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
