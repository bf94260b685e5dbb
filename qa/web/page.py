"""The Gradio page: ask in English, Russian or Uzbek; read the cited answer; check every source.

Layout: chat on the left (Enter sends, Shift+Enter adds a line; a follow-up is read with the chat's
earlier questions); on the right the interface-language selector, the sources of the latest answer
(one card per passage, the supporting sentences marked, the original text or the PDF page on
demand), the copy button and an upload box. On a phone the columns stack, sources below the chat.
What an answer looks like on the page is qa.web.cards.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import gradio as gr

from qa.api import Engine
from qa.errors import QAError
from qa.ingest.build_worker import build_elsewhere
from qa.ingest.formats import SUPPORTED_SUFFIXES
from qa.ingest.sandbox import Sandbox
from qa.ingest.uploads import safe_name, store_upload
from qa.languages import LANGUAGES
from qa.settings import LimitSettings
from qa.store.factory import open_index
from qa.types import Answer
from qa.web.cards import ADDED, LABELS, REFUSED, chat_message, escape_markdown, labels_for, said, sources_html
from qa.web.documents_panel import documents_html, removable, remove_document
from qa.web.pageview import PageViews

MAX_UPLOAD_MB = LimitSettings().max_upload_mb
# Questions answered at once (page and /ask share the pool): their encodes are micro-batched into
# one forward pass (Embedder.queries), so throughput grows with load instead of queueing.
ASK_CONCURRENCY = 8
UPLOAD_FOLDER = "uploads"
UPLOAD_HINT = f" ({' '.join(sorted(SUPPORTED_SUFFIXES))}; ≤ {MAX_UPLOAD_MB} MB)"
EXAMPLES = [question for entry in LANGUAGES.values() for question in entry.example.values()]
CSS = """
.qa-source { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px; margin: 8px 0;
  overflow-wrap: anywhere; scroll-margin: 80px; }
