"""Key terms of a question, and whether cited text covers each of them.

A passage can be on the question's topic and still not answer it: "Which company manufactures
ziltivekimab?" finds the HERMES passage, which never names a company. e5 cannot tell the two apart
(the passage is close to the question either way), so ``supported`` also asks whether every key
term of the question (a content word: a drug, disease, population, organisation…) appears in the
cited evidence, allowing for what a reader would accept as the same word:
- inflections and derivations (Snowball stems, and one stem being a prefix of the other:
  stiff / stiffens, cell / cellular);
- the same word in another script or language (a fold of the skeleton: статины / statins);
- synonyms that one glossary entry lists together (kidney / renal, death / mortality);
- for Russian and Uzbek questions, any English sense the clinical glossary gives the word.
Relation words (increase, linked, predict, happen) and question words carry no topic of their own
and are never required; neither are Russian or Uzbek verbs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from qa import dictionary
from qa.glossary import glossed_words, synonyms
from qa.translit import skeleton

_WORD = re.compile(r"[^\W_][\w'-]*")
_ACRONYM = re.compile(r"^(?:[A-Z]{2,}[\w-]*|\w*\d\w*|[A-Za-z]+-\d+\w*)$")
_PREFIX = 6  # a shared skeleton prefix this long makes two spellings one word (statin / статин)
_MIN_STEM = 4  # a stem this long may be the prefix of another (cell / cellular)
# English words that ask, relate or quantify but name no topic: a question about any subject
# uses them, so an answer need not repeat them ("Is X linked to Y?" → "X predicts Y").
GENERIC = frozenset("""
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
counter facing side route routes person persons people someone anyone human humans
""".split())
# The same kind of words in Russian (lemmas) and Uzbek (stems): general vocabulary that the
# clinical glossaries do not carry. Written as general-language lists, not from any question set.
GENERIC_RU = frozenset("""
весь всего всё большинство меньшинство часть этап стадия фон время период случай роль значение уровень способ путь
образ вид тип состояние условие процесс результат исход проблема вопрос фактор показатель длительный долгий
длительно полезный полезно вредный вредно важный основной главный хороший плохой лучший худший высокий низкий
новый обычный нормальный частый редкий разный различный другой такой какой который каков сколько многие много
мало больше меньше лучше хуже однажды когда-нибудь связь связанный действие эффект влияние изменение
""".split())
GENERIC_UZ = ("uzoq", "qisqa", "holat", "faoliyat", "faol", "etish", "qilish", "bo'lish", "narsa", "yo'l", "usul",
              "tur", "xil", "davr", "bosqich", "vaqt", "natija", "muammo", "omil", "daraja", "qiymat", "ta'sir",
              "foyda", "zarar", "yaxshi", "yomon", "yuqori", "past", "yangi", "oddiy", "ko'p", "kam", "eng", "juda",
              "doimiy", "asosiy", "muhim", "boshqa", "hamma", "barcha", "ko'pchilik", "bir kun", "qachondir")
# The noun right after "which / what" names the kind of answer, not its topic ("which drug",
# "which cells", "which company"): the answer names a drug or cells, it need not say "drug".
_FOCUS = re.compile(
    r"^(?:which|what|какой|какая|какое|какие|каких|каким|какого|которые|который|qaysi|қайси|qanday|қандай)$", re.I
)
_RU_FUNCTION = frozenset({"VERB", "INFN", "PRTF", "PRTS", "GRND", "ADVB", "PRED", "PREP", "CONJ", "PRCL", "NPRO",
                          "NUMR", "INTJ", "COMP"})
# Uzbek finite verbs and verbal forms (-adi, -di, -dimi, -gan, -moq…): the relation, not the topic.
_UZ_VERB = re.compile(r"(?:adi|aydi|ydi|di|dimi|adimi|ydimi|ganmi|gan|moqda|moq|yapti|ib|sa|dir|mi)$")


@dataclass(frozen=True)
class Term:
    text: str  # as written in the question
    forms: tuple[str, ...]  # any of these in the evidence covers the term


@lru_cache(maxsize=200_000)  # words recur across sentences and questions: fold and stem each once
def _fold(word: str) -> str:
    """The skeleton with Russian я/ю spelled as a vowel (малярия / malaria) and Uzbek Latin ts as the
    s that ц becomes elsewhere (paratsetamol / paracetamol)."""
    return skeleton(word.lower().replace("ts", "s")).replace("ia", "a").replace("iu", "u")


@lru_cache(maxsize=2)
def _stemmer(language: str):  # type: ignore[no-untyped-def]
    import Stemmer

    return Stemmer.Stemmer(language)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    word = word.lower().replace("ё", "е")
    cyrillic = any("\u0400" <= ch <= "\u04ff" for ch in word)
    return str(_stemmer("russian" if cyrillic else "english").stemWord(word))


@lru_cache(maxsize=1)
def _morph():  # type: ignore[no-untyped-def]
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


def _generic(word: str, language: str) -> bool:
    if language == "ru":
        return _lemma(word) in GENERIC_RU
    return language == "uz" and any(word.startswith(stem) for stem in GENERIC_UZ)


def _relation(word: str, language: str) -> bool:
    """A verb, adverb or function word: it says how things relate, not what they are."""
    if " " in word or _ACRONYM.match(word):
        return False
    if language == "ru":
        return str(_morph().parse(word.lower())[0].tag.POS) in _RU_FUNCTION
    return language == "uz" and bool(_UZ_VERB.search(word.lower()))


def _focus_words(text: str) -> set[str]:
    """The first content word after each "which / what": the kind of thing asked for."""
    words = _WORD.findall(text)
    focus = set()
    for i, word in enumerate(words):
        if _FOCUS.match(word):
            # "what kind of drug": the answer type may follow a few question words
            following = [w for w in words[i + 1 : i + 4] if not _ACRONYM.match(w) and w.lower() not in GENERIC]
            if following:
                focus.add(following[0].lower())
    return focus


def _english_terms(text: str) -> list[Term]:
    focus = _focus_words(text)
    out = []
    for word in _WORD.findall(text):
        if _ACRONYM.match(word):
            out.append(Term(word, (word,)))
        elif len(word) >= 3 and word.lower() not in GENERIC and word.lower() not in focus:
            out.append(Term(word, (word,)))
    return out


def _lemma(word: str) -> str:
    return str(_morph().parse(word.lower())[0].normal_form)


def key_terms(text: str, language: str, embed_text: str = "") -> list[Term]:
    """The content words an answer must speak of. Uzbek is read in the Latin that ``embed_text``
    holds; a Russian or Uzbek word the glossary knows is covered by any of its English senses."""
    if language == "en":
        return _english_terms(text)
    source = embed_text or text
    focus = _focus_words(source)
    out = []
    for word, senses in glossed_words(source, language):
        low = word.lower()
        if low in focus or _generic(low, language) or _relation(word, language):
            continue
        if not senses and language == "ru":  # the glossary's stems miss some inflections (почек / почк)
            senses = next((s for _, s in glossed_words(_lemma(word), language)), ())
        if not senses and language == "uz":  # everyday words: the general dictionary (bezgak → malaria)
            senses = dictionary.senses(word)
        if senses:
            content = tuple(s for s in senses if s.lower() not in GENERIC)
            if content:
                out.append(Term(word, (word, *content)))
            continue
        if len(word) >= 3:
            out.append(Term(word, (word,)))
    return out


class Evidence:
    """The words of some cited text, indexed for the matches ``covers`` allows."""

    def __init__(self, text: str) -> None:
        words = {w.lower() for w in _WORD.findall(text)}
        self.words = words
        self.stems = {stem(w) for w in words}
        self.folds = {_fold(w) for w in words}
        self.prefixes = {f[:_PREFIX] for f in self.folds if len(f) >= _PREFIX}

    def _has(self, form: str) -> bool:
        low = form.lower()
        if low in self.words:
            return True
        root = stem(low)
        if root in self.stems:
            return True
        if len(root) >= _MIN_STEM and any(
            len(s) >= _MIN_STEM and (s.startswith(root) or root.startswith(s)) for s in self.stems
        ):
            return True
        fold = _fold(low)
        return fold in self.folds or (len(fold) >= _PREFIX and fold[:_PREFIX] in self.prefixes)

    def covers(self, term: Term) -> bool:
        for form in term.forms:
            if self._has(form):
                return True
            if any(self._has(alternative) for alternative in synonyms().get(form.lower(), ())):
                return True
        return False


def missing(terms: list[Term], text: str) -> list[str]:
    """The key terms that ``text`` does not speak of."""
    evidence = Evidence(text)
    return [term.text for term in terms if not evidence.covers(term)]
