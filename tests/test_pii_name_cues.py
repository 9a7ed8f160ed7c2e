"""PII names found by the words around them (``pii_name_cues``) and after greetings of posts (``pii_names``)."""

from __future__ import annotations

import pytest

from tasks.detectors.pii_name_cues import cue_names
from tasks.detectors.pii_names import census_names


def cues(text: str) -> set[str]:
    given, surnames = census_names()
    return {text[s:e] for s, e in cue_names(text, given, surnames)}


@pytest.mark.parametrize(("text", "expected"), [
    # one word before a verb of saying: a census given name, or a census surname rarer than Zipf 4
    ("Mathias says hi!", {"Mathias"}), ("Sanchez said he would appeal.", {"Sanchez"}),
    ("John told me", {"John"}), ("Yasmin tweeted about it", {"Yasmin"}),
    # a given name that is also a word, before a verb of saying in the past (before: none was found)
    ("Grace said she would come.", {"Grace"}), ("Will told me he would be late.", {"Will"}), ("Mark said", {"Mark"}),
    # near misses: organisations, everyday words, places after a preposition, handles; a word-like name in the present
    # or after a determiner speaks as a thing
    ("Reuters said", set()), ("Google said", set()), ("Police said", set()), ("Officials told us", set()),
    ("Monday said", set()), ("the town of Helena says", set()), ("@Sanchez said", set()),
    ("Art says a lot about a culture.", set()), ("Hope tells us to wait.", set()), ("The Bill said nothing.", set()),
    # a list closed by "and I", the item after "me and"
    ("Aliyu, Shehu and I went to the lake.", {"Aliyu", "Shehu"}), ("Tom & I, too", {"Tom"}),
    ("Anna Roe and I'm late", {"Anna Roe"}), ("me and Vera at the beach", {"Vera"}),
    ("My husband Trinity and I married", {"Trinity"}),
    # near misses: places, everyday words, a roman numeral, a place after a preposition
    ("Paris and I loved it", set()), ("The Times and I", set()), ("World War I.", set()),
    ("Will and I went", set()), ("a train in to Copenhagen, and I take the bus", set()),
    ("me and Google", set()), ("Chapter and I", set()),
    # names in capitals: census given name first, census surname (no everyday word) last
    ("I am FERNANDA GEIGER, the new intern.", {"FERNANDA GEIGER"}),
    ("WILLIAM STALLINGS FOR MAYOR", {"WILLIAM STALLINGS"}), ("CHIEF JOHN BRUNING", {"JOHN BRUNING"}),
    ("GRAND CANYON FOR ALL", set()), ("MARK TWAIN STREET", set()), ("JUNE SALES REPORT", set()),
    ("NEW YORK CITY", set()), ("FREE SHIPPING TODAY", set()),
    # the name a writer gives for themselves: given names, rare words, then census surnames
    ("name's Elxan, nice to meet you", {"Elxan"}), ("this is John Smith speaking", {"John Smith"}),
    ("it's me, Mario", {"Mario"}), ("this is Kirstin from Reid PLC", {"Kirstin"}),
    # near misses: everyday words, products, places, adjectives after "I'm"
    ("I'm Sorry Dave", set()), ("This is Sparta", set()), ("I am Legend", set()), ("call me Maybe", set()),
    ("this is Google Maps", set()), ("This is New York", set()), ("I am Canadian", set()), ("I'm Very Tired", set()),
    # two census given names joined by "and"; a given name owning a person's things
    ("Sean and Jeremy are dating", {"Sean", "Jeremy"}), ("Gregory's number is 555 0143", {"Gregory"}),
    ("Sandra's new phone", {"Sandra"}),
    # near misses: an organisation or place word or a capital after the pair, a possessive, word-like names
    ("Victoria and Albert Museum", set()), ("Ben & Jerry's", set()), ("Jordan and Austin", set()),
    ("Marks and Spencer", set()), ("Hope and Faith", set()), ("Sean and Jeremy Smith", set()),
    ("Apple's number one", set()),
])
def test_cue_names(text, expected):
    assert cues(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # a census given name as a sentence's subject before a verb, addressed before a request, asked about
    ("Sandra is very reliable.", {"Sandra"}), ("I met them. Ingrid spent a year in Oslo.", {"Ingrid"}),
    ("Why is Sandra so impulsive?", {"Sandra"}), ("Sandra, can I please speak to your boss?", {"Sandra"}),
    # the one-word items of a list with a given name; a speaker's label before quoted words; whom it was said to
    ("They had 3: Lauren, Atsushi and Ljubica.", {"Lauren", "Atsushi", "Ljubica"}),
    ("Kristina, Maria and Joseph went home", {"Kristina", "Maria", "Joseph"}),
    ('Tejs: "Who are you?"', {"Tejs"}), ("I'm so jealous! said Bruno to Jenny", {"Bruno", "Jenny"}),
    ('Kenneth shouted at Achille: "What are you doing here?"', {"Kenneth", "Achille"}),
    ("It was between him and Kristina's kid; and", {"Kristina"}),
    # near misses: word-like given names, places, everyday words, lists without a given name, brands' labels
    ("Will is here.", set()), ("May is a month.", set()), ("Paris is lovely.", set()), ("Grace was there.", set()),
    ("Victoria is a state.", set()), ("Tuesday is here", set()), ("Chase is a bank.", set()),
    ("Jordan, can you", set()), ("Sandra, Texas", set()), ("The Orchestra is", set()),
    ("Python, Django and Flask", set()), ("Eugene, Salem and Portland", set()), ("Houston, Dallas and Austin", set()),
    ('Note: "Read this"', set()), ('AppSpy: "great game"', set()),
    # two census surnames as a clause's subject; near misses: everyday words, places, rare ASCII words (tools)
    ("Varga and Kotnik were precision engineers.", {"Varga", "Kotnik"}),
    ("Brightwell and Carroll have signed affidavits", {"Brightwell", "Carroll"}),
    ("Python and Django are great.", set()), ("Salt and Pepper were", set()), ("Rust and Go are languages", set()),
    ("Kafka and Zookeeper are running", set()), ("Oslo and Bergen are cities", set()),
])
def test_subjects_lists_and_speakers(text, expected):
    assert cues(text) == expected


