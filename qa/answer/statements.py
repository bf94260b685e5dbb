"""What a sentence of a passage is to the answer: a statement, or a run-in heading or a date stamp
(never quoted); and how many quoted sentences make the lead statement (qa.languages.anaphora)."""

from __future__ import annotations

import re

from qa.languages import ACRONYM
from qa.languages.anaphora import ANAPHOR
from qa.text.tokens import TERM

MAX_HEADING_WORDS = 10
_ACRONYM = re.compile(rf"^{ACRONYM}$")
# A date stamp a web page or an export puts on a line of its own ("Generated Sep 04, 2025"), which the
# sentence splitter joins to the sentence after it: metadata, never quoted.
_STAMP = re.compile(
    r"(?:(?:Generated|Published|Updated|Received|Accepted|Posted|Retrieved|Downloaded)(?:\s+on)?:?\s+)?"
    r"(?:\d{1,2}\s+)?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+"
    r"(?:19|20)\d\d\s+(?=[A-Z])"
)


def is_heading(text: str, span: tuple[int, int]) -> bool:
    """A run-in heading the splitter takes for a sentence ("Translational and Clinical Perspectives.
    It would be…"; the chunk's text has lost the line break before it): a few words, every one of
    four letters or more in title case (an abbreviation aside). It names a section, states nothing,
    and is never quoted. A warning in capitals, a "Manufacturer: …" line or a table row is no heading."""
    sentence = text[span[0] : span[1]]
    if any(mark in sentence for mark in ":|"):
        return False
    words = TERM.findall(sentence)
    long = [word for word in words if len(word) >= 4 and not _ACRONYM.match(word)]
    return len(words) <= MAX_HEADING_WORDS and len(long) >= 2 and all(
        word[0].isupper() and not word[1:].isupper() for word in long)


def statement(text: str, span: tuple[int, int], min_chars: int) -> tuple[int, int] | None:
    """The sentence at ``span`` without a leading date stamp; None for a heading or a fragment
    shorter than ``min_chars``: they state nothing, and are never quoted."""
    span = _past_stamp(text, span)
    return None if span[1] - span[0] < min_chars or is_heading(text, span) else span


def _past_stamp(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """The sentence without a leading date stamp."""
    stamp = _STAMP.match(text, span[0], span[1])
    return (stamp.end(), span[1]) if stamp else span


def lead_size(texts: list[str]) -> int:
    """How many quoted sentences make the lead statement: two when the second points back to the first."""
    return 2 if len(texts) > 1 and ANAPHOR.match(texts[1]) else 1