.qa-source.qa-quoted { border-left: 4px solid #d97706; }
.qa-source mark { background: #fde68a; color: inherit; }
.qa-meta, .qa-relevance { font-size: 0.85em; opacity: 0.85; }
.qa-role { font-weight: 600; }
.qa-context { white-space: pre-wrap; max-height: 260px; overflow-y: auto; font-size: 0.85em;
  background: var(--background-fill-secondary); padding: 6px; border-radius: 6px; }
.qa-context mark.qa-passage { background: #dbeafe; color: inherit; }
.qa-context mark.qa-cited { background: #fde68a; color: inherit; }
.qa-full summary, .qa-source details summary { cursor: pointer; font-size: 0.85em; }
.qa-page { display: block; width: 100%; max-width: 900px; min-width: 300px; height: auto; margin: 6px 0;
  border: 1px solid var(--border-color-primary); }
/* Side by side, the sources scroll in their own column: the page stays about a screen tall. */
@media (min-width: 900px) { #qa-sources { max-height: 640px; overflow-y: auto !important; } }
@keyframes qa-flash { from { background: #fde68a; } to { background: transparent; } }
.qa-flash { animation: qa-flash 1.6s ease-out; }
#qa-chat a[href^="#qa-source-"] { text-decoration: none; font-weight: 600; }
@media (max-width: 640px) { .qa-page { min-width: 0; } }
"""
# Clicking [n] in an answer scrolls to its card and flashes it. Markers of an earlier answer point
# to cards no longer shown (data-turn differs) and do nothing.
HEAD = r"""<script>
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest('a[href^="#qa-source-"]');
  if (!link) return;
  event.preventDefault();
  event.stopPropagation();
  const [turn, n] = link.getAttribute("href").slice("#qa-source-".length).split("-");
  const card = document.querySelector(`#qa-sources .qa-source[data-turn="${turn}"][data-refs~="${n}"]`);
  if (!card) return;
  card.scrollIntoView({behavior: "smooth", block: "center"});
  card.classList.remove("qa-flash");
  void card.offsetWidth;
  card.classList.add("qa-flash");
}, true);
// "Show in the document" opens on the cited sentences, not on the text before the excerpt.
document.addEventListener("toggle", (event) => {
  const view = event.target.querySelector && event.target.open && event.target.querySelector(".qa-context");
  const cited = view && (view.querySelector("mark.qa-cited") || view.querySelector("mark.qa-passage"));
  if (cited) view.scrollTop = cited.offsetTop - view.offsetTop - 24;
}, true);
// A file named only by dots ("..") would be refused by Gradio's upload route as a raw HTTP 400,
// dropping the whole batch: it goes up as "document", which qa then refuses in the reader's words.
document.addEventListener("change", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || input.type !== "file" || !input.closest("#qa-upload")) return;
  const files = Array.from(input.files || []);
  const dotsOnly = (file) => /^[.\s]*$/.test(file.name);
  if (!files.some(dotsOnly)) return;
  const renamed = new DataTransfer();
  for (const file of files) renamed.items.add(dotsOnly(file) ? new File([file], "document", {type: file.type}) : file);
  input.files = renamed.files;
}, true);
</script>"""
COPY_JS = """async () => {
  const source = document.querySelector("#qa-copy-text");
  if (!source) return;
  try { await navigator.clipboard.writeText(source.value); }
  catch (error) {  // no clipboard API (plain http on another host): the selection route
    const area = document.createElement("textarea");
    area.value = source.value; document.body.appendChild(area); area.select();
    document.execCommand("copy"); area.remove();
  }
}"""
FOCUS_JS = "() => { document.querySelector('#qa-question textarea')?.focus(); }"


def interface_choices(labels: dict[str, str]) -> list[tuple[str, str]]:
    """The interface-language selector: "Auto" in the page's language, each language in its own."""
    return [(labels["auto"], "auto"), *((own["name"], key) for key, own in LABELS.items())]


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
        ocr = partial(progress, "ocr") if progress else None
        result = store_upload(path, settings.corpus_dir / UPLOAD_FOLDER, sandbox, MAX_UPLOAD_MB * 2**20, ocr)
        discard_upload(path)
        if result.name is None:
            messages.append(f"{REFUSED} {escape_markdown(safe_name(path.name))}: {said(result.message, labels)}")
        else:
            # Already present: indexed again if it is not in the index yet (a build that failed before).
            stored.append((f"{UPLOAD_FOLDER}/{result.name}", result.present))
    if not stored:
        return "\n\n".join(messages) or "—"
    try:
        report = build_elsewhere(settings, settings.corpus_dir, settings.index_dir, progress=progress)
        index = open_index(settings)
    except QAError as exc:
        return "\n\n".join([*messages, f"{REFUSED} {said(str(exc), labels)}"])
    engine.reload(index)
    skipped = {s.source: s.reason for s in report.skipped}
    for source, present in stored:
        count = index.count_source(source)
        if count:
            note = f" ({labels['already']})" if present else ""
            unit = labels["passage"] if count == 1 else labels["passages"]
            messages.append(f"{ADDED} {escape_markdown(source)}: {labels['added']} ({count} {unit}){note}")
            # Pages of it that could not be read (by OCR), each with its reason.
            messages += [f"⚠ {escape_markdown(page)}: {said(reason, labels)}" for page, reason in skipped.items()
                         if page.startswith(f"{source} (")]
        else:
            why = skipped.get(source, labels["not_indexed"])
            messages.append(f"{REFUSED} {escape_markdown(source)}: {said(why, labels)}")
    return "\n\n".join(messages)


def build_app(engine: Engine, pages: PageViews | None = None) -> gr.Blocks:
    """The page; ``pages`` serves PDF page images (the server adds its route, qa.web.server)."""
    settings = engine.settings

    def page_labels(choice: str, answer: Answer | None) -> dict[str, str]:
        return labels_for(choice, answer.language if answer else None, answer.script if answer else None)

    def relabel(choice: str, answer: Answer | None, asked: list[str]) -> list[Any]:
        labels = page_labels(choice, answer)
        return [
            gr.update(value=labels["title"]),
            gr.update(label=labels["question"], placeholder=labels["placeholder"]),
            gr.update(value=labels["ask"]),
            gr.update(value=labels["clear"]),
            gr.update(value=labels["copy"]),
            gr.update(label=labels["upload"] + UPLOAD_HINT),
            gr.update(label=labels["interface"], choices=interface_choices(labels), value=choice),
            sources_html(answer, labels, engine, pages, turn=len(asked)),
            gr.update(label=labels["documents"]),
            gr.update(label=labels["remove_choice"]),
            gr.update(value=labels["remove"]),
        ]

    def panel(choice: str, answer: Answer | None) -> list[Any]:
        """The Documents listing: read when the panel opens and after a change, not with each answer."""
        return [documents_html(engine, page_labels(choice, answer)), gr.update(choices=removable(engine), value=None)]

    def respond(question: str, history: list[dict], choice: str, last: Answer | None,
                asked: list[str]) -> list[Any]:
        # The thread is the chat the reader sees: after Clear, an empty chat means no earlier questions
        # and no last answer, even when the server's reset has not run yet (a question sent at once).
        if not (question or "").strip():  # Enter on an empty box: nothing to ask, no bubble
            return [history, question, last, asked, *relabel(choice, last, asked)]
        if not history:
            last, asked = None, []
        history, asked = list(history or []), list(asked or [])
        try:
            # The chat's earlier questions: a follow-up ("Did it lower CRP?") is read with them.
            answer = engine.ask(question, history=asked)
        except QAError as exc:
            labels = page_labels(choice, last)
            history += [{"role": "user", "content": escape_markdown(question or " ")},
                        {"role": "assistant", "content": f"⚠️ {said(str(exc), labels)}"}]
            return [history, question, last, asked, *relabel(choice, last, asked)]
        asked.append(answer.question)
        labels = labels_for(choice, answer.language, answer.script)
        history += [
            {"role": "user", "content": escape_markdown(answer.question)},
            {"role": "assistant", "content": chat_message(answer, labels, turn=len(asked))},
        ]
        return [history, "", answer, asked, *relabel(choice, answer, asked)]

    sandbox = Sandbox(settings.limits)  # one extraction process for the server's uploads

    def upload(files: list[str] | None, choice: str, last: Answer | None, progress: Any = gr.Progress()) -> list[Any]:  # noqa: B008 (Gradio's idiom)
        labels = page_labels(choice, last)

        def report(stage: str, done: int, total: int) -> None:
            progress((done, total), desc=labels.get(stage, stage), unit=labels.get(f"{stage}_unit", ""))

        return [upload_files(files or [], engine, sandbox, labels, report), None]

    def remove_file(source: str | None, choice: str, last: Answer | None) -> list[Any]:
        return [remove_document(engine, source, page_labels(choice, last)), *panel(choice, last)]

    def ask_api(question: str, history: list[str] | None = None) -> dict:
        """The same JSON object as `qa ask --json`; ``history``: the chat's earlier questions. Bad
        input is a gr.Error: the client reads its message (as /api/ask gives it), the log no traceback."""
        try:
            return engine.ask(question, history=history or []).to_json()
        except QAError as exc:
            raise gr.Error(str(exc), print_exception=False) from None

    with gr.Blocks(title="qa — cited medical answers", analytics_enabled=False) as demo:  # offline: no telemetry
        last, asked = gr.State(None), gr.State([])
        title = gr.Markdown(LABELS["en"]["title"])
        with gr.Row():
            with gr.Column(scale=3, min_width=320):
                chat = gr.Chatbot(label="qa", show_label=False, height=520, elem_id="qa-chat", feedback_options=None,
                                  sanitize_html=True, buttons=["copy"])
                # One line that grows: Enter sends, Shift+Enter adds a line (Gradio's rule for lines=1).
                box = gr.Textbox(label=LABELS["en"]["question"], placeholder=LABELS["en"]["placeholder"],
                                 lines=1, max_lines=8, elem_id="qa-question", autofocus=True)
                with gr.Row():
                    send = gr.Button(LABELS["en"]["ask"], variant="primary", elem_id="qa-ask")
                    clear = gr.Button(LABELS["en"]["clear"], elem_id="qa-clear")
                gr.Examples(EXAMPLES, inputs=box, label="Examples · Примеры · Misollar")
            with gr.Column(scale=2, min_width=320):
                choice = gr.Radio(interface_choices(LABELS["en"]), value="auto", label=LABELS["en"]["interface"],
                                  elem_id="qa-ui-language")
                sources = gr.HTML(sources_html(None, LABELS["en"], engine), elem_id="qa-sources")
                copy = gr.Button(LABELS["en"]["copy"], elem_id="qa-copy", size="sm")
                # No client-side type filter: the server checks every file and says why it refused one.
                files = gr.File(label=LABELS["en"]["upload"] + UPLOAD_HINT, file_count="multiple", elem_id="qa-upload")
                status = gr.Markdown(elem_id="qa-upload-status")
                with gr.Accordion(LABELS["en"]["documents"], open=False, elem_id="qa-documents") as documents:
                    listing = gr.HTML(elem_id="qa-documents-list")
                    with gr.Row():
                        doomed = gr.Dropdown(label=LABELS["en"]["remove_choice"], choices=[], value=None,
                                             elem_id="qa-remove-choice")
                        remove = gr.Button(LABELS["en"]["remove"], elem_id="qa-remove", size="sm", variant="stop")
                    removed = gr.Markdown(elem_id="qa-remove-status")
        labelled = [title, box, send, clear, copy, files, choice, sources, documents, doomed, remove]
        for trigger in (send.click, box.submit):
            trigger(respond, [box, chat, choice, last, asked], [chat, box, last, asked, *labelled],
                    api_visibility="private", concurrency_id="ask", concurrency_limit=ASK_CONCURRENCY)
        send.click(None, js=FOCUS_JS)  # the box keeps the focus after a click on Ask, as after Enter
        copy.click(None, js=COPY_JS)
        choice.change(relabel, [choice, last, asked], labelled, api_visibility="private")
        # The chat empties at once in the browser, so a question sent before the server's reset carries none of it.
        clear.click(None, None, [chat], js="() => [[]]")
        clear.click(lambda c: [[], None, [], *relabel(c, None, [])], [choice], [chat, last, asked, *labelled],
                    api_visibility="private")
        # Uploads queue among themselves, not behind or ahead of questions: asking goes on while a file indexes.
        files.upload(upload, [files, choice, last], [status, files], api_visibility="private",
                     concurrency_id="upload").then(panel, [choice, last], [listing, doomed], api_visibility="private")
        documents.expand(panel, [choice, last], [listing, doomed], api_visibility="private")
        # A removal is a build, as an upload is: they queue together, and questions go on meanwhile.
        remove.click(remove_file, [doomed, choice, last], [removed, listing, doomed], api_visibility="private",
                     concurrency_id="upload")
        gr.api(ask_api, api_name="ask", concurrency_id="ask", concurrency_limit=ASK_CONCURRENCY)
    return demo
