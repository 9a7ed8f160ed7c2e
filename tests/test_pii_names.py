"""PII names and places: spaCy NER, the name-list recognizer, joined person spans, list mates, context words."""

from __future__ import annotations

import pytest

from tests.pii_helpers import found

NAMES = [
    ("Yesterday Margaret Thompson flew from Chicago to Lisbon.", {("PERSON", "Margaret Thompson"),
                                                                  ("LOCATION", "Chicago"), ("LOCATION", "Lisbon")}),
    ("The committee met in Nairobi with Samuel Otieno.", {("LOCATION", "Nairobi"), ("PERSON", "Samuel Otieno")}),
    ("The bread needs flour, water, salt and patience.", set()),
]


@pytest.mark.parametrize(("text", "expected"), NAMES, ids=["travel", "meeting", "none"])
def test_ner_person_location(ner, text, expected):
    assert found(ner, text, "PERSON") | found(ner, text, "LOCATION") == expected


NAME_LIST = [
    ("Please forward the draft to Maria Kowalczyk today.", {("Maria Kowalczyk", 0.6)}),
    ("Dr. Okafor reviewed the scan.", {("Okafor", 0.6)}),
    ("James T. Whitfield signed it.", {("James T. Whitfield", 0.6)}),
    ("Ask Nick van Formbach about Thibaut Blanchard's flight.", {("Nick van Formbach", 0.6),
                                                                 ("Thibaut Blanchard", 0.6)}),
    ("My name is Torvald Brekkeflaten.", {("Torvald Brekkeflaten", 0.6)}),  # rare words a writer calls their name
    ("Torvald Brekkeflaten", {("Torvald Brekkeflaten", 0.3)}),  # weak: unknown to the lists, no cue
    ("We drove along Jackson Street to New York.", set()),
    ("In Rio the Stock Exchange closed near Grand Canyon.", set()),
    ("May Day and Will Power are not people; Grace Hall is a building.", set()),
    ("Thanks Benoît Blot!", {("Benoît Blot", 0.6)}),  # the greeting is not part of the name, and vouches for it
    ("Thanks Marta, see you.", {("Marta", 0.6)}),  # a greeting before a name: strong
    ("Welcome Home Again", set()),
    # a given name vouches for a surname that is a common word; a given name that is a word needs a rare surname
    ("Elizabeth Long signed it.", {("Elizabeth Long", 0.6)}),
    ("Crystal Harris called twice.", {("Crystal Harris", 0.6)}),
    ("Scott Field reopened; the Bonnie Blue flag flew until Thu May 5.", set()),
    ("Merry Christmas everyone!", set()),  # before: 'merry' (a given name first) before a census surname
    # "Surname, Given" alone on its line or after a label
    ("Applicant: Dekker, Hugo", {("Dekker, Hugo", 0.6), ("Hugo", 0.3)}),
    ("Lisbon, Portugal\nParis, France", set()),
    # after a greeting: lower-case given names (and surnames), unknown words ending the phrase, capitalised rare words
    ("hi njabulo, can you send it?", {("njabulo", 0.6)}),
    ("lol eloy said the same", {("eloy", 0.6)}),
    ("ask lola mercks about it", {("lola mercks", 0.6)}),
    ("Good morning Babatunji!", {("Babatunji", 0.6)}),
    ("hi there, thanks again! I love candy; hey guys", set()),
    # lower-case given name and surname anywhere; not when the surname is an everyday word
    ("can you send me the address of tammy baldwin please", {("tammy baldwin", 0.6)}),
    ("the ssn of richard burr", {("richard burr", 0.6)}),
    ("we will smith the iron; john brown bread; a rose garden", set()),
    # two or three rare words after a word introducing a person, or Latin letters beyond ASCII: no context needed
    ("Interview with Wuraola Soyinka", {("Wuraola Soyinka", 0.6)}),
    ("I met Solvita Skujiņa today.", {("Solvita Skujiņa", 0.6)}),
    ("Photo by Exxon Mobil", {("Exxon Mobil", 0.3)}),  # words of English text (Zipf >= 2.5) stay weak
    ("Tiiu Lumi wrote:\n> see you", {("Tiiu Lumi", 0.6)}),  # rare words before a verb of speech
    ("The Golden Gate said no; Exxon Mobil wrote back.", {("Exxon Mobil", 0.3)}),
    # inverted, both very rare words; Ružena (Faker's given names) is also a weak lone given name, as "Hugo" of
    # "Dekker, Hugo" is (the spans are merged afterwards)
    ("Applicant: Hanžek, Ružena", {("Hanžek, Ružena", 0.6), ("Ružena", 0.3)}),
    # after a greeting or "my friend": two lower-case words no dictionary knows, or rare ones beyond ASCII
    ("ask dorottya illés about it", {("dorottya illés", 0.6)}),
    ("my friend zdeněk hruška is here", {("zdeněk hruška", 0.6)}),
    ("hi wuraola ogindan, see you", {("wuraola ogindan", 0.6)}),
    ("ask google translate", set()), ("my friend request was sent", set()), ("thanks jerk chicken", set()),
]


@pytest.mark.parametrize(("text", "expected"), NAME_LIST, ids=[f"names-{i}" for i in range(len(NAME_LIST))])
def test_name_list_recognizer(text, expected):
    from tasks.detectors.pii_names import NameListRecognizer

    rec = NameListRecognizer()
    rec.load()
    assert {(text[r.start:r.end], r.score) for r in rec.analyze(text, ["PERSON"])} == expected


