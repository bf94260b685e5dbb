"""A language is one entry: a toy fourth language, registered with one line, is detected, chunked,
answered in its own words and offered on the page, with the numbers its entry carries."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r'''
import dataclasses, json, re
from qa.languages import ENGLISH, LANGUAGES, language_gap
from qa.languages.base import Language

toy = Language(
    code="de", name="Deutsch", scripts=("Latn",),
    evidence={"Latn": ((re.compile(r"[äöüß]|\b(?:welche|wie|und|der|die|das|nicht|bei|ist)\b", re.I), 1.0),)},
    langdetect_labels={"Latn": ("de",)},
    function_words={"Latn": frozenset("und der die das nicht ist bei".split())},
    priority=0,
    not_found={"Latn": "Die Quellen beantworten diese Frage nicht."},
    source_notes={"en": {"Latn": "Zitat aus einer englischen Quelle:"}},
    related_answer={"Latn": ("Die Quellen behandeln das Thema{missing}:", " (nicht gefunden: {terms})")},
    labels=dict(ENGLISH.labels), script_names={"Latn": "lateinisch"},
    example={"Latn": "Welche Zellen bilden IL-6 bei Stress?"},
    capitals="ÄÖÜ", centring="own", lexical_weight=0.03, language_gap=0.02,
)
LANGUAGES["de"] = toy  # the registration line

from qa.answer.messages import not_found_message
from qa.answer.retrieve import prepare
from qa.ingest.chunk import split_sentences
from qa.languages.detect import detect
from qa.web.page import EXAMPLES

question = prepare("Welche Zellen bilden IL-6 bei Stress und wie schnell?")
print(json.dumps({
    "detected": list(detect("Wie hoch ist die Dosis bei Kindern und Älteren?")),
    "query": question.language,
    "sentences": len(split_sentences("Die Dosis war hoch. Ärzte sahen das sofort.")),
    "not_found": not_found_message("de", "Latn"),
    "gap": language_gap("de", "en"),
    "example": "Welche Zellen bilden IL-6 bei Stress?" in EXAMPLES,
}))
'''


def test_a_toy_language_is_one_entry_and_one_registration_line() -> None:
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["detected"] == ["de", "Latn"]
    assert seen["query"] == "de"
    assert seen["sentences"] == 2, "its capitals open a sentence (Ä is not A-Z)"
    assert seen["not_found"] == "Die Quellen beantworten diese Frage nicht."
    assert seen["gap"] == 0.02, "the entry's measured gap, against English's 0"
    assert seen["example"], "the page offers its example question"
