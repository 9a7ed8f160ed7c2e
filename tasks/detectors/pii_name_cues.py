"""Names found by the words around them: a verb of saying after one word, "X and I", and names in capitals.

``pii_names`` needs two name-like words, or a context word, for a name it does not know from its lists. Chat and
posts name people by one word more often than not, and the words around it say it is a person:

* a census given name, a rare census surname or a given name that is also a word right before a verb of saying
  ("Mathias says hi!", "Sanchez said he would appeal", "Grace said"), unless spaCy calls the word a place or an
  organisation ("Reuters said");
* the items of a list that ends in "and I" / "& I", or the item after "me and" ("Aliyu, Shehu and I went",
  "me and Vera at the beach"): only a person goes with "I"; each item is one or two capitalised words, none an
  everyday, place or organisation word;
* a name in capitals ("I am FERNANDA GEIGER", "RUTH KOERBER FOR MAYOR"): two or three upper-case words whose
  first is a census given name and whose last is a census surname that is not an everyday word;
* the name after "my name is", "I'm", "this is", "call me" ("Hi, I'm Anders Engstrom"), "my kid", "my wife",
  "named him", "first name:", by the name lists or rare words, and the surname after "last name?", "maiden name
  is" (``intro_names``);
* two census given names joined by "and", and one before a possessive of a person's things ("Gregory's number");
* a census given name as a speaker's label opening a line ('Camilla: "Who"') or after "said" ('said Ivy to Telse');
* a given name alone on its line after a letter's sign-off ("Best regards,\nGrace": ``pii_sign_offs``);
* a census given name as a sentence's subject before a verb ("Sandra is very reliable", "Why is Antti so quiet?"),
  addressed before a request ("Sandra, can I speak to your boss?"), and the one-word items of a list of given names
  ("They had 3: Lauren, Atsushi and Ljubica": a census given name, the others given names or rare words)
  (``subject_names``).

Each returns spans; ``NameListRecognizer`` gives them its strong score.
"""

from __future__ import annotations

import re

import regex

from tasks.detectors.pii_names import (
    _WORD,
    PLACE_OR_ORG,
    RARE_ZIPF,
    UNKNOWN_ZIPF,
    VERY_COMMON_ZIPF,
    WORD_LIKE_GIVEN,
    WORD_LIKE_NAMES,
    _zipf,
    is_everyday_word,
)
from tasks.detectors.pii_sign_offs import sign_off_names

SAYING = ("said", "says", "say", "told", "tells", "wrote", "writes", "replied", "replies", "asked", "asks",
          "added", "adds", "explained", "confirmed", "tweeted", "posted", "announced", "commented", "answered",
          "admitted", "insisted", "warned", "claimed", "stated", "noted", "shouted", "yelled", "whispered",
          "screamed")
SURNAME_SAYING_ZIPF = 4.0  # a census surname before a verb of saying is a person below this ("Sanchez" 3.8)
# One capitalised word (not after a letter, a digit, "@" or "#": handles and tags are not names) before a verb of
# saying.
_ONE_WORD_SAYING = regex.compile(rf"(?<![\p{{L}}\d@#/._\-])({_WORD})[ \t]+(?:{'|'.join(SAYING)})\b")
# ... after a preposition of place the word is a place ("the town of Helena says", "a train to Copenhagen said")
_PLACE_BEFORE = regex.compile(r"(?<![\p{L}])(?i:in|to|of|from|at|near|across|into|around)[ \t]+$")
# "Art says a lot about us", "Hope tells us": a word that is also a name speaks in the present as a thing too
_PRESENT_SAYING = frozenset(("say", "says", "tells", "writes", "replies", "asks", "adds"))
_DETERMINER_BEFORE = regex.compile(r"(?<![\p{L}])(?i:the|a|an|this|that|its|our|their|new)[ \t]+$")
# a capitalised word on the same line right before: the word-like name ends a longer name ("JPMorgan Chase said"),
# which the general rules below judge, not this shortcut
_CAPITALISED_BEFORE = regex.compile(r"\p{Lu}\p{L}*[ \t]+$")
_ITEM = rf"{_WORD}(?:[ \t]+{_WORD})?"
# "Aliyu, Shehu and I", "Anna & I": a list of one- or two-word items closed by "and I" (I as a word, then a space
# or punctuation: not "World War I.").
_AND_I = regex.compile(rf"(?<![\p{{L}}\d@#])({_ITEM}(?:[ \t]*,[ \t]*{_ITEM})*)[ \t]*,?[ \t]+(?:and|&)[ \t]+I"
                       rf"(?=[ \t]+\p{{Ll}}|'m|\u2019m|[ \t]*[,!?])")
