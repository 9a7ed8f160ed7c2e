"""PII stage: a word spaCy calls a person, the way a recipe or a list uses it, is not redacted; names stay."""

from __future__ import annotations

import pytest

from tasks.detectors.pii_engine import PiiAnalyzer


def persons(analyzer: PiiAnalyzer, text: str) -> list[str]:
    return [text[r.start:r.end] for r in analyzer.analyze([text])[0] if r.entity_type == "PERSON"]


@pytest.mark.parametrize("text", [
    # before: 'Melt' and 'parsley' were redacted as <PERSON>
    "Method:\n1. Melt a knob of butter in a pan.\n2. Add the onions.",
    "Ingredients:\n- a small bunch of parsley\n- two cloves of garlic",
    # before: a step's verb that is also a census surname stayed <PERSON>
    "Method:\n1. Heat the oil over a medium heat.\n2. Cook the prawns for six minutes.",
    # before: a contact field's label was a person
    "Telefon: 0477 352 947\nFax: 0477 352 948",
    # before: a step indented deeper than the 12 characters looked back (HTML-extracted lists) was <PERSON> again
    "Method:\n                1. Melt a knob of butter in a pan.",
])
def test_everyday_words_are_not_persons(ner, text):
    assert persons(ner, text) == []


@pytest.mark.parametrize(("text", "name"), [
    ("I met Mr. Pants at the fair yesterday.", "Pants"),  # after an honorific
    ("Obama said the plan would work.", "Obama"),  # a sentence's first word: no evidence against a name
    ("Ask Priya Raman before you send it.", "Priya Raman"),  # two words
    ("Guests:\nCarl the butcher\nDenise", "Carl"),  # a census given name opening a line before "the"
])
def test_names_stay(ner, text, name):
    assert name in " ".join(persons(ner, text))


@pytest.mark.parametrize("text", [
    # before: spaCy's 'Schools', 'Fares', 'Tattoos', 'Apps' opening a sentence or a headline were <PERSON>
    "Heavy snow closed several roads overnight.\n\nSchools opened two hours late on Tuesday, officials said.",
    "The city will add more buses next year.\n\nFares will stay the same, and passes go on sale in May.",
    "The ink had barely dried. Tattoos take weeks to heal properly.",
    'Downloads passed one million last week.\n"Apps have changed how people bank," she said.',
    "Local news\nSchools reopen on Monday after the storm.",
])
def test_a_plural_noun_opening_a_sentence_is_not_a_person(ner, text):
    assert persons(ner, text) == []


@pytest.mark.parametrize(("text", "name"), [
    ("It was late. Georges walked home alone.", "Georges"),  # a plural of a given name is a name
    ("The meeting ended. Jordan thanked everyone and left.", "Jordan"),  # census names: never dropped
    ("Thanks Grace, see you tomorrow!", "Grace"),
    ("My sister Grace said she would come.", "Grace"),
    ("My brother Will said he would come.", "Will"),
    ("Will Smith said the film was done.", "Will Smith"),
    ("I met Jordan at the station.", "Jordan"),
    # before: a word-like given name the text also writes as a word lost its redaction (v17 dropped it)
    ("Lily called me this morning. She put a lily on the table.", "Lily"),
    ("Daisy is coming over later. We picked a daisy in the garden.", "Daisy"),
])
def test_names_that_are_words_or_plurals_stay(ner, text, name):
    assert name in persons(ner, text)


@pytest.mark.parametrize(("word", "plural"), [
    ("schools", True), ("cities", True), ("churches", True), ("fares", True),
    ("georges", False), ("toms", False), ("das", False), ("lukas", False), ("class", False), ("thomas", False),
])
def test_plural_noun(word, plural):
    from tasks.detectors.pii_word_persons import _plural_noun

    assert _plural_noun(word) is plural


def spacy_names(analyzer: PiiAnalyzer, text: str) -> list[tuple[str, str]]:
    return [(r.entity_type, text[r.start:r.end]) for r in analyzer.analyze([text])[0]
            if r.entity_type in ("PERSON", "LOCATION")]


@pytest.mark.parametrize("text", [
    # before: 'Gzip' was a place and then a person, 'Bocce' a person; the text writes both as words too
    "Files compressed with gzip or Gzip are smaller. We tested Gzip on logs. The gzip tool is everywhere.",
    "Use the gzip command. Gzip is fast.",
    "We played Bocce all summer. The rules of bocce are simple.",
])
def test_a_word_the_text_also_writes_small_is_not_a_name(ner, text):
    assert spacy_names(ner, text) == []


@pytest.mark.parametrize(("text", "name"), [
    ("Zanele called this morning. I told zanele the keys are on the table.", "Zanele"),  # small, not as a word
    ("Mr. Pebble smiled at the children. There was a pebble in his shoe.", "Pebble"),  # after an honorific
    ("I met Zanele yesterday. Me and zanele went out after.", "Zanele"),  # "and", "with": a person may follow
    ("Yesterday Okonkwo called me. I went out with okonkwo after work.", "Okonkwo"),
])
def test_a_name_written_small_elsewhere_stays(ner, text, name):
    assert ("PERSON", name) in spacy_names(ner, text)


@pytest.mark.parametrize("text", [
    # before: 'Chase' of a company name ending in a word-like given name was <PERSON> ("JPMorgan <PERSON> said")
    "JPMorgan Chase said on Tuesday it would cut overdraft fees.",
])
def test_a_word_like_name_ending_a_longer_name_is_not_a_person(ner, text):
    assert "Chase" not in " ".join(persons(ner, text))


@pytest.mark.parametrize(("text", "place"), [
    # before: a town the text also writes as a common word was dropped with the products (v17)
    ("We spent a week in Nice. It was a nice trip.", "Nice"),
    ("We moved to Mobile last year. The mobile app is great.", "Mobile"),
])
def test_a_place_that_is_also_a_common_word_stays(ner, text, place):
    assert ("LOCATION", place) in spacy_names(ner, text)
