"""The Python API: open an index once, ask many questions.

    from qa.api import open_engine
    engine = open_engine()                      # index/ under the project, default model
    answer = engine.ask("What is IL-6?")        # → qa.types.Answer
"""

from __future__ import annotations

import bisect
import os
import threading
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from qa.answer.compose import compose
from qa.answer.followup import HISTORY_TURNS, resolve
from qa.answer.retrieve import Retriever, prepare
from qa.errors import InputError
from qa.ingest import indexed as on_disk
from qa.ingest.documents import built_from, was_removed
from qa.languages.detect import detect, too_short_to_tell
from qa.model.encoders import Encoder, open_encoder
from qa.reasons import reason
from qa.settings import LimitSettings, Settings
from qa.store.base import SearchIndex
from qa.store.factory import open_index
from qa.store.folder import Index
from qa.store.generations import current_generation
from qa.text.clean import repair_mixed_script
from qa.text.tokens import ALNUM
from qa.types import Answer, Citation, Context, Passage

__all__ = ["Engine", "InputError", "open_engine", "validate", "validate_history"]


def validate_history(history: object) -> list[str]:
    """The earlier questions of a chat, each cleaned as ``validate`` does: a list of strings, or of
    chat messages (``{"role": "user", "content": "..."}``, whose user turns count). Turns without
    letters or digits, and any other turn ``validate`` refuses, are skipped: an earlier "ok 👍" or a
    garbled paste does not stop the questions after it."""
    if history is None:
        return []
    if isinstance(history, str) or not isinstance(history, Sequence):
        raise InputError("the history must be a list of earlier questions")
    questions = []
    for turn in history:
        if isinstance(turn, dict):
            if turn.get("role") != "user":
                continue
            turn = turn.get("content")
        if not isinstance(turn, str):
            raise InputError("each turn of the history must be text (or a chat message with text content)")
        try:
            questions.append(validate(turn))
        except InputError:
            continue
    return questions


MAX_K = 50  # citations one answer may carry: the CLI's --k, the JSON, OpenAI and MCP "k"


def valid_k(k: object) -> bool:
    """Whether ``k`` is a whole number of citations from 1 to MAX_K (JSON's true is not one)."""
    return isinstance(k, int) and not isinstance(k, bool) and 1 <= k <= MAX_K


MIN_DISTINCT_CHARACTERS = 2  # "IL-6?" has three letters and digits, "aaaa" one
# A turn keeps its end here before any work on it (prepare keeps the last max_question_chars at a word
# boundary later): a megabyte pasted into a chat costs nothing, and the question after it is kept.
MAX_TURN_CHARS = 4 * LimitSettings().max_question_chars


def validate(question: str) -> str:
    if not isinstance(question, str):
        raise InputError(reason("question_not_text"))
    cleaned = "".join(ch if ch.isprintable() else " " for ch in question[-MAX_TURN_CHARS:])
    cleaned = " ".join(cleaned.split())
    if not cleaned:
        raise InputError(reason("question_empty"))
    if not any(ch.isalnum() for ch in cleaned):
        raise InputError(reason("question_no_letters"))
    # One character typed over and over ("aaaa…", "?!?!") is no question in any language.
    if len({ch.lower() for ch in cleaned if ch.isalnum()}) < MIN_DISTINCT_CHARACTERS:
        raise InputError(reason("question_repeats"))
    # Bytes read in the wrong encoding: more replacement characters (U+FFFD) and unassigned or
    # private code points than letters and digits. Emoji and symbols ("CRP ≥ 2 mg/L 😟") are a
    # reader's own and stay.
    unreadable = sum(ch == "\ufffd" or unicodedata.category(ch) in ("Co", "Cn", "Cs") for ch in cleaned)
    if unreadable > sum(ch.isalnum() for ch in cleaned):
        raise InputError(reason("question_symbols"))
    # A word mixing scripts ("ІL-6" typed on a Cyrillic keyboard) is read as the documents' is.
    return ALNUM.sub(lambda m: repair_mixed_script(m.group()), cleaned)


