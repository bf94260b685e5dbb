"""What the answer says in the reader's language: the not-found state and the English-source note."""

from __future__ import annotations

NOT_FOUND = {
    ("en", "Latn"): "The sources do not contain an answer to this question. The closest passages are listed below.",
    ("ru", "Cyrl"): "В источниках нет ответа на этот вопрос. Ниже приведены ближайшие фрагменты.",
    ("uz", "Cyrl"): "Манбаларда бу саволга жавоб йўқ. Энг яқин парчалар қуйида келтирилган.",
    ("uz", "Latn"): "Manbalarda bu savolga javob yo'q. Eng yaqin parchalar quyida keltirilgan.",
}
# Said before an answer quoted from a source in another language than the question's.
ENGLISH_SOURCE = {
    ("ru", "Cyrl"): "Цитата из англоязычного источника:",
    ("uz", "Cyrl"): "Инглизча манбадан иқтибос:",
    ("uz", "Latn"): "Inglizcha manbadan iqtibos:",
}


def _default_script(language: str) -> str:
    return "Cyrl" if language == "ru" else "Latn"


def not_found_message(language: str, script: str) -> str:
    fallback = NOT_FOUND.get((language, _default_script(language)), NOT_FOUND[("en", "Latn")])
    return NOT_FOUND.get((language, script), fallback)


def english_source_note(language: str, script: str) -> str:
    return ENGLISH_SOURCE.get((language, script), ENGLISH_SOURCE.get((language, _default_script(language)), ""))
