"""PII names: a middle initial without its dot, honorifics written in lower case with their dot, and PERSON spans
that ran on over a line break."""

from __future__ import annotations

import pytest
from presidio_analyzer import RecognizerResult

from tasks.detectors.pii_name_cues import cue_names
from tasks.detectors.pii_names import census_names, name_shaped
from tasks.detectors.pii_person_spans import join_person_spans


@pytest.mark.parametrize(("text", "expected"), [
    # a lone capital between a given name and a surname is a middle initial, as "C." is
    ("Karin C Falk\nTorres and Sons", {"Karin C Falk"}), ("Signed by Robert J Smith today", {"Robert J Smith"}),
    ("Karin C. Falk", {"Karin C. Falk"}),
    # lower-case honorifics with their dot, as typed in chat and forms
    ("I want to merge accounts with ms. Ignacy", {"Ignacy"}), ("ask mr. Okonkwo", {"Okonkwo"}),
    ("dr. Halvorsen will call", {"Halvorsen"}),
    # near misses: a lone capital in product and plan names, a lower-case honorific without its dot, everyday words
    ("Take Vitamin C Serum daily", set()), ("Plan B Options", set()), ("Type A Personality", set()),
    ("I miss London", set()), ("ms Word crashed", set()), ("mr. Right is out there", set()),
    ("Section C Part", set()),
])
def test_initials_and_honorifics(name_recognizer, text, expected):
    found = {text[r.start:r.end] for r in name_recognizer.analyze(text, ["PERSON"]) if r.score >= 0.4}
    assert found == expected


@pytest.mark.parametrize(("words", "expected"), [
    (["Jasmijn", "J", "Mol"], True), (["Onofre", "P.", "Gual"], True), (["Jasmijn", "Mol"], True),
    (["J", "Mol"], False), (["Jasmijn", "J"], False), (["Jasmijn", "J", "Street"], False),
])
def test_name_shaped_takes_a_middle_initial(words, expected):
    assert name_shaped(words) is expected


@pytest.mark.parametrize(("text", "span", "expected"), [
    # a PERSON span running on over a line break is cut to its first line ...
    ("Franz Roskoth\nMatthews-Khan\n368 Farley Ports", "Franz Roskoth\nMatthews-Khan", "Franz Roskoth"),
    ("Dita Jaros\n\nBiochemist, clinical", "Dita Jaros\n\nBiochemist", "Dita Jaros"),
    # ... or to its last line when the first holds no name
    ("Re:\nAna Lima wrote", "Re:\nAna Lima", "Ana Lima"), ("-\nAna Lima", "-\nAna Lima", "Ana Lima"),
    # a speaker before a colon and a quotation: the speaker; a label word before a colon: what follows it
    ('Chloe:"I\'m Owen\'s daughter"', 'Chloe:"I\'m Owen', "Chloe"), ("Name: Ana Lima", "Name: Ana Lima", "Ana Lima"),
    # one line, a nickname in quotes: untouched
    ("Ana Lima wrote", "Ana Lima", "Ana Lima"), ('John "Mini" Maniaci', 'John "Mini" Maniaci', 'John "Mini" Maniaci'),
])
def test_spans_stop_at_line_breaks(text, span, expected):
    start = text.index(span)
    joined = join_person_spans(text, [RecognizerResult("PERSON", start, start + len(span), 0.85)], grow=False)
    assert [text[r.start:r.end] for r in joined] == [expected]


def test_a_span_of_line_breaks_only_is_dropped():
    text = "Ana\n\n\nLima"
    assert join_person_spans(text, [RecognizerResult("PERSON", 3, 6, 0.85)], grow=False) == []


@pytest.mark.parametrize(("text", "expected"), [
    # one's own people, a child just named, a first name or a surname asked for or given
    ("I would like to remove my kid Lucie from the will.", {"Lucie"}), ("my wife Olga says hi", {"Olga"}),
    ("She named him Adiel", {"Adiel"}), ("What's your last name? Pirnat", {"Pirnat"}),
    ("Her maiden name is Reynolds", {"Reynolds"}), ("First name: Tymoteusz", {"Tymoteusz"}),
    ("surname: Kowalczyk-Nowak", {"Kowalczyk-Nowak"}),
    # near misses: everyday words, places and word-like given names after the same words
    ("my friend Google", set()), ("my kid Will", set()), ("Her maiden name is Brown", set()),
    ("last name: Street", set()), ("my son Christmas shopping", set()), ("named him Captain", set()),
])
def test_names_of_ones_people_and_forms(text, expected):
    given, surnames = census_names()
    assert {text[s:e] for s, e in cue_names(text, given, surnames)} == expected


