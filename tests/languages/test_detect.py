"""Language and script detection."""

import pytest

from qa.ingest.chunk import chunk_document
from qa.languages.detect import detect
from qa.settings import ChunkSettings, Settings
from qa.types import Chunk, Document

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


def _small_chunks(text: str, max_chars: int) -> list[Chunk]:
    """One Russian text cut into chunks short enough to put each sentence on its own."""
    return chunk_document(Document("r.txt", text, ""), Settings(chunking=ChunkSettings(target=60, max=max_chars)))


def test_language_table_at_least_95_percent() -> None:
    right = [detect(text) == (language, script) for text, language, script in LANGUAGE_TABLE]
    wrong = [row for row, ok in zip(LANGUAGE_TABLE, right, strict=True) if not ok]
    assert sum(right) / len(right) >= 0.95, wrong


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


@pytest.mark.parametrize(("question", "previous", "expected"), [
    # Abbreviations and a drug's name are spelled alike in Russian and Uzbek: Russian, the script's
    # first language, unless Uzbek's own letters or words are there; names never decide the script.
    ("СРБ?", None, ("ru", "Cyrl")),
    ("ИЛ-6 СРБ", None, ("ru", "Cyrl")),
    ("СРБ HERMES?", None, ("ru", "Cyrl")),
    ("Тоцилизумаб СРБ?", None, ("ru", "Cyrl")),
    ("Қанча?", None, ("uz", "Cyrl")),
    # A word one vocabulary alone knows says which: Uzbek ones Russian's or English's letters spell.
    ("Дозаси?", None, ("uz", "Cyrl")),
    ("Хавфлими?", None, ("uz", "Cyrl")),
    ("СРБ нормаси?", None, ("uz", "Cyrl")),
    ("Dozasi?", None, ("uz", "Latn")),
    ("IL-6 darajasi?", None, ("uz", "Latn")),
    ("Dosage?", ("uz", "Latn"), ("en", "Latn")),
    ("Va ARNI?", None, ("uz", "Latn")),
    ("CRP HERMES?", None, ("en", "Latn")),
    # In a chat, the earlier question's language decides such a question.
    ("А ARNI?", ("ru", "Cyrl"), ("ru", "Cyrl")),
    ("ARNI-chi?", ("uz", "Latn"), ("uz", "Latn")),
    ("ARNI?", ("uz", "Cyrl"), ("uz", "Cyrl")),
    # A question with words of its own is read by them, whatever the chat spoke before.
    ("What about cardiogenic shock?", ("ru", "Cyrl"), ("en", "Latn")),
    # The particle -chi ends only Uzbek questions, whatever name it follows.
    ("ARNI-chi?", None, ("uz", "Latn")),
    ("Empagliflozin-chi?", None, ("uz", "Latn")),
    ("Эмпаглифлозин-чи?", None, ("uz", "Cyrl")),
    ("Sacubitril-valsartan-chi?", None, ("uz", "Latn")),
    ("What about chi-square?", None, ("en", "Latn")),
    ("HAM?", None, ("en", "Latn")),  # an abbreviation's letters are no Uzbek word
])
def test_a_question_too_short_to_tell_takes_the_unmarked_or_the_chats_language(
    question: str, previous: tuple[str, str] | None, expected: tuple[str, str]
) -> None:
    assert detect(question, previous=previous) == expected