_ME_AND = regex.compile(rf"(?<![\p{{L}}])(?i:me)[ \t]+(?:and|&)[ \t]+({_ITEM})(?![\p{{L}}\d])")
# ... and the name of one's own people ("my kid Lucie", "my wife Olga"), of a child just named ("named him Adiel"), a
# first name asked for or given ("first name: Ana")
_KIN = ("kid|son|daughter|wife|husband|partner|friend|brother|sister|mom|mum|dad|mother|father|boss|colleague|cousin|"
        "uncle|aunt|niece|nephew|grandson|granddaughter|grandma|grandpa|boyfriend|girlfriend|fiance|fiancee|baby")
_INTRO = regex.compile(rf"(?<![\p{{L}}])(?i:my[ \t]+name[ \t]+is|my[ \t]+name's|name's|i'm|i\u2019m|i[ \t]+am|"
                       rf"this[ \t]+is|call[ \t]+me|it's[ \t]+me,?|"
                       rf"my[ \t]+(?:(?:little|older|younger|big|best|eldest|youngest)[ \t]+)?(?:{_KIN})|"
                       rf"named[ \t]+(?:him|her)|(?:first|given|full|middle)[ \t]?name(?:[ \t]+is|[ \t]*[:?]))"
                       rf"[ \t]+({_WORD}(?:[ \t]+{_WORD}){{0,2}})")
# A surname asked for or given ("last name? Pirnat", "her maiden name is Reynolds"): a census surname may open it.
_SURNAME_INTRO = regex.compile(rf"(?<![\p{{L}}])(?i:(?:last|maiden|family|sur)[ \t]?name(?:[ \t]+is|[ \t]*[:?]))"
                               rf"[ \t]+({_WORD}(?:-{_WORD})?)(?![\p{{L}}\d])")
_RUN_NAME_WORD = regex.compile(_WORD)
# A speaker's name opening a line before a colon ('Camilla: "Who are you?"', 'Anna: see you'), and a name after a
# verb of saying that ends the clause or goes on with "to" ('"Go," said Ivy.', 'said Ivy to Telse').
_SPEAKER = regex.compile(rf"^[ \t]*({_WORD})[ \t]*:(?=[ \t]*[\"\u201c]|[ \t]+\p{{L}})", regex.MULTILINE)
_SAID_NAME = regex.compile(rf"\b(?:said|says|asked|replied|shouted|yelled|whispered)[ \t]+(?:at[ \t]+)?({_WORD})"
                           rf"(?=[ \t]*[.,!?;:]|[ \t]+to\b|[ \t]*$)", regex.MULTILINE)
# ... and whom it was said to ('said Ivy to Telse', 'shouted at Ivy: "Go!"')
_SAID_TO = regex.compile(rf"\b(?:said|says|asked|replied|shouted|yelled|whispered)[ \t]+{_WORD}[ \t]+to[ \t]+"
                         rf"({_WORD})(?=[ \t]*[.,!?;:]|[ \t]*$)", regex.MULTILINE)
