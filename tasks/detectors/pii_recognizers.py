"""Presidio recognizers for structured PII, tuned for bulk web text: a pre-screen each, and what the defaults miss.

Every recognizer here is presidio's own (or a small subclass of it) with a ``prescreen``: a cheap regular
expression that matches every text the recognizer could possibly match (a *necessary* condition, argued next to
each one), so a text that fails it is skipped without running the recognizer. Additions over presidio's defaults,
from ../shared/NOTES.md: phone numbers with extensions or ``+1-``/``001-`` prefixes, Mastercard's 2221-2720 range,
Ethereum addresses, and version numbers that look like IPv4 addresses are no longer IPs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import ClassVar

import phonenumbers
import regex
from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    CryptoRecognizer,
    EmailRecognizer,
    IbanRecognizer,
    IpRecognizer,
    PhoneRecognizer,
    UsSsnRecognizer,
)


class Prescreened:
    """Mixin: skip ``analyze`` when the text cannot hold a match (``PRESCREEN`` is a necessary condition)."""

    PRESCREEN: ClassVar[re.Pattern[str]]

    def may_match(self, text: str) -> bool:
        """True when the text passes this recognizer's pre-screen."""
        return self.PRESCREEN.search(text) is not None

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):  # noqa: D102 - presidio's signature
        if not self.may_match(text):
            return []
        return super().analyze(text, entities, nlp_artifacts)  # type: ignore[misc]


class SieveEmailRecognizer(Prescreened, EmailRecognizer):
    """presidio's email recognizer, validated with an offline public-suffix list instead of the network one.

    Pre-screen: the pattern contains a literal ``@``.
    """

    PRESCREEN = re.compile("@")

    def __init__(self, tld_extract: Callable, **kwargs):
        super().__init__(**kwargs)
        self._tld_extract = tld_extract

    def validate_result(self, pattern_text: str) -> bool:
        """A match is an email only when its domain ends in a known public suffix (bundled snapshot)."""
        return self._tld_extract(pattern_text).fqdn != ""


class SieveCreditCardRecognizer(Prescreened, CreditCardRecognizer):
    """presidio's card recognizer (Luhn-validated) widened to ISO/IEC 7812 payment cards: 13-19 digits.

    presidio's pattern takes only first digits 1, 3, 4, 5 (51-55) and 6 and at most 17 digits, so it misses
    Mastercard's 2-series (2221-2720), JCB's 2131, Maestro's 56-58 and 19-digit cards. The extra patterns start with
    2-6 (13-digit numbers starting with 1 are mostly millisecond timestamps, which presidio excludes too) and, like
    presidio's, only count once the Luhn check passes. Pre-screen: every pattern needs 13 digits with at most one
    space or dash between any two of them.
    """

    PRESCREEN = re.compile(r"\d(?:[- ]?\d){12}")
    PATTERNS = [
        *CreditCardRecognizer.PATTERNS,
        Pattern("Card, 13-19 digits (weak)", r"\b[2-6]\d{12,18}\b", 0.3),
        Pattern("Card in groups of 4 (weak)", r"\b[2-6]\d{3}(?:[- ]\d{4}){2}[- ]\d{1,4}(?:[- ]\d{1,3})?\b", 0.3),
        Pattern("Card 4-6-4/5, Amex and Diners (weak)", r"\b3\d{3}[- ]\d{6}[- ]\d{4,5}\b", 0.3),
    ]

    def __init__(self, **kwargs):
        super().__init__(patterns=list(self.PATTERNS), **kwargs)


class SieveIbanRecognizer(Prescreened, IbanRecognizer):
    """presidio's IBAN recognizer (ISO 7064 checksum). Pre-screen: a country code then two check digits.

    Case-insensitive, as presidio's default registry builds it (the class default is case-sensitive): a lower-case
    IBAN with a valid checksum scores 0.5 (0.85 with context) instead of being missed.
    """

    PRESCREEN = re.compile(r"[A-Za-z]{2}\d{2}")

    def __init__(self, **kwargs):
        super().__init__(regex_flags=regex.DOTALL | regex.MULTILINE | regex.IGNORECASE, **kwargs)


class SieveSsnRecognizer(Prescreened, UsSsnRecognizer):
    """presidio's US SSN recognizer. Pre-screen: every pattern holds 3 digits, an optional separator, 2 digits."""

    PRESCREEN = re.compile(r"\d{3}[- .]?\d{2}")


class SieveCryptoRecognizer(Prescreened, CryptoRecognizer):
    """presidio's Bitcoin recognizer (base58check / bech32 validated). Pre-screen: its pattern, loosened."""

    PRESCREEN = re.compile(r"(?:bc1|[13])[a-z0-9]{25}", re.IGNORECASE)  # presidio matches case-insensitively


