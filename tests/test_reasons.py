"""One vocabulary of refusals (qa.reasons): every reason reads back into its key and values, and
every language with its own page says every reason with the same values."""

from __future__ import annotations

import re

import pytest

from qa.languages import LANGUAGES
from qa.reasons import REASONS, parse, reason, translate
from qa.web.cards import labels_for


@pytest.mark.parametrize("key", sorted(REASONS))
def test_each_reason_reads_back(key: str) -> None:
    names = re.findall(r"\{(\w+)\}", REASONS[key])
    values = {name: f"value{i}" for i, name in enumerate(names)}
    if names:  # the last value may be a library's message, brackets and colons included
        values[names[-1]] = "KeyError: 'word/document.xml' (there is no item named it)"
    assert parse(reason(key, **values)) == (key, values)


def test_every_page_language_says_every_reason() -> None:
    for code, entry in LANGUAGES.items():
        if not entry.reasons:
            continue
        assert set(entry.reasons) == set(REASONS), code
        for key, text in entry.reasons.items():
            assert set(re.findall(r"\{(\w+)\}", text)) == set(re.findall(r"\{(\w+)\}", REASONS[key])), (code, key)


def test_a_reason_in_the_readers_language_and_script() -> None:
    message = reason("too_large", mb=20)
    assert translate(message, labels_for("ru", "ru")) == "больше 20 МБ"
    assert translate(message, labels_for("uz-Cyrl", "uz", "Cyrl")) == "20 MB дан катта"
    assert translate(message, labels_for("en", "en")) == message
    assert translate("a library's own words", labels_for("ru", "ru")) == "a library's own words"
    # The most literal template wins: this is not "corrupt {kind} ({detail})".
    assert parse(reason("corrupt_word")) == ("corrupt_word", {})
