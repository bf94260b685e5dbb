"""The web UI as users and other programs meet it: a real server process, a real browser (Debian
chromium driven by playwright), real HTTP through gradio_client."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from bench.common import PDF_QUESTION
from bench.hostile import docx_files
from tests.serving import post_json, start_server

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
UZ_CYRL = "HERMES тадқиқотида қайси препарат синовдан ўтказилган?"
RU = "Какие клетки вырабатывают IL-6 в условиях стресса?"


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
    assert "Ўзбек, кирилл" in chat, "the detected language is shown, in the page's language and script"
    first = page.locator("#qa-sources .qa-source").first
    assert "il6-hfref-review.txt" in first.inner_text()
    # Among the marked sentences (a related answer also marks each further passage's closest one).
    assert "ziltivekimab" in " ".join(first.locator("mark").all_inner_texts()), "the supporting sentence is marked"
    assert page.inner_text("#qa-ask").strip() == "Сўраш", "labels follow the question's language and script"
    assert "Manba" not in page.inner_text("body"), "no Latin Uzbek labels on a Cyrillic page"
    selector = page.inner_text("#qa-ui-language")
    assert "Oʻzbek" in selector and "Ўзбек" in selector, "both Uzbek scripts are interface languages"
    lengths = first.evaluate("card => Array.from(card.querySelectorAll('.qa-excerpt')).map(p => p.textContent.length)")
    assert len(lengths) == 2 and lengths[0] < lengths[1], "a compact card: the quoted sentences, the rest a click away"
    first.locator("details.qa-doc summary").click()
    context = first.locator(".qa-context")
    assert context.is_visible() and "ziltivekimab" in " ".join(context.locator("mark.qa-cited").all_inner_texts())
    in_view = context.evaluate("""view => { const m = view.querySelector('mark.qa-cited');
        const top = m.offsetTop - view.offsetTop;
        return top >= view.scrollTop && top < view.scrollTop + view.clientHeight; }""")
    assert in_view, "the document view opens on the cited sentences"
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
    assert page.inner_text("#qa-ui-language label.selected").strip() == "English", "the choice stays shown"
    page.close()


def test_browser_document_markup_stays_inert(browser, server: dict) -> None:  # type: ignore[no-untyped-def]
    dialogs: list[str] = []
    page = ask_in_page(browser, server["url"], "What is the maximum daily dose of xylofenin?", dialogs)
    sources = page.inner_text("#qa-sources")
    assert "xss-note.txt" in sources
    assert "<script>window.__qaXss = 1</script>" in sources, "markup is shown as text"
    assert "onerror" in sources
    page.locator("#qa-sources details.qa-doc summary").first.click()
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

    question = "Did ziltivekimab reduce CRP in the HERMES trial?"
    from_api = Client(server["url"], verbose=False).predict(question, api_name="/ask")
    cli = subprocess.run([sys.executable, "-m", "qa.cli", "ask", "--index", str(server["index"]), "--json", question],
                         capture_output=True, text=True, timeout=600)
    assert cli.returncode == 0, cli.stderr
    from_cli = json.loads(cli.stdout)
    # The server encodes questions with ONNX Runtime, the one-shot CLI with torch: the same vectors
    # to ~1e-5, so a rounded score or confidence may differ in its last digit and nothing else may.
    for ours, theirs in zip(from_api["citations"], from_cli["citations"], strict=True):
        assert abs(ours.pop("score") - theirs.pop("score")) <= 1e-3
    assert abs(from_api.pop("confidence") - from_cli.pop("confidence")) <= 1.5e-3  # one step of the rounding
    assert from_api == from_cli
    assert from_api["supported"] and "ziltivekimab" in from_api["answer"]


def test_json_route_answers_like_the_gradio_api(server: dict) -> None:
    from gradio_client import Client

    question = "Какой препарат испытывали в исследовании HERMES?"
    status, answer, _ = post_json(server["url"], json.dumps({"question": question}).encode())
    assert status == 200
    assert answer == Client(server["url"], verbose=False).predict(question, api_name="/ask")
    assert answer["verdict"] != "not_found" and answer["language"] == "ru" and answer["citations"]
    for bad in (b"not json", b'{"question": "   "}', b'["a list"]', b'{"question": 5}'):
        status, body, _ = post_json(server["url"], bad)
        assert status == 400 and "question" in body["error"], (bad, status, body)
    status, body, _ = post_json(server["url"], b"\xff\xfe")
    assert status == 400 and "not UTF-8" in body["error"], "a body that is not UTF-8 is named as such"
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
        assert result["verdict"] != "not_found" and expected[result["question"]] in result["answer"].lower()


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


def new_page(browser, width: int = 1400, height: int = 1000):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": width, "height": height})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    return context.new_page()


def send_with_enter(page, question: str, answers: int) -> None:  # type: ignore[no-untyped-def]
    page.fill("#qa-question textarea", question)
    page.press("#qa-question textarea", "Enter")
    page.wait_for_function(f"document.querySelectorAll('#qa-chat .message').length >= {2 * answers}",
                           timeout=120_000)
    page.wait_for_function(f"document.querySelector('#qa-sources .qa-source[data-turn=\"{answers}\"]')",
                           timeout=60_000)


def card_sentences(page) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """The sentences of each source card, as the page shows them (marked ones are whole sentences)."""
    return page.evaluate("""Array.from(document.querySelectorAll('#qa-sources .qa-source')).map(card =>
        card.querySelector('.qa-excerpt').innerText.split(/(?<=[.!?])\\s+/)
            .map(s => s.replace(/^…\\s*|\\s*…$/g, "").trim()).filter(s => s))""")


def test_browser_chat_conventions_cards_follow_up_and_copy(browser, server: dict) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser)
    page.goto(server["url"])
    box = "#qa-question textarea"
    # Shift+Enter adds a line and sends nothing; Enter sends, clears the box and keeps it focused.
    page.fill(box, "Which drug was tested")
    page.press(box, "Shift+Enter")
    page.type(box, "in the HERMES trial?")
    page.wait_for_timeout(300)
    assert page.input_value(box) == "Which drug was tested\nin the HERMES trial?"
    assert page.locator("#qa-chat .message").count() == 0
    page.press(box, "Enter")
    page.wait_for_function("document.querySelectorAll('#qa-chat .message').length >= 2", timeout=120_000)
    page.wait_for_selector("#qa-sources .qa-source", timeout=60_000)
    assert page.input_value(box) == ""
    assert page.evaluate("document.activeElement === document.querySelector('#qa-question textarea')")
    # One card per passage: overlapping chunks of a file merge, and no sentence shows twice.
    refs = page.evaluate("Array.from(document.querySelectorAll('#qa-sources .qa-source')).map(c => c.dataset.refs)")
    numbers = sorted(int(n) for r in refs for n in r.split())
    assert numbers == [1, 2, 3, 4, 5] and len(refs) < 5, f"five citations, merged into fewer cards: {refs}"
    sentences = [s for card in card_sentences(page) for s in card]
    assert len(sentences) == len(set(sentences)), "a source sentence appears in two cards"
    # A readable relevance instead of a raw score.
    first = page.locator("#qa-sources .qa-source").first
    assert "Quoted in the answer" in first.inner_text() and f"match 1 of {len(refs)}" in first.inner_text()
    assert "score" not in page.inner_text("#qa-sources")
    # [n] in the answer scrolls to its card and flashes it.
    page.evaluate("window.scrollTo(0, 0)")
    marker = page.locator("#qa-chat a[href^='#qa-source-1-']").first
    n = marker.get_attribute("href").rsplit("-", 1)[1]
    marker.click()
    target = page.locator(f"#qa-sources .qa-source[data-refs~='{n}']")
    page.wait_for_function("document.querySelector('#qa-sources .qa-flash') !== null", timeout=5_000)
    assert "qa-flash" in (target.get_attribute("class") or "")
    assert page.url.rstrip("/") == server["url"], "the marker does not navigate"
    # Copy with references: the answer as Markdown, each [n] with file, lines and the quoted sentence.
    page.click("#qa-copy")
    page.wait_for_timeout(300)
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("**Question:** Which drug was tested in the HERMES trial?")
    assert "ziltivekimab" in copied
    assert re.search(r"^\[1\] il6-hfref-review\.txt, lines \d+–\d+: “.*HERMES", copied, re.M), copied
    # A follow-up carries the thread: "it" is the HERMES drug, and the HERMES passage is cited.
    send_with_enter(page, "Did it lower CRP?", answers=2)
    chat = page.inner_text("#qa-chat")
    assert "Read with the earlier question: " in chat and "HERMES" in chat.rsplit("Did it lower CRP?", 1)[1]
    cited = page.locator("#qa-sources .qa-source").first.inner_text()
    assert "HERMES trial tested ziltivekimab" in cited
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "follow-up-1400.png"), full_page=True)
    # Clear forgets the thread: the same words alone are not read with HERMES.
    page.click("#qa-clear")
    send_with_enter(page, "Did it lower CRP?", answers=1)
    assert "Read with the earlier question" not in page.inner_text("#qa-chat")
    page.context.close()


def highlighted_pixels(page) -> dict:  # type: ignore[no-untyped-def]
    """Width of the loaded page image and how many of its pixels carry the highlight colour."""
    return page.evaluate("""() => {
        const img = document.querySelector('#qa-sources img.qa-page');
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
        const context = canvas.getContext('2d');
        context.drawImage(img, 0, 0);
        const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
        let marked = 0;
        for (let i = 0; i < data.length; i += 4)
            if (Math.abs(data[i] - 253) < 6 && Math.abs(data[i + 1] - 230) < 8
                && Math.abs(data[i + 2] - 138) < 10) marked++;
        return {natural: img.naturalWidth, shown: img.getBoundingClientRect().width, marked: marked};
    }""")


def test_browser_pdf_citation_shows_the_marked_page(browser, server: dict) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser)
    page.goto(server["url"])
    send_with_enter(page, PDF_QUESTION, answers=1)
    first = page.locator("#qa-sources .qa-source").first
    assert "zorva-report.pdf" in first.inner_text() and "page 2" in first.inner_text()
    lines = re.search(r"lines (\d+)–(\d+) of the page", first.inner_text())
    assert lines and 1 <= int(lines[1]) <= int(lines[2]) <= 4, "lines counted from the top of the page (it has 4)"
    # Copy with references counts them the same way, for the quoted sentence alone (the page's last two).
    copy = page.evaluate("document.querySelector('#qa-copy-text').value")
    assert re.search(r"zorva-report\.pdf, page 2, lines 3–4 of the page: “No patient stopped", copy), copy
    assert page.locator("#qa-sources img.qa-page").count() >= 1
    first.locator("details.qa-doc summary").click()
    page.wait_for_function("(() => { const i = document.querySelector('#qa-sources img.qa-page');"
                           " return i && i.complete && i.naturalWidth > 0; })()", timeout=60_000)
    pixels = highlighted_pixels(page)
    assert pixels["shown"] >= 300 and pixels["natural"] >= 300, pixels
    # The cited sentence (two printed lines) is marked; an unmarked rendering has none of this colour.
    assert pixels["marked"] > 2_000, pixels
    page.screenshot(path=str(ARTIFACTS / "pdf-page-1400.png"), full_page=True)
    status = urllib.request.urlopen(server["url"] + page.locator("img.qa-page").first.get_attribute("src")).status
    assert status == 200
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(server["url"] + "/api/page/not-a-token")
    assert refused.value.code == 404, "only pages offered with an answer are served"
    page.context.close()


def test_browser_localised_page_and_phone_width(browser, server: dict) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser, 390, 844)
    page.goto(server["url"])
    send_with_enter(page, RU, answers=1)
    chat, sources = page.inner_text("#qa-chat"), page.inner_text("#qa-sources")
    assert "Русский, кириллица" in chat, "script names in the page's language"
    assert "Цитируется в ответе" in sources and "совпадение 1 из" in sources and "строки" in sources
    assert page.inner_text("#qa-copy").strip() == "Копировать со ссылками"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scrolling at 390 px"
    covered = page.evaluate("""(() => {  // what is drawn at the top of the first question, scrolled into view
        const first = document.querySelector('#qa-chat .message');
        first.scrollIntoView({block: "center"});
        const box = first.getBoundingClientRect();
        const top = document.elementFromPoint(box.left + box.width / 2, box.top + 4);
        return first.contains(top) ? "" : top.outerHTML.slice(0, 200); })()""")
    assert not covered, f"nothing lies over the first question on a phone: {covered}"
    assert page.locator("#qa-chat [data-testid=block-label]").count() == 0, "no floating 'qa' tab over the thread"
    below = page.evaluate("document.querySelector('#qa-sources').getBoundingClientRect().top"
                          " >= document.querySelector('#qa-chat').getBoundingClientRect().bottom")
    assert below, "sources below the answer on a phone"
    page.screenshot(path=str(ARTIFACTS / "answered-ru-390.png"), full_page=True)
    send_with_enter(page, UZ_CYRL, answers=2)
    assert "Ўзбек, кирилл" in page.inner_text("#qa-chat") and "Манбалар" in page.inner_text("#qa-sources")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.context.close()


def test_browser_upload_progress_while_others_ask(browser, server: dict, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Long enough that embedding takes seconds: the uploader sees progress, another reader gets answers.
    sentences = [f"Case {i}: the patient on drug number {i} reported symptom {i % 17} after {i % 9 + 1} days."
                 for i in range(1500)]
    long_file = tmp_path / "case-series.txt"
    long_file.write_text("\n".join(sentences), encoding="utf-8")
    uploader, reader = new_page(browser), new_page(browser)
    uploader.goto(server["url"])
    reader.goto(server["url"])
    uploader.set_input_files("#qa-upload input[type=file]", [str(long_file)])
    uploader.wait_for_function("document.body.innerText.includes('Embedding passages')", timeout=120_000)
    send_with_enter(reader, "Which drug was tested in the HERMES trial?", answers=1)
    assert "ziltivekimab" in reader.inner_text("#qa-chat")
    assert "searchable now" not in uploader.inner_text("#qa-upload-status"), "answered while the file indexed"
    uploader.wait_for_function(
        "document.querySelector('#qa-upload-status').innerText.includes('searchable now')", timeout=300_000)
    uploader.context.close()
    reader.context.close()


def test_json_route_and_gradio_api_take_the_history(server: dict) -> None:
    from gradio_client import Client

    history = ["Which drug was tested in the HERMES trial?"]
    body = json.dumps({"question": "Did it lower CRP?", "history": history}).encode()
    status, answer, _ = post_json(server["url"], body)
    assert status == 200 and "HERMES" in answer["carried"]
    assert "HERMES trial tested ziltivekimab" in answer["citations"][0]["text"]
    assert answer == Client(server["url"], verbose=False).predict("Did it lower CRP?", history, api_name="/ask")
    alone = Client(server["url"], verbose=False).predict("Did it lower CRP?", api_name="/ask")
    assert "carried" not in alone, "the history is optional"
    status, body_back, _ = post_json(server["url"], json.dumps({"question": "Why?", "history": "not a list"}).encode())
    assert status == 400 and "history" in body_back["error"]


def test_enter_on_an_empty_box_asks_nothing(browser, server: dict) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server["url"])
    page.fill("#qa-question textarea", "   ")
    page.press("#qa-question textarea", "Enter")
    page.wait_for_timeout(2000)
    assert page.locator("#qa-chat .message").count() == 0, page.inner_text("#qa-chat")
    page.fill("#qa-question textarea", "What is IL-6?")  # and the box still asks
    page.press("#qa-question textarea", "Enter")
    page.wait_for_function("document.querySelectorAll('#qa-chat .message').length >= 2", timeout=60_000)
    page.close()


def test_browser_documents_panel_lists_and_removes(browser, server: dict, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Every indexed file is listed; a removed one leaves the index and the corpus for the trash."""
    note = tmp_path / "Velmorex note.txt"
    note.write_text("Velmorex note.\n\nVelmorex turns the urine bright green in one patient in five.", encoding="utf-8")
    page = browser.new_page()
    page.goto(server["url"])
    page.set_input_files("#qa-upload input[type=file]", [str(note)])
    page.wait_for_function(
        "document.querySelector('#qa-upload-status').innerText.includes('searchable now')", timeout=180_000)
    page.click("#qa-documents button.label-wrap")  # the panel opens
    page.wait_for_selector("#qa-documents-list", timeout=30_000)
    page.wait_for_function("document.querySelector('#qa-documents-list').innerText.includes('Velmorex_note.txt')",
                           timeout=60_000)
    listing = page.inner_text("#qa-documents-list")
    assert "il6-hfref-review.txt" in listing and "English, Русский" in listing and "zorva-report.pdf" in listing
    page.locator("#qa-documents").screenshot(path=str(ARTIFACTS / "documents-panel.png"))
    page.locator("#qa-remove-choice input").fill("uploads/Velmorex_note.txt")
    page.locator("[role=listbox] [role=option]", has_text="uploads/Velmorex_note.txt").first.click()
    page.click("#qa-remove")
    page.wait_for_function("document.querySelector('#qa-remove-status').innerText.includes('removed from the index')",
                           timeout=180_000)
    assert "Velmorex_note.txt" not in page.inner_text("#qa-documents-list")
    assert not (server["corpus"] / "uploads" / "Velmorex_note.txt").exists()
    assert list((server["index"] / "trash").glob("*/uploads/Velmorex_note.txt")), "kept in the index's trash"
    status, answer, _ = post_json(server["url"], json.dumps({"question": "Which drug turns the urine green?"}).encode())
    assert status == 200 and all(c["source"] != "uploads/Velmorex_note.txt" for c in answer["citations"])
    page.close()
