"""A given name alone on its line after a letter's sign-off ("Best regards,\nGrace"): ``pii_sign_offs``."""

from __future__ import annotations

import pytest

from tasks.detectors.pii_names import census_names
from tasks.detectors.pii_sign_offs import sign_off_names


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
    # a word in a list after a bare "Love" or "Best" line, a relation, a common word written small or as a name
    ("What do we need most?\nLove\nHope\nJoy", set()),
    ("Track list:\n1. Intro\nLove\nGrace\nOutro", set()),
    ("Love,\nSon", set()), ("thanks\nbuddy", set()), ("Cheers,\nbrain", set()), ("Thanks!\nGay", set()),
    ("Thanks,\nbro", set()), ("Love,\nDad", set()), ("Cheers,\nmate", set()),
    # ... while a bare sign-off still takes a name that is no word, and a rare name written small after a comma
    ("Thanks\nOmar", {"Omar"}), ("Cheers,\nomar", {"omar"}), ("Thanks,\nMax", {"Max"}),
])
def test_name_after_sign_off(ner, text, expected):
    assert persons(ner, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # the line before the name decides: a given name after a line that is no sign-off is no signature
    ("The meeting ended.\nGrace", []), ("The regards,\nGrace", []), ("The regards,\nOmar", []),
    ("We are done,\nGrace", []), ("Hello there\nPriya", []), ("Ideas\nLove\nPriya\nPeace", []),
    ("Best of luck with it\nOmar", []),
    ("What do we need most?\nLove\nHope\nJoy", []), ("Track list:\n1. Intro\nLove\nGrace\nOutro", []),
    ("Love,\nSon", []), ("thanks\nbuddy", []), ("Cheers,\nbrain", []), ("Thanks!\nGay", []),
    ("thanks\npriya", []), ("Best\nGrace", []),
    # the same names after a sign-off
    ("Meeting ended. Regards,\nGrace", ["Grace"]), ("Best regards,\nOmar", ["Omar"]), ("Thanks\nPriya", ["Priya"]),
    ("Love,\nGrace", ["Grace"]), ("thanks,\npriya", ["priya"]), ("Thanks!\nOmar", ["Omar"]),
])
def test_sign_off_line_decides(text, expected):
    given, _ = census_names()
    assert [text[s:e] for s, e in sign_off_names(text, given)] == expected


@pytest.mark.parametrize(("text", "expected"), [
    # sign-offs of German, French, Spanish, Italian, Portuguese and Dutch mail: the name after them, and no
    # PERSON inside the sign-off itself (spaCy took "Grüßen", "Bien" and "vriendelijke groet" for persons)
    ("Mit freundlichen Grüßen,\nAnna", {"Anna"}), ("Un saludo,\nJavier", {"Javier"}),
    ("Cordialement,\nPierre", {"Pierre"}), ("Bien à vous,\nCamille", {"Camille"}),
    ("Met vriendelijke groet,\nSanne", {"Sanne"}), ("Cordiali saluti,\nGiulia", {"Giulia"}),
    ("Atenciosamente,\nJoão", {"João"}),
    # a sign-off's words on a line that goes on are no sign-off: the name there is found as before
    ("Best regards, Grace Hopper", {"Grace Hopper"}),
])
def test_sign_offs_of_other_languages(ner, text, expected):
    assert persons(ner, text) == expected
