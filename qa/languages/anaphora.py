"""A sentence that points back ("It is produced by macrophages…", "These are the patients where…"):
what it says is in the sentence before it, and it is read, embedded and quoted with that sentence."""

from __future__ import annotations

import re

from qa.languages import alternatives

# A sentence opening with these points back; also after a short opening phrase ("Over time, this
# contributes to…", "However, it…").
ANAPHOR = re.compile(rf"^(?:[^\W\d][^,.;:()]{{0,30}},\s+)?(?:{alternatives('anaphors')})\b", re.I)


def antecedent(text: str, spans: tuple[tuple[int, int], ...], j: int) -> int:
    """The index of the sentence that sentence ``j`` points back to: the nearest one before it that
    does not itself open with an anaphor ("Ringworm is…" for "It spreads…. It is treated…");
    ``j`` itself when it does not point back or nothing comes before it."""
    i = j
    while i > 0 and ANAPHOR.match(text[spans[i][0] : spans[i][1]]):
        i -= 1
    return i


def reading(text: str, spans: tuple[tuple[int, int], ...], j: int) -> str:
    """Sentence ``j`` as an answer quotes it: after the sentence it points back to, if any (e5 reads
    "It is produced by macrophages…" alone as being about nothing)."""
    i = antecedent(text, spans, j)
    own = text[spans[j][0] : spans[j][1]]
    return own if i == j else f"{text[spans[i][0] : spans[i][1]]} {own}"
