"""The text ``poison.injection`` reads: look-alike letters folded to ASCII and invisible characters removed.

An order spelt in full-width (``Ｉｇｎｏｒｅ``) or mathematical letters (``𝐢𝐠𝐧𝐨𝐫𝐞``), or split by soft hyphens and
zero-width characters (``Ig`` U+00AD ``nore``), reads the same to a person and to a tokenizer, yet no rule and no
classifier token matches it. ``fold`` gives the detector the text a reader sees, with a map back to the original
offsets so that spans and evidence point into the record as stored.

Only what changes how a word is spelt is folded: characters whose compatibility decomposition is a font, width or
circled variant (mathematical alphanumerics, full-width and half-width forms, letterlike symbols, circled
letters) and the Latin ligatures ``ﬀ``-``ﬆ``. Other compatibility characters (``…``, ``½``, no-break space) are
left as they are, so segmentation of ordinary text is unchanged. Default-ignorable characters (zero-width,
joiners, soft hyphen, bidi controls, variation selectors, tags) are removed; ``poison.unicode`` reports them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Unicode's Default_Ignorable_Code_Point set (DerivedCoreProperties), the assigned and reserved ranges.
_IGNORABLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164"
    "\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)
_FOLDED_KINDS = ("<font>", "<wide>", "<narrow>", "<circle>")
_LIGATURES = range(0xFB00, 0xFB07)


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """``ch`` as a reader sees it: '' for a default-ignorable character, the NFKC form of a font, width or circled
    variant and of a Latin ligature, else ``ch`` itself."""
    if _IGNORABLE.match(ch):
        return ""
    if ord(ch) in _LIGATURES or unicodedata.decomposition(ch).startswith(_FOLDED_KINDS):
        return unicodedata.normalize("NFKC", ch)
    return ch


def _table(text: str) -> dict[int, str]:
    """``str.translate`` table of the characters of ``text`` that fold (empty for most texts; ASCII at C speed)."""
    if text.isascii():
        return {}
    return {ord(ch): f for ch in set(text) if ord(ch) > 0x7F and (f := _fold_char(ch)) != ch}


def fold(text: str) -> tuple[str, list[int] | None]:
    """``(folded text, offsets)``: ``offsets[i]`` is the index in ``text`` of folded character ``i``, with one
    extra entry, ``len(text)``, at the end; None when offsets are unchanged (nothing folded, or every folded
    character became exactly one character: full-width and mathematical letters, the common case, at C speed).
    The folded text is ``text`` itself (the same object) when nothing was folded."""
    table = _table(text)
    if not table:
        return text, None
    if all(len(f) == 1 for f in table.values()):
        return text.translate(table), None
    out: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        folded = table.get(ord(ch), ch)
        out.append(folded)
        offsets.extend([i] * len(folded))
    offsets.append(len(text))
    return "".join(out), offsets


def span_back(offsets: list[int] | None, start: int, end: int) -> tuple[int, int]:
    """The original ``(start, end)`` of the folded span ``[start, end)``."""
    if offsets is None:
        return start, end
    return offsets[start], (offsets[end - 1] + 1 if end > start else offsets[start])
