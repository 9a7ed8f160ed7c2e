"""Phone numbers with libphonenumber, run only where it could match; the written shapes it refuses: pii_phone_shapes.

presidio's ``PhoneRecognizer`` runs libphonenumber's matcher over the whole text once per region. Here it runs on
windows around the digit clusters, and per cluster only for the regions that could match there (same findings,
tested against presidio's). What libphonenumber accepts that is not a phone number in prose (dates, year ranges,
years that are valid German pager numbers) is dropped or left to a context word.
"""

from __future__ import annotations

import re
from functools import cache

import phonenumbers
from phonenumbers import re_util
from phonenumbers.phonenumberutil import _choose_formatting_pattern_for_number, _formatting_rule_has_first_group_only
from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.predefined_recognizers import PhoneRecognizer

from tasks.detectors.pii_phone_shapes import (
    DATE,
    YEAR_RANGE,
    BareDigitsPhoneRecognizer,
    GroupedPhoneRecognizer,
    NanpPhoneRecognizer,
    after_id_word,
    labelled,
    printed_ssn_unnamed,
)
from tasks.detectors.pii_recognizers import PHONE_PUNCT, TextViews, passes_prescreen

# Clusters of at least four digits: no country has a shorter number (``_min_lengths``), so smaller ones are skipped.
_SPACED_RANGE = re.compile(r"\d\s[\u2013\u2014]\s\d")  # "350 \u2013 380": a range, not a number
_DIGIT_CLUSTER = re.compile(rf"\d(?:[{PHONE_PUNCT}]{{0,4}}\d){{3,}}")


def _min_lengths(regions: tuple[str, ...]) -> tuple[dict[str, int], int]:
    """Shortest national number of each region and of any country, from libphonenumber's own metadata."""
    def shortest(region: str) -> int:
        meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
        lengths = [n for n in (meta.general_desc.possible_length if meta else ()) if n > 0]
        return min(lengths) if lengths else 1

    any_country = min(shortest(r) for r in phonenumbers.SUPPORTED_REGIONS)
    return {r: shortest(r) for r in regions}, any_country


_NON_DIGIT = re.compile(r"\D")
_TYPES = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan", "voicemail",
          "fixed_line", "mobile")


@cache
def _national_patterns(country_code: int) -> dict[int, re.Pattern[str]]:
    """Length -> one regex matching every valid national significant number of that length of ``country_code``.

    libphonenumber calls a number valid when it matches its region's general description and one number type
    (fixed line, mobile, toll free...), each a pattern plus possible lengths; the number's region is whichever region
    of the country code it matches. The alternation of every region's type patterns for a length is therefore
    matched by every valid number of that length (a necessary condition; the general description is not needed).
    """
    by_length: dict[int, list[str]] = {}
    for region in phonenumbers.region_codes_for_country_code(country_code):
        meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
        general = {n for n in meta.general_desc.possible_length if n > 0}
        for name in _TYPES:
            desc = getattr(meta, name)
            if desc is None or not desc.national_number_pattern:
                continue
            lengths = {n for n in desc.possible_length if n > 0} or general  # none listed: the general ones
            for n in lengths & general:
                by_length.setdefault(n, []).append(desc.national_number_pattern)
    return {n: re.compile("|".join(f"(?:{p})" for p in dict.fromkeys(ps))) for n, ps in sorted(by_length.items())}


def _national_number_in(digits: str, country_code: int) -> bool:
    """Whether some run of consecutive ``digits`` can be a national-format match of ``country_code``.

    When libphonenumber reads a number without ``+`` or an exit code, the country code is the searched region's and
    the national significant number is a run of consecutive digits of the candidate (it only ever strips a leading
    trunk prefix, carrier code or country code, and a trailing extension), and every digit of a candidate lies in
    one digit cluster (see ``WindowedPhoneRecognizer``). So a cluster none of whose digit runs is valid holds no
    national-format match for that region. A run at the very start of the cluster has nothing before it: it is a
    match only where the number's format does not require the trunk prefix (``_prefix_free``).
    """
    size = len(digits)
    return any(pattern.fullmatch(digits, i, i + n) and (i > 0 or _prefix_free(digits[:n], country_code))
               for n, pattern in _national_patterns(country_code).items() if n <= size
               for i in range(size - n + 1))


def _prefix_free(national: str, country_code: int) -> bool:
    """Whether libphonenumber's matcher accepts ``national`` written with no digit before it.

    Its leniency ``VALID`` requires the trunk prefix (``0`` in DE, FR, GB...) when the number's formatting rule
    writes one and does not call it optional (``_is_national_prefix_present_if_required``); without digits before
    the number the prefix can only come from the number's own first digits, which the trunk-prefix pattern is tried
    on here.
    """
    meta = phonenumbers.PhoneMetadata.metadata_for_region(phonenumbers.region_code_for_country_code(country_code))
    if meta is None:
        return True
    rule = _choose_formatting_pattern_for_number(meta.number_format, national)
    if rule is None or not rule.national_prefix_formatting_rule or rule.national_prefix_optional_when_formatting:
        return True
    if _formatting_rule_has_first_group_only(rule.national_prefix_formatting_rule):
        return True
    return bool(meta.national_prefix_for_parsing and re.match(meta.national_prefix_for_parsing, national))


