"""The page's Documents panel: every indexed file with its language sections, pages and passages;
every skipped file with its reason; and removing a file (into the index's trash, then out of the
index, in the indexing worker, while questions keep being answered)."""

from __future__ import annotations

import html

from qa.api import Engine
from qa.errors import QAError
from qa.ingest.build_worker import build_elsewhere
from qa.ingest.documents import indexed_files, indexed_here, remove, skipped_files
from qa.languages import LANGUAGES
from qa.reasons import translate
from qa.store.factory import open_index
from qa.web.cards import ADDED, REFUSED, escape_markdown, said


def documents_html(engine: Engine, labels: dict[str, str]) -> str:
    """The panel's listing; read when the panel opens and after a change, never with each answer."""
    try:
        index = engine.live_index()
        files, skipped = indexed_files(index), skipped_files(index)
    except Exception as exc:  # noqa: BLE001 (a backend's own errors, a Milvus connection lost): said, not raised
        return f"<p class='qa-meta'>{html.escape(str(exc))}</p>"
    if not files and not skipped:
        return f"<p class='qa-meta'>{html.escape(labels['no_documents'])}</p>"
    head = "".join(f"<th>{html.escape(labels[key])}</th>"
                   for key in ("indexed_files", "languages", "pages", "passages"))
    rows = "".join(
        f"<tr><td>{html.escape(f.source)}</td><td>{html.escape(', '.join(map(_named(labels), f.sections)))}</td>"
        f"<td>{f.pages if f.pages is not None else '–'}</td><td>{f.passages}</td></tr>"
        for f in files
    )
    out = f"<table class='qa-documents'><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    if skipped:
        items = "".join(f"<li>{html.escape(source)}: {html.escape(translate(reason, labels))}</li>"
                        for source, reason in skipped.items())
        out += f"<p class='qa-meta'>{html.escape(labels['skipped_files'])} ({len(skipped)})</p><ul>{items}</ul>"
    return out


def _named(labels: dict[str, str]):  # type: ignore[no-untyped-def]
    """A section's name for the reader: "en-Latn" is English, "uz-Cyrl" Ўзбек (Cyrillic), the
    language in its own words and script, the script in the reader's; an unknown one stays as it is."""
    def name(slug: str) -> str:
        code, _, script = slug.partition("-")
        entry = LANGUAGES.get(code)
        if entry is None:
            return slug
        own = entry.page_labels(script)["name"] if script in entry.scripts else entry.name
        return f"{own} ({labels.get(f'script_{script}', script)})" if len(entry.scripts) > 1 else own
    return name


def removable(engine: Engine) -> list[str]:
    """The files a reader may remove: the index's file list (in memory, no pass over the chunks)."""
    return sorted(engine.live_index().manifest.get("files", {}))


def remove_document(engine: Engine, source: str | None, labels: dict[str, str]) -> str:
    """Move ``source`` to the trash and take it out of the index; what happened, in words."""
    if not source:
        return ""
    settings = engine.settings

    def update() -> None:
        build_elsewhere(settings, settings.corpus_dir, settings.index_dir)
        engine.reload(open_index(settings))

    try:  # one at a time: the page queues removals with uploads (one concurrency group, limit 1)
        remove(settings, source, update, indexed=indexed_here(engine.live_index(), settings.corpus_dir, source))
    except QAError as exc:
        return f"{REFUSED} {escape_markdown(source)}: {said(str(exc), labels)}"
    return f"{ADDED} {escape_markdown(source)}: {escape_markdown(labels['removed_ok'])}"
