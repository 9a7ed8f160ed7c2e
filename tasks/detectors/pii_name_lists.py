"""Names found through their neighbours: the other items of a list that holds a name, and capitals after a label.

Three rules run after presidio, on a text's final results (profile ``ner``):

* list mates: in a list of capitalised runs ("Ann Roe, Oba Ogindan and Mirthe van de Elzas", "cc X; Y", bulleted
  lines "- X"), when one item is a PERSON finding, another item of two or three capitalised words, none of them an
  everyday word or a place or organisation word, is a person too when its words look like a name (``_name_item``).
  Lists are what spaCy's small model reads worst (a name it knows next to one it does not), and their items are of
  one kind. A single-word item is a person only when it is a census given name ("Sean and Jeremy"): "Cruz, Garcia
  and Foster" is as often a firm as three people.
* lower-case list mates: two lower-case words next to a lower-case name found in a list ("kathryn scott and tyler
  cole"), a census given name first or both rare words, no everyday word;
* an upper-case name after a name label opening the line: "NAME: BRANKA ROZMAN", "Full name: KAMIL MACHACEK" (two
  or three upper-case words ending the line, not all everyday words, no place or organisation word). Forms and
  records write names in capitals; the label says what they are.
"""

from __future__ import annotations

import re

import regex
from presidio_analyzer import RecognizerResult

from tasks.detectors.pii_names import (
    _CAPITALISED,
    _LATIN,
    _RUN_WORD,
    PLACE_OR_ORG,
    RARE_ZIPF,
    UNKNOWN_ZIPF,
    VERY_COMMON_ZIPF,
    NameListRecognizer,
    _initial,
    _zipf,
    census_names,
    is_everyday_word,
    name_shaped,
)

# What parts two items of a list: a comma or semicolon (and "and"), "and" / "&", or a new bulleted line.
_SEPARATOR = re.compile(r"[ \t]*[,;][ \t]*(?:and[ \t]+)?|[ \t]+(?:and|&)[ \t]+|[ \t]*\n[ \t]*[-*\u2022\u00b7][ \t]+")
# A name label opening the line ("NAME:", "Patient name:"; not "File name:" or "Product name:"), then two or three
# upper-case words ending the line.
_LABELLED_CAPS = regex.compile(r"^[ \t]*(?i:(?:full|patient|customer|client|contact|applicant|guest|your|my)[ \t]+)?"
                               r"(?i:name)[ \t]*:[ \t]*(\p{Lu}{2,}(?:[- ]\p{Lu}{2,}){1,2})[ \t]*$", regex.MULTILINE)
# ... or two or three lower-case words there ("name: sander sild")
_LABELLED_LOWER = regex.compile(r"^[ \t]*(?i:(?:full|patient|customer|client|contact|applicant|guest|your|my)[ \t]+)?"
                                r"(?i:name)[ \t]*:[ \t]*(\p{Ll}{2,}(?:[ \t]+\p{Ll}{2,}){1,2})[ \t]*$", regex.MULTILINE)
# A contact block's first line: two or three words (a middle initial allowed) alone on their line, at the text's
# start, after a blank line or after a sign-off ("Best regards,").
_BLOCK_LINE = regex.compile(r"(?:\A|(?<=\n[ \t]*\n)|(?<=,[ \t]*\n))[ \t]*((?:\p{Lu}\p{Ll}+|\p{Ll}{2,})(?:[ \t]+"
                            r"(?:\p{Lu}\.?|\p{Ll}\.?|\p{Lu}?\p{Ll}+(?:-\p{Lu}?\p{Ll}+)?)){1,2})[ \t]*(?=\n)")
BLOCK_REACH = 300  # characters under the name line in which a phone number or e-mail address makes it a contact block


