"""Word frequencies from wordfreq without holding its lists in memory. Reading wordfreq's Russian
list builds a dict of 713k words (about 140 MB and 0.35 s in every process that asks a Russian
question); instead each list becomes, once per machine, a sorted word table with each word's
centibel band, memory-mapped from the cache. The lookup follows wordfreq's own rule (its tokenizer,
digits folded and weighted, 1/f = Σ 1/fᵢ over tokens, three significant digits), so every value
equals ``wordfreq.zipf_frequency``."""

from __future__ import annotations

import math
import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

import numpy as np

from qa.settings import Settings


class _Table:
    """Words sorted by their UTF-8 bytes, in one blob with offsets, and each word's band (-cB)."""

    def __init__(self, folder: Path) -> None:
        self.blob = np.load(folder / "words.npy", mmap_mode="r")
        self.offsets = np.load(folder / "offsets.npy", mmap_mode="r")
        self.bands = np.load(folder / "bands.npy", mmap_mode="r")

    def _word(self, i: int) -> bytes:
        return bytes(self.blob[int(self.offsets[i]) : int(self.offsets[i + 1])])

    def band(self, word: str) -> int | None:
        key, lo, hi = word.encode("utf-8"), 0, len(self.bands)
        while lo < hi:
            mid = (lo + hi) // 2
            if self._word(mid) < key:
                lo = mid + 1
            else:
                hi = mid
        return int(self.bands[lo]) if lo < len(self.bands) and self._word(lo) == key else None


def _build(lang: str, folder: Path) -> None:
    """wordfreq's list as a table (read once; a word listed in two bands keeps the later, as
    wordfreq's own dict does), written beside the final folder and renamed into place."""
    from wordfreq import get_frequency_list

    band_of: dict[str, int] = {}
    for index, bucket in enumerate(get_frequency_list(lang)):
        for word in bucket:
            band_of[word] = index
    words = sorted(band_of, key=lambda w: w.encode("utf-8"))
    encoded = [w.encode("utf-8") for w in words]
    offsets = np.zeros(len(words) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(e) for e in encoded])
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        np.save(staging / "words.npy", np.frombuffer(b"".join(encoded), dtype=np.uint8))
        np.save(staging / "offsets.npy", offsets)
        np.save(staging / "bands.npy", np.array([band_of[w] for w in words], dtype=np.uint16))
        os.rename(staging, folder)
    except OSError:
        if not folder.exists():
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@lru_cache(maxsize=4)
def _table(lang: str) -> _Table | None:
    """The language's table, built on first use; None when the cache cannot hold it (read-only)."""
    from importlib.metadata import version

    folder = Settings.from_env().cache_dir / "wordfreq" / f"{lang}-{version('wordfreq')}"
    try:
        if not (folder / "bands.npy").exists():
            _build(lang, folder)
        return _Table(folder)
    except (OSError, ValueError):
        return None


def _frequency(word: str, lang: str, minimum: float) -> float:
    """wordfreq's ``_word_frequency``, reading the table instead of its dict."""
    from wordfreq import cB_to_freq
    from wordfreq.language_info import get_language_info
    from wordfreq.numbers import digit_freq, smash_numbers
    from wordfreq.tokens import lossy_tokenize

    tokens = lossy_tokenize(word, lang)
    if not tokens:
        return minimum
    table = _table(lang)
    if table is None:  # wordfreq itself, its list in memory
        from wordfreq import word_frequency

        return float(word_frequency(word, lang, minimum=minimum))
    one_over_result = 0.0
    for token in tokens:
        smashed = smash_numbers(token)
        band = table.band(smashed)
        if band is None:
            return minimum
        freq = cB_to_freq(-band)
        if smashed != token:
            freq *= digit_freq(token)
        one_over_result += 1.0 / freq
    freq = 1.0 / one_over_result
    if get_language_info(lang)["tokenizer"] == "jieba":
        from wordfreq import INFERRED_SPACE_FACTOR

        freq *= INFERRED_SPACE_FACTOR ** -(len(tokens) - 1)
    unrounded = max(freq, minimum)
    if unrounded == 0.0:
        return 0.0
    return round(unrounded, math.floor(-math.log(unrounded, 10)) + 3)


def zipf(word: str, lang: str) -> float:
    """``wordfreq.zipf_frequency(word, lang)``, from the memory-mapped table."""
    from wordfreq import freq_to_zipf, zipf_to_freq

    return round(freq_to_zipf(_frequency(word, lang, zipf_to_freq(0.0))), 2)


def commonest(lang: str, count: int) -> list[str]:
    """``wordfreq.top_n_list(lang, count)``, read without keeping the whole list in memory (wordfreq
    caches every list it reads: 30 MB for English)."""
    from wordfreq import available_languages, read_cBpack
    from wordfreq.numbers import has_digit_sequence

    words: list[str] = []
    for band in read_cBpack(available_languages()[lang]):
        words += [word for word in band if not has_digit_sequence(word)][: count - len(words)]
        if len(words) == count:
            break
    return words
