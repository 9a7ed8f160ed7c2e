"""``poison.unicode``: characters that hide text from a human reader but not from a tokenizer.

What is flagged, and what is deliberately not (every rule decides from the characters around the hit):

* ``tag``: Unicode tag characters U+E0000-E007F ("ASCII smuggling"); the hidden ASCII is decoded into the
  evidence. Subdivision-flag emoji (U+1F3F4, 2-7 tag letters/digits, CANCEL TAG U+E007F: England, Scotland,
  Wales) are the one legitimate use and are skipped.
* ``bidi``: embedding, override and isolate controls (U+202A-202E, U+2066-2069): Trojan Source,
  CVE-2021-42574. Right-to-left writers use them legitimately, so a control with a right-to-left letter
  (Hebrew, Arabic, ...) within ``rtl_window`` characters is not flagged, unless it is an override that reverses
  letters of the other direction (RLO before Latin letters, LRO before Hebrew): one Hebrew letter placed next to
  ``U+202E gpj.exe`` must not excuse it.
* ``invisible``: zero-width and other invisible characters (ZWSP, ZWNJ, ZWJ, word joiner, invisible operators,
  BOM past the start, LRM/RLM, Hangul fillers, the combining grapheme joiner, Mongolian free variation selectors,
  interlinear annotation marks, other default-ignorable format controls) *between two Latin letters*: they split
  a word for a keyword filter while it still reads the same. Persian, Arabic and Indic scripts use ZWNJ/ZWJ
  inside words and emoji use ZWJ between pictographs: neither neighbour is Latin there, so they pass. The soft
  hyphen is not flagged: it is ordinary hyphenation markup in web text (``poison.injection`` reads through it).
* ``invisible_run``: ``invisible_run`` or more invisible characters in a row anywhere (zero-width
  steganography); a two-symbol run of a multiple of 8 is decoded as bits.
* ``invisible_scattered``: ``scattered_invisible`` or more invisible characters in a document outside words and
  outside any script or emoji that uses them (next to spaces, punctuation, Latin letters): a payload spread over
  word gaps in runs too short for ``invisible_run`` (decoded as bits when two symbols spell ASCII).
* ``variation``: ``min_variation_run`` or more variation selectors in a row (bytes smuggled after an emoji:
  VS1-16 = 0-15, VS17-256 = 16-255, decoded into the evidence). A lone VS15/VS16 after an emoji is normal.
* ``private_use``: supplementary private-use characters (planes 15-16) always; BMP private use (icon fonts in
  scraped pages) only in runs of ``private_use_run`` or more.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from pydantic import Field

from tasks.stage import DocBatch, Finding, Score, Span, Stage, StageConfig, StageResult

REASON = "poison.unicode"
SEVERITY = {"tag": 1.0, "variation": 0.95, "bidi": 0.9, "invisible_run": 0.9, "invisible_scattered": 0.9,
            "invisible": 0.8, "private_use": 0.7}

_TAG = "\U000e0000-\U000e007f"
_VS = "\ufe00-\ufe0f\U000e0100-\U000e01ef"
_BIDI = "\u202a-\u202e\u2066-\u2069"
# Zero-width and other default-ignorable characters; the combining grapheme joiner, Mongolian free variation
# selectors, Khmer inherent vowels, deprecated format controls, interlinear annotation marks and musical and
# shorthand format controls render as nothing too (Unicode DerivedCoreProperties: Default_Ignorable_Code_Point).
_INVIS = ("\u200b-\u200f\u2060-\u2065\u206a-\u206f\ufeff\u180b-\u180f\u061c\u115f\u1160\u3164\uffa0\u034f"
          "\u17b4\u17b5\ufff9-\ufffb\U0001bca0-\U0001bca3\U0001d173-\U0001d17a")
_PUA = "\ue000-\uf8ff\U000f0000-\U0010ffff"
# One C-level scan decides whether a text needs a closer look at all (almost none do).
_SUSPECT = re.compile(f"[{_TAG}{_VS}{_BIDI}{_INVIS}{_PUA}]")
_RUNS = re.compile(
    f"(?P<tag>[{_TAG}]+)|(?P<vs>[{_VS}]+)|(?P<bidi>[{_BIDI}])|(?P<inv>[{_INVIS}]+)|(?P<pua>[{_PUA}]+)"
)
_FLAG_TAGS = re.compile("[\U000e0030-\U000e0039\U000e0061-\U000e007a]{2,7}\U000e007f")
_BLACK_FLAG = "\U0001f3f4"


class UnicodeSmugglingConfig(StageConfig):
    """Thresholds of ``poison_unicode`` (see the module docstring for what each kind means)."""

    min_variation_run: int = Field(3, ge=2, description="variation selectors in a row that are smuggling")
    invisible_run: int = Field(4, ge=2, description="invisible characters in a row flagged wherever they are")
    scattered_invisible: int = Field(64, ge=8, description="invisible characters outside words and scripts that "
                                     "use them, per document, that are a scattered payload (64 bits: 8 bytes)")
    private_use_run: int = Field(3, ge=1, description="BMP private-use characters in a row that are flagged")
    rtl_window: int = Field(64, ge=0, description="bidi controls this close to an RTL letter pass")
    max_items: int = Field(16, ge=1, description="hits listed in the evidence (all are counted)")
    max_payload: int = Field(256, ge=16, description="characters of a decoded payload kept in the evidence")


def _is_latin_letter(ch: str) -> bool:
    o = ord(ch)
    return (
        (0x41 <= o <= 0x5A) or (0x61 <= o <= 0x7A) or (0xC0 <= o <= 0x24F and o not in (0xD7, 0xF7))
        or (0x1E00 <= o <= 0x1EFF) or (0x2C60 <= o <= 0x2C7F) or (0xA720 <= o <= 0xA7FF)
        or (0xFF21 <= o <= 0xFF3A) or (0xFF41 <= o <= 0xFF5A)
    )


def _has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


_SCOPE_END = re.compile("[\u202c\u2066-\u2069\n]")


def _overrides_direction(text: str, end: int, control: str) -> bool:
    """Whether an override forces letters against their own direction up to its PDF, the next isolate or the
    line's end: Latin letters after RLO (``U+202E gpj.exe`` shows as ``exe.jpg``), right-to-left letters after
    LRO. Writers of right-to-left text use embeddings, isolates and marks, not this, so a right-to-left letter
    nearby does not excuse it."""
    if control not in ("\u202d", "\u202e"):
        return False
    stop = _SCOPE_END.search(text, end, end + 256)
    scope = text[end : stop.start() if stop else end + 256]
    if control == "\u202e":
        return any(_is_latin_letter(c) for c in scope)
    return _has_rtl(scope)


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_DIGITS = re.compile(r"\d[\d\s().-]{5,}\d")


def _mask(payload: str) -> str:
    """A decoded payload may smuggle contact details: mask e-mail addresses and long digit runs (no raw PII)."""
    return _DIGITS.sub("<NUM>", _EMAIL.sub("<EMAIL>", payload))


def decode_tags(run: str) -> str:
    """The ASCII hidden in a run of tag characters (U+E0020-E007E map to U+0020-007E; others are dropped)."""
    return "".join(chr(ord(c) - 0xE0000) for c in run if 0xE0020 <= ord(c) <= 0xE007E)


def decode_variation(run: str) -> str:
    """Bytes hidden in variation selectors (VS1-16 -> 0-15, VS17-256 -> 16-255), as UTF-8 text or hex."""
    data = bytes(ord(c) - 0xFE00 if ord(c) <= 0xFE0F else ord(c) - 0xE0100 + 16 for c in run)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data.hex()
    return text if text.isprintable() else data.hex()


def _decode_bits(run: str) -> str | None:
    """A two-symbol invisible run of whole bytes read as bits (lower code point = 0) if that is ASCII."""
    symbols = sorted(set(run))
    if len(symbols) != 2 or len(run) % 8:
        return None
    bits = "".join("0" if c == symbols[0] else "1" for c in run)
    data = bytes(int(bits[i : i + 8], 2) for i in range(0, len(bits), 8))
    return data.decode("ascii") if data.isascii() and data.decode("ascii").isprintable() else None


def _in_script_use(text: str, start: int, end: int) -> bool:
    """Whether an invisible run touches a letter of a non-Latin script or a symbol/emoji (code point U+2000 and
    above): Persian, Indic and Thai writing and emoji sequences use zero-width characters there."""
    for c in (text[start - 1] if start else "", text[end] if end < len(text) else ""):
        if c and ((c.isalpha() and not _is_latin_letter(c)) or ord(c) >= 0x2000):
            return True
    return False


def _codepoints(run: str, limit: int = 8) -> str:
    cps = " ".join(f"U+{ord(c):04X}" for c in run[:limit])
    return cps + (" ..." if len(run) > limit else "")


def _runs(text: str) -> Iterator[re.Match[str]]:
    """``_RUNS.finditer(text)``, about 5x faster on text with hidden characters: ``finditer`` tries the five
    alternatives at every position, while the single class of ``_SUSPECT`` finds the next run's first character
    (every run starts with one, and the classes do not overlap)."""
    pos, search, match = 0, _SUSPECT.search, _RUNS.match
    while (found := search(text, pos)) is not None:
        m = match(text, found.start())
        yield m  # type: ignore[misc]  # never None: the character _SUSPECT found starts a run
        pos = m.end()  # type: ignore[union-attr]


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``ranges`` sorted, with overlapping and touching ones joined and empty ones dropped."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(ranges):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        elif e > s:
            out.append((s, e))
    return out


class UnicodeSmuggling(Stage):
    """Flags hidden Unicode: tags, bidi controls, invisibles in Latin words, VS runs, private use."""

    name = "poison_unicode"
    version = "5"  # 2: meta string fields are scanned too (Stage.scan_meta); 3: more default-ignorables (CGJ,
    # Mongolian FVS, deprecated format controls, interlinear annotation) count as invisible; 4: an override that
    # reverses letters of the other direction is flagged even next to right-to-left text; 5: invisible_scattered
    scan_meta = True
    Config = UnicodeSmugglingConfig

    def scan(self, text: str) -> list[dict[str, Any]]:
        """Every suspicious run in ``text``: kind, start, end, code points and any decoded payload."""
        return self.flagged(text)[0]

    def flagged(self, text: str, decode: bool = True) -> tuple[list[dict[str, Any]], list[tuple[int, int]]]:
        """``scan``'s hits and the characters they flag: sorted, disjoint ``[start, end)`` ranges of ``text``,
        each hit's run and, for an ``invisible_scattered`` hit (one hit over the stretch from its first run to its
        last), the runs it counted, not what lies between them (``sieve release`` removes these characters).

        ``decode=False`` leaves out the payloads and code points of the hits (``decoded``, ``codepoints``), which
        only evidence needs.
        """
        if text.isascii() or _SUSPECT.search(text) is None:
            return [], []
        cfg: UnicodeSmugglingConfig = self.config  # type: ignore[assignment]
        hits: list[dict[str, Any]] = []
        scattered: list[tuple[int, int]] = []
        for m in _runs(text):
            start, end, run, group = m.start(), m.end(), m.group(), m.lastgroup
            hit: dict[str, Any] | None = None
            if group == "tag":
                if start > 0 and text[start - 1] == _BLACK_FLAG and _FLAG_TAGS.fullmatch(run):
                    continue  # subdivision flag emoji, e.g. England
                hit = {"kind": "tag"}
                if decode:
                    hit["decoded"] = decode_tags(run)[: cfg.max_payload]
            elif group == "vs":
                if len(run) >= cfg.min_variation_run:
                    hit = {"kind": "variation"}
                    if decode:
                        hit["decoded"] = decode_variation(run)[: cfg.max_payload]
            elif group == "bidi":
                window = text[max(0, start - cfg.rtl_window) : end + cfg.rtl_window]
                if not _has_rtl(window) or _overrides_direction(text, end, run):
                    hit = {"kind": "bidi", "name": unicodedata.name(run, "BIDI CONTROL")}
            elif group == "inv":
                if start == 0 and run == "\ufeff":
                    continue  # a byte-order mark at the very start is an encoding artefact
                if len(run) >= cfg.invisible_run:
                    hit = {"kind": "invisible_run"}
                    bits = _decode_bits(run) if decode else None
                    if bits:
                        hit["decoded"] = bits[: cfg.max_payload]
                elif 0 < start and end < len(text) and _is_latin_letter(text[start - 1]) \
                        and _is_latin_letter(text[end]):
                    w0 = start - 1
                    while w0 > 0 and _is_latin_letter(text[w0 - 1]):
                        w0 -= 1
                    w1 = end + 1
                    while w1 < len(text) and _is_latin_letter(text[w1]):
                        w1 += 1
                    hit = {"kind": "invisible", "word": text[w0:start] + text[end:w1]}
                elif not _in_script_use(text, start, end):
                    scattered.append((start, end))
            elif group == "pua":
                if ord(run[0]) >= 0xF0000 or len(run) >= cfg.private_use_run:
                    hit = {"kind": "private_use"}
                    if decode and all(0xF0020 <= ord(c) <= 0xF007E for c in run):
                        hit["decoded"] = "".join(chr(ord(c) - 0xF0000) for c in run)[: cfg.max_payload]
            if hit is not None:
                if hit.get("decoded"):
                    hit["decoded"] = _mask(hit["decoded"])
                hit.update(start=start, end=end, chars=len(run))
                if decode:
                    hit["codepoints"] = _codepoints(run)
                hits.append(hit)
        ranges = [(h["start"], h["end"]) for h in hits]
        if sum(e - s for s, e in scattered) >= cfg.scattered_invisible:
            run = "".join(text[s:e] for s, e in scattered)
            hit = {"kind": "invisible_scattered", "start": scattered[0][0], "end": scattered[-1][1],
                   "chars": len(run), "runs": len(scattered)}
            if decode:
                hit["codepoints"] = _codepoints(run)
                if bits := _decode_bits(run):
                    hit["decoded"] = _mask(bits[: cfg.max_payload])
            hits.append(hit)
            ranges.extend(scattered)
        return hits, _merged(ranges)

    def detect(self, batch: DocBatch) -> StageResult:
        """One finding per record with a hit; every record gets a ``unicode`` score (max severity or 0)."""
        cfg: UnicodeSmugglingConfig = self.config  # type: ignore[assignment]
        result = StageResult()
        for row, text in enumerate(batch.texts):
            hits = self.scan(text)
            score = max((SEVERITY[h["kind"]] for h in hits), default=0.0)
            result.scores.append(Score(row, "unicode", score))
            if not hits:
                continue
            kinds: dict[str, int] = {}
            for h in hits:
                kinds[h["kind"]] = kinds.get(h["kind"], 0) + 1
            decoded = next((h["decoded"] for h in hits if h.get("decoded")), None)
            evidence: dict[str, Any] = {
                "kinds": kinds, "hits": len(hits), "items": hits[: cfg.max_items],
                "explanation": "hidden or reordering Unicode: " + ", ".join(sorted(kinds)),
            }
            if decoded:
                evidence["decoded"] = decoded
            spans = tuple(Span(h["start"], h["end"], h["kind"]) for h in hits)
            result.findings.append(Finding(row, REASON, score, evidence, spans))
        return result
