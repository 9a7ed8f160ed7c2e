"""The PII stage: recognizer tables (with near misses), pre-screens, evidence, salt, offline tldextract, the flow.

Every secret-looking value is generated here at run time from a seeded RNG: no real or published key is in the repo.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import random
import re
import socket
import stat
import string
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tasks.detectors.pii import PiiConfig, PiiStage, lake_salt, value_hash
from tasks.detectors.pii_engine import PiiAnalyzer, offline_tld_extract, quiet_presidio_logs
from tasks.detectors.pii_phones import WindowedPhoneRecognizer
from tasks.detectors.pii_recognizers import structured_recognizers
from tasks.detectors.pii_secrets import SECRET_ENTITIES, SECRET_RECOGNIZERS
from tasks.redact import redact_text
from tasks.stage import DocBatch

RNG = random.Random(20261127)
ALNUM = string.ascii_letters + string.digits


def rand(chars: str, n: int) -> str:
    return "".join(RNG.choice(chars) for _ in range(n))


def luhn(prefix: str) -> str:
    """``prefix`` + the Luhn check digit."""
    digits = [int(d) for d in prefix][::-1]
    total = sum(d if i % 2 else sum(divmod(2 * d, 10)) for i, d in enumerate(digits))
    return prefix + str((10 - total % 10) % 10)


def iban(country: str, bban: str) -> str:
    """A valid IBAN (ISO 7064 mod 97-10 check digits) for a made-up account."""
    as_number = int("".join(str(int(c, 36)) for c in bban + country + "00"))
    return f"{country}{98 - as_number % 97:02d}{bban}"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


VISA = luhn("4556" + rand(string.digits, 11))
MC2 = luhn("2221" + rand(string.digits, 11))
JCB = luhn("2131" + rand(string.digits, 10))
VISA19 = luhn("4" + rand(string.digits, 17))
BAD_CARD = VISA[:-1] + str((int(VISA[-1]) + 1) % 10)
IBAN = iban("DE", "37040044" + rand(string.digits, 10))
BAD_IBAN = IBAN[:2] + f"{(int(IBAN[2:4]) + 1) % 100:02d}" + IBAN[4:]
AWS = "AKIA" + rand(string.ascii_uppercase + string.digits, 16)
GITHUB = "ghp_" + rand(ALNUM, 36)
GITLAB = "glpat-" + rand(ALNUM, 20)
SLACK = f"xoxb-{rand(string.digits, 11)}-{rand(string.digits, 12)}-{rand(ALNUM, 24)}"
STRIPE = "sk_live_" + rand(ALNUM, 24)
OPENAI = "sk-proj-" + rand(ALNUM, 24) + "T3BlbkFJ" + rand(ALNUM, 24)
GCP = "AIza" + rand(ALNUM, 35)
PEM_BODY = "\n".join(rand(string.ascii_letters + string.digits + "+/", 64) for _ in range(4))
PRIVATE_KEY = f"-----BEGIN RSA PRIVATE KEY-----\n{PEM_BODY}\n-----END RSA PRIVATE KEY-----"
JWT = ".".join([b64url(b'{"alg":"HS256","typ":"JWT"}'), b64url(b'{"sub":"4417","name":"x"}'), rand(ALNUM, 43)])
DB_PASSWORD = rand(ALNUM, 6) + "#" + rand(ALNUM, 5)


@pytest.fixture(scope="module")
def patterns() -> PiiAnalyzer:
    analyzer = PiiAnalyzer(profile="patterns", entities=tuple(PiiConfig().entities))
    analyzer.load()
    return analyzer


@pytest.fixture(scope="module")
def ner() -> PiiAnalyzer:
    analyzer = PiiAnalyzer(profile="ner", entities=tuple(PiiConfig().entities))
    analyzer.load()
    return analyzer


def found(analyzer: PiiAnalyzer, text: str, family: str) -> set[tuple[str, str]]:
    """(entity, matched text) of results whose entity starts with ``family``."""
    return {(r.entity_type, text[r.start:r.end]) for r in analyzer.analyze([text])[0]
            if r.entity_type.startswith(family)}


STRUCTURED = [
    # (family, text, expected (entity, value) pairs)
    ("EMAIL", "Write to dana.kowalczyk@example.co.uk before Friday.",
     {("EMAIL_ADDRESS", "dana.kowalczyk@example.co.uk")}),
    ("EMAIL", "Mail ops+alerts@sub.example.org, thanks", {("EMAIL_ADDRESS", "ops+alerts@sub.example.org")}),
    ("EMAIL", "The handle @example and a@b.notatld are not addresses.", set()),
    ("PHONE", "Call me on (212) 555-0143 tonight.", {("PHONE_NUMBER", "(212) 555-0143")}),
    ("PHONE", "Desk: 296-219-0362x363, ask for Lee.", {("PHONE_NUMBER", "296-219-0362x363")}),
    ("PHONE", "From abroad dial 001-296-219-0362 instead.", {("PHONE_NUMBER", "001-296-219-0362")}),
    ("PHONE", "Mobile +1-296-219-0362 works too.", {("PHONE_NUMBER", "+1-296-219-0362")}),
    ("PHONE", "The London office is on +44 20 7946 0958.", {("PHONE_NUMBER", "+44 20 7946 0958")}),
    ("PHONE", "We sold 1200 units in 2019 and 1350 in 2020.", set()),
    ("PHONE", "My mobile number is 2962190362.", {("PHONE_NUMBER", "2962190362")}),
    ("PHONE", "Order id 2962190362 shipped on Monday.", set()),
    ("PHONE", "Ring the Perth desk on (08) 9876 5432 before noon.", {("PHONE_NUMBER", "(08) 9876 5432")}),
    ("PHONE", "Written without spaces: +44292018808, still a number.", {("PHONE_NUMBER", "+44292018808")}),
    ("PHONE", "Budapest office phone: 48/219 9351 until May.", {("PHONE_NUMBER", "48/219 9351")}),
    ("PHONE", "For the front desk, call 555-0143.", {("PHONE_NUMBER", "555-0143")}),
    ("PHONE", "The 555-0143 code and the dig of 1895-1897 are not numbers to call.", set()),
    ("PHONE", "Filed on 26.04.2011 in Bonn, amended 2011-04-26.", set()),
    # written shapes libphonenumber refuses (other countries' formats, a digit too many, "24/7" after the number)
    ("PHONE", "Tel. 0316/34441086 (office)", {("PHONE_NUMBER", "0316/34441086")}),
    ("PHONE", "Kontakt: +(370) 37265394 daily", {("PHONE_NUMBER", "+(370) 37265394")}),
    ("PHONE", "Customer service: call 01632 960594 24/7.", {("PHONE_NUMBER", "01632 960594")}),
    ("PHONE", "Office 8 778 210 65 66, ask for Olga.", {("PHONE_NUMBER", "8 778 210 65 66")}),
    ("PHONE", "Reach us at (351) 265 473 140 today.", {("PHONE_NUMBER", "(351) 265 473 140")}),
    ("PHONE", "Phone: 41179307", {("PHONE_NUMBER", "41179307")}),
    ("PHONE", "His cell phone is 17621427265.", {("PHONE_NUMBER", "17621427265")}),
    ("PHONE", "Mobile +54 9 3716 5607 after six.", {("PHONE_NUMBER", "+54 9 3716 5607")}),
    ("PHONE", "China Tel: 86-23-86388888 (front desk)", {("PHONE_NUMBER", "86-23-86388888")}),
    # bare national numbers without a phone word: a trunk 0 and 8-11 digits, ten (or 1 and ten) NANP digits;
    # a phone label opening the line ("T", "M:"); everyday words of contact lines ("booking", "enquiries")
    ("PHONE", "Reservations 01134960123 or online.", {("PHONE_NUMBER", "01134960123")}),
    ("PHONE", "Get in touch: 6938836859", {("PHONE_NUMBER", "6938836859")}),
    ("PHONE", "Dana Kowalczyk | Acme | 16938836859", {("PHONE_NUMBER", "16938836859")}),
    ("PHONE", "T 5832 771902\nE dana@example.com", {("PHONE_NUMBER", "5832 771902")}),
    ("PHONE", "Dana Kowalczyk\nM: 39150008", {("PHONE_NUMBER", "39150008")}),
    ("PHONE", "Booking line 609 141 777, open daily.", {("PHONE_NUMBER", "609 141 777")}),
    ("PHONE", "Enquiries 49622830", {("PHONE_NUMBER", "49622830")}),
    ("PHONE", "Leave a message on 22 83 03 88 and we will call back.", {("PHONE_NUMBER", "22 83 03 88")}),
    ("PHONE", "Front desk: 287623286", {("PHONE_NUMBER", "287623286")}),
    ("PHONE", "Dana Kowalczyk\nAcme Ltd\n920900547\ndana@example.com", {("PHONE_NUMBER", "920900547")}),
    ("PHONE", "Dana Kowalczyk\nAcme Ltd\n920900547\nRiga", set()),  # a number's own line, no e-mail beside it
    ("PHONE", "Dana Kowalczyk\nAcme Ltd, 920900547 staff\ndana@example.com", set()),  # not alone on its line
    # near misses: identifiers, numbers, years, dates and ranges shaped like phone numbers
    ("PHONE", "Invoice no. 2023-000145, due in 30 days.", set()),
    ("PHONE", "Account 00123 4567 8901 is closed.", set()),
    ("PHONE", "PMID: 23331080; tracking 6938836859 arrives Monday.", set()),
    ("PHONE", "Item 0612345678 is back in stock; model 2962190362 too.", set()),
    ("PHONE", "The town grew to 609 141 777 euros of debt.", set()),
    ("PHONE", "T-shirts 1234 567 each\nTotal 00061994936", set()),
    ("PHONE", "ISBN 0-306-40615-2 and ISSN 0317-8471 are identifiers.", set()),
    ("PHONE", "UPC 036000291452 on the barcode, company number 2297344.", set()),
    ("PHONE", "Serial 1234-5678-9012 on the box; rooms 2201 2202 2203.", set()),
    ("PHONE", "About 1 234 567 inhabitants, 12.345.678 in total.", set()),
    ("PHONE", "Scores 98 87 76 65 in 1990 1995 2000 2005.", set()),
    ("PHONE", "It costs $1,299.99 or 1.299.000 Euro.", set()),
    ("PHONE", "Printed 1800-1830; born in 1648; the ships were 350 \u2013 380 miles apart.", set()),
    ("PHONE", "Submitted: 07-30-2008 and 11-23-2013 06:01:50.", set()),
    ("PHONE", "Upgrade to version 10.2.3.4567 or 4.1.2.9 now.", set()),
    ("PHONE", "Her SSN is 372-84-5519, not a phone.", set()),
    ("CREDIT", f"Card number {VISA} expires soon.", {("CREDIT_CARD", VISA)}),
    ("CREDIT", f"Mastercard {MC2[:4]} {MC2[4:8]} {MC2[8:12]} {MC2[12:]} on file.",
     {("CREDIT_CARD", f"{MC2[:4]} {MC2[4:8]} {MC2[8:12]} {MC2[12:]}")}),
    ("CREDIT", f"Card number {BAD_CARD} fails the Luhn check.", set()),
    ("CREDIT", f"JCB {JCB} and a 19-digit {VISA19}.", {("CREDIT_CARD", JCB), ("CREDIT_CARD", VISA19)}),
    ("CREDIT", "Logged at 1732741200123 by the server.", set()),
    ("IBAN", f"Pay to IBAN {IBAN} by Monday.", {("IBAN_CODE", IBAN)}),
    ("IBAN", f"Pay to IBAN {BAD_IBAN} by Monday.", set()),
    ("IBAN", f"lower case iban {IBAN.lower()} is still one", {("IBAN_CODE", IBAN.lower())}),
    ("IP", "The server at 192.168.14.27 stopped answering.", {("IP_ADDRESS", "192.168.14.27")}),
    ("IP", "Reach it over 2001:db8:85a3::8a2e:370:7334 as well.", {("IP_ADDRESS", "2001:db8:85a3::8a2e:370:7334")}),
    ("IP", "Upgrade to version 1.2.3.4 before the release.", set()),
    ("IP", "We ship v10.0.0.1 and build 4.1.2.9 today.", set()),
    ("IP", "The package is 1.2.3.4.5 now.", set()),
    ("US_SSN", "Her SSN is 372-84-5519 per the form.", {("US_SSN", "372-84-5519")}),
    ("US_SSN", "Order 000-12-3456 is not a social security number.", set()),
    ("CRYPTO", "Send it to 0x52908400098527886E0F7030069857D2E4169EE7 please.",
     {("CRYPTO", "0x52908400098527886E0F7030069857D2E4169EE7")}),
    ("CRYPTO", "Burn address 0x0000000000000000000000000000000000000000 is a placeholder.", set()),
]


@pytest.mark.parametrize(("family", "text", "expected"), STRUCTURED,
                         ids=[f"{r[0]}-{i}" for i, r in enumerate(STRUCTURED)])
def test_structured_recognizers(patterns, family, text, expected):
    assert found(patterns, text, family) == expected


SECRETS = [
    (f"export AWS_ACCESS_KEY_ID={AWS}", {("SECRET_AWS_ACCESS_KEY", AWS)}),
    ("aws_access_key_id = AKIAIOSFODNN7EXAMPLE (the docs' example)", set()),
    (f'aws_secret_access_key = "{rand(ALNUM + "/+", 40)}"', None),  # checked by entity only below
    (f"token: {GITHUB}", {("SECRET_GITHUB_TOKEN", GITHUB)}),
    ("token: ghp_" + "x" * 36, set()),
    (f"GITLAB_TOKEN={GITLAB}", {("SECRET_GITLAB_TOKEN", GITLAB)}),
    (f"slack bot {SLACK}", {("SECRET_SLACK_TOKEN", SLACK)}),
    (f"STRIPE_KEY={STRIPE}", {("SECRET_STRIPE_KEY", STRIPE)}),
    (f"OPENAI_API_KEY={OPENAI}", {("SECRET_OPENAI_KEY", OPENAI)}),
    (f"maps key {GCP} in the page", {("SECRET_GCP_API_KEY", GCP)}),
    (f"key:\n{PRIVATE_KEY}\nend", {("SECRET_PRIVATE_KEY", PRIVATE_KEY)}),
    ("-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----", set()),
    (f"Authorization: Bearer {JWT}", {("SECRET_JWT", JWT)}),
    ("eyJub3QganNvbi4uLg.eyJzdWIiOiIxIn0.c2lnbmF0dXJlc2ln", set()),
    (f"DATABASE_URL=postgres://app:{DB_PASSWORD}@db.internal:5432/sales",
     {("SECRET_URL_CREDENTIALS", f"app:{DB_PASSWORD}")}),
    ("see postgres://user:password@localhost/db in the docs", set()),
    ("https://example.com:8080/path is a port, not a password", set()),
    (f"Server=db1;Database=sales;User Id=app;Password={DB_PASSWORD.replace('#', 'q')};",
     {("SECRET_PASSWORD", DB_PASSWORD.replace("#", "q"))}),
    ("Password=${DB_PASSWORD}; read from the environment", set()),
    ("Forgot your password? Reset it from the settings page.", set()),
]


@pytest.mark.parametrize(("text", "expected"), SECRETS, ids=[f"secret-{i}" for i in range(len(SECRETS))])
def test_secret_recognizers(patterns, text, expected):
    got = found(patterns, text, "SECRET_")
    if expected is None:
        assert {e for e, _ in got} == {"SECRET_AWS_SECRET_KEY"}
    else:
        assert got == expected


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


@pytest.mark.parametrize(("text", "expected"), [
    # a possessive before "number" makes bare digits someone's phone number
    ("my number 99525481", {"99525481"}), ("Her new mobile number is 3233079.", {"3233079"}),
    ("your number: 5711777741", {"5711777741"}),
    # near misses: an id's number, no possessive, one or two distinct digits
    ("order number 40004399", set()), ("The number 3233079 is out of service.", set()),
    ("company number 2297344", set()), ("my number 1111111", set()), ("my numbers 99525481", set()),
])
def test_own_number_lifts_bare_digits(patterns, text, expected):
    assert {v for e, v in found(patterns, text, "PHONE")} == expected


def test_weak_name_needs_a_context_word(ner):
    """A lone given name is weak: "regards" (a context word) lifts it, a plain sentence does not."""
    assert ("PERSON", "Marta") in found(ner, "Kind regards, Marta", "PERSON")
    assert ("PERSON", "Marta") not in found(ner, "The boat Marta", "PERSON")


NER_TEXTS = [
    "Yesterday Margaret Thompson flew from Chicago to Lisbon with two colleagues from Acme Corp.",
    "On 4 March 2021 the United Nations met in Geneva; Dr. Amal Haddad spoke for 20 minutes.",
    "  leading spaces,\n\nblank lines and   runs of spaces around Oslo and Bergen  ",
    "",
    "Paris",
    "The bread needs flour, water, salt and patience. " * 30 + "Signed: Samuel Otieno, Nairobi.",
]


def test_vectorised_ner_decoder_matches_spacy(ner):
    """``pii_ner_decode`` sets exactly the entities spaCy's own NER loop sets, on one batch of mixed documents."""
    from tasks.detectors.pii_ner_decode import FastNer, supports

    nlp = ner.engine.nlp_engine.nlp["en"]
    assert supports(nlp.get_pipe("ner")) and ner.engine.nlp_engine.fast_ner is not None
    expected = [[(e.start, e.end, e.label_) for e in doc.ents] for doc in nlp.pipe(NER_TEXTS)]
    docs = [nlp.make_doc(t) for t in NER_TEXTS]
    FastNer(nlp.get_pipe("ner"))(docs)
    assert [[(e.start, e.end, e.label_) for e in doc.ents] for doc in docs] == expected
    assert sum(map(len, expected)) >= 8


