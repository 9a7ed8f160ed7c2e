"""spaCy PERSON spans that are one everyday word: an ingredient, an instruction's verb opening a line, a contact
field's label before its colon ("Telefon: ..."), a plural opening a sentence; and spaCy persons or places that the
text writes as a word elsewhere (``without_words_written_small``) or that are a URI scheme (``without_uri_schemes``).

The small English model reads a recipe's "1. Melt a knob of butter", "Rub a little catnip on ...", or "- a small
bunch of parsley" as a person: one word, which the text uses as a word. Redacting it ("<PERSON> a knob of butter")
damages clean text and protects nobody. So a span that spaCy alone found is dropped when it is a single word that
is not a name by the census lists (given names or surnames; for the second rule, given names: "2. Cook the prawns"
is a step though Cook is a surname) and

* is written in lower case and is an English word (wordfreq Zipf >= ``LOWER_WORD_ZIPF``: "parsley", "kit"), or
* opens a line or a list item, is an English word (Zipf >= ``OPENING_WORD_ZIPF``) and is followed by an article
  or a pronoun, as an instruction's verb is ("Melt a", "Rub the", "Stir it"), or
* opens a sentence, a line or a headline, is the plural of an English noun (Zipf >= ``OPENING_WORD_ZIPF``, its
  singular Zipf >= ``PLURAL_STEM_ZIPF`` and no given name) and is followed by a lower-case word that is no verb of
  saying: the subject of a news
  sentence ("Schools reopened on Monday", "Fares rise again"). A person's name is rarely an English plural that no
  census list holds; one that speaks ("Sparrows said") stays.

Names stay: a census given name or surname ("Jordan", "Grace", "Will", "Banks", "Styles"), a rare word (most
foreign names), two or more words, a word after an honorific ("Mr. Pants"), a singular word opening a sentence
("Obama said", "Tolkien wrote": wordfreq knows famous names as words, so a sentence's first word is no evidence),
and every span a name-list rule found.
"""

from __future__ import annotations

import re

from tasks.detectors.pii_name_cues import SAYING
from tasks.detectors.pii_names import HONORIFICS, RARE_ZIPF, UNKNOWN_ZIPF, WORD_LIKE_NAMES, _zipf, census_names

LOWER_WORD_ZIPF = UNKNOWN_ZIPF  # 2.5: rarer lower-case words may be names written small
OPENING_WORD_ZIPF = RARE_ZIPF  # 3.0: below it a capitalised word is name-like (pii_names)
# a plural's singular at least this common: of Faker's 28,811 given names and surnames (40 locales) not in the
# census lists, 48 end like a plural of a word of Zipf >= 3; this, and no two-letter stems or given names, leaves 30
# (English words but for Mats, Dries, Arenas, Alas: Bones, Parts, Suits...), no longer Lukas ("luka" 3.2), Abbas
# ("abba" 3.2), Georges, Jens, Toms, Das. They are dropped only opening a sentence, before a verb not of saying.
PLURAL_STEM_ZIPF = 3.5
_SPACY = "SpacyRecognizer"
# what may stand before a word that opens a line or a list item ("- ", "* ", "1. ", "2) ")
_OPENING = re.compile(r"(?:^|\n)[ \t]*(?:(?:[-*\u2022]|\d{1,3}[.)])[ \t]+)?$")
# what follows an instruction's verb
_OBJECT = re.compile(r"[ \t]+(?:a|an|the|some|it|them|this|that|your|all|each|one|two|half)\b")
# what may stand before a word that opens a sentence: the start of the text or of a line (a list marker, a quote),
# or the end of a sentence (group 1: the word the full stop ends, which may be an honorific or an initial instead)
_SENTENCE_START = re.compile(r"(?:^|\n)[ \t]*(?:(?:[-*\u2022]|\d{1,3}[.)])[ \t]+)?[\"'\u201c\u2018(]?$|"
                             r"(\S*)[.!?][\"'\u201d\u2019)]*[ \t]+[\"'\u201c\u2018(]?$")
_NEXT_WORD = re.compile(r"[ \t]+([a-z][a-z'\u2019]*)\b")
_SAYING = frozenset(SAYING)
# a lower-case word after a determiner or a preposition of things ("the gzip format", "the rules of bocce"): a word,
# not a name. Not after "and", "or", "with", "for": a name written small goes there ("me and zanele", "out with
# okonkwo"). The word is read in a lookahead, so "of the library" yields "the" and "library".
_WORD_AFTER = re.compile(r"\b(?i:a|an|the|this|that|these|those|some|any|no|its|their|our|your|of|in|on|using|use|"
                         r"via|into)[ \t]+(?=[\"'\u201c\u2018]?([a-z][a-z\-]*)\b(?![@.]\w))")
