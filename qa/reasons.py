"""Why qa refuses a question or a file: one English vocabulary (what the CLI, the JSON and the index's
list of skipped files say) and the key each reason is translated by on the page.

A reason is kept as English text, also in an index built long ago; ``parse`` reads such a text back
into its key and values, so the page can say it in the reader's language (the languages' labels
``reason_<key>``, with the same ``{values}``). A text no template fits (a library's own message) is
shown as it is.
"""

from __future__ import annotations

import re
from functools import lru_cache

REASONS: dict[str, str] = {
    "question_not_text": "the question must be text",
    "question_empty": "the question is empty",
    "question_no_letters": "the question has no letters or digits",
    "question_repeats": "the question is not text in any language (too few different letters)",
    "question_symbols": "the question is not readable text (bytes of another encoding?)",
    "empty": "empty file",
    "no_text": "no text in it",
    "no_passages": "no text",
    "symlink_loop": "symlink loop",
    "broken_link": "broken link or unreadable path",
    "outside_link": "symlink to a file outside the corpus",
    "ocr_missing": "OCR needs Tesseract: apt-get install {packages}",
    "ocr_models_missing": "OCR needs the Tesseract models: apt-get install {packages}",
    "too_large": "larger than {mb} MB",
    "unsupported_type": "unsupported type {suffix}",
    "unsupported_upload": "unsupported type (allowed: {allowed})",
    "unreadable": "unreadable: {detail}",
    "unreadable_upload": "unreadable upload ({detail})",
    "binary": "binary file, not text",
    "unknown_encoding": "undetectable text encoding",
    "undecodable": "undecodable as {encoding}",
    "broken_text": "broken {codec} text",
    "encrypted_pdf": "encrypted PDF (needs a password)",
    "encrypted_pdf_because": "encrypted PDF ({detail})",
    "too_many_pages": "more than {pages} pages",
    "pdf_stream_limit": "a PDF stream unpacks past pypdf's limit ({detail})",
    "too_much_text": "more than {chars} characters of text",
    "no_text_because": "no text: {detail}",
    "pdf_no_text_ocr": "PDF has no text, even by OCR",
    "pdf_no_text": "PDF has no extractable text (scanned image?)",
    "image_needs_ocr": "an image needs OCR, which is turned off",
    "image_no_text": "no text found in the image by OCR",
    "not_word": "not a Word document (a zip archive without {part})",
    "corrupt_word": "corrupt Word document (not a zip archive)",
    "word_too_large": "Word document unpacks to more than {mb} MB",
    "needs_memory": "{kind} needs more memory to extract than allowed",
    "nested": "{kind} is nested too deeply to read",
    "corrupt": "corrupt {kind} ({detail})",
    "extraction_timeout": "extraction took longer than {seconds} s",
    "extractor_stopped": "the extractor stopped on this file (exit code {code}): it may need more than {mb} MB",
    "ocr_timeout": "OCR took longer than {seconds} s",
    "ocr_failed": "OCR failed ({detail})",
    "ocr_not_cached": "page not in the OCR cache",
    "not_image": "not a readable PNG, JPEG or TIFF image",
    "image_too_large": "image larger than {pixels} pixels",
    "ocr_too_many_pages": "more than {pages} pages to read by OCR",
    "not_in_corpus": "not a file of the corpus: {source}",
    "no_such_file": "no such file in the corpus: {source}",
}


def reason(key: str, **values: object) -> str:
    """The English text of reason ``key`` with its values."""
    return REASONS[key].format(**values)


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    """Each template as a pattern, the most literal first: "corrupt Word document (not a zip
    archive)" is that reason, not "corrupt {kind} ({detail})". Values match as little as they can,
    so a library's message with brackets stays whole in the last value."""
    def pattern(template: str) -> re.Pattern[str]:
        parts = re.split(r"\{(\w+)\}", template)
        return re.compile("".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts)),
                          re.DOTALL)

    def literal(template: str) -> int:
        return len(re.sub(r"\{\w+\}", "", template))

    ordered = sorted(REASONS.items(), key=lambda item: -literal(item[1]))
    return [(key, pattern(template)) for key, template in ordered]


def parse(text: str) -> tuple[str, dict[str, str]] | None:
    """(key, values) of a reason's English text, or None for a text no template fits."""
    for key, pattern in _patterns():
        found = pattern.fullmatch(text)
        if found:
            return key, found.groupdict()
    return None


def translate(text: str, labels: dict[str, str]) -> str:
    """``text`` in the words of ``labels`` (a page's labels) when it is a known reason they translate."""
    parsed = parse(text)
    if parsed is None or f"reason_{parsed[0]}" not in labels:
        return text
    key, values = parsed
    # A value may itself be a reason ("no text: OCR took longer than 30 s").
    return labels[f"reason_{key}"].format(**{name: translate(value, labels) for name, value in values.items()})
