"""Streets named after people are places: spaCy's PERSON "Martin Luther King Jr. Blvd" is a LOCATION.

spaCy's small model reads a street named after a person as the person, street word included ("Martin Luther King
Boulevard", "Frederick Douglass Blvd", "Bourbon St."), or the name without it ("221 Baker Street" -> "Baker"). The
text is redacted either way, but as ``<PERSON>`` it says a person was named where an address was: the counts
(``count.PERSON``) and the redacted text are wrong. A PERSON result is made a LOCATION over the whole street when

* its last word is a street word that is no common surname (``STREET_WORDS``: Street, St., Avenue, Boulevard, Blvd,
  Road, Drive, Highway...), or such a word follows it (then the span grows over it), or
* a street word that is also a surname or a word (``HOUSE_NUMBER_WORDS``: Lane, Way, Court, Place: "Lois Lane",
  "Margaret Court") ends it or follows it, and a house number comes right before it ("4 Robert Smith Way").

"St" (a street, or Saint) counts only when no capitalised word follows it ("Mary St. John" stays a person), and
"Dr" never does: it is an honorific before a name.
"""

from __future__ import annotations

import regex

STREET_WORDS = ("street", "st", "avenue", "ave", "boulevard", "blvd", "road", "rd", "drive", "highway", "hwy",
                "parkway", "pkwy", "expressway", "freeway", "turnpike")
HOUSE_NUMBER_WORDS = ("lane", "ln", "way", "court", "ct", "place", "pl", "terrace", "crescent", "close", "square")
_WORDS = "|".join((*STREET_WORDS, *HOUSE_NUMBER_WORDS))
_ABBREVIATIONS = frozenset(("st", "ave", "blvd", "rd", "hwy", "pkwy", "ln", "ct", "pl"))  # their dot is theirs
# A street word ending a span, with its abbreviation's dot
_LAST_WORD = regex.compile(rf"(?<![\p{{L}}])(?i:({_WORDS}))\.?$")
# ... or right after one ("Baker" of "Baker Street")
_NEXT_WORD = regex.compile(rf"[ \t]+(?i:({_WORDS}))\b\.?")
_CAPITAL_NEXT = regex.compile(r"\.?[ \t]+\p{Lu}")
_HOUSE_NUMBER = regex.compile(r"(?<![\w.,])\d{1,5}[A-Za-z]?,?[ \t]+$")


def _street_word_ok(text: str, word: str, start: int, end: int) -> bool:
    """Whether ``word`` (a street word of a span that runs from ``start`` to ``end``) makes the span a street."""
    low = word.lower()
    if low == "st" and _CAPITAL_NEXT.match(text, end):
        return False  # "Mary St. John": Saint
    if low in HOUSE_NUMBER_WORDS:
        return _HOUSE_NUMBER.search(text, max(0, start - 10), start) is not None
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
