"""Passages → a short extractive answer: the sentences that answer, each followed by its [n].

No generator ships offline, so the answer is made of source sentences:
1. Every sentence of the cited passages is scored by its own vector (stored at index time) against
   the question's, shifted by its passage's language offset, so an English sentence and a Russian
   one compete fairly for a Russian question; plus its passage's rank and the key terms it covers,
   each term weighted by how rare it is among the candidate sentences.
2. A topic sentence that only restates the question ("One of the most damaging effects of IL-6 is
   on myocardial fibrosis.") gives way to the next sentence when that one scores about as well.
3. The reader's language: when the lead sentence is in another language, the same fact in the
   question's language (the abstracts exist in three) is looked up by sentence similarity and leads;
   otherwise the answer says, in the question's language, that it quotes an English source.
4. ``supported`` means a cited sentence states the answer: the evidence clears a similarity floor,
   every key term of the question is covered by the quoted sentences' passages (qa.terms), and the
   kind of answer asked for (a number, a name) is there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np

from qa.index import SearchIndex
from qa.languages import ENGLISH, LANGUAGES
from qa.messages import english_source_note, not_found_message
from qa.retrieve import Query
from qa.settings import Settings
from qa.terms import Evidence, Term, key_terms, missing, relation_terms
from qa.types import Answer, Citation, Claim, Passage

SOURCE_REFERENCE = re.compile(r"\s?\[\d+(?:\s?[,–-]\s?\d+)*\]")
# A number in digits or words (twelve millimetres, сорок процентов, qirq foiz).
def _alternatives(kind: str) -> str:
    return "|".join(pattern for entry in LANGUAGES.values() for pattern in getattr(entry, kind))


# A number in digits or words (twelve millimetres, сорок процентов, qirq foiz).
_NUMBER = re.compile(rf"\d|\b(?:{_alternatives('number_words')})\b", re.I)
_ASKS_NUMBER = re.compile(rf"\b(?:{_alternatives('asks_number')})\b", re.I)
_ASKS_NAME = re.compile(rf"^\s*(?:{_alternatives('asks_name')})\b", re.I)
# A sentence opening with these points back ("These are the patients where…"): what it says is
# in the sentence before it, which is quoted first.
_ANAPHOR = re.compile(rf"^(?:{_alternatives('anaphors')})\b", re.I)
_NAME = re.compile(r"\b[A-ZА-Я][a-zа-я]+(?:\s+(?:[A-ZА-Я]\.\s*)*[A-ZА-Я][a-zа-я]+|\s+et al)")


@dataclass(frozen=True)
class Candidate:
    rank: int  # passage rank
    span: tuple[int, int]
    score: float  # centred cosine of the sentence and the question
    vector: np.ndarray
    # Where the sentence's reading starts: the start of the sentence an opening "It…" points back
    # to (past any that point back themselves), else of the sentence itself.
    reading: int

    def text(self, passages: list[Passage]) -> str:
        return passages[self.rank].chunk.text[self.span[0] : self.span[1]]


def candidates(
    index: SearchIndex, vector: np.ndarray, passages: list[Passage], terms: list[Term], settings: Settings,
    relations: list[Term] | None = None,
) -> list[Candidate]:
    """Sentences of the first ``answer_pool`` passages, best first: centred cosine plus
    ``term_weight`` × the share of the question's key terms the sentence covers (the model alone
    prefers sentences that resemble the question over sentences that answer it). Each term counts
    by how few of these sentences cover it (inverse document frequency over the pool): the subject
    of the whole corpus ("IL-6" in a review of IL-6) is in every sentence and tells none apart,
    while "receptor complex" picks the sentence that answers. ``relations`` (qa.terms.relation_terms)
    add their own weight on the same scale without diluting the key terms' share."""
    keys = len(terms)
    terms = [*terms, *(relations or [])]
    found: list[tuple[Candidate, list[bool]]] = []
    for rank, passage in enumerate(passages[: settings.answer.pool]):
        if passage.id < 0:
            continue
        text, spans = passage.chunk.text, passage.chunk.sentences
        for j, (span, sentence_vector) in enumerate(zip(spans, index.sentences_of(passage.id), strict=True)):
            if span[1] - span[0] < settings.answer.min_sentence_chars:  # headings and fragments state nothing
                continue
            # A sentence that points back ("It is treated with…") is read with the one it points to,
            # as a reader reads it: "It" covers "ringworm" when the sentence before names it.
            reading = spans[_antecedent(text, spans, j)][0]
            score = float(sentence_vector @ vector) - passage.offset + settings.answer.rank_weight / (1 + rank)
            candidate = Candidate(rank, span, score, sentence_vector, reading)
            found.append((candidate, _coverage(text[reading : span[1]], terms)))
    weights = _term_weights([covered for _, covered in found], len(terms), keys)
    bonus = settings.answer.term_weight
    out = [replace(c, score=c.score + bonus * float(weights @ np.array(covered, np.float64))) for c, covered in found]
    return sorted(out, key=lambda c: -c.score)


