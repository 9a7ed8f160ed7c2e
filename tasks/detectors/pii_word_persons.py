"""spaCy PERSON spans that are one everyday word: an ingredient, or an instruction's verb opening a line (and spaCy
spans that are a URI scheme: ``without_uri_schemes``).

The small English model reads a recipe's "1. Melt a knob of butter", "Rub a little catnip on ...", or "- a small
bunch of parsley" as a person: one word, which the text uses as a word. Redacting it ("<PERSON> a knob of butter")
damages clean text and protects nobody. So a span that spaCy alone found is dropped when it is a single word that
is not a name by the census lists (given names or surnames) and

* is written in lower case and is an English word (wordfreq Zipf >= ``LOWER_WORD_ZIPF``: "parsley", "kit"), or
* opens a line or a list item, is an English word (Zipf >= ``OPENING_WORD_ZIPF``) and is followed by an article
  or a pronoun, as an instruction's verb is ("Melt a", "Rub the", "Stir it").

Names stay: a census given name or surname, a rare word (most foreign names), two or more words, a word after an
honorific ("Mr. Pants"), a word opening a sentence inside a line ("Obama said", "Tolkien wrote": wordfreq knows
famous names as words, so a sentence's first word is no evidence), and every span a name-list rule found.
"""

from __future__ import annotations

import re

from tasks.detectors.pii_names import RARE_ZIPF, UNKNOWN_ZIPF, _zipf, census_names

LOWER_WORD_ZIPF = UNKNOWN_ZIPF  # 2.5: rarer lower-case words may be names written small
OPENING_WORD_ZIPF = RARE_ZIPF  # 3.0: below it a capitalised word is name-like (pii_names)
_SPACY = "SpacyRecognizer"
# what may stand before a word that opens a line or a list item ("- ", "* ", "1. ", "2) ")
_OPENING = re.compile(r"(?:^|\n)[ \t]*(?:(?:[-*\u2022]|\d{1,3}[.)])[ \t]+)?$")
# what follows an instruction's verb
_OBJECT = re.compile(r"[ \t]+(?:a|an|the|some|it|them|this|that|your|all|each|one|two|half)\b")
# a URI scheme glued to what it names ("mailto:jane@...", "tel:+44...", "https://..."), which spaCy may call a person
_SCHEME = re.compile(r"(?i:mailto|tel|callto|sms|skype|xmpp|https?|s?ftp|ssh|git|file|irc|news|data):(?=[^\s:])")


def without_word_persons(text: str, results: list) -> list:
    """``results`` without the spaCy PERSON spans that are one everyday word (module docstring)."""
    given, surnames = census_names()
    out = []
    for r in results:
        if r.entity_type == "PERSON" and (r.recognition_metadata or {}).get("recognizer_name") == _SPACY:
            word = text[r.start:r.end].strip("'\u2019")
            low = word.lower()
            if word.isalpha() and low not in given and low not in surnames and (
                    word.islower() and _zipf(low) >= LOWER_WORD_ZIPF
                    or _zipf(low) >= OPENING_WORD_ZIPF and _OPENING.search(text, 0, r.start) is not None
                    and _OBJECT.match(text, r.end) is not None):
                continue
        out.append(r)
    return out


def without_uri_schemes(text: str, results: list) -> list:
    """``results`` without the spaCy spans (a person, a place) that are a URI scheme: ``mailto`` in
    ``mailto:jane@example.org`` was redacted as ``<PERSON>``."""
    return [r for r in results if not (
        (r.recognition_metadata or {}).get("recognizer_name") == _SPACY
        and (m := _SCHEME.match(text, r.start)) is not None and m.end() == r.end + 1)]
