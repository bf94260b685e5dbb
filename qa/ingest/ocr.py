"""Text from page images: scanned PDF pages and uploaded images, read by Tesseract.

Debian packages Tesseract and its English, Russian, Uzbek (Latin) and Uzbek Cyrillic models; one run
with all four (``LimitSettings.ocr_languages``, Uzbek Cyrillic first) reads every variant with a
character error rate of about 1% (bench/ocr.py), so a page needs no language guess before it is read. Tesseract
is called directly rather than through OCRmyPDF: qa needs the words and their boxes (TSV output, so
"Show in the document" can mark a cited sentence on the image), not a new PDF, and a direct call
has a per-page time limit of its own.

Each page read is cached by the file's content hash, the page number and the OCR settings: indexing
an unchanged file again, the context view and the page view never run Tesseract twice. Reading runs
inside the extraction sandbox (qa.ingest.sandbox), like every other parse of a corpus file; the server's
own process (the context view) reads the cache only (``LimitSettings.ocr_cache_only``), so it
gets the very text that was indexed, and never runs Tesseract or decodes an image.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from qa.errors import ExtractionError
from qa.reasons import reason
from qa.settings import LimitSettings

if TYPE_CHECKING:
    from PIL import Image

PACKAGES = {"eng": "tesseract-ocr-eng", "rus": "tesseract-ocr-rus", "uzb": "tesseract-ocr-uzb",
            "uzb_cyrl": "tesseract-ocr-uzb-cyrl"}
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff"})
MIN_TEXT_LAYER = 16  # letters and digits: a PDF page with fewer has no text layer worth keeping (a scan)
_PARAGRAPH, _LINE = "\n\n", "\n"
# Pages read by OCR so far, of how many to read: the build shows it (and keeps the sandbox's clock going).
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class OcrPage:
    """One page as Tesseract read it. ``words``: each word's span in ``text`` and its box as
    fractions of the page's width and height (left, top, right, bottom), for marking at any size."""

    text: str
    words: tuple[tuple[int, int, float, float, float, float], ...] = ()


@lru_cache(maxsize=4)
def missing(languages: str) -> str | None:
    """Why Tesseract cannot read ``languages`` here (naming the Debian package to install), or None."""
    if shutil.which("tesseract") is None:
        return reason("ocr_missing", packages=" ".join(["tesseract-ocr", *PACKAGES.values()]))
    listed = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30).stdout.split()
    absent = [code for code in languages.split("+") if code not in listed]
    if absent:
        return reason("ocr_models_missing", packages=" ".join(PACKAGES.get(c, c) for c in absent))
    return None


def parse_tsv(tsv: str) -> OcrPage:
    """Words in reading order: a space between words, a line break between lines, a blank line
    between paragraphs (the cleaner joins a paragraph's lines and undoes hyphenation, as for PDFs)."""
    rows = [line.split("\t") for line in tsv.splitlines()[1:]]
    size = next(((float(r[8]), float(r[9])) for r in rows if len(r) == 12 and r[0] == "1"), None)
    if size is None or not size[0] or not size[1]:
        return OcrPage("")
    width, height = size
    parts: list[str] = []
    words: list[tuple[int, int, float, float, float, float]] = []
    at, last = 0, None
    for row in rows:
        if len(row) != 12 or row[0] != "5" or not row[11].strip():
            continue
        place = (row[2], row[3], row[4])  # block, paragraph, line
        if last is not None:
            gap = " " if place == last else _LINE if place[:2] == last[:2] else _PARAGRAPH
            parts.append(gap)
            at += len(gap)
        left, top, w, h = (float(value) for value in row[6:10])
        word = row[11].strip()
        words.append((at, at + len(word), left / width, top / height, (left + w) / width, (top + h) / height))
        parts.append(word)
        at += len(word)
        last = place
    return OcrPage("".join(parts), tuple(words))


def read_image(png: bytes, limits: LimitSettings) -> OcrPage:
    """One page image (PNG bytes) read by Tesseract within the per-page time limit."""
    try:
        done = subprocess.run(
            ["tesseract", "stdin", "stdout", "-l", limits.ocr_languages, "--psm", "3", "tsv"],
            input=png, capture_output=True, timeout=limits.ocr_page_seconds,
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},  # one page per core; the sandbox runs one file at a time
        )
    except subprocess.TimeoutExpired:
        raise ExtractionError(reason("ocr_timeout", seconds=limits.ocr_page_seconds)) from None
    if done.returncode != 0:
        detail = " ".join(done.stderr.decode("utf-8", "replace").split())[:160]
        raise ExtractionError(reason("ocr_failed", detail=detail or f"exit code {done.returncode}"))
    return parse_tsv(done.stdout.decode("utf-8", "replace"))