_PAIR = regex.compile(rf"(?<![\p{{L}}\d@#][ \t]?)(?<![\p{{L}}\d@#])({_WORD})[ \t]+(?:and|&)[ \t]+({_WORD})"
                      rf"(?![\p{{L}}\d])")
_PAIR_AFTER = regex.compile(rf"['\u2019]s\b|[ \t]+(?i:{'|'.join(sorted(PLACE_OR_ORG))})\b|[ \t]+\p{{Lu}}")
_OWNER = regex.compile(rf"(?<![\p{{L}}\d@#])({_WORD})['\u2019]s[ \t]+(?:(?:new|own|old|cell|mobile|phone|home|work|"
                       r"e-?mail)[ \t]+)?(?:number|phone|email|e-mail|address|birthday|mom|dad|mum|wife|husband|son|"
                       r"daughter|mother|father|brother|sister|boyfriend|girlfriend|friend|family|house|car|name|kid|kids|"
                       r"account)\b")
# Cheap ``re`` hints each match of the patterns above holds (``_windows``).
_SAYING_HINT = re.compile(rf"[ \t](?:{'|'.join(SAYING)})\b")
_AND_I_HINT = re.compile(r"(?:and|&)[ \t]+I\b")
_PAIR_HINT = re.compile(r"[ \t](?:and|&)[ \t]+[^\W\d_a-z]")
_OWNER_HINT = re.compile(r"['\u2019]s[ \t]+(?:\w+[ \t]+)?(?:number|phone|email|e-mail|address|birthday|mom|dad|mum|"
                         r"wife|husband|son|daughter|mother|father|brother|sister|boyfriend|girlfriend|friend|family|kids?|"
                         r"house|car|name|account)\b")
_CAPS = regex.compile(r"(?<![\p{L}\d@#])\p{Lu}{2,}(?:-\p{Lu}{2,})?(?:[ \t]+\p{Lu}{2,}(?:-\p{Lu}{2,})?)+"
                      r"(?![\p{L}\d])")
_CAPS_WORD = regex.compile(r"\p{Lu}{2,}(?:-\p{Lu}{2,})?")


def _windows(hint: re.Pattern[str], text: str, back: int, ahead: int) -> list[tuple[int, int]]:
    """Merged windows around the matches of a cheap ``re`` hint: the ``regex`` patterns below are run only there
    (each of their matches holds a hint's match; most texts have none)."""
    out: list[tuple[int, int]] = []
    for h in hint.finditer(text):
        start, end = max(0, h.start() - back), min(len(text), h.end() + ahead)
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def intro_names(text: str, given: frozenset[str], surnames: frozenset[str]) -> list[tuple[int, int]]:
    """The name a writer gives for themselves or a caller ("my name is", "I'm", "this is", "call me"), for their own
    people ("my kid Lucie"), a child ("named him Adiel") or a form's first name: the longest run of one to three
    capitalised words each a census given name or rare (Zipf < 3), or after the first a census surname that is not
    among the commonest words ("John Smith"; "I'm Sorry Dave", "this is Google" are none). A surname asked for or
    given ("last name? Pirnat", "maiden name is Reynolds"): one census surname not among the commonest words, or a
    rare word."""
    found = []
    for m in _INTRO.finditer(text):
        words = [(w.start(), w.end(), w.group()) for w in _RUN_NAME_WORD.finditer(m.group(1))]
        keep = 0
        for _, _, w in words:
            low = w.lower()
            if low in PLACE_OR_ORG or not (low in given and low not in WORD_LIKE_GIVEN or _zipf(low) < RARE_ZIPF or (
                    keep and low in surnames and _zipf(low) < VERY_COMMON_ZIPF)):
                break
            keep += 1
        if keep:
            found.append((m.start(1) + words[0][0], m.start(1) + words[keep - 1][1]))
    for m in _SURNAME_INTRO.finditer(text):
        low = m.group(1).lower()
        if low not in PLACE_OR_ORG and (low in surnames and _zipf(low) < VERY_COMMON_ZIPF or _zipf(low) < RARE_ZIPF):
            found.append(m.span(1))
    return found


