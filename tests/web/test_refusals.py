"""The page's words in the reader's language: refusals (a question that is no question; uploads the
server refuses, too large, a zip named .docx, a type it does not read, each named and kept on
screen), and what Gradio itself announces to a screen reader."""

from __future__ import annotations

import zipfile
from pathlib import Path

from qa.settings import LimitSettings


def test_refusals_are_said_in_the_interface_language(browser, server: dict, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server["url"])
    page.locator("#qa-ui-language label", has_text="Русский").click()
    page.wait_for_function("document.querySelector('#qa-ask').innerText.trim() === 'Спросить'")

    page.fill("#qa-question textarea", "?!?!")
    page.click("#qa-ask")
    page.wait_for_function("document.querySelector('#qa-chat').innerText.includes('нет ни букв, ни цифр')",
                           timeout=60_000)
    assert "letters or digits" not in page.inner_text("#qa-chat")

    big = tmp_path / "big.txt"
    big.write_bytes(b"IL-6 " * ((LimitSettings().max_upload_mb * 2**20) // 5 + 1000))
    renamed = tmp_path / "archive.docx"
    with zipfile.ZipFile(renamed, "w") as archive:
        archive.writestr("notes.txt", "not a Word document")
    odd = tmp_path / "dose-_table_-v2.exe"  # _table_ would be in italics in Markdown
    odd.write_bytes(b"MZ\x90\x00")
    page.set_input_files("#qa-upload input[type=file]", [str(big), str(renamed), str(odd)])
    page.wait_for_function("document.querySelector('#qa-upload-status').innerText.includes('archive.docx')",
                           timeout=180_000)
    status = page.inner_text("#qa-upload-status")
    assert f"big.txt: больше {LimitSettings().max_upload_mb} МБ" in status, status
    assert "archive.docx: не документ Word" in status, status
    assert "dose-_table_-v2.exe: неподдерживаемый тип" in status, "the name is shown as written, not as Markdown"
    assert "larger than" not in status and "KeyError" not in status
    page.wait_for_timeout(3000)
    assert "archive.docx" in page.inner_text("#qa-upload-status"), "the refusal stays on screen"
    assert not (server["corpus"] / "uploads").exists() or not list((server["corpus"] / "uploads").iterdir())
    page.close()


def test_a_name_gradio_would_refuse_does_not_drop_the_batch(browser, server: dict) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    page.goto(server["url"])
    page.wait_for_selector("#qa-upload input[type=file]", state="attached")
    page.set_input_files("#qa-upload input[type=file]", [
        {"name": "..", "mimeType": "text/plain", "buffer": b"IL-6 rises."},
        {"name": "zorvatin.txt", "mimeType": "text/plain", "buffer": b"Zorvatin lowers IL-6 in dogs."},
    ])
    page.wait_for_function("document.querySelector('#qa-upload-status').innerText.includes('zorvatin')",
                           timeout=180_000)
    status = page.inner_text("#qa-upload-status")
    assert "document: unsupported type" in status and "uploads/zorvatin.txt" in status, status
    assert "HTTP 400" not in page.inner_text("body")
    page.close()


# Records every text a live region (what a screen reader announces) is given.
LISTEN = """() => { window.qaSaid = []; new MutationObserver(changes => { for (const change of changes) {
    const node = change.target.nodeType === 1 ? change.target : change.target.parentElement;
    const live = node && node.closest('[aria-live]');
    if (live && live.textContent.trim()) window.qaSaid.push(live.textContent.trim()); } })
    .observe(document.body, {subtree: true, childList: true, characterData: true}); }"""


def test_a_screen_reader_hears_words_not_keys(browser, server: dict) -> None:  # type: ignore[no-untyped-def]
    for locale, done in (("ru-RU", "Готово"), ("en-US", "Complete")):
        page = browser.new_page(locale=locale)
        page.goto(server["url"])
        page.wait_for_selector("#qa-question textarea")
        page.evaluate(LISTEN)
        page.fill("#qa-question textarea", "Какие клетки вырабатывают IL-6?")
        page.click("#qa-ask")
        page.wait_for_selector("#qa-sources .qa-source", timeout=120_000)
        # Gradio announces at most once in 5 s: the end of the answer comes after the "loading".
        page.wait_for_function(f"window.qaSaid.includes({done!r})", timeout=15_000)
        said = page.evaluate("window.qaSaid")
        assert not [s for s in said if s.startswith(("common.", "status."))], said
        page.close()
