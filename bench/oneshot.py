"""One-shot `qa ask` on the shipped corpus: wall time and peak RSS of the whole process, as a
researcher scripting the CLI sees them.

    .venv/bin/python -m bench.oneshot [--runs 5]   # → bench/results/oneshot.md

The index of corpus/ is brought up to date first (not timed). Each run is a new process asking one
question of the four variants in turn; the encoder a run used is read from `import torch` never
having happened (a run that loaded torch says so).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

from bench.common import ROOT

RESULTS = ROOT / "bench" / "results" / "oneshot.md"
QUESTIONS = ("Which cells produce IL-6?", "Какие клетки вырабатывают ИЛ-6?",
             "IL-6 ни қайси ҳужайралар ишлаб чиқаради?", "IL-6 ni qaysi hujayralar ishlab chiqaradi?")
# The CLI's own entry point, plus one line saying whether torch was ever imported.
PROBE = ("import resource, sys\nfrom qa.cli import main\ncode = main(['ask', sys.argv[1]])\n"
         "print('torch' in sys.modules, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
         "sys.exit(code)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8)
    args = parser.parse_args(argv)
    subprocess.run([sys.executable, "-m", "qa.cli", "index"], cwd=ROOT, check=True, capture_output=True)
    walls, peaks, torch_runs = [], [], 0
    for run in range(args.runs):
        question = QUESTIONS[run % len(QUESTIONS)]
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", PROBE, question], cwd=ROOT, capture_output=True, text=True)
        walls.append(time.perf_counter() - start)
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return 1
        torch_loaded, peak_kb = done.stderr.strip().splitlines()[-1].split()
        torch_runs += torch_loaded == "True"
        peaks.append(int(peak_kb) / 1024)
    figures = {"runs": args.runs, "wall_median_s": round(statistics.median(walls), 2),
               "wall_max_s": round(max(walls), 2), "peak_rss_mb": round(max(peaks)), "runs_with_torch": torch_runs}
    lines = ["# One-shot `qa ask` on the shipped corpus", "", "`python -m bench.oneshot`", "",
             "| runs | wall median | wall max | peak RSS | runs that imported torch |", "|---|---|---|---|---|",
             f"| {args.runs} | {figures['wall_median_s']} s | {figures['wall_max_s']} s | {figures['peak_rss_mb']} MB "
             f"| {torch_runs} |"]
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
