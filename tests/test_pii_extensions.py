"""PII stage: phone numbers with an extension written after them, and the shapes near them that are no phone."""

from __future__ import annotations

import pytest

from tasks.detectors.pii_engine import PiiAnalyzer


def phones(analyzer: PiiAnalyzer, text: str) -> set[str]:
    return {text[r.start:r.end] for r in analyzer.analyze([text])[0] if r.entity_type == "PHONE_NUMBER"}


@pytest.mark.parametrize(("text", "expected"), [
    # the extension joins the number (libphonenumber and the grouped shapes end at the last group)
    ("phone 9212 3377 Ext. 5206, email below", {"9212 3377 Ext. 5206"}),
    ("Office\n0800 1242 Ext. 9602\nOpen Mon-Fri", {"0800 1242 Ext. 9602"}),
    ("Call +44 20 7946 0958 ext 12 today", {"+44 20 7946 0958 ext 12"}),
    ("Tel: 030 901820, extension 4411", {"030 901820, extension 4411"}),
    ("Desk: 296-219-0362x363, ask for Lee.", {"296-219-0362x363"}),  # already whole: not grown again
    # an extension word makes grouped digits a phone number without a phone word
    ("Booked it, 6612 3437 Ext. 1604, see you then", {"6612 3437 Ext. 1604"}),
    ("211 2084 ext. 8836", {"211 2084 ext. 8836"}),
    # near misses: sizes with "x", an extension word without digits, a room number, ids
    ("Sizes 1920 1080 x 1200 px", set()), ("2100 1087 x 12 cm", set()), ("see 6612 3437 extended", set()),
    ("Room 120 800 ext 5", set()), ("Order 4839 2017 ext. 12", set()), ("Released 2019-12-31 ext. 4", set()),
])
def test_extensions_join_the_number(patterns, text, expected):
    assert phones(patterns, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # a parenthesis of the sentence is left out of the number; the number's own parentheses stay
    ("(tel. +1-201-555-0123)", {"+1-201-555-0123"}), ("(tel. +44 20 7946 0958)", {"+44 20 7946 0958"}),
    ("Telephone (2245 6718 ext 3287)", {"2245 6718 ext 3287"}), ("call (201) 555-0123 now", {"(201) 555-0123"}),
    ("(call +49 (0) 30 901820)", {"+49 (0) 30 901820"}), ("Tel: (08) 9876 5432", {"(08) 9876 5432"}),
])
def test_sentence_parentheses_are_not_the_numbers(patterns, text, expected):
    assert phones(patterns, text) == expected
