"""Person names the small spaCy model misses: census name lists, honorifics, and context words.

``en_core_web_sm`` finds a name it has seen in a context it knows; it misses many plain "First Last" pairs in short
or unusual sentences. This recognizer adds these rules (profile ``ner`` only, alongside spaCy's results):

* an honorific and one or two capitalised words: ``Dr. Okafor``, ``Mrs Lindqvist`` (the name, not the title);
* a given name from the 1990 US census lists and a capitalised surname (census surname or a rare word),
  optionally with a middle name or initial: ``Maria Kowalczyk``, ``James T. Whitfield``;
* a capitalised surname from the census list after a rare capitalised word: ``Jiri Novak``-like pairs whose
  surname is known;
* a lone census given name, or two or three capitalised words none of which is a common English word, are weak:
  only a context word before them (``name``, ``dear``, ``thanks``...) makes them a finding. Everyday words opening
  the run are left out first ("Thanks Marta", "Dear Benoit Blot"). Two or three such words that are rare even for
  names of things (Zipf < 2.5) are strong after a word introducing a person ("Interview with Wuraola Soyinka",
  "From: Raik Zirme") or with Latin letters beyond ASCII ("Solvita Skujiņa"), unless spaCy calls them a place or
  an organisation; rare ones (Zipf < 3) before a verb of speech ("Marek Randoja wrote:");
* a census given name before any census surname ("Elizabeth Long"), a given name that is also a word before an
  uncommon surname ("Crystal Harris"), and "Surname, Given" alone on its line or after a label ("Dekker, Hugo"), by
  the lists or both very rare words ("Hanžek, Ružena");
* two lower-case words, a census given name and a census surname that is not a common word ("tammy baldwin");
* after a greeting ("hi", "thanks", "good morning", "ask", "my friend", "happy birthday", "love you", "proud of"...):
  a lower-case given name and surname ("hi njabulo,", "ask lola mercks"), two lower-case words no dictionary knows
  or rare ones with letters beyond ASCII ("ask dorottya illés"), a capitalised word that is no everyday word or is
  a given name that is also one (``WORD_LIKE_NAMES``) ending the phrase ("Thanks Barna!", "Dear Grace,") or a
  census given name or a rare word ("so proud of Benjamin today"), and the
  full name they begin ("Congrats María Ríos!");
* by the words around them (``pii_name_cues``): a verb of saying, "and I", "my name is", names in capitals.

``pii_person_spans.join_person_spans`` tidies the spans afterwards (cut at a digit or line break, merged, grown).

The name lists are the US Census Bureau's 1990 frequency files (public domain) as shipped by the ``names`` package
(MIT), with given names of other countries from Faker's locale providers (``data/names/given_intl.txt``, MIT;
only those rarer than Zipf 3); "common English word" is wordfreq's Zipf frequency. Given names that are
everyday words (``Will``, ``May``, ``Grace``) and words that end organisation or place names (``Street``,
``University``) are excluded.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import regex
from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult

from tasks.detectors.table_cache import cached_word_sets, files_key, wordfreq_files

COMMON_ZIPF = 4.3  # wordfreq Zipf at or above which a capitalised word is taken for a word, not a name
VERY_COMMON_ZIPF = 5.0  # ... and above which even a census surname is (Young, White, Long)
RARE_ZIPF = 3.0  # below this a capitalised word is name-like even if no list has it
LOWER_SURNAME_ZIPF = 4.0  # a lower-case census surname rarer than this after a census given name: "tammy baldwin"
UNKNOWN_ZIPF = 2.5  # ... and below this one too rare for a product or a medical term ("Exxon Mobil", "Hemorrhage")
GIVEN_MIN_SHARE, SURNAME_MIN_SHARE = 0.01, 0.003  # % of the census a word-like name needs to stay in the lists
HONORIFICS = ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Professor", "Sir", "Dame", "Madam", "Mme", "Mlle",
              "Herr", "Frau", "Rev", "Fr", "Capt", "Captain", "Col", "Sgt", "Lt", "Judge", "Senator", "Sen", "Rep",
              "Gov", "Governor", "Mayor", "Officer", "Detective", "Nurse", "Coach", "Uncle", "Aunt", "Auntie")
WORD_LIKE_GIVEN = frozenset("""will may june april august mark bill rose grant hope joy faith grace art dean guy rich
young miles chase major king page sandy summer autumn dawn eve ivy lily holly ruby crystal amber pearl iris violet
jasmine daisy ray gene frank sterling price rod van del la le ma long case chance christian english hunter paris
jordan austin dallas houston florida georgia virginia carolina india asia china kay dell don sung ben lee sun
august june jewel star sky rain river stone wood say sale sales lane bay hall hill merry mon tue wed thu fri sat jan feb
mar apr jun jul aug sep sept oct nov dec""".split())
# ... of which these are given names first ("Crystal Harris", "Grant Ward"); the rest are places or words.
NAME_FIRST_WORDS = WORD_LIKE_GIVEN - frozenset("""paris jordan austin dallas houston florida georgia virginia
carolina india asia china say sale sales lane bay hall hill van del la le ma long case chance english christian king
major young price page wood stone river star sky rain sun sung don kay dell summer autumn may june april august
sterling jewel merry""".split())  # "Merry Christmas": Christmas is a census surname
# ... and of these, the names (not a calendar's abbreviations): after a greeting, ending the phrase ("Dear Grace,",
# "Thanks Will!") or before a verb of saying ("Grace said"), they name a person
WORD_LIKE_NAMES = NAME_FIRST_WORDS - frozenset("mon tue wed thu fri sat jan feb mar apr jun jul aug sep sept oct nov "
                                               "dec".split())
PLACE_OR_ORG = frozenset("""street st avenue ave road rd boulevard blvd lane drive way court place square park
river lake mountain mount valley county city town village island islands bay beach hill hills heights center
centre university college school academy institute hospital clinic church cathedral chapel museum library
foundation fund trust company co corp corporation inc ltd llc group bank capital partners associates press
times post news journal review magazine award awards prize cup trophy stadium arena hall house tower building
bridge station airport peak grove canyon wilderness forest desert hotel restaurant cafe bar grill store shop
market mall theater theatre studio studios field fields blue
records productions pictures films media network channel radio tv day week month year festival fair show
league club team united fc city state states republic kingdom empire act law bill amendment treaty""".split())
INTL_GIVEN = Path(__file__).resolve().parents[2] / "data" / "names" / "given_intl.txt"
NAME_CUE = "name_cue"  # recognition metadata: found by the words around it (it outranks spaCy's place)
# presidio matches context words as substrings of the words before a result ("son" would match "Peterson"):
# no short words here.
CONTEXT = ["name", "named", "dear", "hello", "regards", "sincerely", "thanks", "thank", "signed", "contact",
           "wife", "husband", "daughter", "brother", "sister", "friend", "mother", "father", "patient", "client",
           "employee", "author", "person", "spoke", "married", "colleague"]

# A capitalised word: "Smith", "O'Brien", "Smith-Jones", "McKay"; a possessive "'s" is not part of it.
_WORD = r"\p{Lu}(?:\p{Ll}+(?:\p{Lu}\p{Ll}+)?|(?=['\u2019]\p{Lu}))(?:-\p{Lu}?\p{Ll}+|['\u2019](?!s\b)\p{Lu}?\p{Ll}+)*"
PARTICLES = ("van", "von", "de", "da", "das", "do", "dos", "del", "della", "di", "du", "der", "den", "ter", "bin",
             "ibn", "al", "el", "la", "le")
_PART = rf"(?:(?:{'|'.join(PARTICLES)})[ \t]+)"
# ... and a run of them, initials with a dot or, between two words, without one ("Karin C Falk")
_CAPITALISED = regex.compile(rf"(?<![\p{{L}}\d@#/._\-])(?:{_WORD}|\p{{Lu}}\.)(?:[ \t]+{_PART}?(?:{_WORD}|\p{{Lu}}\.|"
                             rf"\p{{Lu}}(?=[ \t]+\p{{Lu}}\p{{Ll}})))*(?![\p{{L}}\d])")
_RUN_WORD = regex.compile(rf"{_PART}?\S+")
# Words that open a greeting or hand a turn to someone, before a name: "hi njabulo", "Thanks Barna", "with Soyinka".
GREETINGS = ("hi", "hey", "hello", "dear", "thanks", "thank you", "thx", "ty", "good morning", "good evening",
             "good night", "goodnight", "bye",
             "congrats", "congratulations", "cheers", "welcome", "lol", "ask", "tell", "cc", "my friend",
             "happy birthday", "happy bday", "hbd", "love you", "miss you", "proud of", "met", "married", "dating",
             "ask for", "speak to", "talk to", "omg")
INTRODUCERS = ("by", "with", "and", "met", "from:", "to:", "cc:", "thanks", "dear", "hi", "hey", "hello", "ask",
               "tell", "forward this to", "interview with", "assigned to:", "meet", "watching", "listening to",
               "omg", "letter from", "message from", "email from", "call from", "married", "proud of", "love",
               "said", "says", "wrote", "asked", "told", "according to")
_LONGEST_FIRST = sorted(GREETINGS, key=len, reverse=True)  # "ask for" is tried before "ask"
# Found on the lower-cased text with the standard ``re`` (a case-insensitive alternation costs twice as much), then
# the name after it with ``regex`` on the text itself.
_GREETING = re.compile(rf"(?<![^\W\d_])(?<!')(?:{'|'.join(g.replace(' ', '[ ]') for g in _LONGEST_FIRST)})[ \t,]+")
_GREETING_ANY_CASE = re.compile(_GREETING.pattern, re.IGNORECASE)
_GREETED = regex.compile(rf"(\p{{Ll}}{{3,}})(?:[ \t]+(\p{{Ll}}{{3,}}))?(?![\p{{L}}\d@#])"
                         rf"|({_WORD})(?![\p{{L}}\d@#])")
_LATIN = regex.compile(r"[\p{Latin}'\u2019\-]+")
_PHRASE_END = regex.compile(r"[ \t]*(?:[,.!?:;)\n]|$)")
_VERBS = ("met", "married", "dating")  # greetings that are verbs: a comma ends their clause ("is met, Mewtwo")
_NAME_GOES_ON = regex.compile(rf"[ \t]+(?:{_PART}|\p{{Lu}})")  # "Ask Nick van Formbach": the run rules read it
_SPOKE = re.compile(r"[ \t]+(?:wrote|writes|said|says|replied|asked|commented|told|tells|added|explained|confirmed|"
                    r"tweeted|posted|announced|answered|admitted|insisted|warned|claimed|stated|noted)\b")
_INTRODUCER = regex.compile(rf"(?<![\p{{L}}])(?i:{'|'.join(INTRODUCERS)})[ \t]+$")
# "Dekker, Hugo" alone on its line or after a label ("Applicant: Dekker, Hugo"): surname, comma, given name.
# Two lower-case words, the first a candidate given name (a lookahead, so every pair is seen): "richard burr".
_LOWER_PAIR = re.compile(r"(?<![^\W\d_])([a-z]{3,})(?= ([a-z]{3,})(?![^\W\d_]))")
_INVERTED_LINE = re.compile(r"^[^\n,]+,[ \t]+[^\W\d_][^\n,]*$", re.MULTILINE)  # what _INVERTED needs, in ``re``
_INVERTED = regex.compile(rf"^[ \t]*(?:[\p{{L}} ]{{1,24}}:[ \t]*)?({_WORD}),[ \t]+({_WORD})[ \t]*$", regex.MULTILINE)
_HONORIFIC = regex.compile(rf"(?<![\p{{L}}])(?:{'|'.join(HONORIFICS)})\.?[ \t]+({_WORD}(?:[ \t]+{_WORD})?)")
# ... or one written in lower case with its dot ("ms. Ignacy", "dr. Okafor": chat and forms); a regex of its own, as
# a case-insensitive part makes the one above five times slower
_LOWER_HONORIFIC = regex.compile(rf"(?<![\p{{L}}])(?:mr|mrs|ms|dr|prof)\.[ \t]+({_WORD}(?:[ \t]+{_WORD})?)")


@cache
def census_names() -> tuple[frozenset[str], frozenset[str]]:
    """(given names, surnames), lower-cased, from the ``names`` package's census files; the given names also take
    ``international_given_names()``.

    The files list every name reported, so they hold everyday words too ("In" and "See" as given names, "Stock" as
    a surname): a name that is a common English word is kept only if it is frequent as a name. That test asks
    wordfreq about 100,000 names (1.5-2 s per worker process), so the lists are kept in the disk cache
    (tasks/detectors/table_cache.py), keyed by this module's code and every file they are read from.
    """
    import names

    folder = Path(names.__file__).parent
    sources = [Path(__file__), INTL_GIVEN, *wordfreq_files(),
               *(folder / f for f in ("dist.male.first", "dist.female.first", "dist.all.last"))]
    return cached_word_sets("pii-name-lists", files_key(sources), lambda: _census_names(folder))  # type: ignore


def _census_names(folder: Path) -> tuple[frozenset[str], frozenset[str]]:
    """``census_names`` computed from the files in ``folder``."""

    def read(files: tuple[str, ...], min_share: float, word_zipf: float) -> frozenset[str]:
        out = set()
        for f in files:
            for line in (folder / f).read_text().splitlines():
                name, share = line.split()[:2] if line.strip() else ("", "0")
                if name and (float(share) >= min_share or _zipf(name.lower()) < word_zipf):
                    out.add(name.lower())
        return frozenset(out)

    given = read(("dist.male.first", "dist.female.first"), GIVEN_MIN_SHARE, COMMON_ZIPF) - WORD_LIKE_GIVEN
    return given | international_given_names(), read(("dist.all.last",), SURNAME_MIN_SHARE, RARE_ZIPF)


@cache
def international_given_names() -> frozenset[str]:
    """Given names of many countries (``data/names/given_intl.txt``, from Faker's person providers), lower-cased.

    The list carries no frequencies, so no name that is a word is kept: only names of three letters or more rarer
    than Zipf ``RARE_ZIPF`` in English ("leszek", "solveig", "rené"; not "corona", "aspen", "bitten"), and none of
    the word-like given names or place and organisation words.
    """
    out = set()
    for line in INTL_GIVEN.read_text(encoding="utf-8").splitlines():
        name = line.strip()
        if name and not name.startswith("#") and len(name) >= 3 and _zipf(name) < RARE_ZIPF:
            out.add(name)
    return frozenset(out) - WORD_LIKE_GIVEN - PLACE_OR_ORG


@cache
def _zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en")


def is_everyday_word(word: str) -> bool:
    """Whether a capitalised word is taken for a word, not a name (Zipf >= ``COMMON_ZIPF``; "Thanks", "Street")."""
    return _zipf(word.lower().strip("'\u2019-")) >= COMMON_ZIPF


def name_shaped(words: list[str]) -> bool:
    """Two or three words, none an everyday word, an initial ("J.") or a place or organisation word; the middle one
    of three may be an initial ("Jasmijn J Mol", "Onofre P. Gual")."""
    if len(words) == 3 and _initial(words[1]):
        words = [words[0], words[2]]
    return 2 <= len(words) <= 3 and not any(
        is_everyday_word(w) or w.endswith(".") or w.lower() in PLACE_OR_ORG for w in words)


class NameListRecognizer(EntityRecognizer):
    """PERSON from census name lists and honorifics (see the module docstring for the rules and their scores)."""

    STRONG, WEAK = 0.6, 0.3

    def __init__(self, context: list[str] | None = None, **kwargs):
        super().__init__(supported_entities=["PERSON"], supported_language="en", context=context or list(CONTEXT),
                         name="NameListRecognizer", **kwargs)

    def load(self) -> None:
        """Read the census lists (once per process) and warm wordfreq."""
        self.given, self.surnames = census_names()
        _zipf("the")

    def may_match(self, text: str) -> bool:
        """Every rule needs an upper-case letter followed by a lower-case one."""
        return regex.search(r"\p{Lu}\p{Ll}", text) is not None

    def may_match_views(self, views) -> bool:
        """``may_match(views.text)`` (the cheaper views do not help here)."""
        return self.may_match(views.text)

    def analyze(self, text, entities, nlp_artifacts=None):  # noqa: D102 - presidio's signature
        found: dict[tuple[int, int], float] = {}
        for m in (*_HONORIFIC.finditer(text), *_LOWER_HONORIFIC.finditer(text)):
            if not self._is_word(m.group(1).split()[-1]):
                found[m.span(1)] = self.STRONG
        others = tuple((e.start_char, e.end_char) for e in getattr(nlp_artifacts, "entities", None) or ()
                       if e.label_ not in ("PERSON", "PER"))  # spaCy's places and organisations
        for m in _CAPITALISED.finditer(text):
            self._names_in_run(m.group(), m.start(), found, text, others)
        for line in _INVERTED_LINE.finditer(text):
            m = _INVERTED.match(text, line.start(), line.end())
            if m is None:
                continue
            last, first = m.group(1), m.group(2)
            if (first.lower() in self.given and not self._is_word(last)) or (
                    last.lower() in self.surnames and _zipf(first.lower()) < RARE_ZIPF) or (
                    _zipf(first.lower()) < UNKNOWN_ZIPF and _zipf(last.lower()) < UNKNOWN_ZIPF):
                found[(m.start(1), m.end(2))] = self.STRONG
        given, surnames = self.given, self.surnames
        for m in _LOWER_PAIR.finditer(text):
            first, last = m.group(1), m.group(2)
            if (first in given and last in surnames and _zipf(last) < LOWER_SURNAME_ZIPF
                    and _zipf(first) < VERY_COMMON_ZIPF):
                found.setdefault((m.start(1), m.end(1) + 1 + len(last)), self.STRONG)
        lowered = text.lower()
        greetings = _GREETING.finditer(lowered) if len(lowered) == len(text) else _GREETING_ANY_CASE.finditer(text)
        before = set(found)
        for g in greetings:
            m = _GREETED.match(text, g.end())
            if m is not None and not ("," in g.group() and g.group().split()[0].strip(",").lower() in _VERBS):
                self._greeted(m, found)
        from tasks.detectors.pii_name_cues import cue_names  # (it imports this module)

        cues = cue_names(text, given, surnames, others)
        for span in cues:
            found[span] = max(found.get(span, 0.0), self.STRONG)
        # names by the words around them (a greeting, "and I"...) outrank spaCy's place for the same word
        cued = (set(found) - before) | set(cues)
        return [self._result(s, e, score, (s, e) in cued) for (s, e), score in found.items()]

    def _greeted(self, m, found: dict[tuple[int, int], float]) -> None:
        """A name right after a greeting (see the module docstring: "Thanks Barna!", "hi njabulo,")."""
        if m.group(3):
            # a capitalised word ending the phrase ("Thanks Barna!"), or a given name or rare word going on
            word = m.group(3)
            goes_on = _NAME_GOES_ON.match(m.string, m.end(3))
            if (word.lower() in self.given or _zipf(word.lower()) < RARE_ZIPF) and not goes_on or (
                    (not self._is_word(word) or word.lower() in WORD_LIKE_NAMES) and word.lower() not in PLACE_OR_ORG
                    and _PHRASE_END.match(m.string, m.end(3))):
                found[m.span(3)] = self.STRONG
            run = _CAPITALISED.match(m.string, m.start(3)) if goes_on else None
            words = run.group().split() if run else []
            if 2 <= len(words) <= 3 and name_shaped([w for w in words if w not in PARTICLES]) and (
                    word.lower() in self.given or any(not w.isascii() for w in words)
                    or all(_zipf(w.lower()) < RARE_ZIPF for w in words if w not in PARTICLES)):
                found[run.span()] = self.STRONG  # a full name after a greeting: "Congrats María Ríos!"
            return
        first, last, text = m.group(1), m.group(2), m.string
        if first not in self.given and last and all(_zipf(w) < 2.0 or not w.isascii() and _LATIN.fullmatch(w)
                                                    and _zipf(w) < UNKNOWN_ZIPF for w in (first, last)):
            # two lower-case words no dictionary knows, or rare ones with Latin letters beyond ASCII: a foreign
            # given name and surname ("ask dorottya illés", "my friend shaurya sachdeva")
            found.setdefault((m.start(1), m.end(2)), self.STRONG)
            return
        known = first in self.given
        if last and (last in self.surnames or _zipf(last) < 2.0) and not self._is_word(last):
            end = m.end(2)
        else:
            end = m.end(1)
        if not known and not (_zipf(first) < UNKNOWN_ZIPF and _PHRASE_END.match(text, end)):
            return  # an unknown lower-case word is a name only when it ends the phrase: "hi njabulo,"
        found.setdefault((m.start(1), end), self.STRONG)

    def _names_in_run(self, run: str, offset: int, found: dict[tuple[int, int], float], text: str = "",
                      others: tuple[tuple[int, int], ...] = ()) -> None:
        """Rules on one run of capitalised words: the longest name-like stretch starting at each word."""
        words = [(m.start() + offset, m.end() + offset, m.group().split()[-1]) for m in _RUN_WORD.finditer(run)]
        i = 0
        while i < len(words):
            end = self._name_at(words, i)
            if end > i:
                found.setdefault((words[i][0], words[end][1]), self.STRONG)
                i = end + 1
                continue
            i += 1
        # Weak rules on the run without its leading everyday words ("Thanks Marta", "Dear Benoit Blot": a
        # capitalised word opening the sentence is not part of the name).
        lead = 0
        while lead < len(words) - 1 and self._is_word(words[lead][2]) and words[lead][2].lower() not in self.given:
            lead += 1
        rest = words[lead:]
        s, e, w = rest[0]
        if len(rest) == 1 and w.lower() in self.given and not self._is_word(w):
            found.setdefault((s, e), self.WEAK)
        if name_shaped([w for _, _, w in rest]):
            span = (rest[0][0], rest[-1][1])
            # unknown names: a context word decides, or a word introducing a person right before them ("Photo by",
            # "with", "From:"), or letters beyond ASCII in a Latin-script name ("Solvita Skujiņa") - unless spaCy
            # calls the words a place or an organisation
            strong = lead == 0 and all(_zipf(w.lower()) < UNKNOWN_ZIPF for _, _, w in rest) and (
                _INTRODUCER.search(text, max(0, span[0] - 20), span[0]) is not None
                or any(not w.isascii() and _LATIN.fullmatch(w) for _, _, w in rest))
            # ... or a verb of speech right after them: "Marek Randoja wrote:", "Tiiu Lumi said"
            strong = strong or lead == 0 and all(_zipf(w.lower()) < RARE_ZIPF for _, _, w in rest) and (
                _SPOKE.match(text, span[1]) is not None)
            if strong and not any(a < span[1] and span[0] < b for a, b in others):
                found[span] = max(found.get(span, 0.0), self.STRONG)
            else:
                found.setdefault(span, self.WEAK)

    def _name_at(self, words: list[tuple[int, int, str]], i: int) -> int:
        """Index of the last word of a name starting at ``words[i]``, or ``i`` when none starts there."""
        first = words[i][2]
        if _initial(first) or first.lower() in PLACE_OR_ORG:
            return i
        j = i + 1
        if j + 1 < len(words) and (_initial(words[j][2]) or words[j][2].lower() in self.given):
            j += 1  # a middle initial (with or without its dot) or middle name
        if j >= len(words):
            return i
        last = words[j][2]
        if _initial(last) or last.lower() in PLACE_OR_ORG:
            return i
        if j + 1 < len(words) and words[j + 1][2].lower() in PLACE_OR_ORG:
            return i  # "Jackson Hewitt Street": a place named after someone
        given, surname = first.lower() in self.given, last.lower() in self.surnames
        surname_ok = surname and _zipf(last.lower()) < VERY_COMMON_ZIPF
        if given and (surname_ok or _zipf(last.lower()) < RARE_ZIPF):
            return j
        if given and surname and _zipf(first.lower()) < VERY_COMMON_ZIPF:
            return j  # a given name not among the commonest words vouches for any census surname: "Elizabeth Long"
        if first.lower() in NAME_FIRST_WORDS and surname_ok:
            return j  # a given name that is also a word, before a census surname: "Crystal Harris"
        if surname_ok and _zipf(first.lower()) < RARE_ZIPF:
            return j
        return i

    _is_word = staticmethod(is_everyday_word)

    def _result(self, start: int, end: int, score: float, cue: bool = False) -> RecognizerResult:
        return RecognizerResult(
            entity_type="PERSON", start=start, end=end, score=score,
            analysis_explanation=AnalysisExplanation(recognizer=self.name, original_score=score,
                                                     textual_explanation="census name list / honorific"),
            recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                                  RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id, NAME_CUE: cue},
        )


def _initial(word: str) -> bool:
    """An initial: "J." or a lone capital letter ("C" of "Karin C Falk")."""
    return word.endswith(".") or len(word) == 1