def _antecedent(text: str, spans: tuple[tuple[int, int], ...], j: int) -> int:
    """The index of the sentence that sentence ``j`` points back to: the nearest one before it that
    does not itself open with an anaphor ("Ringworm is…" for "It spreads…. It is treated…");
    ``j`` itself when it does not point back or nothing comes before it."""
    i = j
    while i > 0 and _ANAPHOR.match(text[spans[i][0] : spans[i][1]]):
        i -= 1
    return i


def _coverage(text: str, terms: list[Term]) -> list[bool]:
    """Which of ``terms`` the text covers (one Evidence index for all of them)."""
    if not terms:
        return []
    evidence = Evidence(text)
    return [evidence.covers(t) for t in terms]


def _term_weights(coverage: list[list[bool]], terms: int, keys: int) -> np.ndarray:
    """Each term's share of the coverage bonus: log((n + 1) / (df + 0.5)) over the n candidate
    sentences, normalised so that the first ``keys`` (the key terms; all terms when there are
    none) sum to 1: equal shares when every key term is equally common."""
    if not terms:
        return np.zeros(0)
    n = len(coverage)
    df = np.array(coverage, dtype=np.float64).reshape(n, terms).sum(axis=0)
    idf = np.log((n + 1) / (df + 0.5))  # > 0, as df ≤ n
    return idf / idf[: keys or terms].sum()


def _restates(candidate: Candidate, passages: list[Passage], question: Evidence) -> bool:
    """A sentence whose content words are (almost) all the question's own adds no answer to it."""
    text = candidate.text(passages)
    new = [t for t in key_terms(text, passages[candidate.rank].chunk.language) if not question.covers(t)]
    return len(new) <= 2


def choose(query: Query, passages: list[Passage], ranked: list[Candidate], settings: Settings) -> list[Candidate]:
    """The lead sentence, then up to ``answer_sentences`` - 1 more within ``answer_margin`` of it."""
    if not ranked:
        return []
    lead = ranked[0]
    # A topic sentence: the next one carries the content.
    if _restates(lead, passages, Evidence(f"{query.text} {query.gloss}")):
        following = next((c for c in ranked if c.rank == lead.rank and c.span[0] > lead.span[1]
                          and c.span[0] - lead.span[1] < 3), None)
        if following is not None and following.score >= lead.score - settings.answer.topic_margin:
            lead = following
    chosen = [lead]
    if _ANAPHOR.match(lead.text(passages)):
        # The sentence it points back to, past any that point back themselves.
        before = [c for c in ranked if c.rank == lead.rank and c.span[1] <= lead.span[0]]
        named = [c for c in before if c.span[0] >= lead.reading]
        if before:
            chosen.insert(0, min(named, key=lambda c: c.span[0]) if named else max(before, key=lambda c: c.span[1]))
    seen = {c.text(passages) for c in chosen}
    for candidate in ranked:
        text = candidate.text(passages)
        if len(chosen) == settings.answer.sentences or candidate.score < lead.score - settings.answer.margin:
            break
        # Overlapping chunks repeat sentences, and the abstracts repeat the body in other languages.
        duplicate = settings.answer.rendering_threshold("ru")
        if text in seen or any(float(candidate.vector @ c.vector) >= duplicate for c in chosen):
            continue
        seen.add(text)
        chosen.append(candidate)
    return chosen


