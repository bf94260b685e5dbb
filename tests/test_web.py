"""The web UI as users and other programs meet it: a real server process, a real browser (Debian
chromium driven by playwright), real HTTP through gradio_client."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.hostile import docx_files

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update"]
XSS_FILE = (
    "Xylofenin safety note.\n\nThe maximum daily dose of xylofenin is forty milligrams for adults "
    "<script>window.__qaXss = 1</script> and must not be exceeded. "
    "<img src=x onerror=\"window.__qaXss = 2\"> Xylofenin is taken with food.\n"
)
UZ_CYRL = "HERMES тадқиқотида қайси препарат синовдан ўтказилган?"
RU = "Какие клетки вырабатывают IL-6 в условиях стресса?"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(base: Path, corpus_index: Path, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, dict]:
    """`python app.py` on a free port over a copy of the corpus plus a file full of markup."""
    import os

    corpus, index = base / "corpus", base / "index"
    shutil.copytree(ROOT / "corpus", corpus)
    (corpus / "xss-note.txt").write_text(XSS_FILE, encoding="utf-8")
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
    return process, {"url": url, "corpus": corpus, "index": index, "gradio": base / "gradio"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, corpus_index: Path) -> Iterator[dict]:
    process, info = start_server(tmp_path_factory.mktemp("web"), corpus_index)
    yield info
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is missing: `make setup` installs it (apt-get install chromium)")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def ask_in_page(browser, url: str, question: str, dialogs: list[str] | None = None):  # type: ignore[no-untyped-def]
    """A new page, the question typed and asked; any alert/confirm dialog is recorded in ``dialogs``."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    if dialogs is not None:
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(url)
    page.fill("#qa-question textarea", question)
    page.click("#qa-ask")
    page.wait_for_selector("#qa-sources .qa-source", timeout=120_000)
    page.wait_for_function("document.querySelectorAll('#qa-chat .message').length >= 2", timeout=60_000)
    return page


def test_browser_uzbek_cyrillic_answer_with_cited_source(browser, server: dict) -> None:  # type: ignore[no-untyped-def]
    page = ask_in_page(browser, server["url"], UZ_CYRL)
    chat = page.inner_text("#qa-chat")
    assert "ziltivekimab" in chat and "[1]" in chat
    assert "Oʻzbek, Cyrillic" in chat, "the detected language is shown"
    first = page.locator("#qa-sources .qa-source").first
    assert "il6-hfref-review.txt" in first.inner_text()
    assert "ziltivekimab" in first.locator("mark").first.inner_text(), "the supporting sentence is marked"
    assert page.inner_text("#qa-ask").strip() == "Soʻrash", "labels follow the question's language"
    first.locator("details summary").click()
    context = first.locator(".qa-context")
    assert context.is_visible() and "ziltivekimab" in context.locator("mark").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "answered-uz-cyrl.png"), full_page=True)
    page.close()


def test_browser_russian_answer_and_language_selector(browser, server: dict) -> None:  # type: ignore[no-untyped-def]
    page = ask_in_page(browser, server["url"], RU)
    chat = page.inner_text("#qa-chat")
    assert "macrophages" in chat and "[1]" in chat and "Русский" in chat
    assert "macrophages" in page.inner_text("#qa-sources")
    assert page.inner_text("#qa-ask").strip() == "Спросить"
    assert "Источники" in page.inner_text("#qa-sources")
    page.locator("#qa-ui-language label", has_text="English").click()
    page.wait_for_function("document.querySelector('#qa-ask').innerText.trim() === 'Ask'")
    assert "Sources" in page.inner_text("#qa-sources") and "macrophages" in page.inner_text("#qa-sources")
    page.fill("#qa-question textarea", "What is the boiling point of mercury?")
    page.click("#qa-ask")
    page.wait_for_function("document.querySelectorAll('#qa-chat .message').length >= 4", timeout=60_000)
    page.wait_for_function("document.querySelector('#qa-chat').innerText.includes('Not found in the sources')")
    page.close()


def test_browser_document_markup_stays_inert(browser, server: dict) -> None:  # type: ignore[no-untyped-def]
    dialogs: list[str] = []
    page = ask_in_page(browser, server["url"], "What is the maximum daily dose of xylofenin?", dialogs)
    sources = page.inner_text("#qa-sources")
    assert "xss-note.txt" in sources
    assert "<script>window.__qaXss = 1</script>" in sources, "markup is shown as text"
    assert "onerror" in sources
    page.locator("#qa-sources details summary").first.click()
    page.wait_for_timeout(500)
    assert page.evaluate("typeof window.__qaXss") == "undefined"
    assert page.locator("img[src='x']").count() == 0 and page.locator("#qa-sources script").count() == 0
    assert dialogs == []
    page.close()


