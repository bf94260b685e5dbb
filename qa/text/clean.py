"""Undo PDF-extraction artifacts while keeping a map from every cleaned character to the original.

PDF-extracted text has a blank line after every line, words hyphenated at line ends, and
mixed-script tokens (Cyrillic look-alikes inside Latin acronyms: ``МАPК``). Cleaning joins lines
into paragraphs, removes end-of-line hyphenation (but not in ``IL-6`` or ``NT-proBNP``) and repairs
mixed-script tokens. ``origin[i]`` is the index in the original text of cleaned character ``i``,
so any cleaned span maps back to ``original[start:end]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.text.scripts import CYRILLIC
from qa.text.tokens import ALNUM

# Cyrillic letters that render like Latin ones; used to repair mixed-script tokens.
CYRILLIC_TO_LATIN = str.maketrans(
    "АВЕКМНОРСТХІЈЅаеорсхуіјѕԁ",
    "ABEKMHOPCTXIJSaeopcxyijsd",
)
LATIN_TO_CYRILLIC = str.maketrans("ABEKMHOPCTXaeopcxy", "АВЕКМНОРСТХаеорсху")
_LATIN = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class CleanText:
    text: str
    origin: list[int]  # len(text) entries: original index of each cleaned character

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) covering cleaned [start, end)."""
        if end <= start:
            at = self.origin[start] if start < len(self.origin) else (self.origin[-1] + 1 if self.origin else 0)
            return at, at
        return self.origin[start], self.origin[end - 1] + 1


def repair_mixed_script(word: str) -> str:
    """``МАPК`` → ``MAPK``: in a token mixing scripts, Cyrillic look-alikes become Latin.

    Only when every Cyrillic letter has a Latin twin, so genuine words are never altered
    (``ILЛ-6`` keeps its stray ``Л``; folding for search handles it)."""
    if not (_LATIN.search(word) and CYRILLIC.search(word)):
        return word
    folded = word.translate(CYRILLIC_TO_LATIN)
    return folded if not CYRILLIC.search(folded) else word


def _is_double_spaced(lines: list[str]) -> bool:
    """PDF extraction here puts a blank line after every text line."""
    text_lines = [i for i, line in enumerate(lines[:-1]) if line.strip()]
    if len(text_lines) < 4:
        return False
    followed_by_blank = sum(1 for i in text_lines if not lines[i + 1].strip())
    return followed_by_blank / len(text_lines) > 0.6


def clean(original: str) -> CleanText:
    lines = original.split("\n")
    double_spaced = _is_double_spaced(lines)
    paragraph_gap = 2 if double_spaced else 1  # blank lines that end a paragraph
    out: list[str] = []
    origin: list[int] = []
    pos = 0
    blank_run = 0
    words = _word_counts(original)
    ended = 0  # where the last line with text ended (its newline)
    for line in lines:
        line_start = pos
        pos += len(line) + 1
        stripped = line.strip()
        if not stripped:
            blank_run += 1
            continue
        lead = line_start + (len(line) - len(line.lstrip()))
        if out:
            if blank_run >= paragraph_gap:  # the paragraph break: the first newline and the last
                out += "\n\n"
                origin += [ended, line_start - 1]
            else:
                _join(out, origin, stripped, words, line_start - 1)
        blank_run = 0
        for offset, ch in enumerate(stripped):
            out.append(ch)
            origin.append(lead + offset)
        ended = line_start + len(line)
    text = "".join(out)
    text = ALNUM.sub(lambda m: repair_mixed_script(m.group()), text)  # same length: offsets hold
    return CleanText(text, origin)


def _append(out: list[str], origin: list[int], chars: str, at: int) -> None:
    for ch in chars:
        out.append(ch)
        origin.append(at)


def _join(out: list[str], origin: list[int], next_line: str, words: dict[str, int], at: int) -> None:
    """Join a soft line break: dehyphenate a split word, keep acronym hyphens, else a space."""
    if out[-1] in "-\u00ad" and len(out) >= 2:
        tail = re.search(r"(\w+)[-\u00ad]$", "".join(out[-40:]))
        head = re.match(r"\w+", next_line)
        if tail and head:
            left, right = tail.group(1), head.group()
            split_word = left[-1].islower() and right[0].islower()
            # Keep a real compound (``beta-blockers``) that the text spells with a hyphen elsewhere.
            compound = words.get(f"{left}-{right}".lower(), 0) > words.get(f"{left}{right}".lower(), 0)
            if split_word and not compound:
                out.pop()
                origin.pop()
            return  # IL-|6, NT-|proBNP: keep the hyphen, no space
    _append(out, origin, " ", at)


def _word_counts(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for match in re.finditer(r"\w+(?:-\w+)*", text.lower()):
        counts[match.group()] = counts.get(match.group(), 0) + 1
    return counts