def test_patterns_profile_has_no_ner(patterns):
    assert found(patterns, NAMES[0][0], "PERSON") == set()


PHONE_TEXTS = [
    "Call 212-555-0143 or (212) 555-0199 ext. 12.", "Fax +49 30 901820, office 030 1234567.",
    "Ring 07700 900123 or +33 1 42 68 53 00.", "Year 2019, 2020 and 2021; lot 123456.",
    "713 798 1642 (fax)\n+1 (800) 555-0199 x42", "Tel: +91 98765 43210; alt 98765-43210.",
    "Pager 1645, year 2019, Berlin 030 1234567.", "Piepser 1699 oder 1700; ruf 0164 5 an; +1640 und +49 1640.",
    "Berlin 30 1234567 und 030 1234567", "Paris 1 42 68 53 00 ou 01 42 68 53 00", "London 20 7946 0958, 020 7946 0958",
    "Mumbai 22 2345 6789 or 022 2345 6789", "49 30 1234567; 0049 30 1234567; 44 20 7946 0958",
]


@pytest.mark.parametrize("text", PHONE_TEXTS)
def test_windowed_phone_finds_what_presidio_finds(text):
    from presidio_analyzer.predefined_recognizers import PhoneRecognizer

    full = {(r.start, r.end) for r in PhoneRecognizer().analyze(text, ["PHONE_NUMBER"])}
    windowed = {(r.start, r.end) for r in WindowedPhoneRecognizer(drop_lookalikes=False).analyze(
        text, ["PHONE_NUMBER"])}
    assert windowed == full


