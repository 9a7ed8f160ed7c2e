"""PERSON spans of one text tidied after recognition: cut at markup, a digit, a line break or a colon, merged, grown.

spaCy and the name-list rules (pii_names, pii_name_cues) each find names or parts of names; this module
turns their results into one span per name: join_person_spans cuts HTML markup off a span ("li>Anna Smith"), drops
spans holding a digit (spaCy's "+62", "Lesson 2"), cuts one running over a line break or colon to the name's line,
merges overlapping or adjacent parts, and grows a span over neighbouring words with letters beyond ASCII
("Deryanur" -> "Deryanur Yilmaz").
"""

from __future__ import annotations

import copy
import re
import unicodedata

import regex

from tasks.detectors.pii_names import _WORD, COMMON_ZIPF, PLACE_OR_ORG, _zipf, is_everyday_word
from tasks.detectors.pii_sign_offs import in_sign_off

_DIGIT = regex.compile(r"\d")
_NEXT_WORD = regex.compile(rf"[ \t]({_WORD})(?![\p{{L}}\d])")
_PREV_WORD = regex.compile(rf"(?<![\p{{L}}\d@#/._\-])({_WORD})[ \t]$")


def _name_part(word: str) -> bool:
    """A capitalised word that may continue a name spaCy split: one with non-ASCII letters (``Yilmaz`` spelt with
    its dotless i, ``Krisztina``'s neighbour ``Eva`` with its accent) that is not an everyday word or a place or
    organisation word. (English-looking neighbours are left alone: in lists "Leonard Krieger Cleveland" is a name
    and a town.)"""
    low = word.lower().strip("'\u2019-")
    return not word.isascii() and _zipf(low) < COMMON_ZIPF and low not in PLACE_OR_ORG


# What a span may hold of HTML markup: whole tags and a tag opening inside it that it cuts ("Maria Lopez</b"); the
# end of a tag opened before it ("li>Anna Smith": spaCy's tokenizer splits "<li>Anna" after the "<") is ``_TAIL``,
# markup only when the text before the span leaves a "<" open (a bare ">" is an arrow: "Anna Smith > Priya Raman").
_TAG = re.compile(r"<[^<>]*(?:>|$)")
_TAIL = re.compile(r"^[^<>]*>")
_SPACE = frozenset(" \t\r\n\u00a0")


def _spaced(text: str, i: int) -> bool:
    """Whether the "<" or ">" at ``i`` has whitespace (or the text's edge) on both sides: a comparison or an arrow
    ("Anna Smith > Priya Raman"), no markup."""
    return (i == 0 or text[i - 1] in _SPACE) and (i + 1 == len(text) or text[i + 1] in _SPACE)


def _open_tag_before(text: str, start: int) -> bool:
    """Whether the text before ``start`` ends inside a tag: its last "<" that is no spaced one comes after its last
    ">"."""
    close = text.rfind(">", 0, start)
    i = start
    while (i := text.rfind("<", close + 1, i)) >= 0:
        if not _spaced(text, i):
            return True
    return False


def _without_markup(text: str, result) -> list:
    """A PERSON span holding HTML markup ("li>Anna Smith", "John Miller</p>") or a bare "<" or ">" ("Anna Smith >
    Priya Raman") cut to the stretches between them, without the spaces and quotes around each: one result per
    stretch with two letters or more (none if no stretch has them). Redacted whole, the markup went with the name
    ("<<PERSON></li>"), and a tag's digit ("</h2>") made ``_without_digits`` drop the name. Every stretch is kept:
    two names a tag parts ("Anna Smith</td><td>John Miller") are two persons. (A name holds no "<" or ">".)"""
    value = text[result.start:result.end]
    if "<" not in value and ">" not in value:
        return [result]
    cuts = []  # (start, end) in value: markup, or a bare "<" or ">"
    if (tail := _TAIL.match(value)) is not None and not _spaced(text, result.start + tail.end() - 1) and (
            _open_tag_before(text, result.start)):
        cuts.append(tail.span())
    pos = cuts[0][1] if cuts else 0
    while (i := min((j for j in (value.find("<", pos), value.find(">", pos)) if j >= 0), default=-1)) >= 0:
        tag = _TAG.match(value, i) if value[i] == "<" and not _spaced(text, result.start + i) else None
        cuts.append(tag.span() if tag is not None else (i, i + 1))
        pos = cuts[-1][1]
    pieces, pos = [], 0
    for cut_start, cut_end in [*cuts, (len(value), len(value))]:
        piece = value[pos:cut_start]
        if sum(c.isalpha() for c in piece) >= 2:
            lead = len(piece) - len(piece.lstrip(" \t\n\"'"))
            pieces.append((pos + lead, pos + len(piece.rstrip(" \t\n\"'"))))
        pos = max(pos, cut_end)
    base, out = result.start, []
    for piece_start, piece_end in pieces:
        r = copy.copy(result) if out else result
        r.start, r.end = base + piece_start, base + piece_end
        out.append(r)
    return out


def _without_digits(text: str, result) -> bool:
    """False for a PERSON span holding a digit (spaCy's small model tags "+62", "Lesson 2", "4:10 P. M" PERSON); a
    span whose first line has none is cut to that line ("Andrew Blum" of "Andrew Blum\n|9780061994937")."""
    digit = _DIGIT.search(text, result.start, result.end)
    if digit is None:
        return True
    newline = text.find("\n", result.start, digit.start())
    if newline < 0:
        return False
    end = len(text[result.start:newline].rstrip(" \t|,;:(-")) + result.start
    if end - result.start < 2:
        return False
    result.end = end
    return True


