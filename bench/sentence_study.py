"""Would learned weights choose the quoted sentences better than sentence choice's hand-set ones?

    .venv/bin/python -m bench.sentence_study   # needs bench.verdict_data's indexes

Every dev question with gold phrases (seeds, the spent blind rounds, notes, leaflets) is asked of
its index; each candidate sentence of the first five passages is kept with what its score adds up
(qa.answer.sentence_choice.Candidate.parts: centred cosine, passage rank, rarity-weighted key-term share)
and further features (restates the question, the kind of answer asked for present, length, cosine
to the candidates' centroid, first passage), labelled by whether it contains a gold phrase. A
pairwise logistic regression (the answering sentence against each other one of its question) is
scored leave-one-corpus-out and in five folds of facts; the lead's and the top three's hit rates
are written to bench/results/sentences.md beside the hand-set score's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

import numpy as np

import qa.answer.compose as answer_module
from bench.common import ROOT, read_rows
from bench.verdict_data import CACHE, SPENT_ROUNDS, VALIDATION
from qa.answer.sentence_choice import _restates
from qa.answer.signals import answer_kind_present
from qa.api import open_engine
from qa.evaluate import _folded
from qa.languages.evidence import Evidence
from qa.settings import Settings

RESULTS = ROOT / "bench" / "results" / "sentences.md"
BASE = ["cosine", "rank", "terms"]
FEATURE_SETS = (BASE, [*BASE, "restates", "kind", "log_length"], [*BASE, "centroid"],
                [*BASE, "restates", "kind", "log_length", "centroid", "first_passage"])


def questions() -> Iterator[tuple[str, str, dict]]:
    heldout = ROOT / "bench" / "data" / "heldout_qa.jsonl"
    seeds = [*read_rows("seed_dev_qa.jsonl"), *(json.loads(line) for line in heldout.open(encoding="utf-8"))]
    for row in seeds:
        yield "seeds", "shipped", row
        yield "seeds", "distractors", row
    for group, path in SPENT_ROUNDS:
        for line in path.open(encoding="utf-8"):
            yield group, "shipped", json.loads(line)
            yield group, "distractors", json.loads(line)
    for line in (VALIDATION / "fresh_qa.jsonl").open(encoding="utf-8"):
        yield "fresh_blind", "blind_corpus", json.loads(line)
    for name in ("notes", "notes_fresh", "leaflets"):
        for line in (ROOT / "bench" / "data" / f"{name}_qa.jsonl").open(encoding="utf-8"):
            yield name, name, json.loads(line)


def collect() -> list[dict]:
    seen: dict = {}
    original, original_choose = answer_module.candidates, answer_module.choose

    def candidates(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen["ranked"], seen["passages"] = original(*args, **kwargs), args[2]
        return seen["ranked"]

    def choose(query, passages, ranked, settings, *rest):  # type: ignore[no-untyped-def]
        seen["query"] = query
        return original_choose(query, passages, ranked, settings, *rest)

    answer_module.candidates, answer_module.choose = candidates, choose  # type: ignore[assignment]
    engines, out = {}, []
    for group, name, row in questions():
        if not (isinstance(row.get("gold"), list) and row["gold"]):
            continue
        if name not in engines:
            engines[name] = open_engine(CACHE / f"verdict-index-{name}", Settings.from_env())
        engines[name].ask(row["question"])
        ranked = [c for c in seen["ranked"] if c.rank < 5]
        if not ranked:
            continue
        passages, query = seen["passages"], seen["query"]
        known, gold = Evidence(f"{query.text} {query.gloss}"), [_folded(p) for p in row["gold"]]
        centroid = np.mean([c.vector for c in ranked], axis=0)
        best = max(c.parts[0] for c in ranked)
        features, labels = [], []
        for c in ranked:
            text = c.text(passages)
            labels.append(int(any(p in _folded(text) for p in gold)))
            features.append({"cosine": c.parts[0], "gap": c.parts[0] - best, "rank": c.parts[1], "terms": c.parts[2],
                             "restates": float(_restates(c, passages, known)),
                             "kind": float(answer_kind_present(query.text, [text])),
                             "log_length": float(np.log(len(text))),
                             "centroid": float(c.vector @ centroid), "first_passage": float(c.rank == 0),
                             "hand": c.score})
        fact = re.sub(r"-(?:en|ru|uz|uz-Latn)$", "", row.get("id") or row["question"])
        out.append({"group": group, "fact": f"{group}:{fact}", "features": features, "labels": labels})
    return out


def fit(train: list[dict], names: list[str]) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    x, y = [], []
    for q in train:
        f = np.array([[c[n] for n in names] for c in q["features"]])
        labels = np.array(q["labels"])
        for i in np.where(labels == 1)[0]:
            for j in np.where(labels == 0)[0][:40]:
                x += [f[i] - f[j], f[j] - f[i]]
                y += [1, 0]
    xs = np.array(x)
    scale = xs.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(fit_intercept=False, max_iter=2000).fit(xs / scale, y)
    return model.coef_[0] / scale


def hits(scored: list[tuple[dict, np.ndarray]]) -> tuple[float, float]:
    lead = [q["labels"][int(np.argmax(s))] for q, s in scored]
    top3 = [max(np.array(q["labels"])[np.argsort(-s)[:3]]) for q, s in scored]
    return float(np.mean(lead)), float(np.mean(top3))


def cross_validated(rows: list[dict], names: list[str], key: Callable[[dict], str],
                    folds: list[set[str]]) -> list[tuple[dict, np.ndarray]]:
    scored = []
    for fold in folds:
        w = fit([q for q in rows if key(q) not in fold], names)
        scored += [(q, np.array([[c[n] for n in names] for c in q["features"]]) @ w) for q in rows if key(q) in fold]
    return scored


def main() -> int:
    rows = collect()
    groups = sorted({q["group"] for q in rows})
    facts = sorted({q["fact"] for q in rows})
    cells = ["all", "seeds_blind*", *groups]

    def select(scored: list[tuple[dict, np.ndarray]], cell: str) -> list[tuple[dict, np.ndarray]]:
        return [(q, s) for q, s in scored if cell == "all" or q["group"] == cell
                or (cell == "seeds_blind*" and q["group"].startswith("seeds_blind"))]

    def line(label: str, scored: list[tuple[dict, np.ndarray]]) -> str:
        return f"| {label} | " + " | ".join("{:.2f} / {:.2f}".format(*hits(select(scored, c))) for c in cells) + " |"

    hand = [(q, np.array([c["hand"] for c in q["features"]])) for q in rows]
    lines = ["# Sentence choice: hand-set weights against learned ones", "",
             f"`python -m bench.sentence_study`: {len(rows)} questions; each cell is the share whose lead "
             "sentence / whose first three sentences contain a gold phrase.", "",
             "| scorer | " + " | ".join(cells) + " |", "|---|" + "---|" * len(cells), line("hand-set (shipped)", hand)]
    for names in FEATURE_SETS:
        lines.append(line(f"learned, corpus held out: {', '.join(names)}",
                          cross_validated(rows, names, lambda q: q["group"], [{g} for g in groups])))
        lines.append(line(f"learned, facts held out: {', '.join(names)}",
                          cross_validated(rows, names, lambda q: q["fact"], [set(facts[i::5]) for i in range(5)])))
    oracle = [(q, np.array(q["labels"], dtype=float)) for q in rows]
    lines.append(line("any candidate (ceiling)", oracle))
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
