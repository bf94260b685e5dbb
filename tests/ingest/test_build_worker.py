"""Index builds in a worker process (qa.ingest.build_worker), as the server runs them: the real model in the
child, a real FAISS index on disk, a real SIGKILL."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from qa.errors import IndexUnavailable, ModelError
from qa.ingest.build_worker import build_elsewhere
from qa.settings import Settings
from qa.store.folder import Index

ROOT = Path(__file__).resolve().parents[2]


def test_a_worker_builds_the_index_and_the_caller_never_loads_torch(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    code = ("import json, sys\nfrom pathlib import Path\nfrom qa.ingest.build_worker import build_elsewhere\n"
            "from qa.settings import Settings\nseen = []\n"
            "report = build_elsewhere(Settings.from_env(), Path(sys.argv[1]), Path(sys.argv[2]),\n"
            "                         progress=lambda stage, done, total: seen.append(stage))\n"
            "print(json.dumps({'torch': 'torch' in sys.modules, 'chunks': report.chunks,\n"
            "                  'added': report.added, 'stages': sorted(set(seen))}))")
    run = subprocess.run([sys.executable, "-c", code, str(corpus), str(tmp_path / "index")],
                         capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["torch"] is False
    assert sorted(result["added"]) == sorted(p.name for p in corpus.iterdir())
    assert "chunks" in result["stages"]  # the child's progress reached the caller
    assert len(Index.load(tmp_path / "index").chunks) == result["chunks"] > 0


def test_a_build_error_in_the_worker_is_raised_as_itself(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    broken = replace(Settings.from_env(), model=str(tmp_path / "no-such-model"))
    with pytest.raises(ModelError):
        build_elsewhere(broken, corpus, tmp_path / "index")
    assert not (tmp_path / "index" / "CURRENT").exists()


def _worker() -> multiprocessing.Process:
    workers = [p for p in multiprocessing.active_children() if p.name == "qa-index"]
    assert len(workers) == 1, workers
    return workers[0]


def test_a_killed_worker_is_an_indexing_error_and_the_index_stays(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    first = build_elsewhere(Settings.from_env(), corpus, tmp_path / "index")
    kept = _worker().pid
    (corpus / "more.txt").write_text("Ferritin above 1,000 ng/mL went with higher mortality. " * 40, encoding="utf-8")
    again = build_elsewhere(Settings.from_env(), corpus, tmp_path / "index")
    assert again.added == ["more.txt"] and _worker().pid == kept  # the model stays loaded between builds
    (corpus / "more.txt").write_text("Ferritin below 30 ng/mL means iron deficiency. " * 40, encoding="utf-8")

    def kill(stage: str, done: int, total: int) -> None:  # mid-build, as the kernel's OOM killer would
        pid = _worker().pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)

    with pytest.raises(IndexUnavailable, match="killed.*as it was"):
        build_elsewhere(Settings.from_env(), corpus, tmp_path / "index", progress=kill)
    assert len(Index.load(tmp_path / "index").chunks) == again.chunks != first.chunks
    assert build_elsewhere(Settings.from_env(), corpus, tmp_path / "index").updated == ["more.txt"]  # a new worker
