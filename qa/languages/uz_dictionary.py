"""A general Uzbek → English dictionary behind the clinical glossary (``uz-en-dictionary==0.0.4``).

The package ships 25,841 headwords (26,757 senses) as JSON, but its own API returns False on Linux
(Windows path separators behind a bare ``except``), so the files are read directly. They repeat
keys (dori: "medicine" and "to come around"; qon: "blood" and "to be sated"): a plain ``json.load``
would keep only the last, so every sense is kept. The package says MIT but not where its entries
come from. Used to check that a cited passage covers an Uzbek question's words (qa.terms); the
retrieval gloss stays with the curated glossary.
"""

from __future__ import annotations

import importlib.util
import json
import re
from functools import lru_cache
from pathlib import Path

from qa.languages.uz import noun_ending
from qa.translit import plain_apostrophes

_USAGE = re.compile(r"~.*$", re.S)  # after the first "~" come phrases built on the headword
_NOTES = re.compile(r"\([^)]*\)|\[[^\]]*\]|\b(?:v\.[a-z]\.|v\.n\.|coll\.|zool\.|bot\.|var\.|s\.|of|to)\s", re.I)
_WORD = re.compile(r"[a-z]{3,}")
MAX_SENSE_WORDS = 12  # the first senses are the common ones; later words are rarer uses
MAX_SENSE_GROUPS = 3  # ";"-separated sense groups kept per definition
MIN_HEADWORD = 3


def _folder() -> Path | None:
    spec = importlib.util.find_spec("uz_en_dictionary")  # located, not imported: its __init__ is not needed
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "database" / "uz-en"


def _sense_words(definition: str) -> list[str]:
    """The words of a definition's senses, up to its first full stop (the files sometimes glue the
    next headword on after it: "malaria.bezgaldak zool.little bustard.")."""
    text = _NOTES.sub(" ", _USAGE.sub("", definition.lower()) + " ").split(".", 1)[0]
    groups = [re.sub(r"\(.*$", "", group) for group in text.split(";")[:MAX_SENSE_GROUPS]]  # an unclosed "(" is a note
    return _WORD.findall(" ".join(groups))


@lru_cache(maxsize=1)
def entries() -> dict[str, tuple[str, ...]]:
    """Headword (lower case, ASCII apostrophe) → English words of all its senses, first senses first.
    Empty when the package is not installed."""
    folder = _folder()
    out: dict[str, list[str]] = {}
    if folder is None or not folder.is_dir():
        return {}
    for path in sorted(folder.glob("*.json")):
        pairs = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=lambda items: items)
        for headword, definition in pairs:
            if isinstance(definition, str):
                key = plain_apostrophes(headword.strip().lower())
                out.setdefault(key, []).extend(_sense_words(definition))
    return {key: tuple(dict.fromkeys(words))[:MAX_SENSE_WORDS] for key, words in out.items() if words}


def senses(word: str) -> tuple[str, ...]:
    """English words for an Uzbek (old Latin) word: the longest headword it starts with whose
    remainder is a noun ending (bemorlarda → bemor + lar + da)."""
    table = entries()
    low = plain_apostrophes(word.lower())
    for cut in range(len(low), MIN_HEADWORD - 1, -1):
        head, rest = low[:cut], low[cut:]
        if rest and not noun_ending(rest):
            continue
        # A final k / q becomes g / g' before a vowel suffix: kasallik → kasalligi, yetishmaslik → yetishmasligi.
        for candidate in (head, *_unmutated(head, rest)):
            if candidate in table:
                return table[candidate]
    return ()


def _unmutated(head: str, rest: str) -> tuple[str, ...]:
    if not rest or rest[0] not in "aeiou":
        return ()
    if head.endswith("g'"):
        return (head[:-2] + "q",)
    if head.endswith("g"):
        return (head[:-1] + "k",)
    return ()
