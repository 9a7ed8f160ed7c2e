"""Phone numbers by their written shape: the forms libphonenumber refuses, and the look-alikes that are not phones.

presidio's ``PhoneRecognizer`` (``pii_phones``) asks libphonenumber, region by region, for numbers that are *valid*
there: assigned area codes, the region's exact lengths. Written text holds more than that: North-American numbers
with extensions or ``001-``/``+1-`` prefixes, numbers of regions outside the configured list, and numbers whose area
code is not (or no longer, or not yet) assigned. A number that is redacted by mistake costs a few characters of
training text; a number that leaks costs a person's privacy, so the shapes below are matched without asking whether
the number is assigned, and each shape's score says how sure its form alone makes it (weak ones need a context
word, or a phone label opening the line: ``T``, ``M:``, ``Ph.``). Dates, year ranges and lists of years look like
grouped digits and are dropped, and so is a number right after an identifier's name (``ISBN``, ``ISSN``, ``UPC``,
``order``, ``invoice``, ``PMID``...).
"""

from __future__ import annotations

import re

import phonenumbers
from presidio_analyzer import Pattern, PatternRecognizer
from presidio_analyzer.predefined_recognizers import PhoneRecognizer

from tasks.detectors.pii_recognizers import PHONE_PUNCT, Prescreened, StdlibPatterns, TextViews

PHONE_CONTEXT = [*PhoneRecognizer.CONTEXT, "phone", "tel", "fax", "contact", "reach", "dial", "ring", "whatsapp",
                 "sms", "landline", "hotline", "helpline", "mob", "text", "message", "reservation", "booking",
                 "enquiries", "enquiry", "inquiries", "inquiry", "office", "touch", "customer", "desk", "reception",
                 "switchboard"]

DATE = re.compile(r"(?:0?[1-9]|[12]\d|3[01])[./\- ](?:0?[1-9]|1[0-2])[./\- ](?:19|20)\d\d|"
                  r"(?:19|20)\d\d[./\- ](?:0?[1-9]|1[0-2])[./\- ](?:0?[1-9]|[12]\d|3[01])|"
                  r"(?:0?[1-9]|1[0-2])[./\- ](?:0?[1-9]|[12]\d|3[01])[./\- ](?:19|20)\d\d")
YEAR_RANGE = re.compile(r"(?:1[5-9]|20)\d\d\s?[-/\u2013\u2014]\s?(?:(?:1[5-9]|20)\d\d|\d\d)")
_YEARS = re.compile(r"(?:1[5-9]|20)\d\d(?:[ .\-/]+(?:1[5-9]|20)\d\d)+")  # 1914 1918 1939
# Identifiers written like phone numbers, named right before them: "ISBN 0-306-40615-2", "ISSN 0317-8471".
_ID_WORD = re.compile(r"\b(?:ISBN(?:-1[03])?|ISSN|DOI|UPC|EAN(?:-13)?|GTIN|ISO|IEC|SKU|serial|S/N|patent|PMID|"
                      r"order|invoice|account|acct|ID|ref|reference|tracking|ticket|receipt|transaction|item|model)"
                      r"(?:\s*(?:no\.?|number|#))?\W{0,3}$", re.IGNORECASE)
_FLAGS = re.DOTALL | re.MULTILINE  # case matters nowhere but in extension words, which say so inline
_RUN = re.compile(rf"\d[\d{PHONE_PUNCT}]{{7,}}")
_EXTENSION = re.compile(r"\s?(?i:x|ext\.?|extension)\s?\d{1,5}$", re.IGNORECASE)
# A group may not start a "24/7", "9/11", "1/2" after the number: "call 01632 960594 24/7".
_NOT_A_FRACTION = r"(?![ ]\d{1,2}/\d)"
_PAIRS = re.compile(r"\d\d \d\d \d\d")
# A US SSN's 3-2-4 groups with one separator (372-84-5519): the grouped shapes leave them to presidio's SSN
# recognizer. With hyphens (ddd-dd-dddd, the form SSNs are printed in) no phone shape takes them: the trunk-0
# shape took the published sample SSNs (078-05-1120), which that recognizer refused, for phones. libphonenumber
# (pii_phones) still finds such a number where a region has it.
_SSN_SHAPE = r"\d{3}([ .\-])\d{2}\1\d{4}(?![\w]|[ .\-/,]\d)"
_SSN_HYPHENS = r"\d{3}-\d{2}-\d{4}(?![\w]|[ .\-/,]\d)"


