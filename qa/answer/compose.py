"""Passages → a short extractive answer: the sentences that answer, each followed by its [n].

No generator ships offline, so the answer is made of source sentences (1 and 2 in qa.answer.sentence_choice):
1. Every sentence of the cited passages is scored by its vector (stored at index time; as quoted) against
   the question's, shifted by its passage's language offset, so an English sentence and a Russian
   one compete fairly for a Russian question; plus its passage's rank and the key terms it covers,
   each term weighted by how rare it is among the candidate sentences (a term the sentence before
   covers counts half: a study is named once and its findings follow), and the words naming the
   kind of answer asked for ("which vaccine").
2. A topic sentence that only restates the question ("One of the most damaging effects of IL-6 is
   on myocardial fibrosis.") gives way to the next sentence when that one scores about as well.
3. The reader's language: when the lead sentence is in another language, the same fact in the
   question's language (the abstracts exist in three) is looked up by sentence similarity and leads
   (a further sentence gives way to its rendering among the cited passages' sentences); otherwise,
   when every quoted sentence is in one other language, the answer says which.
4. The verdict (qa.answer.verdict): ``answered`` (``supported``) when the learned probability reaches
   the operating point; else ``related`` (the closest statements under a caveat) when the sources
   are on the topic and the probability reaches the model's floor, else ``not_found``. A ``related``
   answer also quotes the closest sentence of each further cited passage on the lead's subject: the
   reader checks every source, not only the lead's.
"""

from __future__ import annotations

import numpy as np

from qa.answer.messages import not_found_message, related_message, source_note
from qa.answer.retrieve import Query
from qa.answer.sentence_choice import Candidate, candidates, choose, closest_in_each
from qa.answer.signals import asks_number, measure
from qa.answer.statements import lead_size
from qa.answer.verdict import ANSWERED, NOT_FOUND, RELATED, check_terms, grade, load_model, specificity
from qa.languages import ENGLISH, language_gap
from qa.languages import language as language_entry
from qa.languages.anaphora import ANAPHOR
from qa.languages.evidence import Term, missing
from qa.languages.terms import question_terms, relation_terms
from qa.settings import Settings
from qa.store.base import SearchIndex
from qa.text.tokens import TERM
from qa.text.translit import plain_apostrophes
from qa.types import Answer, Citation, Claim, Passage


def rendering(
    index: SearchIndex, lead: Candidate, lead_text: str, terms: list[Term], language: str, settings: Settings
) -> tuple[int, tuple[int, int]] | None:
    """(chunk id, sentence span) of a sentence in ``language`` that says what ``lead`` says: similar
    enough to be its rendering, and covering at least as many of the question's key terms (a
    sentence that is merely on the topic never leads), and not pointing back ("Он…" alone names nothing)."""
    best: tuple[float, int, tuple[int, int]] | None = None
    for chunk_id in index.section_search(lead.vector, language, settings.answer.rendering_candidates):
        chunk = index.chunks[chunk_id]
        similarity = index.sentences_of(chunk_id) @ lead.vector
        for span, value in zip(chunk.sentences, similarity, strict=True):
            text = chunk.text[span[0] : span[1]]
            if len(text) >= settings.answer.min_sentence_chars and not ANAPHOR.match(text) and (
                    best is None or value > best[0]):
                best = (float(value), chunk_id, span)
    if best is None or best[0] < language_entry(language).rendering_threshold:
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


def _as_asked(words: list[str], query: Query) -> list[str]:
    """Key terms as the reader wrote them: an Uzbek question's terms are read in its Latin rendering
    (ўлимни → o'limni, СРБ → SRB, oʻ → o'), which the caveat must not show a Cyrillic reader; a term
    a follow-up carried from an earlier question is at least written in the reader's script."""
    if not words:  # most answers: nothing missing, nothing to spell
        return words
    entry = language_entry(query.language)
    to_script = entry.to_script or (lambda text, script: text)
    asked_text = query.asked or query.text
    # Words found where the rendering finds them (its apostrophes are ASCII), spelled as asked.
    asked = [asked_text[m.start() : m.end()] for m in TERM.finditer(plain_apostrophes(asked_text))]
    read = TERM.findall(entry.model_text(asked_text, query.script))
    spelled = {r.lower(): a for r, a in zip(read, asked, strict=True)} if len(read) == len(asked) else {}
    return [" ".join(spelled.get(part.lower()) or to_script(part, query.script) for part in word.split())
            for word in words]


