"""What the answer says in the reader's language (texts from the language table, qa.languages)."""

from __future__ import annotations

from qa.languages import language


def not_found_message(code: str, script: str) -> str:
    return language(code).in_script(language(code).not_found, script)


def source_note(code: str, script: str, source: str) -> str:
    """Said before an answer quoted only from sources in one other language (``source``) to a reader
    of ``code`` (when a statement in the reader's language is among them, the cards tell each one's
    language)."""
    entry = language(code)
    return entry.in_script(entry.source_notes.get(source, {}), script)


def related_message(code: str, script: str, missing: list[str]) -> str:
    """Said before the closest statements when the sources discuss the topic but may not answer:
    the caveat, naming the question's words no cited passage covers."""
    entry = language(code)
    caveat, clause = entry.related_answer.get(script) or entry.related_answer[entry.default_script]
    return caveat.format(missing=clause.format(terms=", ".join(missing)) if missing else "")