_HONORIFIC_BEFORE = re.compile(rf"\b(?:{'|'.join(HONORIFICS)})\.?[ \t]+$")
# a contact field's label before its colon ("Telefon: 0477 352 947", "Tel.: ..."), in the languages of the phone
# regions the stage knows: spaCy reads the German, Danish, Swedish... word as a person
_LABELS = frozenset("""tel tlf tfn phone telephone telefon telefone telefono teléfono téléphone tél fax mobile mobil
handy cell cellphone email e-mail mail""".split())
_LABEL_COLON = re.compile(r"\.?[ \t]*:")
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
            if low in _LABELS and _LABEL_COLON.match(text, r.end):
                continue  # a field's label, not a person: "Telefon: ..."
            if word.isalpha() and low not in given and (
                    low not in surnames and word.islower() and _zipf(low) >= LOWER_WORD_ZIPF
                    # a surname too: "2. Cook the prawns", "Brown the onions" are steps, not people
                    or _zipf(low) >= OPENING_WORD_ZIPF and _OBJECT.match(text, r.end) is not None
                    and _OPENING.search(text, max(0, text.rfind("\n", 0, r.start)), r.start) is not None
                    or low not in surnames and word[0].isupper() and _plural_noun(low)
                    and _opens_sentence(text, r.start) and _before_a_verb(text, r.end)):
                continue
        out.append(r)
    return out


def _plural_noun(low: str) -> bool:
    """The plural of an English noun: a word whose singular ("school", "city", "church") is a common word of three
    letters or more and no given name ("Georges", "Toms" are names)."""
    if not low.endswith("s") or low.endswith(("ss", "us", "is")) or _zipf(low) < OPENING_WORD_ZIPF:
        return False
    singulars = [low[:-1]]
    if low.endswith(("ches", "shes", "sses", "xes", "zes", "oes")):
        singulars.append(low[:-2])
    if low.endswith("ies"):
        singulars.append(low[:-3] + "y")
    given = census_names()[0]
    return any(len(w) >= 3 and _zipf(w) >= PLURAL_STEM_ZIPF and w not in given for w in singulars)


def _opens_sentence(text: str, start: int) -> bool:
    """Whether the word at ``start`` opens the text, a line or a sentence (not after "Mr." or an initial "J.")."""
    m = _SENTENCE_START.search(text, max(0, start - 40), start)
    if m is None:
        return False
    before = m.group(1)
    return before is None or not (before in HONORIFICS or len(before) == 1 and before.isupper())


def _before_a_verb(text: str, end: int) -> bool:
    """Whether a lower-case word that is no verb of saying follows ("Schools reopened", not "Sparrows said")."""
    m = _NEXT_WORD.match(text, end)
    return m is not None and m.group(1) not in _SAYING


def without_words_written_small(text: str, results: list) -> list:
    """``results`` without the one-word spaCy persons and places that the same text writes in lower case after a
    determiner or a preposition of things, as a word: "We tested Gzip" next to "the gzip format", "We played Bocce"
    next to "the rules of bocce".

    Census names stay ("Cook", "Ginger" are names too), and so does a word after an honorific ("Mr. Pebble"). A
    name written small in chat ("I told zanele", "me and zanele") is not after a determiner.
    """
    given, surnames = census_names()
    small: set[str] | None = None
    out = []
    for r in results:
        if r.entity_type in ("PERSON", "LOCATION") and (r.recognition_metadata or {}).get("recognizer_name") == _SPACY:
            word = text[r.start:r.end]
            low = word.lower()
            if word.isalpha() and word[0].isupper() and not word.isupper() and low not in given and (
                    low not in surnames) and low not in WORD_LIKE_NAMES:
                if small is None:
                    small = {m.group(1) for m in _WORD_AFTER.finditer(text)}
                if low in small and _HONORIFIC_BEFORE.search(text, max(0, r.start - 20), r.start) is None and (
                        r.entity_type == "PERSON" or _zipf(low) < OPENING_WORD_ZIPF):
                    continue
        out.append(r)
    return out


def without_uri_schemes(text: str, results: list) -> list:
    """``results`` without the spaCy spans (a person, a place) that are a URI scheme: ``mailto`` in
    ``mailto:jane@example.org`` was redacted as ``<PERSON>``."""
    return [r for r in results if not (
        (r.recognition_metadata or {}).get("recognizer_name") == _SPACY
        and (m := _SCHEME.match(text, r.start)) is not None and m.end() == r.end + 1)]