def given_name_pairs(text: str, given: frozenset[str]) -> list[tuple[int, int]]:
    """Two census given names joined by "and" ("Erling and Karin got married"), and one before a possessive of a
    person's things ("Gregory's number is"); not before a place or organisation word ("Victoria and Albert
    Museum") or a possessive after the pair ("Ben & Jerry's")."""
    found = []
    for m in (m for a, b in _windows(_PAIR_HINT, text, 40, 40) for m in _PAIR.finditer(text, a, b)):
        words = (m.group(1), m.group(2))
        if all(w.lower() in given for w in words) and not _PAIR_AFTER.match(text, m.end()):
            found += [m.span(1), m.span(2)]
    for m in (m for a, b in _windows(_OWNER_HINT, text, 40, 0) for m in _OWNER.finditer(text, a, b)):
        if m.group(1).lower() in given:
            found.append(m.span(1))
    return found


def speaker_names(text: str, given: frozenset[str]) -> list[tuple[int, int]]:
    """A census given name that is no word as a speaker's label opening a line ('Camilla: "Who are you?"') or
    after a verb of saying that ends the clause ('"Go," said Ivy.', 'said Ivy to Telse')."""
    found = []
    for m in (*_SPEAKER.finditer(text), *_SAID_NAME.finditer(text), *_SAID_TO.finditer(text)):
        word = m.group(1)
        if word.lower() in given and word.lower() not in WORD_LIKE_GIVEN and not is_everyday_word(word):
            found.append(m.span(1))
        elif _unknown_name(word) and (m.re is not _SPEAKER or _QUOTED.match(text, m.end())):
            found.append(m.span(1))  # a word no list knows, before quoted words or after "said": 'Tejs:"I'm'
    return found


_QUOTED = regex.compile(r"[ \t]*[\"\u201c]")
_LATIN_WORD = regex.compile(r"[\p{Latin}'\u2019\-]+")


def _unknown_name(word: str) -> bool:
    """A capitalised word too rare for a word (Zipf < 2.5), or a rare one (Zipf < 3) in Latin letters beyond ASCII
    ("Snjófríður"), and no place or organisation word; no capital inside it but a "Mc"'s or after a hyphen."""
    low = word.lower()
    if not word.startswith(("Mc", "Mac")) and not all(p[1:].islower() for p in re.split(r"[-'\u2019]", word) if p):
        return False  # an inner capital is a brand's or a site's ("AppSpy"), not a name's
    return low not in PLACE_OR_ORG and (_zipf(low) < UNKNOWN_ZIPF or not word.isascii() and _zipf(low) < RARE_ZIPF
                                        and _LATIN_WORD.fullmatch(word) is not None)


# Verbs a person does or is, after a sentence's first word ("Sandra is very reliable", "Ingrid spent a year").
_SUBJECT_VERBS = ("is|was|has|had|will|would|can|could|should|did|does|went|spent|lives|lived|works|worked|loves|"
                  "loved|likes|liked|wants|wanted|thinks|thought|knows|knew|came|comes|moved|left|joined|began|"
                  "started|became|seems|seemed|looks|looked|needs|needed|called|calls|got|gets|took|made|won|"
                  "studied|grew|married|met|plays|played|sings|sang|feels|felt|isn't|wasn't|doesn't|didn't")
# A given name opening a sentence before a verb, or addressed before a request ("Sandra, can I...").
_ADDRESSED = r",[ \t]+(?:can|could|would|will|please|do|did|are|have|I|you)\b"
_SUBJECT = regex.compile(rf"(?:^|(?<=[.!?][\"\u201d']?[ \t]+))({_WORD})(?:[ \t]+(?:{_SUBJECT_VERBS})\b|"
                         rf"{_ADDRESSED})", regex.MULTILINE)
