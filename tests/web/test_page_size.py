"""The page's size on a desktop after an answer: the sources scroll in their own column, so the
page, with the upload box and the Documents panel below them, stays about one screen tall."""

from __future__ import annotations

DESKTOP_MAX = 1400  # px, after one answer


def test_one_answer_keeps_the_desktop_page_short(browser, server: dict) -> None:  # type: ignore[no-untyped-def]
    for question in ("What is the boiling point of mercury?", "Какие клетки вырабатывают IL-6 в условиях стресса?"):
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(server["url"])
        page.fill("#qa-question textarea", question)
        page.click("#qa-ask")
        page.wait_for_selector("#qa-sources .qa-source", timeout=120_000)
        page.wait_for_timeout(500)
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height <= DESKTOP_MAX, (question, height)
        page.close()


def test_a_citation_scrolls_its_card_into_the_sources_column(browser, server: dict) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server["url"])
    page.fill("#qa-question textarea", "Какие клетки вырабатывают IL-6 в условиях стресса?")
    page.click("#qa-ask")
    page.wait_for_selector("#qa-sources .qa-source", timeout=120_000)
    markers = page.locator("#qa-chat a[href^='#qa-source-']")
    markers.last.click()
    page.wait_for_selector("#qa-sources .qa-source.qa-flash")
    page.wait_for_timeout(800)  # the smooth scroll
    in_view = page.evaluate("""() => { const box = document.querySelector('#qa-sources');
        const card = box.querySelector('.qa-source.qa-flash');
        const c = card.getBoundingClientRect(), b = box.getBoundingClientRect();
        return c.top >= b.top - 1 && c.top < b.bottom; }""")
    assert in_view, "the cited card is scrolled into the sources column"
    page.close()
