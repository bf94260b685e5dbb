"""A general Uzbek → English dictionary behind the clinical glossary (``uz-en-dictionary==0.0.4``).

The package ships 25,841 headwords (26,757 senses) as JSON, but its own API returns False on Linux
(Windows path separators behind a bare ``except``), so the files are read directly. They repeat
keys (dori: "medicine" and "to come around"; qon: "blood" and "to be sated"): a plain ``json.load``
would keep only the last, so every sense is kept. The package says MIT but not where its entries
come from. The files also glue a run of short entries onto one definition ("…malaria.bezgaldak
zool.little bustard.", "…vermin.ilon zool.snake. ~ yili…"): those are split back into headwords.
Words are looked up under the forms ZirhUzMorph gives (qa.languages.uz.morph), then by the longest
headword they start with.
"""

from __future__ import annotations

import importlib.util
import json
import re
from functools import lru_cache
from pathlib import Path

from qa.languages.uz.morph import forms, noun_ending, with_final_restored
from qa.text.translit import plain_apostrophes

_USAGE = re.compile(r"~.*$", re.S)  # after the first "~" come phrases built on the headword
_NOTES = re.compile(r"\([^)]*\)|\[[^\]]*\]|\b(?:v\.[a-z]\.|v\.n\.|var\.|s\.|of|to)\s"
                    r"|\b(?:coll|zool|bot|dial|ono|hist|arch|lit|geo|obs|gram|adj|med|anat)\.\s*", re.I)
_WORD = re.compile(r"[a-z]{3,}")
# A glued entry starts right after a full stop with no space: "vermin.ilon zool.snake." — unless
# that full stop ends a label (zool., dial.) or the word after it is the sense itself.
_GLUED = re.compile(r"(?<=[^\s.])\.(?=[a-z][a-z'-]*(?: \d)? \S)")
_LABELS = frozenset({"ono", "dial", "bot", "coll", "zool", "hist", "arch", "lit", "geo", "obs", "gram", "adj",
                     "v", "i", "n", "s", "etc", "med", "anat", "tech", "chem", "phys", "rel", "mil", "sport", "mus"})
# Function words inside senses ("to bite, to sting", "care for") are no gloss.
_ENGLISH_FUNCTION = frozenset("the and for with etc between into onto from that this one one's s.o s.t its".split())
MAX_SENSE_WORDS = 12  # the first senses are the common ones; later words are rarer uses
MAX_SENSE_GROUPS = 3  # ";"-separated sense groups kept per definition
MIN_HEADWORD = 3


def _folder() -> Path | None:
    spec = importlib.util.find_spec("uz_en_dictionary")  # located, not imported: its __init__ is not needed
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "database" / "uz-en"


def _sense_words(definition: str) -> list[str]:
    """The words of a definition's senses, up to its first full stop (what follows are usage notes)."""
    text = _NOTES.sub(" ", _USAGE.sub("", definition.lower()) + " ").split(".", 1)[0]
    groups = [re.sub(r"\(.*$", "", group) for group in text.split(";")[:MAX_SENSE_GROUPS]]  # an unclosed "(" is a note
    return [word for word in _WORD.findall(" ".join(groups)) if word not in _ENGLISH_FUNCTION]


def _entries_in(headword: str, definition: str) -> list[tuple[str, str]]:
    """The definition's own entry and the ones glued on after it."""
    out, start = [], 0
    for glued in _GLUED.finditer(definition):
        label = re.search(r"[a-z]*$", definition[: glued.start()])
        if label and label.group() in _LABELS:
            continue
        out.append((headword, definition[start : glued.start()]))
        headword, _, rest = definition[glued.end() :].partition(" ")
        start = glued.end() + len(headword) + 1
        headword = re.sub(r"-$", "", headword)  # verb stems are written "alahsira-"
    out.append((headword, definition[start:]))
    return out


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
            if not isinstance(definition, str):
                continue
            for word, text in _entries_in(plain_apostrophes(headword.strip().lower()), plain_apostrophes(definition)):
                out.setdefault(word, []).extend(_sense_words(text))
    return {key: tuple(dict.fromkeys(words))[:MAX_SENSE_WORDS] for key, words in out.items() if words}


def senses(word: str) -> tuple[str, ...]:
    """English words for an Uzbek (old Latin) word, under the longer of two headwords: its first
    dictionary form that is a headword (chaqqanda → chaq "bite, sting"), and the longest headword it
    starts with whose remainder is a noun ending (barmoqni → barmoq "finger", which the analyser
    reads as bar+moq+ni)."""
    table = entries()
    by_form = next((form for form in forms(word) if form in table), "")
    return table.get(max(by_form, _by_ending(word, table), key=len), ())


def _by_ending(word: str, table: dict[str, tuple[str, ...]]) -> str:
    low = plain_apostrophes(word.lower())
    for cut in range(len(low), MIN_HEADWORD - 1, -1):
        head, rest = low[:cut], low[cut:]
        if rest and not noun_ending(rest):
            continue
        candidates = (head, with_final_restored(head)) if rest[:1] in ("a", "e", "i", "o", "u") else (head,)
        for candidate in candidates:
            if candidate in table:
                return candidate
    return ""
