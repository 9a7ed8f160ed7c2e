"""Phone-number recognizers: libphonenumber on the windows that can hold a number, and the written shapes it refuses.

presidio's ``PhoneRecognizer`` asks libphonenumber, region by region, for numbers that are *valid* there: assigned
area codes, the region's exact lengths. Written text holds more than that: North-American numbers with extensions or
``001-``/``+1-`` prefixes, numbers of regions outside the configured list, and numbers whose area code is not (or
no longer, or not yet) assigned. A number that is redacted by mistake costs a few characters of training text; a
number that leaks costs a person's privacy, so the shapes below are matched without asking whether the number is
assigned, and each shape's score says how sure its form alone makes it (weak ones need a context word).
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from phonenumbers import re_util
from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.predefined_recognizers import PhoneRecognizer

from tasks.detectors.pii_recognizers import PHONE_PUNCT, Prescreened, passes_prescreen

PHONE_CONTEXT = [*PhoneRecognizer.CONTEXT, "phone", "tel", "fax", "contact", "reach", "dial", "ring", "whatsapp",
                 "sms", "landline", "hotline", "helpline", "mob"]

# Clusters of at least four digits: no country has a shorter number (``_min_lengths``), so smaller ones are skipped.
_DIGIT_CLUSTER = re.compile(rf"\d(?:[{PHONE_PUNCT}]{{0,4}}\d){{3,}}")


def _min_lengths(regions: tuple[str, ...]) -> tuple[dict[str, int], int]:
    """Shortest national number of each region and of any country, from libphonenumber's own metadata."""
    def shortest(region: str) -> int:
        meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
        lengths = [n for n in (meta.general_desc.possible_length if meta else ()) if n > 0]
        return min(lengths) if lengths else 1

    any_country = min(shortest(r) for r in phonenumbers.SUPPORTED_REGIONS)
    return {r: shortest(r) for r in regions}, any_country


class WindowedPhoneRecognizer(PhoneRecognizer):
    """presidio's libphonenumber recognizer, run only on the windows of the text that can hold a phone number.

    A phone number's digits form one cluster of digits joined by at most four of libphonenumber's punctuation
    characters (its candidate pattern allows no more between groups), so a window around each cluster holds every
    candidate libphonenumber would consider in the whole text. A region is tried on a cluster only when the cluster
    has at least as many digits as that region's shortest number, or as the shortest number of any country plus
    the fewest prefix digits an international form needs (``+`` and a one-digit country code: 1; an exit code of
    at least two digits and a country code: 3). Both are necessary for a number to be valid there; libphonenumber
    stays the judge.
    """

    PRESCREEN = re.compile(rf"\d(?:[{PHONE_PUNCT}]{{0,4}}\d){{3}}")
    _MARGIN_BEFORE, _MARGIN_AFTER = 8, 24

    def __init__(self, supported_regions=PhoneRecognizer.DEFAULT_SUPPORTED_REGIONS, **kwargs):
        super().__init__(supported_regions=tuple(supported_regions), **kwargs)
        # libphonenumber's metadata holds more regexes than the re module caches (512, shared with everything
        # else): without its own cache it recompiles some on every candidate.
        re_util.enable_pattern_cache()
        self._min_len, self._min_any = _min_lengths(tuple(self.supported_regions))

    def may_match(self, text: str) -> bool:
        """True when the text has a cluster of four digits (no country's number is shorter)."""
        return self.PRESCREEN.search(text) is not None

    def may_match_spans(self, text: str, spans: str) -> bool:
        """``may_match(text)``, on the text's digit spans (``pii_recognizers.digit_spans``)."""
        return self.PRESCREEN.search(spans) is not None

    def _regions_for(self, digits: int, international: bool) -> list[str]:
        floor = self._min_any + (1 if international else 3)  # "+" and a country code; or exit code (>= 2) too
        return [r for r in self.supported_regions if digits >= min(self._min_len[r], floor)]

    def analyze(self, text, entities, nlp_artifacts=None):  # noqa: D102 - presidio's signature
        if not passes_prescreen(self, text, nlp_artifacts):
            return []
        results: dict[tuple[int, int], RecognizerResult] = {}
        for start, end, regions in self._windows(text):
            window = text[start:end]
            for region in regions:
                for match in phonenumbers.PhoneNumberMatcher(window, region, leniency=self.leniency):
                    key = (start + match.start, start + match.end)
                    if key not in results:
                        try:
                            found = phonenumbers.region_code_for_number(match.number) or region
                        except Exception:  # noqa: BLE001 - presidio also falls back to the searched region
                            found = region
                        results[key] = self._get_recognizer_result(_Shifted(match, start), text, found,
                                                                   nlp_artifacts)
        return EntityRecognizer.remove_duplicates(list(results.values()))

    def _windows(self, text: str) -> list[tuple[int, int, list[str]]]:
        windows: list[tuple[int, int, set[str]]] = []
        for m in _DIGIT_CLUSTER.finditer(text):
            digits = sum(c.isdigit() for c in m.group())
            lead = text[max(0, m.start() - 6):m.start()]
            international = "+" in lead or "\uff0b" in lead
            regions = self._regions_for(digits, international)
            if digits < self._min_any + 3:  # too short for an exit code + country code: only national forms count
                regions = [r for r in regions if digits > self._min_len[r] or _valid_bare(m.group(), r)]
            if not regions:
                continue
            start, end = max(0, m.start() - self._MARGIN_BEFORE), min(len(text), m.end() + self._MARGIN_AFTER)
            if windows and start <= windows[-1][1]:
                prev = windows[-1]
                windows[-1] = (prev[0], max(prev[1], end), prev[2] | set(regions))
            else:
                windows.append((start, end, set(regions)))
        order = {r: i for i, r in enumerate(self.supported_regions)}
        return [(s, e, sorted(rs, key=order.__getitem__)) for s, e, rs in windows]


