"""Uzbek (Cyrillic and Latin): letters, endings, a curated clinical glossary and a general
dictionary into English. e5 reads Uzbek best in the 1995 Latin spelling, so questions are read there."""

from __future__ import annotations

import re
from importlib import resources

from qa.languages.base import Language
from qa.languages.uz import morph as uz_morph  # its analyser loads on the first Uzbek word, not here
from qa.languages.uz.reasons import REASONS
from qa.text.tokens import GLOSS
from qa.text.translit import plain_apostrophes, uzbek_to_cyrillic, uzbek_to_latin

FREE_ENDINGS_FROM = 5  # a glossary stem this long takes any ending (verb forms are too many to list)
# General vocabulary (stems) the clinical glossary does not carry: it names no topic.
GENERIC = ("uzoq", "qisqa", "holat", "faoliyat", "faol", "etish", "qilish", "bo'lish", "narsa", "yo'l", "usul",
              "tur", "xil", "davr", "bosqich", "vaqt", "natija", "muammo", "omil", "daraja", "qiymat", "ta'sir",
              "foyda", "zarar", "yaxshi", "yomon", "yuqori", "past", "yangi", "oddiy", "ko'p", "kam", "eng", "juda",
              "doimiy", "asosiy", "muhim", "boshqa", "hamma", "barcha", "ko'pchilik", "bir kun", "qachondir")


# The particle -chi ("and what about …?") ends only Uzbek questions, whatever word it follows
# (Empagliflozin-chi?, Эмпаглифлозин-чи?).
_CHI_LATIN = re.compile(r"\w-chi\W*$", re.I)
_CHI_CYRILLIC = re.compile(r"\w-чи\W*$", re.I)
_PARTICLE = re.compile(r"(?<=\w)-(?:chi|чи)\b", re.I)  # a mark of the question, not part of its word


def model_text(text: str, script: str) -> str:
    """Cyrillic → 1995 Latin (Latin terms such as IL-6 kept), oʻ/gʻ as the ASCII o'/g' most Uzbek web
    text (and so e5) uses; the particle -chi left out (Dozasi-chi? asks for the dose)."""
    text = _PARTICLE.sub("", text)
    return plain_apostrophes(uzbek_to_latin(text) if script == "Cyrl" else text)


def _senses(word: str) -> tuple[str, ...]:
    from qa.languages.uz import dictionary as uz_dictionary  # 25k headwords: loaded on the first Uzbek question

    return uz_dictionary.senses(word)


FUNCTION_WORDS = frozenset("va bilan uchun ham esa bu yoki emas nima qanday qaysi qancha necha kim mi".split())
# Closed classes of the grammar, which name no topic whatever the dictionary gives for them
# (haqida "about" is glossed "truth"): postpositions, the existential bor / yo'q / mavjud, modal
# words and the copula's forms; with a question, attributive or predicative ending (bormi, haqidagi, mavjuddir).
CLOSED_CLASSES = FUNCTION_WORDS | frozenset("""
haqida haqda qaraganda nisbatan ko'ra kabi singari orqali tufayli sababli keyin oldin avval so'ng beri qadar
bo'yicha davomida ichida orasida o'rniga bo'ylab yuzasidan bor yo'q mavjud kerak mumkin lozim ekan edi
""".split())
_CLOSED_ENDING = re.compile(r"(?:mi|gi|dir)$")


def _generic(word: str) -> bool:
    """A closed-class word, or a GENERIC stem with noun endings only (ta'siri, yaxshiroq): kamqonlik
    (anaemia) is not kam (little), nor yo'ldosh (placenta) yo'l (way)."""
    low = plain_apostrophes(uzbek_to_latin(word)).lower()
    return low in CLOSED_CLASSES or _CLOSED_ENDING.sub("", low) in CLOSED_CLASSES or any(
        low.startswith(stem) and uz_morph.noun_ending(low[len(stem):].removeprefix("roq")) for stem in GENERIC)


def _known(word: str) -> bool:
    latin = plain_apostrophes(uzbek_to_latin(word)).lower()
    return latin in FUNCTION_WORDS or bool(_senses(latin))


# Where an Uzbek clause ends: its verb comes last.
_CLAUSE_END = re.compile(r"[.:;!?]|\s[—–]\s")


