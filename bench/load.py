"""Load on the real server (issues 13, 14): 50 simultaneous /ask calls over HTTP while 5 browsers
upload a file each; 1,500 asks with the server's RSS before and after; the JSON route (POST
/api/ask): one question at a time against the engine in-process, and 50 clients asking for 60 s.

    python -m bench.load [--asks 1500] [--seconds 60]      # → bench/results/load.md

/ask goes through gradio_client (HTTP + server-sent events), /api/ask through plain HTTP (urllib),
uploads through the page in headless Debian chromium. An error is an exception, a timeout, or an
answer without citations.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil

from bench.common import ROOT, indexed_seeds, p50_p95_ms, running_server
from bench.speed import QUESTIONS
from qa.web.page import ADDED

PORT = 7898
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update"]


def ask_all(url: str, questions: list[str], workers: int) -> tuple[list[float], int]:
    """Each question on its own connection-sharing client thread; (latencies in s, errors)."""
    from gradio_client import Client

    local = threading.local()

    def one(question: str) -> float | None:
        if not hasattr(local, "client"):
            local.client = Client(url, verbose=False)
        began = time.perf_counter()
        try:
            result = local.client.predict(question, api_name="/ask")
        except Exception:  # noqa: BLE001 (counted, not raised: the bench reports errors)
            return None
        return time.perf_counter() - began if result.get("citations") else None

    with ThreadPoolExecutor(workers) as pool:
        outcomes = list(pool.map(one, questions))
    latencies = [o for o in outcomes if o is not None]
    return latencies, len(outcomes) - len(latencies)


def json_ask(url: str, question: str) -> float | None:
    """Seconds for one POST /api/ask, or None for an error."""
    body = json.dumps({"question": question}).encode()
    request = urllib.request.Request(f"{url}/api/ask", data=body, headers={"content-type": "application/json"})
    began = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            answer = json.loads(response.read())
    except Exception:  # noqa: BLE001 (counted, not raised)
        return None
    return time.perf_counter() - began if answer.get("citations") else None


def sustained(url: str, clients: int, seconds: float) -> tuple[list[float], int, float]:
    """``clients`` threads asking back to back for ``seconds``: (latencies, errors, answers/s)."""
    stop = time.perf_counter() + seconds
    results: list[list[float | None]] = [[] for _ in range(clients)]

    def client(n: int) -> None:
        i = n
        while time.perf_counter() < stop:
            results[n].append(json_ask(url, QUESTIONS[i % len(QUESTIONS)]))
            i += clients

    began = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    elapsed = time.perf_counter() - began
    outcomes = [o for per_client in results for o in per_client]
    latencies = [o for o in outcomes if o is not None]
    return latencies, len(outcomes) - len(latencies), len(latencies) / elapsed


def engine_latency(index: Path, repeat: int) -> list[float]:
    """engine.ask in this process over the same index: what the HTTP routes add to."""
    from qa.api import open_engine

    engine = open_engine(index)  # the server's question path (ONNX once the export is made)
    for question in QUESTIONS:
        engine.ask(question)
    latencies = []
    for i in range(repeat):
        began = time.perf_counter()
        engine.ask(QUESTIONS[i % len(QUESTIONS)])
        latencies.append(time.perf_counter() - began)
    return latencies


def upload_all(url: str, files: list[Path]) -> tuple[list[float], int]:
    """One headless page per file, all set at once; (seconds until each page reports, errors)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
        pages = [browser.new_page() for _ in files]
        for page in pages:
            page.goto(url)
        began = time.perf_counter()
        for page, file in zip(pages, files, strict=True):
            page.set_input_files("#qa-upload input[type=file]", [str(file)])
        seconds, errors = [], 0
        for page in pages:
            try:
                page.wait_for_function("document.querySelector('#qa-upload-status').innerText"
                                       f".includes('{ADDED}')", timeout=600_000)
                seconds.append(time.perf_counter() - began)
            except Exception:  # noqa: BLE001
                errors += 1
        browser.close()
    return seconds, errors


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--asks", type=int, default=1500)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus, index, _, _ = indexed_seeds(Path(tmp))
        notes = []
        for i in range(5):
            notes.append(Path(tmp) / f"note-{i}.md")
            notes[-1].write_text(f"# Note {i}\n\n" + f"Drug number {i} lowers blood pressure in trial {i}. " * 40,
                                 encoding="utf-8")
        url = f"http://127.0.0.1:{PORT}"
        with running_server(corpus, index, PORT) as server:
            ask_all(url, QUESTIONS, 1)  # warm up
            burst = [QUESTIONS[i % len(QUESTIONS)] for i in range(50)]
            with ThreadPoolExecutor(2) as pool:
                asked = pool.submit(ask_all, url, burst, 50)
                uploaded = pool.submit(upload_all, url, notes)
                (ask_latency, ask_errors), (upload_seconds, upload_errors) = asked.result(), uploaded.result()
            process = psutil.Process(server.pid)
            before = process.memory_info().rss
            many, many_errors = ask_all(url, [QUESTIONS[i % len(QUESTIONS)] for i in range(args.asks)], 8)
            after = process.memory_info().rss
            single = [json_ask(url, QUESTIONS[i % len(QUESTIONS)]) for i in range(200)]
            gradio_single, _ = ask_all(url, [QUESTIONS[i % len(QUESTIONS)] for i in range(200)], 1)
            load, load_errors, per_second = sustained(url, 50, args.seconds)
        engine = engine_latency(index, 200)
    p50, p95 = p50_p95_ms(ask_latency)
    m50, m95 = p50_p95_ms(many)
    e50, e95 = p50_p95_ms(engine)
    j50, j95 = p50_p95_ms([s for s in single if s is not None])
    g50, g95 = p50_p95_ms(gradio_single)
    l50, l95 = p50_p95_ms(load)
    report = "\n".join([
        "# Load on the real server: `python -m bench.load`\n",
        f"- 50 simultaneous /ask calls while 5 browsers upload a file each: {ask_errors} ask errors, "
        f"{upload_errors} upload errors; ask p50 {p50:.0f} ms, p95 {p95:.0f} ms; uploads indexed and reported "
        f"after {min(upload_seconds, default=0):.1f}–{max(upload_seconds, default=0):.1f} s",
        f"- {args.asks} asks (8 clients): {many_errors} errors; p50 {m50:.0f} ms, p95 {m95:.0f} ms; server RSS "
        f"{before / 2**20:.0f} MB → {after / 2**20:.0f} MB ({(after - before) / 2**20:+.0f} MB)",
        f"- One question at a time (200 each): `engine.ask` in-process p50 {e50:.1f} ms, p95 {e95:.1f} ms; "
        f"POST /api/ask p50 {j50:.1f} ms ({j50 / e50:.2f}× the engine), p95 {j95:.1f} ms, "
        f"{single.count(None)} errors; gradio_client /ask p50 {g50:.1f} ms ({g50 / e50:.2f}×), p95 {g95:.1f} ms",
        f"- 50 clients asking POST /api/ask back to back for {args.seconds:.0f} s: {per_second:.1f} answers/s, "
        f"{load_errors} errors, p50 {l50:.0f} ms, p95 {l95:.0f} ms",
    ]) + "\n"
    print(report)
    (ROOT / "bench" / "results" / "load.md").write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
