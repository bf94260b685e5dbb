"""The tables and the plot bench.verdict writes: figures per corpus and variant, calibration, and
the precision / recall curve of ``answered``, all over held-out probabilities."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np

from bench.verdict_data import kind
from qa.settings import AnswerSettings

FLOOR = AnswerSettings().support_floor  # "related" needs the best passage this close


def variant(row: dict) -> str:
    return row.get("lang") or "en"


def figures(rows: list[dict], p: np.ndarray, t: float) -> list[str]:
    """Per corpus (and index) and variant: answerable answered, the fact stated (answered or
    related), near-topic / removed answered, abstention accuracy."""
    cells: dict[tuple[str, str], dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    for i, row in enumerate(rows):
        name = row["group"] if row["group"] != "seeds" else f"seeds ({row['index']})"
        answered = p[i] >= t
        shown = answered or row["signals"]["best_passage"] >= FLOOR
        for key in ((name, variant(row)), (name, "all")):
            if row["answerable"]:
                cells[key]["answered"].append(answered)
                cells[key]["states"].append(bool(row["label"]) and shown)
            else:
                cells[key]["wrongly answered"].append(answered)
            cells[key]["abstention"].append(answered == row["answerable"])
    lines = ["| corpus | variant | n | answerable answered | states the fact | unanswerable answered | abstention |",
             "|---|---|---|---|---|---|---|"]
    for (name, lang), c in sorted(cells.items()):
        def share(values: list[bool]) -> str:
            return f"{np.mean(values):.2f} ({len(values)})" if values else "—"
        lines.append(f"| {name} | {lang} | {len(c['abstention'])} | {share(c['answered'])} | {share(c['states'])} "
                     f"| {share(c['wrongly answered'])} | {share(c['abstention'])} |")
    return lines


def calibration(rows: list[dict], p: np.ndarray) -> list[str]:
    y = np.array([row["label"] for row in rows])
    lines = [f"Brier score (held-out probabilities against the label): {np.mean((p - y) ** 2):.3f}", "",
             "| probability | questions | share whose quoted sentences answer |", "|---|---|---|"]
    for low in np.arange(0, 1, 0.1):
        inside = (p >= low) & (p < low + 0.1 + (1e-9 if low >= 0.9 else 0))
        if inside.any():
            lines.append(f"| {low:.1f}–{low + 0.1:.1f} | {inside.sum()} | {y[inside].mean():.2f} |")
    return lines


def curve(rows: list[dict], p: np.ndarray, out: Path) -> list[str]:
    """Precision and recall of ``answered`` (the probability at the threshold) against the label,
    and the near-topic share answered, at every threshold; the plot and a table of every 0.05."""
    y = np.array([row["label"] for row in rows], dtype=bool)
    near = np.array([kind(row) == "neartopic" for row in rows])

    thresholds = np.round(np.arange(0.0, 1.0001, 0.01), 2)
    points = []
    for t in thresholds:
        said = p >= t
        precision = (said & y).sum() / max(1, said.sum())
        recall = (said & y).sum() / max(1, y.sum())
        points.append((t, precision, recall, said[near].mean() if near.any() else 0.0))
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(5, 4))
        ax.plot([r for _, _, r, _ in points], [pr for _, pr, _, _ in points], label="precision / recall")
        ax.set_xlabel("recall (answerable, quoted sentences answer)")
        ax.set_ylabel("precision of 'answered'")
        ax.set_title("verdict, leave-one-corpus-out")
        fig.tight_layout()
        fig.savefig(out, dpi=100)
    except ImportError:
        pass
    lines = ["| threshold | precision | recall | near-topic answered |", "|---|---|---|---|"]
    lines += [f"| {t:.2f} | {pr:.3f} | {r:.3f} | {n:.3f} |" for t, pr, r, n in points if round(t * 100) % 5 == 0]
    return lines
