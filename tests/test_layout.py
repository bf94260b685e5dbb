"""The package's shape: no side effects at import, one concern per module, benches runnable as modules."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The direction data flows in, lowest first: a module may import its own layer or any lower one.
LAYERS = [
    {"qa", "qa.settings", "qa.errors", "qa.reasons", "qa.types", "qa.runtime"},
    {"qa.text"},
    {"qa.languages"},
    {"qa.model"},
    {"qa.store"},
    {"qa.ingest"},
    {"qa.answer"},
    {"qa.api", "qa.evaluate"},
    {"qa.web"},
    {"qa.mcp_server", "qa.cli", "qa.cli_documents", "qa.cli_options"},
]


def _modules() -> dict[str, Path]:
    found = {}
    for path in (ROOT / "qa").rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Every qa module ``name`` imports, at the top or inside a function."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + [base]).strip(".")
            targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        out |= {target for target in targets if target in modules and target != name}
    return out


def _layer(name: str) -> int:
    return max(i for i, layer in enumerate(LAYERS) for prefix in layer
               if name == prefix or name.startswith(prefix + "."))


def test_every_module_has_a_layer_and_no_import_runs_upward() -> None:
    modules = _modules()
    upward = [f"{name} -> {target}" for name, path in modules.items() for target in _imports(name, path, modules)
              if _layer(target) > _layer(name)]
    assert not upward, upward


def test_the_imports_have_no_cycle() -> None:
    modules = _modules()
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        raise AssertionError(f"import cycle: {exc.args[1]}") from None


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
        "import json, os\nimport numpy as np\nfrom qa.store import vectors\n"
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


def test_the_tests_mirror_the_package() -> None:
    """The test of qa/X/… is under tests/X/: a newcomer finds it by its path."""
    subpackages = {p.parent.name for p in (ROOT / "qa").glob("*/__init__.py")}
    folders = {p.name for p in (ROOT / "tests").iterdir() if p.is_dir() and any(p.glob("test_*.py"))}
    assert folders <= subpackages, folders - subpackages
