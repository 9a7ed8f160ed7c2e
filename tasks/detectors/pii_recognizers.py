"""Presidio recognizers for structured PII, tuned for bulk web text: a pre-screen each, and what the defaults miss.

Every recognizer here is presidio's own (or a small subclass of it) with a ``prescreen``: a cheap regular
expression that matches every text the recognizer could possibly match (a *necessary* condition, argued next to
each one), so a text that fails it is skipped without running the recognizer. Additions over presidio's defaults,
from ../shared/NOTES.md: Mastercard's 2221-2720 range,
Ethereum addresses, and version numbers that look like IPv4 addresses are no longer IPs. Phone numbers: pii_phones.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import ClassVar

import regex
from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    CryptoRecognizer,
    EmailRecognizer,
    IbanRecognizer,
    IpRecognizer,
    UsSsnRecognizer,
)

# Characters libphonenumber allows between the digit groups of a number (its VALID_PUNCTUATION), plus whitespace.
PHONE_PUNCT = (r"\-x\u2010-\u2015\u2212\u30FC\uFF0D-\uFF0F\s\u00A0\u00AD\u200B\u2060\u3000()\uFF08\uFF09\uFF3B\uFF3D"
               r".\[\]/~\u2053\u223C\uFF5E")
_DIGIT_SPAN = re.compile(rf"\d[\d{PHONE_PUNCT}]*")


LONG_TOKEN = 15  # see TextViews.long_tokens


def digit_spans(text: str) -> str:
    """The text's runs of digits and ``PHONE_PUNCT``, each from its first digit to its end, joined by NUL.

    A pattern whose every match is made of digits and ``PHONE_PUNCT`` and starts with a digit matches ``text``
    exactly when it matches this string: each of its matches lies inside one run, after the run's first digit,
    and NUL (outside the alphabet) keeps matches from spanning two runs. On web text the string is ~2% of the text,
    so the numeric pre-screens run over it instead of the whole text.
    """
    return "\x00".join(_DIGIT_SPAN.findall(text))


class TextViews:
    """One text and the cheaper strings the pre-screens search instead of it, each built on first use.

    * ``digits``: ``digit_spans(text)``.
    * ``long_tokens``: the whitespace-separated tokens of at least ``LONG_TOKEN`` characters, joined by newlines.
      For a recognizer whose every match is at least ``LONG_TOKEN`` characters without whitespace (keys, tokens,
      addresses) and holds a match of its pre-screen, the pre-screen still matches here whenever the recognizer
      can match the text: the recognizer's match lies inside one long token, and the pre-screen's inside it.
      (No match spans two tokens: pre-screens hold no whitespace.) On web text it is a few % of the text (URLs).
    * ``folded``: ``text.casefold()``, for literal tests standing in front of case-insensitive pre-screens.
    """

    __slots__ = ("text", "_digits", "_long", "_folded")

    def __init__(self, text: str):
        self.text = text
        self._digits: str | None = None
        self._long: str | None = None
        self._folded: str | None = None

    @property
    def digits(self) -> str:
        """``digit_spans(text)``."""
        if self._digits is None:
            self._digits = digit_spans(self.text)
        return self._digits

    @property
    def long_tokens(self) -> str:
        """Tokens of at least ``LONG_TOKEN`` non-whitespace characters, one per line."""
        if self._long is None:
            self._long = "\n".join([w for w in self.text.split() if len(w) >= LONG_TOKEN])
        return self._long

    @property
    def folded(self) -> str:
        """The case-folded text (every character ``re.IGNORECASE`` equates with ``s`` folds to ``s``, and so on)."""
        if self._folded is None:
            self._folded = self.text.casefold()
        return self._folded


class Prescreened:
    """Mixin: skip ``analyze`` when the text cannot hold a match (``PRESCREEN`` is a necessary condition).

    ``VIEW`` names the ``TextViews`` string the pre-screen is searched in: ``text``; ``digits`` when every
    ``PRESCREEN`` match is digits and ``PHONE_PUNCT`` starting with a digit (same answer, see ``digit_spans``);
    ``long_tokens`` when the recognizer's matches are long tokens holding the pre-screen's match (see there).
    """

    PRESCREEN: ClassVar[re.Pattern[str]]
    VIEW: ClassVar[str] = "text"

    def may_match(self, text: str) -> bool:
        """True when the text passes this recognizer's pre-screen."""
        return self.PRESCREEN.search(text) is not None

    def may_match_views(self, views: TextViews) -> bool:
        """``may_match(views.text)`` (or, for ``long_tokens``, whether a match is possible), on the cheaper view."""
        return self.PRESCREEN.search(getattr(views, self.VIEW)) is not None

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):  # noqa: D102 - presidio's signature
        if not passes_prescreen(self, text, nlp_artifacts):
            return []
        return super().analyze(text, entities, nlp_artifacts)  # type: ignore[misc]