class Engine:
    def __init__(self, index: SearchIndex, embedder: Encoder, settings: Settings,
                 log: Callable[[str], None] | None = None) -> None:
        self.embedder, self.settings, self.log = embedder, settings, log
        self._reopening, self._unreadable = threading.Lock(), ""
        self._current = (index, Retriever(index, embedder, settings))

    @property
    def index(self) -> SearchIndex:
        return self._current[0]

    def live_index(self) -> SearchIndex:
        """The index as now committed: reopened first if another process has rebuilt it (what the
        Documents panel lists after a `qa remove` beside the server)."""
        return self._live()[0]

    def ask(self, question: str, k: int | None = None,
            history: Sequence[str | Mapping[str, object]] | None = ()) -> Answer:
        """``history``: the chat's earlier questions, oldest first. A follow-up that points back to
        them ("Did it lower CRP?") is searched with their key terms (qa.answer.followup)."""
        # One read of the pair: an upload's reload between retrieval and answering cannot mix indexes.
        index, retriever = self._live()
        earlier = validate_history(history)
        resolved = resolve(validate(question), earlier)
        # "А ARNI?" is too short to tell Russian from Uzbek by itself: the chat's language decides,
        # itself read turn by turn ("ARNI-chi?" then "SGLT2-chi?" after an Uzbek question). Only
        # such a question pays for reading the earlier turns' languages.
        chat: tuple[str, str] | None = None
        for turn in earlier[-HISTORY_TURNS:] if too_short_to_tell(resolved.question) else ():
            chat = detect(turn, previous=chat)
        query = prepare(resolved.question, self.settings, resolved.carried, chat, retriever.vocabulary)
        cite = k or self.settings.retrieval.k
        vector, pool = retriever.retrieve(query, max(cite, self.settings.retrieval.k))
        answer = compose(query, vector, pool, index, self.settings, cite)
        # Only lines read from the file as indexed: never the passage's, passed off as the sentence's.
        claims = [replace(claim, lines=self._located(answer.citations[claim.n - 1], claim.span, index)[0])
                  for claim in answer.claims]
        return replace(answer, claims=claims, changed=self._changed(index, answer.citations))

    def search(self, question: str, k: int | None = None) -> list[Passage]:
        """The passages alone, best first: retrieval as ``ask`` runs it, without composing an answer."""
        retriever = self._live()[1]
        query = prepare(validate(question), self.settings, vocabulary=retriever.vocabulary)
        return retriever.search(query, k or self.settings.retrieval.k)

    def context(self, source: str, start: int, end: int, chars: int | None = None,
                sha256: str | None = None) -> Context:
        """The original text around a citation, read from the corpus file itself, so the reader can
        check the excerpt against what the document says; or the reason it cannot be shown.
        ``sha256``: the citation's (the file as indexed when it was answered); once the file is
        re-indexed its offsets point at other text, and the reason is "changed"."""
        chars = self.settings.limits.context_chars if chars is None else chars
        found = self._indexed_file(source)
        if isinstance(found, str):
            return Context(reason=found)
        path, stat = found
        indexed = self._live()[0].file_hash(source)
        if sha256 is not None and sha256.lower() != indexed:
            return Context(reason="changed")
        document = on_disk.read_document(str(path), stat.st_mtime_ns, stat.st_size, source,
                                         indexed, self.settings.limits)
        if isinstance(document, str):
            return Context(reason=document)
        text = document.text
        if end > len(text):
            return Context(reason="offsets")
        return Context(text[max(0, start - chars) : start], text[start:end], text[end : end + chars],
                       page_line=on_disk.page_line(document, start))

    def lines_of(self, citation: Citation, span: tuple[int, int]) -> tuple[int, int, int | None]:
        """The lines of the file that hold ``span`` of the citation's text (a quoted sentence: a
        reference points at its own lines, not its passage's), and the line its page starts on for
        paged documents. The passage's lines when the file as it is now does not hold the passage."""
        lines, page_line = self._located(citation, span, self.index)
        return (*(lines or (citation.line_start, citation.line_end)), page_line)

    def _located(self, citation: Citation, span: tuple[int, int],
                 index: SearchIndex) -> tuple[tuple[int, int] | None, int | None]:
        """``span``'s own lines, None when the file as it is now does not hold the passage ``index``
        indexed; and the line its page starts on."""
        found = self._indexed_file(citation.source)
        if isinstance(found, str):
            return None, None
        path, stat = found
        read = on_disk.cleaned_document(str(path), stat.st_mtime_ns, stat.st_size, citation.source,
                                        index.file_hash(citation.source), self.settings.limits)
        if isinstance(read, str):
            return None, None
        document, cleaned = read
        page_line = on_disk.page_line(document, citation.start)
        # The passage's text is the document's cleaned text from its first character on (as chunking
        # cut it): the same characters here, or the file no longer says what was indexed.
        at = bisect.bisect_left(cleaned.origin, citation.start)
        held = cleaned.text[at : at + len(citation.text)] == citation.text
        if not held or not 0 <= span[0] < span[1] <= len(citation.text):
            return None, page_line
        start, end = cleaned.original_span(at + span[0], at + span[1])
        return (document.text.count("\n", 0, start) + 1,
                document.text.count("\n", 0, max(start, end - 1)) + 1), page_line

    def indexed_bytes(self, source: str) -> bytes | str:
        """The bytes of a corpus file as indexed, or why not (the reasons ``context`` gives)."""
        found = self._indexed_file(source)
        if isinstance(found, str):
            return found
        path, stat = found
        return on_disk.indexed_bytes(path, stat.st_size, self.index.file_hash(source), self.settings.limits)

    def _changed(self, index: SearchIndex, citations: list[Citation]) -> list[str]:
        """The cited files that no longer hold what ``index`` (the one the answer was composed from)
        indexed: changed or deleted since, so a quote may no longer be in them. Only for a folder
        index, whose passages and hashes are one generation (a Milvus collection re-indexed by
        another process serves the new text under the hashes read at opening), and only in the
        folder it was built from (asked with another one, every file would look deleted)."""
        if not isinstance(index, Index) or not built_from(index, self.settings.corpus_dir):
            return []
        changed = []
        for source in dict.fromkeys(c.source for c in citations):
            found, indexed = self._indexed_file(source), index.file_hash(source)
            if isinstance(found, str):
                stale = found == "missing"
            else:
                path, stat = found
                stale = indexed is not None and on_disk.holds(str(path), stat.st_mtime_ns, stat.st_size, indexed,
                                                              self.settings.limits) == "changed"
            if stale:
                changed.append(source)
        return changed

    def _indexed_file(self, source: str) -> tuple[Path, os.stat_result] | str:
        try:
            folder = self.settings.corpus_dir.resolve()
            path = (folder / source).resolve()
        except (OSError, RuntimeError):  # a symlink loop
            return "unreadable"
        if not path.is_relative_to(folder):  # a source name never leaves the corpus folder
            return "outside"
        try:
            return path, path.stat()
        except OSError:
            return "removed" if was_removed(self.settings, source) else "missing"

    def _live(self) -> tuple[SearchIndex, Retriever]:
        """The index to answer from. A folder index another process has since rebuilt (``qa index``,
        ``qa remove`` beside a running server) is reopened first: else the server would go on
        quoting files taken out, and never find files added. One thread reopens while the others
        answer from the index loaded; a generation that cannot be read is named once and left."""
        current = self._current
        index = current[0]
        if not isinstance(index, Index) or index.origin is None or not index.superseded():
            return current
        if not self._reopening.acquire(blocking=False):
            return current
        try:
            folder = index.origin[0]
            generation = current_generation(folder).name
            if generation != self._unreadable:
                self._unreadable = generation  # until it loads
                fresh = Index.load(folder, self.settings.vectors)
                fresh.check_model(self.embedder.id)
                fresh.lexical  # noqa: B018 - built here, not by the first question after the swap
                self.reload(fresh)
                self._unreadable = ""
        except Exception as exc:  # keeping the index loaded is always safe
            if self.log:
                self.log(f"the index at {index.origin[0]} was rebuilt but cannot be read ({exc}): "
                         "answering from the one loaded")
        finally:
            self._reopening.release()
        return self._current

    def reload(self, index: SearchIndex) -> None:
        """Serve ``index`` from now on (one assignment: readers see the old pair or the new one),
        unless a later generation of the same folder is served already."""
        if isinstance(index, Index) and not index.newer_than(self._current[0]):
            return
        self._current = (index, Retriever(index, self.embedder, self.settings))


def open_engine(
    index_dir: Path | None = None,
    settings: Settings | None = None,
    embedder: Encoder | None = None,
    log: Callable[[str], None] | None = None,
) -> Engine:
    settings = settings or Settings.from_env()
    if index_dir is not None:
        settings = replace(settings, index_dir=Path(index_dir))
    # Load the index first: a missing or damaged one fails fast, before the model loads.
    index = open_index(settings)
    embedder = embedder or open_encoder(settings, log)
    index.check_model(embedder.id)
    return Engine(index, embedder, settings, log)
