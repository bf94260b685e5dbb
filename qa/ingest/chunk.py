"""Cleaned document → sentences → language sections → overlapping sentence-aware chunks.

Each chunk keeps its source, original character span, line range, language and script, and the
sentence spans inside its readable text (the answer step extracts whole sentences).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from qa.languages import LANGUAGES
from qa.languages.detect import detect, script_of
from qa.settings import Settings
from qa.text.clean import CleanText, clean
from qa.text.tokens import TWO_LETTERS
from qa.types import Chunk, Document

# A sentence ends at . ! ? … (optionally closed by quotes/brackets) before a capital, digit,
# quote or bracket; paragraph breaks always end one. Abbreviations below never end a sentence.
_CAPITALS = "".join(dict.fromkeys(entry.capitals for entry in LANGUAGES.values()))  # each language's
_BOUNDARY = re.compile(rf"(?<=[.!?…])[\"»”’)\]]*\s+(?=[\"«“(\[]?[{_CAPITALS}0-9])|\n\s*\n")
_ABBREVIATIONS = re.compile(
    r"(?:\b(?:et al|e\.g|i\.e|vs|Fig|Figs|Dr|No|approx|cf|Ref|Eq|т\.е|т\.д|т\.п|др|см|рис|им)\.|\b[A-ZА-Я]\.)$"
)
# Recorded in the index manifest: a change in how text is cut re-chunks every file (vectors of
# chunks whose text is unchanged are reused).
CHUNKER_VERSION = 5
_SHORT = 60  # a sentence this short is too little evidence for its own language


@dataclass(frozen=True)
class Sentence:
    start: int  # cleaned-text offsets
    end: int
    language: str
    script: str


def split_sentences(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        candidate = text[start : match.start()].rstrip()
        if match.group().strip() == "" and "\n\n" not in match.group() and _ABBREVIATIONS.search(candidate):
            continue
        _add_span(text, start, match.start(), spans)
        start = match.end()
    _add_span(text, start, len(text), spans)
    return spans


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def label_sentences(text: str) -> list[Sentence]:
    """Detect each sentence's language; short ones follow their neighbour in the same script."""
    sentences: list[Sentence] = []
    for start, end in split_sentences(text):
        previous = sentences[-1] if sentences else None
        script = script_of(text[start:end])
        if previous and end - start < _SHORT and previous.script == script:
            language = previous.language  # inherited: no need to run detection at all
        else:
            language, script = detect(text[start:end], second_opinion=False)
        sentences.append(Sentence(start, end, language, script))
    # A short opener (a heading such as "Резюме.") after a script change follows what comes next.
    for i in range(len(sentences) - 1):
        s, after = sentences[i], sentences[i + 1]
        before = sentences[i - 1] if i else None
        if s.end - s.start < _SHORT and (before is None or before.script != s.script) and after.script == s.script:
            sentences[i] = Sentence(s.start, s.end, after.language, s.script)
    # A list number ("1."), a stray "." or a short Latin name inside Russian text is no language
    # section of its own: as one, it became a tiny chunk whose near-average vector matched every
    # question. It joins its neighbours when they agree, or the previous one when it has no words.
    for i, current in enumerate(sentences):
        previous = sentences[i - 1] if i else None
        following = sentences[i + 1] if i + 1 < len(sentences) else None
        wordless = not TWO_LETTERS.search(text[current.start : current.end])
        short = current.end - current.start < _SHORT
        if previous and (wordless or (short and following and _label(previous) == _label(following))):
            sentences[i] = Sentence(current.start, current.end, previous.language, previous.script)
        elif wordless and following:
            sentences[i] = Sentence(current.start, current.end, following.language, following.script)
    return sentences


def _label(sentence: Sentence) -> tuple[str, str]:
    return sentence.language, sentence.script


def sections(sentences: list[Sentence]) -> Iterator[list[Sentence]]:
    """Maximal runs of sentences sharing language and script."""
    run: list[Sentence] = []
    for sentence in sentences:
        if run and (sentence.language, sentence.script) != (run[0].language, run[0].script):
            yield run
            run = []
        run.append(sentence)
    if run:
        yield run


def _pieces(section: list[Sentence], text: str, limit: int) -> list[tuple[int, int]]:
    """Sentence spans, with any sentence longer than ``limit`` cut at whitespace."""
    out: list[tuple[int, int]] = []
    for s in section:
        start = s.start
        while s.end - start > limit:
            cut = text.rfind(" ", start + limit // 2, start + limit)
            cut = cut if cut > start else start + limit
            out.append((start, cut))
            start = cut + 1 if text[cut : cut + 1] == " " else cut
        out.append((start, s.end))
    return out


def chunk_document(doc: Document, settings: Settings) -> list[Chunk]:
    cleaned = clean(doc.text)
    line_starts = [0] + [i + 1 for i, ch in enumerate(doc.text) if ch == "\n"]
    chunks: list[Chunk] = []
    for section in _by_page(sections(label_sentences(cleaned.text)), doc, cleaned):
        pieces = _pieces(section, cleaned.text, settings.chunking.max)
        first = 0
        while first < len(pieces):
            last = first
            while (
                last + 1 < len(pieces)
                and pieces[last][1] - pieces[first][0] < settings.chunking.target
                and pieces[last + 1][1] - pieces[first][0] <= settings.chunking.max
            ):
                last += 1
            chunks.append(_make_chunk(doc, cleaned, line_starts, pieces[first : last + 1], section[0]))
            if last + 1 >= len(pieces):
                break
            first = max(first + 1, last + 1 - settings.chunking.overlap_sentences)
    return chunks


def _by_page(runs: Iterator[list[Sentence]], doc: Document, cleaned: CleanText) -> Iterator[list[Sentence]]:
    """PDF sections are cut at page breaks, so every chunk (and its citation) sits on one page."""
    for run in runs:
        if not doc.page_starts:
            yield run
            continue
        part: list[Sentence] = []
        for sentence in run:
            page = doc.page_at(cleaned.origin[sentence.start])
            if part and page != doc.page_at(cleaned.origin[part[0].start]):
                yield part
                part = []
            part.append(sentence)
        if part:
            yield part


def _make_chunk(
    doc: Document, cleaned: CleanText, line_starts: list[int], pieces: list[tuple[int, int]], first: Sentence
) -> Chunk:
    cs, ce = pieces[0][0], pieces[-1][1]
    start, end = cleaned.original_span(cs, ce)
    return Chunk(
        source=doc.source,
        start=start,
        end=end,
        line_start=bisect.bisect_right(line_starts, start),
        line_end=bisect.bisect_right(line_starts, max(start, end - 1)),
        language=first.language,
        script=first.script,
        text=cleaned.text[cs:ce],
        sentences=tuple((s - cs, e - cs) for s, e in pieces),
        page=doc.page_at(start),
        ocr=doc.page_at(start) in doc.ocr_pages,
    )