@pytest.mark.parametrize(("text", "place", "expected"), [
    # a list of given names outranks spaCy's place for an item; a given name before a verb does not
    ("They had 3: Lauren, Atsushi and Ljubica.", "Atsushi", {"Lauren", "Atsushi", "Ljubica"}),
    ("Savannah is a city in Georgia.", "Savannah", set()),
])
def test_given_name_lists_outrank_places(text, place, expected):
    given, surnames = census_names()
    others = ((text.index(place), text.index(place) + len(place)),)
    assert {text[s:e] for s, e in cue_names(text, given, surnames, others)} == expected


@pytest.mark.parametrize(("text", "expected"), [
    # greetings of posts and chat before a name
    ("happy birthday njeri!!", {"njeri"}), ("love you clifford", {"clifford"}), ("Miss you Yulia", {"Yulia"}),
    ("so proud of Benjamin today", {"Benjamin"}), ("Congratulations Borys!", {"Borys"}),
    ("I met Magdalena at work", {"Magdalena"}), ("0732 7366 - ask for Brett", {"Brett"}),
    ("omg laia valcarcel is so funny", {"laia valcarcel"}), ("omg this is so funny", set()),
    # a full name after a greeting; a lower-case rare word ending the phrase
    ("Congrats María Ríos!", {"María Ríos"}), ("Congrats Borys Majtczak!", {"Borys Majtczak"}),
    ("hbd wuraola!!", {"wuraola"}), ("Congrats Golden State Warriors!", set()),
    ("hi there!", set()), ("thanks mate!", set()), ("Congrats New York Times", set()),
    ("she married harold last year", {"harold"}),
    ("happy bday sabine!!", {"sabine"}),
    # a given name that is also a word, ending the phrase after a greeting (before: none was found)
    ("Dear Grace,\nplease find the report attached.", {"Grace"}), ("Thanks Will, see you tomorrow!", {"Will"}),
    ("Hi Frank!", {"Frank"}), ("Thanks Sat, no.", set()),
    # near misses: no name after the greeting, everyday words, word-like given names going on
    ("happy birthday to you", set()), ("love you guys so much", set()), ("miss you all", set()),
    ("Love you Mom!", set()), ("proud of you", set()), ("so proud of Will today", set()),
    ("happy birthday Street party", set()), ("proud of Texas today", set()), ("we met some friends", set()),
    ("married life is hard", set()), ("dating apps", set()), ("ask for help", set()),
    # a rare capitalised word going on after a greeting; rare two-word names after a post's introducer or before a
    # verb of saying
    ("so proud of Pattatomporn today", {"Pattatomporn"}), ("watching Kosisochukwu Nwosu on tv", {"Kosisochukwu Nwosu"}),
    ("Titos Vakalis told reporters", {"Titos Vakalis"}), ("Habiba Musfirayeva tweeted it", {"Habiba Musfirayeva"}),
    ('"We will win," said Sowande Oyaifo.', {"Sowande Oyaifo"}),
    ("according to Oyindasola Ogindan", {"Oyindasola Ogindan"}),
    ('"Yes," said Exxon Mobil', set()),
    # near misses: a verb's clause ends at a comma, common places and words, English words before a verb
    ("After the requirement is met, Mewtwo will challenge you", set()), ("proud of Canada today", set()),
    ("watching Game Night on tv", set()), ("Exxon Mobil confirmed the deal", set()),
])
def test_greetings_of_posts(name_recognizer, text, expected):
    found = {text[r.start:r.end] for r in name_recognizer.analyze(text, ["PERSON"]) if r.score >= 0.4}
    assert found == expected


