"""Cleaning PDF text with a map back to the original, transliteration and script-blind skeletons."""

from hypothesis import given, settings
from hypothesis import strategies as st

from qa.store.lexical import Lexical
from qa.text.clean import CYRILLIC_TO_LATIN, clean
from qa.text.translit import skeleton, uzbek_to_latin

PDF_TEXT = (
    "Clinically, IL-6 correlates with disease severity and hospital-\n\nization. Levels of IL-\n\n"
    "6 and NT-\n\nproBNP rose. Beta-blockers and beta-\n\nblockers again.\n\n"
    "Pathways such as МАPК and МЕSА matter.\n\n\n\nA new paragraph starts here.\n\n"
)


def test_clean_joins_pdf_lines_and_undoes_hyphenation() -> None:
    text = clean(PDF_TEXT).text
    assert "hospitalization." in text
    assert "IL-6 and NT-proBNP rose." in text
    assert "beta-blockers again" in text  # the text spells it with a hyphen elsewhere
    assert "MAPK and MESA" in text  # Cyrillic look-alikes inside Latin acronyms repaired
    assert "matter.\n\nA new paragraph" in text
    assert "\n" not in text.split("\n\n")[0]


def test_clean_maps_every_character_back_to_the_original() -> None:
    cleaned = clean(PDF_TEXT)
    for i, ch in enumerate(cleaned.text):
        original = PDF_TEXT[cleaned.origin[i]]
        assert ch == original or ch in " \n" or original.translate(CYRILLIC_TO_LATIN) == ch


def test_uzbek_cyrillic_to_latin_protects_latin_terms() -> None:
    latin = uzbek_to_latin("Стресс шароитида қайси ҳужайралар IL-6 ишлаб чиқаради? HERMES")
    assert latin == "Stress sharoitida qaysi hujayralar IL-6 ishlab chiqaradi? HERMES"
    assert uzbek_to_latin("ўғил") == "oʻgʻil"


def test_skeleton_joins_scripts_and_homoglyphs() -> None:
    assert skeleton("МАPК") == skeleton("MAPK")
    assert skeleton("диурез") == skeleton("diurez")
    assert skeleton("прецизионной")[:8] == skeleton("precision")[:8] == "presisio"  # soft c is s
    lexical = Lexical(["MAPK signaling pathways", "corticosteroid responsiveness"])
    assert lexical.scores("МАPК").argmax() == 0
    assert lexical.scores("кортикостероиды").argmax() == 1


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_clean_offsets_hold_on_random_unicode(original: str) -> None:
    cleaned = clean(original)
    assert len(cleaned.origin) == len(cleaned.text)
    assert all(a < b for a, b in zip(cleaned.origin, cleaned.origin[1:], strict=False)), "order is kept"
    for ch, at in zip(cleaned.text, cleaned.origin, strict=True):
        source = original[at]
        assert ch == source or ch in " \n" or source.translate(CYRILLIC_TO_LATIN) == ch