# A one-letter or short label opening the line right before a number: "T 0165 4960", "M: 07700 900123".
_LINE_LABEL = re.compile(r"^[ \t]*(?:[TMPFHWCO]|Ph|Mob|Cell|Tlf|Tfn|Tel)\.?[ \t]*[:.]?[ \t]*\(?$", re.MULTILINE)
LABEL_SCORE = 0.5


def after_line_label(text: str, start: int) -> bool:
    """Whether the span starting at ``start`` follows a phone label opening its line (``T``, ``M:``, ``Ph.``)."""
    return _LINE_LABEL.search(text, max(0, start - 12), start) is not None


# A phone label right after the number that ends its line or clause: "0412 345 678 mobile", "84 23 30-Office",
# "02 9876 5432 (home)", "555 0143 fax,". It names the number as "Tel:" before it does; a word after the label
# ("1 234 567 office workers") makes it the start of a phrase instead.
_LABEL_AFTER = re.compile(r"[ \t]*[-\u2013/(\[]?[ \t]*(?i:tel|phone|telephone|mobile|mob|cell|cellphone|fax|office|"
                          r"home|work|landline|direct|desk|whatsapp|switchboard|reception)\.?[)\]]?"
                          r"(?=[ \t]*(?:$|[,;:/|\\)]))", re.MULTILINE)


def before_label(text: str, end: int) -> bool:
    """Whether the span ending at ``end`` is followed by a phone label that ends its line or clause."""
    return _LABEL_AFTER.match(text, end) is not None


def labelled(text: str, start: int, end: int) -> bool:
    """A phone label opening the line before the span, or ending the line or clause right after it."""
    return after_line_label(text, start) or before_label(text, end)


def in_contact_block(text: str, start: int, end: int) -> bool:
    """Whether the span is a line of its own next to a line holding an e-mail address (a signature or contact
    block: name, company, number, address on consecutive lines)."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    if text[line_start:start].strip() or text[end:line_end].strip(" \t.,;"):
        return False
    before = text.rfind("\n", 0, max(0, line_start - 1)) + 1
    after = text.find("\n", line_end + 1)
    return "@" in text[before:line_start] or "@" in text[line_end:len(text) if after < 0 else after]


# An extension right after a found number: " ext. 5206", " x 311", ", extension 12" (a number, not a letter after it).
_EXT_DIGITS = r"[ \t]?(?:no\.?[ \t]?)?\d{1,5}(?![\w]|[.\-/,]\d)"
_EXTENSION_AFTER = re.compile(rf",?[ \t]?(?i:x|ext\.?|extn\.?|extension){_EXT_DIGITS}")
_EXTENSION_WORD_AFTER = re.compile(rf",?[ \t]?(?i:ext\.?|extn\.?|extension){_EXT_DIGITS}")  # no bare "x"


def with_extensions(text: str, results: list) -> list:
    """PHONE_NUMBER results grown over an extension written right after them (``9212 3377 Ext. 5206``).

    The shapes that read ``x363`` themselves stop at a known separator; libphonenumber and the grouped shapes end at
    the last digit group, which leaves the extension (a gold span holds it) outside and the match below half the
    number's length. Other results are untouched; a result already holding an extension does not grow again. An
    unbalanced parenthesis at either end of a number is left out.
    """
    for r in results:
        if r.entity_type == "PHONE_NUMBER":
            m = _EXTENSION_AFTER.match(text, r.end)
            if m is not None and not _EXTENSION.search(text, r.start, r.end):
                r.end = m.end()
            # a parenthesis of the sentence caught at either end ("(tel. +44 20 7946 0958)") is not the number's
            value = text[r.start:r.end]
            if value.endswith(")") and value.count(")") > value.count("("):
                r.end -= 1
            elif value.startswith("(") and value.count("(") > value.count(")"):
                r.start += 1
    return results


# Identifiers with their own recognizer and check (a Luhn-valid card, a dotted quad, an SSN's shape and ranges, an
# IBAN's checksum): a number one of them claims as a whole, at least as surely, is that identifier, not a phone.
_CLAIMING = frozenset({"IP_ADDRESS", "US_SSN", "CREDIT_CARD", "IBAN_CODE", "EMAIL_ADDRESS", "CRYPTO"})
# ... except a dotted quad named by a phone word within the five words before it, and by no network word
# ("my cell is 22.50.16.10", a number of Chad written with dots). "number" is not one: "IP number".
_PHONE_WORD_BEFORE = re.compile(
    rf"\b(?:{'|'.join(w for w in PHONE_CONTEXT if w != 'number')})\w*\W+(?:\w+\W+){{0,4}}$", re.IGNORECASE)
_NETWORK_WORD = re.compile(r"\b(?:ip|ipv4|address|server|host|gateway|subnet|dns|ping|router|proxy)\b", re.IGNORECASE)


def _named_phone(text: str, result) -> bool:
    before = text[max(0, result.start - 60):result.start]
    return _PHONE_WORD_BEFORE.search(before) is not None and _NETWORK_WORD.search(before) is None


_SSN_PRINTED = re.compile(_SSN_HYPHENS)


def printed_ssn_unnamed(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is a number printed as an SSN (ddd-dd-dddd) that no phone word among the five
    words before it (``number`` is none: "my number is"), no phone label (``labelled``) names and that is no line of
    a contact block (``in_contact_block``).

    libphonenumber reads some of them as valid numbers (078-05-1120 is one of Germany's, area code 07805), but no
    country writes its phone numbers with hyphens after the third and the fifth digit: such a number is an SSN,
    which ``SieveSsnRecognizer`` judges (a published sample one alone stays text).
    """
    return (_SSN_PRINTED.fullmatch(text, start, end) is not None
            and _PHONE_WORD_BEFORE.search(text[max(0, start - 60):start]) is None and not labelled(text, start, end)
            and not in_contact_block(text, start, end))


