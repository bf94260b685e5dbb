"""The package's shape: no side effects at import, one concern per module, benches runnable as modules."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_importing_qa_leaves_the_environment_unchanged() -> None:
    script = (
        "import json, os\nbefore = dict(os.environ)\nimport qa, qa.api, qa.cli\n"
        "print(json.dumps([before == dict(os.environ), sorted(set(os.environ) ^ set(before))]))"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(Path.home())}  # none of the variables runtime.configure sets
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    unchanged, changed = json.loads(result.stdout)
    assert unchanged, f"import changed {changed}"


def test_the_model_and_vector_index_get_their_runtime_settings() -> None:
    script = (
        "import json, os\nimport numpy as np\nfrom qa import vectors\n"
        "vectors.create(np.eye(4, dtype='float32'))\n"
        "print(json.dumps(os.environ.get('OMP_WAIT_POLICY')))"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(Path.home())}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == "PASSIVE", "set before FAISS starts the shared OpenMP pool"


def test_no_module_is_over_300_lines() -> None:
    long = {str(p.relative_to(ROOT)): n for p in (ROOT / "qa").rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 300}
    assert not long, long


def test_benches_import_as_modules_without_path_hacks() -> None:
    for path in (ROOT / "bench").glob("*.py"):
        assert "sys.path.insert" not in path.read_text(encoding="utf-8"), path.name
    names = sorted(p.stem for p in (ROOT / "bench").glob("*.py") if p.stem != "__init__")
    script = "import importlib\n" + "".join(f"importlib.import_module('bench.{n}')\n" for n in names)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
