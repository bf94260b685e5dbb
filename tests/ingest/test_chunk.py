"""Sentence splitting, language sections and chunk offsets; decoding text files."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from qa.ingest.chunk import chunk_document, split_sentences
from qa.settings import ChunkSettings, Settings
from qa.text.clean import CYRILLIC_TO_LATIN
from qa.types import Chunk, Document


def _letters(text: str) -> str:
    return re.sub(r"[\s\-\u00ad]", "", text).translate(CYRILLIC_TO_LATIN)


_alphabet = st.sampled_from(list("abc деж IL6 .-\n") + ["\n\n", "-\n\n", ". ", "ўқ", "МАPК"])


def _small_chunks(text: str, max_chars: int) -> list[Chunk]:
    """One Russian text cut into chunks short enough to put each sentence on its own."""
    return chunk_document(Document("r.txt", text, ""), Settings(chunking=ChunkSettings(target=60, max=max_chars)))


@settings(max_examples=150, deadline=None)
@given(st.lists(_alphabet, min_size=1, max_size=300).map("".join))
def test_chunk_offsets_point_at_their_text(original: str) -> None:
    small = Settings(chunking=ChunkSettings(target=60, max=90))
    chunks = chunk_document(Document("t.txt", original, ""), small)
    lines = original.split("\n")
    for chunk in chunks:
        assert 0 <= chunk.start < chunk.end <= len(original)
        # text is original[start:end] up to line-break/hyphenation cleanup
        assert _letters(chunk.text) == _letters(original[chunk.start : chunk.end])
        assert 1 <= chunk.line_start <= chunk.line_end <= len(lines)
        assert original.count("\n", 0, chunk.start) + 1 == chunk.line_start
        for s, e in chunk.sentences:
            assert 0 <= s < e <= len(chunk.text)


def test_sentences_respect_abbreviations() -> None:
    text = "Ahmad et al. reported higher IL-6. Levels fell, e.g. after diuresis. Next one."
    spans = [text[s:e] for s, e in split_sentences(text)]
    assert spans == ["Ahmad et al. reported higher IL-6.", "Levels fell, e.g. after diuresis.", "Next one."]


def test_mixed_language_file_is_split_into_sections() -> None:
    text = (
        "Юрак етишмовчилиги ҳанузгача дунё бўйича касалланиш ва ўлимнинг етакчи сабабларидан бири.\n\n"
        "Heart failure remains one of the leading causes of morbidity and mortality worldwide.\n\n"
        "Сердечная недостаточность остаётся одной из ведущих причин заболеваемости и смертности."
    )
    chunks = chunk_document(Document("m.txt", text, ""), Settings.from_env())
    assert [(c.language, c.script) for c in chunks] == [("uz", "Cyrl"), ("en", "Latn"), ("ru", "Cyrl")]
    assert chunks[1].text == text[chunks[1].start : chunks[1].end]


def test_list_numbers_and_stray_marks_join_their_language_section() -> None:
    text = (
        "Патология сердечно-сосудистой системы может вызывать острую декомпенсацию. 1. Кардиальная "
        "патология имеет ведущее значение в возникновении нарушений. (Plantago ispaghula Roxb.). "
        "Препарат применяют при запорах и синдроме раздражённого кишечника у взрослых."
    )
    chunks = _small_chunks(text, 120)
    assert {(c.language, c.script) for c in chunks} == {("ru", "Cyrl")}, [(c.text, c.language) for c in chunks]
    assert all(len(c.text) > 20 for c in chunks), "no chunk of its own for '1.' or a Latin name"


@settings(max_examples=60, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_chunk_offsets_hold_on_random_unicode(original: str) -> None:
    chunks = chunk_document(Document("t.txt", original, ""), Settings(chunking=ChunkSettings(target=60, max=90)))
    for chunk in chunks:
        assert 0 <= chunk.start < chunk.end <= len(original)
        assert _letters(chunk.text) == _letters(original[chunk.start : chunk.end])


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), min_size=1, max_size=300),
       st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32"]))
def test_decode_round_trips_unicode_encodings(text: str, encoding: str) -> None:
    """Any text without NUL (NUL bytes mark binary files) survives each Unicode encoding."""
    from qa.ingest.formats import decode

    assert decode(text.encode(encoding)) == text
