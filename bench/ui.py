"""UI latency (issue 3): time from question to rendered answer, p50/p95.

    .venv/bin/python bench/ui.py [--repeat 20]

Server side: what the page's ask handler does — retrieve, compose, render the chat message and the
sources panel (including reading each cited file for its context view). End to end: the same
questions typed into the real page in headless chromium, from the click until the sources panel shows.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench.common import indexed_seeds, p50_p95_ms, running_server
from bench.speed import QUESTIONS
from qa.api import open_engine
from qa.web import LABELS, chat_message, sources_html


def percentiles(samples: list[float]) -> str:
    p50, p95 = p50_p95_ms(samples)
    return f"p50 {p50:.1f} ms, p95 {p95:.1f} ms (n={len(samples)})"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus, index, settings, embedder = indexed_seeds(Path(tmp))
        engine = open_engine(index, settings, embedder)
        for question in QUESTIONS:  # warm up
            engine.ask(question)
        server_side = []
        for _ in range(args.repeat):
            for question in QUESTIONS:
                began = time.perf_counter()
                answer = engine.ask(question)
                labels = LABELS[answer.language]
                chat_message(answer, labels)
                sources_html(answer, labels, engine)
                server_side.append(time.perf_counter() - began)
        print(f"server side, question → rendered answer: {percentiles(server_side)}")
        print(f"browser, click → sources shown: {browser_latency(corpus, index, max(2, args.repeat // 4))}")
    return 0


def browser_latency(corpus: Path, index: Path, rounds: int) -> str:
    if not Path("/usr/bin/chromium").exists():
        return "skipped (no /usr/bin/chromium)"
    from playwright.sync_api import sync_playwright

    port = 7899
    with running_server(corpus, index, port):
        url = f"http://127.0.0.1:{port}"
        samples = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update"])
            page = browser.new_page()
            page.goto(url)
            for round_number in range(rounds):
                for i, question in enumerate(QUESTIONS):
                    page.click("#qa-clear")
                    page.wait_for_function("!document.querySelector('#qa-sources .qa-source')")
                    page.fill("#qa-question textarea", question)
                    began = time.perf_counter()
                    page.click("#qa-ask")
                    page.wait_for_selector("#qa-sources .qa-source")
                    if round_number or i:  # the first question warms the page up
                        samples.append(time.perf_counter() - began)
            browser.close()
        return percentiles(samples)

if __name__ == "__main__":
    raise SystemExit(main())
