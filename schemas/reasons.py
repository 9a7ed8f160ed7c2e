"""Reason codes and outcomes: the strings users filter on in SQL (contract, ../shared/DESIGN.md section 5).

A reason is dotted, family first. The same string is the counter name, the provenance value and what the tests
assert, so every producer imports it from here instead of spelling it inline.
"""

from __future__ import annotations

import re

INPUT_MALFORMED = "input.malformed"
INPUT_EMPTY = "input.empty"
INPUT_TOO_LONG = "input.too_long"
DUP_EXACT = "dup.exact"
DUP_NEAR = "dup.near"
POISON_INTEGRITY = "poison.integrity"

FAMILIES = ("input", "dup", "lang", "toxicity", "pii", "poison")

OUTCOME_CLEAN = "clean"
OUTCOME_QUARANTINED = "quarantined"
OUTCOME_DUPLICATE = "duplicate"
OUTCOME_DROPPED = "dropped"
OUTCOMES = (OUTCOME_CLEAN, OUTCOME_QUARANTINED, OUTCOME_DUPLICATE, OUTCOME_DROPPED)

ACTION_FLAG = "flag"
ACTION_REDACT = "redact"
ACTION_QUARANTINE = "quarantine"
ACTION_DROP = "drop"
ACTIONS = (ACTION_FLAG, ACTION_REDACT, ACTION_QUARANTINE, ACTION_DROP)

_REASON_RE = re.compile(r"^[a-z]+(\.[A-Za-z0-9_\-]+)+$")


def is_valid_reason(reason: str) -> bool:
    """Return True when ``reason`` is a dotted code whose first part is a known family."""
    return bool(_REASON_RE.match(reason)) and reason.split(".", 1)[0] in FAMILIES


def family(reason: str) -> str:
    """Return the family of a reason code (``pii.EMAIL_ADDRESS`` -> ``pii``)."""
    return reason.split(".", 1)[0]