@pytest.mark.parametrize(("text", "spans", "expected"), [
    # overlapping parts of one name (spaCy's and the name list's) become one span
    ("Dear Halasz Krisztina Ilona, hello", [(5, 20), (13, 27)], [(5, 27)]),
    # one space apart, four words at most: merged; a list of names separated by newlines is not
    ("Met Ana Ruiz Pablo Gil today", [(4, 12), (13, 22)], [(4, 22)]),
    ("Jack Elliot\nJackson Browne", [(0, 11), (12, 26)], [(0, 11), (12, 26)]),
    # a neighbour with non-ASCII letters continues the name spaCy split; English words and places do not
    ("Ask Deryanur Yılmaz Yılmaz now", [(4, 12)], [(4, 26)]),
    ("Ask Deryanur Street now", [(4, 12)], [(4, 12)]),
    ("Thanks Leonard Krieger Cleveland", [(7, 22)], [(7, 22)]),
    # a span with a digit is no name; one whose first line has none is cut to it
    ("Ask Helpline +39 0925141776 now", [(4, 27)], []),
    ("Ask Andrew Blum\n|9780061994937", [(4, 30)], [(4, 15)]),
])
def test_person_spans_are_joined_and_grown(text, spans, expected):
    from presidio_analyzer import RecognizerResult

    from tasks.detectors.pii_person_spans import join_person_spans

    other = RecognizerResult("LOCATION", 0, 3, 0.85)
    out = join_person_spans(text, [RecognizerResult("PERSON", s, e, 0.6) for s, e in spans] + [other])
    assert sorted((r.start, r.end) for r in out if r.entity_type == "PERSON") == expected
    assert other in out and (other.start, other.end) == (0, 3)


@pytest.mark.parametrize(("text", "persons", "expected"), [
    # the other items of a list holding a name: very rare words, a census given name first, non-ASCII letters
    ("Present: Ana Ruiz, Thuthukile Vumisa and Oyindasola Soyinka", ["Ana Ruiz"],
     ["Ana Ruiz", "Thuthukile Vumisa", "Oyindasola Soyinka"]),
    ("cc Ana Ruiz; Nikki Okonkwo", ["Ana Ruiz"], ["Ana Ruiz", "Nikki Okonkwo"]),
    ("Both Ana Ruiz and Zdeněk Hruška declined.", ["Ana Ruiz"], ["Ana Ruiz", "Zdeněk Hruška"]),
    ("- Ana Ruiz\n- Delmont Quarvessi\n- Ivo Tamm", ["Ana Ruiz"], ["Ana Ruiz", "Delmont Quarvessi", "Ivo Tamm"]),
    # near misses: no name among the items, one-word items (firms), product names, places, an initial
    ("Garcia, Ruiz and Gil", [], []),
    ("Ana Ruiz, Garcia and Gil", ["Ana Ruiz"], ["Ana Ruiz"]),
    ("Ana Ruiz, Eerie Cuties and Colombian Emeralds", ["Ana Ruiz"], ["Ana Ruiz"]),
    ("Ana Ruiz and Lake Zorvath", ["Ana Ruiz"], ["Ana Ruiz"]),
    ("Ana Ruiz and J. Quarvessi", ["Ana Ruiz"], ["Ana Ruiz"]),
    ("Ana Ruiz. Delmont Quarvessi", ["Ana Ruiz"], ["Ana Ruiz"]),
    # upper-case names after a name label opening the line
    ("NAME: BRANKA ROŽMAN", [], ["BRANKA ROŽMAN"]),
    ("ID 4471\nPatient name: KAMIL NOWAK-LIS\n", [], ["KAMIL NOWAK-LIS"]),
    ("Name: NEW YORK", [], []), ("Name: CITY HALL", [], []), ("File name: QUARVESSI DUMP", [], []),
    ("NAME: KAMIL NOWAK is here", [], []),
])
def test_list_mates_and_labelled_capitals(text, persons, expected):
    from presidio_analyzer import RecognizerResult

    from tasks.detectors.pii_name_lists import list_mates

    given = [RecognizerResult("PERSON", text.index(p), text.index(p) + len(p), 0.85) for p in persons]
    out = given + list_mates(text, given)
    assert sorted(text[r.start:r.end] for r in out) == sorted(expected)


def test_weak_name_needs_a_context_word(ner):
    """A lone given name is weak: "regards" (a context word) lifts it, a plain sentence does not."""
    assert ("PERSON", "Marta") in found(ner, "Kind regards, Marta", "PERSON")
    assert ("PERSON", "Marta") not in found(ner, "The boat Marta", "PERSON")


def test_patterns_profile_has_no_ner(patterns):
    assert found(patterns, NAMES[0][0], "PERSON") == set()


def test_context_words_work_without_the_lemmatizer(ner):
    """Lower-cased tokens stand in for lemmas: a context word still lifts a weak pattern over the threshold."""
    assert found(ner, "Phone: 2962190362, ask at the desk.", "PHONE") == {("PHONE_NUMBER", "2962190362")}
    assert found(ner, "Order id 2962190362 shipped.", "PHONE") == set()
