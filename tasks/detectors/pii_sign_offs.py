"""A given name alone on its line after a letter's sign-off ("Best regards,\\nGrace", "Cheers,\\n- Priya").

A mail or a letter ends with a sign-off ("Best regards,", "Thanks,", "Cheers,", "Love,") and the writer's name on
the next line. Written alone, a one-word name gives spaCy's small model no context (it missed "Grace" and "Priya"
there), and the name-list rules need two words or a context word before the name on its own line. The sign-off is
that context: the line after it (optionally after one blank line, a signature's "--" line, a dash or a tilde) is a
person's name when its first word is a census or international given name (``pii_names.census_names``), capitalised
or (alone) written small, or a given name that is also a word (``WORD_LIKE_NAMES``: "Grace", "Will", "Hope")
written capitalised, and up to two more words are initials or capitalised words that are no everyday, place or
organisation word ("Priya Raman"). A team, a job or a relation ("Support", "The Team", "Marketing", "Mom") is no
given name and stays text, and so does a line going on with other words ("Grace Marketing Team").
"""

from __future__ import annotations

import re

import regex

from tasks.detectors.pii_names import _WORD, PLACE_OR_ORG, WORD_LIKE_NAMES, is_everyday_word

SIGN_OFFS = ("regards", "best regards", "kind regards", "kindest regards", "warm regards", "warmest regards",
             "with regards", "best wishes", "warm wishes", "all the best", "best", "thanks", "thanks again",
             "thanks so much", "many thanks", "thank you", "thank you so much", "cheers", "sincerely",
             "yours sincerely", "sincerely yours", "yours truly", "yours faithfully", "yours", "respectfully",
             "cordially", "love", "lots of love", "with love", "take care", "talk soon", "thx", "rgds", "xoxo", "hugs")
_PHRASES = "|".join(s.replace(" ", r"[ \t]+") for s in sorted(SIGN_OFFS, key=len, reverse=True))
# One to three words alone on their line (after one blank line at most and a signature's "--" line, a dash or a
# tilde): found first, as a line break is a literal ``re`` finds fast and such lines are few ...
_NAME_LINE = re.compile(r"\n(?:[ \t]*\r?\n)?(?:[ \t]*--[ \t]*\r?\n)?[ \t]*(?:[-\u2013\u2014~]{1,2}[ \t]*)?"
                        r"([^\W\d_][\w'\u2019-]*(?:[ \t]+[^\W\d_][\w'\u2019.-]*){0,2})[ \t]*(?=\r?\n|$)")
# ... then the line before it: a sign-off alone on it or after a sentence's end, with its comma or stop.
_SIGN_OFF_LINE = re.compile(rf"(?:^|[.!?][ \t]+)[ \t]*(?:{_PHRASES})[ \t]*[,.!]?[ \t]*\r?$", re.IGNORECASE)
_CAPITALISED = regex.compile(_WORD)


def sign_off_names(text: str, given: frozenset[str]) -> list[tuple[int, int]]:
    """Spans of the given names alone on the line after a sign-off (see the module docstring)."""
    if "\n" not in text:
        return []
    found = []
    for m in _NAME_LINE.finditer(text):
        if not _SIGN_OFF_LINE.search(text[text.rfind("\n", 0, m.start()) + 1:m.start()]):
            continue
        word, *rest = m.group(1).split()
        low = word.lower()
        if low in PLACE_OR_ORG:
            continue
        capitalised = _CAPITALISED.fullmatch(word) is not None
        if rest and not (capitalised and all(_surname_part(w) for w in rest)):
            continue  # "Grace Marketing Team", "Omar from Acme": not a name alone on its line
        if (low in given and (capitalised or word.islower() and not rest)) or (capitalised and low in WORD_LIKE_NAMES):
            found.append(m.span(1))
    return found


def _surname_part(word: str) -> bool:
    """A word after a given name on a sign-off's line: an initial ("Q.") or a capitalised word that is no everyday,
    place or organisation word ("Raman", "Okonkwo")."""
    if len(word) == 2 and word[0].isupper() and word[1] == ".":
        return True
    return (_CAPITALISED.fullmatch(word) is not None and not is_everyday_word(word)
            and word.lower() not in PLACE_OR_ORG)
