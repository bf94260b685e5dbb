"""Language (en / ru / uz) and script (Latn / Cyrl) of a question or a passage.

langdetect has no Uzbek (it calls Uzbek Cyrillic "bg" and Uzbek Latin "tr"), so the decision is
layered: the script comes from the letters; inside a script, letters that only one language uses
are strong evidence (ў қ ғ ҳ → Uzbek; ы щ → Russian; oʻ/gʻ → Uzbek Latin), then py3langid restricted
to the three languages, with langdetect as a second opinion on longer Latin text.
"""

from __future__ import annotations

import re
from functools import lru_cache

LANGUAGES = ("en", "ru", "uz")
_UZ_CYRILLIC = re.compile(r"[ўқғҳЎҚҒҲ]")
_RU_ONLY = re.compile(r"[ыщЫЩ]")
_UZ_LATIN = re.compile(r"\b\w*[oOgG][ʻʼ'‘’`]\w*|\b(?:va|ham|bilan|uchun|qaysi|nima|qanday|bo'l\w*|emas|yoki|mumkin)\b")
_EN_WORDS = re.compile(r"\b(?:the|and|of|is|are|what|which|how|does|with|in|to|for|was|why|when)\b", re.I)
_UZ_CYR_WORDS = re.compile(
    r"(?<!\w)(?:нима|учун|билан|ва|қандай|қайси|эса|ёки|бўл\w*|мумкин|керак|ҳам|бу|нинг|қаери|қанча)(?!\w)", re.I
)
_RU_WORDS = re.compile(
    r"(?<!\w)(?:и|в|не|на|я|что|с|он|как|это|по|но|к|у|же|вы|за|бы|от|мне|то|все|так|его|для|при|ли"
    r"|до|или|кто|над|под|из|о|мы|ты|она|они|нет|есть|был\w*|ест|где|когда|почему|какие|какой)(?!\w)",
    re.I,
)
_LETTER = re.compile(r"[^\W\d_]{2,}")
# Latin acronyms and gene names (IL-6, HERMES, NT-proBNP, SGLT2) say nothing about the language.
_ACRONYM = re.compile(r"\b(?:[A-Z]{2,}[\w-]*|\w*\d\w*|[A-Za-z]+-\d+\w*)\b")


def script_of(text: str) -> str:
    cyrillic = sum(1 for ch in text if "\u0400" <= ch <= "\u04ff")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return "Cyrl" if cyrillic > latin else "Latn"


@lru_cache(maxsize=1)
def _identifier():  # type: ignore[no-untyped-def]
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
    ident.set_languages(list(LANGUAGES))
    return ident


def _langid_scores(text: str) -> dict[str, float]:
    ranked = _identifier().rank(text)
    return {lang: float(p) for lang, p in ranked}


def _langdetect(text: str) -> dict[str, float]:
    try:
        from langdetect import DetectorFactory, detect_langs

        DetectorFactory.seed = 0  # deterministic
        return {p.lang: float(p.prob) for p in detect_langs(text)}
    except Exception:  # langdetect raises on text without letters
        return {}


def detect(text: str, second_opinion: bool = True) -> tuple[str, str]:
    """Return (language, script) for any text, short questions included.

    ``second_opinion=False`` skips langdetect (~5 ms a call) for long passage sentences, where
    py3langid and the letters are evidence enough."""
    script = script_of(text)
    words = _ACRONYM.sub(" ", text)
    if not _LETTER.search(words):
        return ("ru" if script == "Cyrl" else "en"), script
    scores = _langid_scores(words)
    if script == "Cyrl":
        uz = scores.get("uz", 0.0) + 1.5 * len(_UZ_CYRILLIC.findall(words)) + 0.8 * len(_UZ_CYR_WORDS.findall(words))
        other = scores.get("ru", 0.0) + 1.0 * len(_RU_ONLY.findall(words)) + 0.6 * len(_RU_WORDS.findall(words))
        other_language, uz_votes, other_votes = "ru", ("bg", "mk", "uk", "sr", "kk", "ky", "tg"), "ru"
    else:
        uz = scores.get("uz", 0.0) + 0.8 * len(_UZ_LATIN.findall(words))
        other = scores.get("en", 0.0) + 0.5 * len(_EN_WORDS.findall(words))
        other_language, uz_votes, other_votes = "en", ("tr", "so", "az", "uz", "id", "sw", "fi"), "en"
    # langdetect reads Uzbek Cyrillic as Bulgarian/Macedonian and Uzbek Latin as Turkish/Somali:
    # those labels are votes for Uzbek, "ru"/"en" votes for Russian/English. Its probabilities sum
    # to at most 1, so when the letters and py3langid already lead by more than 1 it cannot change
    # the answer and is skipped (it costs ~5 ms a call, a fifth of a query's encode). Indexing also
    # skips it for long sentences, where py3langid and the letters are evidence enough.
    if abs(uz - other) <= 1.0 and (second_opinion or len(words) < 40):
        votes = _langdetect(words)
        uz += sum(p for lang, p in votes.items() if lang in uz_votes)
        other += votes.get(other_votes, 0.0)
    return ("uz" if uz > other else other_language), script
