"""PII stage: phone numbers named by a label after them, short and paired national forms, and numbers that an
identifier's recognizer claims (an SSN, an IP address, a card) are not also phone numbers."""

from __future__ import annotations

import pytest

from tasks.detectors.pii_engine import PiiAnalyzer
from tasks.detectors.pii_phone_shapes import before_label


def found(analyzer: PiiAnalyzer, text: str) -> set[tuple[str, str]]:
    return {(r.entity_type, text[r.start:r.end]) for r in analyzer.analyze([text])[0]
            if r.entity_type in ("PHONE_NUMBER", "US_SSN", "IP_ADDRESS", "CREDIT_CARD")}


@pytest.mark.parametrize(("text", "expected"), [
    # a label after the number, ending the line or the clause, names it as "Tel:" before it does
    ("Ana Lima\n\n12 Rua Augusta\n497 929 478-Office\\,436-4139346-Fax", {"497 929 478", "436-4139346"}),
    ("Ana Lima\nAcme\n9235 6851 office\n283 7344 fax\n23 679791 mobile\n", {"9235 6851", "283 7344", "23 679791"}),
    ("Bookings 2634 1180 (home), 2634 1181 (work)", {"2634 1180", "2634 1181"}),
    ("280-064-6235-Office", {"280-064-6235"}),  # a glued label is no longer id
    ("001-197-180-3857-Fax", {"001-197-180-3857"}),
    # near misses: a label word that starts a phrase, a hyphen then digits, no label at all
    ("About 1 234 567 office workers commute.", set()), ("Sold 2634 1180 home loans", set()),
    ("Part 280-064-6235-7 is in stock", set()), ("Reference 9235 6851 was filed.", set()),
])
def test_labels_after_the_number(patterns, text, expected):
    assert {v for t, v in found(patterns, text) if t == "PHONE_NUMBER"} == expected


@pytest.mark.parametrize(("text", "expected"), [
    # six digits in pairs (Greenland, local numbers) with a phone word or label; hyphenated pairs from 2-9 (Denmark)
    ("Phone:\n68 70 59\n\nE-mail:\nana@example.com", {"68 70 59"}), ("Call 84 23 30 today", {"84 23 30"}),
    ("84 23 30 office\n", {"84 23 30"}), ("Contact her on 84-55-45-88 tonight.", {"84-55-45-88"}),
    ("Ana Lima\n33-63-90-93-Office", {"33-63-90-93"}),
    # near misses: pairs without a phone word, pairs in a longer row, hyphen rows from 0-1 or single digits
    ("In 2019 we had 84 23 30 visitors", set()), ("Scores 98 87 76", set()), ("Scores: 98 87 76 65", set()),
    ("The 12 34 56 combination", set()), ("Dates 12-03-20-21 and more", set()), ("A 2021/22 record: 2-3-4-5", set()),
    ("Phone 11 11 11", set()),
])
def test_short_and_paired_numbers(patterns, text, expected):
    assert {v for t, v in found(patterns, text) if t == "PHONE_NUMBER"} == expected


@pytest.mark.parametrize(("text", "expected"), [
    # libphonenumber reads these as numbers of some region; their own recognizer claims them
    ("His social security number is 716-61-6564", {("US_SSN", "716-61-6564")}),
    ("I keep getting address 74.155.134.89 blocked", {("IP_ADDRESS", "74.155.134.89")}),
    ("What's your credit card? 4926255228779669", {("CREDIT_CARD", "4926255228779669")}),
    # a dotted quad a phone word names stays a phone number too, unless a network word names it
    ("my cell is 22.50.16.10", {("IP_ADDRESS", "22.50.16.10"), ("PHONE_NUMBER", "22.50.16.10")}),
    ("Call the server at 10.20.30.40", {("IP_ADDRESS", "10.20.30.40")}),
    # a phone number next to them stays a phone number
    ("SSN 716-61-6564, phone 020 7946 0958", {("US_SSN", "716-61-6564"), ("PHONE_NUMBER", "020 7946 0958")}),
])
def test_claimed_numbers_are_not_phones(patterns, text, expected):
    assert found(patterns, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # presidio refuses its published sample SSNs everywhere; before, a trunk-0 phone shape then took 078-05-1120
    ("SSN 078-05-1120", {("US_SSN", "078-05-1120")}),
    ("My social security number is 123-45-6789.", {("US_SSN", "123-45-6789")}),
    ("ssn: 987-65-4320", {("US_SSN", "987-65-4320")}),
    # without an SSN word a sample stays text (a form's example); a phone word still makes a number a phone
    ("Format: 123-45-6789", set()),
    ("Phone: 078-05-1120", {("PHONE_NUMBER", "078-05-1120")}),
])
def test_sample_ssns_next_to_an_ssn_word_are_ssns_not_phones(patterns, text, expected):
    assert found(patterns, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # libphonenumber reads 078-05-1120 as a German number (area code 07805), but hyphens after the third and the
    # fifth digit are how SSNs are printed: without a phone word or label it is no phone (before: PHONE_NUMBER,
    # 0.4 alone, 0.75 after "number"); a sample SSN alone stays text, as above
    ("078-05-1120", set()), ("My number is 078-05-1120.", set()), ("Card 078-05-1120 came with the wallet.", set()),
    ("Tel. 078-05-1120 (Appenweier)", {("PHONE_NUMBER", "078-05-1120")}),
    ("T 078-05-1120", {("PHONE_NUMBER", "078-05-1120")}),
    ("Dana Kowalczyk\n078-05-1120\ndana@example.com", {("PHONE_NUMBER", "078-05-1120")}),
    ("The number 372-84-5519 is on file.", {("US_SSN", "372-84-5519")}),
])
def test_a_printed_ssn_shape_is_no_phone_without_a_phone_word(patterns, text, expected):
    assert found(patterns, text) == expected


def test_a_number_holding_an_ssn_shape_stays_a_phone(patterns):
    assert ("PHONE_NUMBER", "+591 800 17 1286") in found(patterns, "Toll free +591 800 17 1286")


@pytest.mark.parametrize(("text", "end", "expected"), [
    ("0412 345 678 mobile", 12, True), ("0412 345 678 (Cell)", 12, True), ("0412 345 678-Fax\\,", 12, True),
    ("0412 345 678 fax, 0412 345 679 home", 12, True), ("0412 345 678 mobile phones sold", 12, False),
    ("0412 345 678 offices", 12, False), ("0412 345 678 x", 12, False),
])
def test_before_label(text, end, expected):
    assert before_label(text, end) is expected
