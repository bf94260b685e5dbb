"""Scripts by their letters: the one place the Cyrillic block is written."""

from __future__ import annotations

import re

CYRILLIC = re.compile("[\u0400-\u04ff]")


def is_cyrillic(char: str) -> bool:
    return "\u0400" <= char <= "\u04ff"


def script_of_word(word: str) -> str:
    """"Cyrl" for a word with any Cyrillic letter, else "Latn"."""
    return "Cyrl" if CYRILLIC.search(word) else "Latn"
