"""Normalisation for keys (dedup, shingling), kept apart from the text that is written out.

The written text is never normalised: users get their bytes back. Keys are NFKC-folded, lower-cased and
whitespace-collapsed so that trivial variants (full-width letters, case, spacing) hash alike.
"""

from __future__ import annotations

import hashlib
import unicodedata


def normalize_key(text: str) -> str:
    """NFKC, casefold and collapse runs of whitespace to one space; strip the ends."""
    # str.split() splits on exactly the characters re's \s matches (both use str.isspace), and is ~7x faster than
    # re.sub(r"\s+", " ", ...) on web text: half of a shard's CPU went there. Keys persist across runs, so a test
    # holds the two definitions equal.
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def content_hash(text: str) -> str:
    """Exact-dedup key of a text: sha256 of ``normalize_key(text)``, hex, 32 chars."""
    return hashlib.sha256(normalize_key(text).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def raw_hash(raw: bytes) -> str:
    """Key of a malformed record: sha256 of its raw bytes, prefixed so it never equals a text key."""
    return "raw:" + hashlib.sha256(raw).hexdigest()[:28]