def without_claimed_numbers(text: str, results: list) -> list:
    """``results`` without the PHONE_NUMBER results lying within an identifier's result (``_CLAIMING``) that
    scores at least as high.

    libphonenumber reads ``716-61-6564`` (an SSN) or ``74.155.134.89`` (an IP address) as valid numbers of some
    region; the identifier's own recognizer, with its check and context words, is the better judge. A dotted quad
    a phone word names is left a phone (``_named_phone``); a number holding an SSN-shaped part
    (``+591 800 17 1286``) is not within it.
    """
    claims = [r for r in results if r.entity_type in _CLAIMING]
    if not claims:
        return results
    return [r for r in results if r.entity_type != "PHONE_NUMBER" or not any(
        c.start <= r.start and r.end <= c.end and c.score >= r.score
        and not (c.entity_type == "IP_ADDRESS" and _named_phone(text, r)) for c in claims)]


def after_id_word(text: str, start: int) -> bool:
    """Whether the span starting at ``start`` follows an identifier's name (``ISBN``, ``ISSN``, ``UPC``, ``serial``)."""
    return _ID_WORD.search(text, max(0, start - 24), start) is not None


class NotAnId:
    """Mixin for pattern recognizers: drop results that follow an identifier's name (``after_id_word``); a result
    after a phone label opening its line (``after_line_label``), alone on a line next to an e-mail address
    (``in_contact_block``), before a label ending its line (``before_label``: "... office", "...-Fax") or
    before an extension word (``ext. 12``: only phone numbers have extensions; a bare
    ``x`` is left out, "1920 1080 x 1200" are sizes) scores at least ``LABEL_SCORE``."""

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):  # noqa: D102 - presidio's signature
        found = super().analyze(text, entities, nlp_artifacts)  # type: ignore[misc]
        found = [r for r in found if not after_id_word(text, r.start)]
        for r in found:
            if r.score < LABEL_SCORE and (labelled(text, r.start, r.end) or in_contact_block(text, r.start, r.end)
                                          or _EXTENSION_WORD_AFTER.match(text, r.end)):
                r.score = LABEL_SCORE
        return found


