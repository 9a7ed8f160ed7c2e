"""Normalisation for keys (dedup, shingling), kept apart from the text that is written out.

The written text is never normalised: users get their bytes back. Keys are NFKC-folded, lower-cased and
whitespace-collapsed so that trivial variants (full-width letters, case, spacing) hash alike.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# str.split() builds one string object per word (about 60 bytes each): a 50 MB record of short words took 600 MB
# for its key. A text over this many characters is collapsed in windows of this size, cut at whitespace, so the
# words of one window at most are objects at a time. (re.sub is no way out: it keeps a list of every piece too.)
_WINDOW_CHARS = 256 * 1024
_WS = re.compile(r"\s")


def normalize_key(text: str) -> str:
    """NFKC, casefold and collapse runs of whitespace to one space; strip the ends."""
    # str.split() splits on exactly the characters re's \s matches (both use str.isspace), and is ~7x faster than
    # re.sub(r"\s+", " ", ...) on web text: half of a shard's CPU went there. Keys persist across runs, so a test
    # holds the two definitions equal.
    folded = unicodedata.normalize("NFKC", text).casefold()
    if len(folded) <= _WINDOW_CHARS:
        return " ".join(folded.split())
    parts: list[str] = []
    start = 0
    while start < len(folded):
        cut = _WS.search(folded, min(start + _WINDOW_CHARS, len(folded)))  # words never span two windows
        end = cut.start() + 1 if cut else len(folded)
        if piece := " ".join(folded[start:end].split()):
            parts.append(piece)
        start = end
    return " ".join(parts)


def content_hash(text: str) -> str:
    """Exact-dedup key of a text: sha256 of ``normalize_key(text)``, hex, 32 chars."""
    return hashlib.sha256(normalize_key(text).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def raw_hash(raw: bytes) -> str:
    """Key of a malformed record: sha256 of its raw bytes, prefixed so it never equals a text key."""
    return "raw:" + hashlib.sha256(raw).hexdigest()[:28]