@lru_cache(maxsize=4096)
def _valid_bare(cluster: str, region: str) -> bool:
    """Whether a cluster with exactly the region's shortest length is a valid number there (DE: only 164x-169x).

    The matcher could only find it as the whole cluster (a part or an extension leaves fewer digits than any number
    of the region has; a "+" form leaves fewer than any country has), so parsing the bare digits decides.
    """
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse("".join(c for c in cluster if c.isdigit()), region))
    except phonenumbers.NumberParseException:
        return False


class _Shifted:
    """A libphonenumber match moved from window offsets to text offsets (what presidio's result builder reads)."""

    def __init__(self, match, offset: int):
        self.start, self.end = match.start + offset, match.end + offset


class NanpPhoneRecognizer(Prescreened, PatternRecognizer):
    """North-American-style numbers libphonenumber rejects: ``296-219-0362x363``, ``001-...``, ``+1-...``.

    libphonenumber refuses a letter glued to the digits (``x363``), the ``001`` exit code under region US and area
    codes that are not assigned; a written 3-3-4 number with separators is still a phone number to redact, and ten
    bare digits shaped like one (area code and exchange starting 2-9) are one when a context word is near.
    """

    PRESCREEN = re.compile(r"\d{3}\)?[-.\s]?\d{3}[-. ]?\d{4}")
    DIGIT_SPAN = True
    PATTERNS = [
        Pattern(
            "NANP with separators (medium)",
            r"(?<![\w+.\-])(?:(?:\+1|001|1)[-. ])?(?:\(\d{3}\)\s?|\d{3}[-. ])\d{3}[-. ]\d{4}"
            r"(?:\s?(?:x|ext\.?|extension)\s?\d{1,5})?(?![\w\-]|\.\d)",
            0.5,
        ),
        # Ten bare digits are as often an id as a phone: weak, so only context ("call", "phone") lifts it over 0.4.
        Pattern("NANP, ten digits (weak)", r"(?<![\w+.\-])[2-9]\d{2}[2-9]\d{6}(?![\w\-]|\.\d)", 0.3),
    ]

    def __init__(self, context: list[str] | None = None, **kwargs):
        super().__init__(supported_entity="PHONE_NUMBER", patterns=list(self.PATTERNS),
                         context=context or list(PHONE_CONTEXT), **kwargs)

    def invalidate_result(self, pattern_text: str) -> bool:
        """Ten copies of one digit, or mixed separators inside the 3-3-4 groups, are not a written number."""
        digits = re.sub(r"\D", "", pattern_text.split("x")[0].split("ext")[0])[-10:]
        core = re.sub(r"^(?:\+1|001|1)[-. ]", "", pattern_text)
        seps = set(re.findall(r"\d([-. ])\d", core[:14]))
        return len(set(digits)) == 1 or len(seps) > 1




