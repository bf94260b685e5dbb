"""Glossing Uzbek and Russian into English: glossaries, the Uzbek dictionary and morphology, key terms."""

import pytest

from qa.answer.retrieve import prepare
from qa.languages.glossary import glossary, normalise, to_english


def test_glossary_turns_uzbek_and_russian_questions_into_english() -> None:
    gloss = to_english("Nima uchun buyrak faoliyati buzilgan keksa bemorlarda IL-6 foydali?", "uz").text
    for word in ("kidney", "elderly", "patient", "IL-6", "dysfunction"):
        assert word in gloss, gloss
    assert "uchun" not in gloss and "bemor" not in gloss
    cyrillic = prepare("Юрак етишмовчилигида қайси цитокинлар яллиғланишни кучайтиради?")
    assert cyrillic.language == "uz" and "heart" in cyrillic.gloss and "inflammation" in cyrillic.gloss
    russian = prepare("Какова суточная доза при головной боли у пожилых пациентов?")
    assert "headache" in russian.gloss and "elderly" in russian.gloss and "daily" in russian.gloss
    assert "pain" not in to_english("больше всего", "ru").text, "больше is not боль"
    # The compound is one word, as Russian сердечно-сосудистый is: "heart blood vessel" is not "cardiovascular".
    for uzbek in ("Юрак-қон томир касалликлари қандай даволанади?", "Yurak qon-tomir kasalliklari qanday davolanadi?",
                  "Yurak-qon-tomir tizimi qanday ishlaydi?"):
        assert prepare(uzbek).gloss.split()[0] == "cardiovascular", (uzbek, prepare(uzbek).gloss)
    assert prepare("Which cytokine drives heart failure?").gloss == ""


def test_two_word_entries_match_through_inflection() -> None:
    # The entries are written in the dictionary form; a question declines both words.
    for question, english in (("Какой антибиотик применяют при брюшном тифе?", "typhoid"),
                              ("Что вызывает ветряную оспу?", "chickenpox"),
                              ("Чем опасно воспаление лёгких у пожилых?", "pneumonia"),
                              ("Что делать при тепловом ударе?", "heat stroke")):
        gloss = to_english(question, "ru").text
        assert english in gloss, (question, gloss)
    assert "pox" not in to_english("Что вызывает ветряную оспу?", "ru").text.split()
    # Uzbek phrases match as written: a verb's stem can spell another word ("ichib" drinking, ich belly).
    assert "diarrhoea" not in to_english("Bemor dorini ichib ketdi", "uz").text


@pytest.mark.parametrize("language", ["uz", "ru"])
def test_glossary_files_are_well_formed(language: str) -> None:
    from importlib import resources

    text = resources.files(f"qa.languages.{language}").joinpath("glossary.tsv").read_text(encoding="utf-8")
    keys = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        source, tab, english = line.partition("\t")
        assert tab and source.strip() == source and source, f"line {number}: {line!r}"
        assert all(sense.strip() for sense in english.split(",")) or not english, f"line {number}: {line!r}"
        keys.append(normalise(source))
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    assert not duplicates, f"entries given twice: {duplicates}"
    assert len(keys) > 250 and len(glossary(language)) == len(keys)


def test_uzbek_dictionary_keeps_every_sense_of_repeated_headwords() -> None:
    from qa.languages.uz import dictionary

    assert len(dictionary.entries()) > 25_000
    assert "medicine" in dictionary.senses("dori"), "the first of two repeated 'dori' keys"
    assert "blood" in dictionary.senses("qon")
    assert dictionary.senses("quturishni") and "rabies" in dictionary.senses("quturishni"), "noun endings"
    assert dictionary.senses("Bezgak") == ("malaria",), "a glued next headword is not a sense"


