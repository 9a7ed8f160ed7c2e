"""Normalisation for keys (dedup, shingling), kept apart from the text that is written out.

The written text is never normalised: users get their bytes back. Keys drop invisible characters, are NFKC-folded,
lower-cased and whitespace-collapsed so that trivial variants (full-width letters, case, spacing, NFC or NFD
accents, line endings, a byte-order mark, soft hyphens and zero-width spaces) hash alike. A record's key covers its
text and the meta fields that are part of its content (``KEY_META_FIELDS``: a preference pair's rejected reply).

Invisible characters are Unicode's default-ignorable code points (``DerivedCoreProperties.txt``): soft hyphen,
zero-width space/joiners, word joiner, bidirectional controls, variation selectors, tag characters, the BOM,
Hangul fillers. A web page scraped once with ``&shy;`` hyphenation hints and once without, or a file saved with a
BOM, is the same content; near dedup's words (``tasks.dedup.shingles``) drop them the same way, where they used to
split a word in two. They are dropped before NFKC, so a text without one keeps the key earlier versions gave it
(a test holds old digests); a text with one gets a new key, and no longer matches its own key from a run made
before this rule (a copy made since does).
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from typing import Any

# str.split() builds one string object per word (about 60 bytes each): a 50 MB record of short words took 600 MB
# for its key. A text over this many characters is collapsed in windows of this size, cut at whitespace, so the
# words of one window at most are objects at a time. (re.sub is no way out: it keeps a list of every piece too.)
_WINDOW_CHARS = 256 * 1024
_WS = re.compile(r"\s")
# Default_Ignorable_Code_Point (Unicode 15). No whitespace is one, and NFKC + casefold make none from other
# characters (tests check both), so dropping them first is the same as dropping them anywhere. Two patterns: a class
# holding astral ranges makes re test every character the slow way (30 us for 2 KB of French, 6-11 us without).
_IGNORABLE_BMP = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8]")
_IGNORABLE_ASTRAL = re.compile("[\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]")


def drop_ignorable(text: str) -> str:
    """``text`` without its default-ignorable (invisible) code points."""
    if text.isascii():
        return text
    text = _IGNORABLE_BMP.sub("", text)
    if len(text.encode("utf-16-le", "surrogatepass")) > 2 * len(text):  # it holds a character beyond U+FFFF
        text = _IGNORABLE_ASTRAL.sub("", text)
    return text


def fold(text: str) -> str:
    """Invisible characters dropped, NFKC, casefold: ``normalize_key`` before its whitespace collapse (near dedup's
    words are folded the same way, so exact and near dedup see one text)."""
    return unicodedata.normalize("NFKC", drop_ignorable(text)).casefold()


def normalize_key(text: str) -> str:
    """Drop invisible characters, NFKC, casefold and collapse runs of whitespace to one space; strip the ends."""
    # str.split() splits on exactly the characters re's \s matches (both use str.isspace), and is ~7x faster than
    # re.sub(r"\s+", " ", ...) on web text: half of a shard's CPU went there. Keys persist across runs, so a test
    # holds the two definitions equal.
    folded = fold(text)
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


#: Meta fields that are part of a record's content for dedup. A preference record is read with its chosen reply
#: as the text (``--text-field chosen``) and the rejected one in meta: two pairs that share a chosen reply and
#: differ in the rejected one are two records (an "all pairs" data set has many), not copies of one.
KEY_META_FIELDS = ("rejected",)


def key_meta(meta: str | dict[str, Any] | None) -> list[str]:
    """The values of ``KEY_META_FIELDS`` in a record's meta (JSON text or parsed), as text; [] when it has none."""
    if not meta:
        return []
    if isinstance(meta, str):
        if not any(f'"{f}"' in meta for f in KEY_META_FIELDS):  # the usual case, without parsing
            return []
        try:
            meta = json.loads(meta)
        except ValueError:
            return []
    if not isinstance(meta, dict):
        return []
    return [v if isinstance(v, str) else json.dumps(v, sort_keys=True, ensure_ascii=False)
            for f in KEY_META_FIELDS if (v := meta.get(f)) is not None]


def content_hash(text: str, meta: str | dict[str, Any] | None = None) -> str:
    """Exact-dedup key of a record: sha256 of ``normalize_key(text)``, hex, 32 chars; with ``KEY_META_FIELDS`` values
    in ``meta``, the sha256 of that key and each value's key (a record without them keeps its text's key)."""
    key = hashlib.sha256(normalize_key(text).encode("utf-8", "surrogatepass")).hexdigest()[:32]
    extra = key_meta(meta)
    if not extra:
        return key
    return hashlib.sha256("\x00".join([key, *map(content_hash, extra)]).encode()).hexdigest()[:32]


def raw_hash(raw: bytes) -> str:
    """Key of a malformed record: sha256 of its raw bytes, prefixed so it never equals a text key."""
    return "raw:" + hashlib.sha256(raw).hexdigest()[:28]