_BREAK = re.compile(r"[\n:]")  # no name runs on over a line break or a colon (quotes may hold a nickname)


def _one_line(text: str, result) -> bool:
    """A PERSON span across a line break or a colon is cut to the part before it when that holds two letters and is
    not one everyday word before a colon (a label: "Re:", "Name:"), else to the part after the last one: "Franz
    Roskoth\nMatthews-Khan" in a signature is a name and a company, "Dita Jaros\n\nBiochemist" a name and a job,
    'Chloe:"I'm' a speaker and her words ('John "Mini" Maniaci' stays whole). False when less than two characters
    are left."""
    m = _BREAK.search(text, result.start, result.end)
    if m is None:
        return True
    first = text[result.start:m.start()].rstrip(" \t|,;(-")
    label = text[m.start()] == ":" and len(first.split()) == 1 and is_everyday_word(first)
    if sum(c.isalpha() for c in first) >= 2 and not label:
        result.end = result.start + len(first)
    else:
        last = max(i for i in range(result.start, result.end) if _BREAK.match(text, i)) + 1
        rest = text[last:result.end]
        result.start = last + len(rest) - len(rest.lstrip(" \t\"'\u201c\u201d"))
    return result.end - result.start >= 2


_THE_BEFORE = re.compile(r"(?<![^\W\d_])[Tt]he[ \t]+$")
THING_ZIPF = 3.5  # a word this common after "the" names a thing ("The Orchestra was founded in 1936")


def _no_thing(text: str, result) -> bool:
    """False for a one-word PERSON span after "the" that is a word at least as common as Zipf 3.5 and on neither
    census list (spaCy's small model tags "Orchestra" of "The Orchestra was founded" PERSON); "the Smiths" stays."""
    word = text[result.start:result.end]
    if " " in word or not _THE_BEFORE.search(text, max(0, result.start - 4), result.start):
        return True
    from tasks.detectors.pii_names import census_names

    given, surnames = census_names()
    low = word.lower()
    return low in given or low in surnames or _zipf(low) < THING_ZIPF


#: The longest PERSON span kept, in characters and words: "Maria de los Angeles Garcia Lopez" has 33 and 6.
MAX_NAME_CHARS, MAX_NAME_WORDS = 100, 8


def _name_sized(text: str, result) -> bool:
    """Whether a PERSON result is the size of a name and holds no control character.

    spaCy's small model read 14,000 characters of repeated 'emoji 😀' as one PERSON (redacting it whole: the
    clean text lost it) and tagged terminal escapes ('ansi \x7f \x85 nel'); no name is that long or holds those.
    """
    span = text[result.start:result.end]
    return (len(span) <= MAX_NAME_CHARS and len(span.split()) <= MAX_NAME_WORDS
            and not any(unicodedata.category(c) == "Cc" and c != "\t" for c in span))


def join_person_spans(text: str, results: list, max_words: int = 4, grow: bool = True) -> list:
    """PERSON results of one text merged when they overlap or only spaces part them, then grown over neighbours.

    spaCy's small model often finds part of a long or foreign name ("Deryanur" of "Deryanur Yilmaz Yilmaz", two
    halves of "Halasz Krisztina Ilona"), and the name-list rules may find another part: one name then counts as
    several partial spans. Merging them (overlapping, or one space apart while the whole has at most ``max_words``
    words), and adding adjacent capitalised words with non-ASCII letters (``_name_part``, up to ``max_words``
    words), gives the whole name. Other entities are untouched; a word inside another entity's result is never
    added.
    """
    persons = sorted((p for r in results if r.entity_type == "PERSON" for p in _without_markup(text, r)
                      if _without_digits(text, p) and _one_line(text, p) and _no_thing(text, p)
                      and _name_sized(text, p) and not in_sign_off(text, p.start, p.end)),  # after _one_line,
                     # which cuts a span to one line
                     key=lambda r: (r.start, r.end))
    if not persons:
        return [r for r in results if r.entity_type != "PERSON"]
    others = [r for r in results if r.entity_type != "PERSON"]
    taken = [(r.start, r.end) for r in others]
    merged: list = []
    for r in persons:
        last = merged[-1] if merged else None
        if last is not None and (r.start <= last.end or text[last.end:r.start] == " " and len(
                text[last.start:r.end].split()) <= max_words):
            last.end, last.score = max(last.end, r.end), max(last.score, r.score)
        else:
            merged.append(r)
    for r in merged if grow else ():
        words = len(text[r.start:r.end].split())
        while words < max_words:
            m = _NEXT_WORD.match(text, r.end)
            if not m or not _name_part(m.group(1)) or any(s < m.end(1) and m.start(1) < e for s, e in taken):
                break
            r.end, words = m.end(1), words + 1
        while words < max_words:
            m = _PREV_WORD.search(text, max(0, r.start - 40), r.start)
            if not m or not _name_part(m.group(1)) or any(s < m.end(1) and m.start(1) < e for s, e in taken):
                break
            r.start, words = m.start(1), words + 1
    return others + merged