PHONE_SHAPES = [
    "0## #### ####", "(0###) ### ####", "+44 ## #### ####", "0049 ### ######", "011 44 #### ######", "###-###-####",
    "###.###.####x###", "1-###-###-####", "##### #####", "0# ## ## ## ##", "+33 # ## ## ## ##", "0###/######",
    "+49 (0) ### #####", "+972-#-###-####", "0##-###-####", "+91 ##### #####", "(##) ####-####", "+55 ## #####-####",
    "###-####", "####", "#####", "######", "19##-20##", "##.##.####", "$#,###.##", "978-#-##-######-#", "v#.##.###",
    "#### #### #### ####", "00 ## ### ####", "0#########", "##########",
]


def test_windowed_phone_region_screen_loses_nothing():
    """The windowed recognizer (regions screened per digit cluster) finds what presidio's finds, on generated text."""
    from presidio_analyzer.predefined_recognizers import PhoneRecognizer

    rng = random.Random(11)
    regions = ("US", "GB", "DE", "FR", "IL", "IN", "CA", "BR")
    full = PhoneRecognizer(supported_regions=regions)
    windowed = WindowedPhoneRecognizer(supported_regions=regions, drop_lookalikes=False)
    seen = 0
    for _ in range(70):
        shapes = rng.sample(PHONE_SHAPES, 3)
        numbers = ["".join(str(rng.randrange(10)) if c == "#" else c for c in shape) for shape in shapes]
        text = f"Call {numbers[0]}, fax {numbers[1]} (since {numbers[2]})."
        expected = {(r.start, r.end) for r in full.analyze(text, ["PHONE_NUMBER"])}
        seen += bool(expected)
        assert {(r.start, r.end) for r in windowed.analyze(text, ["PHONE_NUMBER"])} == expected, text
    assert seen > 25


