"""A PDF page as an image, with the cited sentences marked: what a reader checks a PDF citation
against. Runs inside the extraction sandbox (qa.sandbox), like every other parse of a corpus file.

pypdfium2 (PDFium's bindings; BSD-3-Clause / Apache-2.0) renders the page and gives each
character's box. PyMuPDF renders as well but is AGPL, which an MIT project cannot ship.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

WIDTH = 900  # pixels: legible on a desktop panel, light enough to send (~100-200 KB of PNG)
MARK = (253, 230, 138)  # the page's <mark> yellow, multiplied in: black text stays black
_MIN_PART = 24  # characters: a sentence split over two pages is marked by halves at least this long


def _alnum(text: str) -> tuple[str, list[int]]:
    """Letters and digits only, lower-cased, each with its index in ``text``: PDF text and the
    indexed text differ in line breaks, hyphenation and spacing, never in letters."""
    kept = [(ch.lower(), i) for i, ch in enumerate(text) if ch.isalnum()]
    return "".join(ch for ch, _ in kept), [i for _, i in kept]


def _find(haystack: str, needle: str) -> list[tuple[int, int]]:
    """Spans of ``haystack`` that hold ``needle``: all of it, or else its two halves (a sentence that
    runs over onto the next page, or that PDF text splits oddly)."""
    if not needle:
        return []
    at = haystack.find(needle)
    if at >= 0:
        return [(at, at + len(needle))]
    if len(needle) < 2 * _MIN_PART:
        return []
    half = len(needle) // 2
    return [span for part in (needle[:half], needle[half:]) for span in _find(haystack, part) if len(part) >= _MIN_PART]


def render(data: bytes, page_number: int, phrases: Sequence[str], width: int = WIDTH) -> bytes:
    """PNG of page ``page_number`` (1-based), each of ``phrases`` found on it marked."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageChops, ImageDraw

    pdf = pdfium.PdfDocument(data)
    try:
        if not 1 <= page_number <= len(pdf):
            raise ValueError(f"the document has no page {page_number}")
        page = pdf[page_number - 1]
        page_width, page_height = page.get_size()
        scale = width / page_width
        image = page.render(scale=scale).to_pil().convert("RGB")
        text_page = page.get_textpage()
        letters, positions = _alnum(text_page.get_text_range())
        overlay = Image.new("RGB", image.size, (255, 255, 255))
        draw = ImageDraw.Draw(overlay)
        for phrase in phrases:
            for start, end in _find(letters, _alnum(phrase)[0]):
                first, last = positions[start], positions[end - 1]
                for i in range(text_page.count_rects(first, last - first + 1)):
                    left, bottom, right, top = text_page.get_rect(i)
                    draw.rectangle((left * scale - 1, (page_height - top) * scale - 1,
                                    right * scale + 1, (page_height - bottom) * scale + 1), fill=MARK)
        out = io.BytesIO()
        ImageChops.multiply(image, overlay).save(out, format="PNG")
        return out.getvalue()
    finally:
        pdf.close()
