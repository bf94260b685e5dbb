"""The package as a user installs it: a built wheel, installed non-editable, answers a question
(every subpackage and data file is in it)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import json, sys
for finder in list(sys.meta_path):  # the checkout's editable install must not stand in for the wheel
    if "editable" in repr(finder).lower():
        sys.meta_path.remove(finder)
sys.path = [p for p in sys.path if p not in ("", ".", sys.argv[3])]
sys.path.insert(0, sys.argv[1])
import qa, qa.api
assert qa.__file__.startswith(sys.argv[1]), qa.__file__
answer = qa.api.open_engine(sys.argv[2]).ask("Did ziltivekimab reduce CRP in the HERMES trial?")
print(json.dumps({"file": qa.__file__, "supported": answer.supported, "verdict": answer.verdict,
                  "answer": answer.answer}))
"""


def test_the_wheel_installs_non_editable_and_answers(tmp_path: Path, corpus_index: Path) -> None:
    # From a clean copy of the sources: the checkout's egg-info and build/ would fill gaps in the config.
    source, wheels, site = tmp_path / "source", tmp_path / "wheels", tmp_path / "site"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "qa", source / "qa", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(wheels)],
                   check=True, timeout=600)
    wheel = next(wheels.glob("qa-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                   check=True, timeout=600)
    assert (site / "qa" / "languages" / "__init__.py").exists() and (site / "qa" / "answer" / "verdict.json").exists()
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(site), str(corpus_index), str(ROOT)],
                            capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["file"].startswith(str(site))
    assert answer["supported"] and "ziltivekimab" in answer["answer"].lower()