class WindowedPhoneRecognizer(PhoneRecognizer):
    """presidio's libphonenumber recognizer, run only on the windows of the text that can hold a phone number.

    A phone number's digits form one cluster of digits joined by at most four of libphonenumber's punctuation
    characters (its candidate pattern allows no more between groups), so a window around each cluster holds every
    candidate libphonenumber would consider in the whole text. A region is tried on a cluster only when one of the
    three ways libphonenumber reads a number there is open (each a necessary condition; libphonenumber stays the
    judge):

    * ``+`` (or a full-width plus) just before the cluster and at least the shortest number of any country plus
      one digit for the country code;
    * the region's exit code (``00``, ``011``...) among the cluster's digits and room for it, a country code and
      the shortest number of any country;
    * a national number: some run of the cluster's digits is a valid number of the region's country code
      (``_national_number_in``).
    """

    PRESCREEN = re.compile(rf"\d(?:[{PHONE_PUNCT}]{{0,4}}\d){{3}}")
    _MARGIN_BEFORE, _MARGIN_AFTER = 8, 24
    # libphonenumber's lead: up to two of "([+" each followed by up to four punctuation characters.
    _LEAD = 10

    SHORT_SCORE = 0.3  # six digits or fewer (years, 1640-1699 are German pager numbers): only with a context word
    LABEL_SCORE = 0.5  # ... or a phone label opening its line or ending it ("Tel 84 23 30", "84 23 30 office")

    def __init__(self, supported_regions=PhoneRecognizer.DEFAULT_SUPPORTED_REGIONS, drop_lookalikes: bool = True,
                 **kwargs):
        super().__init__(supported_regions=tuple(supported_regions), **kwargs)
        self.drop_lookalikes = drop_lookalikes
        # libphonenumber's metadata holds more regexes than the re module caches (512, shared with everything
        # else): without its own cache it recompiles some on every candidate.
        re_util.enable_pattern_cache()
        self._min_len, self._min_any = _min_lengths(tuple(self.supported_regions))
        meta = {r: phonenumbers.PhoneMetadata.metadata_for_region(r) for r in self.supported_regions}
        self._country = {r: m.country_code for r, m in meta.items()}
        self._exit = {r: re.compile(m.international_prefix) if m.international_prefix else None
                      for r, m in meta.items()}
        self._national_cache: dict[str, list[str]] = {}  # digits -> regions (years and the like recur)
        for country in set(self._country.values()):
            _national_patterns(country)  # compiled now, not on the first document

    def may_match(self, text: str) -> bool:
        """True when the text has a cluster of four digits (no country's number is shorter)."""
        return self.PRESCREEN.search(text) is not None

    def may_match_views(self, views: TextViews) -> bool:
        """``may_match(text)``, on the text's digit spans (``pii_recognizers.digit_spans``)."""
        return self.PRESCREEN.search(views.digits) is not None

    def regions_for(self, cluster: str, lead: str) -> list[str]:
        """The regions whose matcher could find a number in ``cluster`` (``lead``: the characters before it)."""
        digits = _NON_DIGIT.sub("", cluster) if cluster.isascii() else phonenumbers.normalize_digits_only(cluster)
        if cluster.count("x") >= 3:  # three letters make libphonenumber read a keypad word (x = 9): try them all
            return list(self.supported_regions)
        if ("+" in lead or "\uff0b" in lead) and len(digits) >= self._min_any + 1:
            return list(self.supported_regions)
        found = self._national_cache.get(digits)
        if found is None:
            if len(self._national_cache) > 50_000:
                self._national_cache.clear()
            exit_room = len(digits) >= self._min_any + 3  # an exit code has at least two digits, a country code one
            countries = {c for c in set(self._country.values()) if _national_number_in(digits, c)}
            found = self._national_cache[digits] = [
                r for r in self.supported_regions if self._country[r] in countries
                or (exit_room and self._exit[r] is not None and self._exit[r].search(digits) is not None)]
        return found

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
        found_results = list(results.values())
        if self.drop_lookalikes:
            found_results = [r for r in found_results if not self._lookalike(text, r)]
        return EntityRecognizer.remove_duplicates(found_results)

    def _lookalike(self, text: str, result: RecognizerResult) -> bool:
        """Dates, ranges, named identifiers and numbers printed as SSNs are dropped (True); short numbers keep a
        score only context or a phone label next to them lifts."""
        core = text[result.start:result.end].lstrip("([ ")
        if DATE.match(core) or YEAR_RANGE.fullmatch(core.rstrip(")] ")) or _SPACED_RANGE.search(core):
            return True
        if after_id_word(text, result.start) or printed_ssn_unnamed(text, result.start, result.end):
            return True
        if sum(c.isdigit() for c in core) <= 6:
            labels = labelled(text, result.start, result.end)
            result.score = min(result.score, self.LABEL_SCORE if labels else self.SHORT_SCORE)
        return False

    def _windows(self, text: str) -> list[tuple[int, int, list[str]]]:
        windows: list[tuple[int, int, set[str]]] = []
        for m in _DIGIT_CLUSTER.finditer(text):
            regions = self.regions_for(m.group(), text[max(0, m.start() - self._LEAD):m.start()])
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


def phone_recognizers(regions: tuple[str, ...]) -> list:
    """Every phone recognizer of the stage."""
    return [WindowedPhoneRecognizer(supported_regions=regions), NanpPhoneRecognizer(), GroupedPhoneRecognizer(),
            BareDigitsPhoneRecognizer()]
