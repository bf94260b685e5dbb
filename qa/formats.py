"""File bytes → text, one extractor per format (plain text, PDF, Word, HTML).

Every extractor returns ``Extracted``: the text all citation offsets refer to, and for PDFs the
offset at which each page starts (so a citation can name its page). Text formats keep the decoded
file itself; the others keep the text extracted from them (README: "What offsets refer to").
Failures raise ``qa.errors.ExtractionError`` with a reason fit for the index summary.
"""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from qa.errors import ExtractionError

TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".text"})
PDF_SUFFIXES = frozenset({".pdf"})
DOCX_SUFFIXES = frozenset({".docx"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | PDF_SUFFIXES | DOCX_SUFFIXES | HTML_SUFFIXES
PAGE_BREAK = "\n\f\n"  # between PDF pages: a paragraph break the cleaner understands


_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


@dataclass(frozen=True)
class Extracted:
    text: str
    page_starts: tuple[int, ...] = ()  # PDFs: offset in ``text`` where page 1, 2, … begins


def decode(data: bytes) -> str:
    """A byte-order mark decides first (UTF-8/16/32), then strict UTF-8; else charset-normalizer
    (cp1251, koi8-r, UTF-16 without BOM, …). NUL bytes outside UTF-16/32 text mean binary."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                raise ExtractionError(f"broken {codec.upper()} text") from exc
    if b"\x00" not in data[:4096]:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:1_000_000]).best()
    if best is None:
        raise ExtractionError("binary file" if b"\x00" in data[:4096] else "undetectable text encoding")
    if b"\x00" in data[:4096] and not best.encoding.startswith("utf_16") and not best.encoding.startswith("utf_32"):
        raise ExtractionError("binary file")
    try:
        text = data.decode(best.encoding)
    except UnicodeDecodeError as exc:
        raise ExtractionError(f"undecodable as {best.encoding}") from exc
    printable = sum(ch.isprintable() or ch.isspace() for ch in text[:20_000])
    if printable < 0.95 * min(len(text), 20_000):
        raise ExtractionError("binary file")
    return text


def extract_text(data: bytes) -> Extracted:
    return Extracted(decode(data))


def extract_pdf(data: bytes) -> Extracted:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # malformed-but-readable files warn a lot
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionError("encrypted PDF")
        pages = [page.extract_text() or "" for page in reader.pages]
    except ExtractionError:
        raise
    except (PdfReadError, OSError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise ExtractionError(f"corrupt PDF ({type(exc).__name__})") from exc
    text_parts, starts, at = [], [], 0
    for number, page in enumerate(pages):
        if number:
            text_parts.append(PAGE_BREAK)
            at += len(PAGE_BREAK)
        starts.append(at)
        text_parts.append(page)
        at += len(page)
    text = "".join(text_parts)
    if not text.strip():
        raise ExtractionError("PDF has no extractable text (scanned image?)")
    return Extracted(text, tuple(starts))


def extract_docx(data: bytes) -> Extracted:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ExtractionError(f"corrupt Word document ({type(exc).__name__})") from exc
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


def extract_html(data: bytes) -> Extracted:
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

    def walk(node) -> None:  # type: ignore[no-untyped-def]
        for child in node.iter(include_text=True):
            if child.tag == "-text":
                line.append(child.text_content or "")
            elif child.tag in _HTML_BLOCKS:
                flush()
                walk(child)
                flush()
            else:
                walk(child)

    walk(root)
    flush()
    return Extracted("\n\n".join(blocks))


EXTRACTORS: dict[str, Callable[[bytes], Extracted]] = {
    **{s: extract_text for s in TEXT_SUFFIXES},
    **{s: extract_pdf for s in PDF_SUFFIXES},
    **{s: extract_docx for s in DOCX_SUFFIXES},
    **{s: extract_html for s in HTML_SUFFIXES},
}


def extract(suffix: str, data: bytes) -> Extracted:
    """The extractor for a file suffix (lower-case, with the dot)."""
    extractor = EXTRACTORS.get(suffix)
    if extractor is None:
        raise ExtractionError(f"unsupported type {suffix or '(none)'}")
    return extractor(data)
