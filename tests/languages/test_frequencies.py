"""Word frequencies from a memory-mapped table equal wordfreq's own, word for word."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
import wordfreq

from qa.languages import frequencies

ROOT = Path(__file__).resolve().parents[2]
EDGES = ["IL-6", "IL6", "2024", "3.5", "123456", "COVID-19", "o'g'il", "кто-то", "ЁЖ", "клетка", "cell", "qaysi",
         "", "—", "x" * 40, "NT-proBNP", "ziltivekimab", "Ziltivekimab"]


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_table_gives_wordfreqs_values(lang: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path))
    frequencies._table.cache_clear()
    try:
        listed = [word for bucket in wordfreq.get_frequency_list(lang) for word in bucket]
        corpus = {w for p in (ROOT / "corpus").iterdir() for w in re.findall(r"[\w'-]+", p.read_text("utf-8"))}
        words = random.Random(0).sample(listed, 5000) + sorted(corpus) + EDGES
        different = [(w, frequencies.zipf(w, lang), wordfreq.zipf_frequency(w, lang)) for w in words
                     if frequencies.zipf(w, lang) != wordfreq.zipf_frequency(w, lang)]
        assert not different, different[:10]
        assert (tmp_path / "wordfreq").is_dir(), "the table was built in the configured cache"
    finally:
        frequencies._table.cache_clear()


def test_a_cache_that_cannot_hold_the_table_falls_back_to_wordfreq(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("QA_CACHE_DIR", str(blocked))
    frequencies._table.cache_clear()
    try:
        assert frequencies._table("ru") is None
        assert frequencies.zipf("клетка", "ru") == wordfreq.zipf_frequency("клетка", "ru") > 0
    finally:
        frequencies._table.cache_clear()


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_commonest_words_are_wordfreqs_top_list(lang: str) -> None:
    assert frequencies.commonest(lang, 25_000) == wordfreq.top_n_list(lang, 25_000)
