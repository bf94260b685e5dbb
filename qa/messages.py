"""What the answer says in the reader's language (texts from the language table, qa.languages)."""

from __future__ import annotations

from qa.languages import language


def not_found_message(code: str, script: str) -> str:
    return language(code).in_script(language(code).not_found, script)


def english_source_note(code: str, script: str) -> str:
    """Said before an answer quoted from a source in another language than the question's."""
    entry = language(code)
    return entry.in_script(entry.english_source, script) if entry.english_source else ""
