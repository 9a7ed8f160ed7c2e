"""PII recognizers of the patterns profile: structured values and secrets (with near misses), redaction.

The tables (``STRUCTURED``, ``SECRETS``) and the generated values live in tests/pii_helpers.py: the pre-screen and
parity tests (test_pii_fast_paths.py) run over the same texts.
"""

from __future__ import annotations

import pytest

from tasks.detectors.pii_secrets import SECRET_ENTITIES
from tasks.redact import redact_text
from tests.pii_helpers import IBAN, SECRETS, STRUCTURED, VISA, found


@pytest.mark.parametrize(("family", "text", "expected"), STRUCTURED,
                         ids=[f"{r[0]}-{i}" for i, r in enumerate(STRUCTURED)])
def test_structured_recognizers(patterns, family, text, expected):
    assert found(patterns, text, family) == expected


@pytest.mark.parametrize(("text", "expected"), SECRETS, ids=[f"secret-{i}" for i in range(len(SECRETS))])
def test_secret_recognizers(patterns, text, expected):
    got = found(patterns, text, "SECRET_")
    if expected is None:
        assert {e for e, _ in got} == {"SECRET_AWS_SECRET_KEY"}
    else:
        assert got == expected


@pytest.mark.parametrize(("text", "expected"), [
    # a possessive before "number" makes bare digits someone's phone number
    ("my number 99525481", {"99525481"}), ("Her new mobile number is 3233079.", {"3233079"}),
    ("your number: 5711777741", {"5711777741"}),
    # near misses: an id's number, no possessive, one or two distinct digits
    ("order number 40004399", set()), ("The number 3233079 is out of service.", set()),
    ("company number 2297344", set()), ("my number 1111111", set()), ("my numbers 99525481", set()),
])
def test_own_number_lifts_bare_digits(patterns, text, expected):
    assert {v for e, v in found(patterns, text, "PHONE")} == expected


def test_light_entity_list_matches_the_recognizers():
    """pii_engine spells the secret entity names out (so config validation skips presidio); they must agree."""
    from tasks.detectors import pii_engine

    assert pii_engine.SECRET_ENTITIES == SECRET_ENTITIES


def test_router_redaction_matches_presidio_anonymizer(patterns):
    """The router's placeholders are presidio-anonymizer's default ``replace`` output (``<ENTITY_TYPE>``)."""
    from presidio_anonymizer import AnonymizerEngine

    text = f"Mail lee.ardent@example.com, card {VISA}, IBAN {IBAN}, from 192.168.14.27 or (212) 555-0143."
    results = patterns.analyze([text])[0]
    ours, n = redact_text(text, [(r.start, r.end, r.entity_type) for r in results])
    assert n == 5 and ours == AnonymizerEngine().anonymize(text=text, analyzer_results=results).text