def test_stdlib_patterns_find_what_presidio_finds():
    """Recognizers whose patterns run with ``re`` give presidio's own results (spans and scores), on generated text."""
    from presidio_analyzer import PatternRecognizer

    from tasks.detectors.pii_recognizers import StdlibPatterns

    rng = random.Random(3)
    alphabet = string.digits * 5 + " .-()/+xX\u00a0\u2013" + "extnsioETXabc"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(8, 60))) for _ in range(300)]
    texts += [f"call {''.join(str(rng.randrange(10)) if c == '#' else c for c in rng.choice(PHONE_SHAPES))} now"
              for _ in range(200)] + [t for _, t, _ in STRUCTURED]
    recognizers = [r for r in structured_recognizers(offline_tld_extract(), ("US",)) if isinstance(r, StdlibPatterns)]
    assert len(recognizers) >= 4
    for rec in recognizers:
        for text in texts:
            mine = {(r.start, r.end, r.score) for r in StdlibPatterns.analyze(rec, text, rec.supported_entities)}
            assert mine == {(r.start, r.end, r.score) for r in PatternRecognizer.analyze(
                rec, text, rec.supported_entities)}, (type(rec).__name__, text)


def test_prescreens_never_hide_a_match():
    """Fuzz: whenever a recognizer (run without its pre-screen) matches, its pre-screen passes."""
    rng = random.Random(5)
    alphabet = string.digits * 4 + ".-: ()+@xX/" + "abcdefABCDEF" + "\n"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(10, 80))) for _ in range(600)]
    texts += [t for _, t, _ in STRUCTURED] + [t for t, _ in SECRETS]
    recognizers = structured_recognizers(offline_tld_extract(), ("US", "GB", "DE", "FR", "IL", "IN", "CA", "BR"))
    recognizers += [cls() for cls in SECRET_RECOGNIZERS]
    checked = 0
    from tasks.detectors.pii_recognizers import TextViews

    texts += ["tel\u2011555\u2012019\u301c4 and +49 30 901820", "  1.2.3.4 x 12\u00a034 (56) 7890 1234 5678 9012",
              "::1 and fe80::1ff:fe23:4567:890a", "bc1" + "q" * 30, "1" + "A" * 30 + " 3" + "z" * 26]
    texts += [f"  {t}\t{t.upper()}\n({t.lower()})" for t, _ in SECRETS]  # secrets among spaces, in any case
    texts += ["PASSWD = hunter22;", "pwd:'x'", "'pass' : 'abcd1234'", "Password=\u2003s3cr3t!", "pass word = no",
              "iban de\u212a9 3704 0044 0532 0130 00", "ſſn 123 45 6789", "123-456789 and 12345-6789"]
    for rec in recognizers:  # the cheaper views give every recognizer's own answer (long tokens: see below)
        if getattr(rec, "VIEW", "") != "long_tokens":
            assert [rec.may_match_views(TextViews(t)) for t in texts] == [rec.may_match(t) for t in texts]
    for rec in recognizers:
        parent = next(c for c in type(rec).__mro__[1:] if "analyze" in c.__dict__ and c.__module__.startswith(
            "presidio_analyzer"))
        for text in texts:
            if parent.analyze(rec, text, rec.supported_entities):
                checked += 1
                assert rec.may_match(text), (type(rec).__name__, text)
                assert rec.may_match_views(TextViews(text)), (type(rec).__name__, text)
    assert checked > 80