# ... or asked about ("Why is Antti so impulsive?", "Where was Maria yesterday?")
_ASKED_ABOUT = regex.compile(rf"\b(?:[Ww]hy|[Hh]ow|[Ww]here|[Ww]hen)[ \t]+(?:is|was|does|did|has|can|will|would)"
                             rf"[ \t]+({_WORD})[ \t]+\p{{Ll}}")
_SUBJECT_HINT = re.compile(rf"(?:^|[.!?][\"\u201d']?[ \t]+)[^\W\d_a-z]\w*(?:[ \t]+(?:{_SUBJECT_VERBS})\b|{_ADDRESSED})",
                           re.MULTILINE)
# (its own hint, written so that ``re`` skips ahead on the first letter: in one pattern with the above it costs 3x)
_ASKED_HINT = re.compile(r"[WwHh](?:hy|ow|here|hen)[ \t](?:is|was|does|did|has|can|will|would)[ \t]")
# A list of one-word items: "Lauren, Atsushi and Ljubica", "Anna, Olga, Petra & Eva".
_WORD_LIST = regex.compile(rf"(?<![\p{{L}}\d@#][ \t]?)(?<![\p{{L}}\d@#,])({_WORD}(?:[ \t]*,[ \t]*{_WORD})+),?[ \t]+"
                           rf"(?:and|&)[ \t]+({_WORD})(?![\p{{L}}\d]|[ \t]+\p{{Lu}}|['\u2019]s\b)")
_LIST_HINT = re.compile(r",[ \t]*[^\W\d_a-z]\w*[ \t]+(?:and|&)[ \t]+[^\W\d_a-z]")


def _plain_given(word: str, given: frozenset[str]) -> bool:
    """A census given name that is no everyday word and no word-like given name ("Sandra", not "Will", "May")."""
    low = word.lower()
    return low in given and low not in WORD_LIKE_GIVEN and low not in PLACE_OR_ORG and not is_everyday_word(word)


def subject_names(text: str, given: frozenset[str]) -> list[tuple[int, int]]:
    """A census given name (``_plain_given``) opening a sentence before a verb ("Sandra is very reliable"),
    addressed before a request ("Sandra, can I speak to your boss?") or asked about ("Why is Sandra so quiet?").
    (A rare word with letters beyond ASCII there is as often a place or a brand: "Malmö is", "Škoda has".)"""
    found = []
    subjects = (m for a, b in _windows(_SUBJECT_HINT, text, 0, 60) for m in _SUBJECT.finditer(text, a, b))
    asked = (m for a, b in _windows(_ASKED_HINT, text, 1, 60) for m in _ASKED_ABOUT.finditer(text, a, b))
    for m in (*subjects, *asked):
        if _plain_given(m.group(1), given):
            found.append(m.span(1))
    return found


# Two one-word names joined by "and" as a clause's subject: "Varga and Kotnik were precision engineers".
_SURNAME_PAIR = regex.compile(rf"(?<![\p{{L}}\d@#&][ \t]?)(?<![\p{{L}}\d@#&])({_WORD})[ \t]+and[ \t]+({_WORD})[ \t]+"
                              r"(?:were|are|have|had|both)\b")
_SURNAME_PAIR_HINT = re.compile(r"[ \t]and[ \t]+[^\W\d_a-z]\w*[ \t]+(?:were|are|have|had|both)\b")


def surname_pairs(text: str, surnames: frozenset[str]) -> list[tuple[int, int]]:
    """Two words joined by "and" before "were", "are", "have", "had" or "both", each a census surname rarer than
    Zipf 4 or a rare word (Zipf < 3) in Latin letters beyond ASCII, and neither an everyday, place or organisation
    word ("Varga and Kotnik were precision engineers"; not "Python and Django are", "Salt and Pepper were")."""
    found = []
    for m in (m for a, b in _windows(_SURNAME_PAIR_HINT, text, 40, 0) for m in _SURNAME_PAIR.finditer(text, a, b)):
        words = (m.group(1), m.group(2))
        if all(not is_everyday_word(w) and w.lower() not in PLACE_OR_ORG and (
                w.lower() in surnames and _zipf(w.lower()) < SURNAME_SAYING_ZIPF
                or not w.isascii() and _unknown_name(w)) for w in words):
            found += [m.span(1), m.span(2)]
    return found


