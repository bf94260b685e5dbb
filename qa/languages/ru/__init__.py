"""Russian: pymorphy3 for lemmas and parts of speech, a curated clinical glossary into English."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from qa.languages.base import Language
from qa.languages.ru import dictionary
from qa.languages.ru.reasons import REASONS

# General vocabulary (lemmas) the clinical glossary does not carry: it names no topic. Written as a
# general-language list, not from any question set.
GENERIC = frozenset("""
весь всего всё большинство меньшинство часть этап стадия фон время период случай роль значение уровень способ путь
образ вид тип состояние условие процесс результат исход проблема вопрос фактор показатель длительный долгий
длительно полезный полезно вредный вредно важный основной главный хороший плохой лучший худший высокий низкий
новый обычный нормальный частый редкий разный различный другой такой какой который каков сколько многие много
мало больше меньше лучше хуже большой небольшой маленький однажды когда-нибудь связь связанный действие эффект
влияние изменение
""".split())
# Parts of speech that relate or qualify rather than name (pymorphy3 tags): a verb among them is
# required as its English would be (qa.languages.terms); function words (below) never are.
# (An interjection stays a relation word: "стоп" reads first as one, and the glossary's "foot" keeps it.)
RELATION_POS = frozenset({"VERB", "INFN", "PRTF", "PRTS", "GRND", "ADVB", "PRED", "NUMR", "COMP", "INTJ"})
# Common words: evidence for Russian over Uzbek Cyrillic (qa.languages.detect). The question words
# in all their forms (какая, каков, сколько, чем): a short question has little else to tell by, and
# Uzbek's dictionary reads some of them as its own (какая, "sweets").
WORDS = re.compile(
    r"(?<!\w)(?:и|в|не|на|я|что|с|он|как|как(?:ой|ая|ое|ие|их|им|ими|ую|ого|ому|ом)|каков[аоы]?|сколько|чем"
    r"|зачем|чего|это|по|но|к|у|же|вы|за|бы|от|мне|то|все|так|его|для|при|ли|до|или|кто|над|под|из|о|мы|ты"
    r"|она|они|нет|есть|был\w*|ест|где|когда|почему)(?!\w)",
    re.I,
)
GLOSS_ENDING_MAX = 4  # ой, ами, ение: at most this many letters after a glossary stem


@lru_cache(maxsize=1)
def _morph():  # type: ignore[no-untyped-def]
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


@lru_cache(maxsize=50_000)
def lemma(word: str) -> str:
    return str(_morph().parse(word.lower())[0].normal_form)


NAMING_POS = frozenset({"NOUN", "ADJF", "ADJS"})
# pymorphy3's parts of speech as the dictionary labels them (_n., _a., _v., _adv.)
_PARTS = {"NOUN": "n", "ADJF": "a", "ADJS": "a", "PRTF": "a", "PRTS": "a", "VERB": "v", "INFN": "v", "GRND": "v",
          "ADVB": "adv"}


@lru_cache(maxsize=50_000)
def part_of_speech(word: str) -> str:
    return _PARTS.get(str(_morph().parse(word.lower())[0].tag.POS), "")


@lru_cache(maxsize=200_000)
def noun_lemma(word: str) -> str:
    """A noun's or adjective's dictionary form (клеток → клетка); any other word as it is: a verb's
    infinitive is too short a stem to compare (стало → стать would prefix статины)."""
    parse = _morph().parse(word.lower())[0]
    return str(parse.normal_form) if str(parse.tag.POS) in NAMING_POS else word.lower()


@lru_cache(maxsize=50_000)
def relation(word: str) -> bool:
    return str(_morph().parse(word.lower())[0].tag.POS) in RELATION_POS


# Parts of speech that never name a topic, whatever their English: a preposition (кроме, помимо), a
# conjunction, a particle, a pronoun; and pronominal adjectives (чей, данный, один, любой, сам),
# which pymorphy3 marks Apro.
FUNCTION_POS = frozenset({"PREP", "CONJ", "PRCL", "NPRO"})


@lru_cache(maxsize=50_000)
def generic(word: str) -> bool:
    """A word that names no topic: the general vocabulary above, or a function or pronominal word."""
    if " " in word:  # a glossary run ("сердечная недостаточность") names its topic
        return False
    parse = _morph().parse(word.lower())[0]
    return str(parse.normal_form) in GENERIC or str(parse.tag.POS) in FUNCTION_POS or "Apro" in parse.tag


LANGUAGE = Language(
    code="ru",
    name="Русский",
    scripts=("Cyrl",),
    evidence={"Cyrl": ((re.compile(r"[ыщЫЩ]"), 1.0), (WORDS, 0.6))},
    langdetect_labels={"Cyrl": ("ru",)},
    function_words={"Cyrl": frozenset(
        "и в во не на что с со как это по но к у же за от то так для при ли до или над под из о".split())},
    priority=1,
    not_found={"Cyrl": "В источниках нет ответа на этот вопрос. Ближайшие фрагменты показаны в источниках."},
    source_notes={"en": {"Cyrl": "Из источников на английском языке:"},
                  "uz": {"Cyrl": "Из источников на узбекском языке:"}},
    related_answer={"Cyrl": ("Источники касаются этой темы, но могут не отвечать на вопрос{missing}. "
                             "Ближайшие утверждения:", " (в них не найдено: {terms})")},
    labels={
        "quoted": "Цитируется в ответе", "related": "Близкий фрагмент", "rank": "совпадение {rank} из {total}",
        "copy": "Копировать со ссылками", "references": "Источники",
        "closest": "Ближайшие фрагменты", "question_label": "Вопрос", "carried": "Понято с учётом прошлого вопроса",
        "read_as": "Опечатки прочитаны как",
        "changed_sources": "Изменены или удалены после индексации, цитат в них может уже не быть "
                           "(проиндексируйте заново)",
        "files": "Чтение файлов", "chunks": "Векторизация фрагментов", "passages": "фрагм.", "passage": "фрагм.",
        "files_unit": "файл.", "chunks_unit": "фрагм.",
        "ocr": "Распознавание сканов (OCR)", "ocr_unit": "стр.",
        "ocr_note": "распознано OCR: сверьте с изображением страницы",
        "not_indexed": "не проиндексирован", "auto": "Авто",
        "title": "## qa — ответы со ссылками на ваши медицинские источники",
        "question": "Ваш вопрос (English, Русский, Oʻzbek)", "placeholder": "Задайте вопрос…",
        "ask": "Спросить", "clear": "Очистить чат", "sources": "Источники",
        "no_sources": "Здесь появятся источники ответа.", "not_found": "В источниках не найдено",
        "related_verdict": "По теме, но может не отвечать на вопрос", "confidence": "уверенность",
        "detected": "Язык вопроса", "lines": "строки", "score": "сходство", "page": "стр.",
        "context": "Показать в документе", "upload": "Добавить документы", "added": "добавлен, уже доступен для поиска",
        "already": "он уже был в корпусе",
        "interface": "Язык интерфейса", "examples": "Примеры", "changed": "Файл изменился после индексации.",
        "missing": "Файла больше нет в корпусе.", "unreadable": "Файл больше не читается.",
        "offsets": "Фрагмент выходит за конец текста файла.", "outside": "Файл лежит вне корпуса.",
        "removed": "Документ удалён из корпуса.", "full_passage": "Весь фрагмент",
        "page_lines": "строки {start}–{end} страницы",
        "documents": "Документы", "indexed_files": "В индексе",
        "skipped_files": "Пропущены", "pages": "стр.", "remove": "Удалить", "remove_choice": "Файл для удаления",
        "removed_ok": "удалён из индекса; сохранён в корзине", "no_documents": "Документов в индексе пока нет.",
        "languages": "Языки",
    },
    reasons=REASONS,
    script_names={"Latn": "латиница", "Cyrl": "кириллица"},
    glossary=resources.files(__name__) / "glossary.tsv",
    gloss_ending=lambda rest, stem_length: len(rest) <= GLOSS_ENDING_MAX and rest.isalpha(),
    generic=generic,
    relation=relation,
    known=lambda word: bool(_morph().word_is_known(word.lower())),
    # A verb's senses are the glossary's alone: the dictionary lists most under their imperfective
    # (снижать), and a perfective's few are odd ones (снизить: shave).
    senses=lambda word: () if relation(word) else dictionary.senses(lemma(word), part_of_speech(word)),
    names_thing=lambda word: not _morph().word_is_known(word.lower()) or str(
        _morph().parse(word.lower())[0].tag.POS) == "NOUN",
    gloss_forms=True,  # its stems miss some inflections (почек / почк): its lemma is looked up too
    forms=lambda word: (lemma(word),),
    focus=frozenset({"какой", "какая", "какое", "какие", "каких", "каким", "какого", "которые", "который"}),
    asks_number=(r"сколько", r"доз[аыуе]", r"как долго", r"как\w+ году", r"порог\w*", r"отношени\w+ (?:рисков|шансов)"),
    asks_name=(r"кто",),
    number_words=("один", "одна", "два", "две", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять", "десять",
                  "двадцать", "тридцать", "сорок", "пятьдесят", "сто", r"половин\w*", "вдвое"),
    anaphors=("эти", "это", "этот", "эта", r"такие(?!\s+как\b)", r"такой(?!\s+как\b)", "они"),
    back_references=frozenset({"он", "она", "оно", "они", "его", "её", "ее", "их", "него", "неё", "нее", "них", "ему",
                               "ей", "им", "нему", "ней", "ним", "нём", "нем", "этот", "эта", "это", "эти", "этого",
                               "этой", "этих", "этим", "этом", "этому", "этими", "тот", "та", "те", "того", "той",
                               "тех", "там", "такой", "такие"}),
    lexical_weight=0.01,
    # Snowball keeps the vowels that come and go (клеток / клетки): nouns and adjectives are stemmed
    # from their dictionary form (клетка).
    stemmer="russian",
    stem_form=noun_lemma,
    quotation_marks=("«", "»"),
    example={"Cyrl": "Какой препарат испытывали в исследовании HERMES?"},
    capitals="А-ЯЁ",
    gloss_weight=1.0,
    # e5 reads a wrong sense as meaning, and the dictionary's lowered Recall@5 among the distractors;
    # the lexical leg matches exact words, which a wrong sense seldom finds.
    lexical_senses=1,
    rendering_threshold=0.90,
    language_gap=0.044,
    continuations=(r"^(?:а|и|но|или|ещё|еще|также|а как|что насчёт|что насчет)\b",),
)
