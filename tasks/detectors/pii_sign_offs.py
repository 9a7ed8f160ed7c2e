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

Ordinary words must not pass for names: a relation, a pet name or a given name that is a word first ("Son",
"buddy", "brain", "Gay": ``NOT_SIGNERS``) never does; a name written small must be rare as a word (Zipf below
``COMMON_ZIPF``), and it or a word-like name needs the sign-off's comma or "!" ("Love\nHope" may be two words); and a
bare sign-off among one-word lines is a list's item ("What do we need most?\nLove\nHope\nJoy", "1. Intro\nLove").
"""

from __future__ import annotations

import re

import regex

from tasks.detectors.pii_names import _WORD, COMMON_ZIPF, PLACE_OR_ORG, WORD_LIKE_NAMES, _zipf, is_everyday_word

SIGN_OFFS = ("regards", "best regards", "kind regards", "kindest regards", "warm regards", "warmest regards",
             "with regards", "best wishes", "warm wishes", "all the best", "best", "thanks", "thanks again",
             "thanks so much", "many thanks", "thank you", "thank you so much", "cheers", "sincerely",
             "yours sincerely", "sincerely yours", "yours truly", "yours faithfully", "yours", "respectfully",
             "cordially", "love", "lots of love", "with love", "take care", "talk soon", "thx", "rgds", "xoxo", "hugs",
             # German, French, Spanish, Italian, Portuguese, Dutch: web and mail corpora are not English only
             "mit freundlichen grüßen", "mit freundlichen grüssen", "freundliche grüße", "freundliche grüsse",
             "viele grüße", "viele grüsse", "liebe grüße", "liebe grüsse", "beste grüße", "beste grüsse",
             "herzliche grüße", "herzliche grüsse", "grüße", "grüsse", "gruß", "gruss", "mfg", "lg", "vg",
             "cordialement", "bien cordialement", "bien à vous", "salutations", "amitiés", "bisous", "à bientôt",
             "saludos", "un saludo", "saludos cordiales", "atentamente", "un abrazo", "abrazos", "besos",
             "cordiali saluti", "distinti saluti", "saluti", "un abbraccio", "baci", "atenciosamente", "abraços",
             "um abraço", "cumprimentos", "beijos", "met vriendelijke groet", "vriendelijke groeten", "groeten",
             "groetjes", "hartelijke groet")
_PHRASES = "|".join(s.replace(" ", r"[ \t]+") for s in sorted(SIGN_OFFS, key=len, reverse=True))
# One to three words alone on their line (after one blank line at most and a signature's "--" line, a dash or a
# tilde): found first, as a line break is a literal ``re`` finds fast and such lines are few ...
_NAME_LINE = re.compile(r"\n(?:[ \t]*\r?\n)?(?:[ \t]*--[ \t]*\r?\n)?[ \t]*(?:[-\u2013\u2014~]{1,2}[ \t]*)?"
                        r"([^\W\d_][\w'\u2019-]*(?:[ \t]+[^\W\d_][\w'\u2019.-]*){0,2})[ \t]*(?=\r?\n|$)")
# ... then the line before it: a sign-off alone on it or after a sentence's end, with its comma or stop.
_SIGN_OFF_LINE = re.compile(rf"(?:^|[.!?][ \t]+)[ \t]*(?:{_PHRASES})[ \t]*[,.!]?[ \t]*\r?$", re.IGNORECASE)
_CAPITALISED = regex.compile(_WORD)
# Relations and pet names sign letters too ("Love,\nSon", "thanks\nbuddy"), and so do census given names that are
# words first ("Cheers,\nbrain", "Thanks!\nGay"): none names the writer
NOT_SIGNERS = frozenset("""son daughter dad daddy mum mom mommy mummy mama papa pa ma sis bro bruh brother sister
bestie babe baby bae honey hun sweetie sweetheart darling dear dude pal mate man guys friend friends buddy
grandma grandpa granny gran nan nana auntie aunt uncle cousin kiddo kid kids champ boss chief sir madam team
all everyone everybody folks love hugs brain gay junior""".split())
_PUNCTUATED = re.compile(r"[,!][ \t]*\r?$")  # "Love," and "Thanks!", not a bare "Love" line
# A list's line: one word, after a marker or not ("Intro", "1. Intro", "- Intro")
_LIST_ITEM = re.compile(r"[ \t]*(?P<marker>[-*\u2022]|\d+[.)])?[ \t]*[^\W\d_][\w'\u2019-]*[ \t]*\r?")


def _line_before(text: str, start: int) -> str:
    """The line before the one starting at ``start`` ("" for the first line)."""
    return text[text.rfind("\n", 0, start - 1) + 1:start - 1] if start > 0 else ""


def _in_list(text: str, sign_off_start: int, name_end: int) -> bool:
    """Whether a bare sign-off word and the name after it are items of a list of one-word lines ("What do we need
    most?\nLove\nHope\nJoy", "1. Intro\nLove\nGrace"): the line before the sign-off is a marked item, or a word
    after a line that is another word or ends with a colon, or the line after the name is one everyday word. (One
    word alone before it is a chat's line: "ok\nThanks\nOmar".)"""
    before = _line_before(text, sign_off_start)
    if (item := _LIST_ITEM.fullmatch(before)) is not None:
        if item.group("marker"):
            return True
        above = _line_before(text, sign_off_start - len(before) - 1).rstrip()
        if above.endswith(":") or _LIST_ITEM.fullmatch(above) is not None:
            return True
    rest = text[name_end:].lstrip("\r")
    after = rest[1:].split("\n", 1)[0] if rest.startswith("\n") else ""
    return _LIST_ITEM.fullmatch(after) is not None and is_everyday_word(after.strip(" \t\r-*\u2022"))


def sign_off_names(text: str, given: frozenset[str]) -> list[tuple[int, int]]:
    """Spans of the given names alone on the line after a sign-off (see the module docstring)."""
    if "\n" not in text:
        return []
    found = []
    for m in _NAME_LINE.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        sign_off = text[line_start:m.start()]
        if not _SIGN_OFF_LINE.search(sign_off):
            continue
        word, *rest = m.group(1).split()
        low = word.lower()
        if low in PLACE_OR_ORG or low in NOT_SIGNERS:
            continue
        capitalised = _CAPITALISED.fullmatch(word) is not None
        if rest and not (capitalised and all(_surname_part(w) for w in rest)):
            continue  # "Grace Marketing Team", "Omar from Acme": not a name alone on its line
        punctuated = _PUNCTUATED.search(sign_off) is not None
        if not punctuated and _in_list(text, line_start, m.end()):
            continue  # "Love\nHope\nJoy": words of a list, no sign-off
        # a name written small must be rare as a word ("cheers,\npriya"; not "brain"), and it or a name that is
        # also a word ("Hope", "Grace") needs the sign-off's comma or "!": "Love\nHope" may be two words
        word_like = capitalised and low in WORD_LIKE_NAMES
        small = word.islower() and not rest and low in given and _zipf(low) < COMMON_ZIPF
        if (capitalised and low in given and not word_like) or ((word_like or small) and punctuated):
            found.append(m.span(1))
    return found


def in_sign_off(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` lies in a sign-off alone on its line ("Mit freundlichen Grüßen,", "Bien à vous,"):
    spaCy's small model took "Grüßen", "Viele Grüße" and "Bien" there for persons."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    if end > line_end:
        return False
    m = _SIGN_OFF_LINE.search(text[line_start:line_end])  # a slice: its "^" is the line's start
    return m is not None and line_start + m.start() <= start


def _surname_part(word: str) -> bool:
    """A word after a given name on a sign-off's line: an initial ("Q.") or a capitalised word that is no everyday,
    place or organisation word ("Raman", "Okonkwo")."""
    if len(word) == 2 and word[0].isupper() and word[1] == ".":
        return True
    return (_CAPITALISED.fullmatch(word) is not None and not is_everyday_word(word)
            and word.lower() not in PLACE_OR_ORG)