def passes_prescreen(recognizer, text: str, nlp_artifacts=None) -> bool:
    """The recognizer's pre-screen, on the views the engine left on the artifacts when it did."""
    views = getattr(nlp_artifacts, "text_views", None)
    return recognizer.may_match(text) if views is None else recognizer.may_match_views(views)


class StdlibPatterns:
    """Mixin for ``PatternRecognizer``: its patterns run with the standard ``re`` module instead of ``regex``.

    presidio compiles patterns with ``regex`` (for its timeouts); on these short patterns without nested
    quantifiers ``re`` finds the same matches faster, and each is scored as presidio does (validate, invalidate,
    duplicates removed). ``tests/test_pii_fast_paths.py`` compares both on generated text. A subclass may search a
    pattern in windows of the text only (``pattern_windows``; lookbehinds still see the text before a window).
    """

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):  # noqa: D102 - presidio's signature
        flags = regex_flags or self.global_regex_flags
        compiled = getattr(self, "_stdlib_compiled", None)
        if compiled is None or compiled[0] != flags:
            compiled = self._stdlib_compiled = (flags, [re.compile(p.regex, flags) for p in self.patterns])
        results = []
        windows = self.pattern_windows(text)
        for i, (pattern, matcher) in enumerate(zip(self.patterns, compiled[1], strict=True)):
            for match in (m for pos, end in windows[i] for m in matcher.finditer(text, pos, end)):
                start, end = match.span()
                if start == end:
                    continue
                value = text[start:end]
                validation = self.validate_result(value)
                explanation = self.build_regex_explanation(self.name, pattern.name, pattern.regex, pattern.score,
                                                           validation, flags)
                result = RecognizerResult(
                    entity_type=self.supported_entities[0], start=start, end=end, score=pattern.score,
                    analysis_explanation=explanation,
                    recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                                          RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id})
                if validation is not None:
                    result.score = EntityRecognizer.MAX_SCORE if validation else EntityRecognizer.MIN_SCORE
                if self.invalidate_result(value):
                    result.score = EntityRecognizer.MIN_SCORE
                if result.score > EntityRecognizer.MIN_SCORE:
                    results.append(result)
                explanation.score = result.score
        return EntityRecognizer.remove_duplicates(results)

    def pattern_windows(self, text: str) -> list[list[tuple[int, int]]]:
        """Per pattern, the ``(pos, endpos)`` windows of the text it is searched in (here: the whole text)."""
        return [[(0, len(text))]] * len(self.patterns)


# Inside a URL the characters that end a path segment or a query parameter: an address's local part starts after
# the last of them ("/u/jane@example.org", "?to=jane@example.org").
_URL_DELIMITERS = "/?&=#;"
_KEY = re.compile(r"[A-Za-z_]\w*=")  # "email=jane@example.org": a key and its value


class SieveEmailRecognizer(Prescreened, EmailRecognizer):
    """presidio's email recognizer, validated with an offline public-suffix list, and its span cut to the address.

    presidio's local part takes every character RFC 5322 allows, ``/``, ``?``, ``=`` and ``&`` included, so in a URL
    it ran back over the host and the path: ``https://example.com/u/jane@example.org/profile`` became
    ``https://<EMAIL_ADDRESS>/profile``. In a URL (the local part holds ``/`` or ``?``, or ``://`` comes before it in
    the same word) the address starts after the last ``/ ? & = # ;``; outside one, after a ``key=`` in front of it
    (``email=jane@example.org``). A URL's password and host read as an address (``https://admin:s3cret@db.example.com``)
    are left to ``pii_secrets.without_url_passwords``. Pre-screen: a literal ``@``.
    """

    PRESCREEN = re.compile("@")

    def __init__(self, tld_extract: Callable, **kwargs):
        super().__init__(**kwargs)
        self._tld_extract = tld_extract

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):  # noqa: D102 - presidio's signature
        out = []
        for r in super().analyze(text, entities, nlp_artifacts, regex_flags):
            start = address_start(text, r.start, r.end)
            if start != r.start:  # presidio validated the domain of what it matched; the host may have been a URL's
                if "@" not in text[start + 1:r.end] or not self.validate_result(text[start:r.end]):
                    continue
                r.start = start
            out.append(r)
        return out

    def validate_result(self, pattern_text: str) -> bool:
        """A match is an email only when its domain ends in a known public suffix (bundled snapshot)."""
        return self._tld_extract(pattern_text).fqdn != ""


