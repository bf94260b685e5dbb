"""What the page shows of an answer: the chat message, whose [n] markers link to the sources; one
source card per passage; and the answer as Markdown with its references, for the copy button.

Overlapping chunks of one file are one passage to a reader: their citations merge into one card
that lists every [n] pointing to it, and no sentence appears twice. All document text is
HTML-escaped (and Markdown-escaped in the chat): a corpus file can never inject markup or script.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from qa.answer.compose import markers
from qa.answer.statements import statement
from qa.answer.verdict import NOT_FOUND, RELATED
from qa.api import Engine
from qa.languages import LANGUAGES
from qa.reasons import translate
from qa.settings import AnswerSettings
from qa.types import Answer, Citation, Context

ADDED, REFUSED = "✓", "✗"  # status marks, not ✅ / ❌: Debian's chromium has no emoji font, DejaVu draws these
_BLANK_LINES = re.compile(r"\n[ \t\f]*\n")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def interface_key(language: str, script: str) -> str:
    """An interface language: the language's code, or code-script for one whose readers see the
    page in their own script (uz-Latn, uz-Cyrl; its labels' own script when ``script`` is not one)."""
    entry = LANGUAGES.get(language)
    if entry is None or entry.to_script is None:
        return language
    return f"{language}-{script if script in entry.scripts else entry.labels_script or entry.default_script}"


def _interface_labels(code: str, script: str) -> dict[str, str]:
    """The labels, with the names of the scripts ("script_Cyrl": Cyrillic / кириллица / kirill /
    кирилл) and of the languages ("name_uz": Oʻzbek, or Ўзбек on a Cyrillic page)."""
    own = LANGUAGES[code].page_labels(script)
    return {**own, **{f"name_{other}": own["name"] if other == code else entry.name
                      for other, entry in LANGUAGES.items()}}


LABELS: dict[str, dict[str, str]] = {
    interface_key(code, script): _interface_labels(code, script)
    for code, entry in LANGUAGES.items() for script in (entry.scripts if entry.to_script else entry.scripts[:1])
}


def labels_for(choice: str, language: str | None, script: str | None = None) -> dict[str, str]:
    """The selector wins; on "auto" the page follows the language (and script) of the latest question."""
    if choice != "auto":
        language, _, script = choice.partition("-")
    return LABELS.get(interface_key(language or "en", script or ""), LABELS["en"])


class PageOffer(Protocol):
    def offer(self, source: str, page: int, phrases: tuple[str, ...]) -> str: ...


@dataclass
class Card:
    """One passage of one file, cited as every number in ``numbers``."""

    source: str
    language: str
    page: int | None
    start: int  # span in the original text, for the context view
    end: int
    line_start: int
    line_end: int
    ocr: bool = False
    sha256: str | None = None  # the file as indexed when answered: its context view checks it
    numbers: list[int] = field(default_factory=list)
    sentences: dict[str, bool] = field(default_factory=dict)  # text → marked, in document order

    @property
    def marked(self) -> tuple[str, ...]:
        return tuple(text for text, marked in self.sentences.items() if marked)


def _sentences(c: Citation) -> list[tuple[str, bool]]:
    spans = c.sentences or ((0, len(c.text)),)
    return [(c.text[a:b], any(a < end and start < b for start, end in c.highlights)) for a, b in spans]


def merge(citations: list[Citation]) -> list[Card]:
    """One card per passage: citations of one file (and page) whose spans overlap or touch merge,
    in the order of their best [n]."""
    cards: list[Card] = []
    for c in sorted(citations, key=lambda c: (c.source, c.page or 0, c.start)):
        last = cards[-1] if cards else None
        if last is None or (last.source, last.page) != (c.source, c.page) or c.start > last.end:
            last = Card(c.source, c.language, c.page, c.start, c.end, c.line_start, c.line_end, c.ocr, c.sha256)
            cards.append(last)
        last.numbers.append(c.n)
        last.end, last.line_end = max(last.end, c.end), max(last.line_end, c.line_end)
        for text, marked in _sentences(c):
            last.sentences[text] = last.sentences.get(text, False) or marked
    for card in cards:
        card.numbers.sort()
    return sorted(cards, key=lambda card: card.numbers[0])


def escape_markdown(text: str) -> str:
    """Document text shown literally in the chat: no HTML, no Markdown links or images."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def said(reason: str, labels: dict[str, str]) -> str:
    """A refusal's reason in the page's language (qa.reasons), as Markdown text."""
    return escape_markdown(translate(reason, labels))


def chat_message(answer: Answer, labels: dict[str, str], turn: int) -> str:
    """The answer in the chat; each [n] links to its card (the page's script scrolls to it)."""
    script = labels.get(f"script_{answer.script}", answer.script)
    footer = f"\n\n_{labels['detected']}: {labels.get('name_' + answer.language, answer.language)}, {script}_"
    if answer.carried:
        footer += f"  \n_{labels['carried']}: {escape_markdown(', '.join(answer.carried))}_"
    if answer.read_as:
        footer += f"  \n_{labels['read_as']}: {escape_markdown(', '.join(answer.read_as))}_"
    if answer.changed:
        footer += f"  \n⚠️ **{labels['changed_sources']}: {escape_markdown(', '.join(answer.changed))}**"
    # Only the markers the answer placed link to a card; a quote's own "[19]" stays text.
    pieces, at = [], 0
    for start, end, n in markers(answer):
        pieces += [escape_markdown(answer.answer[at:start]), f"[\\[{n}\\]](#qa-source-{turn}-{n})"]
        at = end
    body = "".join([*pieces, escape_markdown(answer.answer[at:])])
    if answer.verdict == NOT_FOUND:
        return f"⚠️ **{labels['not_found']}**\n\n{body}{footer}"
    confidence = f"  \n_{labels['confidence']}: {answer.confidence:.0%}_"
    if answer.verdict == RELATED:
        return f"ℹ️ **{labels['related_verdict']}**\n\n{body}{footer}{confidence}"
    return body + footer + confidence


# Where a span of a citation's text is in its file: its first and last lines, and the line its page
# starts on (Engine.lines_of).
Locate = Callable[[Citation, tuple[int, int]], tuple[int, int, int | None]]


def _line_span(first: int, last: int, page: int | None, page_line: int | None, labels: dict[str, str]) -> str:
    """Lines of the file; on a page, counted from the page's top (as a reader counts them)."""
    if page is not None and page_line is not None:
        return labels["page_lines"].format(start=first - page_line + 1, end=last - page_line + 1)
    return f"{labels['lines']} {first}–{last}"


def _where(card: Card, labels: dict[str, str], page_line: int | None = None) -> str:
    """Page and lines."""
    lines = _line_span(card.line_start, card.line_end, card.page, page_line, labels)
    where = f"{labels['page']} {card.page} · {lines}" if card.page is not None else lines
    return f"{where} · {labels['ocr_note']}" if card.ocr else where


def _context_view(card: Card, labels: dict[str, str], context: Context, pages: PageOffer | None) -> str:
    parts = []
    if card.page is not None and pages is not None:
        url = pages.offer(card.source, card.page, card.marked)
        alt = html.escape(f"{card.source}, {labels['page']} {card.page}")
        parts.append(f"<img class='qa-page' src='{url}' loading='lazy' alt='{alt}'>")
    if not context.available:
        reason = labels[context.reason or "changed"]  # every reason Engine.context gives has a label
        parts.append(f"<p class='qa-meta'>{html.escape(reason)}</p>")
    else:
        # The original text, line for line; only the blank line PDF extraction puts after every line is dropped.
        before, after = (html.escape(_BLANK_LINES.sub("\n", part)) for part in (context.before, context.after))
        span = _marked_span(_BLANK_LINES.sub("\n", context.span), card.marked)
        parts.append(f"<div class='qa-context'>…{before}<mark class='qa-passage'>{span}</mark>{after}…</div>")
    return f"<details class='qa-doc'><summary>{html.escape(labels['context'])}</summary>{''.join(parts)}</details>"


def _marked_span(span: str, cited: tuple[str, ...]) -> str:
    """The passage as HTML, its cited sentences marked: found in the original text by their letters and
    digits alone, whatever the line breaks, spacing and end-of-line hyphenation between them."""
    kept = [i for i, ch in enumerate(span) if ch.isalnum()]
    letters = "".join(span[i] for i in kept)
    found: list[tuple[int, int]] = []
    for sentence in cited:
        wanted = "".join(ch for ch in sentence if ch.isalnum())
        at = letters.find(wanted) if wanted else -1
        if at >= 0:
            found.append((kept[at], kept[at + len(wanted) - 1] + 1))
    out, at = [], 0
    for start, end in sorted(found):
        if start < at:
            continue
        out += [html.escape(span[at:start]), f"<mark class='qa-cited'>{html.escape(span[start:end])}</mark>"]
        at = end
    return "".join([*out, html.escape(span[at:])])


def _excerpt(card: Card, labels: dict[str, str]) -> str:
    """The quoted sentences with a sentence of context on each side; the whole passage a click away."""
    items = list(card.sentences.items())
    marked = [i for i, (_, quoted) in enumerate(items) if quoted] or [0]
    keep = sorted({j for i in marked for j in (i - 1, i, i + 1) if 0 <= j < len(items)})

    def render(indices: list[int]) -> str:
        out, last = [], None
        for i in indices:
            if last is not None and i > last + 1:
                out.append("…")
            text, quoted = items[i]
            out.append(f"<mark>{html.escape(text)}</mark>" if quoted else html.escape(text))
            last = i
        return " ".join(out)

    short = render(keep)
    if len(keep) == len(items):
        return f"<p class='qa-excerpt'>{short}</p>"
    whole = render(list(range(len(items))))
    return (f"<p class='qa-excerpt'>{'… ' if keep[0] > 0 else ''}{short}{' …' if keep[-1] < len(items) - 1 else ''}</p>"
            f"<details class='qa-full'><summary>{html.escape(labels['full_passage'])}</summary>"
            f"<p class='qa-excerpt'>{whole}</p></details>")


def source_card(card: Card, rank: int, total: int, quoted: bool, labels: dict[str, str], engine: Engine,
                pages: PageOffer | None, turn: int) -> str:
    refs = " ".join(f"[{n}]" for n in card.numbers)
    role = labels["quoted"] if quoted else labels["related"]
    relevance = labels["rank"].format(rank=rank, total=total)
    context = engine.context(card.source, card.start, card.end, sha256=card.sha256)
    meta = f"{labels.get('name_' + card.language, card.language)} · {_where(card, labels, context.page_line)}"
    numbers = " ".join(str(n) for n in card.numbers)
    return (f"<div class='qa-source{' qa-quoted' if quoted else ''}' data-refs='{numbers}' data-turn='{turn}'>"
            f"<div class='qa-head'><b>{refs} {html.escape(card.source)}</b></div>"
            f"<div class='qa-relevance'><span class='qa-role'>{html.escape(role)}</span> · "
            f"<span class='qa-rank'>{html.escape(relevance)}</span></div>"
            f"<div class='qa-meta'>{html.escape(meta)}</div>{_excerpt(card, labels)}"
            f"{_context_view(card, labels, context, pages)}</div>")


def answer_markdown(answer: Answer, labels: dict[str, str], locate: Locate, question: bool = True) -> str:
    """The answer as Markdown with numbered references (file, page, the lines of the quoted sentence
    and the sentence itself), to paste into notes (``question``: headed by the question, as the copy
    button writes it; a chat reply through the OpenAI route leaves it out, the client shows it)."""
    quoted: dict[int, list[str]] = {}
    for claim in answer.claims:
        quoted.setdefault(claim.n, []).append(claim.text)
    head = [f"**{labels['question_label']}:** {answer.question}", ""] if question else []
    stale = [f"⚠️ **{labels['changed_sources']}: {', '.join(answer.changed)}**", ""] if answer.changed else []
    lines = [*head, answer.answer, "", *stale,
             f"**{labels['references'] if answer.supported else labels['closest']}**", ""]
    for c in answer.citations:
        if answer.supported and c.n not in quoted:
            continue
        # What is quoted from this passage (its marked sentences), else its first statement.
        first = _first_statement(c)
        sentence = " ".join(quoted.get(c.n) or [c.text[first[0] : first[1]]])
        found = [locate(c, span) for span in c.highlights or [first]]
        span = _line_span(min(f[0] for f in found), max(f[1] for f in found), c.page, found[0][2], labels)
        where = f"{labels['page']} {c.page}, " if c.page is not None else ""
        opening, closing = LANGUAGES[answer.language].quotation_marks  # as the answer above quotes
        lines.append(f"[{c.n}] {c.source}, {where}{span}: {opening}{sentence.strip()}{closing}")
    return "\n".join(lines)


def _first_statement(c: Citation) -> tuple[int, int]:
    """The span of the passage's first sentence that states something, as sentence choice reads it:
    not a heading ("Abstract.", "Резюме."), a fragment or a date stamp; else its first sentence."""
    spans = c.sentences or ((0, len(c.text)),)
    stated = (statement(c.text, span, AnswerSettings.min_sentence_chars) for span in spans)
    return next((span for span in stated if span is not None), spans[0])


def sources_html(answer: Answer | None, labels: dict[str, str], engine: Engine, pages: PageOffer | None = None,
                 turn: int = 0) -> str:
    if answer is None:
        return f"<h3>{html.escape(labels['sources'])}</h3><p class='qa-meta'>{html.escape(labels['no_sources'])}</p>"
    claimed = {claim.n for claim in answer.claims}
    cards = merge(answer.citations)
    body = "\n".join(source_card(card, rank, len(cards), bool(claimed & set(card.numbers)), labels, engine, pages, turn)
                     for rank, card in enumerate(cards, 1))
    copy = html.escape(answer_markdown(answer, labels, engine.lines_of))
    return (f"<h3>{html.escape(labels['sources'])}</h3>\n{body}"
            f"<textarea id='qa-copy-text' hidden readonly>{copy}</textarea>")
