"""File bytes → text, one extractor per format (plain text, PDF, Word, HTML).

Every extractor returns ``Extracted``: the text all citation offsets refer to, and for PDFs the
offset at which each page starts (so a citation can name its page). Text formats keep the decoded
file itself; the others keep the text extracted from them (README: "What offsets refer to").
Failures raise ``qa.errors.ExtractionError`` with a reason fit for the index summary: ``extract``
turns any failure of a parser (a library's own exception, a recursion or memory limit) into one, so
one bad file is a skip, never the end of a build. Limits (``LimitSettings``) bound what a file may
unpack to; the memory and time a parser may take are bounded by the process it runs in (qa.ingest.sandbox).
"""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from qa.errors import ExtractionError
from qa.ingest import ocr
from qa.reasons import reason
from qa.settings import LimitSettings

TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".text"})
PDF_SUFFIXES = frozenset({".pdf"})
DOCX_SUFFIXES = frozenset({".docx"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
IMAGE_SUFFIXES = ocr.IMAGE_SUFFIXES
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | PDF_SUFFIXES | DOCX_SUFFIXES | HTML_SUFFIXES | IMAGE_SUFFIXES
PAGE_BREAK = "\n\f\n"  # between PDF pages: a paragraph break the cleaner understands


_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


OcrProgress = ocr.Progress


@dataclass(frozen=True)
class Extracted:
    text: str
    page_starts: tuple[int, ...] = ()  # PDFs and images: offset in ``text`` where page 1, 2, … begins
    ocr_pages: tuple[int, ...] = ()  # 1-based pages whose text was read by OCR
    page_problems: tuple[tuple[int, str], ...] = ()  # pages left out, and why (the rest is indexed)


def decode(data: bytes) -> str:
    """A byte-order mark decides first (UTF-8/16/32), then strict UTF-8; else charset-normalizer
    (cp1251, koi8-r, UTF-16 without BOM, …). NUL bytes outside UTF-16/32 text mean binary."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                raise ExtractionError(reason("broken_text", codec=codec.upper())) from exc
    if b"\x00" not in data[:4096]:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:1_000_000]).best()
    if best is None:
        raise ExtractionError(reason("binary" if b"\x00" in data[:4096] else "unknown_encoding"))
    if b"\x00" in data[:4096] and not best.encoding.startswith("utf_16") and not best.encoding.startswith("utf_32"):
        raise ExtractionError(reason("binary"))
    try:
        text = data.decode(best.encoding)
    except UnicodeDecodeError as exc:
        raise ExtractionError(reason("undecodable", encoding=best.encoding)) from exc
    printable = sum(ch.isprintable() or ch.isspace() for ch in text[:20_000])
    if printable < 0.95 * min(len(text), 20_000):
        raise ExtractionError(reason("binary"))
    return text


def extract_text(data: bytes, limits: LimitSettings, progress: OcrProgress | None = None) -> Extracted:
    return Extracted(decode(data))


def _pages(texts: list[str]) -> tuple[str, tuple[int, ...]]:
    parts, starts, at = [], [], 0
    for number, page in enumerate(texts):
        if number:
            parts.append(PAGE_BREAK)
            at += len(PAGE_BREAK)
        starts.append(at)
        parts.append(page)
        at += len(page)
    return "".join(parts), tuple(starts)


def extract_pdf(data: bytes, limits: LimitSettings, progress: OcrProgress | None = None) -> Extracted:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # malformed-but-readable files warn a lot
    try:
        reader = PdfReader(io.BytesIO(data))
        # An empty user password opens most "protected" PDFs: they only restrict printing or copying.
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionError(reason("encrypted_pdf"))
    except (FileNotDecryptedError, DependencyError) as exc:
        raise ExtractionError(reason("encrypted_pdf_because", detail=exc)) from exc
    if len(reader.pages) > limits.max_pages:
        raise ExtractionError(reason("too_many_pages", pages=f"{limits.max_pages:,}"))
    pages: list[str] = []
    total = 0
    for pdf_page in reader.pages:
        try:
            pages.append(pdf_page.extract_text() or "")
        except LimitReachedError as exc:
            raise ExtractionError(reason("pdf_stream_limit", detail=exc)) from exc
        total += len(pages[-1])
        if total > limits.max_chars:  # stop early: the rest of a huge file costs time for nothing
            raise ExtractionError(reason("too_much_text", chars=f"{limits.max_chars:,}"))
    # Pages without a text layer (scans) are read by OCR; pages with one stay as they are.
    scans = [n for n, page in enumerate(pages, 1) if sum(ch.isalnum() for ch in page) < ocr.MIN_TEXT_LAYER]
    problems: tuple[tuple[int, str], ...] = ()
    texts: dict[int, str] = {}
    if scans and limits.ocr:
        renders = {n: ocr.pdf_page_image(data, n, limits.ocr_dpi) for n in scans}
        texts, problems = ocr.read_pages(renders, ocr.sha256(data), limits, progress)
        for n, page_text in texts.items():
            pages[n - 1] = page_text
    text, starts = _pages(pages)
    if not text.strip():
        if problems:
            raise ExtractionError(reason("no_text_because", detail=problems[0][1]))
        raise ExtractionError(reason("pdf_no_text_ocr" if scans and limits.ocr else "pdf_no_text"))
    return Extracted(text, starts, tuple(n for n in sorted(texts) if texts[n].strip()), problems)


def extract_image(data: bytes, limits: LimitSettings, progress: OcrProgress | None = None) -> Extracted:
    """A photo or scan (PNG, JPEG, TIFF, one page per frame), read by OCR."""
    if not limits.ocr:
        raise ExtractionError(reason("image_needs_ocr"))
    count, frame = ocr.image_frames(data)
    texts, problems = ocr.read_pages({n: partial(frame, n) for n in range(1, count + 1)},
                                     ocr.sha256(data), limits, progress)
    text, starts = _pages([texts.get(n, "") for n in range(1, count + 1)])
    if not text.strip():
        raise ExtractionError(problems[0][1] if problems else reason("image_no_text"))
    return Extracted(text, starts, tuple(n for n, t in texts.items() if t.strip()), problems)


def extract_docx(data: bytes, limits: LimitSettings, progress: OcrProgress | None = None) -> Extracted:
    import docx

    # The zip directory says what every part unpacks to: a bomb is refused before any of it is read.
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
            if "word/document.xml" not in archive.namelist():
                raise ExtractionError(reason("not_word", part="word/document.xml"))
    except zipfile.BadZipFile as exc:
        raise ExtractionError(reason("corrupt_word")) from exc
    if unpacked > limits.max_unpacked_mb * 2**20:
        raise ExtractionError(reason("word_too_large", mb=limits.max_unpacked_mb))
    document = docx.Document(io.BytesIO(data))
    blocks = [p.text for p in document.paragraphs]
    for table in document.tables:  # tables after the body text: cells joined row by row
        for row in table.rows:
            blocks.append(" | ".join(cell.text for cell in row.cells))
    return Extracted("\n\n".join(b.strip() for b in blocks if b.strip()))


# Tags whose text is page furniture or code, never the document's content.
_HTML_DROP = ("script", "style", "noscript", "template", "svg", "nav", "header", "footer", "aside", "form",
              "button", "iframe", "head")
_HTML_BLOCKS = frozenset({
    "p", "div", "section", "article", "main", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr",
    "table", "blockquote", "pre", "dd", "dt", "dl", "figcaption", "br", "hr", "td", "th", "title",
})


def extract_html(data: bytes, limits: LimitSettings, progress: OcrProgress | None = None) -> Extracted:
    """Main text: <main>/<article> when the page has one, else <body>, minus navigation and code."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(decode(data))
    for tag in _HTML_DROP:
        for node in tree.css(tag):
            node.decompose()
    root = tree.css_first("main") or tree.css_first("article") or tree.body or tree.root
    if root is None:
        return Extracted("")
    blocks: list[str] = []
    line: list[str] = []

    def flush() -> None:
        joined = " ".join("".join(line).split())
        if joined:
            blocks.append(joined)
        line.clear()

    # Depth-first with an explicit stack: a page nested thousands of tags deep is still just text
    # (a recursive walk hits Python's recursion limit, sooner in a server thread's smaller stack).
    end_of_block = object()
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        if node is end_of_block:
            flush()
            continue
        if node is not root and node.tag == "-text":
            line.append(node.text_content or "")
            continue
        if node is not root and node.tag in _HTML_BLOCKS:
            flush()
            stack.append(end_of_block)
        stack.extend(reversed(list(node.iter(include_text=True))))
    flush()
    return Extracted("\n\n".join(blocks))


EXTRACTORS: dict[str, Callable[[bytes, LimitSettings, OcrProgress | None], Extracted]] = {
    **{s: extract_text for s in TEXT_SUFFIXES},
    **{s: extract_pdf for s in PDF_SUFFIXES},
    **{s: extract_docx for s in DOCX_SUFFIXES},
    **{s: extract_html for s in HTML_SUFFIXES},
    **{s: extract_image for s in IMAGE_SUFFIXES},
}


_KINDS = {**{s: "text" for s in TEXT_SUFFIXES}, **{s: "PDF" for s in PDF_SUFFIXES},
          **{s: "Word document" for s in DOCX_SUFFIXES}, **{s: "HTML" for s in HTML_SUFFIXES},
          **{s: "image" for s in IMAGE_SUFFIXES}}


def extract(suffix: str, data: bytes, limits: LimitSettings | None = None,
            progress: OcrProgress | None = None) -> Extracted:
    """The extractor for a file suffix (lower-case, with the dot), within ``limits``. Whatever goes
    wrong inside a parser becomes an ``ExtractionError`` naming the cause."""
    limits = limits or LimitSettings()
    extractor = EXTRACTORS.get(suffix)
    if extractor is None:
        raise ExtractionError(reason("unsupported_type", suffix=suffix or "(none)"))
    kind = _KINDS[suffix]
    try:
        extracted = extractor(data, limits, progress)
    except ExtractionError:
        raise
    except MemoryError as exc:
        raise ExtractionError(reason("needs_memory", kind=kind)) from exc
    except RecursionError as exc:
        raise ExtractionError(reason("nested", kind=kind)) from exc
    except Exception as exc:  # noqa: BLE001 (any parser failure is this file's problem, not the build's)
        detail = " ".join(str(exc).split())[:160]
        named = type(exc).__name__ + (f": {detail}" if detail else "")
        raise ExtractionError(reason("corrupt", kind=kind, detail=named)) from exc
    if len(extracted.text) > limits.max_chars:
        raise ExtractionError(reason("too_much_text", chars=f"{limits.max_chars:,}"))
    return extracted