@pytest.mark.parametrize(("text", "persons", "expected"), [
    # a census given name alone is a list mate of a name
    ("Sean and Jeremy are dating", ["Jeremy"], ["Sean", "Jeremy"]),
    ("Kaylee, Olivia and Ana Ruiz", ["Ana Ruiz"], ["Kaylee", "Olivia", "Ana Ruiz"]),
    # near misses: surnames alone (firms), "&" and possessives (shops), word-like given names
    ("Barnes & Noble", ["Barnes"], ["Barnes"]), ("Jeremy and Macy's", ["Jeremy"], ["Jeremy"]),
    ("Ana Ruiz, Garcia and Gil", ["Ana Ruiz"], ["Ana Ruiz"]), ("Jeremy and Will", ["Jeremy"], ["Jeremy"]),
    ("Jeremy and Paris", ["Jeremy"], ["Jeremy"]),
])
def test_list_mates_take_given_names(text, persons, expected):
    from presidio_analyzer import RecognizerResult

    from tasks.detectors.pii_name_lists import list_mates

    given = [RecognizerResult("PERSON", text.index(p), text.index(p) + len(p), 0.85) for p in persons]
    assert sorted(text[r.start:r.end] for r in given + list_mates(text, given)) == sorted(expected)


@pytest.mark.parametrize(("text", "expected"), [
    # a person by the words around it outranks spaCy's place for the same word
    ("Martin, Angelina and I went to Raymondfurt.", {("PERSON", "Martin"), ("PERSON", "Angelina"),
                                                     ("LOCATION", "Raymondfurt")}),
    ("so proud of Maria today", {("PERSON", "Maria")}),
    # near misses: places stay places
    ("We flew from Lisbon to Madrid and I slept.", {("LOCATION", "Lisbon"), ("LOCATION", "Madrid")}),
    ("proud of London today", {("LOCATION", "London")}),
])
def test_cued_names_outrank_places(ner, text, expected):
    got = {(r.entity_type, text[r.start:r.end]) for r in ner.analyze([text])[0]
           if r.entity_type in ("PERSON", "LOCATION")}
    assert got == expected


@pytest.mark.parametrize(("text", "span", "expected"), [
    # a greeting or an interjection spaCy took for a name's first word is cut off
    ("Congrats Borys Majtczak!", (0, 14), ["Borys"]), ("omg dawn lopez is so funny", (0, 14), ["dawn lopez"]),
    ("Cheers David", (0, 12), ["David"]),
    # ... and a single everyday word left is no name; names and other spans are untouched
    ("Good Reading", (0, 12), []), ("Hope Solo", (0, 9), ["Hope Solo"]), ("Ana Ruiz", (0, 8), ["Ana Ruiz"]),
])
def test_leading_greetings_are_cut(text, span, expected):
    from presidio_analyzer import RecognizerResult

    from tasks.detectors.pii_name_cues import without_leading_greetings

    out = without_leading_greetings(text, [RecognizerResult("PERSON", *span, 0.85)])
    assert [text[r.start:r.end] for r in out] == expected


@pytest.mark.parametrize(("text", "person", "expected"), [
    # lower-case list mates of a lower-case name
    ("kathryn scott and tyler cole are in town", "kathryn scott", ["kathryn scott", "tyler cole"]),
    ("ask about bill and tammy baldwin, and sander sild", "sander sild", ["tammy baldwin", "sander sild"]),
    # near misses: everyday words, no given name and common words, a capitalised finding
    ("kathryn scott and other people", "kathryn scott", ["kathryn scott"]),
    ("kathryn scott and the band", "kathryn scott", ["kathryn scott"]),
    ("Kathryn Scott and tyler cole", "Kathryn Scott", ["Kathryn Scott"]),
])
def test_lower_case_list_mates(text, person, expected):
    from presidio_analyzer import RecognizerResult

    from tasks.detectors.pii_name_lists import list_mates

    given = [RecognizerResult("PERSON", text.index(person), text.index(person) + len(person), 0.6)]
    assert sorted(text[r.start:r.end] for r in given + list_mates(text, given)) == sorted(expected)


@pytest.mark.parametrize(("text", "expected"), [
    # given names of other countries (Faker's locale lists, rarer than Zipf 3) as a sentence's subject, addressed,
    # asked about, in a list of given names
    ("Leszek is very reliable.", {"Leszek"}), ("I met them. Solveig spent a year in Bergen.", {"Solveig"}),
    ("Why is René so quiet?", {"René"}), ("Jürgen, can I please speak to your boss?", {"Jürgen"}),
    ("They had 3: Katarzyna, Tomasz and Leszek.", {"Katarzyna", "Tomasz", "Leszek"}),
    # near misses: words that Faker's lists hold as names too are left out of the list
    ("Corona is spreading.", set()), ("Aspen is lovely in winter.", set()), ("Theta is an angle.", set()),
    ("Basel is a city.", set()), ("Medina is a city.", set()),
])
def test_international_given_names(text, expected):
    assert cues(text) == expected


@pytest.mark.parametrize(("name", "kept"), [
    ("leszek", True), ("solveig", True), ("rené", True), ("søren", True),
    ("corona", False), ("aspen", False), ("bitten", False), ("lexus", False), ("oman", False), ("tea", False),
])
def test_international_list_keeps_no_words(name, kept):
    from tasks.detectors.pii_names import international_given_names

    assert (name in international_given_names()) is kept and (name in census_names()[0]) is kept