class EthereumRecognizer(Prescreened, PatternRecognizer):
    """Ethereum addresses (``0x`` + 40 hex digits) as CRYPTO. No checksum: EIP-55 needs Keccak, not in hashlib."""

    PRESCREEN = re.compile(r"0x[0-9a-f]{40}", re.IGNORECASE)
    PATTERNS = [Pattern("Ethereum address (medium)", r"\b0x[0-9a-fA-F]{40}\b", 0.5)]
    CONTEXT = ["eth", "ethereum", "wallet", "address", "crypto"]

    def __init__(self, **kwargs):
        super().__init__(supported_entity="CRYPTO", patterns=list(self.PATTERNS), context=list(self.CONTEXT),
                         **kwargs)

    def invalidate_result(self, pattern_text: str) -> bool:
        """A run of one repeated hex digit is a placeholder (``0x000...``), not an address."""
        return len(set(pattern_text[2:].lower())) < 4


# Words that introduce a version, not an address: "version 1.2.3.4", "v10.0.0.1", "build 4.1.2.9".
_VERSION_BEFORE = re.compile(
    r"(?:\b(?:v|ver|version|versions|release|build|firmware|patch|revision|rev|update|kernel|python|java|"
    r"chrome|firefox|version:)\.?\s*[:=]?\s*v?|[<>=~^]=?\s*v?|\bv)$",
    re.IGNORECASE,
)


class SieveIpRecognizer(Prescreened, IpRecognizer):
    """presidio's IP recognizer, minus version numbers that look like IPv4 addresses.

    A dotted quad is a version, not an address, when a version word (``version``, ``v``, ``build``, ``>=``...)
    comes right before it, or when it is part of a longer dotted number (``1.2.3.4.5``). Pre-screen: IPv4 needs
    ``digit.digit``; every IPv6 form has two colons with at most four hex digits between them.
    """

    PRESCREEN = re.compile(r"\d\.\d|:[0-9A-Fa-f]{0,4}:")

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):  # noqa: D102
        return [r for r in super().analyze(text, entities, nlp_artifacts) if not self._is_version(text, r)]

    @staticmethod
    def _is_version(text: str, result: RecognizerResult) -> bool:
        if ":" in text[result.start:result.end]:
            return False  # IPv6 forms are never versions
        before, after = text[max(0, result.start - 24):result.start], text[result.end:result.end + 2]
        if re.match(r"[.\-]\d|-[A-Za-z]", after) or re.search(r"\d\.$", before):
            return True  # 1.2.3.4.5, 1.2.3.4-beta: a longer dotted number
        return _VERSION_BEFORE.search(before) is not None


# Characters libphonenumber allows between the digit groups of a number (its VALID_PUNCTUATION), plus whitespace.
_PHONE_PUNCT = (r"\-x\u2010-\u2015\u2212\u30FC\uFF0D-\uFF0F\s\u00A0\u00AD\u200B\u2060\u3000()\uFF08\uFF09\uFF3B\uFF3D"
                r".\[\]/~\u2053\u223C\uFF5E")
_DIGIT_CLUSTER = re.compile(rf"\d(?:[{_PHONE_PUNCT}]{{0,4}}\d)*")


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

    PRESCREEN = re.compile(rf"\d(?:[{_PHONE_PUNCT}]{{0,4}}\d){{3}}")
    _MARGIN_BEFORE, _MARGIN_AFTER = 8, 24

    def __init__(self, supported_regions=PhoneRecognizer.DEFAULT_SUPPORTED_REGIONS, **kwargs):
        super().__init__(supported_regions=tuple(supported_regions), **kwargs)
        self._min_len, self._min_any = _min_lengths(tuple(self.supported_regions))

    def may_match(self, text: str) -> bool:
        """True when the text has a cluster of four digits (no country's number is shorter)."""
        return self.PRESCREEN.search(text) is not None

    def _regions_for(self, digits: int, international: bool) -> list[str]:
        floor = self._min_any + (1 if international else 3)  # "+" and a country code; or exit code (>= 2) too
        return [r for r in self.supported_regions if digits >= min(self._min_len[r], floor)]

    def analyze(self, text, entities, nlp_artifacts=None):  # noqa: D102 - presidio's signature
        if not self.may_match(text):
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
                         context=context or list(PhoneRecognizer.CONTEXT), **kwargs)

    def invalidate_result(self, pattern_text: str) -> bool:
        """Ten copies of one digit, or mixed separators inside the 3-3-4 groups, are not a written number."""
        digits = re.sub(r"\D", "", pattern_text.split("x")[0].split("ext")[0])[-10:]
        core = re.sub(r"^(?:\+1|001|1)[-. ]", "", pattern_text)
        seps = set(re.findall(r"\d([-. ])\d", core[:14]))
        return len(set(digits)) == 1 or len(seps) > 1


def structured_recognizers(tld_extract: Callable, phone_regions: tuple[str, ...]) -> list:
    """One instance of every structured-PII recognizer Sieve uses (the spaCy NER recognizer is added separately)."""
    return [
        SieveEmailRecognizer(tld_extract),
        WindowedPhoneRecognizer(supported_regions=phone_regions),
        NanpPhoneRecognizer(),
        SieveCreditCardRecognizer(),
        SieveIbanRecognizer(),
        SieveIpRecognizer(),
        SieveSsnRecognizer(),
        SieveCryptoRecognizer(),
        EthereumRecognizer(),
    ]
