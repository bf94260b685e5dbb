"""A PDF page or an image file as an image, with the cited sentences marked: what a reader checks a
citation against. Runs inside the extraction sandbox (qa.ingest.sandbox), like every other parse of a
corpus file. Text-layer pages are marked from PDFium's character boxes; pages read by OCR (scans,
images) from the word boxes Tesseract gave (qa.ingest.ocr's cache).

pypdfium2 (PDFium's bindings; BSD-3-Clause / Apache-2.0) renders the page and gives each
character's box. PyMuPDF renders as well but is AGPL, which an MIT project cannot ship.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from qa.ingest.ocr import IMAGE_SUFFIXES, MIN_TEXT_LAYER, OcrPage, cached, open_image, sha256
from qa.settings import LimitSettings

if TYPE_CHECKING:
    from PIL import Image

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


def _ocr_marks(page: OcrPage | None, phrases: Sequence[str], size: tuple[int, int]) -> list[tuple[float, ...]]:
    """Boxes (pixels of an image of ``size``) of the OCR words that hold each phrase."""
    if page is None:
        return []
    letters, positions = _alnum(page.text)
    boxes: list[tuple[float, ...]] = []
    for phrase in phrases:
        for start, end in _find(letters, _alnum(phrase)[0]):
            first, last = positions[start], positions[end - 1]
            boxes += [(left * size[0] - 1, top * size[1] - 1, right * size[0] + 1, bottom * size[1] + 1)
                      for a, b, left, top, right, bottom in page.words if a <= last and b > first]
    return boxes


def _marked(image: Image.Image, boxes: list[tuple[float, ...]]) -> bytes:
    from PIL import Image, ImageChops, ImageDraw

    overlay = Image.new("RGB", image.size, (255, 255, 255))
    draw = ImageDraw.Draw(overlay)
    for box in boxes:
        draw.rectangle(box, fill=MARK)
    out = io.BytesIO()
    ImageChops.multiply(image, overlay).save(out, format="PNG")
    return out.getvalue()


def render(data: bytes, page_number: int, phrases: Sequence[str], suffix: str = ".pdf",
           limits: LimitSettings | None = None, width: int = WIDTH) -> bytes:
    """PNG of page ``page_number`` (1-based; an image file's frame), each of ``phrases`` found on it marked."""
    limits = limits or LimitSettings()
    if suffix in IMAGE_SUFFIXES:
        return _render_image(data, page_number, phrases, limits, width)
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        if not 1 <= page_number <= len(pdf):
            raise ValueError(f"the document has no page {page_number}")
        page = pdf[page_number - 1]
        page_width, page_height = page.get_size()
        scale = width / page_width
        image = page.render(scale=scale).to_pil().convert("RGB")
        text_page = page.get_textpage()
        text = text_page.get_text_range()
        letters, positions = _alnum(text)
        if len(letters) < MIN_TEXT_LAYER:  # a scan: its words are where OCR found them
            return _marked(image, _ocr_marks(cached(sha256(data), page_number, limits), phrases, image.size))
        boxes: list[tuple[float, ...]] = []
        for phrase in phrases:
            for start, end in _find(letters, _alnum(phrase)[0]):
                first, last = positions[start], positions[end - 1]
                for i in range(text_page.count_rects(first, last - first + 1)):
                    left, bottom, right, top = text_page.get_rect(i)
                    boxes.append((left * scale - 1, (page_height - top) * scale - 1,
                                  right * scale + 1, (page_height - bottom) * scale + 1))
        return _marked(image, boxes)
    finally:
        pdf.close()


def _render_image(data: bytes, frame: int, phrases: Sequence[str], limits: LimitSettings, width: int) -> bytes:
    from PIL import ImageOps

    with open_image(data) as picture:
        if not 1 <= frame <= getattr(picture, "n_frames", 1):
            raise ValueError(f"the image has no page {frame}")
        picture.seek(frame - 1)
        image = ImageOps.exif_transpose(picture.convert("RGB"))  # as it was read (qa.ingest.ocr.image_frames)
        image = image.resize((width, max(1, round(image.height * width / image.width))))
        return _marked(image, _ocr_marks(cached(sha256(data), frame, limits), phrases, image.size))