def _block_name(words: list[str], labelled: bool = False) -> bool:
    """Whether a name line's words look like a name: all capitalised or all lower case, no place or organisation
    word, the last word not an everyday word, and a census given name first, a census surname last (rarer than
    Zipf 5: "Per Berg"), a word in Latin letters beyond ASCII, or only very rare words (Zipf < 2.5); after a name
    label (``labelled``) none of these is needed. Words after the first are rare (Zipf < 3) or on the census lists.
    A middle initial is left out."""
    if len(words) == 3 and _initial(words[1]):
        words = [words[0], words[2]]
    if len(words) not in (2, 3) or any(_initial(w) for w in words):
        return False
    lower = [w.lower() for w in words]
    if not (all(w.islower() for w in words) or all(w[0].isupper() for w in words)):
        return False
    if any(w in PLACE_OR_ORG for w in lower) or is_everyday_word(words[-1]):
        return False
    given, surnames = census_names()
    if all(is_everyday_word(w) for w in words[:-1]) and lower[-1] not in surnames:
        return False  # "Contact Us"-like lines: an everyday first word needs a census surname after it
    return (labelled or lower[0] in given or (lower[-1] in surnames and _zipf(lower[-1]) < VERY_COMMON_ZIPF)
            or any(not w.isascii() and _LATIN.fullmatch(w) for w in words)
            or all(_zipf(w) < UNKNOWN_ZIPF for w in lower)) and all(
        _zipf(w) < RARE_ZIPF or w in given or w in surnames for w in lower[1:])


def _contact_names(text: str, results: list) -> list[tuple[int, int]]:
    """Name lines opening a contact block (see the module docstring) and lower-case names after a name label."""
    found = [m.span(1) for m in _LABELLED_LOWER.finditer(text) if _block_name(m.group(1).split(), True)]
    contacts = [r.start for r in results if r.entity_type in ("PHONE_NUMBER", "EMAIL_ADDRESS")]
    if not contacts:
        return found
    # (only the text just above a phone or e-mail is read: the pattern's look-behinds cost 0.25 ms per 2 KB)
    windows: list[tuple[int, int]] = []
    for c in sorted(contacts):
        start = max(0, c - BLOCK_REACH - 80)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], c)
        else:
            windows.append((start, c))
    for m in (m for a, b in windows for m in _BLOCK_LINE.finditer(text, a, b)):
        if any(m.end() < c <= m.end() + BLOCK_REACH for c in contacts) and _block_name(m.group(1).split()):
            found.append(m.span(1))
    return found


SCORE = NameListRecognizer.STRONG  # the list or the label vouches for the span


def _given_name_item(text: str, start: int, end: int) -> bool:
    """Whether a list item is one word, a census given name that is no place or organisation word."""
    word = text[start:end]
    return " " not in word and word.lower() in census_names()[0] and word.lower() not in PLACE_OR_ORG


def _name_item(text: str, start: int, end: int, singles: bool = False) -> tuple[int, int] | None:
    """The name-like part of a list item: its words without everyday words opening it ("Both Oba Ogindan"), when
    two or three words are left and none is an everyday, place or organisation word or an initial, and the words
    look like a name: a census given name first, a census surname last, letters beyond ASCII in Latin script, or
    all words very rare (Zipf < 2.5). (Band and product names in lists, "Eerie Cuties", "Colombian Emeralds", pass
    the first test but not this one.)"""
    words = [(m.start() + start, m.end() + start, m.group().split()[-1]) for m in _RUN_WORD.finditer(text[start:end])]
    given, surnames = census_names()
    if singles and _given_name_item(text, start, end):
        # a census given name ("Sean and Jeremy") in a list whose other one-word items are given names too:
        # surnames alone may be a firm ("Garcia and Gil"), and so may a name with "&" or a possessive next to it
        # ("Barnes & Noble", "Frankie and Benny's", "Macy's")
        near = text[max(0, start - 3):start] + text[end:end + 3]
        if "&" in near or text.startswith(("'s", "\u2019s"), end):
            return None
        return words[0][0], words[0][1]
    while words and is_everyday_word(words[0][2]):
        words = words[1:]
    if not name_shaped([w for _, _, w in words]):
        return None
    first, last = words[0][2].lower(), words[-1][2].lower()
    if not (first in given or (last in surnames and _zipf(last) < VERY_COMMON_ZIPF)
            or any(not w.isascii() and _LATIN.fullmatch(w) for _, _, w in words)
            or all(_zipf(w.lower()) < UNKNOWN_ZIPF for _, _, w in words)):
        return None
    return words[0][0], words[-1][1]


