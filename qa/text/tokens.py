"""What counts as a word, in one place. Each pattern is named for what its readers need, and they
differ on purpose: a skeleton or a BM25 gram takes digits; a key term keeps its inner hyphens and
apostrophes (IL-6, o'g'il); a follow-up also knows Uzbek's other apostrophes (ʻ ʼ)."""

from __future__ import annotations

import re

ALNUM = re.compile(r"\w+")  # letters and digits: what lexical grams and homoglyph repair read
LETTERS = re.compile(r"[^\W\d_]+")  # a run of letters, any script
TWO_LETTERS = re.compile(r"[^\W\d_]{2,}")  # two letters in a row: some word, in any script
TERM = re.compile(r"[^\W_][\w'-]*")  # a word with its inner hyphens and apostrophes: IL-6, o'g'il
SPOKEN = re.compile(r"[^\W_][\w'ʻʼ-]*")  # as TERM, with the apostrophes Uzbek is typed with
# What the glossary looks up: a run of letters, digits, ' and -; not the underscores of a blank to fill
# in ("___", "___-tirozin"), which is the answer's place, not a word or part of one.
GLOSS = re.compile(r"(?!(?<=_)-)(?:[^\W_]|['-])+")
