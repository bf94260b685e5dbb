"""Share of content words that get an English gloss, on text the glossaries' authors never read:
the Uzbek side of Tatoeba and the RuMedDaNet questions (issue 12).

    .venv/bin/python -m bench.coverage

A content word is any word the glossing step keeps (function words, acronyms and numbers aside);
it is covered by the curated glossary, or by the language's general senses (Uzbek dictionary,
Russian lemma → glossary) when the glossary has none."""

from __future__ import annotations

import json
import sys

from bench.common import DATA
from qa.answer.retrieve import prepare
from qa.languages.glossary import to_english


def coverage(questions: list[str]) -> tuple[int, float, float]:
    """(content words, share glossed by the curated glossary, share glossed by glossary or dictionary)."""
    words = glossary = either = 0
    for question in questions:
        query = prepare(question)
        by_glossary = to_english(query.embed_text, query.language)
        with_dictionary = to_english(query.embed_text, query.language, fallback=1)
        words += by_glossary.content
        glossary += by_glossary.translated
        either += with_dictionary.translated
    return words, glossary / max(words, 1), either / max(words, 1)


def main() -> int:
    sets = {"Tatoeba, Uzbek side": ("tatoeba_uz_en_dev.jsonl", "text"),
            "RuMedDaNet questions": ("rumeddanet_dev.jsonl", "question")}
    print("| text | content words | glossary | glossary or dictionary |\n|---|---|---|---|")
    for name, (file, field) in sets.items():
        if not (DATA / file).exists():
            print(f"skip: {DATA / file} not found", file=sys.stderr)
            continue
        questions = [json.loads(line)[field] for line in (DATA / file).open(encoding="utf-8")]
        words, glossary, either = coverage(questions)
        print(f"| {name} | {words} | {glossary:.2f} | {either:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