@pytest.mark.parametrize(("text", "expected"), [
    # a speaker's label opening a line, a name after a verb of saying that ends the clause
    ('Camilla: "Who are you?"\nKristen:"I\'m her daughter".', {"Camilla", "Kristen"}),
    ("Tamara: see you at six", {"Tamara"}), ("I'm so jealous! said Camilla to Telse", {"Camilla", "Telse"}),
    ('"Go home," said Kristen.', {"Kristen"}), ("said Ivy to Telse", {"Telse"}),  # ivy: a word
    # near misses: labels, word-like given names and everyday words before a colon; a name going on after "said"
    ("Note: see below", set()), ("Summary: done", set()), ("Will: the last one", set()), ("June: 12 days", set()),
    ("He said Monday.", set()), ("said Paris to Rome", set()), ("Camilla said", {"Camilla"}),
])
def test_speakers(text, expected):
    given, surnames = census_names()
    assert {text[s:e] for s, e in cue_names(text, given, surnames)} == expected


@pytest.mark.parametrize(("text", "phone", "expected"), [
    # a contact block's name line: at the start, after a sign-off; a census surname after an everyday word
    ("Per Berg\nJackson Ltd\n9368 Jackson Turnpike\n0299 25 69 88 office", "0299 25 69 88", ["Per Berg"]),
    ("Best regards,\nTore L. Moe\nAcme\n555-201-3344", "555-201-3344", ["Tore L. Moe"]),
    ("Jaanus Lillemets\n0899-5513312", "0899-5513312", ["Jaanus Lillemets"]),
    # lower-case words after a name label
    ("date: 1979-12-30\nname: sander sild\nphone: 0625 193 88 22", "0625 193 88 22", ["sander sild"]),
    # near misses: no phone or e-mail under the line, everyday words, organisation words, places
    ("Per Berg\nJackson Ltd\n", "", []), ("Contact Us\n555-201-3344", "555-201-3344", []),
    ("Head Office\n555-201-3344", "555-201-3344", []), ("Customer Service\n555-201-3344", "555-201-3344", []),
    ("Acme Corp\n555-201-3344", "555-201-3344", []), ("New York\n555-201-3344", "555-201-3344", []),
    ("Opening Hours\n555-201-3344", "555-201-3344", []), ("Privacy Policy\n555-201-3344", "555-201-3344", []),
    ("name: not available\n", "", []),
])
def test_contact_block_names(text, phone, expected):
    from tasks.detectors.pii_name_lists import list_mates

    found = [RecognizerResult("PHONE_NUMBER", text.index(phone), text.index(phone) + len(phone), 1.0)] if phone else []
    assert [text[r.start:r.end] for r in list_mates(text, found)] == expected


@pytest.mark.parametrize(("text", "span", "expected"), [
    # a common word after "the" is a thing spaCy took for a name
    ("The Orchestra was founded in 1936.", "Orchestra", []), ("they fixed the Controls today", "Controls", []),
    # near misses: census names, rare words, more than one word, no "the" before
    ("the Smith family", "Smith", ["Smith"]), ("the Lachmann novel", "Lachmann", ["Lachmann"]),
    ("the Ana Ruiz case", "Ana Ruiz", ["Ana Ruiz"]), ("Orchestra leader", "Orchestra", ["Orchestra"]),
    ("breathe Orchestra", "Orchestra", ["Orchestra"]),
])
def test_things_after_the_are_no_names(text, span, expected):
    start = text.index(span)
    joined = join_person_spans(text, [RecognizerResult("PERSON", start, start + len(span), 0.85)], grow=False)
    assert [text[r.start:r.end] for r in joined] == expected


@pytest.mark.parametrize(("text", "span", "expected"), [
    # spaCy's span takes in what is left of a tag around the name: the name alone is kept
    ("<li>Anna Smith</li>", "li>Anna Smith", "Anna Smith"), ("<p>By John Miller</p>", "John Miller</p>", "John Miller"),
    ("<b>Maria Lopez</b> wrote", "Maria Lopez</b", "Maria Lopez"), ("<h2>Ana Ruiz</h2>", "Ana Ruiz</h2>", "Ana Ruiz"),
    ('<a href="mailto:x@y.com">Dana Kowalczyk</a>', 'x@y.com">Dana Kowalczyk</a>', "Dana Kowalczyk"),
    # no markup: untouched
    ("Ana <Lima>", "Ana", "Ana"),
])
def test_spans_leave_markup_out(text, span, expected):
    start = text.index(span)
    joined = join_person_spans(text, [RecognizerResult("PERSON", start, start + len(span), 0.85)], grow=False)
    assert [text[r.start:r.end] for r in joined] == [expected]