def _citation(n: int, passage: Passage, index: SearchIndex) -> Citation:
    c = passage.chunk
    return Citation(n=n, source=c.source, start=c.start, end=c.end, line_start=c.line_start, line_end=c.line_end,
                    language=c.language, score=passage.dense, text=c.text, page=c.page, sentences=c.sentences,
                    ocr=c.ocr, sha256=index.file_hash(c.source))


def _cited(claim: Claim, language: str) -> str:
    """A quoted sentence in the reader's quotation marks, then its [n]."""
    opening, closing = language_entry(language).quotation_marks
    return f"{opening}{claim.text}{closing} [{claim.n}]"


def _quote(text: str) -> str:
    # Verbatim, reference marks included ("Wang et al. [19] observed"): the reader can follow [19].
    return text.strip()


def compose(
    query: Query, vector: np.ndarray, pool: list[Passage], index: SearchIndex, settings: Settings,
    cite: int | None = None,
) -> Answer:
    """The answer from the first ``cite`` passages of ``pool`` (all of them by default). The passage
    and sentence signals of the verdict read the whole pool (at least ``retrieval.k`` passages, so a
    reader asking for three citations is not judged on three passages' standout); the key-term and
    lead signals read what is cited."""
    cite = len(pool) if cite is None else cite
    passages = list(pool[:cite])
    terms, kinds = question_terms(query.text, query.language, query.embed_text)
    english = query.text if query.language == ENGLISH.code else query.gloss
    relations = relation_terms(english, terms) + kinds
    ranked = candidates(index, vector, pool, terms, settings, query.language, relations)
    subject = [t for t in terms if specificity(t, query.language) >= settings.answer.subject_specificity]
    cited = [c for c in ranked if c.rank < cite]
    # The lead is the sentence chosen to answer; an anaphoric one is quoted after what it points back to.
    chosen, lead = choose(query, passages, cited, settings, subject)
    rendered: tuple[int, tuple[int, int]] | None = None
    if lead is not None and passages[lead.rank].chunk.language != query.language:
        # The lead as read, with its antecedent: a rendering must name what the antecedent names.
        statement = " ".join(c.text(passages) for c in chosen[: 1 if chosen[0] is lead else 2])
        rendered = rendering(index, lead, statement, terms, query.language, settings)
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
    citations = [_citation(i + 1, p, index) for i, p in enumerate(passages)]
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
    strongest = max((p.dense + language_gap(query.language, p.chunk.language)
                     for p in pool[: settings.retrieval.k]), default=0.0)
    # The kind of answer asked for must be in the lead statement itself (with the sentence an
    # anaphoric lead points back to), not in a further sentence quoted from another passage.
    lead_texts = texts[: lead_size(texts)]
    if rendered is not None:
        lead_texts = [*lead_texts, passages[rendered[0]].chunk.text[rendered[1][0] : rendered[1][1]]]
    checks = check_terms(terms, query.language, evidence, " ".join(lead_texts))
    absent = _as_asked([check.text for check in checks if not check.in_evidence], query)  # one Evidence, not two
    signals = measure(query, vector, pool, lead, ranked, checks, kinds, lead_texts, strongest, settings)
    model = load_model()
    floor = settings.answer.support_floor
    # Where the question and its lead sentence sit in e5's space: the verdict weighs a few main axes of
    # their vectors' sum (what kind of question, what kind of statement), at no further cost. Another
    # embedding model's vectors are not read on e5's axes: the pair is then left at its mean.
    read_pair = lead is not None and model.reads_pair_of(str(index.manifest.get("model", "")))
    pair = vector + lead.vector if lead is not None and read_pair else np.zeros(0, dtype=np.float32)
    confidence = model.probability(signals, pair) if lead is not None else 0.0
    threshold = model.threshold if settings.answer.verdict_threshold is None else settings.answer.verdict_threshold
    # "Related" needs the sources to be on the topic: as close as answers are, and speaking of at
    # least one of the question's key terms ("the boiling point of mercury" is near no IL-6 text).
    on_topic = lead is not None and strongest >= floor and (not checks or any(c.in_evidence for c in checks))
    verdict = grade(confidence, threshold, on_topic, model.floor)
    read_as = [f"{typed} → {read}" for typed, read in query.slips]  # the reader sees what was read
    if verdict == NOT_FOUND:
        return Answer(query.asked, query.language, query.script, not_found_message(query.language, query.script),
                      False, citations, [], absent, list(query.carried), verdict, confidence, signals, checks,
                      pair.tolist(), read_as)
    weighed = len(chosen)  # the sentences the verdict read; a related answer quotes further ones
    if verdict == RELATED and lead is not None:  # (on topic: a lead) the rendering's passage is not its own
        chosen = closest_in_each(passages, cited, chosen, lead, settings, subject,
                                 frozenset() if rendered is None else frozenset({rendered[0]}))
        quoted = [(c.rank, c.span) for c in chosen]
        texts = [_quote(passages[rank].chunk.text[a:b]) for rank, (a, b) in quoted]
        further = " ".join(texts[weighed:])
        # The caveat never names a word a further quoted sentence shows, and names the kind of answer
        # asked for when no quoted passage says the word: a question for a dose is not answered by a level.
        asked_for = kinds if signals["kind_missing"] or asks_number(query.text) else []
        if further or asked_for:  # only what the passages left uncovered can still be named
            uncovered = [t for t, check in zip(terms, checks, strict=True) if not check.in_evidence]
            shown = check_terms(uncovered + asked_for, query.language, f"{evidence} {further}", " ".join(lead_texts))
            absent = _as_asked([check.text for check in shown if not check.in_evidence], query)
    claims = [Claim(text, rank + 1, passages[rank].chunk.language, span=span, closest=i >= weighed)
              for i, ((rank, span), text) in enumerate(zip(quoted, texts, strict=True))]
    for rank, span in quoted:
        citations[rank].highlights.append(span)
    parts = [_cited(claim, query.language) for claim in claims]
    if rendered is not None:
        position, span = rendered
        citations[position].highlights.append(span)
        text = _quote(passages[position].chunk.text[span[0] : span[1]])
        claims.insert(0, Claim(text, position + 1, query.language, renders=claims[0].n, span=span))
        parts.insert(0, _cited(claims[0], query.language))
    elif verdict == ANSWERED and len(written := {claim.language for claim in claims}) == 1:
        note = source_note(query.language, query.script, written.pop())  # none for the reader's own
        if note:
            parts.insert(0, note)
    if verdict == RELATED:
        parts.insert(0, related_message(query.language, query.script, absent))
    return Answer(query.asked, query.language, query.script, " ".join(parts), verdict == ANSWERED, citations,
                  claims, absent, list(query.carried), verdict, confidence, signals, checks, pair.tolist(), read_as)


def markers(answer: Answer) -> list[tuple[int, int, int]]:
    """Where the answer's own [n] markers stand in its text, as (start, end, n): right after each
    quoted sentence's closing quotation mark. A bracketed number inside a quote is the source's own
    reference ("[19]")."""
    found, at = [], 0
    for claim in answer.claims:
        cited, mark = _cited(claim, answer.language), f"[{claim.n}]"
        start = answer.answer.find(cited, at)
        if start < 0:
            continue
        at = start + len(cited)
        found.append((at - len(mark), at, claim.n))
    return found


def first_statement(answer: Answer) -> str:
    """The answer's first statement: its first quoted sentence with the anaphoric one ("These are…") it
    leads into, or a same-language rendering with the (English) statement it says again."""
    if not answer.claims:
        return ""
    first = answer.claims[0]
    texts = [claim.text for claim in answer.claims]
    if first.renders is not None:  # the rendering, then the lead statement it says again
        return " ".join([first.text, *texts[1 : 1 + lead_size(texts[1:])]])
    return " ".join(texts[: lead_size(texts)])
