"""Scoring a question file against any retrieval system: Recall@1, Recall@k, MRR@10, abstention,
and for systems that answer, what the reader sees: answer recall (the answer text states a gold
phrase), first-sentence recall (its first quoted sentence does; a same-language rendering counts
together with the English sentence it renders), answerable questions kept and unanswerable flagged.

A row of the JSON Lines file has ``question`` and either ``gold`` (phrases; a hit is a retrieved
passage containing one, and ``gold: []`` means the answer must be flagged unsupported) or
``gold_source`` (a hit is a passage from that file). ``lang`` names the language variant (en, ru,
uz, uz-Latn); without it the detected language decides. The system under test is any function
from (question, n) to ranked hits, so baselines are scored by exactly the same rules.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from qa.answer.verdict import ANSWERED, NOT_FOUND, RELATED
from qa.api import validate
from qa.errors import EvalFileError, InputError
from qa.languages.detect import detect


@dataclass(frozen=True)
class Ranked:
    """What a system returned for one question: passages best first, and (for qa) whether it
    claimed the sources support an answer."""

    passages: list[tuple[str, str]]  # (source, text)
    supported: bool | None = None
    answer: str | None = None  # the answer text, for systems that compose one
    first: str | None = None  # its first statement
    verdict: str | None = None  # answered | related | not_found (qa.answer.verdict)
    confidence: float | None = None  # the calibrated probability that the quoted sentences answer
    quoted: str | None = None  # the quoted sentences, whatever the verdict (the calibration's label)


System = Callable[[str, int], Ranked]


@dataclass
class Scores:
    questions: int = 0
    answerable: int = 0
    recall_at_1: float = 0.0
    recall_at_k: float = 0.0
    mrr_at_10: float = 0.0
    abstention: float | None = None  # share of questions whose supported flag is right
    answer_recall: float | None = None  # answerable questions whose answer text states a gold phrase
    first_sentence_recall: float | None = None  # … whose first statement does
    kept: float | None = None  # answerable questions answered as supported
    flagged: float | None = None  # unanswerable questions answered as not found
    # The graded verdict: shares of all questions answered / related / not found, and the Brier
    # score of the confidence against whether the quoted sentences state a gold phrase.
    answered: float | None = None
    related: float | None = None
    not_found: float | None = None
    brier: float | None = None

    def as_row(self) -> str:
        def cell(value: float | None, width: int) -> str:
            return f"{'—' if value is None else f'{value:.2f}':>{width}}"

        return (f"{self.questions:>5} {self.recall_at_1:>6.2f} {self.recall_at_k:>6.2f} {self.mrr_at_10:>7.2f} "
                f"{cell(self.abstention, 6)} {cell(self.answer_recall, 7)} {cell(self.first_sentence_recall, 7)} "
                f"{cell(self.kept, 6)} {cell(self.flagged, 7)} {cell(self.answered, 8)} {cell(self.related, 7)} "
                f"{cell(self.not_found, 9)} {cell(self.brier, 6)}")


def load_rows(path: Path) -> list[dict]:
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as exc:
        raise EvalFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError:
        raise EvalFileError(f"{path} is not UTF-8 text (one JSON object per line)") from None
    rows = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalFileError(f"{path}:{number}: not JSON ({exc.msg})") from exc
        if not isinstance(row, dict) or not isinstance(row.get("question"), str):
            raise EvalFileError(f"{path}:{number}: a row needs a \"question\" string")
        if not isinstance(row.get("gold"), list) and not isinstance(row.get("gold_source"), str):
            raise EvalFileError(f"{path}:{number}: a row needs \"gold\" (a list) or \"gold_source\" (a file name)")
        try:  # refused before any work, with its line: not after an hour of the file's other questions
            validate(row["question"])
        except InputError as exc:
            raise EvalFileError(f"{path}:{number}: {exc}") from exc
        rows.append(row)
    if not rows:
        raise EvalFileError(f"{path} has no questions")
    return rows


def variant_of(row: dict) -> str:
    if isinstance(row.get("lang"), str):
        return row["lang"]
    language, script = detect(row["question"])
    return "uz-Latn" if (language, script) == ("uz", "Latn") else language


def _folded(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def is_hit(row: dict, source: str, text: str) -> bool:
    if isinstance(row.get("gold_source"), str):
        gold = row["gold_source"]
        return source == gold or source.rsplit("/", 1)[-1] == gold
    folded = _folded(text)
    return any(_folded(phrase) in folded for phrase in row["gold"])


def states(row: dict, text: str | None) -> bool:
    """Whether ``text`` contains a gold phrase (only for ``gold`` rows)."""
    return bool(text) and isinstance(row.get("gold"), list) and any(
        _folded(phrase) in _folded(text or "") for phrase in row["gold"]
    )


def _share(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _verdict_share(cells: dict[str, list[float]], verdict: str) -> float | None:
    total = len(cells.get("verdicts", []))
    return len(cells.get(verdict, [])) / total if total else None


def answerable(row: dict) -> bool:
    return not (isinstance(row.get("gold"), list) and not row["gold"] and "gold_source" not in row)


def evaluate(rows: Iterable[dict], system: System, k: int) -> dict[str, Scores]:
    """Scores per language variant and ``all``."""
    ranks: dict[str, list[int | None]] = defaultdict(list)  # 1-based rank of the first hit
    flags: dict[str, list[bool]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    reader: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        variant = variant_of(row)
        result = system(row["question"], max(k, 10))
        for key in (variant, "all"):
            counts[key] += 1
        if answerable(row):
            rank = next((i + 1 for i, (s, t) in enumerate(result.passages[:10]) if is_hit(row, s, t)), None)
            for key in (variant, "all"):
                ranks[key].append(rank)
        if result.verdict is not None:
            for key in (variant, "all"):
                reader[key][result.verdict].append(True)
                reader[key]["verdicts"].append(True)
        if result.confidence is not None and "gold" in row:
            stated = answerable(row) and states(row, result.quoted)
            for key in (variant, "all"):
                reader[key]["brier"].append((result.confidence - stated) ** 2)
        if result.supported is not None:
            for key in (variant, "all"):
                flags[key].append(result.supported == answerable(row))
                if not answerable(row):
                    reader[key]["flagged"].append(not result.supported)
                    continue
                reader[key]["kept"].append(result.supported)
                if result.answer is not None and "gold" in row:
                    reader[key]["answer"].append(result.supported and states(row, result.answer))
                    reader[key]["first"].append(result.supported and states(row, result.first))
    out: dict[str, Scores] = {}
    for key in sorted(counts, key=lambda v: (v == "all", v)):
        found = ranks.get(key, [])
        n = max(1, len(found))
        out[key] = Scores(
            questions=counts[key],
            answerable=len(found),
            recall_at_1=sum(1 for r in found if r == 1) / n,
            recall_at_k=sum(1 for r in found if r is not None and r <= k) / n,
            mrr_at_10=sum(1 / r for r in found if r is not None) / n,
            abstention=(sum(flags[key]) / len(flags[key])) if flags.get(key) else None,
            answer_recall=_share(reader[key]["answer"]),
            first_sentence_recall=_share(reader[key]["first"]),
            kept=_share(reader[key]["kept"]),
            flagged=_share(reader[key]["flagged"]),
            answered=_verdict_share(reader[key], ANSWERED),
            related=_verdict_share(reader[key], RELATED),
            not_found=_verdict_share(reader[key], NOT_FOUND),
            brier=_share(reader[key]["brier"]),
        )
    return out


def table(scores: dict[str, Scores], k: int) -> str:
    lines = [f"{'variant':8} {'n':>5} {'R@1':>6} {f'R@{k}':>6} {'MRR@10':>7} {'abst.':>6} {'answer':>7} "
             f"{'first':>7} {'kept':>6} {'flagged':>7} {'answered':>8} {'related':>7} {'not found':>9} {'Brier':>6}"]
    lines += [f"{variant:8} {s.as_row()}" for variant, s in scores.items()]
    return "\n".join(lines)


def to_json(scores: dict[str, Scores], k: int) -> dict:
    return {"k": k, "variants": {variant: asdict(s) for variant, s in scores.items()}}
