"""English: the language of most sources; the others are glossed into it."""

from __future__ import annotations

import re
from functools import lru_cache

from qa.languages.base import Language

KNOWN_ZIPF = 3.0  # used about once per million words of English: a word of the language, not a stray name


@lru_cache(maxsize=50_000)
def _zipf(word: str) -> float:
    from qa.languages.frequencies import zipf

    return zipf(word, "en")


# Words that ask, relate or quantify but name no topic: a question about any subject uses them, so
# an answer need not repeat them ("Is X linked to Y?" → "X predicts Y"). Also applied to the English
# senses of Russian and Uzbek words. The first block are function words; the rest (RELATION) say what
# is asked about the topic ("how does it spread", "what happens over time") and help pick the
# sentence that answers, though no answer is required to repeat them.
FUNCTION = frozenset("""
a about above across after again against all also although always am among an and any anyone are around as at
away be became because become becomes been before being below best better between both but by can cannot could
did do does doing done down during each either else enough even ever every few for from further get gets getting
give given gives go goes had has have having he her here hers high higher highest how however i if in into is it
its itself just keep keeps kind kinds least less let like likely long low lower made main make makes many may
me might more most much must my near need needs never new no nor not now of off often on once one only or other
others our out over own part per possible possibly rather really same several shall she should since so some
something sometimes still such than that the their them then there these they thing things this those though
through thus to too type types under until up upon us use used uses using usually very was way ways we well
were what whatever when where whether which while who whom whose why will with within without would yet you your
him his himself herself myself yourself yourselves ours ourselves yours theirs themselves
""".split())
RELATION = frozenset("""
happen happens happened occur occurs stay stays remain remains add adds added involve involved involves link
linked links associate associated association relate related relation relationship affect affects effect effects
cause causes caused role roles change changes changed increase increases increased decrease decreases decreased
reduce reduces reduced lower lowers lowered raise raises raised rise rises fall falls fell drop drops improve
improves improved worsen worsens predict predicts predicted prediction outcome outcomes result results show shows
shown find finds found mean means meaning differ differs difference differences compare compared versus vs
factor factors problem problems process processes approach approaches condition conditions value values level
levels amount number aspect aspects feature features benefit benefits important useful help helps helping work
works play plays lead leads take takes taken good bad common usual usually normal day days time times way
describe described explain explained known call called name named say says said tell told according regarding
decline declines declined prolonged persistent constant activity function state states stage stages phase phases
period background majority beneficial harm harmful damage injury useful treatment treat treated therapy apply
applied application needed necessary small little large big young minor great opposed opposite contrary
counter facing side route routes person persons people someone anyone human humans patient patients subject
subjects individual individuals
effective effectiveness efficacy efficacious feasible feasibility reliable reliability adequate adequately
accurate accuracy valid validity appropriate sufficient superior inferior worse favor favour favors favours
influence influences influenced affected impact impacts continue continued option options early late anti
""".split())
RELATION -= FUNCTION  # a few words are listed in both blocks ("usually", "lower"): they stay function words
GENERIC = FUNCTION | RELATION
# Evaluation words (effective, feasible, reliable…) are what a yes/no question asks about its topic,
# not the topic: the answer says "was feasible" or "can be safely performed" alike.

# After "what / which", a verb that takes a subject makes the question word a pronoun ("What does
# dapagliflozin do?", "What can tocilizumab cause?"): the noun after it is the topic, not the kind
# of answer. After a copula the noun is the kind when "the" or a preposition marks it as such
# ("What is the dose…", "What are symptoms of…"), the topic otherwise ("What is dapagliflozin?").
AUXILIARIES = frozenset("do does did can could will would should shall may might must has have had".split())
COPULAS = frozenset("is are was were".split())
KIND_MARKERS = frozenset("""of for to in on with at by from about among between during after before against into
within without versus vs that which who whom whose where when""".split())
_CLITIC = re.compile(r"(?:['’](?:s|re|ve|ll|d|m)|n['’]t)$", re.I)
_IRREGULAR_NEGATIVES = {"won't": "will", "can't": "can", "shan't": "shall"}  # not "wo", "ca", "sha"


def clitic_base(word: str) -> str:
    """The word without an English clitic ("what's" → "what", "doesn't" → "does", "won't" → "will")."""
    irregular = _IRREGULAR_NEGATIVES.get(word.lower().replace("’", "'"))
    return irregular if irregular else _CLITIC.sub("", word)


# A clause's first word and the word after it, past a particle ("List two…", "Write down the…", "…? Name
# the drug"). Not "in": "Fill in the…" reads as "Stroke in the…" does.
_CLAUSE_OPENING = re.compile(
    r"(?:^|(?<!\bal)[.!?]\s*|[:;,—–(]\s*|\s-\s+)([A-Za-z]+)\s+(?:(?:out|down)\s+)?([\w-]+)", re.I)
NUMBER_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
                "twenty", "thirty", "forty", "fifty", "hundred", "half", "twice")
# What an imperative's object or clause opens with: after a verb that is only a verb ("Explain why",
# "Identify a…"); after one that is a noun too, only an object that no noun takes ("Name the…", "List
# two…"; not "Cough when…", "Test that…", "Exercise a few times…", "Phase 2…").
_AFTER_VERB = frozenset("""the a an both all each every any some this that these those its their your either neither
why how what which whether when where who""".split()) | frozenset(NUMBER_WORDS)
_AFTER_NOUN_VERB = frozenset({"the", "both"}) | frozenset(NUMBER_WORDS)