def given_name_lists(text: str, given: frozenset[str]) -> list[tuple[int, int]]:
    """The items of a list of one-word items ("Lauren, Atsushi and Ljubica", "Kristina, Maria and Joseph") when one
    is a census given name that is no word (``_plain_given``) and each other one a census given name that is no
    word-like one ("Will") or a rare word (Zipf < 3), and none a place or organisation word."""
    found = []
    for m in (m for a, b in _windows(_LIST_HINT, text, 200, 40) for m in _WORD_LIST.finditer(text, a, b)):
        items = [(w.start(), w.end()) for w in _RUN_NAME_WORD.finditer(text, m.start(1), m.end(1))] + [m.span(2)]
        words = [text[s:e] for s, e in items]
        known = sum(_plain_given(w, given) for w in words)
        if known >= 1 and all(w.lower() not in PLACE_OR_ORG and (
                _zipf(w.lower()) < RARE_ZIPF or w.lower() in given and w.lower() not in WORD_LIKE_GIVEN)
                for w in words):
            found += items
    return found


def _person_word(word: str, given: frozenset[str]) -> bool:
    """A capitalised word that can be part of a name: a census given name that is no word ("John", "Tom"), or no
    everyday, place or organisation word."""
    low = word.lower()
    if low in PLACE_OR_ORG:
        return False
    return (low in given and low not in WORD_LIKE_GIVEN) or not is_everyday_word(word)


def saying_names(text: str, given: frozenset[str], surnames: frozenset[str]) -> list[tuple[int, int]]:
    """One-word names before a verb of saying: a census given name, a census surname rarer than Zipf 4, or a given
    name that is also a word before one in the past ("Grace said", "Will told"; not "Art says", "the Bill said")."""
    found = []
    matches = (m for a, b in _windows(_SAYING_HINT, text, 60, 0) for m in _ONE_WORD_SAYING.finditer(text, a, b))
    for m in matches:
        word = m.group(1)
        low = word.lower()
        if low in WORD_LIKE_NAMES and text[m.end(1):m.end()].split()[-1] not in _PRESENT_SAYING and not (
                _PLACE_BEFORE.search(text, max(0, m.start() - 8), m.start())
                or _DETERMINER_BEFORE.search(text, max(0, m.start() - 8), m.start())
                or _CAPITALISED_BEFORE.search(text, max(0, m.start() - 30), m.start())):
            found.append(m.span(1))
            continue
        if not _person_word(word, given) or _PLACE_BEFORE.search(text, max(0, m.start() - 8), m.start()):
            continue
        if (low in given and low not in WORD_LIKE_GIVEN) or (low in surnames and _zipf(low) < SURNAME_SAYING_ZIPF):
            found.append(m.span(1))
    return found


def and_i_names(text: str, given: frozenset[str]) -> list[tuple[int, int]]:
    """The items of a list closed by "and I", and the item after "me and" (``_person_word`` for each word)."""
    found = []
    if " I" in text:
        for m in (m for a, b in _windows(_AND_I_HINT, text, 200, 4) for m in _AND_I.finditer(text, a, b)):
            if _PLACE_BEFORE.search(text, max(0, m.start() - 8), m.start()):
                continue  # "a train in to Copenhagen, and I take the same route back"
            items = [(s.start() + m.start(1), s.end() + m.start(1)) for s in
                     regex.finditer(_ITEM, m.group(1))]
            for s, e in items:
                if all(_person_word(w, given) for w in text[s:e].split()):
                    found.append((s, e))
    if "me " in text.lower():
        for m in _ME_AND.finditer(text):
            if all(_person_word(w, given) for w in m.group(1).split()):
                found.append(m.span(1))
    return found


