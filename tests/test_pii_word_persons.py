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
])
def test_everyday_words_are_not_persons(ner, text):
    assert persons(ner, text) == []


@pytest.mark.parametrize(("text", "name"), [
    ("I met Mr. Pants at the fair yesterday.", "Pants"),  # after an honorific
    ("Obama said the plan would work.", "Obama"),  # a sentence's first word: no evidence against a name
    ("Ask Priya Raman before you send it.", "Priya Raman"),  # two words
])
def test_names_stay(ner, text, name):
    assert name in " ".join(persons(ner, text))
