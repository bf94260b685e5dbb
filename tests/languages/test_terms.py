"""Key terms of a question: a word it repeats is one term to cover; spellings that are one word."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from qa.languages import language
from qa.languages.evidence import Term, evidence_of
from qa.languages.terms import key_terms


def test_a_repeated_word_is_one_key_term() -> None:
    for question, code, repeated in [
        ("Does high IL-6 predict a bad course only in acute HF, or in chronic HF as well?", "en", "HF"),
        ("Высокий ИЛ-6 предсказывает исход при острой СН или при хронической СН?", "ru", "СН"),
    ]:
        texts = [term.text for term in key_terms(question, code)]
        assert texts.count(repeated) == 1, texts
        assert "acute" in texts or "острой" in texts  # the words beside it stay


def test_a_repeated_word_keeps_what_each_occurrence_abbreviates() -> None:
    # "heart" first alone, then inside "heart rate variability" (HRV): the one term keeps HRV.
    terms = key_terms("Does the heart recover, and does heart rate variability improve?", "en")
    heart = [term for term in terms if term.text.lower() == "heart"]
    assert len(heart) == 1 and "HRV" in heart[0].abbreviations, terms


def test_british_spellings_and_greek_letter_names_are_the_same_words() -> None:
    evidence = evidence_of("In ischemic hemodynamic overload, TNF-α, IFN-λ and TGF-β rise with edema, anemia "
                           "and diarrhea after a cesarean.")
    for word in ("ischaemic", "haemodynamic", "TNF-alpha", "IFN-lambda", "TGF-beta", "oedema", "anaemia",
                 "diarrhoea", "caesarean"):
        assert evidence.covers(Term(word, (word,))), word
    for word in ("TNF-gamma", "ischial", "hemolytic"):
        assert not evidence.covers(Term(word, (word,))), word
    # Only a British spelling inside a Latin word: not a word's end, not a Cyrillic ending.
    other = evidence_of("Diagnostic tests in each phase. Дышать стало легче. Это простое правило.")
    for word in ("toes", "fasciae", "лёгкое", "prosthesis"):
        assert not other.covers(Term(word, (word,))), word


def test_a_russian_or_uzbek_source_is_read_through_its_words_english_senses() -> None:
    # A Russian source asked in English or Uzbek: яичника (ovary) covers "ovarian" and tuxumdon
    # (ovary), суставы (joint) covers "joints"; no word of it says "bleeding".
    source = "Апоплексия яичника — кровоизлияние в яичник. Подагра поражает суставы."
    for question, code, term in [("What most often causes ovarian apoplexy?", "en", "ovarian"),
                                 ("Tuxumdon apopleksiyasining sababi nima?", "uz", "Tuxumdon"),
                                 ("Does gout affect the joints?", "en", "joints")]:
        found = {t.text: t for t in key_terms(question, code)}[term]
        assert evidence_of(source).covers(found, senses=True), term
        assert not evidence_of(source).covers(found), term  # as written, the source never says it
    assert not evidence_of(source).covers(Term("bleeding", ("bleeding",)), senses=True)


def test_a_question_in_the_sources_language_reads_its_words_alone() -> None:
    # Two Russian wordings matched sense to sense add more noise than synonyms (verdict_tried.md): a
    # Russian question's term is covered by a Russian source's words as written. летальность
    # (mortality, lethal) covers the English "mortality", not the Russian смертность (mortality).
    source = evidence_of("Препарат снижает летальность.")
    russian = {t.text: t for t in key_terms("Снижает ли препарат смертность?", "ru")}["смертность"]
    english = {t.text: t for t in key_terms("Does the drug reduce mortality?", "en")}["mortality"]
    assert not source.covers(russian, senses=True)
    assert source.covers(english, senses=True)


def test_a_sources_senses_are_read_word_by_word() -> None:
    # In a Russian text СРБ is CRP (the glossary), так a function word without senses (not the Uzbek
    # "tak": noise), and a list of senses never abbreviates: кислота (acid), кислый (sour), терпкий
    # (tart) side by side are no AST.
    russian = evidence_of("Зилтивекимаб снижал СРБ, так что кислота кислый терпкий.")
    assert russian.covers(Term("CRP", ("CRP",)), senses=True)
    for term in ("AST", "thus", "noise"):
        assert not russian.covers(Term(term, (term,)), senses=True), term
    # In a text with Uzbek letters, мия is the Uzbek word (brain), which Russian would read as its own.
    assert evidence_of("Беморнинг мияси ўзгарди.").covers(Term("brain", ("brain",)), senses=True)
    assert not evidence_of("Мия").covers(Term("brain", ("brain",)), senses=True)


def test_what_as_a_pronoun_names_no_kind_of_answer() -> None:
    """After "what / which" the next noun is the kind of answer asked for ("which cells", "what is
    the dose", "what are symptoms of…") and need not be quoted; after an auxiliary ("What does
    dapagliflozin do?") or a copula with nothing marking a kind ("What is dapagliflozin?") it is the
    topic, and stays a key term."""
    def terms(question: str) -> list[str]:
        return [term.text for term in key_terms(question, "en")]

    assert "dapagliflozin" in terms("What does dapagliflozin do to IL-6?")
    assert "tocilizumab" in terms("What can tocilizumab cause in cardiogenic shock?")
    assert "macrophages" in terms("What do macrophages secrete under stress?")
    assert terms("What is dapagliflozin?") == ["dapagliflozin"]
    assert terms("What is a cytokine storm?") == ["cytokine", "storm"]
    for question, kind in [
        ("What is the dose of ziltivekimab?", "dose"), ("What's the dose of ziltivekimab?", "dose"),
        ("What are symptoms of cardiogenic shock?", "symptoms"), ("Which cells produce IL-6?", "cells"),
        ("What kind of drug is ziltivekimab?", "drug"), ("What are the main sources of IL-6?", "sources"),
        ("Which is safer in pregnancy, labetalol or nifedipine?", "safer"),
    ]:
        assert kind not in terms(question) and "What's" not in terms(question), (question, terms(question))


def test_uzbek_grammar_words_are_no_key_terms_and_topic_words_stay() -> None:
    """haqida ("about"), qaraganda ("than"), bor ("there is") belong to the grammar's closed classes:
    the general dictionary's senses for them ("truth", "judging") would be named as not found. A word
    that only begins like a general one stays: kamqonlik (anaemia) is not kam (little)."""
    def terms(question: str, script: str = "Latn") -> list[str]:
        return [term.text.lower() for term in key_terms(question, "uz", language("uz").model_text(question, script))]

    for question, script in [("Ziltivekimab haqida nima maʼlumot bor?", "Latn"),
                             ("Зилтивекимаб ҳақида нима маълумот бор?", "Cyrl")]:
        words = terms(question, script)
        assert "ziltivekimab" in words and not {"haqida", "bor"} & set(words), words
    assert "qaraganda" not in terms("IL-6 qishda yozga qaraganda yuqori boʻladimi?")
    assert "bormi" not in terms("Yurak yetishmovchiligida IL-6 bormi?")
    assert "kamqonlik" in terms("Bezgak tufayli kamqonlik rivojlanadimi?")
    assert "etishmovchiligida" in terms("Yurak etishmovchiligida IL-6 ning taʼsiri qanday?")
    assert "ta'siri" not in terms("Yurak etishmovchiligida IL-6 ning taʼsiri qanday?")


def test_a_possessive_is_read_as_its_word() -> None:
    """"the review's list", "IL-6's role": the key term is the word itself, so that its specificity is
    the word's and a caveat names "review", not "review's"; a name keeps its possessive (Crohn's);
    a clitic typed with a phone's apostrophe (isn’t) or on a shouted function word (WHAT'S) makes
    no key term; "which drug's…" still asks for a drug."""
    from qa.answer.verdict import specificity

    def terms(question: str) -> list[str]:
        return [term.text for term in key_terms(question, "en")]

    found = key_terms("What is IL-6's role in the review's list of Crohn's disease markers?", "en")
    assert [term.text for term in found] == ["IL-6", "review", "list", "Crohn's", "disease", "markers"]
    review = next(term for term in found if term.text == "review")
    assert specificity(review, "en") < 0.3  # "review's" alone reads as a rare word (0.62)
    assert terms("Are patients' lipid levels lower?") == ["lipid"]  # patients, levels, lower: general words
    assert terms("Why isn’t aspirin given? Won’t it help?") == ["aspirin"]
    assert terms("Why DON'T statins work? WHAT'S the dose?") == ["statins"]
    assert "drug" not in terms("Which drug's label warns of hepatotoxicity?")
    quoted = "His report says the heart is 'stiff' — is IL-6 to blame?"
    assert terms(quoted) == ["report", "heart", "stiff", "IL-6", "blame"]


def test_a_glossary_sense_of_several_words_is_covered_only_whole() -> None:
    """"qon bosimi" means blood pressure: a sentence on blood (or on cardiovascular risk) does not speak
    of it, one on blood pressure does, in either script and with the Uzbek ending."""
    for question, script in (("IL6R variantlari qon bosimini pasaytirganmi?", "Latn"),
                             ("IL6R вариантлари қон босимини пасайтирганми?", "Cyrl")):
        latin = language("uz").model_text(question, script)
        terms = [t for t in key_terms(question, "uz", latin) if t.text.lower().startswith("qon")]
        assert terms and "blood pressure" in terms[0].forms, terms
        for sentence in ("IL6R variants correlated with reduced cardiovascular risk.", "Blood levels of IL-6 rose."):
            assert not evidence_of(sentence).covers(terms[0], senses=True), sentence
        assert evidence_of("IL6R variants also lowered blood pressure.").covers(terms[0], senses=True)
    # A sense's generic words are no part of what must be covered: лечение (treatment, therapy) is none.
    assert [t.text for t in key_terms("Сколько длится лечение тоцилизумабом?", "ru")] == ["тоцилизумабом"]


def test_an_imperative_or_a_blank_is_no_key_term() -> None:
    """An exam prompt asks in the imperative ("List…", "…ayting") and leaves a blank for the answer
    ("___"): neither is a word the sources must say. A noun that opens a clause is no imperative
    ("Cough when…", "Test that…", "Stroke in the…"), nor is an Uzbek noun with "your" (boshingiz), which
    is spelled as one; an Uzbek imperative ends its clause."""
    def terms(question: str, code: str) -> list[str]:
        script = "Cyrl" if re.search("[а-яўқғҳ]", question, re.I) else "Latn"
        latin = language(code).model_text(question, script) if code == "uz" else ""
        return [term.text.lower() for term in key_terms(question, code, latin)]

    listed = terms("List two cytokines that join IL-6 in the failing heart.", "en")
    assert "list" not in listed and "cytokines" in listed and "heart" in listed, listed
    assert terms("Name the receptor that IL-6 activates.", "en") == ["receptor", "il-6", "activates"]
    assert terms("Explain why IL-6 activates STAT3.", "en") == ["il-6", "activates", "stat3"]
    for question in ("Stroke in the elderly: is IL-6 raised?", "Cough when lying down: is it HF?",
                     "Test that detects early sepsis?", "Fracture that heals slowly: IL-6?"):
        assert question.split()[0].lower() in terms(question, "en"), question
    russian = terms("Впишите пропущенное: IL-6 активирует рецепторный комплекс ___.", "ru")
    assert "___" not in russian and "комплекс" in russian, russian
    for question in ("Boʻsh joyni toʻldiring: IL-6 ___ retseptor kompleksini faollashtiradi.",
                     "Бўш жойни тўлдиринг: IL-6 ___ рецептор комплексини фаоллаштиради."):
        uzbek = terms(question, "uz")
        assert "to'ldiring" not in uzbek and "___" not in uzbek and "retseptor" in uzbek, uzbek
    assert "ayting" not in terms("HERMES tadqiqotida qaysi dori sinalganini ayting.", "uz")
    # An imperative the dictionaries give a sense (yozing "write": yoz "summer"; tanlang "choose") too.
    assert terms("HERMES: ikkita biomarkerni yozing. Birini tanlang.", "uz") == ["hermes", "ikkita", "biomarkerni"]
    assert "boshingiz" in terms("Boshingiz tez-tez ogʻrisa, qaysi tekshiruv kerak?", "uz")
    assert "stat3" in terms("STAT3 ___-tirozin orqali faollashadimi?", "uz")
    # A converb the analyser tags apart (-gach "once…") relates, as the other verb forms do.
    assert "olingach" not in terms("NT-proBNP hisobga olingach IL-6 bashorat qiladimi?", "uz")


def test_an_uzbek_word_reads_the_same_in_every_process() -> None:
    """The analyser orders readings of equal cost as a set iterates, which changes with the hash seed
    ("yozing": write!, or your summer); qa orders them itself, so a question's key terms do not depend
    on which process reads it."""
    script = ("from qa.languages import language; from qa.languages.terms import key_terms\n"
              "for q in ('HERMES: ikkita biomarkerni yozing.', 'Sochingiz toʻkilsa, qaysi vitamin yetishmaydi?'):\n"
              "    print([t.text for t in key_terms(q, 'uz', language('uz').model_text(q, 'Latn'))])")
    runs = {subprocess.run([sys.executable, "-c", script], env={**os.environ, "PYTHONHASHSEED": seed},
                           capture_output=True, text=True, check=True).stdout for seed in ("0", "1", "7")}
    assert len(runs) == 1 and "sochingiz" in next(iter(runs)).lower(), runs
