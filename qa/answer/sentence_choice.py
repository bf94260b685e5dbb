"""Which sentences of the cited passages answer the question (the first half of qa.answer.compose).

Every sentence of the first passages is scored by its vector (stored at index time; one that points
back is embedded after the sentence it points to, as it is quoted) against the question's, shifted
by its passage's language offset and, in another language than the question's, by what e5 takes
off a translation; plus its passage's rank and the key terms it covers, each weighted by its rarity
among the candidates. A topic sentence that only restates the question gives way to the next one,
and a sentence that points back ("These are the patients where…") is only ever quoted right after
the sentence it points to. A further sentence in another language than the reader's gives way to
its rendering in the reader's language when a cited passage holds one. A ``related`` answer then
quotes the closest sentence of each further cited passage (``closest_in_each``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from qa.answer.retrieve import Query
from qa.answer.statements import statement
from qa.languages import language as language_entry
from qa.languages import translation_gap
from qa.languages.anaphora import ANAPHOR, antecedent
from qa.languages.evidence import Evidence, Term, evidence_of
from qa.languages.terms import key_terms
from qa.settings import Settings
from qa.store.base import SearchIndex
from qa.types import Passage


@dataclass(frozen=True)
class Candidate:
    rank: int  # passage rank
    span: tuple[int, int]
    score: float  # centred cosine (plus the translation gap), passage rank and the key terms covered
    vector: np.ndarray
    # Where the sentence's reading starts: the start of the sentence an opening "It…" points back
    # to (past any that point back themselves), else of the sentence itself.
    reading: int
    # What the score adds up: the centred cosine (with the translation gap), 1 / (1 + passage rank)
    # and the rarity-weighted share of the key terms covered.
    parts: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def text(self, passages: list[Passage]) -> str:
        return passages[self.rank].chunk.text[self.span[0] : self.span[1]]


def candidates(
    index: SearchIndex, vector: np.ndarray, passages: list[Passage], terms: list[Term], settings: Settings,
    language: str, relations: list[Term] | None = None,
) -> list[Candidate]:
    """Sentences of the first ``answer_pool`` passages, best first: centred cosine (a sentence in
    another language than the question's ``language`` gets back what e5 takes off a translation,
    ``AnswerSettings.translation_gap``: else a Russian abstract's sentence on the topic outscores
    the English sentence that answers a Russian question) plus
    ``term_weight`` × the share of the question's key terms the sentence covers (the model alone
    prefers sentences that resemble the question over sentences that answer it). Each term counts
    by how few of these sentences cover it (inverse document frequency over the pool): the subject
    of the whole corpus ("IL-6" in a review of IL-6) is in every sentence and tells none apart,
    while "receptor complex" picks the sentence that answers. ``relations`` (qa.languages.terms.relation_terms)
    add their own weight on the same scale without diluting the key terms' share, and so do the words
    naming the kind of answer asked for (qa.languages.terms.question_terms)."""
    keys, window = len(terms), settings.answer.context_weight
    terms = [*terms, *(relations or [])]
    found: list[tuple[Candidate, list[float]]] = []
    pool = passages[: settings.answer.pool]
    tie = settings.retrieval.same_language_margin
    for rank, passage in enumerate(pool):
        if passage.id < 0:
            continue
        # Passages about as relevant (within ``tie``) share a rank: a 0.0005 difference in the
        # fused score must not decide between two sentences by the 0.03 between ranks 1 and 2.
        shared_rank = sum(1 for other in pool if other.score > passage.score + tie)
        text, spans = passage.chunk.text, passage.chunk.sentences
        shift = translation_gap(language, passage.chunk.language) - passage.offset
        before: list[bool] = [False] * len(terms)
        for j, (span, sentence_vector) in enumerate(zip(spans, index.sentences_of(passage.id), strict=True)):
            context, before = before, _coverage(text[span[0] : span[1]], terms)
            stated = statement(text, span, settings.answer.min_sentence_chars)
            if stated is None:
                continue
            span = stated
            # A sentence that points back ("It is treated with…") is read with the one it points to,
            # as a reader reads it: "It" covers "ringworm" when the sentence before names it.
            reading = spans[antecedent(text, spans, j)][0]
            cosine = float(sentence_vector @ vector) + shift
            score = cosine + settings.answer.rank_weight / (1 + shared_rank)
            candidate = Candidate(rank, span, score, sentence_vector, reading, (cosine, 1 / (1 + shared_rank), 0.0))
            # The sentence before sets the scene ("The MESA study provided insight. Ahmad et al.
            # reported…"): a term it covers counts at ``context_weight`` for this one. Its df (below)
            # counts only the sentences that cover the term themselves.
            own = before if reading == span[0] else _coverage(text[reading : span[1]], terms)
            found.append((candidate, [1.0 if o else window * c for o, c in zip(own, context, strict=True)]))
    weights = _term_weights([covered for _, covered in found], len(terms), keys)
    bonus = settings.answer.term_weight
    out = []
    for c, covered in found:
        share = float(weights @ np.array(covered, np.float64))
        out.append(replace(c, score=c.score + bonus * share, parts=(c.parts[0], c.parts[1], share)))
    return sorted(out, key=lambda c: -c.score)


def _coverage(text: str, terms: list[Term]) -> list[bool]:
    """Which of ``terms`` the text covers (one Evidence index for all of them)."""
    if not terms:
        return []
    evidence = evidence_of(text)
    return [evidence.covers(t) for t in terms]


def _term_weights(coverage: list[list[float]], terms: int, keys: int) -> np.ndarray:
    """Each term's share of the coverage bonus: log((n + 1) / (df + 0.5)) over the n candidate
    sentences, normalised so that the first ``keys`` (the key terms; all terms when there are
    none) sum to 1: equal shares when every key term is equally common."""
    if not terms:
        return np.zeros(0)
    n = len(coverage)
    df = (np.array(coverage, dtype=np.float64).reshape(n, terms) == 1.0).sum(axis=0)
    idf = np.log((n + 1) / (df + 0.5))  # > 0, as df ≤ n
    return idf / idf[: keys or terms].sum()


def _restates(candidate: Candidate, passages: list[Passage], known: Evidence) -> bool:
    """A sentence whose content words are (almost) all in ``known`` (the question, or a sentence
    already quoted) adds nothing to it."""
    text = candidate.text(passages)
    new = [t for t in key_terms(text, passages[candidate.rank].chunk.language) if not known.covers(t)]
    return len(new) <= 2


def _repeats(candidate: Candidate, quoted: Candidate, passages: list[Passage], settings: Settings) -> bool:
    """The candidate says what ``quoted`` says: a rendering in another language (as close as e5
    puts a translation), or in the same language, as close and with (almost) no content word of
    its own. The cosine alone does not tell a restatement in the same language: two sentences of
    one study on one subject reach 0.92-0.98 while stating different facts ("higher IL-6 went
    with coronary artery calcium" beside "the MESA cohort showed IL-6 precedes heart failure")."""
    if float(candidate.vector @ quoted.vector) < settings.answer.duplicate_cosine:
        return False
    if passages[candidate.rank].chunk.language != passages[quoted.rank].chunk.language:
        return True
    return _restates(candidate, passages, evidence_of(quoted.text(passages)))


def choose(query: Query, passages: list[Passage], ranked: list[Candidate], settings: Settings,
           subject: Sequence[Term] = ()) -> tuple[list[Candidate], Candidate | None]:
    """The quoted sentences and the lead, one of them (the same object): the lead (after the sentence it
    points back to, when it opens with an anaphor), then up to ``answer_sentences`` - 1 more within
    ``answer_margin`` of it, each in the reader's language when the candidates hold its rendering.
    ``subject``: the question's most specific key terms; a further sentence from another document
    than the lead's must speak of those the lead speaks of, else it is about another drug or
    population (a metformin dose quoted under a warfarin one) however close its words."""
    if not ranked:
        return [], None
    lead = ranked[0]
    # A topic sentence: the next one carries the content.
    if _restates(lead, passages, evidence_of(f"{query.text} {query.gloss}")):
        following = next((c for c in ranked if c.rank == lead.rank and c.span[0] > lead.span[1]
                          and c.span[0] - lead.span[1] < 3), None)
        if following is not None and following.score >= lead.score - settings.answer.topic_margin:
            lead = following
    chosen = _read_with(lead, ranked, passages)
    lead_end = len(chosen)  # the lead statement stays first: nothing comes between the lead and its antecedent
    seen = {c.text(passages) for c in chosen}
    subject = [t for t in subject if _reading(lead, passages).covers(t)]
    for candidate in ranked:
        if len(chosen) == settings.answer.sentences or candidate.score < lead.score - settings.answer.margin:
            break
        # Overlapping chunks repeat sentences, and the abstracts repeat the body in other languages.
        if candidate.text(passages) in seen or any(_repeats(candidate, c, passages, settings) for c in chosen):
            continue
        if _off_subject(candidate, lead, subject, passages):
            continue
        # "These are the patients where…" means nothing without the sentence it points back to: it
        # follows that sentence, or is left out.
        group = _read_with(candidate, ranked, passages)
        if len(group) == 1 and ANAPHOR.match(candidate.text(passages)):
            continue
        fresh = [c for c in group if c.text(passages) not in seen]
        if len(chosen) + len(fresh) > settings.answer.sentences:
            continue
        seen.update(c.text(passages) for c in fresh)
        at = len(chosen)
        if len(group) == 2 and len(fresh) == 1:  # its antecedent is quoted already: right after it
            at = max(lead_end, next((i + 1 for i, c in enumerate(chosen)
                                     if (c.rank, c.span) == (group[0].rank, group[0].span)), at))
        chosen[at:at] = fresh
    return _in_readers_language(chosen, lead_end, lead, subject, ranked, passages, query.language, settings), lead


def _in_readers_language(chosen: list[Candidate], lead_end: int, lead: Candidate, subject: Sequence[Term],
                         ranked: list[Candidate], passages: list[Passage], language: str, settings: Settings
                         ) -> list[Candidate]:
    """Each further quoted sentence in another language than the reader's gives way to its closest
    rendering in the reader's language among the candidates, however it scored (the abstracts repeat
    the body in three languages): as close as qa.answer.compose asks of the lead's rendering, on the
    lead's subject, and repeating no other quoted sentence. The lead statement's own rendering is
    compose's to look up."""
    out = list(chosen)
    threshold = max(settings.answer.duplicate_cosine, language_entry(language).rendering_threshold)
    for i in range(lead_end, len(out)):
        points_back = i + 1 < len(out) and out[i + 1].rank == out[i].rank and ANAPHOR.match(out[i + 1].text(passages))
        if passages[out[i].rank].chunk.language == language or points_back or ANAPHOR.match(out[i].text(passages)):
            continue  # in the reader's language already, or read with the sentence it points back to
        seen = {c.text(passages) for c in out}
        twins = [c for c in ranked if passages[c.rank].chunk.language == language
                 and float(c.vector @ out[i].vector) >= threshold and c.text(passages) not in seen
                 and not ANAPHOR.match(c.text(passages)) and not _off_subject(c, lead, subject, passages)
                 and not any(_repeats(c, other, passages, settings) for other in out if other is not out[i])]
        if twins:
            out[i] = max(twins, key=lambda c: float(c.vector @ out[i].vector))
    return out


def closest_in_each(passages: list[Passage], ranked: list[Candidate], chosen: list[Candidate], lead: Candidate,
                    settings: Settings, subject: Sequence[Term] = (), skip: frozenset[int] = frozenset()
                    ) -> list[Candidate]:
    """For a ``related`` answer: the chosen sentences, then the closest sentence of each cited passage
    none of them is from (best first; not the passages in ``skip``), as a search result shows each
    source's snippet. The reader is told the sources may not answer, so each passage's nearest
    statement is put before them to check, not only those near the lead. As in ``choose``, a
    sentence of another document must speak of the ``subject`` terms the lead speaks of."""
    if not chosen:
        return []
    out = list(chosen)
    seen = {c.text(passages) for c in out}
    shown = {c.rank for c in out} | set(skip)
    subject = [t for t in subject if _reading(lead, passages).covers(t)]
    for candidate in ranked:
        if candidate.rank in shown or candidate.text(passages) in seen:
            continue
        if any(_repeats(candidate, c, passages, settings) for c in out):
            continue
        if _off_subject(candidate, lead, subject, passages):
            continue
        group = _read_with(candidate, ranked, passages)
        # An anaphoric sentence is quoted right after its antecedent; when that is quoted already
        # (overlapping chunks repeat it), the passage's next sentence is tried instead.
        if (len(group) == 1 and ANAPHOR.match(candidate.text(passages))) or any(
                c.text(passages) in seen for c in group):
            continue
        seen.update(c.text(passages) for c in group)
        shown.add(candidate.rank)
        out += group
    return out


def _off_subject(candidate: Candidate, lead: Candidate, subject: Sequence[Term], passages: list[Passage]) -> bool:
    """A sentence of another document than the lead's that misses a ``subject`` term: it is about
    another drug or population, however close its words."""
    return passages[candidate.rank].chunk.source != passages[lead.rank].chunk.source and not all(
        _reading(candidate, passages).covers(t) for t in subject)


def _reading(candidate: Candidate, passages: list[Passage]) -> Evidence:
    """The sentence as read: with the sentence an opening "It…" points back to."""
    return evidence_of(passages[candidate.rank].chunk.text[candidate.reading : candidate.span[1]])


def _read_with(candidate: Candidate, ranked: list[Candidate], passages: list[Passage]) -> list[Candidate]:
    """The candidate, after the sentence it points back to when it opens with an anaphor (past any
    that point back themselves)."""
    if not ANAPHOR.match(candidate.text(passages)):
        return [candidate]
    before = [c for c in ranked if c.rank == candidate.rank and c.span[1] <= candidate.span[0]]
    if not before:
        return [candidate]
    named = [c for c in before if c.span[0] >= candidate.reading]
    return [min(named, key=lambda c: c.span[0]) if named else max(before, key=lambda c: c.span[1]), candidate]