class NanpPhoneRecognizer(NotAnId, Prescreened, StdlibPatterns, PatternRecognizer):
    """North-American-style numbers libphonenumber rejects: ``296-219-0362x363``, ``001-...``, ``+1-...``.

    libphonenumber refuses a letter glued to the digits (``x363``), the ``001`` exit code under region US and area
    codes that are not assigned; a written 3-3-4 number with separators is still a phone number to redact, and ten
    bare digits shaped like one (area code and exchange starting 2-9, optionally after a 1) are one unless an
    identifier's name (``order``, ``invoice``, ``ISBN``...) comes right before them.
    """

    PRESCREEN = re.compile(r"\d{3}\)?[-.\s]?\d{3}[-. ]?\d{4}")
    VIEW = "digits"
    PATTERNS = [
        Pattern(
            "NANP with separators (medium)",
            r"(?<![\w+.\-])(?:(?:\+1|001|1)[-. ])?(?:\(\d{3}\)\s?|\d{3}[-. ])\d{3}[-. ]\d{4}"
            r"(?:\s?(?i:x|ext\.?|extension)\s?\d{1,5})?(?!\w|[.\-]\d)",
            0.5,
        ),
        # Ten bare digits shaped like a NANP number (area code and exchange 2-9): a finding unless an id's name is
        # right before (``after_id_word``: "order", "invoice", "ISBN"...); on web text such runs are phones.
        Pattern("NANP, ten digits (medium)", r"(?<![\w+.\-])1?[2-9]\d{2}[2-9]\d{6}(?!\w|[.\-]\d)", 0.4),
    ]

    def __init__(self, context: list[str] | None = None, **kwargs):
        super().__init__(supported_entity="PHONE_NUMBER", patterns=list(self.PATTERNS),
                         context=context or list(PHONE_CONTEXT), global_regex_flags=_FLAGS, **kwargs)

    def invalidate_result(self, pattern_text: str) -> bool:
        """Ten copies of one digit, or mixed separators inside the 3-3-4 groups, are not a written number."""
        digits = re.sub(r"\D", "", pattern_text.split("x")[0].split("ext")[0])[-10:]
        core = re.sub(r"^(?:\+1|001|1)[-. ]", "", pattern_text)
        seps = set(re.findall(r"\d([-. ])\d", core[:14]))
        return len(set(digits)) == 1 or len(seps) > 1