_DATE = re.compile(r"(?:0?[1-9]|[12]\d|3[01])[./\- ](?:0?[1-9]|1[0-2])[./\- ](?:19|20)\d\d|"
                   r"(?:19|20)\d\d[./\- ](?:0?[1-9]|1[0-2])[./\- ](?:0?[1-9]|[12]\d|3[01])|"
                   r"(?:0?[1-9]|1[0-2])[./\- ](?:0?[1-9]|[12]\d|3[01])[./\- ](?:19|20)\d\d")
_YEAR_RANGE = re.compile(r"(?:1[5-9]|20)\d\d\s?[-/]\s?(?:(?:1[5-9]|20)\d\d|\d\d)")
_EXTENSION = re.compile(r"\s?(?:x|ext\.?|extension)\s?\d{1,5}$", re.IGNORECASE)


class GroupedPhoneRecognizer(Prescreened, PatternRecognizer):
    """Phone numbers by their written shape, for any country, whether or not libphonenumber knows them valid.

    * ``+`` and a country code, then 7-14 more digits in groups (``+44 1632 960497``, ``+49 (0) 30 901820``,
      ``+61.8.0658.9481``): medium, and kept only if libphonenumber finds the length possible for that country.
    * A national number with its trunk ``0`` (``(08) 9876 5432``, ``06-12345678``, ``0911 123456``, ``01.42.68.53.00``):
      medium; dates (``01.02.2020``) are dropped.
    * 7-13 digits in two to five groups with one kind of separator (``9487.5749``, ``555-0143``, ``98765 43210``):
      weak, only a context word (``call``, ``tel``...) within the five words before makes it a finding; year ranges
      and dates are dropped.

    Pre-screen: every shape holds two digit groups joined by a separator (or a closing parenthesis), or ``+digit``.
    """

    PRESCREEN = re.compile(r"\d\)?[ .\-/]\(?\d")
    DIGIT_SPAN = True
    PLUS = re.compile(r"\+\d")

    def may_match(self, text: str) -> bool:
        """True when the text passes this recognizer's pre-screen."""
        return super().may_match(text) or ("+" in text and self.PLUS.search(text) is not None)

    def may_match_spans(self, text: str, spans: str) -> bool:
        """``may_match(text)``, the digit-group part on the digit spans."""
        return super().may_match_spans(text, spans) or ("+" in text and self.PLUS.search(text) is not None)
    PATTERNS = [
        Pattern("International number (medium)",
                r"(?<![\w+])\+\d{1,3}(?:[ .\-]?\(0\))?(?:[ .\-/]?\(?\d{1,5}\)?){1,6}"
                r"(?:\s?(?:x|ext\.?|extension)\s?\d{1,5})?(?![\w+]|[.\-/]\d)", 0.5),
        Pattern("National number with trunk 0 (medium)",
                r"(?<![\w+.\-/,])(?:\(0\d{1,4}\)|0\d{1,4})(?:[ .\-/]\d{2,5}){1,4}(?![\w]|[.\-/,]\d)", 0.5),
        Pattern("Grouped digits (weak)",
                r"(?<![\w+.\-/,])(?:\d[ .\-]?)?\(?\d{2,5}\)?(?:[ .\-/]\d{2,5}){1,4}(?![\w]|[.\-/,]\d)", 0.1),
    ]

    def __init__(self, context: list[str] | None = None, **kwargs):
        super().__init__(supported_entity="PHONE_NUMBER", patterns=list(self.PATTERNS),
                         context=context or list(PHONE_CONTEXT), **kwargs)

    def invalidate_result(self, pattern_text: str) -> bool:
        """Wrong digit count, dates, year ranges, one repeated digit, and ``+`` numbers of impossible length."""
        core = _EXTENSION.sub("", pattern_text)
        digits = re.sub(r"\D", "", core)
        if not 7 <= len(digits) <= 15 or len(set(digits)) <= 2:
            return True
        if _DATE.match(core) or _YEAR_RANGE.fullmatch(core):
            return True
        if core.startswith("+"):
            try:
                return not phonenumbers.is_possible_number(phonenumbers.parse(core.replace("(0)", ""), None))
            except phonenumbers.NumberParseException:
                return True
        if not core.lstrip("(").startswith("0"):  # the weak shape: at most two kinds of separator
            return len(set(re.findall(r"\d\)?([ .\-/])\(?\d", core))) > 2 or not 7 <= len(digits) <= 13
        return len(digits) < 8


def phone_recognizers(regions: tuple[str, ...]) -> list:
    """Every phone recognizer of the stage."""
    return [WindowedPhoneRecognizer(supported_regions=regions), NanpPhoneRecognizer(), GroupedPhoneRecognizer()]
