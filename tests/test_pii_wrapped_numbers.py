"""PII stage: a phone or card number that a word wrapper broke across two lines is found whole, and the break of a
column of numbers, a decimal or a postcode does not make one."""

from __future__ import annotations

import pytest

from tasks.detectors.pii_engine import PiiAnalyzer, joined_wrapped_numbers


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
    assert joined_wrapped_numbers(text) == text


def test_the_joined_view_keeps_every_offset():
    text = "Phone: +1 415\r\n555 0132\nnext"
    joined = joined_wrapped_numbers(text)
    assert len(joined) == len(text) and joined.replace("  ", "\r\n", 1) == text
