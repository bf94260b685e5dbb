"""Gradio chat UI: ask in English, Russian or Uzbek; read the cited answer; check each source.

    python app.py [--host 127.0.0.1] [--port 7860]      (or QA_HOST / QA_PORT)

On start the index of corpus/ is built or updated (only changed files are embedded).
"""

from __future__ import annotations

import argparse
import html
import os
import sys

import gradio as gr

from qa.api import Engine, InputError, open_engine
from qa.embed import Embedder
from qa.index import build
from qa.settings import Settings
from qa.types import Answer

LABELS = {
    "en": ("Sources", "Not found in the sources", "Ask a question"),
    "ru": ("Источники", "В источниках не найдено", "Задайте вопрос"),
    "uz": ("Manbalar", "Manbalarda topilmadi", "Savol bering"),
}
EXAMPLES = [
    "Which cells produce IL-6 under stress conditions?",
    "Какие клетки вырабатывают IL-6 в условиях стресса?",
    "Стресс шароитида қайси ҳужайралар IL-6 ишлаб чиқаради?",
    "Yuqori IL-6 kortikosteroidlarga javob bilan bog'liqmi?",
]


def sources_html(answer: Answer) -> str:
    """Every [n] with document, language, lines, score and the excerpt; supporting sentences marked.
    All document text is escaped: it is never interpreted as HTML."""
    title = LABELS.get(answer.language, LABELS["en"])[0]
    parts = [f"<h3>{title}</h3>"]
    for c in answer.citations:
        pieces, at = [], 0
        for start, end in sorted(c.highlights):
            pieces.append(html.escape(c.text[at:start]))
            pieces.append(f"<mark>{html.escape(c.text[start:end])}</mark>")
            at = end
        pieces.append(html.escape(c.text[at:]))
        parts.append(
            f"<div class='qa-source'><b>[{c.n}] {html.escape(c.source)}</b> · {c.language} · "
            f"lines {c.line_start}–{c.line_end} · score {c.score:.3f}<p>{''.join(pieces)}</p></div>"
        )
    return "\n".join(parts)


def build_app(engine: Engine) -> gr.Blocks:
    def respond(question: str, history: list[dict]) -> tuple[list[dict], str, str]:
        history = list(history or [])
        try:
            answer = engine.ask(question)
        except InputError as exc:
            history.append({"role": "user", "content": question})
            history.append({"role": "assistant", "content": f"⚠️ {exc}"})
            return history, "", ""
        badge = "" if answer.supported else f"**{LABELS.get(answer.language, LABELS['en'])[1]}** — "
        meta = f"\n\n_{answer.language}-{answer.script}_"
        history.append({"role": "user", "content": question})
        history.append({"role": "assistant", "content": badge + answer.answer + meta})
        return history, sources_html(answer), ""

    def ask_api(question: str) -> dict:
        return engine.ask(question).to_json()

    with gr.Blocks(title="qa — cited medical answers") as demo:
        gr.Markdown("## qa — cited answers from your medical sources (English · Русский · Oʻzbek)")
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(label="Chat", height=520)
                box = gr.Textbox(label=" / ".join(v[2] for v in LABELS.values()), lines=2)
                send = gr.Button("Ask", variant="primary")
                gr.Examples(EXAMPLES, inputs=box)
            with gr.Column(scale=2):
                sources = gr.HTML()
        send.click(respond, [box, chat], [chat, sources, box], api_name=False)
        box.submit(respond, [box, chat], [chat, sources, box], api_name=False)
        gr.api(ask_api, api_name="ask")
    return demo


def main() -> int:
    parser = argparse.ArgumentParser(description="qa web UI")
    parser.add_argument("--host", default=os.environ.get("QA_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("QA_PORT", "7860")))
    args = parser.parse_args()
    settings = Settings()
    embedder = Embedder(settings)
    print("qa: indexing corpus/ (only changed files are embedded)…", file=sys.stderr)
    print(build(settings, embedder, settings.corpus_dir, settings.index_dir).summary(), file=sys.stderr)
    engine = open_engine(settings.index_dir, settings, embedder)
    password = os.environ.get("QA_PASSWORD")
    build_app(engine).launch(
        server_name=args.host, server_port=args.port, share=False,
        auth=("qa", password) if password else None,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
