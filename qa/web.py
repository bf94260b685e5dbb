"""The Gradio page: ask in English, Russian or Uzbek; read the cited answer; check every source.

Layout: chat on the left; on the right the interface-language selector, the sources of the latest
answer (excerpt with the supporting sentences marked, and the surrounding original text on demand)
and an upload box. All document text is HTML-escaped (and Markdown-escaped in the chat): a corpus
file can never inject markup or script into the page.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import gradio as gr

from qa.api import Engine, open_engine
from qa.build import build
from qa.embed import Embedder
from qa.errors import ExtractionError, QAError
from qa.formats import SUPPORTED_SUFFIXES
from qa.index import Index
from qa.languages import ENGLISH, LANGUAGES
from qa.progress import progress_bar
from qa.read import sha256, to_document
from qa.settings import LimitSettings, Settings
from qa.types import Answer, Citation

MAX_UPLOAD_MB = LimitSettings().max_upload_mb
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


def safe_name(name: str) -> str:
    stem, suffix = os.path.splitext(os.path.basename(name))
    stem = re.sub(r"[^\w.-]+", "_", stem).strip("._") or "document"
    return stem[:100] + suffix.lower()


def store_upload(path: Path, folder: Path) -> tuple[str | None, str]:
    """Validate one uploaded file and copy it into the corpus; (stored name, message).
    An existing file is never overwritten: a different file of the same name gets a new name."""
    name = safe_name(path.name)
    if Path(name).suffix not in SUPPORTED_SUFFIXES:
        allowed = ", ".join(sorted(SUPPORTED_SUFFIXES))
        return None, f"❌ {name}: unsupported type (allowed: {allowed})"
    size = path.stat().st_size
    if size > MAX_UPLOAD_MB * 2**20:
        return None, f"❌ {name}: larger than {MAX_UPLOAD_MB} MB"
    data = path.read_bytes()
    try:
        if not to_document(name, data).text.strip():
            return None, f"❌ {name}: no text in it"
    except ExtractionError as exc:
        return None, f"❌ {name}: {exc}"
    folder.mkdir(parents=True, exist_ok=True)
    target, number = folder / name, 1
    while target.exists():
        if sha256(target.read_bytes()) == sha256(data):
            return None, f"ℹ️ {name}: already in the corpus"
        number += 1
        target = folder / f"{Path(name).stem}-{number}{Path(name).suffix}"
    shutil.copyfile(path, target)
    return target.name, ""


def build_app(engine: Engine, embedder: Embedder) -> gr.Blocks:
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

    def upload(files: list[str] | None, choice: str, last: Answer | None, progress: Any = gr.Progress()) -> str:  # noqa: B008 (Gradio's idiom)
        labels = labels_for(choice, last.language if last else None)
        messages, stored = [], []
        for file in files or []:
            name, message = store_upload(Path(file), settings.corpus_dir / UPLOAD_FOLDER)
            if name:
                stored.append(f"{UPLOAD_FOLDER}/{name}")
            if message:
                messages.append(message)
        if stored:
            def report(stage: str, done: int, total: int) -> None:
                progress((done, total), desc=f"indexing {stage}")

            build(settings, embedder, settings.corpus_dir, settings.index_dir, progress=report)
            index = Index.load(settings.index_dir, settings.vectors)
            engine.reload(index)
            for source in stored:
                count = sum(1 for c in index.chunks if c.source == source)
                messages.append(f"✅ {source}: {labels['added']} ({count} passages)")
        return "\n\n".join(messages) or "—"

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
                    concurrency_id="engine")
        choice.change(relabel, [choice, last], labelled, api_visibility="private")
        clear.click(lambda c: [[], None, *relabel(c, None)], [choice], [chat, last, *labelled],
                    api_visibility="private")
        files.upload(upload, [files, choice, last], [status], api_visibility="private", concurrency_id="engine")
        gr.api(ask_api, api_name="ask", concurrency_id="engine")
    return demo


def serve(host: str | None = None, port: int | None = None, corpus: Path | None = None,
          index: Path | None = None) -> int:
    """Index the corpus (only changed files are embedded, with a progress bar), then serve."""
    settings = Settings()
    settings = replace(settings, corpus_dir=corpus or settings.corpus_dir, index_dir=index or settings.index_dir)
    host = host or os.environ.get("QA_HOST", "127.0.0.1")
    port = port or int(os.environ.get("QA_PORT", "7860"))
    embedder = Embedder(settings, log=lambda message: print(message, file=sys.stderr))
    settings.corpus_dir.mkdir(parents=True, exist_ok=True)
    print(f"qa: indexing {settings.corpus_dir} (only changed files are embedded)…", file=sys.stderr)
    report = build(settings, embedder, settings.corpus_dir, settings.index_dir, progress=progress_bar())
    print(f"qa: {report.summary()}", file=sys.stderr)
    engine = open_engine(settings.index_dir, settings, embedder)
    password = os.environ.get("QA_PASSWORD")
    print(f"qa: serving on http://{host}:{port}", file=sys.stderr)
    build_app(engine, embedder).queue(default_concurrency_limit=1).launch(
        server_name=host, server_port=port, share=False, css=CSS, max_file_size=f"{MAX_UPLOAD_MB}mb",
        auth=(os.environ.get("QA_USER", "qa"), password) if password else None, footer_links=["api"],
    )
    return 0