def address_start(text: str, start: int, end: int) -> int:
    """Where the address of an e-mail match ``text[start:end]`` starts: after a URL's delimiters or a ``key=``."""
    at = text.find("@", start, end)
    if at < 0:
        return start
    local = text[start:at]
    word_start = max(text.rfind(c, 0, start) for c in " \t\n\r\"'<>()[]") + 1
    if "/" in local or "?" in local or "://" in text[word_start:start]:
        cut = max(local.rfind(c) for c in _URL_DELIMITERS)
        return start + cut + 1 if cut >= 0 else start
    key = _KEY.match(local)
    return start + key.end() if key is not None else start


class SieveCreditCardRecognizer(Prescreened, CreditCardRecognizer):
    """presidio's card recognizer (Luhn-validated) widened to ISO/IEC 7812 payment cards: 13-19 digits.

    presidio's pattern takes only first digits 1, 3, 4, 5 (51-55) and 6 and at most 17 digits, so it misses
    Mastercard's 2-series (2221-2720), JCB's 2131, Maestro's 56-58 and 19-digit cards. The extra patterns start with
    2-6 (13-digit numbers starting with 1 are mostly millisecond timestamps, which presidio excludes too) and, like
    presidio's, only count once the Luhn check passes. Pre-screen: every pattern needs 13 digits with at most one
    space or dash between any two of them.
    """

    PRESCREEN = re.compile(r"\d(?:[- ]?\d){12}")
    VIEW = "digits"
    PATTERNS = [
        *CreditCardRecognizer.PATTERNS,
        Pattern("Card, 13-19 digits (weak)", r"\b[2-6]\d{12,18}\b", 0.3),
        Pattern("Card in groups of 4 (weak)", r"\b[2-6]\d{3}(?:[- ]\d{4}){2}[- ]\d{1,4}(?:[- ]\d{1,3})?\b", 0.3),
        Pattern("Card 4-6-4/5, Amex and Diners (weak)", r"\b3\d{3}[- ]\d{6}[- ]\d{4,5}\b", 0.3),
    ]

    def __init__(self, **kwargs):
        super().__init__(patterns=list(self.PATTERNS), **kwargs)


class SieveIbanRecognizer(Prescreened, IbanRecognizer):
    """presidio's IBAN recognizer (ISO 7064 checksum).

    Case-insensitive, as presidio's default registry builds it (the class default is case-sensitive): a lower-case
    IBAN with a valid checksum scores 0.5 (0.85 with context) instead of being missed. Pre-screen: presidio's
    pattern needs a country code, two check digits and at least two groups of four letters or digits, each
    optionally after a space or dash. The letter classes are wider than presidio's (``re``'s case-insensitive
    ``[a-z]`` also takes the few non-ASCII letters that fold to ASCII ones, and ``[^\\W_]`` any letter or digit).
    """

    # digits first: ~3x faster than starting with the letters
    PRESCREEN = re.compile(r"\d\d(?<=[a-z]{2}\d\d)(?:[ -]?[^\W_]{4}){2}", re.IGNORECASE)

    def __init__(self, **kwargs):
        super().__init__(regex_flags=regex.DOTALL | regex.MULTILINE | regex.IGNORECASE, **kwargs)


