"""PII stage: a phone or card number that a word wrapper broke across two lines is found whole, and the break of a
column of numbers, a decimal or a postcode does not make one."""

from __future__ import annotations

import pytest

from tasks.detectors.pii_engine import PiiAnalyzer
from tasks.detectors.pii_wrapped_numbers import join_wrapped_numbers
from tasks.redact import redact_text


def found(analyzer: PiiAnalyzer, text: str) -> set[tuple[str, str]]:
    return {(r.entity_type, text[r.start:r.end]) for r in analyzer.analyze([text])[0]
            if r.entity_type in ("PHONE_NUMBER", "CREDIT_CARD")}


@pytest.mark.parametrize(("text", "expected"), [
    # before: "555 0132" alone was redacted and "+1 415" left; the card and the hyphenated number were not found
    ("Phone: +1 415\n555 0132 after six.", {("PHONE_NUMBER", "+1 415\n555 0132")}),
    ("Call me at (415)\n555-0132 tomorrow.", {("PHONE_NUMBER", "(415)\n555-0132")}),
    ("Call me at 415-555-\n0132 tomorrow.", {("PHONE_NUMBER", "415-555-\n0132")}),
    ("Card 4111 1111\n1111 1111 expires 09/27.", {("CREDIT_CARD", "4111 1111\n1111 1111")}),
    ("Phone: +1 415\r\n555 0132 (Windows line ends)", {("PHONE_NUMBER", "+1 415\r\n555 0132")}),
    # before: a card broken at a Windows line end, after a space ending the line or before an indented next line
    # was not found (the view held two characters between its groups, the card patterns allow one)
    ("Card 4111 1111\r\n1111 1111 expires 09/27.", {("CREDIT_CARD", "4111 1111\r\n1111 1111")}),
    ("Card 4111 1111 \n1111 1111 expires 09/27.", {("CREDIT_CARD", "4111 1111 \n1111 1111")}),
    ("Card 4111 1111\n    1111 1111 expires 09/27.", {("CREDIT_CARD", "4111 1111\n    1111 1111")}),
    ("Please call 020 7946\r\n0958 today.", {("PHONE_NUMBER", "020 7946\r\n0958")}),
])
def test_a_number_broken_across_lines_is_found_whole(patterns, text, expected):
    assert found(patterns, text) == expected


@pytest.mark.parametrize("text", [
    "Years:\n2019\n2020\n2021",  # a column of numbers
    "The build was stuck with 0.3\n2008-02-11 was the release date.",  # a decimal, then a date
    "Yuzhong District, Chongqing 400010\n13 floors of offices.",  # a postcode, then a count
    "Tel: 86-23-86776888\n3 Main Street",  # a whole number already: the next line's digit stays out of its span
    "Total 12.\n3 items",
])
def test_numbers_on_consecutive_lines_are_not_joined(text):
    view = join_wrapped_numbers(text)
    assert view.text == text and view.original(0, len(text)) == (0, len(text))


def test_the_joined_view_maps_spans_back_to_the_original():
    text = "Phone: +1 415 \r\n  555 0132\nCard 4111 1111\r\n1111 1111 ok"
    view = join_wrapped_numbers(text)
    assert view.text == "Phone: +1 415 555 0132\nCard 4111 1111 1111 1111 ok"
    phone = view.text.index("+1"), view.text.index("0132") + 4
    card = view.text.index("4111"), view.text.index("1111 ok") + 4
    assert text[slice(*view.original(*phone))] == "+1 415 \r\n  555 0132"
    assert text[slice(*view.original(*card))] == "4111 1111\r\n1111 1111"
    assert text[slice(*view.original(len(view.text) - 2, len(view.text)))] == "ok"


def test_a_windows_wrapped_card_is_redacted_whole(patterns):
    text = "Order note\r\nCard 4111 1111\r\n1111 1111 expires 09/27.\r\nThanks"
    spans = [(r.start, r.end, r.entity_type) for r in patterns.analyze([text])[0]]
    assert redact_text(text, spans)[0] == "Order note\r\nCard <CREDIT_CARD> expires 09/27.\r\nThanks"