def capital_names(text: str, given: frozenset[str], surnames: frozenset[str]) -> list[tuple[int, int]]:
    """Two or three upper-case words: a census given name first and a census surname (no everyday word) last.

    A run of capitals is read from each word on, three words before two ("WILLIAM STALLINGS FOR MAYOR").
    """
    found = []
    for run in _CAPS.finditer(text):
        words = [(w.start(), w.end(), w.group()) for w in _CAPS_WORD.finditer(text, run.start(), run.end())]
        i = 0
        while i < len(words) - 1:
            for size in (3, 2):
                name = words[i:i + size]
                first, last = name[0][2].split("-")[0].lower(), name[-1][2].lower()
                if (len(name) == size and first in given and first not in WORD_LIKE_GIVEN and last in surnames
                        and _zipf(last) < RARE_ZIPF + 1 and not any(w.lower() in PLACE_OR_ORG for _, _, w in name)):
                    found.append((name[0][0], name[-1][1]))
                    i += size - 1
                    break
            i += 1
    return found


def cue_names(text: str, given: frozenset[str], surnames: frozenset[str],
              others: tuple[tuple[int, int], ...] = ()) -> list[tuple[int, int]]:
    """Every span of the three rules; a verb of saying or capitals not on spaCy's places and organisations
    (``others``)."""
    spans = saying_names(text, given, surnames) + capital_names(text, given, surnames) + intro_names(
        text, given, surnames) + speaker_names(text, given) + subject_names(text, given) + surname_pairs(
        text, surnames)
    # (a given name before a verb may be spaCy's place: "Savannah is a city in Georgia")
    spans = [(s, e) for s, e in spans if not any(a < e and s < b for a, b in others)]
    # (spaCy reads "Martin, Angelina and I" as places: "I" says people, and so do a pair or list of given names
    # and a given name signing a letter)
    return spans + and_i_names(text, given) + given_name_pairs(text, given) + given_name_lists(text, given) + (
        sign_off_names(text, given))


def without_places_under_cues(results: list) -> list:
    """The results without a LOCATION lying inside a PERSON found by the words around it (``NAME_CUE``)."""
    from tasks.detectors.pii_names import NAME_CUE

    cued = [(r.start, r.end) for r in results if r.entity_type == "PERSON" and (r.recognition_metadata or {}).get(
        NAME_CUE)]
    if not cued:
        return results
    return [r for r in results if r.entity_type != "LOCATION" or not any(s <= r.start and r.end <= e
                                                                         for s, e in cued)]


# Words spaCy's small model reads as a name's first word in chat ("Congrats Borys", "omg dawn lopez").
_LEADING = frozenset("""hi hey hello dear thanks thank thx congrats congratulations cheers welcome bye omg lol rt via cc
ask tell love miss happy yo ok okay wow yay good morning evening night""".split())
_FIRST_WORD = regex.compile(r"([\p{L}']+)[ \t,]+")


def without_leading_greetings(text: str, results: list) -> list:
    """PERSON results that open with a greeting or an interjection start after it ("Congrats Borys" -> "Borys");
    one left with a single everyday word that is no given name is dropped ("Good Reading")."""
    from tasks.detectors.pii_names import census_names

    out = []
    for r in results:
        trimmed = False
        while r.entity_type == "PERSON" and (m := _FIRST_WORD.match(text, r.start, r.end)) and (
                m.group(1).lower() in _LEADING and m.end() < r.end):
            r.start, trimmed = m.end(), True
        word = text[r.start:r.end]
        if trimmed and " " not in word and is_everyday_word(word) and word.lower() not in census_names()[0]:
            continue
        out.append(r)
    return out