@pytest.mark.parametrize(("text", "span", "expected"), [
    # a bare ">" with no "<" before it is no tag's end: the name before it stays (it was dropped)
    ("Message from Anna Smith > John Miller: hello", "Anna Smith", ["Anna Smith"]),
    ("Message from Anna Smith > John Miller: hello", "Anna Smith >", ["Anna Smith"]),
    ("Ticket moved: Anna Smith > Priya Raman", "Anna Smith > Priya Raman", ["Anna Smith", "Priya Raman"]),
    ("a < b and Anna Smith > x", "Anna Smith > x", ["Anna Smith"]),
    # two names a tag (or a spaced "<" or ">") parts are two persons, not the longer one alone
    ("<td>Anna Smith</td><td>John Miller</td>", "Anna Smith</td><td>John Miller", ["Anna Smith", "John Miller"]),
    ("Anna Kowalczyk</b><b>Dana Smith", "Anna Kowalczyk</b><b>Dana Smith", ["Anna Kowalczyk", "Dana Smith"]),
    ("Anna Smith < Dana Kowalczyk", "Anna Smith < Dana Kowalczyk", ["Anna Smith", "Dana Kowalczyk"]),
])
def test_names_parted_by_markup_or_a_bare_angle_are_each_kept(text, span, expected):
    start = text.index(span)
    joined = join_person_spans(text, [RecognizerResult("PERSON", start, start + len(span), 0.85)], grow=False)
    assert [text[r.start:r.end] for r in joined] == expected


def test_a_span_of_markup_only_is_dropped():
    text = "<ul><li>x</li></ul>"
    assert join_person_spans(text, [RecognizerResult("PERSON", 5, 9, 0.85)], grow=False) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("<li>Anna Smith</li>", {"Anna Smith"}), ("<p>Written by John Miller</p>", {"John Miller"}),
    ("<p>We met Mr. Okafor</p>", {"Okafor"}), ("<h2>Maria Lopez</h2>", {"Maria Lopez"}),
    # a bare ">" between names (v28 to v30 kept only the name after it), two names a tag parts
    ("Ticket moved: Anna Smith > Priya Raman", {"Anna Smith", "Priya Raman"}),
    ("Message from Anna Smith > John Miller: hello", {"Anna Smith", "John Miller"}),
    ("Score: Anna Kowalczyk > Dana Smith in round two.", {"Anna Kowalczyk", "Dana Smith"}),
    ("Anna Kowalczyk</b><b>Dana Smith", {"Anna Kowalczyk", "Dana Smith"}),
])
def test_names_in_html_are_redacted_without_markup(ner, text, expected):
    assert {text[r.start:r.end] for r in ner.analyze([text])[0] if r.entity_type == "PERSON"} == expected


@pytest.mark.parametrize(("text", "span"), [
    # spaCy read 14,000 characters of repeated emoji text as one PERSON: redacted whole, the clean text lost it
    ("emoji \U0001f600" * 2000, (0, 13998)),
    # a PERSON over terminal escapes and C1 controls
    ("control chars \x01\x02\x1b[31m ansi \x7f \x85 nel", (22, 34)),
    # nine words are no name
    ("one two three four five six seven eight nine", (0, 44)),
])
def test_spans_no_name_could_fill_are_dropped(text, span):
    result = RecognizerResult("PERSON", span[0], span[1], 0.85)
    assert join_person_spans(text, [result], grow=False) == []


def test_a_long_name_is_kept():
    text = "Signed: Maria de los Angeles Garcia Lopez\tand others"
    start = text.index("Maria")
    kept = join_person_spans(text, [RecognizerResult("PERSON", start, start + 33, 0.85)], grow=False)
    assert [text[r.start:r.end] for r in kept] == ["Maria de los Angeles Garcia Lopez"]


def test_an_emoji_flood_keeps_its_text(ner):
    text = "emoji \U0001f600" * 2000
    assert [r for r in ner.analyze([text])[0] if r.entity_type == "PERSON"] == []
