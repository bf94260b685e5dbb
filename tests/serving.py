"""A real qa server for the tests that talk to it over HTTP: `python app.py` on a free port."""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bench.common import two_page_pdf

ROOT = Path(__file__).resolve().parent.parent
XSS_FILE = (
    "Xylofenin safety note.\n\nThe maximum daily dose of xylofenin is forty milligrams for adults "
    "<script>window.__qaXss = 1</script> and must not be exceeded. "
    "<img src=x onerror=\"window.__qaXss = 2\"> Xylofenin is taken with food.\n"
)

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(base: Path, corpus_index: Path, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, dict]:
    """`python app.py` on a free port over a copy of the corpus plus a file full of markup and a
    two-page PDF."""
    corpus, index = base / "corpus", base / "index"
    shutil.copytree(ROOT / "corpus", corpus)
    (corpus / "xss-note.txt").write_text(XSS_FILE, encoding="utf-8")
    (corpus / "zorva-report.pdf").write_bytes(two_page_pdf())
    shutil.copytree(corpus_index, index)  # the seeds are already embedded: start-up embeds one file
    port = free_port()
    log = open(base / "server.log", "w")
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py"), "--port", str(port), "--corpus", str(corpus), "--index", str(index)],
        stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "GRADIO_TEMP_DIR": str(base / "gradio"), **(env or {})},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 300
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except urllib.error.HTTPError:  # a login page answers too
            break
        except OSError:
            if process.poll() is not None or time.time() > deadline:
                process.kill()
                pytest.fail("server did not start: " + (base / "server.log").read_text())
            time.sleep(0.5)
    # The page answers a moment before the JSON and page-image routes join the app: wait for them.
    while "qa: serving on" not in (base / "server.log").read_text():
        if process.poll() is not None or time.time() > deadline:
            process.kill()
            pytest.fail("server did not start: " + (base / "server.log").read_text())
        time.sleep(0.2)
    return process, {"url": url, "corpus": corpus, "index": index, "gradio": base / "gradio"}


def post_json(url: str, body: bytes, auth: tuple[str, str] | None = None) -> tuple[int, dict, dict]:
    """(status, JSON body, headers) of a POST to the JSON route."""
    headers = {"content-type": "application/json"}
    if auth:
        headers["authorization"] = "Basic " + base64.b64encode(":".join(auth).encode()).decode()
    request = urllib.request.Request(f"{url}/api/ask", data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}"), dict(exc.headers)
