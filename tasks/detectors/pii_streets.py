"""Streets named after people are places: spaCy's PERSON "Martin Luther King Jr. Blvd" is a LOCATION.

spaCy's small model reads a street named after a person as the person, street word included ("Martin Luther King
Boulevard", "Frederick Douglass Blvd", "Bourbon St."), or the name without it ("221 Baker Street" -> "Baker"). The
text is redacted either way, but as ``<PERSON>`` it says a person was named where an address was: the counts
(``count.PERSON``) and the redacted text are wrong. A PERSON result is made a LOCATION over the whole street when

* its last word is a street word that is no common surname (``STREET_WORDS``: Street, St., Avenue, Boulevard, Blvd,
  Road, Drive, Highway...), or such a word follows it (then the span grows over it), or
* a street word that is also a surname or a word (``HOUSE_NUMBER_WORDS``: Lane, Way, Court, Place: "Lois Lane",
  "Margaret Court") ends it or follows it, and a house number comes right before it ("4 Robert Smith Way").

A street word counts only capitalised or as an abbreviation with its dot ("I let Mike drive the car" is no street),
a year or a day of a month is no house number ("In 1970 Margaret Court", "On March 3 Lois Lane"; a year after "at"
or "on" is one: "at 1234 Robert Smith Way"), and a street word that is also a surname stays a person's with an
apposition after it ("John Street, the CEO, resigned"). "St" (a street, or Saint) counts only when no capitalised
word follows it ("Mary St. John" stays a person), and "Dr" never does: it is an honorific before a name.
"""

from __future__ import annotations

import regex

STREET_WORDS = ("street", "st", "avenue", "ave", "boulevard", "blvd", "road", "rd", "drive", "highway", "hwy",
                "parkway", "pkwy", "expressway", "freeway", "turnpike")
# Street words that are census surnames too: with an apposition after them and no house number before, a person's
SURNAME_STREET_WORDS = ("street", "lane", "way", "place", "close")
HOUSE_NUMBER_WORDS = ("lane", "ln", "way", "court", "ct", "place", "pl", "terrace", "crescent", "close", "square")
_WORDS = "|".join((*STREET_WORDS, *HOUSE_NUMBER_WORDS))
_ABBREVIATIONS = frozenset(("st", "ave", "blvd", "rd", "hwy", "pkwy", "ln", "ct", "pl"))  # their dot is theirs
# A street word ending a span, with its abbreviation's dot
_LAST_WORD = regex.compile(rf"(?<![\p{{L}}])(?i:({_WORDS}))\.?$")
# ... or right after one ("Baker" of "Baker Street")
_NEXT_WORD = regex.compile(rf"[ \t]+(?i:({_WORDS}))\b\.?")
_CAPITAL_NEXT = regex.compile(r"\.?[ \t]+\p{Lu}")
_HOUSE_NUMBER = regex.compile(r"(?<![\w.,])(\d{1,5})[A-Za-z]?,?[ \t]+$")
# What makes a number before a name a date, not a house number: a month before it ("On March 3 Lois Lane"), or,
# for a year ("In 1970 Margaret Court"), anything but "at" or "on" ("at 1234 Robert Smith Way")
_MONTH_BEFORE = regex.compile(r"(?i)(?<!\p{L})(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february"
                              r"|march|april|june|july|august|september|october|november|december)\.?[ \t]+$")
_AT_BEFORE = regex.compile(r"(?i)(?<!\p{L})(?:at|on)[ \t]+$")
# A surname that is a street word, then an apposition: "John Street, the CEO, resigned" names a person
_APPOSITION = regex.compile(r",[ \t]+(?:the|a|an|our|his|her|their|its|my|who|whose)\b")


def _house_number(text: str, start: int) -> bool:
    """Whether a house number comes right before ``start``: a number of one to five digits that is no day of a
    month and no year."""
    m = _HOUSE_NUMBER.search(text, max(0, start - 10), start)
    if m is None or _MONTH_BEFORE.search(text, max(0, m.start() - 12), m.start()):
        return False
    number = m.group(1)
    year = len(number) == 4 and 1000 <= int(number) <= 2099
    return not year or _AT_BEFORE.search(text, max(0, m.start() - 4), m.start()) is not None


def _street_word_ok(text: str, word: str, start: int, end: int) -> bool:
    """Whether ``word`` (a street word of a span that runs from ``start`` to ``end``) makes the span a street: it is
    capitalised or an abbreviation with its dot ("Mike drive the car" is no street), and see the module docstring."""
    low = word.lower()
    dotted = low in _ABBREVIATIONS and "." in text[end - 1:end + 1]  # the span may hold the dot or end before it
    if not (word[0].isupper() or dotted):
        return False
    if low == "st" and _CAPITAL_NEXT.match(text, end):
        return False  # "Mary St. John": Saint
    if low in HOUSE_NUMBER_WORDS or low in SURNAME_STREET_WORDS:
        number = _house_number(text, start)
        if low in SURNAME_STREET_WORDS and not number and _APPOSITION.match(text, end):
            return False  # "John Street, the CEO"
        return number or low not in HOUSE_NUMBER_WORDS
    return True


def streets_as_places(text: str, results: list) -> list:
    """``results`` with each PERSON result that is a street (see the module docstring) made a LOCATION, grown over
    a street word right after it. A word inside another result is never added."""
    taken = [(r.start, r.end) for r in results if r.entity_type != "PERSON"]
    for r in results:
        if r.entity_type != "PERSON":
            continue
        m = _LAST_WORD.search(text, r.start, r.end)
        if m is not None and m.start() > r.start and _street_word_ok(text, m.group(1), r.start, r.end):
            r.entity_type = "LOCATION"
            continue
        m = _NEXT_WORD.match(text, r.end)
        if m is None or not _street_word_ok(text, m.group(1), r.start, m.end(1)):
            continue
        end = m.end() if m.group(1).lower() in _ABBREVIATIONS else m.end(1)  # "Baker Street." ends a sentence
        if not any(s < end and r.end < e for s, e in taken):
            r.entity_type, r.end = "LOCATION", end
    return results
