"""A given name alone on its line after a letter's sign-off ("Best regards,\nGrace"): ``pii_sign_offs``."""

from __future__ import annotations

import pytest


def persons(analyzer, text: str) -> set[str]:
    return {text[r.start:r.end] for r in analyzer.analyze([text])[0] if r.entity_type == "PERSON"}


@pytest.mark.parametrize(("text", "expected"), [
    # a given name that is also a word, a census given name, after a dash, after a blank line, lower case
    ("Best regards,\nGrace", {"Grace"}),
    ("Cheers,\n- Priya", {"Priya"}),
    ("Thanks,\nOmar", {"Omar"}),
    ("See you on Monday.\n\nKind regards,\n\nWill\nAcme Ltd", {"Will"}),
    ("Thanks for the help. Best,\nPriya", {"Priya"}),
    ("thanks,\npriya", {"priya"}),
    ("Love,\n~ Hope", {"Hope"}),
    # a full name after the dash, a signature's "--" line between
    ("Cheers,\n- Priya Raman", {"Priya Raman"}), ("Thanks!\n\n--\nGrace", {"Grace"}),
    ("Best,\nJane Q. Okonkwo\nAcme", {"Jane Q. Okonkwo"}),
    # near misses: a team, a job, an everyday word, a place word, a name label, a sign-off inside a line
    ("Best regards,\nSupport", set()),
    ("Thanks,\nThe Team", set()),
    ("Cheers,\nEveryone", set()),
    ("Regards,\nMarketing", set()),
    ("Love,\nMom", set()),
    ("The regards,\nHall", set()),
    ("Best regards,\nStreet", set()),
    ("Thanks,\nGrace Marketing Team", set()),
])
def test_name_after_sign_off(ner, text, expected):
    assert persons(ner, text) == expected