def test_long_token_prescreens_only_screen_long_tokens():
    """A recognizer screened on ``TextViews.long_tokens`` has only patterns of >= LONG_TOKEN non-space characters."""
    import re._parser as sre_parse

    from tasks.detectors.pii_recognizers import LONG_TOKEN

    recognizers = structured_recognizers(offline_tld_extract(), ("US",)) + [cls() for cls in SECRET_RECOGNIZERS]
    screened = [r for r in recognizers if getattr(r, "VIEW", "") == "long_tokens" or type(r).__name__ ==
                "SieveCryptoRecognizer"]
    assert len(screened) >= 10
    for rec in screened:
        for pattern in rec.patterns:
            assert sre_parse.parse(pattern.regex).getwidth()[0] >= LONG_TOKEN, pattern.name
            # nothing that can match whitespace: no unescaped dot or space, no \s \S \W or negated class
            assert not re.search(r"(?<!\\)[. ]|\\[sSW]|\[\^", pattern.regex), pattern.name


def batch(*texts: str) -> DocBatch:
    return DocBatch(doc_ids=[f"d{i}" for i in range(len(texts))], texts=list(texts))


@pytest.fixture(scope="module")
def stage() -> PiiStage:
    st = PiiStage(PiiConfig(profile="patterns", dense_min_count=3, dense_per_kchar=20))
    return st