def test_key_terms_leave_out_question_words_relations_and_the_answer_type() -> None:
    from qa.languages.evidence import missing
    from qa.languages.terms import key_terms

    english = [t.text for t in key_terms("Which company manufactures ziltivekimab?", "en")]
    assert english == ["manufactures", "ziltivekimab"], "'company' is what is asked for, not the topic"
    russian = [t.text for t in key_terms("Снижают ли статины IL-6 при сердечной недостаточности?", "ru")]
    assert "статины" in russian and "Снижают" not in russian, "verbs relate, they name no topic"
    text = "Renal dysfunction raised mortality; статины were not studied."
    assert missing(key_terms("Is kidney dysfunction linked to death?", "en"), text) == [], "glossary synonyms"
    assert missing(key_terms("Do statins help?", "en"), text) == [], "Cyrillic cognate"
    cholera = "Cholera is spread by contaminated water."
    assert missing(key_terms("Как распространяется холера?", "ru"), cholera) == [], "х is the Greek chi, ch"
    assert missing(key_terms("Does smoking raise IL-6?", "en"), text) == ["smoking", "IL-6"]
    uzbek = key_terms("Bezgak qanday yuqadi?", "uz", "Bezgak qanday yuqadi?")
    assert missing(uzbek, "Malaria is spread by mosquitoes.") == [], "the general Uzbek dictionary"


def test_russian_function_and_pronominal_words_are_never_key_terms() -> None:
    """A preposition the glossary translates ("кроме": besides) and a pronominal adjective ("чьи":
    whose, "данном": this) name no topic; the nouns and names beside them stay key terms, and so does
    a noun whose likeliest reading is an interjection ("стоп": feet)."""
    from qa.languages.terms import key_terms

    besides = [t.text for t in key_terms("Что, кроме сердечной недостаточности, требовалось в HERMES?", "ru")]
    assert "кроме" not in besides and "HERMES" in besides and "недостаточности" in besides
    whose = [t.text.lower() for t in key_terms("Чьи работы показали, что ИЛ-6 предсказывает СНсФВ?", "ru")]
    assert "чьи" not in whose and "работы" in whose and "снсфв" in whose
    this = [t.text for t in key_terms("Снизил ли зилтивекимаб СРБ в данном исследовании?", "ru")]
    assert "данном" not in this and "зилтивекимаб" in this
    assert "стоп" in [t.text for t in key_terms("Как часто встречаются язвы стоп при диабете?", "ru")]


def test_uzbek_words_outside_the_glossary_are_glossed_from_the_dictionary() -> None:
    from qa.answer.retrieve import prepare
    from qa.languages.uz import dictionary as uz_dictionary

    assert "malaria" in prepare("Bezgak odamlarga qanday yuqadi?").gloss, "retrieval sees the English sense"
    assert "malaria" in prepare("Безгак одамларга қандай юқади?").gloss, "from Cyrillic too"
    assert "disease" in uz_dictionary.senses("kasalligini"), "kasallik: k becomes g before a vowel suffix"
    assert "deficiency" in uz_dictionary.senses("yetishmasligi")


def test_uzbek_morphology_finds_dictionary_forms_and_verbs() -> None:
    from qa.languages.uz.morph import forms, is_relation

    assert forms("kasalligini")[0] == "kasallik", "stem + derivation, the final k restored"
    assert "chaq" in forms("chaqqanda"), "a participle is looked up under its verb stem"
    assert forms("қизамиққа") == ("qizamiq",), "Cyrillic is read too"
    assert is_relation("yuqadi") and is_relation("davolanadi"), "conjugated verbs relate"
    assert not is_relation("quturish") and not is_relation("bemorlarda"), "a verbal noun and a noun name topics"


def test_an_uzbek_drug_name_the_dictionary_lacks_is_a_key_term_not_a_verb() -> None:
    # ZirhUzMorph guesses a converb for an unknown stem (tosilizuma+b, ziltivekima+b).
    from qa.languages.terms import key_terms
    from qa.languages.uz.morph import is_relation

    assert not is_relation("tosilizumab") and not is_relation("Ziltivekimab")
    for question in ("Tosilizumab surunkali HFrEF da sinovdan oʻtkazilganmi?",
                     "Тоцилизумаб сурункали HFrEF да синовдан ўтказилганми?"):
        assert key_terms(question, "uz", question)[0].text.lower() in ("tosilizumab", "тоцилизумаб"), question