def imperatives(text: str) -> frozenset[str]:
    """The imperatives of a question: a verb in its base form that opens a clause before its object
    or clause ("List two cytokines", "Name the drug", "Explain why"; not "Lower doses…"). The lexicon
    is LemmInflect's."""
    from lemminflect import getAllLemmas

    out = set()
    for verb, following in _CLAUSE_OPENING.findall(text):
        low, after = verb.lower(), following.lower()
        readings = getAllLemmas(low)
        if low in AUXILIARIES or low in FUNCTION or low not in readings.get("VERB", ()):
            continue
        if after in (_AFTER_NOUN_VERB if readings.keys() & {"NOUN", "ADJ", "PROPN"} else _AFTER_VERB):
            out.add(low)
    return frozenset(out)


def _generic(word: str) -> bool:
    low = word.lower()
    return low in GENERIC or clitic_base(low) in FUNCTION


@lru_cache(maxsize=50_000)
def names_thing(word: str) -> bool:
    """A noun, or a word the lexicon does not know (LemmInflect's English lemma tables)."""
    from lemminflect import getAllLemmas

    kinds = getAllLemmas(word.lower())
    return not kinds or "NOUN" in kinds or "PROPN" in kinds


LANGUAGE = Language(
    code="en",
    name="English",
    scripts=("Latn",),
    evidence={"Latn": ((re.compile(r"\b(?:the|and|of|is|are|what|which|how|does|with|in|to|for|was|why|when)\b", re.I),
                        0.5),)},
    langdetect_labels={"Latn": ("en",)},
    function_words={"Latn": frozenset(
        "the of and is are was were with for to by from that this which on be has have than or not it".split())},
    priority=1,
    not_found={"Latn": "The sources do not contain an answer to this question. "
                       "The closest passages are shown with the sources."},
    source_notes={"ru": {"Latn": "From Russian sources:"}, "uz": {"Latn": "From Uzbek sources:"}},
    related_answer={"Latn": ("The sources discuss this topic but may not answer this question{missing}. "
                             "The closest statements:", " (not found in them: {terms})")},
    labels={
        "quoted": "Quoted in the answer", "related": "Related passage", "rank": "match {rank} of {total}",
        "copy": "Copy with references", "references": "References",
        "closest": "Closest passages", "question_label": "Question", "carried": "Read with the earlier question",
        "read_as": "Typing slips read as",
        "changed_sources": "Changed or deleted since indexing, so the quotes may no longer be in them (index again)",
        "files": "Reading files", "chunks": "Embedding passages", "passages": "passages", "passage": "passage",
        "files_unit": "files", "chunks_unit": "passages",
        "ocr": "Reading scanned pages (OCR)", "ocr_unit": "pages", "ocr_note": "read by OCR: check the page image",
        "not_indexed": "not indexed", "auto": "Auto",
        "title": "## qa — cited answers from your medical sources",
        "question": "Your question (English, Русский, Oʻzbek)", "placeholder": "Ask a question…",
        "ask": "Ask", "clear": "Clear chat", "sources": "Sources", "no_sources": "Sources of the answer appear here.",
        "not_found": "Not found in the sources", "related_verdict": "Related, but may not answer the question",
        "confidence": "confidence", "detected": "Question language", "lines": "lines", "score": "score",
        "page": "page", "context": "Show in the document", "upload": "Add documents",
        "added": "added, searchable now", "interface": "Interface language", "examples": "Examples",
        "already": "it was already in the corpus",
        "changed": "The file changed since it was indexed.", "missing": "The file is no longer in the corpus.",
        "unreadable": "The file can no longer be read.", "offsets": "The excerpt lies past the end of the file's text.",
        "outside": "The file lies outside the corpus.", "removed": "The document was removed from the corpus.",
        "full_passage": "Full passage",
        "page_lines": "lines {start}–{end} of the page",
        "documents": "Documents", "indexed_files": "Indexed", "skipped_files": "Skipped", "pages": "pages",
        "remove": "Remove", "remove_choice": "File to remove", "no_documents": "No documents indexed yet.",
        "languages": "Languages",
        "removed_ok": "removed from the index; kept in the trash",
    },
    script_names={"Latn": "Latin", "Cyrl": "Cyrillic"},
    generic=_generic,
    known=lambda word: word.lower() in FUNCTION or _zipf(word) >= KNOWN_ZIPF,
    names_thing=names_thing,
    imperatives=imperatives,
    focus=frozenset({"which", "what"}),
    asks_number=(r"how (?:many|much|long|often|old)", r"dose", r"doses", r"dosage", r"percentage", r"proportion",
                 r"(?:what|which) year", r"cut-?offs?", r"thresholds?", r"(?:hazard|odds|risk) ratios?", r"AUC"),
    asks_name=(r"who",),
    number_words=NUMBER_WORDS,
    anaphors=("these", "this", "those", r"such(?!\s+as\b)", "they", "it", "that", "here"),
    back_references=frozenset({"it", "its", "they", "them", "their", "this", "that", "these", "those", "he", "she",
                               "him", "his", "her", "there"}),
    lexical_weight=0.01,
    stemmer="english",
    example={"Latn": "Which cells produce IL-6 under stress conditions?"},
    capitals="A-Z",
    continuations=(r"^(?:and|also|but|or|what about|how about)\b",),
)