def rendering(
    index: SearchIndex, lead: Candidate, lead_text: str, terms: list[Term], language: str, settings: Settings
) -> tuple[int, tuple[int, int]] | None:
    """(chunk id, sentence span) of a sentence in ``language`` that says what ``lead`` says: similar
    enough to be its rendering, and covering at least as many of the question's key terms (a
    sentence that is merely on the topic never leads)."""
    best: tuple[float, int, tuple[int, int]] | None = None
    for chunk_id in index.section_search(lead.vector, language, settings.answer.rendering_candidates):
        chunk = index.chunks[chunk_id]
        similarity = index.sentences_of(chunk_id) @ lead.vector
        for span, value in zip(chunk.sentences, similarity, strict=True):
            if span[1] - span[0] >= settings.answer.min_sentence_chars and (best is None or value > best[0]):
                best = (float(value), chunk_id, span)
    if best is None or best[0] < settings.answer.rendering_threshold(language):
        return None
    _, chunk_id, span = best
    text = index.chunks[chunk_id].text[span[0] : span[1]]
    if len(missing(terms, text)) > len(missing(terms, lead_text)):
        return None
    return chunk_id, span


def _neighbours(index: SearchIndex, chunk_ids: list[int], settings: Settings) -> list[str]:
    """The text of the chunks next to the quoted ones in the same document: a fact and the words
    that name its subject are often a few sentences apart (an abstract's aim and its conclusion)."""
    window = settings.answer.evidence_window
    near = {chunk_id: [other for other in range(chunk_id - window, chunk_id + window + 1)
                       if other != chunk_id and other not in chunk_ids] for chunk_id in set(chunk_ids)}
    found = index.chunks_of(sorted({other for others in near.values() for other in others} | set(chunk_ids)))
    return [found[other].text for chunk_id, others in near.items() for other in others
            if other in found and found[other].source == found[chunk_id].source]


def _lead_size(texts: list[str]) -> int:
    """How many quoted sentences make the lead statement: two when the second points back to the first."""
    return 2 if len(texts) > 1 and _ANAPHOR.match(texts[1]) else 1


def answer_kind_present(question: str, sentences: list[str]) -> bool:
    """A question asking how many / how long / what dose needs a number; "who" needs a name."""
    text = " ".join(sentences)
    if _ASKS_NUMBER.search(question) and not _NUMBER.search(text):
        return False
    return not (_ASKS_NAME.search(question) and not _NAME.search(text))


def _citation(n: int, passage: Passage) -> Citation:
    c = passage.chunk
    return Citation(n=n, source=c.source, start=c.start, end=c.end, line_start=c.line_start, line_end=c.line_end,
                    language=c.language, score=passage.dense, text=c.text, page=c.page, sentences=c.sentences)


def _quote(text: str) -> str:
    # The source's own reference numbers ("[4,5]") would read as our citation markers.
    return SOURCE_REFERENCE.sub("", text).strip()


