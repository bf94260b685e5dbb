"""Script bridges: Uzbek Cyrillic → Latin for questions, and a script-blind 'skeleton' for matching.

Uzbek-Cyrillic questions embed better in Latin (e5 saw far more Uzbek Latin): alifbo converts to the
2026 alphabet, ``to_old_latin`` brings it back to the 1995 spelling the corpus and e5 use. Latin
acronyms (IL-6, HERMES) are protected. The skeleton folds Cyrillic and Latin spellings of one
word (кортикостероиды / corticosteroids, МАPК / MAPK) onto the same letters for lexical matching.
"""

from __future__ import annotations

import re

from alifbo import from_cyrillic, to_cyrillic, to_old_latin

_LATIN_TERM = re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*\b")
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "j", "з": "z", "и": "i",
    "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "s", "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "", "ы": "i", "ь": "",
    "э": "e", "ю": "iu", "я": "ia", "ў": "o", "қ": "k", "ғ": "g", "ҳ": "h", "і": "i", "ј": "j",
}
# Spelling differences between English, Russian and Uzbek renderings of one Greek/Latin term.
_FOLDS = (("ph", "f"), ("th", "t"), ("x", "ks"), ("c", "k"), ("q", "k"), ("y", "i"), ("w", "v"),
          ("z", "s"), ("j", "i"), ("h", ""))
_SOFT_C = re.compile(r"c(?=[eiy])")
_APOSTROPHES = re.compile(r"[ʻʼ'‘’`]")
_REPEATS = re.compile(r"(.)\1+")


def uzbek_to_latin(text: str) -> str:
    """Uzbek Cyrillic → old (1995) Latin, leaving Latin terms such as IL-6 and HERMES untouched."""
    protected = sorted(set(_LATIN_TERM.findall(text)), key=len, reverse=True)
    new_latin = from_cyrillic(text, protected_terms=protected).text
    return to_old_latin(new_latin, protected_terms=protected).text


# Kept as written when the page's own words go into Cyrillic: placeholders, acronyms, the product's name.
_KEEP_LATIN = re.compile(r"(\{\w+\}|\b[A-Z]{2,}\w*\b|\bqa\b|\bEnglish\b)")


def uzbek_to_cyrillic(text: str) -> str:
    """Uzbek Latin → Cyrillic (alifbo), for the page's labels; placeholders, acronyms and "qa" stay."""
    parts = _KEEP_LATIN.split(text)
    return "".join(part if i % 2 or not part.strip() else to_cyrillic(part).text for i, part in enumerate(parts))


def plain_apostrophes(text: str) -> str:
    """oʻ/gʻ and the other apostrophe look-alikes as the ASCII ' that most Uzbek Latin text (and so
    e5, and the glossaries) uses."""
    return _APOSTROPHES.sub("'", text)


def skeleton(word: str) -> str:
    """A script-blind key: 'кортикостероиды' and 'corticosteroids' both give 'kortikosteroidi…'; х is the
    Greek chi, written ch in English (холера / cholera, хронический / chronic), so both fold to k."""
    out = "".join(_CYRILLIC.get(ch, ch) for ch in word.lower())
    out = _APOSTROPHES.sub("", out)
    out = _SOFT_C.sub("s", out)  # precision / прецизия, cytokine / цитокин: a soft c is an s
    for before, after in _FOLDS:
        out = out.replace(before, after)
    return _REPEATS.sub(r"\1", out)