def test_stage_findings_scores_and_evidence_hold_no_raw_value(stage):
    email, phone = "lee.ardent@example.com", "(212) 555-0143"
    texts = [f"Contact {email} or {phone}.", "Nothing personal in this sentence at all.",
             f"Key {AWS} leaked here.", f"{email} 372-84-5519 {phone} {VISA}"]
    result = stage.run(batch(*texts))
    reasons = {(f.row, f.reason) for f in result.findings}
    assert {(0, "pii.EMAIL_ADDRESS"), (0, "pii.PHONE_NUMBER"), (2, "pii.SECRET_AWS_ACCESS_KEY"),
            (3, "pii.dense")} <= reasons
    assert not any(row == 1 for row, _ in reasons)
    counts = {(s.row, s.name): s.value for s in result.scores}
    assert [counts[(r, "count")] for r in range(4)] == [2.0, 0.0, 1.0, 4.0]  # every record gets its count
    assert counts[(0, "count.EMAIL_ADDRESS")] == 1.0 and (1, "density") in counts
    redacted, _ = redact_text(texts[0], [(s.start, s.end, s.label) for f in result.findings if f.row == 0
                                         for s in f.spans])
    assert redacted == "Contact <EMAIL_ADDRESS> or <PHONE_NUMBER>."
    dumped = json.dumps([f.evidence for f in result.findings])
    for value in (email, phone, AWS, "372-84-5519", VISA):
        assert value not in dumped
    item = next(f for f in result.findings if f.reason == "pii.EMAIL_ADDRESS").evidence["items"][0]
    assert set(item) == {"start", "end", "score", "recognizer", "hash"}
    assert item["hash"] == value_hash(stage.salt, "EMAIL_ADDRESS", email)
    assert item["hash"] != value_hash(b"another salt", "EMAIL_ADDRESS", email)