class SieveSsnRecognizer(Prescreened, StdlibPatterns, UsSsnRecognizer):
    """presidio's US SSN recognizer, with its published sample numbers found next to an SSN word.

    presidio invalidates ``078-05-1120`` (printed on wallet inserts in 1938, then used as their own by thousands of
    people), ``123-45-6789`` and ``987-65-4320`` everywhere, so "SSN 078-05-1120" was left to the phone shapes and
    redacted as a phone number. Here such a number is weak (``SAMPLE_SCORE``) instead of invalid: a context word
    (``ssn``, ``social security``) makes it a finding, as it makes any written SSN one; alone, as in a form's
    example, it stays text. Pre-screen: every pattern is nine digits, after the third and the fifth at most one
    space, dash or dot (``12345-6789``, ``123-456789``, ``123-45-6789``, ``123456789``, ``123 45.6789``).
    """

    PRESCREEN = re.compile(r"\d{3}[- .]?\d{2}[- .]?\d{4}")
    VIEW = "digits"
    SAMPLE_NUMBERS = frozenset({"078051120", "123456789", "987654320"})  # presidio's list of published samples
    SAMPLE_SCORE = 0.05  # presidio's "very weak": only a context word lifts it to the stage threshold

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):  # noqa: D102 - presidio's signature
        found = super().analyze(text, entities, nlp_artifacts, regex_flags)
        for r in found:
            if re.sub(r"\D", "", text[r.start:r.end]) in self.SAMPLE_NUMBERS:
                r.score = min(r.score, self.SAMPLE_SCORE)
        return found

    def invalidate_result(self, pattern_text: str) -> bool:
        """presidio's checks (mixed separators, zero groups, area 000 or 666, one repeated digit), samples aside."""
        if re.sub(r"\D", "", pattern_text) in self.SAMPLE_NUMBERS:
            return len({c for c in pattern_text if c in ".- "}) > 1
        return super().invalidate_result(pattern_text)


class SieveCryptoRecognizer(Prescreened, CryptoRecognizer):
    """presidio's Bitcoin recognizer (base58check / bech32 validated). Pre-screen: its pattern, loosened."""

    PRESCREEN = re.compile(r"[13][a-z0-9]{25}", re.IGNORECASE)  # presidio matches case-insensitively
    BECH32 = re.compile(r"bc1[a-z0-9]{25}", re.IGNORECASE)  # apart: one alternation costs ~3x the two searches

    def may_match(self, text: str) -> bool:
        """True when the text passes this recognizer's pre-screen."""
        return self.PRESCREEN.search(text) is not None or self.BECH32.search(text) is not None

    def may_match_views(self, views: TextViews) -> bool:
        """Whether a match is possible: on the long tokens (presidio's match is 26-62 characters, no space)."""
        return self.PRESCREEN.search(views.long_tokens) is not None or self.BECH32.search(views.long_tokens) is not None


class EthereumRecognizer(Prescreened, PatternRecognizer):
    """Ethereum addresses (``0x`` + 40 hex digits) as CRYPTO. No checksum: EIP-55 needs Keccak, not in hashlib."""

    PRESCREEN = re.compile(r"0x[0-9a-f]{40}", re.IGNORECASE)
    VIEW = "long_tokens"  # 42 characters, no space
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
    four dotted groups of at most three digits; every IPv6 form has two colons with at most four hex digits
    between them.
    """

    PRESCREEN = re.compile(r"\d\.\d{1,3}\.\d{1,3}\.\d")
    VIEW = "digits"
    IPV6 = re.compile(r":[0-9A-Fa-f]{0,4}:")

    def may_match(self, text: str) -> bool:
        """True when the text passes this recognizer's pre-screen (IPv4 or IPv6)."""
        return super().may_match(text) or self.IPV6.search(text) is not None

    def may_match_views(self, views: TextViews) -> bool:
        """``may_match(text)``, the IPv4 part on the digit spans."""
        return super().may_match_views(views) or self.IPV6.search(views.text) is not None

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


def structured_recognizers(tld_extract: Callable, phone_regions: tuple[str, ...]) -> list:
    """One instance of every structured-PII recognizer Sieve uses (the spaCy NER recognizer is added separately)."""
    from tasks.detectors.pii_phones import phone_recognizers  # pii_phones imports Prescreened from here

    return [
        SieveEmailRecognizer(tld_extract),
        *phone_recognizers(phone_regions),
        SieveCreditCardRecognizer(),
        SieveIbanRecognizer(),
        SieveIpRecognizer(),
        SieveSsnRecognizer(),
        SieveCryptoRecognizer(),
        EthereumRecognizer(),
    ]
