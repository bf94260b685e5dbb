"""The nouns that flow through qa: Document → Chunk → Passage → Answer."""

from __future__ import annotations

import bisect
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Document:
    """A decoded source file. ``text`` is the original text every offset refers to."""

    source: str  # path relative to the corpus folder, with forward slashes
    text: str  # decoded file (text formats) or extracted text (PDF, Word, HTML)
    sha256: str  # of the file's bytes
    page_starts: tuple[int, ...] = ()  # PDFs and images: offset in ``text`` where each page begins
    ocr_pages: tuple[int, ...] = ()  # 1-based pages whose text was read by OCR (scans, images)
    page_problems: tuple[tuple[int, str], ...] = ()  # pages left out of ``text``, and why

    def page_at(self, offset: int) -> int | None:
        """1-based page holding ``offset``; None for formats without pages."""
        if not self.page_starts:
            return None
        return bisect.bisect_right(self.page_starts, offset)


@dataclass(frozen=True)
class Chunk:
    """A retrievable span of one document, in one language section."""

    source: str
    start: int  # character offsets into Document.text
    end: int
    line_start: int  # 1-based, inclusive
    line_end: int
    language: str  # en | ru | uz
    script: str  # Latn | Cyrl
    text: str  # readable text: PDF line breaks and hyphenation undone
    sentences: tuple[tuple[int, int], ...] = ()  # sentence spans inside ``text``
    page: int | None = None  # PDFs: 1-based page where the chunk starts
    ocr: bool = False  # its text was read by OCR from a page image


@dataclass(frozen=True)
class Passage:
    """A chunk retrieved for a question, with its fused relevance score."""

    chunk: Chunk
    score: float  # the fused, language-centred passage score (the first k citations are ordered by it)
    dense: float  # cosine similarity of the question and the chunk
    id: int = -1  # the chunk's row in the index (its sentence vectors)
    offset: float = 0.0  # the language offset subtracted from cosines (Index.language_offsets)


@dataclass
class Citation:
    n: int
    source: str
    start: int
    end: int
    line_start: int
    line_end: int
    language: str
    score: float
    text: str
    highlights: list[tuple[int, int]] = field(default_factory=list)  # supporting sentences in text
    page: int | None = None
    sentences: tuple[tuple[int, int], ...] = ()  # sentence spans in text (the page's cards merge by sentence)
    ocr: bool = False  # the text was read by OCR: check it against the page image
    # The file's SHA-256 as indexed when the answer was composed: a context view asked for later
    # with it is refused once the file was re-indexed, whose offsets point at other text.
    sha256: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The CLI contract; ``page`` appears only for sources that have pages (PDFs, images), ``ocr``
        only for text read by OCR, ``sha256`` only when the index records the file's hash."""
        data = asdict(self)
        data.pop("highlights")
        data.pop("sentences")
        if self.page is None:
            data.pop("page")
        if not self.ocr:
            data.pop("ocr")
        if self.sha256 is None:
            data.pop("sha256")
        data["score"] = round(self.score, 4)
        return data


@dataclass(frozen=True)
class Context:
    """The original text around a citation, read from the file itself, or why it cannot be shown:
    "outside" (the name leaves the corpus folder), "missing", "removed" (into the index's trash),
    "unreadable", "changed" (since indexing, so the offsets no longer apply) or "offsets" (past the
    end of the text)."""

    before: str = ""
    span: str = ""
    after: str = ""
    reason: str | None = None
    page_line: int | None = None  # paged documents: the document line the citation's page starts on

    @property
    def available(self) -> bool:
        return self.reason is None


@dataclass(frozen=True)
class Claim:
    """One sentence of an answer, quoted from citation ``n``. ``renders`` names the citation of the
    English sentence that a same-language sentence says again (the abstracts exist in three
    languages), so a reader sees the fact in their language beside the original."""

    text: str
    n: int
    language: str
    renders: int | None = None
    span: tuple[int, int] = (0, 0)  # where in citation ``n``'s text
    # The lines of the file that hold it (qa.api.Engine.lines_of), so a reader checks the sentence
    # itself, not the whole passage; None until the engine has read the file.
    lines: tuple[int, int] | None = None
    # Quoted by a ``related`` answer as a further passage's closest sentence: the verdict's confidence
    # is about the other quoted sentences (qa.answer.sentence_choice.closest_in_each).
    closest: bool = False

    def to_json(self) -> dict[str, Any]:
        """A quoted sentence, its citation's ``n`` and the lines of the file that hold it."""
        lines = {"line_start": self.lines[0], "line_end": self.lines[1]} if self.lines else {}
        return {"n": self.n, "text": self.text, **lines}


@dataclass(frozen=True)
class TermCheck:
    """One key term of the question, as the verdict reads it."""

    text: str
    specificity: float
    thing: bool  # names a thing (``names_thing``)
    in_evidence: bool  # covered by the quoted passages and their neighbours
    in_lead: bool  # covered by the lead statement


@dataclass
class Answer:
    question: str
    language: str
    script: str
    answer: str
    supported: bool
    citations: list[Citation]
    claims: list[Claim] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # key terms of the question no cited sentence covers
    carried: list[str] = field(default_factory=list)  # a follow-up's terms taken from earlier questions
    # qa.answer.verdict: "answered" (``supported``), "related" (the closest statements, under a caveat) or
    # "not_found"; ``confidence`` is the calibrated probability that the quoted sentences answer.
    verdict: str = "answered"
    confidence: float = 1.0
    signals: dict[str, float] = field(default_factory=dict)  # what the verdict read (not in the JSON)
    checks: list[TermCheck] = field(default_factory=list)  # the question's key terms, checked (not in the JSON)
    # The question's vector plus its lead sentence's (qa.answer.verdict; not in the JSON)
    pair: list[float] = field(default_factory=list)
    read_as: list[str] = field(default_factory=list)  # typing slips read as corpus words: "failre → failure"
    # Cited files that changed or were deleted since indexing: their quotes may no longer be in them.
    changed: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The CLI and HTTP contract; ``carried`` appears only when a follow-up took terms, ``read_as``
        only when a typing slip was read as a corpus word, ``changed`` only when a cited file changed
        since indexing."""
        data: dict[str, Any] = {
            "question": self.question,
            "language": self.language,
            "script": self.script,
            "answer": self.answer,
            "supported": self.supported,
            "verdict": self.verdict,
            "confidence": round(self.confidence, 3),
            "citations": [c.to_json() for c in self.citations],
            "quotes": [c.to_json() for c in self.claims],
        }
        if self.carried:
            data["carried"] = self.carried
        if self.read_as:
            data["read_as"] = self.read_as
        if self.changed:
            data["changed"] = self.changed
        return data