def test_config_rejects_unknown_entities_with_the_valid_ones():
    from tasks.registry import validate_stage_config

    with pytest.raises(ValueError, match=r"stages\.pii\.entities.*unknown entity 'PASSPORT'.*EMAIL_ADDRESS"):
        validate_stage_config("pii", {"entities": ["PASSPORT"]})
    with pytest.raises(ValueError, match=r"stages\.pii\.profile.*valid values"):
        validate_stage_config("pii", {"profile": "fast"})


def test_salt_is_created_once_private_and_stable(tmp_path):
    first = lake_salt(tmp_path)
    path = tmp_path / "_secrets" / "pii_salt"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert lake_salt(tmp_path) == first and len(first) == 32
    assert lake_salt(tmp_path / "other") != first
    assert lake_salt(None) == lake_salt(None) != first


def test_presidio_log_lines_never_carry_the_value(caplog):
    quiet_presidio_logs()
    with caplog.at_level(logging.WARNING):
        logging.getLogger("presidio-analyzer").error("Failed to validate text %s", IBAN)
    assert caplog.records and IBAN not in caplog.text and "withheld" in caplog.text


def test_tldextract_makes_no_network_attempt(monkeypatch):
    import tldextract

    attempts: list[object] = []

    def refuse(self, address):
        attempts.append(address)
        raise OSError("network disabled by the test")

    def refuse_lookup(host, *args, **kwargs):
        attempts.append(host)
        raise socket.gaierror("name lookup disabled by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse_lookup)
    # Control: the library's default configuration does try the network (so the trap above works).
    logging.getLogger("tldextract").disabled = True  # its fallback prints a traceback per URL
    try:
        tldextract.TLDExtract(cache_dir=None)("mail.example.co.uk")
    finally:
        logging.getLogger("tldextract").disabled = False
    assert attempts, "the default extractor was expected to try downloading the suffix list"
    attempts.clear()
    offline_tld_extract.cache_clear()
    extractor = offline_tld_extract()
    assert extractor("mail.example.co.uk").suffix == "co.uk"
    assert tldextract.extract("shop.example.com.au").suffix == "com.au"  # the module default is offline too
    from tasks.detectors.pii_recognizers import SieveEmailRecognizer

    text = "write to kim@example.co.uk"
    assert [text[r.start:r.end] for r in SieveEmailRecognizer(extractor).analyze(text, ["EMAIL_ADDRESS"])] == [
        "kim@example.co.uk"]
    assert attempts == []


PLANTED = {
    "name": "Ottoline Vasquez-Brandt", "email": "ottoline.vb@example.net", "phone": "(415) 555-0182",
    "card": VISA, "ssn": "372-84-5519", "iban": IBAN, "password": DB_PASSWORD, "aws": AWS,
}


@pytest.mark.slow
def test_flow_redacts_quarantines_and_leaks_nothing(tmp_path, prefect_harness):
    from tests.conftest import cli, sql

    p = PLANTED
    records = [
        {"id": "r1", "text": f"Please write to {p['name']} at {p['email']} or call {p['phone']} about the invoice."},
        {"id": "r2", "text": f"Our deploy used postgres://deployer:{p['password']}@db.internal:5432/sales and "
                             f"the key {p['aws']} until last week."},
        {"id": "r3", "text": f"Refund to card {p['card']}, IBAN {p['iban']}, SSN {p['ssn']}."},
        {"id": "r4", "text": "Release notes for version 1.2.3.4 mention a faster start and a new settings page."},
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in records))
    lake = tmp_path / "lake"
    proc = cli("run", src, "--lake", lake, "--dataset", "pii", "--json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    outcome = dict(sql(lake, "SELECT source_id, outcome FROM documents"))
    assert outcome == {"r1": "clean", "r2": "quarantined", "r3": "clean", "r4": "clean"}
    reasons = {r for (r,) in sql(lake, "SELECT reason FROM decisions WHERE doc_id IN "
                                       "(SELECT doc_id FROM documents WHERE source_id = 'r2')")}
    assert {"pii.SECRET_URL_CREDENTIALS", "pii.SECRET_AWS_ACCESS_KEY"} <= reasons
    clean = {r["source_id"]: r["text"] for f in (lake / "clean").rglob("*.parquet")
             for r in pq.read_table(f).to_pylist()}
    assert clean["r1"] == "Please write to <PERSON> at <EMAIL_ADDRESS> or call <PHONE_NUMBER> about the invoice."
    assert clean["r3"] == "Refund to card <CREDIT_CARD>, IBAN <IBAN_CODE>, SSN <US_SSN>."
    assert clean["r4"] == records[3]["text"]
    quarantined = [r["text"] for f in (lake / "quarantine").rglob("*.parquet") for r in pq.read_table(f).to_pylist()]
    assert quarantined == [records[1]["text"]]  # the original is kept for review
    assert stat.S_IMODE((lake / "_secrets" / "pii_salt").stat().st_mode) == 0o600

    haystacks = {"stdout": proc.stdout, "stderr": proc.stderr}
    for f in sorted((lake / "provenance").rglob("*")):
        if f.is_file():
            haystacks[str(f)] = f.read_bytes().decode("latin-1")
            if f.suffix == ".parquet":
                haystacks[f"{f} (decoded)"] = json.dumps(pq.read_table(f).to_pylist(), default=str)
    haystacks["catalog file"] = (lake / "catalog.duckdb").read_bytes().decode("latin-1")
    for table in ("runs", "sources", "documents", "decisions", "scores", "duplicates", "files"):
        haystacks[f"catalog {table}"] = json.dumps(sql(lake, f"SELECT * FROM {table}"), default=str)
    haystacks.update(_prefect_records())
    assert len(haystacks) > 10
    leaks = [(where, key) for where, hay in haystacks.items() for key, value in p.items() if value in hay]
    assert leaks == []


def _prefect_records() -> dict[str, str]:
    """Every artifact and log line the Prefect API holds (the harness's server, shared with the CLI)."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts()
        logs = client.read_logs()
    return {"prefect artifacts": json.dumps([a.model_dump(mode="json") for a in artifacts], default=str),
            "prefect logs": "\n".join(log.message for log in logs)}


def test_test_file_plants_distinct_values():
    assert len(set(PLANTED.values())) == len(PLANTED) and all(len(v) >= 10 for v in PLANTED.values())
    assert os.path.basename(__file__) == "test_pii.py" and Path(__file__).exists()
    assert set(SECRET_ENTITIES) >= {"SECRET_PRIVATE_KEY", "SECRET_PASSWORD", "SECRET_URL_CREDENTIALS"}


def test_light_entity_list_matches_the_recognizers():
    """pii_engine spells the secret entity names out (so config validation skips presidio); they must agree."""
    from tasks.detectors import pii_engine

    assert pii_engine.SECRET_ENTITIES == SECRET_ENTITIES


def test_router_redaction_matches_presidio_anonymizer(patterns):
    """The router's placeholders are presidio-anonymizer's default ``replace`` output (``<ENTITY_TYPE>``)."""
    from presidio_anonymizer import AnonymizerEngine

    text = f"Mail lee.ardent@example.com, card {VISA}, IBAN {IBAN}, from 192.168.14.27 or (212) 555-0143."
    results = patterns.analyze([text])[0]
    ours, n = redact_text(text, [(r.start, r.end, r.entity_type) for r in results])
    assert n == 5 and ours == AnonymizerEngine().anonymize(text=text, analyzer_results=results).text


CONTEXT_TEXTS = [
    "Phone: 2962190362, ask at the desk.", "Order id 2962190362 shipped.", "For the front desk, call 555-0143.",
    "Kind regards, Marta", "My name is Torvald Brekkeflaten and my iban is " + IBAN.lower() + ".",
    "tel 48/219 9351 or\n\nfax  (08) 9876 5432; card " + VISA + " expires", "555-0143 at the very start",
]


@pytest.mark.parametrize("profile", ["patterns", "ner"])
def test_indexed_context_enhancer_scores_like_presidios(profile, patterns, ner):
    """Same results and scores with presidio's own ``LemmaContextAwareEnhancer`` on the same artifacts."""
    from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer

    analyzer = patterns if profile == "patterns" else ner
    ours = [sorted((r.entity_type, r.start, r.end, round(r.score, 6)) for r in rs)
            for rs in analyzer.analyze(CONTEXT_TEXTS)]
    fast, analyzer.engine.context_aware_enhancer = analyzer.engine.context_aware_enhancer, LemmaContextAwareEnhancer()
    try:
        theirs = [sorted((r.entity_type, r.start, r.end, round(r.score, 6)) for r in rs)
                  for rs in analyzer.analyze(CONTEXT_TEXTS)]
    finally:
        analyzer.engine.context_aware_enhancer = fast
    assert ours == theirs
    assert any(score > 0.5 for rs in ours for *_, score in rs if score not in (0.85,))  # some were lifted


def test_context_words_work_without_the_lemmatizer(ner):
    """Lower-cased tokens stand in for lemmas: a context word still lifts a weak pattern over the threshold."""
    assert found(ner, "Phone: 2962190362, ask at the desk.", "PHONE") == {("PHONE_NUMBER", "2962190362")}
    assert found(ner, "Order id 2962190362 shipped.", "PHONE") == set()
