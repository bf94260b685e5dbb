"""UI latency: time from question to rendered answer, p50/p95; and the PDF page view.

    .venv/bin/python -m bench.ui [--repeat 20]

Server side: what the page's ask handler does — retrieve, compose, render the chat message and the
sources panel (including reading each cited file for its context view). End to end: the same
questions typed into the real page in headless chromium, from the click until the sources panel
shows (text sources). The PDF page view is timed apart: rendering a page with its marks in the
sandbox, and in the browser from the click on "Show in the document" until the image has loaded
(the first opening renders; later ones of the same page are cached).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench.common import PDF_PAGES, PDF_QUESTION, indexed_seeds, p50_p95_ms, running_server, two_page_pdf
from bench.speed import QUESTIONS
from qa.api import open_engine
from qa.ingest.sandbox import Sandbox
from qa.web.cards import chat_message, labels_for, sources_html


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
                labels = labels_for("auto", answer.language, answer.script)
                chat_message(answer, labels, turn=1)
                sources_html(answer, labels, engine)
                server_side.append(time.perf_counter() - began)
        print(f"server side, question → rendered answer: {percentiles(server_side)}")
        pdf = two_page_pdf()
        with Sandbox(settings.limits) as sandbox:
            sandbox.render_page(pdf, 2, ())  # starts the child
            renders = []
            for _ in range(args.repeat):
                began = time.perf_counter()
                sandbox.render_page(pdf, 2, (PDF_PAGES[1][2],))
                renders.append(time.perf_counter() - began)
        print(f"PDF page rendered with its marks (sandbox, A4 at 900 px): {percentiles(renders)}")
        (corpus / "zorva-report.pdf").write_bytes(pdf)  # the server indexes it on start
        text, first_view, views = browser_latency(corpus, index, max(2, args.repeat // 4))
        print(f"browser, click → sources shown (text sources): {text}")
        print(f"browser, click on 'Show in the document' → PDF page image loaded: first {first_view:.0f} ms, "
              f"then {views}")
    return 0


def browser_latency(corpus: Path, index: Path, rounds: int) -> tuple[str, float, str]:
    if not Path("/usr/bin/chromium").exists():
        return "skipped (no /usr/bin/chromium)", float("nan"), "skipped"
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
            views = []
            for _ in range(rounds * len(QUESTIONS)):
                page.click("#qa-clear")
                page.wait_for_function("!document.querySelector('#qa-sources .qa-source')")
                page.fill("#qa-question textarea", PDF_QUESTION)
                page.click("#qa-ask")
                page.wait_for_selector("#qa-sources img.qa-page", state="attached")
                began = time.perf_counter()
                page.locator("#qa-sources .qa-source").first.locator("details.qa-doc summary").click()
                page.wait_for_function("(() => { const i = document.querySelector('#qa-sources img.qa-page');"
                                       " return i.complete && i.naturalWidth > 0; })()")
                views.append(time.perf_counter() - began)
            browser.close()
        return percentiles(samples), views[0] * 1000, percentiles(views[1:])


if __name__ == "__main__":
    raise SystemExit(main())
