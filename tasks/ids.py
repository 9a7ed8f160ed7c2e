"""Stable identifiers: the same record of the same source content gets the same ``doc_id`` in every run."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime


def doc_id(source_sha256: str, source_record: int) -> str:
    """Return the id of record ``source_record`` of a source whose bytes hash to ``source_sha256``.

    It depends on content, not on path, so moving or renaming a file keeps its ids, and a changed file gets new ones.
    """
    return hashlib.blake2b(f"{source_sha256}:{source_record}".encode(), digest_size=12).hexdigest()


def new_run_id() -> str:
    """A sortable, unique run id: UTC timestamp plus randomness (``20261127T224501Z-3f9a1c``)."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)