class GroupedPhoneRecognizer(NotAnId, Prescreened, StdlibPatterns, PatternRecognizer):
    """Phone numbers by their written shape, for any country, whether or not libphonenumber knows them valid.

    * ``+`` and a country code (or ``+(370)``), then 7-14 more digits in groups (``+44 1632 960497``,
      ``+49 (0) 30 901820``, ``+61.8.0658.9481``): medium, kept if libphonenumber finds the length possible for
      that country, or the country code exists and the rest has 7-13 digits (a digit too many or few is common).
    * A national number with its trunk ``0`` (``(08) 9876 5432``, ``06-12345678``, ``0316/34441086``,
      ``01.42.68.53.00``): medium; dates (``01.02.2020``) are dropped.
    * 8-13 digits in three to five groups with one kind of separator (``8 778 210 65 66``, ``571 917 297``):
      medium too, unless shaped like a thousands grouping (``1 234 567``), a row of small numbers (``98 87 76 65``,
      ``12-3-4-5``; four hyphenated pairs from 2-9 are a Danish number: ``84-55-45-88``), groups of four
      (``1234-5678-9012``), a US SSN's 3-2-4 or a list of years.
    * Six digits in three pairs (``84 23 30``: Greenland, local numbers): weak, like the next.
    * 7-13 digits in two to five groups (``9487.5749``, ``555-0143``, ``98765 43210``, ``(351) 912675638``): weak,
      only a context word (``call``, ``tel``...) within the five words
      before makes it a finding; year ranges and dates are dropped.

    Pre-screen: every shape holds two digit groups joined by a separator (or a closing parenthesis), or ``+digit``.
    """

    PRESCREEN = re.compile(r"\d\)?[ .\-/]\(?\d")
    VIEW = "digits"
    PLUS = re.compile(r"\+\d")
    PATTERNS = [
        Pattern("International number (medium)",
                r"\+(?<![\w+]\+)(?:\d{1,3}|\(\d{1,3}\))(?:[ .\-]?\(0\))?"
                rf"(?:{_NOT_A_FRACTION}[ .\-/]?\(?\d{{1,5}}\)?){{1,6}}"
                r"(?:\s?(?i:x|ext\.?|extension)\s?\d{1,5})?(?![\w+]|[.\-/]\d)", 0.5),
        Pattern("National number with trunk 0 (medium)",
                rf"(?<![\w+.\-/])(?<!\d,)(?!{_SSN_HYPHENS})(?:\(0\d{{1,4}}\)[ .\-/]?|0\d{{1,4}}[ .\-/])\d{{2,8}}"
                rf"(?:{_NOT_A_FRACTION}[ .\-/]\d{{2,8}}){{0,3}}(?![\w]|[.\-/,]\d)", 0.5),
        Pattern("Three to five groups, one separator (medium)",
                r"(?<![\w+.\-/])(?<!\d,)(?!\d{1,3}(?:[ .]\d{3})+(?![\w]|[ .\-/,]\d))"  # not 1 234 567
                r"(?=(?:[ .\-()]{0,2}\d){8})"  # at least eight digits
                r"(?!\d{1,2}(?:[ .]\d{1,2}){3,}(?![\w]|[ .\-/,]\d))"  # not a row of small numbers: 98 87 76 65
                # nor joined by hyphens (12-3-4-5), unless four pairs from 2-9 (a Danish number: 84-55-45-88)
                r"(?!(?![2-9]\d(?:-\d\d){3}(?![\w]|[ .\-/,]\d))\d{1,2}(?:-\d{1,2}){3,}(?![\w]|[ .\-/,]\d))"
                r"(?!\d{4}(?:[ .\-]\d{4}){2,}(?![\w]|[ .\-/,]\d))"  # not 1234-5678-9012 (serials, rooms)
                rf"(?!{_SSN_SHAPE})"  # not 372-84-5519 (a US SSN's shape)
                rf"(?:\d[ .\-])?(?:\(\d{{2,5}}\)|\d{{2,5}}){_NOT_A_FRACTION}([ .\-])\d{{2,5}}"
                r"(?:\2\d{2,5}){1,3}(?![\w]|[.\-/,]\d)", 0.4),
        Pattern("Grouped digits (weak)",
                rf"(?<![\w+.\-/])(?<!\d,)(?!{_SSN_HYPHENS})"
                rf"(?:\d[ .\-]?)?\(?\d{{2,5}}\)?(?:{_NOT_A_FRACTION}(?![ ]\((?:1[5-9]|20)\d\d\))"
                r"[ .\-/]\(?\d{1,9}\)?){1,4}"
                r"(?![\w]|[.\-/,]\d)", 0.1),
        # Six digits in three pairs ("84 23 30": Greenland, the Faroes, local numbers of small towns): weak.
        Pattern("Six digits in pairs (weak)", r"(?<![\w+.\-/])(?<!\d,)(?<!\d )\d\d \d\d \d\d(?![\w]|[ .\-/,]\d)", 0.1),
    ]

    def __init__(self, context: list[str] | None = None, **kwargs):
        super().__init__(supported_entity="PHONE_NUMBER", patterns=list(self.PATTERNS),
                         context=context or list(PHONE_CONTEXT), global_regex_flags=_FLAGS, **kwargs)

    def pattern_windows(self, text: str) -> list[list[tuple[int, int]]]:
        """The ``+`` pattern on the whole text; the others around runs of 8+ digits and separators.

        Their matches are digits, ``[ .-/()]`` and no more than one "(" before the first digit, so each lies in a
        run of digits and ``PHONE_PUNCT`` (with a "(" before it) of at least eight characters: seven digits and a
        separator. The window ends two characters after the run, as far as their final lookahead reads.
        """
        runs = [(max(0, m.start() - 1), min(len(text), m.end() + 2)) for m in _RUN.finditer(text)]
        return [[(0, len(text))], runs, runs, runs, runs]

    def may_match(self, text: str) -> bool:
        """True when the text passes this recognizer's pre-screen."""
        return super().may_match(text) or ("+" in text and self.PLUS.search(text) is not None)

    def may_match_views(self, views: TextViews) -> bool:
        """``may_match(text)``, the digit-group part on the digit spans."""
        return super().may_match_views(views) or ("+" in views.text and self.PLUS.search(views.text) is not None)

    def invalidate_result(self, pattern_text: str) -> bool:
        """Wrong digit count, dates, year ranges, one repeated digit, and ``+`` numbers of impossible length."""
        core = _EXTENSION.sub("", pattern_text)
        digits = re.sub(r"\D", "", core)
        if len(digits) == 6 and _PAIRS.fullmatch(core):
            return len(set(digits)) <= 2
        if not 7 <= len(digits) <= 15 or len(set(digits)) <= 2:
            return True
        if DATE.match(core) or YEAR_RANGE.fullmatch(core) or _YEARS.fullmatch(core):
            return True
        if core.startswith("+"):
            return not _plausible_international(re.sub(r"^\+\((\d+)\)", r"+\1", core).replace("(0)", ""))
        if not core.lstrip("(").startswith("0"):  # the grouped shapes: at most two kinds of separator
            return len(set(re.findall(r"\d\)?([ .\-/])\(?\d", core))) > 2 or not 7 <= len(digits) <= 13
        return len(digits) < 8


