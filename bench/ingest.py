"""Ingestion timing (issue 4): index the ~1,800 dev context files from scratch, then re-index after
changing one file, touching one file's mtime only, and with nothing changed.

    .venv/bin/python -m bench ingest

Re-indexing should cost about the same whatever the corpus size: every file is hashed, but only the
changed file is chunked and embedded. Uses the `qa index` CLI, as a user would.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import DATA, make_corpus

ROOT = Path(__file__).resolve().parent.parent


def qa_index(corpus: Path, index: Path) -> tuple[float, str]:
    began = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "qa.cli", "index", "--corpus", str(corpus), "--index", str(index)],
                            capture_output=True, text=True)
    seconds = time.perf_counter() - began
    if result.returncode != 0:
        raise SystemExit(f"qa index failed: {result.stderr.strip()}")
    return seconds, result.stdout.strip()


def main() -> int:
    if not (DATA / "pubmedqa_dev.jsonl").exists():
        print(f"skipped: {DATA} not found")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        corpus, index = Path(tmp) / "corpus", Path(tmp) / "index"
        corpus.mkdir()
        make_corpus(corpus, distractors=True)
        files = sorted(p for p in corpus.rglob("*") if p.is_file())
        print(f"corpus: {len(files)} files, {sum(p.stat().st_size for p in files) / 1e6:.1f} MB")
        rows = []
        seconds, summary = qa_index(corpus, index)
        rows.append(("from scratch", seconds, summary))
        victim = files[len(files) // 2]
        victim.write_text(victim.read_text(encoding="utf-8") + "\nOne more sentence about dosing.", encoding="utf-8")
        rows.append(("one file changed", *qa_index(corpus, index)))
        victim.touch()
        rows.append(("one file touched (same bytes)", *qa_index(corpus, index)))
        rows.append(("nothing changed", *qa_index(corpus, index)))
    print("| run | wall time (s, includes model load) | summary |\n|---|---|---|")
    for name, seconds, summary in rows:
        print(f"| {name} | {seconds:.1f} | {summary} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
