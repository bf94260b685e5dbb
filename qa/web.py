"""The Gradio page: ask in English, Russian or Uzbek; read the cited answer; check every source.

Layout: chat on the left; on the right the interface-language selector, the sources of the latest
answer (excerpt with the supporting sentences marked, and the surrounding original text on demand)
and an upload box. All document text is HTML-escaped (and Markdown-escaped in the chat): a corpus
file can never inject markup or script into the page.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr

from qa.api import Engine
from qa.build import build
from qa.errors import QAError
from qa.formats import SUPPORTED_SUFFIXES
from qa.index import Index
from qa.languages import ENGLISH, LANGUAGES
from qa.sandbox import Sandbox
from qa.settings import LimitSettings
from qa.types import Answer, Citation
from qa.uploads import safe_name, store_upload

MAX_UPLOAD_MB = LimitSettings().max_upload_mb
# Questions answered at once (page and /ask share the pool): their encodes are micro-batched into
# one forward pass (Embedder.queries), so throughput grows with load instead of queueing.
ASK_CONCURRENCY = 8
UPLOAD_FOLDER = "uploads"
UPLOAD_HINT = f" ({' '.join(sorted(SUPPORTED_SUFFIXES))}; ≤ {MAX_UPLOAD_MB} MB)"
LABELS: dict[str, dict[str, str]] = {code: entry.labels for code, entry in LANGUAGES.items()}
LANGUAGE_NAMES = {code: entry.name for code, entry in LANGUAGES.items()}
# Script names stay in English on every page for now (localising them is the page issue's work).
SCRIPT_NAMES = ENGLISH.script_names
EXAMPLES = [
    "Which cells produce IL-6 under stress conditions?",
    "Какой препарат испытывали в исследовании HERMES?",
    "HERMES тадқиқотида қайси препарат синовдан ўтказилган?",
    "Yuqori IL-6 kortikosteroidlarga javob bilan bog'liqmi?",
]
CSS = """
.qa-source { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px; margin: 8px 0; }
.qa-source mark { background: #fde68a; color: inherit; }
.qa-meta { font-size: 0.85em; opacity: 0.8; }
.qa-context { white-space: pre-wrap; max-height: 260px; overflow-y: auto; font-size: 0.85em;
  background: var(--background-fill-secondary); padding: 6px; border-radius: 6px; }
.qa-context mark { background: #bfdbfe; color: inherit; }
"""
_BLANK_LINES = re.compile(r"\n[ \t\f]*\n")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def labels_for(choice: str, answer_language: str | None) -> dict[str, str]:
    """The selector wins; on "auto" the page follows the language of the latest question."""
    language = answer_language if choice == "auto" else choice
    return LABELS.get(language or "en", LABELS["en"])


def escape_markdown(text: str) -> str:
    """Document text shown literally in the chat: no HTML, no Markdown links or images."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def chat_message(answer: Answer, labels: dict[str, str]) -> str:
    language = f"{LANGUAGE_NAMES.get(answer.language, answer.language)}, {SCRIPT_NAMES.get(answer.script, '')}"
    footer = f"\n\n_{labels['detected']}: {language}_"
    if not answer.supported:
        return f"⚠️ **{labels['not_found']}**\n\n{escape_markdown(answer.answer)}{footer}"
    return escape_markdown(answer.answer) + footer


def _marked(text: str, spans: list[tuple[int, int]]) -> str:
    pieces, at = [], 0
    for start, end in sorted(spans):
        if start < at:
            continue
        pieces.append(html.escape(text[at:start]))
        pieces.append(f"<mark>{html.escape(text[start:end])}</mark>")
        at = end
    pieces.append(html.escape(text[at:]))
    return "".join(pieces)


def source_card(c: Citation, labels: dict[str, str], engine: Engine) -> str:
    where = f"{labels['page']} {c.page} · " if c.page is not None else ""
    meta = (f"{LANGUAGE_NAMES.get(c.language, c.language)} · {where}{labels['lines']} {c.line_start}–{c.line_end}"
            f" · {labels['score']} {c.score:.3f}")
    context = engine.context(c.source, c.start, c.end)
    if not context.available:
        reason = labels[context.reason or "changed"]  # every reason Engine.context gives has a label
        wider = f"<p class='qa-meta'>{html.escape(reason)}</p>"
    else:
        # The original text, line for line; only the blank line PDF extraction puts after every line is dropped.
        parts = (context.before, context.span, context.after)
        before, span, after = (html.escape(_BLANK_LINES.sub("\n", part)) for part in parts)
        wider = (f"<details><summary>{html.escape(labels['context'])}</summary><div class='qa-context'>"
                 f"…{before}<mark>{span}</mark>{after}…</div></details>")
    return (f"<div class='qa-source' data-n='{c.n}'><b>[{c.n}] {html.escape(c.source)}</b>"
            f"<div class='qa-meta'>{meta}</div><p class='qa-excerpt'>{_marked(c.text, c.highlights)}</p>{wider}</div>")


def sources_html(answer: Answer | None, labels: dict[str, str], engine: Engine) -> str:
    if answer is None:
        return f"<h3>{html.escape(labels['sources'])}</h3><p class='qa-meta'>{html.escape(labels['no_sources'])}</p>"
    cards = "\n".join(source_card(c, labels, engine) for c in answer.citations)
    return f"<h3>{html.escape(labels['sources'])}</h3>\n{cards}"


def discard_upload(path: Path) -> None:
    """Remove Gradio's temporary copy of an upload once handled (refused ones included): it would
    otherwise stay in Gradio's cache, fetchable at /gradio_api/file=…, until the server stops."""
    try:
        path.unlink(missing_ok=True)
        path.parent.rmdir()  # Gradio keeps each upload in a folder of its own
    except OSError:
        pass


def upload_files(files: list[str], engine: Engine, sandbox: Sandbox, labels: dict[str, str],
                 progress: Callable[[str, int, int], None] | None = None) -> str:
    """Store each file on its own (a refused file never affects the others), index the batch, and
    say for each file what happened."""
    settings = engine.settings
    messages, stored = [], []
    for file in files:
        path = Path(file)
        result = store_upload(path, settings.corpus_dir / UPLOAD_FOLDER, sandbox, MAX_UPLOAD_MB * 2**20)
        discard_upload(path)
        if result.name is None:
            messages.append(f"❌ {safe_name(path.name)}: {result.message}")
        else:
            # Already present: indexed again if it is not in the index yet (a build that failed before).
            stored.append((f"{UPLOAD_FOLDER}/{result.name}", result.present))
    if not stored:
        return "\n\n".join(messages) or "—"
    try:
        report = build(settings, engine.embedder, settings.corpus_dir, settings.index_dir, progress=progress)
        index = Index.load(settings.index_dir, settings.vectors)
    except QAError as exc:
        return "\n\n".join([*messages, f"❌ {exc}"])
    engine.reload(index)
    skipped = {s.source: s.reason for s in report.skipped}
    for source, present in stored:
        count = sum(1 for c in index.chunks if c.source == source)
        if count:
            note = f" ({labels['already']})" if present else ""
            messages.append(f"✅ {source}: {labels['added']} ({count} passages){note}")
        else:
            messages.append(f"❌ {source}: {skipped.get(source, 'not indexed')}")
    return "\n\n".join(messages)


def build_app(engine: Engine) -> gr.Blocks:
    settings = engine.settings

    def relabel(choice: str, answer: Answer | None) -> list[Any]:
        labels = labels_for(choice, answer.language if answer else None)
        return [
            gr.update(value=labels["title"]),
            gr.update(label=labels["question"], placeholder=labels["placeholder"]),
            gr.update(value=labels["ask"]),
            gr.update(value=labels["clear"]),
            gr.update(label=labels["upload"] + UPLOAD_HINT),
            gr.update(label=labels["interface"]),
            sources_html(answer, labels, engine),
        ]

    def respond(question: str, history: list[dict], choice: str, last: Answer | None) -> list[Any]:
        history = list(history or [])
        try:
            answer = engine.ask(question)
        except QAError as exc:
            history += [{"role": "user", "content": escape_markdown(question or " ")},
                        {"role": "assistant", "content": f"⚠️ {exc}"}]
            return [history, question, last, *relabel(choice, last)]
        labels = labels_for(choice, answer.language)
        history += [
            {"role": "user", "content": escape_markdown(answer.question)},
            {"role": "assistant", "content": chat_message(answer, labels)},
        ]
        return [history, "", answer, *relabel(choice, answer)]

    sandbox = Sandbox(settings.limits)  # one extraction process for the server's uploads

    def upload(files: list[str] | None, choice: str, last: Answer | None, progress: Any = gr.Progress()) -> list[Any]:  # noqa: B008 (Gradio's idiom)
        labels = labels_for(choice, last.language if last else None)

        def report(stage: str, done: int, total: int) -> None:
            progress((done, total), desc=f"indexing {stage}")

        return [upload_files(files or [], engine, sandbox, labels, report), None]

    def ask_api(question: str) -> dict:
        """The same JSON object as `qa ask --json`."""
        return engine.ask(question).to_json()

    with gr.Blocks(title="qa — cited medical answers") as demo:
        last = gr.State(None)
        title = gr.Markdown(LABELS["en"]["title"])
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(label="qa", height=520, elem_id="qa-chat", feedback_options=None,
                                  sanitize_html=True, buttons=["copy"])
                box = gr.Textbox(label=LABELS["en"]["question"], placeholder=LABELS["en"]["placeholder"],
                                 lines=2, elem_id="qa-question")
                with gr.Row():
                    send = gr.Button(LABELS["en"]["ask"], variant="primary", elem_id="qa-ask")
                    clear = gr.Button(LABELS["en"]["clear"], elem_id="qa-clear")
                gr.Examples(EXAMPLES, inputs=box, label="Examples · Примеры · Misollar")
            with gr.Column(scale=2):
                choice = gr.Radio([("Auto", "auto"), ("English", "en"), ("Русский", "ru"), ("Oʻzbek", "uz")],
                                  value="auto", label=LABELS["en"]["interface"], elem_id="qa-ui-language")
                sources = gr.HTML(sources_html(None, LABELS["en"], engine), elem_id="qa-sources")
                # No client-side type filter: the server checks every file and says why it refused one.
                files = gr.File(label=LABELS["en"]["upload"] + UPLOAD_HINT, file_count="multiple", elem_id="qa-upload")
                status = gr.Markdown(elem_id="qa-upload-status")
        labelled = [title, box, send, clear, files, choice, sources]
        for trigger in (send.click, box.submit):
            trigger(respond, [box, chat, choice, last], [chat, box, last, *labelled], api_visibility="private",
                    concurrency_id="ask", concurrency_limit=ASK_CONCURRENCY)
        choice.change(relabel, [choice, last], labelled, api_visibility="private")
        clear.click(lambda c: [[], None, *relabel(c, None)], [choice], [chat, last, *labelled],
                    api_visibility="private")
        # Uploads queue among themselves, not behind or ahead of questions: asking goes on while a file indexes.
        files.upload(upload, [files, choice, last], [status, files], api_visibility="private", concurrency_id="upload")
        gr.api(ask_api, api_name="ask", concurrency_id="ask", concurrency_limit=ASK_CONCURRENCY)
    return demo