def test_browser_upload_is_searchable_at_once(browser, server: dict, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    note = tmp_path / "Lorvatinib note.md"
    note.write_text("# Lorvatinib\n\nLorvatinib causes reversible hair whitening in one patient in ten.",
                    encoding="utf-8")
    bad = tmp_path / "tool.exe"
    bad.write_bytes(b"MZ\x90\x00")
    broken = tmp_path / "broken.docx"
    broken.write_bytes(docx_files()["malformed.docx"])
    page = browser.new_page()
    page.goto(server["url"])
    page.set_input_files("#qa-upload input[type=file]", [str(note), str(bad), str(broken)])
    page.wait_for_function(
        "document.querySelector('#qa-upload-status').innerText.includes('searchable now')", timeout=180_000
    )
    status = page.inner_text("#qa-upload-status")
    assert "tool.exe: unsupported type" in status and "uploads/Lorvatinib_note.md" in status
    assert "broken.docx: corrupt Word document" in status
    assert sorted(p.name for p in (server["corpus"] / "uploads").iterdir()) == ["Lorvatinib_note.md"]
    # Handled uploads, refused ones included, no longer sit in Gradio's cache (fetchable by URL).
    assert not [p for p in server["gradio"].rglob("*") if p.name in {"Lorvatinib note.md", "tool.exe", "broken.docx"}]
    page.fill("#qa-question textarea", "Which drug causes hair whitening?")
    page.click("#qa-ask")
    page.wait_for_function(
        "document.querySelector('#qa-sources').innerText.includes('uploads/Lorvatinib_note.md')", timeout=60_000
    )
    page.close()


def test_api_returns_the_cli_json(server: dict) -> None:
    from gradio_client import Client

    question = "Which drug was tested in the HERMES trial?"
    from_api = Client(server["url"], verbose=False).predict(question, api_name="/ask")
    cli = subprocess.run([sys.executable, "-m", "qa.cli", "ask", "--index", str(server["index"]), "--json", question],
                         capture_output=True, text=True, timeout=600)
    assert cli.returncode == 0, cli.stderr
    from_cli = json.loads(cli.stdout)
    # The server encodes questions with ONNX Runtime, the one-shot CLI with torch: the same vectors
    # to ~1e-5, so a rounded score may differ in its last digit and nothing else may.
    for ours, theirs in zip(from_api["citations"], from_cli["citations"], strict=True):
        assert abs(ours.pop("score") - theirs.pop("score")) <= 1e-3
    assert from_api == from_cli
    assert from_api["supported"] and "ziltivekimab" in from_api["answer"]


def post_json(url: str, body: bytes, auth: tuple[str, str] | None = None) -> tuple[int, dict, dict]:
    """(status, JSON body, headers) of a POST to the JSON route."""
    import base64

    headers = {"content-type": "application/json"}
    if auth:
        headers["authorization"] = "Basic " + base64.b64encode(":".join(auth).encode()).decode()
    request = urllib.request.Request(f"{url}/api/ask", data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}"), dict(exc.headers)


def test_json_route_answers_like_the_gradio_api(server: dict) -> None:
    from gradio_client import Client

    question = "Какой препарат испытывали в исследовании HERMES?"
    status, answer, _ = post_json(server["url"], json.dumps({"question": question}).encode())
    assert status == 200
    assert answer == Client(server["url"], verbose=False).predict(question, api_name="/ask")
    assert answer["supported"] and answer["language"] == "ru" and answer["citations"]
    for bad in (b"not json", b'{"question": "   "}', b'["a list"]', b'{"question": 5}', b"\xff\xfe"):
        status, body, _ = post_json(server["url"], bad)
        assert status == 400 and "question" in body["error"], (bad, status, body)
    status, body, _ = post_json(server["url"], json.dumps({"question": "IL-6 " * 50_000}).encode())
    assert status == 413 and "bytes" in body["error"]


def test_twenty_simultaneous_api_requests(server: dict) -> None:
    from gradio_client import Client

    expected = {
        "Which drug was tested in the HERMES trial?": "ziltivekimab",
        "Какой препарат испытывали в исследовании HERMES?": "зилтивекимаб",  # from the Russian abstract
        "Which cells produce IL-6 under stress conditions?": "macrophages",
        "Какие клетки вырабатывают IL-6 в условиях стресса?": "macrophages",
    }
    questions = [list(expected)[i % 4] for i in range(20)]
    client = Client(server["url"], verbose=False)
    jobs = [client.submit(q, api_name="/ask") for q in questions]
    results = [job.result(timeout=300) for job in jobs]
    assert [r["question"] for r in results] == questions
    for result in results:
        assert result["supported"] and expected[result["question"]] in result["answer"].lower()


def test_failed_logins_are_throttled(tmp_path: Path, corpus_index: Path) -> None:
    """Real HTTP against a server with a password: after a wrong one the next try waits, doubling."""
    process, info = start_server(tmp_path, corpus_index, {"QA_PASSWORD": "right-horse", "QA_USER": "doc"})

    def login(password: str) -> tuple[int, dict]:
        body = urllib.parse.urlencode({"username": "doc", "password": password}).encode()
        try:
            with urllib.request.urlopen(f"{info['url']}/login", data=body, timeout=30) as response:
                return response.status, dict(response.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers)

    try:
        assert login("wrong-1")[0] == 400
        refused = [login(f"guess-{i}") for i in range(50)]
        assert all(code == 429 for code, _ in refused), "guesses inside the delay are refused unseen"
        assert refused[0][1]["retry-after"] == "1"
        time.sleep(1.2)
        assert login("wrong-2")[0] == 400
        assert login("right-horse")[0] == 429, "even the right password waits out the delay"
        time.sleep(2.2)  # the second failure in a row: 2 s
        assert login("right-horse")[0] == 200
        assert login("wrong-3")[0] == 400 and login("x")[1]["retry-after"] == "1", "success reset the count"
        # The JSON route takes the same credentials as HTTP Basic, and its failures count the same way.
        time.sleep(1.2)
        question = json.dumps({"question": "Which drug was tested in the HERMES trial?"}).encode()
        assert post_json(info["url"], question)[0] == 401, "no credentials"
        assert post_json(info["url"], question, ("doc", "right-horse"))[0] == 429, "the second failure: 2 s"
        time.sleep(2.2)
        status, answer, _ = post_json(info["url"], question, ("doc", "right-horse"))
        assert status == 200 and "ziltivekimab" in answer["answer"]
        assert post_json(info["url"], question, ("doc", "wrong"))[0] == 401
        time.sleep(1.2)
        assert post_json(info["url"], question, ("врач", "пароль"))[0] == 401, "any alphabet: refused, not a crash"
    finally:
        process.terminate()
        process.wait(timeout=30)
