"""How much lower e5 scores a passage for a question in another language: the measurement behind
each language entry's ``language_gap``.

    .venv/bin/python -m bench.language_gap

For each Tatoeba dev pair, the English sentence is indexed as a passage; qa's question vector of the
Russian / Uzbek sentence (with its gloss, as ``Retriever.query_vector`` makes it) and of the English
sentence itself are scored against it. The gap is the median of (English − translation) cosines.
"""

from __future__ import annotations

import numpy as np

from bench.common import DATA, english_sentences_index, read_rows
from qa.answer.retrieve import Retriever, prepare
from qa.languages import LANGUAGES
from qa.model.embed import Embedder
from qa.settings import Settings


def main() -> int:
    settings = Settings.from_env()
    embedder = Embedder(settings)
    for name in ("tatoeba_ru_en_dev.jsonl", "tatoeba_uz_en_dev.jsonl"):
        if not (DATA / name).exists():
            print(f"skip: {DATA / name} not found")
            continue
        rows = read_rows(name)
        with english_sentences_index(settings, embedder, rows) as index:
            retriever = Retriever(index, embedder, settings)
            passage = {chunk.source: index.vectors[i] for i, chunk in enumerate(index.chunks)}
            gaps = []
            for row in rows:
                vector = passage[f"{row['id']}.txt"]
                own = float(retriever.query_vector(prepare(row["english"], settings)) @ vector)
                translated = float(retriever.query_vector(prepare(row["text"], settings)) @ vector)
                gaps.append(own - translated)
        print(f"{name}: {len(gaps)} pairs, median gap {np.median(gaps):.3f} "
              f"(the language entries: {({code: e.language_gap for code, e in LANGUAGES.items()})})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