def compose(
    query: Query, vector: np.ndarray, passages: list[Passage], index: SearchIndex, settings: Settings
) -> Answer:
    passages = list(passages)
    terms = key_terms(query.text, query.language, query.embed_text)
    english = query.text if query.language == ENGLISH.code else query.gloss
    ranked = candidates(index, vector, passages, terms, settings, relation_terms(english, terms))
    chosen = choose(query, passages, ranked, settings)
    rendered: tuple[int, tuple[int, int]] | None = None
    if chosen and passages[chosen[0].rank].chunk.language != query.language:
        rendered = rendering(index, chosen[0], chosen[0].text(passages), terms, query.language, settings)
    if rendered is not None:  # cite the rendering's passage, in place of the last passage nothing quotes
        chunk_id, span = rendered
        position = next((i for i, p in enumerate(passages) if p.id == chunk_id), None)
        if position is None:
            used = {c.rank for c in chosen}
            position = next((i for i in range(len(passages) - 1, -1, -1) if i not in used), len(passages))
            chunk = index.chunks[chunk_id]
            extra = Passage(chunk, 0.0, float(index.vectors_of(np.array([chunk_id]))[0] @ vector), chunk_id)
            passages[position : position + 1] = [extra]
        rendered = (position, span)
    citations = [_citation(i + 1, p) for i, p in enumerate(passages)]
    quoted = [(c.rank, c.span) for c in chosen]
    texts = [_quote(passages[rank].chunk.text[a:b]) for rank, (a, b) in quoted]
    # The quoted sentences' passages and the best few from the lead's own document: a fact is often
    # stated across two sentences, but never by a passage of some other document.
    lead_source = passages[quoted[0][0]].chunk.source if quoted else None
    ranks = {rank for rank, _ in quoted} | {
        rank for rank in range(min(settings.answer.evidence_passages, len(passages)))
        if passages[rank].chunk.source == lead_source
    }
    if rendered is not None:
        ranks.add(rendered[0])
    evidence = " ".join(passages[rank].chunk.text for rank in sorted(ranks))
    evidence += " " + " ".join(_neighbours(index, [passages[rank].id for rank, _ in quoted], settings))
    absent = missing(terms, evidence)
    strongest = max((p.dense + settings.answer.language_gap(query.language, p.chunk.language)
                     for p in passages[: settings.retrieval.k]), default=0.0)
    # The kind of answer asked for must be in the lead statement itself (with the sentence an
    # anaphoric lead points back to), not in a further sentence quoted from another passage.
    lead_texts = texts[: _lead_size(texts)]
    if rendered is not None:
        lead_texts = [*lead_texts, passages[rendered[0]].chunk.text[rendered[1][0] : rendered[1][1]]]
    supported = (bool(chosen) and strongest >= settings.answer.support_floor
                 and len(absent) <= settings.answer.max_missing
                 and answer_kind_present(query.text, lead_texts))
    if not supported:
        return Answer(query.asked, query.language, query.script, not_found_message(query.language, query.script),
                      False, citations, [], absent, list(query.carried))
    claims = [Claim(text, rank + 1, passages[rank].chunk.language)
              for (rank, span), text in zip(quoted, texts, strict=True)]
    for rank, span in quoted:
        citations[rank].highlights.append(span)
    parts = [f"{claim.text} [{claim.n}]" for claim in claims]
    if rendered is not None:
        position, span = rendered
        citations[position].highlights.append(span)
        text = _quote(passages[position].chunk.text[span[0] : span[1]])
        claims.insert(0, Claim(text, position + 1, query.language, renders=claims[0].n))
        parts.insert(0, f"{text} [{position + 1}]")
    elif claims[0].language != query.language:
        note = english_source_note(query.language, query.script)
        if note:
            parts.insert(0, note)
    return Answer(query.asked, query.language, query.script, " ".join(parts), True, citations, claims, absent,
                  list(query.carried))


def first_statement(answer: Answer) -> str:
    """The answer's first statement: its first quoted sentence, together with the English sentence a
    same-language rendering says again, or with the sentence an anaphoric one ("These are…") needs."""
    if not answer.claims:
        return ""
    first = answer.claims[0]
    texts = [claim.text for claim in answer.claims]
    pair = len(texts) > 1 and (first.renders is not None or _lead_size(texts) == 2)
    return f"{first.text} {texts[1]}" if pair else first.text
