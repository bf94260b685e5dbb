"""One place reads the environment: ``Settings.from_env()``; ``Settings()`` is the defaults alone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from qa.errors import InputError
from qa.settings import PROJECT_ROOT, Settings

ROOT = Path(__file__).resolve().parent.parent


def test_every_variable_lands_in_its_field(tmp_path: Path) -> None:
    env = {"QA_INDEX": "milvus://db.example.org:19530", "QA_MILVUS_TOKEN": "u:p", "QA_MILVUS_COLLECTION": "ward",
           "QA_HOST": "0.0.0.0", "QA_PORT": "8080", "QA_PASSWORD": "secret", "QA_USER": "doc", "QA_API_KEY": "k",
           "QA_TRUSTED_PROXIES": "127.0.0.1", "QA_CACHE_DIR": str(tmp_path), "QA_MODEL": "/models/e5",
           "QA_PRECISION": "fp32", "QA_QUESTION_ENCODER": "torch", "QA_THREADS": "4", "QA_ANN": "ivf"}
    s = Settings.from_env(env)
    assert (s.index_uri, s.index_dir) == ("milvus://db.example.org:19530", PROJECT_ROOT / "index")
    assert (s.milvus.token, s.milvus.collection) == ("u:p", "ward")
    assert (s.server.host, s.server.port, s.server.trusted_proxies) == ("0.0.0.0", 8080, "127.0.0.1")
    assert (s.access.user, s.access.password, s.access.api_key) == ("doc", "secret", "k")
    assert (s.cache_dir, s.limits.ocr_cache) == (tmp_path, str(tmp_path / "ocr"))
    assert (s.model, s.precision, s.question_encoder, s.threads, s.vectors.ann) == (
        "/models/e5", "fp32", "torch", 4, "ivf")
    folder = Settings.from_env({"QA_INDEX": str(tmp_path / "idx"), "XDG_CACHE_HOME": str(tmp_path)})
    assert (folder.index_dir, folder.index_uri, folder.cache_dir) == (tmp_path / "idx", "", tmp_path / "qa")


def test_defaults_read_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QA_THREADS", "7")
    monkeypatch.setenv("QA_INDEX", "/elsewhere")
    assert Settings().threads == 2 and Settings().index_dir == PROJECT_ROOT / "index"
    assert Settings.from_env().threads == 7
    assert Settings.from_env({}).threads == Settings().threads


def test_a_malformed_number_is_one_line_and_exit_2() -> None:
    with pytest.raises(InputError, match="QA_PORT must be a whole number"):
        Settings.from_env({"QA_PORT": "eighty"})
    env = {**os.environ, "QA_THREADS": "two"}
    result = subprocess.run([sys.executable, "-m", "qa.cli", "ask", "What is IL-6?"], capture_output=True,
                            text=True, env=env, cwd=ROOT, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip() == "qa: QA_THREADS must be a whole number, not 'two'"


@pytest.mark.parametrize(("name", "value", "message"), [
    ("QA_THREADS", "0", "QA_THREADS must be at least 1, not 0"),
    ("QA_PORT", "70000", "QA_PORT must be from 1 to 65535, not 70000"),
    ("QA_ANN", "hnsw", "QA_ANN must be one of auto, flat, ivf, not 'hnsw'"),
    ("QA_PRECISION", "fp8", "QA_PRECISION must be one of auto, fp32, bf16, not 'fp8'"),
    ("QA_QUESTION_ENCODER", "gpu", "QA_QUESTION_ENCODER must be one of auto, onnx, torch, not 'gpu'"),
])
def test_a_value_out_of_range_is_refused_before_anything_runs(name: str, value: str, message: str) -> None:
    """Accepted silently, QA_THREADS=0 or QA_ANN=hnsw ran with another value than the one set."""
    with pytest.raises(InputError, match=message):
        Settings.from_env({name: value})


def test_a_port_out_of_range_is_a_usage_error_before_indexing(tmp_path: Path) -> None:
    """``qa serve --port 99999`` used to index the corpus, then fail in bind() with an OverflowError."""
    result = subprocess.run([sys.executable, "-m", "qa.cli", "serve", "--port", "99999", "--corpus", str(tmp_path),
                             "--index", str(tmp_path / "index")], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "a port is from 1 to 65535, not 99999" in result.stderr
    assert not (tmp_path / "index").exists(), "nothing was indexed"


def test_a_port_in_use_is_refused_before_indexing(tmp_path: Path) -> None:
    """Gradio's own "Cannot find empty port" came after indexing, as an unexpected error."""
    import socket

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        command = ["serve", "--host", "127.0.0.1", "--port", str(port), "--corpus", str(tmp_path), "--index",
                   str(tmp_path / "index")]
        result = subprocess.run([sys.executable, "-m", "qa.cli", *command], capture_output=True, text=True, cwd=ROOT,
                                timeout=120)
        # Gradio probes 127.0.0.1 whatever the host: so does the check.
        everywhere = subprocess.run([sys.executable, "-m", "qa.cli", "serve", "--host", "0.0.0.0", *command[3:]],
                                    capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"port {port} on 127.0.0.1 is not free" in result.stderr and "give another --port" in result.stderr
    assert not (tmp_path / "index").exists(), "nothing was indexed"
    assert everywhere.returncode == 2 and f"port {port} on 0.0.0.0 is not free" in everywhere.stderr
