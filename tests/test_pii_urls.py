"""PII stage: an e-mail address inside a URL is redacted alone, the URL around it kept; a URL's password is a
secret, not an address; a URI scheme ("mailto") is not a person."""

from __future__ import annotations

import pytest

from tasks.detectors.pii_engine import PiiAnalyzer
from tasks.detectors.pii_recognizers import address_start
from tasks.redact import redact_text


def redacted(analyzer: PiiAnalyzer, text: str) -> str:
    return redact_text(text, [(r.start, r.end, r.entity_type) for r in analyzer.analyze([text])[0]])[0]


@pytest.mark.parametrize(("text", "expected"), [
    # before: the local part ran back over the host and path ("https://<EMAIL_ADDRESS>/profile")
    ("See https://example.com/u/jane.doe@example.org/profile today",
     "See https://example.com/u/<EMAIL_ADDRESS>/profile today"),
    ("Unsubscribe: https://lists.example.com/unsub?email=jane@example.org&id=3",
     "Unsubscribe: https://lists.example.com/unsub?email=<EMAIL_ADDRESS>&id=3"),
    ("<https://example.com/#/users/jane@example.org>", "<https://example.com/#/users/<EMAIL_ADDRESS>>"),
    ("reply_to=jane@example.org", "reply_to=<EMAIL_ADDRESS>"),
    # addresses outside URLs are whole, '+' and '=' in a local part included
    ("Mail ops+alerts@example.org or bounces+jane=example.com@lists.example.org.",
     "Mail <EMAIL_ADDRESS> or <EMAIL_ADDRESS>."),
    ("Open https://jane@example.org/ to log in", "Open https://<EMAIL_ADDRESS>/ to log in"),
    # the address is checked again once cut: this URL's host had a known suffix, the address has none
    ("https://example.com/u/jane@localhost.notatld", "https://example.com/u/jane@localhost.notatld"),
])
def test_an_address_in_a_url_is_redacted_alone(patterns, text, expected):
    assert redacted(patterns, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # before: "Xk82jq9z@db.example.com" was also an EMAIL_ADDRESS finding, and the host went into the placeholder
    ("Login https://admin:Xk82jq9z@db.example.com:5432/app please",
     "Login https://<SECRET_URL_CREDENTIALS>@db.example.com:5432/app please"),
    # an empty user (Redis): before, the password was an EMAIL_ADDRESS only, then (v15) nothing
    ("redis://:Xk82jq9zP@cache.example.com:6379/0", "redis://<SECRET_URL_CREDENTIALS>@cache.example.com:6379/0"),
])
def test_a_url_password_is_a_secret_not_an_address(patterns, text, expected):
    found = patterns.analyze([text])[0]
    assert "EMAIL_ADDRESS" not in {r.entity_type for r in found}
    assert redacted(patterns, text) == expected


def test_a_url_password_no_secret_recognizer_takes_stays_redacted(patterns):
    # a documented placeholder is no secret; read as an address it is redacted, not left in clean text
    text = "Login https://user:pass@example.com/ please"
    assert redacted(patterns, text) == "Login https://user:<EMAIL_ADDRESS>/ please"


def test_an_address_given_as_an_anonymous_ftp_password_stays_an_address(patterns):
    text = "ftp://anonymous:jane@example.org@ftp.example.com/pub"
    assert ("EMAIL_ADDRESS", "jane@example.org") in {(r.entity_type, text[r.start:r.end])
                                                     for r in patterns.analyze([text])[0]}


def test_a_uri_scheme_is_not_a_person(ner):
    # before: spaCy's "mailto" came out as <PERSON>
    text = "Write to mailto:jane@example.org?subject=x now"
    assert redacted(ner, text) == "Write to mailto:<EMAIL_ADDRESS>?subject=x now"


def test_address_start():
    text = "x https://h.example/a/b?to=j@example.org"
    assert text[address_start(text, text.index("h.example"), len(text)):] == "j@example.org"
    assert address_start("no at sign", 0, 10) == 0