# A lower-case name next to a lower-case PERSON finding in a list: "kathryn scott and tyler cole".
_LOWER_AFTER = regex.compile(r"[ \t]*(?:,[ \t]*(?:and[ \t]+)?|[ \t]+(?:and|&)[ \t]+)(\p{Ll}{2,})[ \t]+(\p{Ll}{2,})"
                             r"(?![\p{L}\d])")
_LOWER_BEFORE = regex.compile(r"(?<![\p{L}\d@#])(\p{Ll}{2,})[ \t]+(\p{Ll}{2,})(?:[ \t]*,[ \t]*(?:and[ \t]+)?|[ \t]+"
                              r"(?:and|&)[ \t]+)$")


def _lower_mates(text: str, persons: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Two lower-case words next to a lower-case two- or three-word PERSON finding in a list, when the first is a
    census given name or both are rare (Zipf < 2.5), and neither is an everyday word."""
    given = census_names()[0]
    found = []
    for s, e in persons:
        name = text[s:e]
        if not name.islower() or not 2 <= len(name.split()) <= 3:
            continue
        for m in (_LOWER_AFTER.match(text, e), _LOWER_BEFORE.search(text, max(0, s - 60), s)):
            if m is None:
                continue
            first, last = m.group(1), m.group(2)
            if (first in given or _zipf(first) < UNKNOWN_ZIPF and _zipf(last) < UNKNOWN_ZIPF) and not any(
                    is_everyday_word(w) for w in (first, last)):
                found.append((m.start(1), m.end(2)))
    return found


def list_mates(text: str, results: list) -> list[RecognizerResult]:
    """New PERSON results: list items next to an item that is a PERSON finding, and capitals after a name label.

    ``results`` are the text's final results (every entity); spans overlapping any of them are never added.
    """
    added: list[RecognizerResult] = []
    taken = [(r.start, r.end) for r in results]
    persons = [(r.start, r.end) for r in results if r.entity_type == "PERSON"]

    def add(span: tuple[int, int]) -> None:
        if not any(s < span[1] and span[0] < e for s, e in taken):
            added.append(RecognizerResult("PERSON", span[0], span[1], SCORE))
            taken.append(span)

    if "\n" in text or ":" in text:
        for m in _LABELLED_CAPS.finditer(text):
            words = m.group(1).replace("-", " ").split()
            # "NAME: NEW YORK": every word an everyday word, or a place or organisation word, is no name
            if not all(is_everyday_word(w) for w in words) and not any(w.lower() in PLACE_OR_ORG for w in words):
                add(m.span(1))
    if "\n" in text:
        for span in _contact_names(text, results):
            add(span)
    if not persons:
        return added
    for span in _lower_mates(text, persons):
        add(span)
    runs = [m.span() for m in _CAPITALISED.finditer(text)]
    group: list[tuple[int, int]] = []
    for k, run in enumerate(runs):
        group.append(run)
        linked = k + 1 < len(runs) and _SEPARATOR.fullmatch(text, run[1], runs[k + 1][0]) is not None
        if linked:
            continue
        if len(group) >= 2 and any(s <= ps and pe <= e for s, e in group for ps, pe in persons):
            rest = [(s, e) for s, e in group if not any(ps < e and s < pe for ps, pe in persons)]
            singles = all(_given_name_item(text, s, e) for s, e in rest if " " not in text[s:e])
            for s, e in rest:
                span = _name_item(text, s, e, singles)
                if span is not None:
                    add(span)
        group = []
    return added
