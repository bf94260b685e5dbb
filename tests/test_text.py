"""Cleaning, sentence splitting, chunk offsets, transliteration and language detection."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa.answer.retrieve import prepare
from qa.ingest.chunk import chunk_document, split_sentences
from qa.languages.detect import detect
from qa.languages.glossary import glossary, normalise, to_english
from qa.settings import ChunkSettings, Settings
from qa.store.lexical import Lexical
from qa.text.clean import CYRILLIC_TO_LATIN, clean
from qa.text.translit import skeleton, uzbek_to_latin
from qa.types import Chunk, Document

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


def _letters(text: str) -> str:
    return re.sub(r"[\s\-\u00ad]", "", text).translate(CYRILLIC_TO_LATIN)


_alphabet = st.sampled_from(list("abc деж IL6 .-\n") + ["\n\n", "-\n\n", ". ", "ўқ", "МАPК"])


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
    chunks = chunk_document(Document("m.txt", text, ""), Settings())
    assert [(c.language, c.script) for c in chunks] == [("uz", "Cyrl"), ("en", "Latn"), ("ru", "Cyrl")]
    assert chunks[1].text == text[chunks[1].start : chunks[1].end]


LANGUAGE_TABLE = [
    ("What is IL-6?", "en", "Latn"),
    ("Which cells produce IL-6 under stress?", "en", "Latn"),
    ("Does ziltivekimab lower inflammation in patients with chronic kidney disease?", "en", "Latn"),
    ("HERMES", "en", "Latn"),
    ("Thanks!", "en", "Latn"),
    ("Heart failure with reduced ejection fraction remains a leading cause of death worldwide.", "en", "Latn"),
    ("Что такое IL-6?", "ru", "Cyrl"),
    ("Какие клетки вырабатывают IL-6?", "ru", "Cyrl"),
    ("Почему воспаление важно при сердечной недостаточности?", "ru", "Cyrl"),
    ("Связан ли IL-6 с прогнозом?", "ru", "Cyrl"),
    ("Сердечная недостаточность остаётся одной из ведущих причин смертности во всём мире.", "ru", "Cyrl"),
    ("Кто это сделал?", "ru", "Cyrl"),
    ("IL-6 нима?", "uz", "Cyrl"),
    ("Қайси ҳужайралар IL-6 ишлаб чиқаради?", "uz", "Cyrl"),
    ("Юрак етишмовчилиги нима?", "uz", "Cyrl"),
    ("Нима учун IL-6 муҳим?", "uz", "Cyrl"),
    ("Яллиғланиш юрак етишмовчилигини оғирлаштирадими?", "uz", "Cyrl"),
    ("Юрак етишмовчилиги ҳанузгача дунё бўйича ўлимнинг етакчи сабабларидан бири бўлиб қолмоқда.", "uz", "Cyrl"),
    ("IL-6 nima?", "uz", "Latn"),
    ("Qaysi hujayralar IL-6 ishlab chiqaradi?", "uz", "Latn"),
    ("Yurak yetishmovchiligi nima?", "uz", "Latn"),
    ("Nima uchun IL-6 muhim?", "uz", "Latn"),
    ("Yallig'lanish yurak yetishmovchiligini og'irlashtiradimi?", "uz", "Latn"),
    ("Yurak yetishmovchiligi hanuzgacha dunyo bo'yicha o'limning yetakchi sabablaridan biri bo'lib qolmoqda.",
     "uz", "Latn"),
]


def test_language_table_at_least_95_percent() -> None:
    right = [detect(text) == (language, script) for text, language, script in LANGUAGE_TABLE]
    wrong = [row for row, ok in zip(LANGUAGE_TABLE, right, strict=True) if not ok]
    assert sum(right) / len(right) >= 0.95, wrong


def _small_chunks(text: str, max_chars: int) -> list[Chunk]:
    """One Russian text cut into chunks short enough to put each sentence on its own."""
    return chunk_document(Document("r.txt", text, ""), Settings(chunking=ChunkSettings(target=60, max=max_chars)))


def test_list_numbers_and_stray_marks_join_their_language_section() -> None:
    text = (
        "Патология сердечно-сосудистой системы может вызывать острую декомпенсацию. 1. Кардиальная "
        "патология имеет ведущее значение в возникновении нарушений. (Plantago ispaghula Roxb.). "
        "Препарат применяют при запорах и синдроме раздражённого кишечника у взрослых."
    )
    chunks = _small_chunks(text, 120)
    assert {(c.language, c.script) for c in chunks} == {("ru", "Cyrl")}, [(c.text, c.language) for c in chunks]
    assert all(len(c.text) > 20 for c in chunks), "no chunk of its own for '1.' or a Latin name"


def test_a_sentence_listing_latin_names_stays_in_its_own_language() -> None:
    # More Latin letters than Cyrillic, but the grammar ("в отношении", "и") is Russian: as English it
    # became a chunk of its own that Russian questions about anything were drawn to.
    text = (
        "Препарат оказывает бактерицидное действие, нарушая синтез белка в микробной клетке. Активен в "
        "отношении Staphylococcus aureus, Streptococcus pyogenes, Escherichia coli, Klebsiella pneumoniae и "
        "Proteus mirabilis. Не действует на патогенные грибы, вирусы и анаэробную флору."
    )
    chunks = _small_chunks(text, 160)
    assert {(c.language, c.script) for c in chunks} == {("ru", "Cyrl")}, [(c.text, c.language) for c in chunks]
    assert detect("Peptostreptococcus spp. и Peptococcus spp. являются анаэробами?") == ("ru", "Cyrl")
    # An English sentence keeps its language beside a Cyrillic-spelled token or a Russian name.
    assert detect("The drug, known in Russia as Кларитромицин, is active against Helicobacter pylori.") == (
        "en", "Latn")


def test_glossary_turns_uzbek_and_russian_questions_into_english() -> None:
    gloss = to_english("Nima uchun buyrak faoliyati buzilgan keksa bemorlarda IL-6 foydali?", "uz").text
    for word in ("kidney", "elderly", "patient", "IL-6", "dysfunction"):
        assert word in gloss, gloss
    assert "uchun" not in gloss and "bemor" not in gloss
    cyrillic = prepare("Юрак етишмовчилигида қайси цитокинлар яллиғланишни кучайтиради?")
    assert cyrillic.language == "uz" and "heart" in cyrillic.gloss and "inflammation" in cyrillic.gloss
    russian = prepare("Какова суточная доза при головной боли у пожилых пациентов?")
    assert "headache" in russian.gloss and "elderly" in russian.gloss and "daily" in russian.gloss
    assert "pain" not in to_english("больше всего", "ru").text, "больше is not боль"
    # The compound is one word, as Russian сердечно-сосудистый is: "heart blood vessel" is not "cardiovascular".
    for uzbek in ("Юрак-қон томир касалликлари қандай даволанади?", "Yurak qon-tomir kasalliklari qanday davolanadi?",
                  "Yurak-qon-tomir tizimi qanday ishlaydi?"):
        assert prepare(uzbek).gloss.split()[0] == "cardiovascular", (uzbek, prepare(uzbek).gloss)
    assert prepare("Which cytokine drives heart failure?").gloss == ""


@pytest.mark.parametrize("language", ["uz", "ru"])
def test_glossary_files_are_well_formed(language: str) -> None:
    from importlib import resources

    text = resources.files(f"qa.languages.{language}").joinpath("glossary.tsv").read_text(encoding="utf-8")
    keys = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        source, tab, english = line.partition("\t")
        assert tab and source.strip() == source and source, f"line {number}: {line!r}"
        assert all(sense.strip() for sense in english.split(",")) or not english, f"line {number}: {line!r}"
        keys.append(normalise(source))
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    assert not duplicates, f"entries given twice: {duplicates}"
    assert len(keys) > 250 and len(glossary(language)) == len(keys)


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


def test_uzbek_dictionary_keeps_every_sense_of_repeated_headwords() -> None:
    from qa.languages import uz_dictionary as dictionary

    assert len(dictionary.entries()) > 25_000
    assert "medicine" in dictionary.senses("dori"), "the first of two repeated 'dori' keys"
    assert "blood" in dictionary.senses("qon")
    assert dictionary.senses("quturishni") and "rabies" in dictionary.senses("quturishni"), "noun endings"
    assert dictionary.senses("Bezgak") == ("malaria",), "a glued next headword is not a sense"


def test_key_terms_leave_out_question_words_relations_and_the_answer_type() -> None:
    from qa.languages.terms import key_terms, missing

    english = [t.text for t in key_terms("Which company manufactures ziltivekimab?", "en")]
    assert english == ["manufactures", "ziltivekimab"], "'company' is what is asked for, not the topic"
    russian = [t.text for t in key_terms("Снижают ли статины IL-6 при сердечной недостаточности?", "ru")]
    assert "статины" in russian and "Снижают" not in russian, "verbs relate, they name no topic"
    text = "Renal dysfunction raised mortality; статины were not studied."
    assert missing(key_terms("Is kidney dysfunction linked to death?", "en"), text) == [], "glossary synonyms"
    assert missing(key_terms("Do statins help?", "en"), text) == [], "Cyrillic cognate"
    cholera = "Cholera is spread by contaminated water."
    assert missing(key_terms("Как распространяется холера?", "ru"), cholera) == [], "х is the Greek chi, ch"
    assert missing(key_terms("Does smoking raise IL-6?", "en"), text) == ["smoking", "IL-6"]
    uzbek = key_terms("Bezgak qanday yuqadi?", "uz", "Bezgak qanday yuqadi?")
    assert missing(uzbek, "Malaria is spread by mosquitoes.") == [], "the general Uzbek dictionary"


def test_uzbek_words_outside_the_glossary_are_glossed_from_the_dictionary() -> None:
    from qa.answer.retrieve import prepare
    from qa.languages import uz_dictionary

    assert "malaria" in prepare("Bezgak odamlarga qanday yuqadi?").gloss, "retrieval sees the English sense"
    assert "malaria" in prepare("Безгак одамларга қандай юқади?").gloss, "from Cyrillic too"
    assert "disease" in uz_dictionary.senses("kasalligini"), "kasallik: k becomes g before a vowel suffix"
    assert "deficiency" in uz_dictionary.senses("yetishmasligi")


def test_uzbek_morphology_finds_dictionary_forms_and_verbs() -> None:
    from qa.languages.uz.morph import forms, is_relation

    assert forms("kasalligini")[0] == "kasallik", "stem + derivation, the final k restored"
    assert "chaq" in forms("chaqqanda"), "a participle is looked up under its verb stem"
    assert forms("қизамиққа") == ("qizamiq",), "Cyrillic is read too"
    assert is_relation("yuqadi") and is_relation("davolanadi"), "conjugated verbs relate"
    assert not is_relation("quturish") and not is_relation("bemorlarda"), "a verbal noun and a noun name topics"


def test_glued_dictionary_entries_are_headwords_of_their_own() -> None:
    from qa.answer.retrieve import prepare
    from qa.languages import uz_dictionary

    assert uz_dictionary.senses("ilonlar") == ("snake",), "'…vermin.ilon zool.snake.' is split back"
    assert "bite" in uz_dictionary.senses("chaqqanda")
    query = prepare("Zaharli ilon chaqqanda nima qilish kerak?")
    assert "snake" in query.gloss and "ilon" not in query.gloss, "the sense replaces the word e5 cannot read"
