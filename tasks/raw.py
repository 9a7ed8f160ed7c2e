"""The record as a reader hands it over: ``RawRecord``, shared by the readers of every format."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class RawRecord:
    """One record as read: parsed ``fields``, or ``raw`` bytes and an ``error`` when it is malformed.

    ``note`` is for the source, not the record: set when reading gave up on the rest of the file, it says how
    much was not read and ends up in the source's ``sources.error``.
    """

    index: int
    fields: dict[str, Any] | None
    raw: bytes | None = None
    error: str | None = None
    note: str | None = None


def bad(index: int, raw: bytes, error: str) -> RawRecord:
    """A malformed record: its raw bytes and a one-line ``error`` (whitespace runs collapsed)."""
    return RawRecord(index=index, fields=None, raw=raw, error=" ".join(error.split()))