def _plausible_international(number: str) -> bool:
    """A possible number for libphonenumber, or an existing country code followed by 7-13 digits."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return False
    if phonenumbers.is_possible_number(parsed):
        return True
    national = phonenumbers.national_significant_number(parsed)
    return phonenumbers.region_code_for_country_code(parsed.country_code) != "ZZ" and 7 <= len(national) <= 13


# A possessive before "number" makes it someone's phone number ("my number", "his new mobile number is"); an id's
# number is named by the id ("order number"), which is why "number" alone is no context word for bare digits.
_OWN_NUMBER = re.compile(r"\b(?:my|your|his|her|our|their)[ \t]+(?:(?:new|own|personal|private|home|work|direct|"
                         r"phone|mobile|cell|cellphone|contact)[ \t]+){0,2}number(?:[ \t]+is)?[ \t]*[:\-]?[ \t]*$",
                         re.IGNORECASE)


class BareDigitsPhoneRecognizer(NotAnId, Prescreened, StdlibPatterns, PatternRecognizer):
    """7-12 digits in one run (``93884913``, ``(2658360)``): a phone number only next to a phone word.

    Weak (0.1): a context word within the five words before lifts it over the threshold. "number" is not one of
    them here: "company number 2297344", "order number 40004399" are ids; but a possessive before it is
    ("my number 99525481", "her mobile number is 3233079": medium). A trunk ``0`` then 8-11 digits
    (``01134960123``) is medium: a national number written without spaces. Pre-screen: seven digits in a row.
    """

    PRESCREEN = re.compile(r"\d{7}")
    VIEW = "digits"
    OWN_NUMBER_SCORE = 0.4  # "my number 99525481": over the stage threshold without a phone word
    PATTERNS = [Pattern("Seven to twelve bare digits (weak)", r"(?<![\w+.\-/])(?<!\d,)\(?\d{7,12}\)?(?![\w]|[.\-/,]\d)",
                        0.1),
                # A trunk 0 then a non-zero digit, 9-12 digits in all ("01134960123", "0612345678"): a national
                # number as written without spaces; quantities and ids are not written with a leading zero.
                Pattern("Trunk 0 and 8-11 digits (medium)",
                        r"(?<![\w+.\-/])(?<!\d,)\(?0[1-9]\d{7,10}\)?(?![\w]|[.\-/,]\d)", 0.4)]

    def __init__(self, context: list[str] | None = None, **kwargs):
        super().__init__(supported_entity="PHONE_NUMBER", patterns=list(self.PATTERNS),
                         context=context or [w for w in PHONE_CONTEXT if w != "number"], global_regex_flags=_FLAGS,
                         **kwargs)

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):  # noqa: D102 - presidio's signature
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        for r in results:
            # "my number 99525481", "her mobile number is 3233079": a person's own number, not an id's
            if r.score < self.OWN_NUMBER_SCORE and _OWN_NUMBER.search(text, max(0, r.start - 40), r.start):
                r.score = self.OWN_NUMBER_SCORE
        return results

    def invalidate_result(self, pattern_text: str) -> bool:
        """One or two distinct digits (``1111111``, ``1000000``) are not a number anyone dials."""
        return len(set(pattern_text.strip("()"))) <= 2