def test_glued_dictionary_entries_are_headwords_of_their_own() -> None:
    from qa.answer.retrieve import prepare
    from qa.languages.uz import dictionary as uz_dictionary

    assert uz_dictionary.senses("ilonlar") == ("snake",), "'…vermin.ilon zool.snake.' is split back"
    assert "bite" in uz_dictionary.senses("chaqqanda")
    query = prepare("Zaharli ilon chaqqanda nima qilish kerak?")
    assert "snake" in query.gloss and "ilon" not in query.gloss, "the sense replaces the word e5 cannot read"


def test_uzbek_questions_read_the_russian_clinical_abbreviations() -> None:
    """Uzbek clinicians write the Russian abbreviations, in either script and with an Uzbek ending
    (СРБни, SRB, ЭКМО): the Uzbek glossary lists none, so the Russian one gives their English."""
    from qa.languages.evidence import missing
    from qa.languages.terms import key_terms

    assert "CRP" in prepare("Зилтивекимаб СРБни қанчага камайтирди?").gloss.split()
    assert "CRP" in prepare("Ziltivekimab SRB darajasini qanchaga tushirdi?").gloss.split()
    assert "ECMO" in prepare("Kardiogen shokda EKMO IL-6 ni o'zgartiradimi?").gloss.split()
    question = "Зилтивекимаб СРБни пасайтирадими?"
    terms = key_terms(question, "uz", prepare(question).embed_text)
    assert missing(terms, "Ziltivekimab lowered CRP levels.") == []
    assert missing(terms, "Ziltivekimab lowered fibrinogen levels.") != []
    # Only the borrowed glossary's abbreviations, and only for the language that borrows them: an
    # Uzbek TILs is not "til" (tongue), a Russian SUV not the Uzbek "suv" (water); none is doubled.
    assert prepare("Tumor TILs zichligi yashovchanlik bilan bog'liqmi?").gloss.split().count("tongue") == 0
    assert "water" not in prepare("Связан ли SUVmax или SUV с выживаемостью?").gloss.split()
    assert prepare("IL-6 KTda oshadimi?").gloss.split().count("IL-6") == 1


def test_the_uzbek_particle_chi_is_no_part_of_the_word_it_follows() -> None:
    """"Dozasi-chi?" ("and its dose?") asks for the dose: glossed so, and the caveat names "Dozasi"."""
    from qa.languages.terms import key_terms

    for question in ("Dozasi-chi?", "Дозаси-чи?"):
        query = prepare(question)
        assert query.gloss == "dose", query.gloss
        assert [t.text for t in key_terms(question, "uz", query.embed_text)] == ["Dozasi"]


def test_senses_are_synonyms_only_within_one_meaning() -> None:
    """kidney / renal say the same; a dose is not a level, nor a trial a test, though one Uzbek word
    (miqdor, sinov) glosses both."""
    from qa.languages.evidence import Evidence
    from qa.languages.glossary import synonyms
    from qa.languages.terms import question_terms

    assert "renal" in synonyms()["kidney"] and "mortality" in synonyms()["death"]
    assert "level" not in synonyms().get("dose", ()) and "test" not in synonyms().get("trial", ())
    terms, _ = question_terms("Ziltivekimabning dozasi qancha?", "uz", "Ziltivekimabning dozasi qancha?")
    dose = next(term for term in terms if term.text == "dozasi")
    assert not Evidence("IL-6 levels fell with ziltivekimab.").covers(dose, senses=True)
    assert Evidence("The dose of ziltivekimab was 15 mg.").covers(dose, senses=True)