def imperatives(text: str) -> frozenset[str]:
    """The imperatives of a question: a clause's last word read as one ("…markerini ayting.", "Bo'sh
    joyni to'ldiring: …"). Only there: elsewhere the same spelling is often a noun with "your"."""
    last = (GLOSS.findall(clause)[-1:] for clause in _CLAUSE_END.split(text))
    return frozenset(words[0].lower() for words in last if words and uz_morph.may_be_imperative(words[0]))


LANGUAGE = Language(
    code="uz",
    name="Oʻzbek",
    scripts=("Latn", "Cyrl"),
    evidence={
        "Cyrl": ((re.compile(r"[ўқғҳЎҚҒҲ]"), 1.5), (re.compile(
            r"(?<!\w)(?:нима|учун|билан|ва|қандай|қайси|эса|ёки|бўл\w*|мумкин|керак|ҳам|бу|нинг|қаери|қанча)(?!\w)",
            re.I), 0.8), (_CHI_CYRILLIC, 1.5)),
        "Latn": ((re.compile(
            r"\b\w*[oOgG][ʻʼ'‘’`]\w*|\b(?:va|ham|bilan|uchun|qaysi|nima|qanday|bo'l\w*|emas|yoki|mumkin)\b"), 0.8),
                 (_CHI_LATIN, 1.5)),
    },
    # langdetect has no Uzbek: it reads Uzbek Cyrillic as Bulgarian/Macedonian…, Latin as Turkish/Somali…
    langdetect_labels={"Cyrl": ("bg", "mk", "uk", "sr", "kk", "ky", "tg"),
                       "Latn": ("tr", "so", "az", "uz", "id", "sw", "fi")},
    function_words={"Cyrl": frozenset("ва билан учун ҳам эса бу ёки нинг".split()),
                    "Latn": frozenset("va bilan uchun ham esa bu yoki emas".split())},
    priority=0,
    not_found={"Cyrl": "Манбаларда бу саволга жавоб йўқ. Энг яқин парчалар манбалар орасида кўрсатилган.",
               "Latn": "Manbalarda bu savolga javob yoʻq. Eng yaqin parchalar manbalar orasida koʻrsatilgan."},
    source_notes={"en": {"Cyrl": "Инглизча манбалардан:", "Latn": "Inglizcha manbalardan:"},
                  "ru": {"Cyrl": "Русча манбалардан:", "Latn": "Ruscha manbalardan:"}},
    related_answer={"Cyrl": ("Манбалар бу мавзуга тегишли, лекин саволга жавоб бермаслиги мумкин{missing}. "
                             "Энг яқин фикрлар:", " (уларда топилмади: {terms})"),
                    "Latn": ("Manbalar bu mavzuga tegishli, lekin savolga javob bermasligi mumkin{missing}. "
                             "Eng yaqin fikrlar:", " (ularda topilmadi: {terms})")},
    labels={
        "quoted": "Javobda iqtibos qilingan", "related": "Yaqin parcha", "rank": "{total} tadan {rank}-oʻrin",
        "copy": "Havolalar bilan nusxalash", "references": "Manbalar",
        "closest": "Eng yaqin parchalar", "question_label": "Savol", "carried": "Oldingi savol bilan birga oʻqildi",
        "read_as": "Xatolar shunday oʻqildi",
        "changed_sources": "Indekslangandan keyin oʻzgargan yoki oʻchirilgan, iqtiboslar ularda endi "
                           "boʻlmasligi mumkin (qayta indekslang)",
        "files": "Fayllar oʻqilmoqda", "chunks": "Parchalar vektorlanmoqda", "passages": "parcha", "passage": "parcha",
        "files_unit": "fayl", "chunks_unit": "parcha",
        "ocr": "Skanlar oʻqilmoqda (OCR)", "ocr_unit": "sahifa",
        "ocr_note": "OCR bilan oʻqilgan: sahifa tasviri bilan solishtiring",
        "not_indexed": "indekslanmadi", "auto": "Avto",
        "title": "## qa — tibbiy manbalaringizdan iqtiboslar bilan javoblar",
        "question": "Savolingiz (English, Русский, Oʻzbek)", "placeholder": "Savol bering…",
        "ask": "Soʻrash", "clear": "Suhbatni tozalash", "sources": "Manbalar",
        "no_sources": "Javob manbalari shu yerda chiqadi.", "not_found": "Manbalarda topilmadi",
        "related_verdict": "Mavzuga yaqin, lekin savolga javob bermasligi mumkin", "confidence": "ishonch",
        "detected": "Savol tili", "lines": "qatorlar", "score": "oʻxshashlik", "page": "bet",
        "context": "Hujjatda koʻrsatish", "upload": "Hujjat qoʻshish", "added": "qoʻshildi, endi qidirsa boʻladi",
        "already": "u korpusda avvaldan bor edi",
        "interface": "Interfeys tili", "examples": "Misollar", "changed": "Fayl indekslangandan keyin oʻzgargan.",
        "missing": "Fayl endi korpusda yoʻq.", "unreadable": "Faylni endi oʻqib boʻlmaydi.",
        "offsets": "Parcha fayl matnining oxiridan tashqarida.", "outside": "Fayl korpusdan tashqarida.",
        "removed": "Hujjat korpusdan olib tashlangan.", "full_passage": "Butun parcha",
        "page_lines": "sahifaning {start}–{end}-qatorlari",
        "documents": "Hujjatlar", "indexed_files": "Indekslangan",
        "skipped_files": "Oʻtkazib yuborilgan", "pages": "bet", "remove": "Olib tashlash",
        "remove_choice": "Olib tashlanadigan fayl", "removed_ok": "indeksdan olib tashlandi; savatchada saqlandi",
        "no_documents": "Hali hech qanday hujjat indekslanmagan.", "languages": "Tillar",
    },
    reasons=REASONS,
    script_names={"Latn": "lotin", "Cyrl": "kirill"},
    glossary=resources.files(__name__) / "glossary.tsv",
    borrows=("ru",),
    gloss_ending=lambda rest, stem_length: uz_morph.noun_ending(rest) or stem_length >= FREE_ENDINGS_FROM,
    generic=_generic,
    relation=uz_morph.is_relation,
    imperatives=imperatives,
    known=_known,
    senses=_senses,
    forms=uz_morph.forms,
    focus=frozenset({"qaysi", "қайси", "qanday", "қандай"}),
    model_text=model_text,
    asks_number=(r"qancha", r"necha\w*", r"doza\w*", r"қанча", r"неча\w*", r"доза\w*", r"qaysi yil\w*", r"қайси йил\w*",
                 r"xavfi? nisbat\w*", r"хавфи? нисбат\w*"),
    asks_name=(r"kim", r"ким"),
    number_words=("bir", "ikki", "uch", "to'rt", "besh", "olti", "yetti", "sakkiz", "to'qqiz", "o'n", "yigirma",
                  "o'ttiz", "qirq", "ellik", "yuz", "yarim"),
    anaphors=("bu", "ular", "shu", "ushbu", "бу", "улар", "шу", "ушбу"),
    back_references=frozenset({"u", "ular", "uning", "ularning", "unga", "ularga", "undan", "ulardan", "unda",
                               "ularda", "uni", "ularni", "bu", "shu", "ushbu", "bunda", "shunda", "buning",
                               "у", "улар", "унинг", "уларнинг", "унга", "уларга", "ундан", "улардан", "унда",
                               "уларда", "уни", "уларни", "бу", "шу", "ушбу", "бунда", "шунда", "бунинг"}),
    # "Keksalarda-chi?" ("and in the elderly?"): the particle -chi asks about something in place of
    # what the earlier question asked about.
    centring="own",
    labels_script="Latn",
    to_script=lambda text, script: uzbek_to_cyrillic(text) if script == "Cyrl" else text,
    quotation_marks=("«", "»"),
    example={"Cyrl": "HERMES тадқиқотида қайси препарат синовдан ўтказилган?",
             "Latn": "Yuqori IL-6 kortikosteroidlarga javob bilan bog'liqmi?"},
    capitals="ЎҚҒҲ",
    lexical_weight=0.02,
    gloss_weight=1.0,
    dictionary_senses=2,
    rendering_threshold=0.91,
    language_gap=0.015,
    continuations=(r"^(?:va|ва|yana|яна|hamda|ҳамда)\b", _CHI_LATIN.pattern, _CHI_CYRILLIC.pattern),
)