def _cache_file(file_hash: str, page: int, limits: LimitSettings) -> Path:
    # What was read depends on the models asked for and the resolution, not on whether Tesseract is
    # installed now: a cached page is read back even where it is not.
    key = hashlib.sha256(f"{limits.ocr_languages}|{limits.ocr_dpi}".encode()).hexdigest()[:12]
    folder = Path(limits.ocr_cache) if limits.ocr_cache else Path.home() / ".cache" / "qa" / "ocr"
    return folder / f"{file_hash}-{page}-{key}.json"


def cached(file_hash: str, page: int, limits: LimitSettings) -> OcrPage | None:
    try:
        data = json.loads(_cache_file(file_hash, page, limits).read_text(encoding="utf-8"))
        return OcrPage(data["text"], tuple(tuple(word) for word in data["words"]))  # type: ignore[misc]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _store(file_hash: str, page: int, limits: LimitSettings, result: OcrPage) -> None:
    path = _cache_file(file_hash, page, limits)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp", encoding="utf-8") as out:
            json.dump({"text": result.text, "words": result.words}, out, ensure_ascii=False)
        os.replace(out.name, path)  # whole or absent: a reader never sees half a page
    except OSError:
        pass  # a read-only cache costs time on the next build, never the text


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_page(render: Callable[[], bytes], file_hash: str, page: int, limits: LimitSettings) -> OcrPage:
    """Page ``page`` (1-based) of the file with ``file_hash``: from the cache, or ``render``ed (only
    then) and read now."""
    found = cached(file_hash, page, limits)
    if found is not None:
        return found
    if limits.ocr_cache_only:
        raise ExtractionError(reason("ocr_not_cached"))
    absent = missing(limits.ocr_languages)
    if absent:
        raise ExtractionError(absent)
    result = read_image(render(), limits)
    _store(file_hash, page, limits, result)
    return result


IMAGE_FORMATS = ("PNG", "JPEG", "TIFF")  # what the suffixes promise: no other decoder (EPS → Ghostscript)


def open_image(data: bytes) -> Image.Image:
    """An image file, refused unless it is PNG, JPEG or TIFF and within Pillow's pixel limit."""
    import warnings

    from PIL import Image, UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)  # refuse, not only warn
        try:
            return Image.open(io.BytesIO(data), formats=IMAGE_FORMATS)
        except UnidentifiedImageError:
            raise ExtractionError(reason("not_image")) from None
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise ExtractionError(reason("image_too_large", pixels=f"{Image.MAX_IMAGE_PIXELS:,}")) from None


def image_frames(data: bytes) -> tuple[int, Callable[[int], bytes]]:
    """How many frames an image file has (a TIFF may hold several pages), and a function giving
    frame n (1-based) as a greyscale PNG, upright as the camera's orientation tag says; each frame is
    decoded only when asked for."""
    with open_image(data) as image:
        count = getattr(image, "n_frames", 1)

    def frame(number: int) -> bytes:
        from PIL import ImageOps

        with open_image(data) as image:
            image.seek(number - 1)
            upright = ImageOps.exif_transpose(image.convert("L"))
            out = io.BytesIO()
            upright.save(out, format="PNG")
            return out.getvalue()

    return count, frame


def read_pages(renders: dict[int, Callable[[], bytes]], file_hash: str, limits: LimitSettings,
                 progress: Progress | None) -> tuple[dict[int, str], tuple[tuple[int, str], ...]]:
    """OCR text of each page in ``renders`` (page → its image, rendered on demand: a cached page is
    not rendered); a page that fails is left out with its reason."""
    if len(renders) > limits.ocr_max_pages:
        raise ExtractionError(reason("ocr_too_many_pages", pages=limits.ocr_max_pages))
    texts, problems = {}, []
    for done, (page, render) in enumerate(sorted(renders.items()), 1):
        try:
            texts[page] = read_page(render, file_hash, page, limits).text
        except ExtractionError as exc:
            problems.append((page, str(exc)))
        except Exception as exc:  # noqa: BLE001 (a page that cannot be rendered is that page's problem)
            problems.append((page, f"the page cannot be rendered ({type(exc).__name__})"))
        if progress:
            progress(done, len(renders))
    return texts, tuple(problems)


def pdf_page_image(data: bytes, page: int, dpi: int) -> Callable[[], bytes]:
    def render() -> bytes:
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(data)
        try:
            image = pdf[page - 1].render(scale=dpi / 72, grayscale=True).to_pil()
            out = io.BytesIO()
            image.save(out, format="PNG")
            return out.getvalue()
        finally:
            pdf.close()

    return render
